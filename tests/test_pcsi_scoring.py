"""Scoring against hand calculations on a small file written in the test."""

import math
from dataclasses import replace

import pytest
from scipy import stats

from ccm import db, pcsi
from ccm.settings import Settings
from etl import survey
from tests.support.survey_files import SMALL_SPEC, frame, xlsx

# Hand calculation (7-point: s(x) = (x−1)/6×100; A2 reversed: x → 8 − x; 98/99 missing):
#   R1 w1 단산모노레일: 환경 (100 + s(6)=83.33)/2 = 91.667, 과정 83.333, 결과 66.667, 사회 —, 전반 100
#   R2 w2 철로자전거:   환경 66.667 (A2 missing), 과정 100, 결과 50, 사회 83.333, 전반 83.333
#   R3 w1 단산모노레일: 환경 (50 + s(7)=100)/2 = 75, 과정 66.667, 결과 100, 사회 100, 전반 66.667
#   R4 w1 철로자전거:   환경 (83.333 + s(4)=50)/2 = 66.667, 과정 —, 결과 83.333, 사회 66.667, 전반 100
# Weighted area means: 환경 366.667/5, 과정 350/4, 결과 350/5, 사회 333.333/4, 전반 433.333/5
AREAS = {
    "서비스환경": 73.3333,
    "서비스과정": 87.5,
    "서비스결과": 70.0,
    "사회적만족": 83.3333,
    "전반적만족": 86.6667,
}
INDEX = 81.5  # .1×73.333 + .2×87.5 + .2×70 + .2×83.333 + .3×86.667
MONORAIL = 85.0  # .1×83.333 + .2×75 + .2×83.333 + .2×100 + .3×83.333
RAILBIKE = 81.1111  # .1×66.667 + .2×100 + .2×61.111 + .2×77.778 + .3×88.889


@pytest.fixture
def loaded(env):
    with db.session(env.db_path) as con:
        survey.load(con, xlsx(frame()), SMALL_SPEC, env, name="small.xlsx")
    return env


def test_item_scores_of_each_scale():
    import pandas as pd

    x = pd.Series([1.0, 4.0, 7.0])
    assert list(pcsi.item_score(x, 7)) == [0.0, 50.0, 100.0]
    assert list(pcsi.item_score(pd.Series([1.0, 3.0, 5.0]), 5)) == [0.0, 50.0, 100.0]
    assert list(pcsi.item_score(pd.Series([0.0, 7.0, 10.0]), 11)) == [0.0, 70.0, 100.0]
    assert list(pcsi.item_score(x, 7, reverse=True)) == [100.0, 50.0, 0.0]
    assert list(pcsi.item_score(pd.Series([1.0, 2.0, 3.0]), 3)) == [0.0, 50.0, 100.0]
    assert list(pcsi.item_score(pd.Series([1.0, 4.0]), 4)) == [0.0, 100.0]
    assert list(pcsi.item_score(pd.Series([1.0, 4.0]), 4, reverse=True)) == [100.0, 0.0]
    assert list(pcsi.item_score(pd.Series([1.0, 10.0]), 10)) == [0.0, 100.0]
    assert pcsi.scale_range(10) == (1, 10) and pcsi.scale_range(11) == (0, 10)


def test_missing_codes_and_out_of_scale_never_score():
    import pandas as pd

    value, status = pcsi.classify(pd.Series(["7", "98", "99", "", None, "8", "0", "3.5", "다"]), 7, (98, 99))
    assert list(status) == [
        "ok",
        "missing",
        "missing",
        "missing",
        "missing",
        "invalid",
        "invalid",
        "invalid",
        "invalid",
    ]
    assert value.notna().sum() == 1


def test_text_missing_codes_are_missing_not_out_of_scale():
    import pandas as pd

    _, status = pcsi.classify(pd.Series(["모름", " 무응답 ", "7", "잘모름"]), 7, (98, 99, "모름", "무응답"))
    assert list(status) == ["missing", "missing", "ok", "invalid"]


def test_area_scores_match_hand_calculation(loaded):
    with db.session(loaded.db_path) as con:
        df = pcsi.area_scores(con, 2025, opts=pcsi.options_from(loaded))
    got = dict(zip(df["area"], df["score"]))
    assert got == pytest.approx(AREAS, abs=1e-4)
    assert dict(zip(df["area"], df["n"])) == {
        "서비스환경": 4,
        "서비스과정": 3,
        "서비스결과": 4,
        "사회적만족": 3,
        "전반적만족": 4,
    }


def test_overall_index_uses_configured_weights(loaded):
    with db.session(loaded.db_path) as con:
        assert pcsi.overall_index(con, 2025) == pytest.approx(INDEX, abs=1e-9)
        equal = pcsi.Options(area_weights=tuple((a, 1.0) for a in AREAS))
        assert pcsi.overall_index(con, 2025, opts=equal) == pytest.approx(sum(AREAS.values()) / 5, abs=1e-3)
        assert pcsi.overall_index(con, 2024) is None


