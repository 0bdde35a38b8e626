"""Each role sees exactly what it should on the real pages with the demo data (AppTest, direct page runs)."""

import pytest
from streamlit.proto.Navigation_pb2 import Navigation
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.local_script_runner import LocalScriptRunner

from ccm import auth, db
from ccm.settings import ROOT
from tests.support.accounts import sign_in
from ui.nav import SECTIONS

DATA_PAGES = [
    "pages/overview.py",
    "pages/sla.py",
    "pages/trends.py",
    "pages/kpi.py",
    "pages/pcsi.py",
    "pages/ranking.py",
    "pages/report.py",
    "pages/meeting.py",
]


def _text_columns(settings) -> set[str]:
    return set(settings["auth"]["item_text_columns"])


def _frames(at):
    return [d.value for d in at.dataframe]


@pytest.mark.parametrize("page", DATA_PAGES)
def test_view_only_role_sees_no_item_texts(app_test, demo_env, page):
    at = app_test(page, role="열람").run()
    assert not at.exception
    leaked = {c for df in _frames(at) for c in map(str, df.columns)} & _text_columns(demo_env)
    assert not leaked, f"{page} shows item-text columns to 열람: {leaked}"


@pytest.mark.parametrize("page", ["pages/sla.py", "pages/pcsi.py"])
def test_analyst_sees_item_texts(app_test, demo_env, page):
    at = app_test(page, role="분석").run()
    shown = {c for df in _frames(at) for c in map(str, df.columns)}
    assert shown & _text_columns(demo_env), f"{page} shows no item texts to 분석"


@pytest.mark.parametrize("page", ["pages/sla.py", "pages/trends.py", "pages/report.py"])
def test_department_role_sees_only_its_own_department(app_test, demo_env, page):
    at = app_test(page, role="부서", department="관광사업팀").run()
    assert not at.exception
    dept_values = {
        str(v) for df in _frames(at) if "부서" in df.columns and len(df) for v in df["부서"].dropna()
    }
    assert dept_values <= {"관광사업팀"}, (
        f"{page} shows other departments to 부서: {dept_values - {'관광사업팀'}}"
    )


def test_sso_identity_maps_to_the_local_account(env):
    with db.session(env.db_path) as con:
        auth.create_user(con, "hong", "분석", None, None, settings=env, oidc_email="Hong@Corp.example")
        assert auth.account_by_email(con, "hong@corp.example").username == "hong"
        assert auth.account_by_email(con, "stranger@corp.example") is None


@pytest.mark.parametrize(
    "role,hidden",
    [
        ("관리자", set()),
        ("분석", {"관리"}),
        ("열람", {"관리", "데이터 올리기"}),
        ("부서", {"관리", "반기 VOC 보고서", "회의 화면"}),
        (None, {title for entries in SECTIONS.values() for _, title, _ in entries}),
    ],
)
def test_the_menu_lists_only_the_pages_a_role_may_open(role, hidden):
    from ui import nav

    titles = [title for entries in nav.SECTIONS.values() for _, title, _ in entries]
    listed = dict(zip(titles, (p.visibility for section in nav.pages(role).values() for p in section)))
    assert len(listed) == 13  # ten pages and the CCM loop's three (개선과제, 전화친절도, 교육 이수)
    assert {title for title, v in listed.items() if v == "hidden"} == hidden


@pytest.fixture
def sent(monkeypatch):
    """The messages the last AppTest run sent to the browser (the menu is one, not an element)."""
    msgs: list = []
    real = LocalScriptRunner.forward_msgs

    def capture(self):
        msgs[:] = real(self)
        return msgs

    monkeypatch.setattr(LocalScriptRunner, "forward_msgs", capture)
    return msgs


def _menu(msgs) -> tuple[int, list[str]]:
    """The navigation message's position and the titles it shows (hidden pages left out)."""
    nav = [m.navigation for m in msgs if m.HasField("navigation")][-1]
    return nav.position, [p.page_name for p in nav.app_pages if not p.is_hidden]


def test_signed_out_visitor_gets_no_page_list(env, sent):
    with db.session(env.db_path) as con:
        auth.create_user(con, "kim", "분석", None, "correct-horse", settings=env)
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30).run()
    assert not at.exception and [s.value for s in at.subheader] == ["로그인"]
    position, shown = _menu(sent)
    assert position == Navigation.Position.HIDDEN and shown == []


def test_signed_in_administrator_gets_the_page_list_with_admin(env, sent):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30)
    sign_in(at, env, "관리자")
    at.run()
    assert not at.exception
    position, shown = _menu(sent)
    assert position == Navigation.Position.SIDEBAR and "관리" in shown and "개요" in shown
