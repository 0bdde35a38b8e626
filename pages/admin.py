"""관리 (관리자 전용): 사용자, 감사 기록, 적재 이력과 되돌리기, 설정 편집."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from ccm import audit, batches, settings_edit
from ccm import auth as accounts
from ccm.db import DatabaseBusy
from ccm.safe_text import md, md_join
from ccm.settings import settings_path
from ui import data
from ui.auth import clock
from ui.bootstrap import setup
from ui.components import definition, empty_state, table
from ui.nav import ACCESS


def main() -> None:
    ctx = setup("관리", roles=ACCESS["admin"], filters=False)
    st.title("관리")
    tab_users, tab_audit, tab_batches, tab_settings = st.tabs(
        ["사용자", "감사 기록", "적재 이력·되돌리기", "설정"]
    )
    with tab_users:
        users_tab(ctx)
    with tab_audit:
        audit_tab(ctx)
    with tab_batches:
        batches_tab(ctx)
    with tab_settings:
        settings_tab(ctx)


def _flash(message: str) -> None:
    st.session_state["admin_flash"] = message


def _show_flash() -> None:
    message = st.session_state.pop("admin_flash", None)
    if message:
        st.success(md(message), icon=":material/check_circle:")


# ---- users -------------------------------------------------------------------------------------
def users_tab(ctx) -> None:
    _show_flash()
    users = data.run_current(accounts.list_users)
    table(users, "사용자 목록", key="admin_users")
    definition("권한: " + " · ".join(f"{r} = {h}" for r, h in accounts.ROLE_HELP.items()))
    c1, c2 = st.columns(2)
    with c1:
        _add_user_form(ctx)
    with c2:
        if not users.empty:
            _change_user_form(ctx, users)
            _password_form(ctx, users["사용자"].tolist())


def _apply(action, success: str) -> None:
    try:
        with data.connection() as con:
            action(con)
    except (accounts.AuthError, DatabaseBusy) as exc:
        st.error(md(exc), icon=":material/error:")
        return
    _flash(success)
    st.rerun()


def _add_user_form(ctx) -> None:
    with st.form("admin_add_user", clear_on_submit=True):
        st.markdown("**사용자 추가**")
        username = st.text_input("사용자 이름", key="admin_new_username")
        role = st.selectbox("권한", accounts.ROLES, key="admin_new_role")
        dept = st.selectbox(
            "부서 (부서 권한은 필수)",
            ["", *ctx.settings.departments],
            key="admin_new_dept",
            format_func=lambda d: d or "(없음)",
        )
        password = st.text_input("초기 비밀번호", type="password", key="admin_new_password")
        email = st.text_input("SSO 이메일 (선택)", key="admin_new_email")
        if st.form_submit_button("추가", type="primary"):
            _apply(
                lambda con: accounts.create_user(
                    con,
                    username,
                    role,
                    dept or None,
                    password or None,
                    settings=ctx.settings,
                    by=ctx.user.username,
                    oidc_email=email.strip() or None,
                ),
                f"사용자 '{username}' 을(를) 추가했습니다.",
            )


def _load_user_values(users) -> None:
    """Put the chosen user's current role, department and state into the change form."""
    row = users[users["사용자"] == st.session_state["admin_chg_user"]].iloc[0]
    st.session_state["admin_chg_role"] = row["권한"]
    st.session_state["admin_chg_dept"] = row["부서"] if isinstance(row["부서"], str) else ""
    st.session_state["admin_chg_active"] = bool(row["사용"])


def _change_user_form(ctx, users) -> None:
    st.markdown("**권한·부서·사용 여부 변경**")
    username = st.selectbox(
        "사용자", users["사용자"].tolist(), key="admin_chg_user", on_change=_load_user_values, args=(users,)
    )
    if "admin_chg_role" not in st.session_state:
        _load_user_values(users)
    with st.form("admin_change_user"):
        role = st.selectbox("권한", accounts.ROLES, key="admin_chg_role")
        dept = st.selectbox(
            "부서", ["", *ctx.settings.departments], key="admin_chg_dept", format_func=lambda d: d or "(없음)"
        )
        active = st.checkbox("사용", key="admin_chg_active")
        if st.form_submit_button("변경"):
            _apply(
                lambda con: accounts.update_user(
                    con,
                    username,
                    role=role,
                    department=dept or None,
                    active=active,
                    settings=ctx.settings,
                    by=ctx.user.username,
                ),
                f"사용자 '{username}' 을(를) 변경했습니다.",
            )


def _password_form(ctx, names: list[str]) -> None:
    with st.form("admin_password", clear_on_submit=True):
        st.markdown("**비밀번호 재설정**")
        username = st.selectbox("사용자", names, key="admin_pw_user")
        password = st.text_input("새 비밀번호", type="password", key="admin_pw_new")
        if st.form_submit_button("재설정"):
            _apply(
                lambda con: accounts.set_password(
                    con, username, password, settings=ctx.settings, by=ctx.user.username
                ),
                f"'{username}' 의 비밀번호를 바꿨습니다.",
            )


