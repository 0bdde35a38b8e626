"""Attainment for every direction × aggregation, on hand-computed cases."""

from __future__ import annotations

import pytest

from ccm.kpi import Rules, evaluate, gap, ratio, status, verdict

CAP = 1.2
PLAN = [5, 5, 10, 10, 10, 10, 10, 10, 10, 10, 5, 5]  # 100 a year
RULES = Rules(cap=CAP)
EXCLUDE = Rules(cap=CAP, missing="exclude")  # the old treatment: blank months leave the target too


def ev(direction, aggregation, target, values, month, plan=None, rules=RULES):
    return evaluate(direction, aggregation, target, plan, values, month, rules)


def test_cumulative_in_june_is_judged_against_the_ytd_target_pro_rata():
    r = ev("higher", "cumulative", 120, {1: 10, 2: 12, 3: 8, 4: 10, 5: 9, 6: 5}, 6)
    assert (r["actual"], r["target"]) == (54, 60)  # 120 × 6/12
    assert r["attainment"] == pytest.approx(0.9)


def test_cumulative_uses_the_monthly_plan_when_given():
    r = ev("higher", "cumulative", 100, {m: 7 for m in range(1, 7)}, 6, plan=PLAN)
    assert (r["actual"], r["target"]) == (42, 50)  # 5+5+10+10+10+10
    assert r["attainment"] == pytest.approx(0.84)


def test_a_missing_month_makes_the_kpi_unreported_not_a_hundred_percent():
    r = ev("higher", "cumulative", 120, {1: 10, 2: 10, 4: 10}, 4)
    assert r["missing_months"] == [3] and r["state"] == "미입력"
    assert (r["actual"], r["target"], r["attainment"]) == (30, 40, None)  # the target of 4 elapsed months
    assert verdict(r, RULES) == "미입력"


def test_exclude_leaves_a_missing_month_out_of_actual_and_target():
    r = ev("higher", "cumulative", 120, {1: 10, 2: 10, 4: 10}, 4, rules=EXCLUDE)
    assert r["missing_months"] == [3]
    assert (r["actual"], r["target"], r["attainment"]) == (30, 30, 1.0)  # 3 reported months of 10


def test_zero_target_with_one_incident_is_zero_percent():
    r = ev("zero", "cumulative", 0, {1: 0, 2: 0, 3: 1, 4: 0, 5: 0, 6: 0}, 6)
    assert (r["actual"], r["target"], r["attainment"]) == (1, 0, 0.0)


def test_zero_target_without_incidents_is_hundred_percent():
    assert ev("zero", "cumulative", 0, {m: 0 for m in range(1, 7)}, 6)["attainment"] == 1.0
    # judged on the period's sum whatever the aggregation says: January's incident is not forgotten
    assert ev("zero", "latest", 0, {1: 2, 2: 0}, 2)["attainment"] == 0.0
    assert ev("zero", "average", 0, {1: 1, 2: 0}, 2)["attainment"] == 0.0


def test_lower_is_better_is_target_over_actual():
    r = ev("lower", "cumulative", 60, {m: 8 for m in range(1, 7)}, 6)
    assert (r["actual"], r["target"]) == (48, 30)
    assert r["attainment"] == pytest.approx(30 / 48)


def test_lower_is_better_caps_and_defines_an_actual_of_zero():
    assert ev("lower", "cumulative", 60, {m: 4 for m in range(1, 7)}, 6)["attainment"] == CAP  # 30/24 = 1.25
    assert ev("lower", "average", 2.0, {1: 0}, 1)["attainment"] == CAP
    assert (
        ratio("lower", 0, 0, CAP) is None and ratio("higher", 3, 0, CAP) is None
    )  # nothing to judge against


def test_average_is_the_mean_of_reported_months():
    r = ev("higher", "average", 90, {1: 80, 2: 90, 4: 100}, 4, rules=EXCLUDE)
    assert (r["actual"], r["target"], r["attainment"], r["missing_months"]) == (90, 90, 1.0, [3])
    assert ev("lower", "average", 2.0, {1: 2.0, 2: 3.0}, 2)["attainment"] == pytest.approx(0.8)


def test_average_target_from_the_plan_of_reported_months():
    r = ev("higher", "average", 100, {3: 9, 4: 9}, 4, plan=PLAN, rules=EXCLUDE)
    assert r["target"] == 10 and r["attainment"] == pytest.approx(0.9)


def test_latest_takes_the_last_reported_value_and_its_months_target():
    r = ev("higher", "latest", 90, {1: 70, 3: 85}, 4)
    assert (r["actual"], r["target"], r["last_month"], r["missing_months"]) == (85, 90, 3, [2, 4])
    assert ev("higher", "latest", 100, {3: 5}, 4, plan=PLAN)["target"] == 10


def test_higher_is_capped_and_never_negative():
    assert ev("higher", "cumulative", 12, {1: 5}, 1)["attainment"] == CAP
    assert ev("higher", "latest", 90, {1: -5}, 1)["attainment"] == 0.0


def test_no_actuals_means_no_attainment_not_zero():
    r = ev("higher", "cumulative", 12, {}, 6)
    assert r["attainment"] is None and r["missing_months"] == [1, 2, 3, 4, 5, 6] and r["state"] == "미입력"
    assert ev("higher", "cumulative", 12, {}, 6, rules=EXCLUDE)["state"] == "실적 없음"
    assert status(None, Rules()) == "실적 없음"


def test_actuals_after_the_review_month_are_ignored():
    assert ev("higher", "cumulative", 120, {1: 10, 2: 10, 3: 99}, 2)["actual"] == 20


def test_status_bands_come_from_the_rules():
    rules = Rules(achieved=1.0, warning=0.9)
    assert [status(a, rules) for a in (1.0, 0.95, 0.9, 0.89)] == ["달성", "주의", "주의", "미달"]
    assert status(0.85, Rules(warning=0.8)) == "주의"


def test_gap_is_the_shortfall_in_the_kpis_unit():
    assert gap("higher", 54, 60) == 6
    assert gap("lower", 48, 30) == 18
    assert gap("zero", 1, 0) == 1
    assert gap("higher", 70, 60) == 0
