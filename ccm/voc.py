"""VOC store: schema of the items table, the public `voc` view, rollback of a VOC batch."""
from __future__ import annotations

import duckdb

from ccm.db import transaction

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
    updated_batch_id INTEGER,           -- batch that last changed it
    export_as_of    TIMESTAMP           -- the export's as-of time: its latest receipt or completion time
"""
ITEM_NAMES = [line.split()[0] for line in ITEM_COLUMNS.strip().splitlines() if line.strip()]

DDL = [
    # voc_id is unique: the loader upserts by it, one writer at a time (etl.voc.store). No PRIMARY KEY:
    # maintaining its index took a third of the time of a 1M-row load.
    f"CREATE TABLE IF NOT EXISTS voc_items ({ITEM_COLUMNS})",
    # Versions replaced by a later batch, so that a batch can be rolled back exactly.
    f"CREATE TABLE IF NOT EXISTS voc_items_replaced ({ITEM_COLUMNS}, replaced_by_batch INTEGER NOT NULL)",
    # databases made before export_as_of existed
    "ALTER TABLE voc_items ADD COLUMN IF NOT EXISTS export_as_of TIMESTAMP",
    "ALTER TABLE voc_items_replaced ADD COLUMN IF NOT EXISTS export_as_of TIMESTAMP",
    """CREATE OR REPLACE VIEW voc AS
       SELECT voc_id, received_at, completed_at, voc_type, channel, department, facility, status,
              title, content, due_at, work_minutes, sla_met, clock_start, deadline_minutes, sla_rule,
              customer_key, batch_id
       FROM voc_items""",
]


def has_data(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT EXISTS (SELECT 1 FROM voc_items)").fetchone()[0]


class RollbackError(ValueError):
    """The batch cannot be rolled back (message in Korean)."""


def rollback(con: duckdb.DuckDBPyConnection, batch_id: int) -> dict:
    """Undo one VOC batch in one transaction: remove its inserts, restore the versions it replaced,
    mark it rolled_back. Refused while a later, still-loaded batch changed any item it touched."""
    row = con.execute("SELECT kind, status FROM load_batches WHERE batch_id = ?", [batch_id]).fetchone()
    if row is None or row[0] != "voc":
        raise RollbackError(f"VOC 적재 배치 {batch_id}번이 없습니다.")
    if row[1] == "rolled_back":
        raise RollbackError(f"배치 {batch_id}번은 이미 되돌렸습니다.")
    later = con.execute(
        """SELECT DISTINCT r.replaced_by_batch FROM voc_items_replaced r
           JOIN load_batches b ON b.batch_id = r.replaced_by_batch
           WHERE r.replaced_by_batch > ? AND b.status = 'loaded'
             AND (r.batch_id = ? OR r.updated_batch_id = ?)
           ORDER BY 1""",
        [batch_id, batch_id, batch_id],
    ).fetchall()
    if later:
        ids = ", ".join(str(r[0]) for r in later)
        raise RollbackError(f"배치 {batch_id}번이 바꾼 항목을 뒤의 배치({ids})가 다시 바꿨습니다. 뒤의 배치부터 되돌리세요.")
    with transaction(con):
        removed = con.execute(
            "DELETE FROM voc_items WHERE batch_id = ? AND updated_batch_id IS NULL", [batch_id]).fetchone()[0]
        restored_ids = "SELECT voc_id FROM voc_items_replaced WHERE replaced_by_batch = ?"
        con.execute(f"DELETE FROM voc_items WHERE voc_id IN ({restored_ids})", [batch_id])
        cols = ", ".join(ITEM_NAMES)
        restored = con.execute(
            f"INSERT INTO voc_items ({cols}) SELECT {cols} FROM voc_items_replaced WHERE replaced_by_batch = ?",
            [batch_id]).fetchone()[0]
        con.execute("DELETE FROM voc_items_replaced WHERE replaced_by_batch = ?", [batch_id])
        con.execute("UPDATE load_batches SET status = 'rolled_back' WHERE batch_id = ?", [batch_id])
    return {"batch_id": batch_id, "removed": removed, "restored": restored}
