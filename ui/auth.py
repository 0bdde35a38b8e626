"""Who is using the dashboard: sign-in, first administrator, session expiry, optional single sign-on.

Contract for pages: `current_user()` returns the signed-in User or stops the script after showing the
login form (or, on an empty users table, the form creating the first administrator);
`require(user, roles)` stops with a refusal. Both run in `ui.bootstrap.setup`, which every page calls
first — so a page opened by direct URL on a fresh server is protected too.

The signed-in state lives only in the server-side Streamlit session (`st.session_state[SESSION_KEY]`);
a browser cannot set it. Every run re-reads the account (cached per data version), so a disabled
account or a changed role takes effect at the user's next click.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import streamlit as st

from ccm import audit
from ccm.db import DatabaseBusy
from ccm import auth as accounts
from ui import data

ROLES = accounts.ROLES
SESSION_KEY = "_auth"
NOTICE_KEY = "_auth_notice"


@dataclass(frozen=True)
class User:
    username: str
    role: str
    department: str | None = None

    @property
    def can_see_texts(self) -> bool:
        """Item-level texts (VOC titles and contents) are for 관리자, 분석 and 부서 (own department)."""
        return self.role in ("관리자", "분석", "부서")

    @property
    def is_admin(self) -> bool:
        return self.role == "관리자"


def clock() -> datetime:
    """Wall-clock time for sessions and lockouts (not CCM_NOW, which pins only business figures)."""
    return datetime.now()


def sign_in(username: str, now: datetime | None = None) -> None:
    """Mark this Streamlit session as signed in (after a password or single sign-on check)."""
    now = now or clock()
    st.session_state[SESSION_KEY] = {"username": username, "signed_in_at": now, "last_seen": now}


def current_user() -> User:
    settings = data.settings()
    now = clock()
    user = _session_user(settings, now)
    if user is None:
        user = _sso_user(settings, now)
    if user is None:
        _sign_in_screen(settings)
        st.stop()
    _account_box(user)
    return user


def session_role() -> str | None:
    """The signed-in account's role, for the navigation menu (None when signed out); the page's
    own `require` still decides access."""
    state = st.session_state.get(SESSION_KEY)
    if not state or accounts.session_expired(state["signed_in_at"], state["last_seen"], clock(), data.settings()):
        return None
    acc = data.run(accounts.get_account, state["username"])
    return acc.role if acc is not None and acc.active else None


def require(user: User, roles: tuple[str, ...] | None) -> None:
    if roles is not None and user.role not in roles:
        st.error(f"이 화면은 {', '.join(roles)} 권한이 있어야 볼 수 있습니다. (현재 권한: {user.role})",
                 icon=":material/block:")
        st.stop()


def _session_user(settings, now: datetime) -> User | None:
    state = st.session_state.get(SESSION_KEY)
    if not state:
        return None
    reason = accounts.session_expired(state["signed_in_at"], state["last_seen"], now, settings)
    acc = None if reason else data.run(accounts.get_account, state["username"])
    if acc is None or not acc.active:
        reason = reason or "계정이 없거나 사용 중지되었습니다. 관리자에게 문의하세요."
        _end_session(reason)
        if _sso_email():
            st.logout()  # otherwise single sign-on would sign the expired session straight back in
        return None
    state["last_seen"] = now
    return User(acc.username, acc.role, acc.department)


def _end_session(notice: str | None) -> None:
    st.session_state.pop(SESSION_KEY, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _sso_email() -> str | None:
    try:
        if st.user.is_logged_in:
            return st.user.get("email") or st.user.get("preferred_username")
    except Exception:
        pass
    return None


def _sso_user(settings, now: datetime) -> User | None:
    """Single sign-on (st.login, OIDC) when configured: the identity must map to an active local account."""
    if not _sso_configured():
        return None
    email = _sso_email()
    if not email:
        return None
    acc = data.run(accounts.account_by_email, email)
    if acc is None or not acc.active:
        st.error(f"SSO 계정 {email} 은(는) 이 대시보드에 등록되어 있지 않습니다. 관리자에게 계정 등록을 요청하세요.")
        st.button("SSO 로그아웃", on_click=st.logout)
        st.stop()
    with data.connection() as con:
        accounts.record_sso_login(con, acc.username, email, now)
    sign_in(acc.username, now)
    st.rerun()  # the router builds the menu before sign-in; run again so it lists the role's pages


def _sign_in_screen(settings) -> None:
    st.title("CCM 성과 대시보드")
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.warning(notice, icon=":material/logout:")
    if data.run(accounts.user_count) == 0:
        _first_admin_form(settings)
    else:
        _login_form(settings)


def _login_form(settings) -> None:
    st.subheader("로그인")
    with st.form("login_form"):
        username = st.text_input("사용자 이름", key="login_username")
        password = st.text_input("비밀번호", type="password", key="login_password")
        submitted = st.form_submit_button("로그인", type="primary")
    if _sso_configured():
        st.button("SSO(통합 로그인)로 로그인", on_click=st.login, key="login_sso")
    if submitted:
        now = clock()
        try:
            with data.connection() as con:
                acc = accounts.authenticate(con, username, password, now, settings)
        except (accounts.AuthError, DatabaseBusy) as exc:
            st.error(str(exc), icon=":material/error:")
            return
        sign_in(acc.username, now)
        st.rerun()


def _first_admin_form(settings) -> None:
    st.subheader("첫 관리자 만들기")
    st.info("아직 사용자가 없습니다. 이 대시보드를 관리할 첫 관리자 계정을 만드세요. "
            "(서버에서 `python -m etl users add 이름 --role 관리자` 로도 만들 수 있습니다.)")
    n = accounts.rules(settings)["min_password_length"]
    with st.form("first_admin_form"):
        username = st.text_input("사용자 이름", key="first_username")
        password = st.text_input(f"비밀번호 ({n}자 이상)", type="password", key="first_password")
        confirm = st.text_input("비밀번호 확인", type="password", key="first_confirm")
        submitted = st.form_submit_button("관리자 만들기", type="primary")
    if not submitted:
        return
    if password != confirm:
        st.error("비밀번호와 비밀번호 확인이 다릅니다.")
        return
    try:
        with data.connection() as con:
            if accounts.user_count(con):
                raise accounts.AuthError("그 사이에 다른 사람이 사용자를 만들었습니다. 로그인하세요.")
            acc = accounts.create_user(con, username, "관리자", None, password, settings=settings)
            audit.record(con, acc.username, "login", "첫 관리자 생성 후 로그인")
    except (accounts.AuthError, DatabaseBusy) as exc:
        st.error(str(exc), icon=":material/error:")
        return
    sign_in(acc.username)
    st.rerun()


def _account_box(user: User) -> None:
    with st.sidebar:
        dept = f" · {user.department}" if user.department else ""
        st.caption(f":material/person: {user.username} ({user.role}{dept})")
        st.button("로그아웃", key="auth_logout", on_click=_logout, args=(user.username,),
                  icon=":material/logout:")


def _logout(username: str) -> None:
    with data.connection() as con:
        audit.record(con, username, "logout", "")
    _end_session("로그아웃했습니다.")
    if _sso_email():
        st.logout()


def audit_upload(kind: str, file_name: str, summary: str = "") -> None:
    """One call in each upload flow after its loader returns: who uploaded which file, with what result."""
    state = st.session_state.get(SESSION_KEY) or {}
    with data.connection() as con:
        audit.record(con, state.get("username"), "upload", f"{kind}: {file_name} {summary}".strip())


def audit_export(name: str, rows: int, fmt: str) -> None:
    """Download callback: record an item-level export (who, which table, how many rows, format)."""
    state = st.session_state.get(SESSION_KEY) or {}
    with data.connection() as con:
        audit.record(con, state.get("username"), "export", f"{name} ({rows}행, {fmt})")
