"""Small queries the shared filters need."""

from __future__ import annotations

from datetime import date

import duckdb


def latest_received(con: duckdb.DuckDBPyConnection) -> date | None:
    row = con.execute("SELECT max(received_at)::DATE FROM voc_items").fetchone()
    return row[0] if row else None
