"""AppTest runs of the ranking page, the report page (generate + download, print view) and the meeting view."""

from __future__ import annotations

import io

import openpyxl

from ccm import db, ranking
from ccm.period import period
from tests.support.constants import NOW_AT as NOW


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [s.value for s in at.success] + [s.value for s in at.subheader] + [t.value for t in at.title]
    return "\n".join(str(p) for p in parts)


# --- ranking ---------------------------------------------------------------------------------


def _year_filters(at, year: int = 2026):
    at.session_state["flt_kind"] = "year"
    at.session_state["flt_year"] = year
    return at


def test_ranking_page_on_demo_shows_ranking_awards_and_formula(demo_env, app_test):
    at = _year_filters(app_test("pages/ranking.py")).run()
    assert not at.exception
    body = texts(at)
    assert "순위" in body and "종합점수 = Σ(적용 가중치 × 구성요소 점수)" in body
    assert "우수부서" in body
    assert len(at.number_input) == len(ranking.config_from_settings(demo_env).components)
    frame = at.dataframe[0].value
    assert list(frame["순위"].dropna()) == list(range(1, frame["순위"].notna().sum() + 1))


def test_ranking_page_weight_change_shows_moved_ranks(demo_env, app_test):
    at = _year_filters(app_test("pages/ranking.py")).run()
    for ni in at.number_input:
        ni.set_value(0.0)
    at.number_input(key="rk_w_praise").set_value(100.0).run()
    assert not at.exception
    cfg = ranking.config_from_settings(demo_env)
    praise_only = cfg.with_weights({c.key: 1.0 if c.key == "praise" else 0.0 for c in cfg.components})
    with db.session(demo_env.db_path) as con:
        out = ranking.evaluate(con, period("year", 2026), NOW, cfg, tuple(demo_env.departments))
    expected = ranking.rank(out["inputs"], praise_only)
    moves = ranking.rank_changes(out["ranking"], expected).set_index("department")["moved"]
    shown = at.dataframe[0].value
    assert list(shown["부서"]) == list(expected["department"])
    assert list(expected["department"]) != list(out["ranking"]["department"]), "demo must move someone"
    for dept, arrow in zip(shown["부서"], shown["변동"]):
        m = moves[dept]
        assert arrow == ("–" if m == 0 else f"▲{m}" if m > 0 else f"▼{-m}")
    assert "기본 가중치 대비 순위 변동" in texts(at)


def test_ranking_page_on_empty_database(app_test):
    at = app_test("pages/ranking.py").run()
    assert not at.exception
    assert "점수를 매길 수 있는 부서가 없습니다" in texts(at)


def test_ranking_page_for_a_department_user_shows_only_its_row(demo_env, app_test):
    dept = demo_env.departments[1]
    at = _year_filters(app_test("pages/ranking.py", role="부서", department=dept)).run()
    assert not at.exception
    assert list(at.dataframe[0].value["부서"]) in ([dept], [])
    assert all(dept in s.value for s in at.success), "award candidates of other departments shown"


# --- report ----------------------------------------------------------------------------------


def test_report_page_generates_a_workbook_to_download(demo_env, app_test):
    at = app_test("pages/report.py").run()
    assert not at.exception
    at.selectbox(key="rp_year").set_value(2026)
    at.radio(key="rp_half").set_value(1)
    at.button(key="rp_generate").click().run()
    assert not at.exception
    assert "보고서가 준비되었습니다" in texts(at)
    buttons = [b for b in at.get("download_button") if "rp_download" in (b.proto.id or "")]
    assert buttons, "download button missing"
    wb = openpyxl.load_workbook(io.BytesIO(at.session_state["rp_file"]["bytes"]))
    assert wb.sheetnames[0] == "요약" and len(wb.sheetnames) == 13  # ten VOC sheets and three of the CCM loop
    assert wb["요약"]["A1"].value.endswith("2026년 상반기")
    faq_head = [c.value for c in wb["FAQ 후보"][4]]
    assert "예시 문의(개인정보 가림)" in faq_head
    summary = at.dataframe[0].value.set_index("지표")
    from ccm import voc_analytics as va

    with db.session(demo_env.db_path) as con:
        received = va.compliance_summary(con, period("half", 2026, 1))["received"]
    assert summary.loc["접수 건수", "2026년 상반기"] == f"{received:,}"


def test_report_for_the_viewer_role_leaves_out_item_texts(demo_env, app_test):
    at = app_test("pages/report.py", role="열람").run()
    at.button(key="rp_generate").click().run()
    assert not at.exception
    wb = openpyxl.load_workbook(io.BytesIO(at.session_state["rp_file"]["bytes"]))
    assert not any("예시" in str(c.value) for c in wb["FAQ 후보"][4])


def test_report_print_view_renders_a4_html(demo_env, app_test):
    at = app_test("pages/report.py")
    at.query_params["print"] = "1"
    at.query_params["year"] = "2025"
    at.query_params["half"] = "2"
    at.run()
    assert not at.exception
    html = "\n".join(h.proto.body for h in at.get("html"))
    assert "size: A4" in html and "반기별 VOC 분석 결과보고서 — 2025년 하반기" in html
    assert "Malgun Gothic" in html


def test_report_page_on_empty_database(app_test):
    at = app_test("pages/report.py").run()
    assert not at.exception
    assert "VOC 데이터가 없습니다" in texts(at)


def test_report_page_refuses_department_accounts(demo_env, app_test):
    at = app_test("pages/report.py", role="부서").run()
    assert not at.exception
    assert any("권한" in e.value for e in at.error)


# --- meeting ---------------------------------------------------------------------------------


def test_meeting_view_on_empty_database(app_test):
    at = app_test("pages/meeting.py").run()
    assert not at.exception
    assert "아직 데이터가 없습니다" in texts(at)
