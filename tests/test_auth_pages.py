"""Every page enforces sign-in and roles (AppTest runs the page file directly, as a deep link does)."""

from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from ccm import audit, auth, db
from ccm.settings import ROOT
from ui.auth import SESSION_KEY, clock

PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))
ADMIN_ONLY = ["pages/admin.py"]
UPLOAD_ROLES = ("관리자", "분석", "부서")


def _anonymous(page: str) -> AppTest:
    return AppTest.from_file(str(ROOT / page), default_timeout=30)


def _texts(at: AppTest) -> str:
    return " ".join(
        str(e.value)
        for kind in ("title", "subheader", "markdown", "error", "warning", "info")
        for e in getattr(at, kind)
    )


@pytest.fixture
def kim(env):
    with db.session(env.db_path) as con:
        auth.create_user(con, "kim", "분석", None, "correct-horse", settings=env)
    return "kim"


@pytest.mark.parametrize("page", PAGES)
def test_logged_out_page_shows_only_the_login_form(env, kim, page):
    at = _anonymous(page).run()
    assert not at.exception
    assert [s.value for s in at.subheader] == ["로그인"]
    assert len(at.text_input) == 2 and not at.dataframe and not at.metric


def test_empty_users_table_asks_for_the_first_administrator(env):
    at = _anonymous("pages/overview.py").run()
    assert [s.value for s in at.subheader] == ["첫 관리자 만들기"]


def _first_admin(password: str, confirm: str) -> AppTest:
    at = _anonymous("pages/overview.py").run()
    at.text_input(key="first_username").input("boss")
    at.text_input(key="first_password").input(password)
    at.text_input(key="first_confirm").input(confirm)
    return at.button[0].click().run()


def test_first_administrator_is_created_and_signed_in(env):
    at = _first_admin("a-long-password", "a-long-password")
    assert not at.exception and at.session_state[SESSION_KEY]["username"] == "boss"
    with db.session(env.db_path) as con:
        assert auth.get_account(con, "boss").role == "관리자"


def test_first_administrator_form_rejects_mismatched_confirmation(env):
    at = _first_admin("a-long-password", "another-password")
    assert "다릅니다" in at.error[0].value
    with db.session(env.db_path) as con:
        assert auth.user_count(con) == 0


def _login(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    return at


def test_login_with_the_right_password_shows_the_page(env, kim):
    at = _login(_anonymous("pages/overview.py").run(), "kim", "correct-horse")
    assert not at.exception and at.session_state[SESSION_KEY]["username"] == "kim"
    assert "로그인" not in [s.value for s in at.subheader]
    assert any("kim (분석)" in c.value for c in at.sidebar.caption)


def test_login_with_a_wrong_password_is_refused(env, kim):
    at = _login(_anonymous("pages/overview.py").run(), "kim", "wrong-password")
    assert "맞지 않습니다" in at.error[0].value and SESSION_KEY not in at.session_state


@pytest.mark.parametrize("role", ["분석", "열람", "부서"])
def test_admin_page_refuses_other_roles(app_test, role):
    at = app_test("pages/admin.py", role=role).run()
    assert not at.exception
    assert "관리자 권한이 있어야" in at.error[0].value


def test_upload_page_refuses_view_only_role(app_test):
    at = app_test("pages/upload.py", role="열람").run()
    assert any("권한이 있어야" in e.value for e in at.error)


@pytest.mark.parametrize("role", UPLOAD_ROLES)
def test_upload_page_admits_upload_roles(app_test, role):
    at = app_test("pages/upload.py", role=role).run()
    assert not at.exception and not any("권한이 있어야" in e.value for e in at.error)


def test_idle_session_expires_back_to_login(app_test, env):
    at = app_test("pages/overview.py", role="분석")
    idle = timedelta(minutes=auth.rules(env)["idle_timeout_minutes"] + 1)
    with db.session(env.db_path) as con:  # the session's last use, as the server stored it
        con.execute("UPDATE sessions SET last_seen = ?", [clock() - idle])
    at.run()
    assert [s.value for s in at.subheader] == ["로그인"]
    assert "사용하지 않아" in at.warning[0].value


def test_disabled_account_is_signed_out_at_the_next_run(app_test, env):
    at = app_test("pages/overview.py", role="분석").run()
    assert SESSION_KEY in at.session_state
    with db.session(env.db_path) as con:
        auth.update_user(con, "test-분석", role="분석", department=None, active=False, settings=env)
    at.run()
    assert [s.value for s in at.subheader] == ["로그인"] and SESSION_KEY not in at.session_state


def test_logout_ends_the_session_and_is_audited(app_test, env):
    at = app_test("pages/overview.py", role="분석").run()
    at.sidebar.button(key="auth_logout").click().run()
    assert [s.value for s in at.subheader] == ["로그인"]
    with db.session(env.db_path) as con:
        assert audit.query(con, actions=("logout",))["사용자"].tolist() == ["test-분석"]


def test_department_user_scope_is_forced_to_own_department(app_test, env):
    at = app_test("pages/overview.py", role="부서", department="관광사업팀")
    at.session_state["flt_depts"] = ["문화사업팀"]
    at.run()
    assert not at.exception
    assert not any(m.label == "부서" for m in at.sidebar.multiselect)
    assert any("부서: 관광사업팀" in c.value for c in at.sidebar.caption)


def test_department_user_cannot_upload_voc_exports(app_test):
    at = app_test("pages/upload.py", role="부서", department="관광사업팀").run()
    assert not at.exception
    assert not any(u.key == "voc_up_file" for u in at.file_uploader)
    assert any("관리자·분석 권한" in i.value for i in at.info)
