"""Who is using the dashboard: sign-in, first administrator, session expiry, optional single sign-on.

Contract for pages: `current_user()` returns the signed-in User or stops the script after showing the
login form (or, on an empty users table, the form creating the first administrator);
`require(user, roles)` stops with a refusal. Both run in `ui.bootstrap.setup`, which every page calls
first — so a page opened by direct URL on a fresh server is protected too.

A sign-in creates a session in the database (`ccm.auth.create_session`): a random 256-bit token, of
which the server keeps only a keyed hash. The Streamlit session holds the token, and the browser gets
it as a cookie (set by a small inline script: Streamlit cannot set cookies itself), so a refresh, a
new tab or the print view sends it with the new connection and stays signed in. Every run checks the
token against the database — revoked at logout, password change and when the account is disabled,
idle and absolute limits from [auth] — and re-reads the account (both cached until any write, sign-ins
included: `ui.data.run_current`), so a disabled account or a changed role takes effect at the user's
next click. Sign-in writes go through `ui.data.bookkeeping`, so they leave the pages' shared results.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb
import streamlit as st

from ccm import audit
from ccm import auth as accounts
from ccm.db import DatabaseBusy, transaction
from ccm.safe_text import md
from ui import data

ROLES = accounts.ROLES
SESSION_KEY = "_auth"  # {"username", "token"} while signed in
NOTICE_KEY = "_auth_notice"
ENDED_KEY = "_auth_ended"  # tokens this Streamlit session has seen end (its connection may still send one)
COOKIE = "ccm_session"
_TOKEN_SHAPE = re.compile(
    r"[A-Za-z0-9_-]{43}"
)  # secrets.token_urlsafe(32); nothing else reaches a query or script


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


def sign_in(username: str, now: datetime | None = None, con: duckdb.DuckDBPyConnection | None = None) -> None:
    """Start a session for an account that has just proved who it is (password or single sign-on)."""
    now = now or clock()
    if con is None:
        with data.bookkeeping() as own:
            token = accounts.create_session(own, username, now, data.settings())
    else:
        token = accounts.create_session(con, username, now, data.settings())
    st.session_state[SESSION_KEY] = {"username": username, "token": token}


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
    found = _lookup(data.settings(), clock())
    return found.account.role if found is not None and found.problem is None else None


def require(user: User, roles: tuple[str, ...] | None) -> None:
    if roles is not None and user.role not in roles:
        st.error(
            f"이 화면은 {', '.join(roles)} 권한이 있어야 볼 수 있습니다. (현재 권한: {user.role})",
            icon=":material/block:",
        )
        st.stop()


@dataclass(frozen=True)
class _Found:
    token: str
    digest: str
    session: accounts.Session | None
    account: accounts.Account | None
    problem: str | None  # why it does not sign in (Korean), None when it does
    from_cookie: bool


def _lookup(settings, now: datetime) -> _Found | None:
    """The token this run would use (the session's own, else the browser's cookie), checked against
    the database and the [auth] rules."""
    state = st.session_state.get(SESSION_KEY)
    token, from_cookie = (state.get("token"), False) if state else (_cookie_token(), True)
    if not token:
        return None
    digest = accounts.token_hash(token, settings.secret_key())
    session = data.run_current(accounts.find_session, digest)
    problem = accounts.session_problem(session, now, settings, _uses().get(digest))
    account = None if problem else data.run_current(accounts.get_account, session.username)
    if problem is None and (account is None or not account.active):
        problem = "계정이 없거나 사용 중지되었습니다. 관리자에게 문의하세요."
    return _Found(token, digest, session, account, problem, from_cookie)


def _cookie_token() -> str | None:
    token = st.context.cookies.get(COOKIE)
    if (
        not isinstance(token, str)
        or not _TOKEN_SHAPE.fullmatch(token)
        or token in st.session_state.get(ENDED_KEY, ())
    ):
        return None
    return token


def _session_user(settings, now: datetime) -> User | None:
    found = _lookup(settings, now)
    if found is None:
        return None
    if found.problem is not None:
        _end_session(found.token, found.problem)
        if _sso_email():
            st.logout()  # otherwise single sign-on would sign the expired session straight back in
        return None
    acc = found.account
    if found.from_cookie:
        st.session_state[SESSION_KEY] = {"username": acc.username, "token": found.token}
    _used(found, now, settings)
    return User(acc.username, acc.role, acc.department)


_USES_LOCK = threading.Lock()


@st.cache_resource(show_spinner=False)
def _uses() -> dict[str, datetime]:
    """Token hash → the latest use this server process has seen. The database's last_seen is written
    only every quarter of the idle limit: each write changes the data version and so empties every
    session's cached query results."""
    return {}


def _used(found: _Found, now: datetime, settings) -> None:
    idle = timedelta(minutes=accounts.rules(settings)["idle_timeout_minutes"])
    uses = _uses()
    with _USES_LOCK:
        uses[found.digest] = now
        if len(uses) > 1000:
            for digest in [d for d, t in uses.items() if now - t > idle]:
                del uses[digest]
    if now - found.session.last_seen >= max(idle / 4, timedelta(minutes=1)):
        try:  # kept for a restarted server; a busy database only delays it
            with data.bookkeeping() as con:
                accounts.touch_session(con, found.digest, now)
        except DatabaseBusy:
            pass


