"""The 30-second answer first: the KPI page opens with the counts of 달성/주의/미달 and the off-track
list (shortfall, since which month, the department's 비고) above everything else, its Excel button
at the top, changes of rates in %p; and no page shows None, nan, TRUE/FALSE or English identifiers."""

from __future__ import annotations

import json

import pytest

from etl import kpi as kpi_etl
from tests.support import page_text
from tests.support.kpi_workbooks import kpi_row, write_workbook

KPI = "pages/kpi.py"
NOTE = "지역 행사 취소로 보도자료 배포 지연"


def _month_values(values: list[float]) -> dict[int, float]:
    return {m: v for m, v in enumerate(values, start=1)}


@pytest.fixture
def kpis(env, tmp_path):
    """문화사업팀, reviewed at October 2026 (now 2026-11-25; October is the last complete month):
    - 보도자료 배포: 12 a year, 1 in January and February and none since → 2 of 10 by October = 20% 미달,
      achieved in February (2 of 2), off track since March; 비고 entered with September's 0;
    - SNS 게시: 120 a year, 10 a month → 100 of 100 = 100% 달성;
    - 친절 교육: 120 a year, 9.5 a month → 95 of 100 = 95% 주의 since January."""
    defs = [
        kpi_row("문화사업팀", "보도자료 배포", target=12),
        kpi_row("문화사업팀", "SNS 게시", target=120),
        kpi_row("문화사업팀", "친절 교육", unit="회", target=120),
    ]
    press = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    actuals = [
        [2026, m, "문화사업팀", "보도자료 배포", v, NOTE if m == 9 else None]
        for m, v in _month_values(press).items()
    ]
    actuals += [[2026, m, "문화사업팀", "SNS 게시", 10, None] for m in range(1, 11)]
    actuals += [[2026, m, "문화사업팀", "친절 교육", 9.5, None] for m in range(1, 11)]
    assert kpi_etl.load(write_workbook(tmp_path / "kpi.xlsx", defs, actuals), env.db_path, env).ok
    return env


def _in_order(node, out=None) -> list:
    """The page's elements top to bottom (AppTest keeps them in a tree of blocks)."""
    out = [] if out is None else out
    children = getattr(node, "children", None)
    if children is None:
        out.append(node)
        return out
    for child in children.values():
        _in_order(child, out)
    return out


def test_kpi_page_opens_with_status_counts_and_the_off_track_list(kpis, app_test):
    at = app_test(KPI).run()
    assert not at.exception
    assert at.selectbox(key="kpi_month").value == (2026, 10)
    metrics = {m.label: m for m in at.metric}
    assert [metrics[f"{s} KPI"].value for s in ("달성", "주의", "미달")] == ["1개", "1개", "1개"]
    assert metrics["미달 KPI"].delta == "0개"  # September: the same three states
    order = [
        e for e in _in_order(at.main) if e.type in ("metric", "subheader", "dataframe", "download_button")
    ]
    kinds = [e.type for e in order]
    first_table = kinds.index("dataframe")
    assert kinds[0] == "download_button" and order[0].label == "KPI 검토 자료 Excel"
    assert kinds[1:5] == ["metric"] * 4  # 달성, 주의, 미달, 기관 점수
    assert order[first_table - 1].value == "미달·주의 KPI"
    assert all(e.type != "subheader" for e in order[: first_table - 1])


def test_off_track_list_says_shortfall_since_when_and_the_departments_note(kpis, app_test):
    at = app_test(KPI).run()
    off = next(d.value for d in at.dataframe if "언제부터" in d.value.columns).set_index("지표")
    assert list(off.index) == ["보도자료 배포", "친절 교육"]  # worst first
    press = off.loc["보도자료 배포"]
    assert (press["상태"], press["달성률"], press["부족분"]) == ("미달", 0.2, "8건")
    assert press["언제부터"] == "2026년 3월부터 (8개월째)"
    assert press["부서 비고"] == f"9월: {NOTE}"
    training = off.loc["친절 교육"]
    assert (training["상태"], training["부족분"], training["언제부터"]) == (
        "주의",
        "5회",
        "2026년 1월부터 (10개월째)",
    )


def test_changes_of_attainment_are_in_percentage_points(kpis, app_test):
    """보도자료 배포: September 2 of 9 = 22.2%, October 2 of 10 = 20.0% → −2.2%p."""
    at = app_test(KPI).run()
    table = next(d for d in at.dataframe if "달성률 변화" in d.value.columns)
    row = table.value.set_index("지표").loc["보도자료 배포"]
    assert row["달성률 변화"] == pytest.approx(-2.2, abs=1e-9)
    config = json.loads(table.proto.columns)
    assert config["달성률 변화"]["type_config"]["format"].endswith("%%p")
    assert any("%p" in c.value for c in at.caption)


def test_the_organisation_score_shows_its_change_and_target(kpis, app_test):
    """One department, weights 10 each: (20% + 100% + 95%) ÷ 3 = 71.7%; September (22.2%, 100%, 95%) = 72.4%."""
    at = app_test(KPI).run()
    score = next(m for m in at.metric if m.label == "기관 점수")
    assert score.value == "71.7%" and score.delta == "-0.7%p"
    assert any("목표 100.0% · 미달" in c.value for c in at.caption)


PAGES = [
    "pages/overview.py",
    "pages/kpi.py",
    "pages/sla.py",
    "pages/ranking.py",
    "pages/pcsi.py",
    "pages/trends.py",
    "pages/report.py",
    "pages/meeting.py",
    "pages/admin.py",
    "pages/upload.py",
]


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_every_page_speaks_korean_on_the_demo(demo_env, app_test, page):
    at = app_test(page).run()
    assert not at.exception
    assert page_text.problems(at, page_text.account_names(demo_env.db_path)) == []
