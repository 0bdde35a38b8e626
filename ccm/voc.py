"""VOC store: schema of the items table, the public `voc` view, and the overview figures."""
from __future__ import annotations

from datetime import datetime

import duckdb

from ccm.period import Scope

# Columns shared by voc_items and its history of replaced versions.
ITEM_COLUMNS = """
    voc_id          VARCHAR NOT NULL,
    received_at     TIMESTAMP NOT NULL,
    completed_at    TIMESTAMP,
    voc_type        VARCHAR NOT NULL,   -- one of the 7 canonical types
    channel         VARCHAR,            -- canonical channel, or the raw value if unknown
    department      VARCHAR,
    facility        VARCHAR,
    status          VARCHAR NOT NULL,   -- 접수 | 처리중 | 완료
    title           VARCHAR,            -- personal data masked
    content         VARCHAR,            -- personal data masked
    answer          VARCHAR,            -- 처리내용 (masked), if the export has it
    customer_key    VARCHAR,            -- keyed hash (HMAC-SHA256) of the customer's identity, never clear
    clock_start     TIMESTAMP,          -- first business minute at or after received_at
    due_at          TIMESTAMP,
    deadline_minutes INTEGER,           -- working minutes allowed
    work_minutes    INTEGER,            -- working minutes from clock_start to completed_at (NULL while open)
    sla_met         BOOLEAN,            -- NULL while open
    sla_rule        VARCHAR,            -- which rule applied: effective date, days, counting
    source_row      INTEGER,            -- row number in the source file
    batch_id        INTEGER NOT NULL,   -- batch that inserted the item
    updated_batch_id INTEGER            -- batch that last changed it
"""

DDL = [
    f"CREATE TABLE IF NOT EXISTS voc_items ({ITEM_COLUMNS}, PRIMARY KEY (voc_id))",
    # Versions replaced by a later batch, so that a batch can be rolled back exactly.
    f"CREATE TABLE IF NOT EXISTS voc_items_replaced ({ITEM_COLUMNS}, replaced_by_batch INTEGER NOT NULL)",
    """CREATE OR REPLACE VIEW voc AS
       SELECT voc_id, received_at, completed_at, voc_type, channel, department, facility, status,
              title, content, due_at, work_minutes, sla_met, clock_start, deadline_minutes, sla_rule,
              customer_key, batch_id
       FROM voc_items""",
]


def has_data(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT EXISTS (SELECT 1 FROM voc_items)").fetchone()[0]


def overview(con: duckdb.DuckDBPyConnection, scope: Scope, now: datetime) -> dict:
    """Received count, deadline compliance (met / decided) and open/overdue counts for a scope.

    Overdue = still open and past due_at at `now` (open items are counted whatever their period).
    """
    where, params = scope.where()
    row = con.execute(
        f"""SELECT count(*) AS received,
                   count(*) FILTER (sla_met) AS met,
                   count(sla_met) AS decided
            FROM voc WHERE {where}""",
        params,
    ).fetchone()
    dept_where, dept_params = Scope(datetime.min.date(), datetime.max.date(), scope.departments).where()
    open_row = con.execute(
        f"""SELECT count(*) AS open, count(*) FILTER (due_at < ?) AS overdue
            FROM voc WHERE completed_at IS NULL AND {dept_where}""",
        [now, *dept_params],
    ).fetchone()
    received, met, decided = row
    return {
        "received": received,
        "met": met,
        "decided": decided,
        "compliance": met / decided if decided else None,
        "open": open_row[0],
        "overdue": open_row[1],
    }