def _end_session(token: str | None, notice: str | None) -> None:
    st.session_state.pop(SESSION_KEY, None)
    if token:
        st.session_state[ENDED_KEY] = [*st.session_state.get(ENDED_KEY, [])[-4:], token]
    if notice:
        st.session_state[NOTICE_KEY] = notice


def _cookie_path() -> str:
    """The app's path on the server (server.baseUrlPath), so the cookie goes to no other app on the host."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if re.fullmatch(r"[A-Za-z0-9._~/-]+", base) else "/"


def _keep_in_browser(token: str) -> None:
    """Give the browser the token as a cookie, for its next connections (a refresh, a new tab): sent
    only by this site's own pages (SameSite=Strict: another site's page cannot open a connection
    with it), Secure under https, gone when the browser closes."""
    if not _TOKEN_SHAPE.fullmatch(token) or st.context.cookies.get(COOKIE) == token:
        return  # this connection already came with it
    st.html(
        f"""<script>document.cookie = "{COOKIE}={token}; Path={_cookie_path()}; SameSite=Strict"
        + (location.protocol === "https:" ? "; Secure" : "");</script>""",
        unsafe_allow_javascript=True,
    )


def _forget_in_browser(tokens: list[str]) -> None:
    """Delete the cookie if it still holds an ended token (not a newer sign-in from another tab)."""
    ended = [t for t in tokens if _TOKEN_SHAPE.fullmatch(t)]
    if ended:
        st.html(
            f"""<script>if ({ended!r}.some(t => document.cookie.split("; ").includes("{COOKIE}=" + t)))
            document.cookie = "{COOKIE}=; Path={_cookie_path()}; Max-Age=0; SameSite=Strict";</script>""",
            unsafe_allow_javascript=True,
        )


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
    acc = data.run_current(accounts.account_by_email, email)
    if acc is None or not acc.active:
        st.error(
            f"SSO 계정 {email} 은(는) 이 대시보드에 등록되어 있지 않습니다. 관리자에게 계정 등록을 요청하세요."
        )
        st.button("SSO 로그아웃", on_click=st.logout)
        st.stop()
    with data.bookkeeping() as con:
        accounts.record_sso_login(con, acc.username, email, now)
        sign_in(acc.username, now, con)
    st.rerun()  # the router builds the menu before sign-in; run again so it lists the role's pages


def _sign_in_screen(settings) -> None:
    st.title("CCM 성과 대시보드")
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.warning(notice, icon=":material/logout:")
    if data.run_current(accounts.user_count) == 0:
        _first_admin_form(settings)
    else:
        _login_form(settings)
    _forget_in_browser(st.session_state.get(ENDED_KEY, []))


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
            with data.bookkeeping() as con:
                acc = accounts.authenticate(con, username, password, now, settings)
                sign_in(acc.username, now, con)
        except (accounts.AuthError, DatabaseBusy) as exc:
            st.error(str(exc), icon=":material/error:")
            return
        st.rerun()


def _first_admin_form(settings) -> None:
    st.subheader("첫 관리자 만들기")
    st.info(
        "아직 사용자가 없습니다. 이 대시보드를 관리할 첫 관리자 계정을 만드세요. "
        "(서버에서 `python -m etl users add 이름 --role 관리자` 로도 만들 수 있습니다.)"
    )
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
            sign_in(acc.username, con=con)
    except (accounts.AuthError, DatabaseBusy) as exc:
        st.error(str(exc), icon=":material/error:")
        return
    st.rerun()


def _account_box(user: User) -> None:
    with st.sidebar:
        dept = f" · {md(user.department)}" if user.department else ""
        st.caption(f":material/person: {md(user.username)} ({md(user.role)}{dept})")
        st.button(
            "로그아웃", key="auth_logout", on_click=_logout, args=(user.username,), icon=":material/logout:"
        )
        _keep_in_browser(st.session_state[SESSION_KEY]["token"])


def _logout(username: str) -> None:
    """End the session everywhere its token went (this tab, its refreshes, the print view's tab)."""
    token = (st.session_state.get(SESSION_KEY) or {}).get("token")
    now = clock()
    with data.bookkeeping() as con, transaction(con):
        audit.record(con, username, "logout", "", at=now)
        if token:
            accounts.revoke_session(
                con, accounts.token_hash(token, data.settings().secret_key()), now, "logout"
            )
    _end_session(token, "로그아웃했습니다.")
    if _sso_email():
        st.logout()


def audit_upload(kind: str, file_name: str, summary: str = "") -> None:
    """One call in each upload flow after its loader returns: who uploaded which file, with what result."""
    state = st.session_state.get(SESSION_KEY) or {}
    with data.bookkeeping() as con:
        audit.record(con, state.get("username"), "upload", f"{kind}: {file_name} {summary}".strip())


def audit_export(name: str, rows: int, fmt: str) -> None:
    """Download callback: record an item-level export (who, which table, how many rows, format)."""
    state = st.session_state.get(SESSION_KEY) or {}
    with data.bookkeeping() as con:
        audit.record(con, state.get("username"), "export", f"{name} ({rows}행, {fmt})")
