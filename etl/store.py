"""VOC store: prepared exports upserted by 접수번호 in one transaction (one load_batches row per file).

voc_items has no PRIMARY KEY (its index cost a third of a large load), so this is the one writer that
keeps voc_id unique: one upsert at a time per process, and prepared rows with a repeated 접수번호 are
refused. An older export never overwrites newer content: status rank first, then export_as_of.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from ccm import db
from ccm.voc import ITEM_NAMES
from etl.normalise import STORED
from etl.prepared import Prepared

COMPARED = [c for c in STORED if c not in ("source_row", "export_as_of")]
Progress = Callable[[float, str], None]
_STORE_LOCK = threading.Lock()  # one upsert at a time per process (DuckDB's file lock covers processes)


@dataclass
class BatchResult:
    file_name: str
    batch_id: int | None
    rows_read: int
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    kept_newer: int = 0  # rows of an older export that did not overwrite a newer version
    merged: int = 0  # rows folded into another row of the same 접수번호 in the file
    closed_without_time: int = 0  # stored as 완료 with no completion time


def store(
    con: duckdb.DuckDBPyConnection,
    preps: Sequence[Prepared],
    *,
    loaded_by: str | None = None,
    progress: Progress | None = None,
) -> list[BatchResult]:
    """Upsert every prepared file (one batch each) in one transaction: all or nothing."""
    results = []
    try:
        with _STORE_LOCK, db.transaction(con):
            for i, prep in enumerate(preps):
                if progress:
                    progress(i / max(len(preps), 1), f"{prep.file_name} 저장 중…")
                results.append(_store_one(con, prep, loaded_by))
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("DROP VIEW IF EXISTS _incoming")
            con.unregister("_normalised")
        raise
    return results


def _store_one(con: duckdb.DuckDBPyConnection, prep: Prepared, loaded_by: str | None) -> BatchResult:
    batch_id = con.execute(
        """INSERT INTO load_batches (kind, file_name, sha256, rows_read, rows_rejected, loaded_by, detail)
           VALUES ('voc', ?, ?, ?, ?, ?, ?) RETURNING batch_id""",
        [
            prep.file_name,
            prep.sha256,
            prep.rows_read,
            prep.rows_rejected,
            loaded_by,
            json.dumps(prep.detail(), ensure_ascii=False, default=str),
        ],
    ).fetchone()[0]
    rows = pa.Table.from_pandas(prep.normalised, preserve_index=False).append_column(
        "_keep", pa.array(prep.keep)
    )
    con.register("_normalised", rows)  # an arrow scan: parallel, and filtered there rather than copied
    con.execute(
        "CREATE OR REPLACE TEMP VIEW _incoming AS SELECT * EXCLUDE (_keep) FROM _normalised WHERE _keep"
    )
    dup = con.execute(
        "SELECT any_value(voc_id) FROM _incoming GROUP BY voc_id HAVING count(*) > 1 LIMIT 1"
    ).fetchall()
    if dup:  # prepare() keeps one row per 접수번호; voc_items has no PRIMARY KEY to catch a slip
        raise ValueError(f"{prep.file_name}: 접수번호 {dup[0][0]}의 행이 둘 이상이라 저장하지 않았습니다.")
    same = " AND ".join(f"i.{c} IS NOT DISTINCT FROM v.{c}" for c in COMPARED)
    ranks = "CASE {} WHEN '완료' THEN 2 WHEN '처리중' THEN 1 ELSE 0 END"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE _action AS
        SELECT i.voc_id,
               CASE WHEN v.voc_id IS NULL THEN 'insert'
                    WHEN {ranks.format("i.status")} < {ranks.format("v.status")} THEN 'older'
                    WHEN {ranks.format("i.status")} = {ranks.format("v.status")}
                         AND i.export_as_of < v.export_as_of THEN 'older'
                    WHEN {same} THEN 'same'
                    ELSE 'update' END AS action
        FROM _incoming i LEFT JOIN voc_items v ON v.voc_id = i.voc_id""")
    counts = dict(con.execute("SELECT action, count(*) FROM _action GROUP BY action").fetchall())
    cols = ", ".join(STORED)
    item_cols = ", ".join(ITEM_NAMES)
    con.execute(f"""INSERT INTO voc_items_replaced ({item_cols}, replaced_by_batch)
        SELECT {", ".join("v." + c for c in ITEM_NAMES)}, {batch_id} FROM voc_items v JOIN _action a ON a.voc_id = v.voc_id
        WHERE a.action = 'update'""")
    sets = ", ".join(f"{c} = i.{c}" for c in STORED if c != "voc_id")
    con.execute(f"""UPDATE voc_items SET {sets}, updated_batch_id = {batch_id}
        FROM _incoming i JOIN _action a ON a.voc_id = i.voc_id
        WHERE a.action = 'update' AND voc_items.voc_id = i.voc_id""")
    con.execute(f"""INSERT INTO voc_items ({cols}, batch_id, updated_batch_id)
        SELECT {", ".join("i." + c for c in STORED)}, {batch_id}, NULL
        FROM _incoming i ANTI JOIN voc_items v ON v.voc_id = i.voc_id""")  # 'insert': not stored yet
    con.execute("DROP VIEW _incoming")
    con.unregister("_normalised")
    res = BatchResult(
        prep.file_name,
        batch_id,
        prep.rows_read,
        counts.get("insert", 0),
        counts.get("update", 0),
        counts.get("same", 0) + counts.get("older", 0),
        prep.rows_rejected,
        counts.get("older", 0),
        prep.merged,
        prep.closed_without_time,
    )
    if res.kept_newer:
        prep.warnings.append(
            f"이미 더 새로운 내용으로 저장된 {res.kept_newer}건은 이 파일(더 오래된 내보내기)의 내용으로 "
            "덮어쓰지 않았습니다"
        )
    con.execute(
        """UPDATE load_batches SET rows_inserted = ?, rows_updated = ?, rows_unchanged = ?, detail = ?
           WHERE batch_id = ?""",
        [
            res.inserted,
            res.updated,
            res.unchanged,
            json.dumps(prep.detail(), ensure_ascii=False, default=str),
            batch_id,
        ],
    )
    return res