# ---- audit log ---------------------------------------------------------------------------------
def audit_tab(ctx) -> None:
    today = clock().date()  # audit times are wall-clock times, not the pinned business 'now'
    c1, c2, c3 = st.columns([2, 2, 1])
    period = c1.date_input("기간", (today - timedelta(days=30), today), key="admin_audit_period")
    actions = c2.multiselect(
        "작업",
        list(audit.ACTIONS),
        format_func=audit.ACTIONS.get,
        key="admin_audit_actions",
        placeholder="모든 작업",
    )
    username = c3.text_input("사용자", key="admin_audit_user")
    start, end = (tuple(period) + (None, None))[:2] if isinstance(period, (tuple, list)) else (period, period)
    log = data.run_current(audit.query, start, end or start, tuple(actions), username.strip())
    if log.empty:
        st.info("조건에 맞는 감사 기록이 없습니다. 기간이나 작업을 바꿔 보세요.", icon=":material/info:")
        return
    table(log, "감사 기록", key="admin_audit")
    definition(
        "로그인(성공·실패), 데이터 올리기, 되돌리기, 설정 변경, 항목 단위 내려받기, 사용자 관리를 "
        "누가 언제 했는지 기록합니다. 최근 5,000건까지 보여 줍니다."
    )


# ---- batches -----------------------------------------------------------------------------------
def batches_tab(ctx) -> None:
    _show_flash()
    history = data.run(batches.batch_history)
    if history.empty:
        empty_state("아직 적재한 데이터가 없습니다.")
        return
    table(history, "적재 이력", key="admin_batches")
    definition(
        "적재마다 읽은 행, 추가·갱신·변경없음·거부 행 수. 되돌리면 그 적재가 추가한 행은 지워지고 "
        "갱신한 행은 적재 전 값으로 돌아갑니다."
    )
    loaded = history[history["상태"] == "적재됨"]
    if loaded.empty:
        return
    labels = {
        int(r.적재번호): f"{r.적재번호} · {r.종류} · {r.파일} · {r.적재일시:%Y-%m-%d %H:%M}"
        for r in loaded.itertuples()
    }
    with st.form("admin_rollback"):
        st.markdown("**적재 되돌리기**")
        batch_id = st.selectbox("되돌릴 적재", list(labels), format_func=labels.get, key="admin_rb_batch")
        sure = st.checkbox(
            "이 적재를 되돌립니다 (되돌린 뒤에는 파일을 다시 올려야 복구됩니다).", key="admin_rb_sure"
        )
        if st.form_submit_button("되돌리기", type="primary"):
            _rollback(ctx, batch_id, sure)


def _rollback(ctx, batch_id: int, sure: bool) -> None:
    if not sure:
        st.warning("되돌리려면 확인란을 선택하세요.")
        return
    try:
        with st.spinner(f"적재 {batch_id} 을(를) 되돌리는 중…"), data.connection() as con:
            result = batches.rollback_batch(con, batch_id, ctx.user.username, ctx.settings)
    except (batches.BatchError, DatabaseBusy) as exc:
        st.error(md(exc), icon=":material/error:")
        return
    summary = batches.describe(result)
    _flash(f"적재 {batch_id} 을(를) 되돌렸습니다. {summary}")
    st.rerun()


# ---- settings ----------------------------------------------------------------------------------
def settings_tab(ctx) -> None:
    _show_flash()
    path = settings_path()
    current = path.read_text(encoding="utf-8")
    st.caption(f"설정 파일: `{path}` — 주석과 순서는 그대로 보존됩니다. 저장 전에 형식과 값을 검사합니다.")
    if ctx.settings.overlay:
        st.caption(
            f"이 데이터베이스에는 덧씌움 설정 `{ctx.settings.overlay}`도 적용됩니다(예시 데이터의 값). "
            "여기서 고치는 것은 위 설정 파일뿐입니다."
        )
    base = st.session_state.setdefault("admin_settings_base", current)  # the text this editor started from
    text = st.text_area("settings.toml", current, height=520, key="admin_settings_text")
    c1, c2, c3, _ = st.columns([1, 1, 2, 3])
    check = c1.button("검사", key="admin_settings_check")
    save = c2.button("저장", type="primary", key="admin_settings_save")
    c3.button(
        "파일에서 다시 불러오기", key="admin_settings_reload", on_click=_reload_settings_text, args=(current,)
    )
    if not (check or save):
        return
    if save:
        _save_settings(ctx, path, text, base)
        return
    errors, changed = settings_edit.review(current, text)
    if errors:
        _refused(errors)
        return
    st.success(f"문제 없습니다. 바뀌는 구역: {md_join(changed) or '없음'}", icon=":material/check:")


def _refused(errors) -> None:
    st.error(
        "설정을 저장할 수 없습니다:\n\n" + "\n".join(f"- {md(e)}" for e in errors), icon=":material/error:"
    )


def _reload_settings_text(current: str) -> None:
    st.session_state["admin_settings_text"] = current
    st.session_state["admin_settings_base"] = current


def _save_settings(ctx, path, text: str, base: str) -> None:
    """Save through ccm.settings_edit.apply_settings (validate, recompute deadlines, restore on failure,
    audit) and show what happened."""
    with st.spinner("설정을 저장하는 중… (달력·처리기한이 바뀌면 저장된 VOC의 처리기한도 다시 계산합니다)"):
        result = settings_edit.apply_settings(path, text, data.connection, ctx.user.username, base=base)
    if result.unchanged:
        st.info("바뀐 내용이 없습니다.")
    elif not result.saved:
        _refused(result.errors)
    else:
        st.session_state["admin_settings_base"] = text
        _flash(result.message)
        st.rerun()


main()
