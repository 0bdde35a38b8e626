"""Constants the tests share."""

from __future__ import annotations

from datetime import datetime

NOW = "2026-11-25T10:00:00"  # the pinned "now" (CCM_NOW) for overdue / at-risk figures in tests
NOW_AT = datetime.fromisoformat(NOW)
