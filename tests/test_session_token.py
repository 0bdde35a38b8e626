"""Sign-in sessions: a random token the browser keeps (cookie), a keyed hash of it in the database, checked
on every run against the [auth] idle and absolute limits, revoked at logout, password change and when an
account is disabled. Pure functions on a real DuckDB first, then real pages through AppTest (the browser's
cookie is given to the page the way Streamlit reads it, `st.context.cookies`)."""

from datetime import datetime, timedelta

import pytest
from streamlit.runtime.context import ContextProxy, StreamlitCookies
from streamlit.testing.v1 import AppTest

from ccm import audit, auth, db
from ccm.settings import ROOT
from tests.support.accounts import TEST_PASSWORD, ensure_account
from ui.auth import COOKIE, NOTICE_KEY, SESSION_KEY, clock

T0 = datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def con(env):
    with db.session(env.db_path) as c:
        auth.create_user(c, "kim", "분석", None, "correct-horse", settings=env)
        auth.create_user(c, "lee", "열람", None, "another-horse", settings=env)
        yield c


def _session(con, env, token: str) -> auth.Session | None:
    return auth.find_session(con, auth.token_hash(token, env.secret_key()))


# ---- ccm.auth: the store and the rules -----------------------------------------------------------------
def test_the_token_is_random_256_bits_and_the_database_keeps_only_its_keyed_hash(con, env):
    tokens = [auth.create_session(con, "kim", T0, env) for _ in range(3)]
    assert len(set(tokens)) == 3 and all(len(t) == 43 for t in tokens)  # 32 bytes, URL-safe base64
    stored = con.execute("SELECT * FROM sessions").fetchall()
    assert not any(t in str(cell) for t in tokens for row in stored for cell in row)
    assert {row[0] for row in stored} == {auth.token_hash(t, env.secret_key()) for t in tokens}
    assert auth.find_session(con, auth.token_hash(tokens[0], b"another server's key" * 2)) is None


def test_a_new_session_is_good_and_records_user_and_times(con, env):
    s = _session(con, env, auth.create_session(con, "kim", T0, env))
    hours = auth.rules(env)["max_session_hours"]
    assert (s.username, s.created_at, s.last_seen, s.expires_at) == (
        "kim",
        T0,
        T0,
        T0 + timedelta(hours=hours),
    )
    assert auth.session_problem(s, T0 + timedelta(minutes=5), env) is None


def test_an_idle_session_expires_unless_a_later_use_is_known(con, env):
    s = _session(con, env, auth.create_session(con, "kim", T0, env))
    late = T0 + timedelta(minutes=auth.rules(env)["idle_timeout_minutes"] + 1)
    assert "사용하지 않아" in auth.session_problem(s, late, env)
    assert auth.session_problem(s, late, env, last_seen=late - timedelta(minutes=5)) is None


def test_a_session_expires_after_max_hours_however_busy(con, env):
    s = _session(con, env, auth.create_session(con, "kim", T0, env))
    end = T0 + timedelta(hours=auth.rules(env)["max_session_hours"])
    assert "시간이 지나" in auth.session_problem(s, end + timedelta(minutes=1), env, last_seen=end)


def test_touch_keeps_the_latest_use(con, env):
    token = auth.create_session(con, "kim", T0, env)
    digest = auth.token_hash(token, env.secret_key())
    auth.touch_session(con, digest, T0 + timedelta(minutes=30))
    auth.touch_session(con, digest, T0 + timedelta(minutes=10))  # a late writer must not move it back
    assert _session(con, env, token).last_seen == T0 + timedelta(minutes=30)


def test_logout_revokes_only_that_token(con, env):
    mine, other_tab = auth.create_session(con, "kim", T0, env), auth.create_session(con, "kim", T0, env)
    auth.revoke_session(con, auth.token_hash(mine, env.secret_key()), T0, "logout")
    assert auth.session_problem(_session(con, env, mine), T0, env) == "로그아웃했습니다."
    assert auth.session_problem(_session(con, env, other_tab), T0, env) is None


def test_a_password_change_revokes_every_session_of_that_account(con, env):
    kim = [auth.create_session(con, "kim", T0, env) for _ in range(2)]
    lee = auth.create_session(con, "lee", T0, env)
    auth.set_password(con, "kim", "a-new-password", settings=env, by="admin", now=T0 + timedelta(minutes=1))
    assert all("비밀번호가 바뀌어" in auth.session_problem(_session(con, env, t), T0, env) for t in kim)
    assert auth.session_problem(_session(con, env, lee), T0, env) is None
    assert audit.query(con, actions=("password_change",))["상세"].tolist() == ["kim"]


