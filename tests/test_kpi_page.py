"""The KPI page (CCO monthly review) and the KPI upload tab, run as the real app."""

from __future__ import annotations

from ccm import db
from tests.support.kpi_workbooks import kpi_row, monthly, write_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_kpi_page_on_empty_database(app_test):
    at = app_test("pages/kpi.py").run()
    assert not at.exception
    assert any("아직 KPI가 없습니다" in i.value for i in at.info)


def test_kpi_page_on_demo_shows_goals_scorecard_and_review(demo_env, app_test):
    at = app_test("pages/kpi.py").run()
    assert not at.exception
    assert at.selectbox(key="kpi_month").value == (2026, 10)  # the last complete month (now is 2026-11-25)
    assert {"고객만족도", "사업수지", "사회공헌실적", "안전사고"} <= {m.label for m in at.metric}
    heads = {h.value for h in at.subheader}
    assert {
        "경영목표",
        "스코어카드 (부서 × 지표)",
        "지난달 대비 변화",
        "미달·주의 KPI",
        "자동 실적의 근거",
    } <= heads
    assert at.get("download_button"), "review Excel download"
    off = [d.value for d in at.dataframe if "언제부터" in d.value.columns]
    assert off and (off[0]["달성률"] < 1).all()
    pivot = [d.value for d in at.dataframe if "농특산물홍보팀" in d.value.columns][0]
    late = pivot["농특산물홍보팀"][pivot["농특산물홍보팀"] != ""]
    assert late.str.endswith("*").any(), "the demo's 농특산물홍보팀 has not entered the latest month"


def test_kpi_page_earlier_month_and_trend_pick(demo_env, app_test):
    at = app_test("pages/kpi.py").run()
    at.selectbox(key="kpi_month").set_value((2025, 6)).run()
    assert not at.exception
    pick = at.selectbox(key="kpi_trend_pick")
    pick.set_value(pick.options and ("혁신안전팀", "오프라인 소통노력")).run()
    assert not at.exception
    trend = [d.value for d in at.dataframe if "목표 경로" in d.value.columns]
    assert trend and list(trend[0]["월"]) == list(range(1, 7))


def test_viewer_sees_aggregates_only_in_the_drilldown(demo_env, app_test):
    at = app_test("pages/kpi.py", role="열람").run()
    assert not at.exception
    frames = [d.value for d in at.dataframe]
    assert not any("제목" in f.columns for f in frames)


def test_department_user_sees_own_department_only(demo_env, app_test):
    at = app_test("pages/kpi.py", role="부서", department="문화사업팀").run()
    assert not at.exception
    detail = [d.value for d in at.dataframe if "목표까지 부족분" in d.value.columns]
    assert detail and set(detail[0]["부서"]) == {"문화사업팀"}


def _upload(at, path):
    at.file_uploader(key="kpi_upload").set_value((path.name, path.read_bytes(), XLSX)).run()
    at.button(key="kpi_load").click().run()
    return at


def test_upload_tab_offers_the_template_and_loads_a_workbook(app_test, env, tmp_path):
    at = app_test("pages/upload.py").run()
    assert not at.exception
    assert any(b.label.endswith("KPI 서식 내려받기") for b in at.get("download_button"))
    path = write_workbook(
        tmp_path / "kpi.xlsx",
        [kpi_row("문화사업팀", "보도자료 배포", target=12)],
        monthly(2026, "문화사업팀", "보도자료 배포", {1: 1, 2: 2}),
    )
    _upload(at, path)
    assert not at.exception
    assert any("적재했습니다" in s.value for s in at.success)
    with db.session(env.db_path) as con:
        assert con.execute("SELECT sum(actual) FROM kpi_actuals").fetchone()[0] == 3


def test_upload_tab_reports_rejects_and_stores_nothing(app_test, env, tmp_path):
    at = app_test("pages/upload.py").run()
    path = write_workbook(
        tmp_path / "bad.xlsx", [kpi_row("기획예산팀", "보도자료 배포", target="열두 건")], []
    )
    _upload(at, path)
    assert not at.exception
    assert any("아무것도 저장하지 않았습니다" in e.value for e in at.error)
    rejects = [d.value for d in at.dataframe if "사유" in d.value.columns][0]
    assert {"부서", "연간목표"} <= set(rejects["열"])
    with db.session(env.db_path) as con:
        assert con.execute("SELECT count(*) FROM kpi_definitions").fetchone()[0] == 0
