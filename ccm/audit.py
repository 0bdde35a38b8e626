"""Audit log (who did what, when) and batch management: load history and rollback of a batch.

`record(con, username, action, detail)` is the one call every writer uses. Pure Python (no Streamlit).
"""
from __future__ import annotations

import importlib
from datetime import date, datetime, timedelta

import duckdb
import pandas as pd

ACTIONS = {
    "login": "로그인",
    "login_failed": "로그인 실패",
    "login_locked": "잠긴 계정 로그인 시도",
    "logout": "로그아웃",
    "upload": "데이터 올리기",
    "rollback": "적재 되돌리기",
    "settings": "설정 변경",
    "sla_recompute": "처리기한 재계산",
    "export": "항목 단위 내려받기",
    "user_add": "사용자 추가",
    "user_change": "사용자 변경",
    "password_change": "비밀번호 변경",
    "action_create": "개선과제 등록",
    "action_update": "개선과제 수정",
    "action_status": "개선과제 단계 변경",
}

# load_batches.kind → module providing rollback(con, batch_id) -> dict
ROLLBACK_MODULES = {"voc": "ccm.voc", "survey": "ccm.pcsi", "pcsi": "ccm.pcsi", "kpi": "ccm.kpi"}


class BatchError(ValueError):
    """A user-facing (Korean) reason why a batch cannot be rolled back."""


def record(con: duckdb.DuckDBPyConnection, username: str | None, action: str, detail: str = "",
           *, at: datetime | None = None) -> None:
    """Append one audit entry (inside the caller's transaction, if any)."""
    con.execute("INSERT INTO audit_log (at_time, username, action, detail) VALUES (coalesce(?, current_localtimestamp()), ?, ?, ?)",
                [at, username, action, detail])


def query(con: duckdb.DuckDBPyConnection, start: date | None = None, end: date | None = None,
          actions: tuple[str, ...] = (), username: str = "", limit: int = 5000) -> pd.DataFrame:
    """Audit entries, newest first; [start, end] inclusive dates, optional action and user filters."""
    sql = "SELECT at_time, username, action, detail FROM audit_log WHERE TRUE"
    params: list = []
    if start:
        sql += " AND at_time >= ?"
        params.append(start)
    if end:
        sql += " AND at_time < ?"
        params.append(end + timedelta(days=1))
    if actions:
        sql += f" AND action IN ({', '.join('?' * len(actions))})"
        params += list(actions)
    if username:
        sql += " AND username = ?"
        params.append(username)
    df = con.execute(sql + " ORDER BY audit_id DESC LIMIT ?", [*params, limit]).df()
    df["action"] = df["action"].map(lambda a: ACTIONS.get(a, a))
    return df.rename(columns={"at_time": "일시", "username": "사용자", "action": "작업", "detail": "상세"})


KIND_LABELS = {"voc": "VOC", "survey": "고객만족도 설문", "kpi": "KPI 실적"}
RESULT_LABELS = {"removed": "지운 건", "restored": "되살린 건", "respondents_removed": "지운 응답자",
                 "restored_batches": "다시 쓰는 이전 적재", "definitions_removed": "지운 KPI 정의",
                 "definitions_restored": "되살린 KPI 정의", "actuals_removed": "지운 월별 실적",
                 "actuals_restored": "되살린 월별 실적"}


def describe(result: dict) -> str:
    """A loader's rollback result in words: '지운 응답자 61, 다시 쓰는 이전 적재 8번'."""
    parts = []
    for key, value in (result or {}).items():
        if key == "batch_id":
            continue
        shown = ", ".join(f"{v}번" for v in value) or "없음" if isinstance(value, (list, tuple)) else f"{value:,}"
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
    row = con.execute("SELECT kind, file_name, status FROM load_batches WHERE batch_id = ?", [batch_id]).fetchone()
    if row is None:
        raise BatchError(f"적재번호 {batch_id} 인 적재 기록이 없습니다.")
    kind, file_name, status = row
    if status == "rolled_back":
        raise BatchError(f"적재번호 {batch_id} ({file_name}) 는 이미 되돌렸습니다.")
    fn = _rollback_function(kind)
    try:
        result = fn(con, batch_id)  # each loader's rollback: one transaction, refuses what it cannot undo exactly
    except ValueError as exc:
        raise BatchError(str(exc)) from exc
    if kind == "voc" and settings is not None:
        from ccm import text

        text.enrich(con, settings)  # drops keywords/topics of removed items, re-tags restored ones
    record(con, username, "rollback",
           f"적재번호 {batch_id} ({KIND_LABELS.get(kind, kind)}, {file_name}) {describe(result)}".strip())
    return result or {}


def _rollback_function(kind: str):
    module_name = ROLLBACK_MODULES.get(kind) or ROLLBACK_MODULES.get(kind.split("_")[0])
    fn = getattr(importlib.import_module(module_name), "rollback", None) if module_name else None
    if fn is None:
        raise BatchError(f"'{kind}' 적재의 되돌리기 기능이 아직 없습니다.")
    return fn