def test_disabling_an_account_revokes_its_sessions(con, env):
    token = auth.create_session(con, "lee", T0, env)
    auth.update_user(con, "lee", role="열람", department=None, active=False, settings=env, by="kim", now=T0)
    assert "사용 중지" in auth.session_problem(_session(con, env, token), T0, env)


def test_an_unknown_token_is_refused(con, env):
    assert "다시 로그인" in auth.session_problem(_session(con, env, "x" * 43), T0, env)


def test_sessions_past_their_absolute_limit_are_deleted_at_the_next_sign_in(con, env):
    old = auth.create_session(con, "kim", T0, env)
    auth.create_session(
        con, "lee", T0 + timedelta(hours=auth.rules(env)["max_session_hours"], minutes=1), env
    )
    assert _session(con, env, old) is None
    assert con.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1


# ---- pages: the token on every run ---------------------------------------------------------------------
PAGE = "pages/overview.py"


def _page() -> AppTest:
    return AppTest.from_file(str(ROOT / PAGE), default_timeout=30)


def _signed_in(at: AppTest) -> bool:
    return any(b.key == "auth_logout" for b in at.sidebar.button) and "로그인" not in [
        s.value for s in at.subheader
    ]


def _scripts(at: AppTest) -> str:
    return " ".join(h.proto.body for h in at.html)


@pytest.fixture
def browser_cookie(monkeypatch):
    """What the browser sends with its connection: Streamlit reads it as st.context.cookies."""
    jar: dict[str, str] = {}
    monkeypatch.setattr(ContextProxy, "cookies", property(lambda self: StreamlitCookies(jar)))
    return jar


def test_a_valid_token_signs_the_page_in(app_test):
    at = app_test(PAGE, role="분석").run()
    assert not at.exception and _signed_in(at)


def test_an_expired_token_is_refused_with_the_reason(app_test, env):
    at = app_test(PAGE, role="분석")
    hours = auth.rules(env)["max_session_hours"]
    with db.session(env.db_path) as c:
        c.execute(
            "UPDATE sessions SET created_at = ?, expires_at = ?",
            [clock() - timedelta(hours=hours, minutes=1), clock() - timedelta(minutes=1)],
        )
    at.run()
    assert not _signed_in(at) and "시간이 지나" in at.warning[0].value
    assert SESSION_KEY not in at.session_state


def test_a_revoked_token_is_refused(app_test, env):
    at = app_test(PAGE, role="분석").run()
    token = at.session_state[SESSION_KEY]["token"]
    with db.session(env.db_path) as c:
        auth.revoke_session(c, auth.token_hash(token, env.secret_key()), clock(), "logout")
    at.run()
    assert not _signed_in(at) and [s.value for s in at.subheader] == ["로그인"]


def test_a_password_change_elsewhere_signs_the_open_page_out(app_test, env):
    at = app_test(PAGE, role="분석").run()
    assert _signed_in(at)
    with db.session(env.db_path) as c:
        auth.set_password(c, "test-분석", "changed-by-admin", settings=env, by="admin")
    at.run()
    assert not _signed_in(at) and "비밀번호가 바뀌어" in at.warning[0].value


def test_the_login_form_creates_a_session_and_hands_its_token_to_the_browser(env):
    ensure_account(env, "kim", "분석", None)
    at = _page().run()
    at.text_input(key="login_username").input("kim")
    at.text_input(key="login_password").input(TEST_PASSWORD)
    at.button[0].click().run()
    token = at.session_state[SESSION_KEY]["token"]
    assert _signed_in(at) and f"{COOKIE}={token}; Path=/; SameSite=Strict" in _scripts(at)
    assert TEST_PASSWORD not in _scripts(at)
    with db.session(env.db_path) as c:
        assert auth.find_session(c, auth.token_hash(token, env.secret_key())).username == "kim"
        assert audit.query(c, actions=("login",))["사용자"].tolist() == ["kim"]


