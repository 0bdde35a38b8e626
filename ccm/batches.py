"""Load history and rollback of a batch: every loader's batches in load_batches, undone through the
loader's own `rollback(con, batch_id) -> dict` (dispatched by load_batches.kind), then audited."""

from __future__ import annotations

import duckdb
import pandas as pd

from ccm import actions, audit, kpi, pcsi, phone, training, voc

# load_batches.kind → the module whose rollback(con, batch_id) -> dict undoes a batch of that kind
ROLLBACK = {
    "voc": voc,
    "survey": pcsi,
    "pcsi": pcsi,
    "kpi": kpi,
    "phone": phone,
    "training": training,
    "actions": actions,
}


class BatchError(ValueError):
    """A user-facing (Korean) reason why a batch cannot be rolled back."""


KIND_LABELS = {
    "voc": "VOC",
    "survey": "고객만족도 설문",
    "kpi": "KPI 실적",
    "phone": "전화친절도 모니터링",
    "training": "교육 실적",
    "actions": "개선과제",
}
RESULT_LABELS = {
    "removed": "지운 건",
    "restored": "되살린 건",
    "respondents_removed": "지운 응답자",
    "restored_batches": "다시 쓰는 이전 적재",
    "definitions_removed": "지운 KPI 정의",
    "definitions_restored": "되살린 KPI 정의",
    "actuals_removed": "지운 월별 실적",
    "actuals_restored": "되살린 월별 실적",
}


def describe(result: dict) -> str:
    """A loader's rollback result in words: '지운 응답자 61, 다시 쓰는 이전 적재 8번'."""
    parts = []
    for key, value in (result or {}).items():
        if key == "batch_id":
            continue
        shown = (
            ", ".join(f"{v}번" for v in value) or "없음" if isinstance(value, (list, tuple)) else f"{value:,}"
        )
        parts.append(f"{RESULT_LABELS.get(key, key.replace('_', ' '))} {shown}")
    return ", ".join(parts)


def batch_history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every load of every loader, newest first, with its counts."""
    kinds = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in KIND_LABELS.items())
    return con.execute(
        f"""SELECT batch_id AS 적재번호, CASE kind {kinds} ELSE kind END AS 종류, file_name AS 파일, loaded_at AS 적재일시,
                  loaded_by AS 적재자, rows_read AS 읽은_행, rows_inserted AS 추가, rows_updated AS 갱신,
                  rows_unchanged AS 변경없음, rows_rejected AS 거부,
                  CASE status WHEN 'rolled_back' THEN '되돌림' ELSE '적재됨' END AS 상태
           FROM load_batches ORDER BY batch_id DESC"""
    ).df()


def rollback_batch(con: duckdb.DuckDBPyConnection, batch_id: int, username: str, settings=None) -> dict:
    """Roll back one batch through its loader's rollback (dispatched by load_batches.kind), refresh
    data derived from it (VOC keywords/topics), then record it in the audit log."""
    row = con.execute(
        "SELECT kind, file_name, status FROM load_batches WHERE batch_id = ?", [batch_id]
    ).fetchone()
    if row is None:
        raise BatchError(f"적재번호 {batch_id} 인 적재 기록이 없습니다.")
    kind, file_name, status = row
    if status == "rolled_back":
        raise BatchError(f"적재번호 {batch_id} ({file_name}) 는 이미 되돌렸습니다.")
    fn = _rollback_function(kind)
    try:
        result = fn(
            con, batch_id
        )  # each loader's rollback: one transaction, refuses what it cannot undo exactly
    except ValueError as exc:
        raise BatchError(str(exc)) from exc
    if kind == "voc" and settings is not None:
        from ccm import text

        text.enrich(con, settings)  # drops keywords/topics of removed items, re-tags restored ones
    audit.record(
        con,
        username,
        "rollback",
        f"적재번호 {batch_id} ({KIND_LABELS.get(kind, kind)}, {file_name}) {describe(result)}".strip(),
    )
    return result or {}


def _rollback_function(kind: str):
    module = ROLLBACK.get(kind) or ROLLBACK.get(kind.split("_")[0])
    if module is None:
        raise BatchError(f"'{kind}' 적재의 되돌리기 기능이 아직 없습니다.")
    return module.rollback
