"""Business calendar: hand-checked dates and times, then the engine against a slow reference."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from ccm.calendar import BusinessCalendar
from ccm.settings import load_settings
from tests.support.calendar_reference import Reference, make_settings, minute_walk_seconds


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    return BusinessCalendar.from_settings(make_settings())


def ts(*values: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values)))


def minutes_between(cal: BusinessCalendar, a: str, b: str) -> float:
    start, end = cal.business_seconds(ts(a, b))
    return (end - start) / 60


def test_friday_1730_counts_30_minutes_friday_then_monday(cal):
    assert minutes_between(cal, "2025-03-07 17:30", "2025-03-10 09:00") == 30
    assert minutes_between(cal, "2025-03-07 17:30", "2025-03-10 17:30") == 480
    due = cal.add_business_seconds(ts("2025-03-07 17:30"), 8 * 3600)
    assert due[0] == np.datetime64("2025-03-10T17:30")


@pytest.mark.parametrize(
    "received, start",
    [
        ("2025-03-05 12:30", "2025-03-05 13:00"),  # lunch break
        ("2025-03-05 12:00", "2025-03-05 13:00"),  # the break's first minute
        ("2025-03-05 08:00", "2025-03-05 09:00"),  # before work
        ("2025-03-05 18:00", "2025-03-06 09:00"),  # work ends at 18:00
        ("2025-03-05 23:59", "2025-03-06 09:00"),  # after hours
        ("2025-03-08 10:00", "2025-03-10 09:00"),  # Saturday
        ("2025-03-05 10:17", "2025-03-05 10:17"),  # inside work hours: unchanged
    ],
)
def test_clock_start(cal, received, start):
    assert cal.clock_start(ts(received))[0] == np.datetime64(pd.Timestamp(start))


def test_lunch_is_not_working_time(cal):
    assert minutes_between(cal, "2025-03-05 11:30", "2025-03-05 13:30") == 60


@pytest.mark.parametrize(
    "day, name",
    [
        ("2025-01-27", "임시공휴일"),
        ("2025-01-28", "설날 전날"),
        ("2025-01-29", "설날"),
        ("2025-01-30", "설날 다음날"),
        ("2024-02-09", "설날 전날"),
        ("2024-02-12", "설날 대체 휴일"),
        ("2025-03-03", "삼일절 대체 휴일"),
        ("2025-06-03", "대통령 선거일"),
        ("2025-05-20", "창립기념일"),
        # holidays 0.109 contains the 2026 additions: 노동절 (5/1) and 제헌절 (7/17), and the local election
        ("2026-05-01", "노동절"),
        ("2026-07-17", "제헌절"),
        ("2026-06-03", "지방선거일"),
    ],
)
def test_closed_days_by_name(cal, day, name):
    assert not cal.is_business_day(date.fromisoformat(day))
    assert name in [n for _, n, _ in cal.holidays_between(day, day)]


def test_seollal_2025_with_temporary_holiday(cal):
    # Friday 24 Jan 17:30: 30 min on Friday, then 27 (임시공휴일) and 28–30 (설) are closed → Friday 31st
    assert cal.add_business_seconds(ts("2025-01-24 17:30"), 8 * 3600)[0] == np.datetime64("2025-01-31T17:30")
    assert minutes_between(cal, "2025-01-24 09:00", "2025-01-31 09:00") == 480


def test_seollal_2024_with_substitute_holiday(cal):
    # Thursday 8 Feb 2024 15:00 + 1 business day: 9 (설 전날), 10–11 (weekend/설), 12 (대체공휴일) → Tue 13th
    assert cal.add_business_seconds(ts("2024-02-08 15:00"), 8 * 3600)[0] == np.datetime64("2024-02-13T15:00")


def test_substitute_holiday_and_election_day(cal):
    assert cal.add_business_seconds(ts("2025-02-28 10:00"), 8 * 3600)[0] == np.datetime64("2025-03-04T10:00")
    assert cal.add_business_seconds(ts("2025-06-02 14:00"), 8 * 3600)[0] == np.datetime64("2025-06-04T14:00")


def test_admin_closure_day_comes_from_settings():
    with_closure = BusinessCalendar.from_settings(
        make_settings(closures=[{"date": "2025-04-15", "name": "창립기념일"}])
    )
    without = BusinessCalendar.from_settings(make_settings(closures=[]))
    assert not with_closure.is_business_day(date(2025, 4, 15)) and without.is_business_day(date(2025, 4, 15))
    assert with_closure.add_business_seconds(ts("2025-04-14 10:00"), 8 * 3600)[0] == np.datetime64(
        "2025-04-16T10:00"
    )
    assert with_closure.holidays_between("2025-04-15", "2025-04-15") == [
        (date(2025, 4, 15), "창립기념일", "관리자 지정")
    ]


def test_working_day_override_unholidays_a_holiday_and_a_saturday():
    cal = BusinessCalendar.from_settings(
        make_settings(
            working_days=[{"date": "2025-10-08", "name": "근무"}, {"date": "2025-03-08", "name": "토요 근무"}]
        )
    )
    assert cal.is_business_day(date(2025, 10, 8)) and cal.is_business_day(date(2025, 3, 8))
    assert cal.holidays_between("2025-10-08", "2025-10-08") == []
    assert minutes_between(cal, "2025-03-07 17:00", "2025-03-08 10:00") == 120
    shown = cal.closures(2025)
    assert shown.loc[shown["date"] == date(2025, 10, 8), "source"].tolist() == ["근무일 지정"]


def test_work_hours_come_from_settings():
    cal = BusinessCalendar.from_settings(
        make_settings(work_start="10:00", work_end="17:00", break_start="", break_end="")
    )
    assert cal.day_seconds == 7 * 3600
    assert cal.clock_start(ts("2025-03-05 09:30"))[0] == np.datetime64("2025-03-05T10:00")
    assert minutes_between(cal, "2025-03-05 11:30", "2025-03-05 13:30") == 120


def test_shipped_settings_file_builds_a_calendar():
    cal = BusinessCalendar.from_settings(load_settings())
    assert cal.day_seconds == 8 * 3600 and cal.hours_label() == "09:00~12:00, 13:00~18:00 (하루 8시간)"


def test_closures_table_lists_public_and_admin_days(cal):
    shown = cal.closures(2025)
    assert {"공휴일", "관리자 지정"} == set(shown["source"])
    assert shown["date"].is_monotonic_increasing
    assert shown.loc[shown["date"] == date(2025, 3, 1), "weekday_lost"].item() is False  # a Saturday


def test_vectorised_business_day_and_nat(cal):
    days = pd.Series(pd.to_datetime(["2025-03-07", "2025-03-08", "2025-03-03", None]))
    assert cal.is_business_day(days).tolist() == [True, False, False, False]
    b = cal.business_seconds(days)
    assert np.isnan(b[3]) and not np.isnan(b[:3]).any()
    assert pd.isna(cal.clock_start(days)[3])
    assert pd.isna(cal.add_business_seconds(days, 3600)[3])


def test_dates_outside_the_calendar_are_refused_clearly(cal):
    with pytest.raises(ValueError, match="범위"):
        cal.business_seconds(ts("1900-01-01 10:00"))


# ---- against the independent reference -----------------------------------------------------------
def _random_times(rng: np.random.Generator, n: int) -> list[datetime]:
    """Uniform minutes (and some odd seconds) over 2023–2026: most fall after hours or on closed days."""
    base = datetime(2023, 1, 1)
    minutes = rng.integers(0, 4 * 365 * 24 * 60, n)
    seconds = np.where(rng.random(n) < 0.2, rng.integers(0, 60, n), 0)
    return [base + timedelta(minutes=int(m), seconds=int(s)) for m, s in zip(minutes, seconds)]


@pytest.fixture(scope="module")
def pairs() -> tuple[list[datetime], list[datetime]]:
    rng = np.random.default_rng(20250603)
    starts = _random_times(rng, 3000)
    spans = rng.exponential(3 * 24 * 3600, 3000)  # mostly days, sometimes weeks
    return starts, [s + timedelta(seconds=int(x)) for s, x in zip(starts, spans)]


def test_elapsed_working_time_matches_day_walk_reference(cal, pairs):
    starts, ends = pairs
    ref = Reference(make_settings())
    got = cal.business_seconds(pd.Series(ends)) - cal.business_seconds(pd.Series(starts))
    want = np.array([ref.working_seconds(a, b) for a, b in zip(starts, ends)])
    np.testing.assert_array_equal(got, want)


def test_clock_start_matches_reference(cal, pairs):
    starts, _ = pairs
    ref = Reference(make_settings())
    got = cal.clock_start(pd.Series(starts))
    want = np.array([ref.clock_start(t) for t in starts], dtype="datetime64[us]")
    np.testing.assert_array_equal(got, want)


def test_add_business_seconds_matches_reference_and_inverts_b(cal, pairs):
    starts, _ = pairs
    ref = Reference(make_settings())
    rng = np.random.default_rng(7)
    amounts = rng.choice([1, 2, 3, 7], len(starts)) * 8 * 3600 - rng.choice(
        [0, 0, 1800, 3 * 3600], len(starts)
    )
    clock = pd.Series(cal.clock_start(pd.Series(starts)))
    due = cal.add_business_seconds(clock, amounts)
    want = np.array(
        [ref.add(t.to_pydatetime(), float(x)) for t, x in zip(clock, amounts)], dtype="datetime64[us]"
    )
    np.testing.assert_array_equal(due, want)
    np.testing.assert_array_equal(cal.business_seconds(due) - cal.business_seconds(clock), amounts)


def test_minute_by_minute_reference_on_short_spans(cal):
    rng = np.random.default_rng(11)
    ref = Reference(make_settings())
    starts = [t.replace(second=0) for t in _random_times(rng, 150)]
    ends = [a + timedelta(minutes=int(m)) for a, m in zip(starts, rng.integers(0, 4 * 24 * 60, 150))]
    got = cal.business_seconds(pd.Series(ends)) - cal.business_seconds(pd.Series(starts))
    assert got.tolist() == [minute_walk_seconds(ref, a, b) for a, b in zip(starts, ends)]


def test_unknown_country_code_is_refused_in_korean():
    with pytest.raises(ValueError, match="국가 코드"):
        BusinessCalendar.from_settings(make_settings(country="XX"))


def test_workers_day_before_2026_only_with_the_bank_category():
    # holidays 0.109: 5/1 is a public holiday (노동절) from 2026; before, 근로자의날 is in the "bank" category only
    assert BusinessCalendar.from_settings(make_settings()).is_business_day(date(2025, 5, 1))
    with_bank = BusinessCalendar.from_settings(make_settings(categories=["public", "bank"]))
    assert with_bank.holidays_between("2025-05-01", "2025-05-01") == [
        (date(2025, 5, 1), "근로자의날", "공휴일")
    ]
