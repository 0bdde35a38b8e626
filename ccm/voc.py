"""VOC store: schema of the items table, the public `voc` view, rollback of a VOC batch."""

from __future__ import annotations

import duckdb

from ccm import schema
from ccm.db import transaction

ITEM_NAMES = schema.VOC_ITEMS.names  # the columns of voc_items and voc_items_replaced (ccm/schema.py)


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
        raise RollbackError(
            f"배치 {batch_id}번이 바꾼 항목을 뒤의 배치({ids})가 다시 바꿨습니다. 뒤의 배치부터 되돌리세요."
        )
    with transaction(con):
        removed = con.execute(
            "DELETE FROM voc_items WHERE batch_id = ? AND updated_batch_id IS NULL", [batch_id]
        ).fetchone()[0]
        restored_ids = "SELECT voc_id FROM voc_items_replaced WHERE replaced_by_batch = ?"
        con.execute(f"DELETE FROM voc_items WHERE voc_id IN ({restored_ids})", [batch_id])
        cols = ", ".join(ITEM_NAMES)
        restored = con.execute(
            f"INSERT INTO voc_items ({cols}) SELECT {cols} FROM voc_items_replaced WHERE replaced_by_batch = ?",
            [batch_id],
        ).fetchone()[0]
        con.execute("DELETE FROM voc_items_replaced WHERE replaced_by_batch = ?", [batch_id])
        con.execute("UPDATE load_batches SET status = 'rolled_back' WHERE batch_id = ?", [batch_id])
    return {"batch_id": batch_id, "removed": removed, "restored": restored}