def test_facility_scores_with_department(loaded):
    with db.session(loaded.db_path) as con:
        df = pcsi.facility_scores(con, 2025).set_index("facility")
    assert df.loc["단산모노레일", "score"] == pytest.approx(MONORAIL, abs=1e-4)
    assert df.loc["철로자전거", "score"] == pytest.approx(RAILBIKE, abs=1e-4)
    assert df.loc["단산모노레일", "department"] == "단산시설팀"
    assert df.loc["철로자전거", "department"] == "관광사업팀"
    assert list(df["n"]) == [2, 2] and df["below_min_n"].all()


def test_missing_and_invalid_are_reported_per_item(env):
    with db.session(env.db_path) as con:
        relaxed = Settings(raw={**env.raw, "pcsi": {**env["pcsi"], "max_invalid_share": 0.5}}, path=env.path)
        res = survey.load(con, xlsx(frame(C1=[5, 4, 8, 6])), SMALL_SPEC, relaxed, name="x.xlsx")
        assert res.report["missing"] == {"A2": 1, "B1": 1, "D1": 1}
        assert res.report["invalid"] == {"C1": 1}
        assert res.report["invalid_rows"] == [{"row": 4, "item": "C1", "value": "8"}]
        problems = pcsi.answer_problems(con, 2025).set_index("item")
        assert problems.loc["C1", "invalid"] == 1 and problems.loc["C1", "invalid_rows"] == "4행=8"
        # R3's 결과 area has no valid answer left: 결과 = (66.667 + 2×50 + 83.333) / 4
        scores = pcsi.area_scores(con, 2025).set_index("area")["score"]
        assert scores["서비스결과"] == pytest.approx(62.5)


def test_interval_is_mean_plus_minus_196_sd_over_sqrt_n(env):
    from tests.support.survey_files import pcsi_ministry_frame

    with db.session(env.db_path) as con:
        survey.load(con, xlsx(pcsi_ministry_frame()), survey.load_spec(), env, name="m.xlsx")
        resp = pcsi.respondents(con, 2025)
        fac = pcsi.facility_scores(con, 2025).set_index("facility")
    for name, row in fac.iterrows():
        x = resp.loc[resp["facility"] == name, "overall"]
        assert row["n"] == len(x) == 40
        assert row["score"] == pytest.approx(x.mean())  # unweighted, nothing missing: index = mean
        lo, hi = stats.norm.interval(0.95, loc=x.mean(), scale=stats.sem(x))
        assert row["ci_low"] == pytest.approx(lo, abs=2e-3) and row["ci_high"] == pytest.approx(hi, abs=2e-3)
        assert row["ci_high"] - row["score"] == pytest.approx(1.96 * x.std(ddof=1) / math.sqrt(40))
        assert not row["below_min_n"]


def test_yoy_is_welch_t_test(env):
    from tests.support.survey_files import pcsi_ministry_frame

    with db.session(env.db_path) as con:
        spec = survey.load_spec()
        survey.load(con, xlsx(pcsi_ministry_frame(seed=1)), replace(spec, year=2024), env, name="a.xlsx")
        survey.load(con, xlsx(pcsi_ministry_frame(seed=2)), replace(spec, year=2025), env, name="b.xlsx")
        out = pcsi.yoy(con, 2025)
        a = pcsi.respondents(con, 2025)["overall"]
        b = pcsi.respondents(con, 2024)["overall"]
    ref = stats.ttest_ind(a, b, equal_var=False)
    assert out["t"] == pytest.approx(ref.statistic) and out["p"] == pytest.approx(ref.pvalue)
    # Welch–Satterthwaite degrees of freedom, by the textbook formula
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    assert out["df"] == pytest.approx((va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)))
    assert out["diff"] == pytest.approx(out["index"] - out["prev_index"])


def test_importance_is_correlation_with_overall_area(loaded):
    with db.session(loaded.db_path) as con:
        items = pcsi.items(con, 2025).set_index("item")
        resp = pcsi.respondents(con, 2025)
    # A1 scores of R1..R4: 100, 66.667, 50, 83.333; 전반적만족: 100, 83.333, 66.667, 100; weights 1, 2, 1, 1
    import numpy as np

    c = np.cov([100, 200 / 3, 50, 250 / 3], [100, 250 / 3, 200 / 3, 100], aweights=[1, 2, 1, 1])
    expected = c[0, 1] / math.sqrt(c[0, 0] * c[1, 1])  # the survey has a weight column: weighted Pearson
    assert items.loc["A1", "importance"] == pytest.approx(expected, abs=1e-4)
    assert math.isnan(items.loc["E1", "importance"])  # the outcome itself is not rated
    assert items.loc["A1", "quadrant"] == "중점개선(우선 개선)"
    assert list(pcsi.fix_first(items.reset_index())["item"])[0] == "A1"
    assert len(resp) == 4


def test_demographic_filter_restricts_respondents(loaded):
    with db.session(loaded.db_path) as con:
        women = pcsi.Filter(demographics=(("성별", ("여",)),))
        df = pcsi.respondents(con, 2025, flt=women)
        by_gender = pcsi.group_scores(con, 2025, by="성별").set_index("group")
    assert sorted(df["resp_no"]) == [3, 4]  # R2, R3 (Excel rows 3 and 4)
    assert by_gender.loc["여", "n"] == 2 and by_gender.loc["남", "n"] == 2
