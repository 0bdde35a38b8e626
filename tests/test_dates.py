"""Dates as exports write them: Korean, US month-first, day-first, ISO with a zone, two-digit years.
The day/month order of a column is decided from its own values and reported; `fmt` forces it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from etl.parsing import combine_date_time_report, parse_datetimes, parse_datetimes_report


def _one(text: str, fmt: str | None = None) -> pd.Timestamp:
    return parse_datetimes(pd.Series([text]), fmt)[0]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("06/26/2018 10:58:54 AM", "2018-06-26 10:58:54"),
        ("06/26/2018 10:58:54 PM", "2018-06-26 22:58:54"),
        ("6/26/2018", "2018-06-26 00:00:00"),
        ("06/26/18 10:58 PM", "2018-06-26 22:58:00"),
        ("12/26/2018 12:05:00 AM", "2018-12-26 00:05:00"),
        ("26/06/2018 14:00", "2018-06-26 14:00:00"),
        ("26.06.2018", "2018-06-26 00:00:00"),
        ("2024-03-05T14:22:10", "2024-03-05 14:22:10"),
        ("2024-03-05T14:22:10.123+09:00", "2024-03-05 14:22:10.123"),
        ("2024-03-05T14:22:10Z", "2024-03-05 23:22:10"),  # UTC → Korean time (+9)
        ("2024-03-05T20:22:10-05:00", "2024-03-06 10:22:10"),  # 01:22 UTC next day → 10:22 KST
        ("24.03.05", "2024-03-05 00:00:00"),
        ("24-3-5", "2024-03-05 00:00:00"),
        ("2024.03.05 14:22", "2024-03-05 14:22:00"),
        ("2024/3/5 오후 2:22:00", "2024-03-05 14:22:00"),
        ("2024/03/05 14:22:00", "2024-03-05 14:22:00"),
        ("45356", "2024-03-05 00:00:00"),
        ("2024-03-05", "2024-03-05 00:00:00"),
        ("2024. 3. 5. 오후 2:22:00", "2024-03-05 14:22:00"),
        ("2018-06-26 10:58:54.000", "2018-06-26 10:58:54"),
        ("05-Mar-2024", "2024-03-05 00:00:00"),
        ("Mar 5, 2024 2:22:00 PM", "2024-03-05 14:22:00"),
    ],
)
def test_each_form_alone(text, expected):
    assert _one(text) == pd.Timestamp(expected)


@pytest.mark.parametrize(
    "text", ["2/30/2024", "13/13/2018", "31.04.2018", "24.13.45", "06/26/0018", "30-Feb-2024", "Feb 30, 2024"]
)
def test_impossible_dates_are_nat(text):
    assert pd.isna(_one(text))


def test_date_only_marks_values_without_a_time_of_day():
    r = parse_datetimes_report(
        pd.Series(
            [
                "2024-03-05",
                "2024-03-05 00:00",
                "6/26/2018",
                "6/26/2018 1:00 PM",
                "45356",
                "45356.5",
                "20240305",
                "2024년 3월 5일",
                None,
            ]
        )
    )
    assert r.date_only.tolist() == [True, False, True, False, True, False, True, True, False]


def test_a_value_above_12_in_the_second_place_makes_the_column_month_first():
    r = parse_datetimes_report(pd.Series(["06/05/2018 10:00:00 AM", "06/26/2018 10:58:54 AM", "07/01/2018"]))
    assert r.order == "MDY"
    assert r.values.tolist() == [
        pd.Timestamp("2018-06-05 10:00"),
        pd.Timestamp("2018-06-26 10:58:54"),
        pd.Timestamp("2018-07-01"),
    ]
    assert (
        r.note
        == "날짜 순서: 월/일/연도로 읽었습니다('06/26/2018 10:58:54 AM'은(는) 일/월/연도로 읽으면 26월이 됨)."
    )


def test_a_value_above_12_in_the_first_place_makes_the_column_day_first():
    r = parse_datetimes_report(pd.Series(["05/06/2018 14:00", "26/06/2018 09:30"]))
    assert r.order == "DMY"
    assert r.values.tolist() == [pd.Timestamp("2018-06-05 14:00"), pd.Timestamp("2018-06-26 09:30")]
    assert "일/월/연도로 읽었습니다" in r.note and "'26/06/2018 09:30'" in r.note


def test_undecided_slash_column_is_read_month_first_and_says_so():
    r = parse_datetimes_report(pd.Series(["05/06/2018", "01/02/2018"]))
    assert r.order == "MDY" and r.values[0] == pd.Timestamp("2018-05-06")
    assert r.note.startswith("날짜 순서: 값만으로는 일/월/연도와 구별할 수 없어 월/일/연도로 읽었습니다")
    assert "[formats]" in r.note


def test_undecided_dot_column_with_the_year_last_is_read_day_first():
    r = parse_datetimes_report(pd.Series(["05.06.2018", "01.02.2018"]))
    assert r.order == "DMY" and r.values[0] == pd.Timestamp("2018-06-05")
    assert "일/월/연도로 읽었습니다" in r.note


def test_two_digit_years_first_by_default_and_by_evidence():
    assert parse_datetimes_report(pd.Series(["24.03.05"])).order == "YMD"
    r = parse_datetimes_report(pd.Series(["24.03.05", "24.12.31"]))
    assert r.values[1] == pd.Timestamp("2024-12-31") and r.order == "YMD"
    r = parse_datetimes_report(pd.Series(["06/26/18", "07/01/18"]))  # '/' and a part above 12 in 2nd place
    assert r.order == "MDY" and r.values[0] == pd.Timestamp("2018-06-26")


def test_unambiguous_columns_have_no_note():
    r = parse_datetimes_report(pd.Series(["2024-03-05 14:22", "2024.03.06", "45356"]))
    assert r.note is None and r.order is None


def test_mixed_orders_take_the_order_most_values_fit_and_say_how_many_are_lost():
    r = parse_datetimes_report(pd.Series(["26/06/2018", "27/06/2018", "06/28/2018", "01/02/2018"]))
    assert r.order == "DMY"
    assert pd.isna(r.values[2]) and r.values[3] == pd.Timestamp("2018-02-01")
    assert "섞여 있어" in r.note and "1개(예: '06/28/2018')" in r.note


def test_the_sample_order_is_checked_against_the_whole_column():
    # 10,000 values: the 2,000-value sample sees only values that fit either order (defaults to month-first);
    # values outside the sample show a day above 12 in the first place: the column is day-first
    values = np.array([f"{i % 12 + 1:02d}/{i % 11 + 1:02d}/2018" for i in range(10_000)], dtype=object)
    sampled = set(np.linspace(0, 9_999, 2_000).astype(int))
    outside = [i for i in range(10_000) if i not in sampled][:3]
    values[outside] = "26/06/2018"
    r = parse_datetimes_report(pd.Series(values))
    assert r.order == "DMY" and r.values.notna().all()
    assert r.values[outside[0]] == pd.Timestamp("2018-06-26")
    j = next(i for i in sorted(sampled) if i % 12 == 1 and i % 11 == 2)  # '02/03/2018': day 2, month 3
    assert values[j] == "02/03/2018" and r.values[j] == pd.Timestamp("2018-03-02")
    assert r.note == "날짜 순서: 일/월/연도로 읽었습니다('26/06/2018'은(는) 월/일/연도로 읽으면 26월이 됨)."


def test_an_order_the_sample_could_not_tell_is_settled_by_the_whole_column():
    values = np.array([f"{i % 12 + 1:02d}/{i % 11 + 1:02d}/2018" for i in range(10_000)], dtype=object)
    sampled = set(np.linspace(0, 9_999, 2_000).astype(int))
    outside = next(i for i in range(10_000) if i not in sampled)
    values[outside] = "06/26/2018"
    r = parse_datetimes_report(pd.Series(values))
    assert r.order == "MDY" and r.values[outside] == pd.Timestamp("2018-06-26")
    assert r.note == "날짜 순서: 월/일/연도로 읽었습니다('06/26/2018'은(는) 일/월/연도로 읽으면 26월이 됨)."


@pytest.mark.parametrize(
    "fmt, expected",
    [
        ("DMY", "2018-06-05"),
        ("MDY", "2018-05-06"),
        ("일/월/연도", "2018-06-05"),
        ("%d/%m/%Y", "2018-06-05"),
        ("%m/%d/%Y", "2018-05-06"),
    ],
)
def test_fmt_forces_the_order(fmt, expected):
    r = parse_datetimes_report(pd.Series(["05/06/2018", "07/08/2018"]), fmt)
    assert r.values[0] == pd.Timestamp(expected) and r.note is None


def test_forced_format_with_clock_and_the_values_it_does_not_fit():
    fmt = "%d/%m/%Y %I:%M:%S %p"
    r = parse_datetimes_report(pd.Series(["05/06/2018 01:02:03 PM", "2018-06-07 10:00", "07/06/2018"]), fmt)
    assert r.values.tolist() == [
        pd.Timestamp("2018-06-05 13:02:03"),
        pd.Timestamp("2018-06-07 10:00"),
        pd.Timestamp("2018-06-07"),
    ]  # a workbook's ISO cell; the format's order
    assert r.date_only.tolist() == [False, False, True] and r.order == "DMY"


def test_forced_format_with_zone_and_fraction():
    r = parse_datetimes_report(pd.Series(["2024-03-05 05:22:10.5+0000"]), "%Y-%m-%d %H:%M:%S.%f%z")
    assert r.values[0] == pd.Timestamp("2024-03-05 14:22:10.5")


def test_forced_format_with_an_offset_read_by_arrow():
    r = parse_datetimes_report(pd.Series(["2024-03-31T23:00:00-0500"]), "%Y-%m-%dT%H:%M:%S%z")
    assert r.values[0] == pd.Timestamp("2024-04-01 13:00")  # 04:00 UTC


def test_forced_format_does_not_roll_over_impossible_days():
    assert pd.isna(parse_datetimes(pd.Series(["30/02/2024"]), "%d/%m/%Y")[0])


def test_separate_time_column_with_us_dates_and_the_note():
    r = combine_date_time_report(
        pd.Series(["06/26/2018", "06/27/2018", "06/28/2018 09:00"]), pd.Series(["2:05 PM", None, "10:00"])
    )
    assert r.values.tolist() == [
        pd.Timestamp("2018-06-26 14:05"),
        pd.Timestamp("2018-06-27"),
        pd.Timestamp("2018-06-28 09:00"),
    ]
    assert r.date_only.tolist() == [False, True, False]
    assert r.bad_time.tolist() == [False, False, False]
    assert r.order == "MDY" and "월/일/연도" in r.note
