"""SLA engine: deadlines per type, effective-dated rules, counting methods, open status, explain, recompute."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from ccm import sla
from ccm.db import connect
from tests.support.calendar_reference import Reference, make_settings

DAYS_2000 = {"문의": 1, "불만": 2, "칭찬": 2, "건의": 3, "유실물신고": 2, "긴급요청": 1, "고충": 7}
RULE_2000 = {"effective_from": "2000-01-01", "source": "매뉴얼", "days": DAYS_2000, "counting": {}}


def run(rows: list[tuple], settings: dict | None = None, index: list | None = None) -> pd.DataFrame:
    """rows: (received_at, completed_at or None, voc_type)."""
    rec, done, kind = zip(*rows)
    idx = index or list(range(len(rows)))
    return sla.compute(
        pd.Series(pd.to_datetime(list(rec)), index=idx),
        pd.Series(pd.to_datetime(list(done)), index=idx),
        pd.Series(list(kind), index=idx),
        settings or make_settings(),
    )


def t(value: str) -> pd.Timestamp:
    return pd.Timestamp(value)


def test_columns_types_and_index():
    out = run([("2025-03-05 10:00", "2025-03-05 11:00", "문의")], index=["V-9"])
    assert list(out.columns) == sla.COLUMNS and out.index.tolist() == ["V-9"]
    assert str(out["deadline_minutes"].dtype) == "Int64" and str(out["sla_met"].dtype) == "boolean"
    assert out.iloc[0].to_dict() == {
        "clock_start": t("2025-03-05 10:00"),
        "due_at": t("2025-03-06 10:00"),
        "deadline_minutes": 480,
        "work_minutes": 60,
        "sla_met": True,
        "sla_rule": "2000-01-01~ · 1업무일 · 시간 기준(8시간)",
    }


def test_friday_evening_complaint_uses_friday_half_hour_then_monday():
    out = run([("2025-03-07 17:30", "2025-03-11 17:00", "불만")]).iloc[0]
    assert out["due_at"] == t("2025-03-11 17:30") and out["deadline_minutes"] == 960
    assert out["work_minutes"] == 30 + 480 + 420 and out["sla_met"]  # Tue 09–17 less lunch


def test_open_items_have_no_work_minutes_or_verdict():
    out = run([("2025-03-07 10:00", None, "불만")]).iloc[0]
    assert pd.isna(out["work_minutes"]) and pd.isna(out["sla_met"])
    assert out["due_at"] == t("2025-03-11 10:00")


def test_unknown_type_and_missing_receipt_get_no_deadline():
    out = run([("2025-03-07 10:00", "2025-03-07 11:00", "기타"), (None, None, "문의")])
    assert out["due_at"].isna().all() and out["deadline_minutes"].isna().all()
    assert out["sla_met"].isna().all() and out["sla_rule"].isna().all()
    assert out["work_minutes"].iloc[0] == 60 and pd.isna(out["clock_start"].iloc[1])


@pytest.mark.parametrize(
    "completed, met, minutes",
    [
        ("2025-03-10 18:00", True, 480),  # exactly at the deadline
        ("2025-03-10 19:30", True, 480),  # after hours on the due day: no working time used beyond it
        ("2025-03-11 09:01", False, 481),  # the next working minute
        ("2025-03-11 09:00:30", False, 481),  # part of a minute beyond counts as a minute
    ],
)
def test_met_means_working_time_used_within_the_deadline(completed, met, minutes):
    out = run([("2025-03-10 09:00", completed, "문의")]).iloc[0]
    assert out["due_at"] == t("2025-03-10 18:00")
    assert bool(out["sla_met"]) is met and out["work_minutes"] == minutes


def test_holidays_push_the_deadline():
    out = run(
        [
            ("2025-01-24 17:30", None, "불만"),
            ("2025-05-30 12:30", None, "문의"),
            ("2025-05-19 10:00", None, "문의"),
        ]
    )
    # 설 + 임시공휴일 (27–30 Jan); lunch start on Friday → 13:00, Mon 2 Jun 12:00; 창립기념일 5/20 (settings)
    assert out["due_at"].tolist() == [t("2025-02-03 17:30"), t("2025-06-02 12:00"), t("2025-05-21 10:00")]
    assert out["clock_start"].iloc[1] == t("2025-05-30 13:00")


def test_effective_dated_rule_leaves_earlier_items_alone():
    rule_2025 = {
        "effective_from": "2025-07-01",
        "source": "개정",
        "days": {**DAYS_2000, "불만": 3, "고충": 5},
        "counting": {},
    }
    before = run([("2025-06-30 17:00", "2025-07-03 10:00", "불만")], make_settings(rules=[RULE_2000]))
    both = make_settings(rules=[rule_2025, RULE_2000])  # order in the file does not matter
    after = run(
        [
            ("2025-06-30 17:00", "2025-07-03 10:00", "불만"),
            ("2025-07-01 00:00", "2025-07-03 10:00", "불만"),
            ("2025-07-02 10:00", None, "고충"),
        ],
        both,
    )
    pd.testing.assert_series_equal(after.iloc[0], before.iloc[0], check_names=False)
    assert after["deadline_minutes"].tolist()[:2] == [960, 1440]
    assert after["sla_met"].tolist()[:2] == [False, True]
    assert after["sla_rule"].iloc[1] == "2025-07-01~ · 3업무일 · 시간 기준(24시간)"
    assert after["sla_rule"].iloc[2] == "2025-07-01~ · 5업무일 · 시간 기준(40시간)"


def test_no_rule_in_force_before_the_first_table():
    out = run([("1999-12-31 10:00", None, "문의")])
    assert pd.isna(out["due_at"].iloc[0])


def test_day_counting_for_gochung():
    settings = make_settings(counting={"고충": "days"})
    out = run(
        [
            ("2025-03-04 15:00", "2025-03-12 17:59", "고충"),
            ("2025-03-04 19:00", "2025-03-13 12:00", "고충"),
            ("2025-05-30 10:00", "2025-06-12 09:30", "고충"),
            ("2025-03-04 15:00", None, "불만"),
        ],
        settings,
    )
    # receipt day is day 1; after hours → the next business day is day 1; 6/3 election and 6/6 현충일 skipped
    assert out["due_at"].tolist()[:3] == [t("2025-03-12 18:00"), t("2025-03-13 18:00"), t("2025-06-11 18:00")]
    assert out["deadline_minutes"].tolist()[:3] == [180 + 6 * 480, 7 * 480, 420 + 6 * 480]
    assert out["sla_met"].tolist()[:3] == [True, True, False]
    assert out["sla_rule"].iloc[0] == "2000-01-01~ · 7업무일 · 일 기준(접수일 포함 7일째 업무종료)"
    assert out["sla_rule"].iloc[3] == "2000-01-01~ · 2업무일 · 시간 기준(16시간)"


def test_invalid_counting_is_refused_in_korean():
    with pytest.raises(sla.RuleTableError, match='"hours" 또는 "days"'):
        run([("2025-03-04 15:00", None, "고충")], make_settings(counting={"고충": "weeks"}))


def test_compute_matches_reference_on_random_items():
    rng = np.random.default_rng(5)
    n = 2000
    received = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 4 * 365 * 1440, n), unit="min")
    completed = received + pd.to_timedelta(rng.exponential(4 * 1440, n).astype(int), unit="min")
    kinds = rng.choice(["문의", "불만", "건의", "고충"], n)
    settings = make_settings(counting={"고충": "days"})
    out = sla.compute(pd.Series(received), pd.Series(completed), pd.Series(kinds), settings)
    ref = Reference(settings)
    days = settings["sla"]["rules"][0]["days"]
    for i in range(n):
        start = ref.clock_start(received[i].to_pydatetime())
        n_days = days[kinds[i]]
        due = ref.day_end(start, n_days) if kinds[i] == "고충" else ref.add(start, n_days * 8 * 3600)
        work = ref.working_seconds(start, completed[i].to_pydatetime())
        assert (out["clock_start"][i], out["due_at"][i]) == (start, due), i
        assert out["sla_met"][i] == (work <= ref.working_seconds(start, due)), i
        assert out["work_minutes"][i] == -(-work // 60), i


# ---- open status -----------------------------------------------------------------------------------
def test_open_status_remaining_overdue_and_at_risk():
    items = run(
        [
            ("2025-03-10 09:00", None, "문의"),
            ("2025-03-07 13:00", None, "불만"),
            ("2025-03-11 10:00", None, "문의"),
            ("2025-03-05 09:00", None, "기타"),
        ]
    )
    status = sla.open_status(
        items["due_at"],
        items["clock_start"],
        items["deadline_minutes"],
        datetime(2025, 3, 11, 11, 0),
        make_settings(),
    )
    assert status["remaining_minutes"].tolist()[:3] == [-120, 60, 420]
    assert status["overdue"].tolist()[:3] == [True, False, False]
    assert status["at_risk"].tolist()[:3] == [False, True, False]  # 60 < 25% of 960; 420 ≥ 25% of 480
    assert status.iloc[3].isna().all()


def test_open_status_after_hours_on_the_due_day_is_not_yet_overdue():
    items = run([("2025-03-10 09:00", None, "문의")])
    evening = sla.open_status(
        items["due_at"], items["clock_start"], items["deadline_minutes"], "2025-03-10 20:00", make_settings()
    )
    morning = sla.open_status(
        items["due_at"], items["clock_start"], items["deadline_minutes"], "2025-03-11 09:01", make_settings()
    )
    assert (evening["remaining_minutes"][0], evening["overdue"][0], evening["at_risk"][0]) == (0, False, True)
    assert (morning["remaining_minutes"][0], morning["overdue"][0]) == (-1, True)


def test_at_risk_share_comes_from_settings():
    wide = make_settings()
    wide["sla"]["at_risk_share"] = 0.5
    items = run([("2025-03-11 10:00", None, "문의")])
    args = (items["due_at"], items["clock_start"], items["deadline_minutes"], "2025-03-11 15:30")
    assert sla.open_status(*args, wide)["remaining_minutes"][0] == 210  # < 50% of 480, ≥ 25%
    assert (
        bool(sla.open_status(*args, wide)["at_risk"][0])
        and not sla.open_status(*args, make_settings())["at_risk"][0]
    )


# ---- explain -----------------------------------------------------------------------------------
def test_explain_weekend_receipt_during_seollal():
    info = sla.explain("2025-01-25 10:00", None, "불만", make_settings(), now="2025-02-03 17:00")
    assert info["clock_start"] == t("2025-01-31 09:00") and info["due_at"] == t("2025-02-03 18:00")
    assert info["clock_moved"] == [
        "01-25 주말(토)",
        "01-26 주말(일)",
        "01-27 임시공휴일",
        "01-28 설날 전날",
        "01-29 설날",
        "01-30 설날 다음날",
    ]
    assert info["status"] == "at_risk" and info["remaining_minutes"] == 60
    assert info["effective_from"] == date(2000, 1, 1) and info["counting"] == "hours"
    assert any("남은 근무시간 1시간" in s for s in info["sentences"])


def test_explain_lunch_receipt_names_holidays_skipped_and_verdict():
    info = sla.explain("2025-05-30 12:30", "2025-06-05 10:00", "불만", make_settings())
    assert info["clock_moved"] == ["휴게시간 중 접수"]
    assert info["due_at"] == t("2025-06-04 12:00")
    assert [name for _, name, _ in info["holidays"]] == ["대통령 선거일"]
    assert info["status"] == "breached" and info["work_minutes"] == 5 * 60 + 8 * 60 + 8 * 60 + 60
    assert info["sentences"][-1] == "판정: 기한 초과 처리"
    assert any("06-03 대통령 선거일" in s for s in info["sentences"])


def test_explain_unknown_type_says_so():
    info = sla.explain("2025-05-30 20:00", None, "기타", make_settings(), now="2025-06-02 10:00")
    assert info["status"] == "no_rule" and info["clock_moved"] == [
        "업무시간 외(업무종료 후) 접수",
        "05-31 주말(토)",
        "06-01 주말(일)",
    ]
    assert "시행 중인 처리기한이 없습니다" in info["sentences"][-1]


def test_rules_table_lists_every_rule_with_its_date():
    table = sla.rules_table(make_settings(counting={"고충": "days"}))
    assert len(table) == 7 and set(table["effective_from"]) == {date(2000, 1, 1)}
    row = table.set_index("voc_type").loc["고충"]
    assert (row["days"], row["hours"], row["counting"]) == (7, 56, "days")


# ---- recompute on a real database --------------------------------------------------------------
def _insert(con, rows: list[tuple]) -> None:
    for voc_id, received, completed, kind in rows:
        con.execute(
            """INSERT INTO voc_items (voc_id, received_at, completed_at, voc_type, status, batch_id)
                       VALUES (?, ?, ?, ?, ?, 1)""",
            [voc_id, received, completed, kind, "완료" if completed else "접수"],
        )


def test_recompute_updates_every_row_after_settings_change(env):
    con = connect(env.db_path)
    _insert(
        con,
        [
            ("A", "2025-05-19 10:00", "2025-05-21 09:30", "문의"),
            ("B", "2025-05-19 10:00", None, "불만"),
            ("C", "2025-03-04 15:00", "2025-03-12 17:00", "고충"),
        ],
    )
    assert sla.recompute(con, make_settings()) == 3
    stored = con.execute(
        "SELECT voc_id, due_at, sla_met, work_minutes, sla_rule FROM voc ORDER BY voc_id"
    ).df()
    assert stored["due_at"].tolist()[:2] == [t("2025-05-21 10:00"), t("2025-05-22 10:00")]  # 5/20 closed
    assert stored["sla_met"].tolist()[0] is True and pd.isna(stored["sla_met"][1])
    assert sla.recompute(con, make_settings(closures=[], counting={"고충": "days"})) == 3
    again = con.execute("SELECT voc_id, due_at, sla_met, sla_rule FROM voc ORDER BY voc_id").df()
    assert again["due_at"].tolist() == [t("2025-05-20 10:00"), t("2025-05-21 10:00"), t("2025-03-12 18:00")]
    assert again["sla_met"].tolist()[0] is False and "일 기준" in again["sla_rule"][2]
    con.close()


def test_recompute_on_empty_table_and_open_status_from_stored_columns(env):
    con = connect(env.db_path)
    assert sla.recompute(con, make_settings()) == 0
    _insert(con, [("A", "2025-03-10 09:00", None, "문의"), ("B", "2025-03-10 09:00", None, "기타")])
    sla.recompute(con, make_settings())
    df = con.execute("SELECT due_at, clock_start, deadline_minutes FROM voc ORDER BY voc_id").df()
    status = sla.open_status(
        df["due_at"], df["clock_start"], df["deadline_minutes"], "2025-03-10 17:00", make_settings()
    )
    assert (
        status["remaining_minutes"][0] == 60 and bool(status["at_risk"][0]) and pd.isna(status["overdue"][1])
    )
    con.close()


def test_explain_without_now_uses_the_pinned_clock(env):
    info = sla.explain("2026-11-24 10:00", None, "불만", make_settings())  # CCM_NOW = 2026-11-25 10:00
    assert (
        info["work_minutes_so_far"] == 480 and info["remaining_minutes"] == 480 and info["status"] == "open"
    )


def test_dates_the_calendar_cannot_place_get_no_figures_instead_of_an_error():
    out = run(
        [
            ("2205-03-05 10:00", None, "문의"),
            ("2025-03-05 10:00", "2205-03-05 11:00", "문의"),
            ("1900-01-02 10:00", "1900-01-02 11:00", "문의"),
        ]
    )
    assert out["due_at"].isna().tolist() == [True, False, True]
    assert out["work_minutes"].isna().all() and out["sla_met"].isna().all()


def test_empty_input_gives_empty_frame():
    empty = pd.Series([], dtype="datetime64[us]")
    out = sla.compute(empty, empty, pd.Series([], dtype="string"), make_settings())
    assert list(out.columns) == sla.COLUMNS and out.empty
    status = sla.open_status(
        out["due_at"], out["clock_start"], out["deadline_minutes"], "2025-03-05", make_settings()
    )
    assert status.empty
