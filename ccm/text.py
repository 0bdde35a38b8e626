"""Keywords and topics of VOC texts — owned by the trends work. Exposes DDL for ccm.db.ensure_schema.

Contract with the VOC loader: after a load commits, it calls `enrich(con, settings)`, which
extracts keywords/topics for items that have none yet (or whose text changed) and returns how many.
"""
from __future__ import annotations

DDL: list[str] = []


def enrich(con, settings) -> int:
    return 0
