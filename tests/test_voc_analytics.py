"""VOC analytics queries against hand-computed values on a small fixture database (tests/voc_database.py)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from ccm import db, sla
from ccm import voc_analytics as va
from ccm.period import Scope, period
from tests.support import voc_database
from tests.support.constants import NOW_AT as NOW

OCT25 = period("month", 2025, 10)
NOV25 = period("month", 2025, 11)
H2_25 = period("half", 2025, 2)


@pytest.fixture
def con(env):
    path = voc_database.build(env.db_path, env)
    c = db.connect(path)
    yield c
    c.close()


def depts(scope: Scope, *names: str) -> Scope:
    return replace(scope, departments=names)


def test_fixture_deadlines_agree_with_the_sla_engine(env):
    df = pd.DataFrame(voc_database.ROWS, columns=voc_database.COLUMNS)
    out = sla.compute(pd.to_datetime(df.received_at), pd.to_datetime(df.completed_at), df.voc_type, env)
    assert out["due_at"].tolist() == pd.to_datetime(df.due_at).tolist()
    assert out["work_minutes"].astype("Float64").fillna(-1).tolist() == df.work_minutes.fillna(-1).tolist()


def test_compliance_summary_holiday_month(con):
    s = va.compliance_summary(con, OCT25)
    assert s == {
        "received": 5,
        "completed": 5,
        "no_time": 0,
        "decided": 5,
        "met": 3,
        "breached": 2,
        "compliance": 0.6,
    }


def test_compliance_summary_half_year(con):
    s = va.compliance_summary(con, H2_25)
    assert (s["decided"], s["met"]) == (9, 7)
    assert s["compliance"] == pytest.approx(7 / 9)


def test_compliance_by_type(con):
    df = va.compliance_by(con, OCT25, "voc_type").set_index("voc_type")
    assert df.loc["불만", ["received", "decided", "met", "breached"]].tolist() == [2, 2, 0, 2]
    assert df.loc["불만", "compliance"] == 0
    assert df.loc["칭찬", "compliance"] == 1
    assert set(df.index) == {"문의", "불만", "칭찬", "건의"}


def test_compliance_by_department_respects_department_filter(con):
    df = va.compliance_by(con, depts(OCT25, "관광사업팀", "문화사업팀"), "department").set_index("department")
    assert df["received"].to_dict() == {"관광사업팀": 2, "문화사업팀": 1}
    assert df["met"].to_dict() == {"관광사업팀": 1, "문화사업팀": 1}


def test_compliance_by_month(con):
    df = va.compliance_by(con, H2_25, "month")
    assert df["month"].tolist() == [pd.Timestamp("2025-10-01"), pd.Timestamp("2025-11-01")]
    assert df["compliance"].tolist() == pytest.approx([0.6, 1.0])


def test_open_items_do_not_count_as_decided(con):
    s = va.compliance_summary(con, period("month", 2026, 11))
    assert (s["received"], s["decided"], s["compliance"]) == (4, 0, None)


def test_processing_time_median_and_p90(con):
    df = va.processing_time_by_type(con, OCT25).set_index("voc_type")
    row = df.loc["불만"]
    assert row["completed"] == 2
    assert row["median_hours"] == pytest.approx((1200 + 1380) / 2 / 60)
    assert row["p90_hours"] == pytest.approx((1200 + 0.9 * 180) / 60)
    assert row["deadline_hours"] == 16
    assert df.loc["칭찬", "median_hours"] == 1


def test_processing_time_distribution_buckets(con):
    df = va.processing_time_distribution(con, OCT25)
    got = df.groupby("bucket")["items"].sum().to_dict()
    assert got == {"25% 이하": 1, "25~50%": 2, "100~150%": 2}


def test_monthly_compliance_median_hours(con):
    df = va.monthly_compliance(con, H2_25).set_index("month")
    assert df.loc[pd.Timestamp("2025-11-01"), "median_hours"] == pytest.approx((300 + 750) / 2 / 60)
    assert df.loc[pd.Timestamp("2025-10-01"), "met"] == 3


def test_open_items_sorted_by_urgency(con, env):
    df = va.open_items(con, OCT25, NOW, env)
    assert df["voc_id"].tolist() == ["O1", "O2", "O3", "O4"]
    assert df["remaining_hours"].tolist() == pytest.approx([-1, 0.5, 3, 23])
    assert df["state"].tolist() == ["기한 초과", "임박", "진행 중", "진행 중"]
    assert "title" not in df.columns


def test_open_items_with_text_and_department(con, env):
    df = va.open_items(con, depts(OCT25, "관광사업팀"), NOW, env, with_text=True)
    assert df["voc_id"].tolist() == ["O2", "O4"]
    assert df["title"].tolist() == ["주차 요금 문의", "안내판 건의"]


def test_open_counts(con, env):
    assert va.open_counts(con, OCT25, NOW, env) == {"open": 4, "overdue": 1, "at_risk": 1}
    assert va.open_counts(con, depts(OCT25, "혁신안전팀"), NOW, env) == {
        "open": 0,
        "overdue": 0,
        "at_risk": 0,
    }


def test_explain_item_names_the_holidays(con, env):
    got = va.explain_item(con, OCT25, "A3", env, NOW)
    assert got["item"]["sla_met"] is True
    text = " ".join(got["explain"]["sentences"])
    assert "2025-10-10" in text and "추석" in text


def test_explain_item_outside_department_scope(con, env):
    assert va.explain_item(con, depts(OCT25, "문화사업팀"), "A3", env, NOW) is None


def test_monthly_counts_by_channel(con):
    df = va.monthly_counts(con, OCT25, "channel").set_index("channel")
    assert df["items"].to_dict() == {"대표전화": 2, "방문": 1, "홈페이지": 2}


def test_year_over_year(con):
    df = va.year_over_year(con, OCT25)
    assert df.iloc[0][["items", "last_year", "change"]].tolist() == [5, 1, 4]
    assert df.iloc[0]["change_rate"] == 4


def test_year_over_year_fills_empty_months(con):
    df = va.year_over_year(con, period("quarter", 2025, 4))
    assert df["items"].tolist() == [5, 4, 0]
    assert df["last_year"].tolist() == [1, 0, 0]
    assert df["change_rate"].isna().tolist() == [False, True, True]


def test_seasonality(con):
    df = va.seasonality(con, OCT25)
    y25 = df[df["year"] == 2025].set_index("month")
    assert y25["items"].to_dict() == {10: 5, 11: 4}
    assert y25["share_of_year"].sum() == pytest.approx(1)


def test_topics_tag_every_item(con):
    df = va.topic_counts(con, OCT25).set_index("topic")
    assert df["items"].to_dict() == {
        "주차": 1,
        "요금·환불": 1,
        "친절": 1,
        "청결": 1,
        "시설고장": 1,
        "안전": 1,
    }
    assert df.loc["주차", "share"] == pytest.approx(0.2)
    tagged = con.execute("SELECT count(DISTINCT voc_id) FROM voc_topics").fetchone()[0]
    assert tagged == len(voc_database.ROWS)


def test_text_coverage_of_the_fixture(con):
    """Every October item is analysed and has a topic; the 문의 of the scope is A1."""
    assert va.text_coverage(con, OCT25) == {
        "items": 5,
        "analysed": 5,
        "topical": 5,
        "other": 0,
        "with_keywords": 5,
        "other_share": 0.0,
    }
    assert va.text_coverage(con, OCT25, "문의")["items"] == 1


def test_topic_candidates_need_items_left_in_other(con, env):
    assert va.topic_candidates(con, H2_25, env).empty
    assert list(va.topic_candidates(con, H2_25, env).columns) == ["topic", "words", "items", "share"]


def test_topic_trends_by_facility(con):
    df = va.topic_trends(con, H2_25, facility="철로자전거")
    assert df.groupby("topic")["items"].sum().to_dict() == {"주차": 2, "요금·환불": 2}


def test_items_with_topic_hides_text_unless_asked(con):
    df = va.items_with_topic(con, H2_25, "요금·환불")
    assert df["voc_id"].tolist() == ["B4", "B2", "A2"]
    assert "title" not in df.columns and "content" not in df.columns
    df = va.items_with_topic(con, H2_25, "요금·환불", with_text=True, facility="철로자전거")
    assert df["title"].tolist() == ["환불 재요청", "환불 요청"]


def test_keywords_top_and_previous_period(con, env):
    df = va.top_keywords(con, NOV25, env).set_index("keyword")
    assert df.loc["환불", "items"] == 1 and df.loc["환불", "previous"] == 1
    assert df.loc["예약", "items"] == 1 and df.loc["예약", "previous"] == 0
    assert "문의" not in df.index  # a stop word in settings


def test_rising_keywords_threshold(con, env):
    raw = {**env.raw, "trends": {**env["trends"], "rising_min_items": 1}}
    settings = replace(env, raw=raw)
    df = va.rising_keywords(con, NOV25, settings)
    assert "예약" in df["keyword"].tolist()
    assert "환불" not in df["keyword"].tolist()  # 1 → 1: not rising
    assert va.rising_keywords(con, NOV25, env).empty  # default minimum of 5 items


def test_items_with_keyword(con):
    assert va.items_with_keyword(con, H2_25, "환불")["voc_id"].tolist() == ["B4", "A2"]


def test_prevention_matrix(con, env):
    df = va.prevention_matrix(con, H2_25, env).set_index("topic")
    assert df.loc["요금·환불", ["frequency", "severity"]].tolist() == pytest.approx([3, 7 / 3])
    assert df.loc["주차", ["frequency", "severity"]].tolist() == pytest.approx([2, 1.5])
    assert "친절" not in df.index  # only 칭찬 (weight 0) mentions it
    assert df.index[df["candidate"]].tolist() == ["요금·환불"]
    assert df.loc["주차", "quadrant"] == "빈도 관리"
    assert df.loc["안전", "quadrant"] == "중대 사안 관리"
    assert df.loc["예약", "quadrant"] == "관찰"


def test_prevention_matrix_by_facility(con, env):
    df = va.prevention_matrix(con, H2_25, env, by_facility=True)
    row = df[(df["facility"] == "철로자전거") & (df["topic"] == "요금·환불")].iloc[0]
    assert (row["frequency"], row["severity"]) == (2, 2)


def test_recurrence_after_handling_within_window(con, env):
    df = va.recurrences(con, H2_25, env)
    assert df[["facility", "topic", "items", "recurrences"]].values.tolist() == [
        ["철로자전거", "요금·환불", 2, 1]
    ]
    assert df.iloc[0]["last_handled_before"] == pd.Timestamp("2025-10-13 15:00")
    assert df.iloc[0]["last_recurrence"] == pd.Timestamp("2025-11-17 10:00")


def test_recurrence_window_is_a_setting(con, env):
    raw = {**env.raw, "trends": {**env["trends"], "recurrence_days": 500}}
    df = va.recurrences(con, H2_25, replace(env, raw=raw)).set_index("topic")
    assert df.loc["주차", "recurrences"] == 1  # B3 came back 13 months after Y1 was handled


def test_faq_candidates(con, env):
    df = va.faq_candidates(con, H2_25, env, with_text=True)
    assert df["topic"].tolist() == ["예약", "주차"]
    assert df["share"].tolist() == [0.5, 0.5]
    assert df.loc[df["topic"] == "예약", "examples"].item() == "캠핑장 예약 문의"
    assert "examples" not in va.faq_candidates(con, H2_25, env).columns


def test_spikes_flag_a_jump_against_own_history(env):
    with db.session(env.db_path) as c:
        voc_database.insert_rows(c, voc_database.spike_rows(), voc_database.SPIKE_COLUMNS)
        df = va.spikes(c, period("quarter", 2026, 1), env)
        none_2025 = va.spikes(c, period("year", 2025), env)
    assert df[["month", "facility", "voc_type", "items"]].values.tolist() == [
        [pd.Timestamp("2026-01-01"), "철로자전거", "불만", 6]
    ]
    assert (df.iloc[0]["baseline"], df.iloc[0]["jump"], df.iloc[0]["ratio"]) == (1, 5, 6)
    assert none_2025.empty


def test_empty_scope_gives_empty_frames(con, env):
    nothing = depts(OCT25, "없는부서")
    assert va.compliance_summary(con, nothing)["compliance"] is None
    for frame in (
        va.compliance_by(con, nothing, "facility"),
        va.processing_time_by_type(con, nothing),
        va.processing_time_distribution(con, nothing),
        va.open_items(con, nothing, NOW, env),
        va.topic_counts(con, nothing),
        va.prevention_matrix(con, nothing, env),
        va.recurrences(con, nothing, env),
        va.faq_candidates(con, nothing, env),
        va.top_keywords(con, nothing, env),
        va.spikes(con, nothing, env),
    ):
        assert frame.empty
