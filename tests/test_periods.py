"""Periods people mean: the last complete period by default, a running period marked with its day
count, headlines compared with the same span of the period before, charts inside the period."""
from __future__ import annotations

from datetime import date

import pytest

from ccm.period import comparison, last_complete, period, running_note


@pytest.mark.parametrize("kind, today, label", [
    ("month", date(2026, 12, 1), "2026년 11월"),  # on 1 December the month people mean is November
    ("month", date(2026, 11, 25), "2026년 10월"),
    ("month", date(2027, 1, 1), "2026년 12월"),
    ("half", date(2026, 11, 25), "2026년 상반기"),
    ("half", date(2027, 1, 1), "2026년 하반기"),
    ("year", date(2026, 11, 25), "2025년"),
    ("year", date(2027, 1, 1), "2026년"),
    ("quarter", date(2026, 4, 1), "2026년 1분기"),
])
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
