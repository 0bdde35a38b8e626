"""Audit log: who did what, when (load history and rollback of a batch: ccm.batches).

`record(con, username, action, detail)` is the one call every writer uses. Pure Python (no Streamlit).
"""

from __future__ import annotations

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


def record(
    con: duckdb.DuckDBPyConnection,
    username: str | None,
    action: str,
    detail: str = "",
    *,
    at: datetime | None = None,
) -> None:
    """Append one audit entry (inside the caller's transaction, if any)."""
    con.execute(
        "INSERT INTO audit_log (at_time, username, action, detail) VALUES (coalesce(?, current_localtimestamp()), ?, ?, ?)",
        [at, username, action, detail],
    )


def query(
    con: duckdb.DuckDBPyConnection,
    start: date | None = None,
    end: date | None = None,
    actions: tuple[str, ...] = (),
    username: str = "",
    limit: int = 5000,
) -> pd.DataFrame:
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
