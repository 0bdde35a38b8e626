"""Placeholder: owned by the issue that builds it. Exposes DDL for ccm.db.ensure_schema."""
from __future__ import annotations

DDL: list[str] = []
