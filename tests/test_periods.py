"""Periods people mean: the last complete period by default, a running period marked with its day
count, headlines compared with the same span of the period before, charts inside the period."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from ccm.period import comparison, last_complete, period, running_note


@pytest.mark.parametrize(
    "kind, today, label",
    [
        ("month", date(2026, 12, 1), "2026년 11월"),  # on 1 December the month people mean is November
        ("month", date(2026, 11, 25), "2026년 10월"),
        ("month", date(2027, 1, 1), "2026년 12월"),
        ("half", date(2026, 11, 25), "2026년 상반기"),
        ("half", date(2027, 1, 1), "2026년 하반기"),
        ("year", date(2026, 11, 25), "2025년"),
        ("year", date(2027, 1, 1), "2026년"),
        ("quarter", date(2026, 4, 1), "2026년 1분기"),
    ],
)
def test_last_complete_period(kind, today, label):
    assert last_complete(kind, today).label == label


def test_data_ending_earlier_opens_on_the_period_holding_the_latest_data():
    assert last_complete("month", date(2026, 11, 25), latest=date(2025, 3, 17)).label == "2025년 3월"
    assert last_complete("month", date(2026, 11, 25), latest=date(2026, 11, 24)).label == "2026년 10월"


def test_a_running_period_is_marked_with_its_day_count():
    assert running_note(period("month", 2026, 11), date(2026, 11, 25)) == "진행 중 (25일째)"
    assert running_note(period("month", 2026, 11), date(2026, 11, 1)) == "진행 중 (1일째)"
    assert running_note(period("half", 2026, 2), date(2026, 11, 25)) == "진행 중 (148일째)"  # 31+31+30+31+25
    assert running_note(period("month", 2026, 10), date(2026, 11, 25)) == ""


def test_a_complete_period_is_compared_with_the_whole_period_before():
    prev = comparison(period("month", 2026, 10), date(2026, 11, 25))
    assert (prev.start, prev.end, prev.label) == (date(2026, 9, 1), date(2026, 10, 1), "전월")
    prev = comparison(period("year", 2025), date(2026, 11, 25))
    assert (prev.start, prev.end, prev.label) == (date(2024, 1, 1), date(2025, 1, 1), "전년")


def test_a_running_period_is_compared_with_the_same_days_of_the_period_before():
    prev = comparison(period("month", 2026, 11), date(2026, 11, 25))
    assert (prev.start, prev.end) == (date(2026, 10, 1), date(2026, 10, 26))
    assert prev.label == "전월 같은 기간(10월 1일~10월 25일)"
    prev = comparison(period("month", 2026, 3), date(2026, 3, 31))  # February has only 28 days
    assert (prev.start, prev.end) == (date(2026, 2, 1), date(2026, 3, 1))


def test_charts_stay_inside_a_half_year():
    h2 = period("half", 2026, 2)
    assert h2.chart_window() == h2
    assert h2.months() == [date(2026, m, 1) for m in range(7, 13)]


def test_a_single_month_is_charted_from_january_of_its_year():
    w = period("month", 2026, 3).chart_window()
    assert (w.start, w.end, w.label) == (date(2026, 1, 1), date(2026, 4, 1), "2026년 1월 ~ 3월")
    assert period("month", 2026, 1).chart_window().label == "2026년 1월"


# ---- on the pages (demo data end on 2026-11-25) ---------------------------------------------------


def _run(app_test, page: str, **state):
    at = app_test(page)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, page
    return at


def _sidebar_period(at) -> str:
    return next(c.value for c in at.sidebar.caption if "기간" in c.value or "진행 중" in c.value)


@pytest.mark.slow
def test_on_1_december_pages_open_on_november_and_the_ranking_on_last_year(demo_env, app_test, monkeypatch):
    monkeypatch.setenv("CCM_NOW", "2026-12-01T09:00:00")
    sla = _run(app_test, "pages/sla.py")
    assert (sla.session_state["flt_kind"], sla.session_state["flt_year"], sla.session_state["flt_index"]) == (
        "month",
        2026,
        11,
    )
    assert _sidebar_period(sla) == "2026년 11월 · 마감된 기간"
    assert _run(app_test, "pages/kpi.py").selectbox(key="kpi_month").value == (2026, 11)
    ranking = _run(app_test, "pages/ranking.py")
    assert (ranking.session_state["flt_kind"], ranking.session_state["flt_year"]) == ("year", 2025)


@pytest.mark.slow
def test_a_period_the_user_picked_follows_them_to_the_ranking_page(demo_env, app_test):
    at = _run(app_test, "pages/ranking.py", flt_kind="half", flt_year=2026, flt_index=1)
    assert any("2026년 상반기" in c.value for c in at.caption)


@pytest.mark.slow
def test_a_running_month_is_marked_and_compared_with_the_same_days_before(demo_env, app_test):
    at = _run(app_test, "pages/sla.py", flt_kind="month", flt_year=2026, flt_index=11)
    assert _sidebar_period(at) == "2026년 11월 · 진행 중 (25일째)"
    assert "11월 (진행 중)" in at.sidebar.selectbox[-1].format_func(11)
    rate = next(m for m in at.metric if m.label == "처리기한 준수율")
    assert rate.proto.delta_description == "전월 같은 기간(10월 1일~10월 25일) 대비" and rate.delta.endswith(
        "%p"
    )
    assert any("진행 중 (25일째)" in c.value for c in at.caption)


def _chart(at, title: str) -> dict:
    import json

    for c in at.get("plotly_chart"):
        spec = json.loads(c.proto.spec)
        if title in (spec["layout"].get("title") or {}).get("text", ""):
            return spec
    raise AssertionError(f"no chart titled {title}")


@pytest.mark.slow
def test_the_second_half_is_charted_july_to_december_with_its_target_and_an_empty_month(demo_env, app_test):
    at = _run(app_test, "pages/sla.py", flt_kind="half", flt_year=2026, flt_index=2)
    monthly = next(
        d.value
        for d in at.dataframe
        if "월" in d.value.columns
        and "준수율" in d.value.columns
        and d.value["월"].astype(str).str.contains("년").all()
    )
    assert monthly["월"].tolist() == [f"2026년 {m}월" for m in range(7, 13)]
    december = monthly.iloc[-1]
    assert december["판정(처리완료)"] == 0 and december["접수"] == 0 and pd.isna(december["준수율"])
    spec = _chart(at, "월별 처리기한 준수율")
    assert spec["layout"]["yaxis"]["range"][0] == 0
    assert [s["y0"] for s in spec["layout"]["shapes"] if s["line"].get("dash") == "dash"] == [
        0.95
    ]  # the KPI target
    line = next(t for t in spec["data"] if t.get("name") == "준수율")
    assert line["connectgaps"] is False  # December has nothing decided: the line stops, it does not bridge