def test_logout_revokes_the_token_clears_the_cookie_and_is_audited(app_test, env, browser_cookie):
    at = app_test(PAGE, role="분석").run()
    token = browser_cookie[COOKIE] = at.session_state[SESSION_KEY]["token"]
    at.sidebar.button(key="auth_logout").click().run()
    assert not _signed_in(at)
    assert f'"{COOKIE}=" + t' in _scripts(at) and token in _scripts(at) and "Max-Age=0" in _scripts(at)
    with db.session(env.db_path) as c:
        assert auth.find_session(c, auth.token_hash(token, env.secret_key())).revoked_reason == "logout"
        assert audit.query(c, actions=("logout",))["사용자"].tolist() == ["test-분석"]
    at.run()  # the connection still sends the old cookie: it is not taken again, nor reported again
    assert not _signed_in(at) and not at.warning


def test_the_browsers_cookie_signs_a_new_tab_in_without_sending_the_token_back(env, browser_cookie):
    ensure_account(env, "kim", "분석", None)
    with db.session(env.db_path) as c:
        browser_cookie[COOKIE] = auth.create_session(c, "kim", clock(), env)
    at = _page().run()
    assert not at.exception and _signed_in(at)
    assert at.session_state[SESSION_KEY] == {"username": "kim", "token": browser_cookie[COOKIE]}
    assert browser_cookie[COOKIE] not in _scripts(at)  # the browser has it already


@pytest.mark.parametrize("cookie", ["not-a-token", "x" * 43, "'; DROP TABLE sessions; --" + "a" * 20])
def test_a_forged_or_unknown_cookie_gets_the_login_form(env, browser_cookie, cookie):
    ensure_account(env, "kim", "분석", None)
    browser_cookie[COOKIE] = cookie
    at = _page().run()
    assert not at.exception and [s.value for s in at.subheader] == ["로그인"]


def test_a_cookie_of_an_idle_session_is_refused_with_the_reason(env, browser_cookie):
    ensure_account(env, "kim", "분석", None)
    idle = timedelta(minutes=auth.rules(env)["idle_timeout_minutes"] + 1)
    with db.session(env.db_path) as c:
        browser_cookie[COOKIE] = auth.create_session(c, "kim", clock() - idle, env)
    at = _page().run()
    assert not _signed_in(at) and "사용하지 않아" in at.warning[0].value
    assert NOTICE_KEY not in at.session_state  # shown once


def test_a_disabled_accounts_cookie_is_refused(env, browser_cookie):
    ensure_account(env, "kim", "분석", None)
    ensure_account(env, "boss", "관리자", None)
    with db.session(env.db_path) as c:
        browser_cookie[COOKIE] = auth.create_session(c, "kim", clock(), env)
        auth.update_user(c, "kim", role="분석", department=None, active=False, settings=env, by="boss")
    at = _page().run()
    assert not _signed_in(at) and "사용 중지" in at.warning[0].value


def test_clicks_do_not_write_the_session_every_time(app_test, env):
    at = app_test(PAGE, role="분석")  # a write would change the data version and empty every cached query
    with db.session(env.db_path) as c:
        stored = c.execute("SELECT last_seen FROM sessions").fetchone()[0]
    at.run()
    at.run()
    with db.session(env.db_path) as c:
        assert c.execute("SELECT last_seen FROM sessions").fetchone()[0] == stored


def test_a_use_the_server_remembers_counts_though_the_stored_one_lags_and_is_written_back(app_test, env):
    at = app_test(PAGE, role="분석").run()  # this use is remembered by the server process
    idle = timedelta(minutes=auth.rules(env)["idle_timeout_minutes"])
    with db.session(env.db_path) as c:  # the stored last use is written only now and then
        c.execute("UPDATE sessions SET last_seen = ?", [clock() - idle - timedelta(minutes=1)])
    at.run()
    assert _signed_in(at)
    with db.session(env.db_path) as c:
        assert clock() - c.execute("SELECT last_seen FROM sessions").fetchone()[0] < timedelta(minutes=1)


def test_a_sign_in_counts_once_in_the_audit_however_many_tabs_use_it(env, browser_cookie):
    ensure_account(env, "kim", "분석", None)
    with db.session(env.db_path) as c:
        browser_cookie[COOKIE] = auth.create_session(c, "kim", clock(), env)
    for _ in range(2):
        assert _signed_in(_page().run())
    with db.session(env.db_path) as c:
        assert audit.query(c, actions=("login", "logout")).empty
