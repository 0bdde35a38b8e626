"""개선과제 rules (ccm.actions): who may do what, the status flow, audit rows, the effect windows and
verdicts, the on-time KPI actual and the report frame — hand-computed on a small real database."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import pytest
from scipy import stats

from ccm import actions as act
from ccm import db, text
from ccm.period import Scope
from tests.support.constants import NOW_AT as NOW

ALL = Scope(date(2026, 1, 1), date(2027, 1, 1))
COLS = (
    "voc_id",
    "received_at",
    "completed_at",
    "voc_type",
    "department",
    "facility",
    "status",
    "title",
    "content",
)


@dataclass(frozen=True)
class U:
    username: str
    role: str
    department: str | None = None


ADMIN, ANALYST, VIEWER = U("admin", "관리자"), U("ana", "분석"), U("viewer", "열람")
TOUR, CULTURE = U("tour", "부서", "관광사업팀"), U("culture", "부서", "문화사업팀")


def _item(i: str, day: str, voc_type: str, facility: str = "철로자전거", title: str = "주차 불편") -> tuple:
    at = datetime.fromisoformat(day + " 10:00")
    return (i, at, at + timedelta(hours=1), voc_type, "관광사업팀", facility, "완료", title, title)


# 철로자전거 × 주차, action completed 2026-06-01, window 90 days:
# before = 2026-03-03 .. 2026-05-31 (12 items: 9 불만, 3 문의), after = 2026-06-02 .. 2026-08-30 (2 문의).
B_DAYS = [
    "2026-03-03",
    "2026-03-12",
    "2026-03-21",
    "2026-04-03",
    "2026-04-04",
    "2026-04-05",
    "2026-04-06",
    "2026-05-27",
    "2026-05-28",
]
BEFORE = [_item(f"B{k}", d, "불만") for k, d in enumerate(B_DAYS)] + [
    _item(f"Q{k}", f"2026-04-{20 + k}", "문의") for k in range(3)
]
AFTER = [_item("A1", "2026-06-02", "문의"), _item("A2", "2026-08-30", "문의")]
OUTSIDE = [
    _item("X1", "2026-03-02", "문의"),
    _item("X2", "2026-06-01", "문의"),
    _item("X3", "2026-08-31", "불만"),
]
# 관광사격장 × 주차: 3 before, 1 after an action completed 2026-06-01 → 4 items, too few.
SMALL = [_item(f"S{k}", f"2026-05-{10 + k}", "불만", "관광사격장") for k in range(3)] + [
    _item("S9", "2026-07-01", "불만", "관광사격장")
]


@pytest.fixture
def con(env):
    with db.session(env.db_path) as c:
        cols = ", ".join(COLS)
        c.executemany(
            f"INSERT INTO voc_items ({cols}, batch_id) VALUES ({', '.join('?' * len(COLS))}, 1)",
            [list(r) for r in BEFORE + AFTER + OUTSIDE + SMALL],
        )
        text.enrich(c, env)
        yield c


@pytest.fixture
def rules(env):
    return act.rules_from(env)


def _done(
    con,
    rules,
    title="철로자전거 주차 개선",
    facility="철로자전거",
    topic="주차",
    completed=date(2026, 6, 1),
    department="관광사업팀",
    due=date(2026, 6, 30),
) -> int:
    return act.create(
        con,
        ADMIN,
        rules,
        {
            "title": title,
            "department": department,
            "status": "완료",
            "topic": topic,
            "facility": facility,
            "due_date": due,
            "completed_on": completed,
        },
        now=NOW,
    )


def test_settings_give_the_manuals_flow_and_a_90_day_window(rules):
    assert rules.statuses == ("발굴", "계획", "시행", "완료", "효과 확인")
    assert (rules.window_days, rules.done, rules.checked) == (90, "완료", "효과 확인")


def test_effect_counts_equal_windows_around_the_completion_day(con, rules):
    aid = _done(con, rules)
    row = act.effect(con, ALL, NOW, rules).set_index("action_id").loc[aid]
    assert (row["before_items"], row["after_items"]) == (12, 2)
    assert (row["before_start"], row["after_end"]) == (date(2026, 3, 3), date(2026, 8, 30))
    assert (row["before_complaints"], row["after_complaints"]) == (9, 0)
    assert row["before_complaint_share"] == pytest.approx(0.75)
    assert row["after_complaint_share"] == 0
    assert row["change"] == -10 and row["change_rate"] == pytest.approx(-10 / 12)


def test_effect_p_value_is_the_exact_conditional_binomial_test(con, rules):
    aid = _done(con, rules)
    row = act.effect(con, ALL, NOW, rules).set_index("action_id").loc[aid]
    # 2 of 14 under Binomial(14, ½), two-sided: 2 × (1 + 14 + 91) / 2^14
    assert row["p_value"] == pytest.approx(212 / 16384)
    assert row["p_value"] == pytest.approx(stats.binomtest(2, 14, 0.5).pvalue)
    ci = stats.binomtest(2, 14, 0.5).proportion_ci(0.95)
    assert row["ratio_low"] == pytest.approx(ci.low / (1 - ci.low))
    assert row["ratio_high"] == pytest.approx(ci.high / (1 - ci.high))
    assert row["verdict"] == "개선됨"


def test_recurrences_before_and_after(con, rules):
    # 9 불만 before: the first has no earlier handled 불만 of the cell within 90 days, the other 8 do;
    # 문의 is not a recurrence type, so the after window has none.
    aid = _done(con, rules)
    row = act.effect(con, ALL, NOW, rules).set_index("action_id").loc[aid]
    assert (row["before_recurrences"], row["after_recurrences"]) == (8, 0)


def test_more_items_after_is_worse(con, rules):
    # the same cell judged around 2026-03-02: before 2025-12-02..2026-03-01 holds nothing, after holds 12
    aid = _done(con, rules, completed=date(2026, 3, 2), due=date(2026, 3, 31))
    row = act.effect(con, ALL, NOW, rules).set_index("action_id").loc[aid]
    assert (row["before_items"], row["after_items"]) == (0, 12)
    assert row["verdict"] == "악화"


def test_too_few_items_is_held(con, rules):
    aid = _done(con, rules, title="사격장 주차", facility="관광사격장")
    row = act.effect(con, ALL, NOW, rules).set_index("action_id").loc[aid]
    assert (row["before_items"], row["after_items"]) == (3, 1)
    assert row["verdict"] == "판단 보류" and row["reason"].startswith("건수 부족: 전후 합계 4건 (기준 10건)")


def test_after_window_not_over_is_held_as_observing(con, rules):
    aid = _done(con, rules, completed=date(2026, 10, 1), due=date(2026, 10, 31))
    row = act.effect(con, ALL, NOW, rules).set_index("action_id").loc[aid]
    assert row["verdict"] == "판단 보류" and row["reason"].startswith("관찰 중") and row["observing"]


def test_the_window_is_over_the_day_after_its_last_day(con, rules):
    aid = _done(con, rules)  # after window's last day: 2026-08-30
    on_last_day = act.effect(con, ALL, datetime(2026, 8, 30, 23, 0), rules).set_index("action_id").loc[aid]
    next_day = act.effect(con, ALL, datetime(2026, 8, 31, 0, 0), rules).set_index("action_id").loc[aid]
    assert on_last_day["verdict"] == "판단 보류" and next_day["verdict"] == "개선됨"


def test_no_target_is_not_measured(con, rules):
    aid = _done(con, rules, title="응대 교육", facility=None, topic=None)
    row = act.effect(con, ALL, NOW, rules).set_index("action_id").loc[aid]
    assert row["verdict"] == "판단 보류" and "대상" in row["reason"] and row["before_items"] == 0


def test_a_facility_only_target_counts_every_item_of_the_facility(con, rules):
    aid = _done(con, rules, title="철로자전거 전반", topic=None)
    row = act.effect(con, ALL, NOW, rules).set_index("action_id").loc[aid]
    assert (row["before_items"], row["after_items"]) == (12, 2)


def test_a_setting_changes_the_window(con, rules):
    aid = _done(con, rules)
    row = act.effect(con, ALL, NOW, replace(rules, window_days=30)).set_index("action_id").loc[aid]
    # before 2026-05-02..05-31: B7 (05-27), B8 (05-28); after 06-02..07-01: A1
    assert (row["before_items"], row["after_items"]) == (2, 1)


# --- roles, status flow, audit -----------------------------------------------------------------


def _new(con, rules, user, department="관광사업팀", **more) -> int:
    return act.create(con, user, rules, {"title": "안내판 정비", "department": department, **more}, now=NOW)


def test_department_creates_and_updates_only_its_own(con, rules):
    aid = _new(con, rules, TOUR)
    with pytest.raises(act.ActionError, match="관광사업팀의 개선과제만"):
        _new(con, rules, TOUR, department="문화사업팀")
    with pytest.raises(act.ActionError, match="문화사업팀의 개선과제만"):
        act.update(con, CULTURE, rules, aid, {"cause": "x"}, now=NOW)
    assert act.update(con, TOUR, rules, aid, {"cause": "안내판 부족"}, now=NOW) == ["발생원인"]


def test_viewer_may_not_create(con, rules):
    with pytest.raises(act.ActionError, match="열람 권한"):
        _new(con, rules, VIEWER)


def test_department_sees_only_its_own_in_the_register(con, rules):
    _new(con, rules, TOUR)
    _new(con, rules, ANALYST, department="문화사업팀")
    own = replace(ALL, departments=("관광사업팀",))
    assert act.register(con, own, NOW)["department"].tolist() == ["관광사업팀"]
    assert sorted(act.register(con, ALL, NOW)["department"]) == ["관광사업팀", "문화사업팀"]


def test_status_moves_forward_only_except_for_the_administrator(con, rules):
    aid = _new(con, rules, TOUR, status="계획", due_date=date(2026, 12, 31))
    act.update(con, TOUR, rules, aid, {"status": "시행"}, now=NOW)
    with pytest.raises(act.ActionError, match="앞으로만"):
        act.update(con, TOUR, rules, aid, {"status": "계획"}, now=NOW)
    with pytest.raises(act.ActionError, match="앞으로만"):
        act.update(con, ANALYST, rules, aid, {"status": "계획"}, now=NOW)
    assert act.update(con, ADMIN, rules, aid, {"status": "계획"}, now=NOW) == ["진행 상태"]


def test_only_the_ccm_team_confirms_the_effect(con, rules):
    aid = _new(con, rules, TOUR, status="계획", due_date=date(2026, 12, 31))
    with pytest.raises(act.ActionError, match="효과 확인"):
        act.update(con, TOUR, rules, aid, {"status": "효과 확인"}, now=NOW)
    act.update(con, ANALYST, rules, aid, {"status": "효과 확인"}, now=NOW)
    assert act.get(con, aid)["completed_on"] == NOW.date()


def test_plan_needs_a_due_date(con, rules):
    with pytest.raises(act.ActionError, match="완료 예정일"):
        _new(con, rules, TOUR, status="계획")


def test_completion_fills_the_date_and_moving_back_clears_it(con, rules):
    aid = _new(con, rules, TOUR, status="시행", due_date=date(2026, 12, 31))
    act.update(con, TOUR, rules, aid, {"status": "완료"}, now=NOW)
    assert act.get(con, aid)["completed_on"] == date(2026, 11, 25)
    act.update(con, ADMIN, rules, aid, {"status": "시행"}, now=NOW)
    assert act.get(con, aid)["completed_on"] is None


def test_every_change_is_one_audit_row(con, rules):
    aid = act.create(
        con, TOUR, rules, {"title": "안내판 정비", "department": "관광사업팀"}, ("B0", "B1"), now=NOW
    )
    act.update(con, TOUR, rules, aid, {"status": "계획", "due_date": date(2026, 12, 31)}, now=NOW)
    act.update(con, TOUR, rules, aid, {"customer_told": True}, now=NOW)
    act.update(con, TOUR, rules, aid, {"customer_told": True}, now=NOW)  # nothing changed: no row
    rows = con.execute("SELECT username, action, detail FROM audit_log ORDER BY audit_id").fetchall()
    assert [(u, a) for u, a, _ in rows] == [
        ("tour", "action_create"),
        ("tour", "action_status"),
        ("tour", "action_update"),
        ("tour", "action_update"),
    ]
    assert "관련 VOC 2건" in rows[0][2]
    assert rows[1][2] == f"과제 {aid}번: 발굴 → 계획"
    assert rows[2][2] == f"과제 {aid}번: 완료 예정일=2026-12-31"
    assert rows[3][2] == f"과제 {aid}번: 고객 피드백 여부=예"


def test_linked_items_follow_the_department_scope(con, rules):
    aid = act.create(con, TOUR, rules, {"title": "안내판", "department": "관광사업팀"}, ("B0", "A1"), now=NOW)
    assert sorted(act.linked_items(con, ALL, aid)["voc_id"]) == ["A1", "B0"]
    assert act.linked_items(con, replace(ALL, departments=("문화사업팀",)), aid).empty


# --- CCO list, KPI actual, report ---------------------------------------------------------------


def test_cco_list_holds_overdue_and_unshown_effects(con, rules):
    late = _new(con, rules, TOUR, status="시행", due_date=date(2026, 11, 20))
    held = _done(con, rules, title="사격장 주차", facility="관광사격장")
    good = _done(con, rules)
    observing = _done(con, rules, title="관찰", completed=date(2026, 10, 1), due=date(2026, 10, 31))
    df = act.cco_list(con, ALL, NOW, rules)
    assert dict(zip(df["action_id"], df["kind"])) == {late: "기한 초과", held: "효과 미확인"}
    assert df.set_index("action_id").loc[late, "reason"] == "완료 예정일에서 5일 지남"
    assert good not in set(df["action_id"]) and observing not in set(df["action_id"])


def test_on_time_completion_rate(con, rules):
    _done(con, rules, title="a", completed=date(2026, 6, 1), due=date(2026, 6, 30))  # on time
    _done(con, rules, title="b", completed=date(2026, 6, 1), due=date(2026, 6, 1))  # on the day: on time
    _done(con, rules, title="c", completed=date(2026, 7, 2), due=date(2026, 7, 1))  # late
    _new(con, rules, TOUR, status="계획", due_date=date(2026, 12, 31))  # due, open
    _done(con, rules, title="d", department="문화사업팀", completed=date(2026, 6, 1), due=date(2026, 6, 30))
    _done(con, rules, title="e", completed=date(2025, 6, 1), due=date(2025, 6, 30))  # another year
    assert act.on_time_completion_rate(con, 2026) == (3, 5)
    assert act.on_time_completion_rate(con, 2026, "관광사업팀") == (2, 4)
    assert act.on_time_completion_rate(con, 2026, until=date(2026, 7, 1)) == (3, 3)
    assert act.on_time_completion_rate(con, 2024) == (0, 0)


def test_report_frame_has_korean_columns_and_the_periods_actions(con, rules, env):
    aid = _done(con, rules)
    _done(con, rules, title="old", completed=date(2025, 6, 1), due=date(2025, 6, 30))
    h1 = Scope(date(2026, 1, 1), date(2026, 7, 1))
    df = act.report_frame(con, h1, NOW, env)
    assert list(df.columns) == list(act.REPORT_COLUMNS.values())
    assert df["과제번호"].tolist() == [aid]
    row = df.iloc[0]
    assert (row["기한 내 완료"], row["고객 피드백"], row["효과 판정"]) == ("예", "아니오", "개선됨")
    assert (row["완료 전 건수"], row["완료 후 건수"]) == (12, 2)
