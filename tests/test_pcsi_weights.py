"""Survey weights everywhere or nowhere: with a weight column the index, the year-over-year test, the
group intervals and the importance correlations are all weighted (checked against formulas computed
here from the raw file, not through ccm.pcsi); without one, all are the textbook unweighted figures."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ccm import db, pcsi
from etl import survey
from etl.demo_survey import _pcsi_frame
from tests.support.survey_files import xlsx

AREAS = {"A": "서비스환경", "B": "서비스과정", "C": "서비스결과", "D": "사회적만족", "E": "전반적만족"}
SHARE = {"A": 0.1, "B": 0.2, "C": 0.2, "D": 0.2, "E": 0.3}
YEARS = (2025, 2026)


def _frame(year: int) -> pd.DataFrame:
    rng = np.random.default_rng(year)
    df = _pcsi_frame(year, 360, rng, YEARS[-1])
    # respondents of the weaker facilities count more, so weighting moves every statistic
    df.insert(
        4,
        "가중치",
        np.where(df["이용시설"].isin(["관광사격장", "국민여가캠핑장"]), 2.5, 1.0)
        * np.round(rng.uniform(0.6, 1.4, len(df)), 3),
    )
    return df


@pytest.fixture(scope="module")
def frames() -> dict[int, pd.DataFrame]:
    return {y: _frame(y) for y in YEARS}


def _load(env, frames, weight_column: str):
    with db.session(env.db_path) as con:
        for y, df in frames.items():
            spec = replace(survey.load_spec(), year=y, weight_column=weight_column)
            survey.load(con, xlsx(df), spec, env, name=f"pcsi_{y}.xlsx")


@pytest.fixture
def weighted(env, frames):
    _load(env, frames, "가중치")
    return env


@pytest.fixture
def unweighted(env, frames):
    _load(env, frames, "")  # the same files, weight column not named: weights must play no part
    return env


# ---- the reference, from the raw file --------------------------------------------------------------
def _scores(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Item scores (98/99 → missing) and each respondent's area means."""
    items = pd.DataFrame(
        {
            f"{a}{k}": df[f"{a}{k}"].map(lambda x: np.nan if x in (98, 99) else (x - 1) / 6 * 100)
            for a in AREAS
            for k in (1, 2, 3)
        },
        dtype="float64",
    )
    areas = pd.DataFrame({a: items[[f"{a}{k}" for k in (1, 2, 3)]].mean(axis=1) for a in AREAS})
    assert areas.notna().all().all(), "every respondent answers every area in these files"
    return items, areas


def _composite(areas: pd.DataFrame) -> pd.Series:
    return sum(SHARE[a] * areas[a] for a in AREAS)


def _mean_se(o: pd.Series, w: pd.Series) -> tuple[float, float, float]:
    """Weighted mean, its design-based SE √(n/(n−1) Σ w²(o − ō)² / (Σw)²) and Kish's n."""
    o, w = o.to_numpy(), w.to_numpy()
    m = np.average(o, weights=w)
    n = len(o)
    se = math.sqrt(n / (n - 1) * np.sum(w**2 * (o - m) ** 2) / np.sum(w) ** 2)
    return m, se, np.sum(w) ** 2 / np.sum(w**2)


def _wcorr(x: pd.Series, y: pd.Series, w: pd.Series) -> float:
    ok = x.notna() & y.notna()
    c = np.cov(x[ok], y[ok], aweights=w[ok])
    return c[0, 1] / math.sqrt(c[0, 0] * c[1, 1])


# ---- weighted ---------------------------------------------------------------------------------------
def test_index_is_the_weighted_formula(weighted, frames):
    df = frames[2026]
    _, areas = _scores(df)
    expected = sum(SHARE[a] * np.average(areas[a], weights=df["가중치"]) for a in AREAS)
    with db.session(weighted.db_path) as con:
        assert pcsi.overall_index(con, 2026) == pytest.approx(expected, abs=1e-9)
        assert pcsi.summary(con, 2026)["weighted"] is True


def test_facility_intervals_are_weighted(weighted, frames):
    df = frames[2026]
    o = _composite(_scores(df)[1])
    with db.session(weighted.db_path) as con:
        got = pcsi.facility_scores(con, 2026).set_index("facility")
    for name, row in got.iterrows():
        mine = df["이용시설"] == name
        m, se, _ = _mean_se(o[mine], df.loc[mine, "가중치"])
        assert row["score"] == pytest.approx(m, abs=1e-9)
        assert row["ci_low"] == pytest.approx(m - 1.96 * se, abs=1e-9)
        assert row["ci_high"] == pytest.approx(m + 1.96 * se, abs=1e-9)
        unweighted_half = 1.96 * o[mine].std(ddof=1) / math.sqrt(mine.sum())
        assert abs((row["ci_high"] - row["score"]) - unweighted_half) > 1e-6  # the weights did move it


def test_yoy_tests_the_reported_difference_with_weighted_variances(weighted, frames):
    (ma, sa, ka), (mb, sb, kb) = [
        _mean_se(_composite(_scores(frames[y])[1]), frames[y]["가중치"]) for y in (2026, 2025)
    ]
    t = (ma - mb) / math.sqrt(sa**2 + sb**2)
    df = (sa**2 + sb**2) ** 2 / (sa**4 / (ka - 1) + sb**4 / (kb - 1))
    with db.session(weighted.db_path) as con:
        out = pcsi.yoy(con, 2026)
    assert out["diff"] == pytest.approx(ma - mb, abs=1e-9) and out["diff"] == out["index"] - out["prev_index"]
    assert out["t"] * out["se"] == pytest.approx(out["diff"])  # the difference tested is the one reported
    assert (out["t"], out["df"]) == (pytest.approx(t), pytest.approx(df))
    assert out["p"] == pytest.approx(2 * stats.t.sf(abs(t), df))
    assert out["weighted"] and out["test"].startswith("가중 Welch t-검정")
    plain = stats.ttest_ind(*[_composite(_scores(frames[y])[1]) for y in (2026, 2025)], equal_var=False)
    assert abs(out["p"] - plain.pvalue) > 1e-3  # an unweighted test would have said something else


def test_importance_is_the_weighted_correlation(weighted, frames):
    df = frames[2026]
    items, areas = _scores(df)
    with db.session(weighted.db_path) as con:
        got = pcsi.items(con, 2026).set_index("item")
    for item in [c for c in items.columns if not c.startswith("E")]:
        assert got.loc[item, "importance"] == pytest.approx(
            _wcorr(items[item], areas["E"], df["가중치"]), abs=1e-9
        )
        assert got.loc[item, "score"] == pytest.approx(
            np.average(items[item].dropna(), weights=df.loc[items[item].notna(), "가중치"])
        )


def test_kish_effective_n():
    w = pd.Series([1.0, 2.0, 3.0])
    assert pcsi.kish_n(w) == pytest.approx(36 / 14)
    assert pcsi.kish_n(pd.Series([1.5] * 7)) == pytest.approx(7)


# ---- unweighted: the same files without a weight column named ---------------------------------------
def test_without_a_weight_column_every_statistic_is_unweighted(unweighted, frames):
    comp = {y: _composite(_scores(frames[y])[1]) for y in YEARS}
    items, areas = _scores(frames[2026])
    with db.session(unweighted.db_path) as con:
        s = pcsi.summary(con, 2026)
        fac = pcsi.facility_scores(con, 2026).set_index("facility")
        resp = pcsi.respondents(con, 2026)
    assert s["weighted"] is False and (resp["weight"] == 1.0).all()
    assert s["index"] == pytest.approx(comp[2026].mean(), abs=1e-9)
    ref = stats.ttest_ind(comp[2026], comp[2025], equal_var=False)
    assert (s["yoy"]["t"], s["yoy"]["p"], s["yoy"]["df"]) == (
        pytest.approx(ref.statistic),
        pytest.approx(ref.pvalue),
        pytest.approx(ref.df),
    )
    assert s["yoy"]["test"].startswith("Welch t-검정")
    for name, row in fac.iterrows():
        x = comp[2026][frames[2026]["이용시설"] == name]
        assert row["ci_high"] - row["score"] == pytest.approx(1.96 * x.std(ddof=1) / math.sqrt(len(x)))
    imp = s["items"].set_index("item")["importance"]
    ok = items["A1"].notna()
    assert imp["A1"] == pytest.approx(np.corrcoef(items.loc[ok, "A1"], areas.loc[ok, "E"])[0, 1], abs=1e-9)


# ---- the page says which ----------------------------------------------------------------------------
def _texts(at) -> str:
    return "\n".join(str(x.value) for x in [*at.caption, *at.markdown])


def test_the_page_says_the_statistics_are_weighted(weighted, app_test):
    at = app_test("pages/pcsi.py").run()
    assert not at.exception
    text = _texts(at)
    assert "가중치 열이 있어" in text and "모두 응답자 가중치로 계산합니다(가중)" in text
    assert "가중 상관계수" in text and "설계 기반(선형화) 분산" in text
    assert "가중 Welch t-검정" in {m.label: m.help for m in at.metric}["전년 대비"]
    groups = next(d.value for d in at.dataframe if "시설" in d.value.columns)
    assert "유효 표본 수(가중)" in groups.columns


def test_the_page_says_nothing_is_weighted(unweighted, app_test):
    at = app_test("pages/pcsi.py").run()
    assert not at.exception
    text = _texts(at)
    assert "가중치 열이 없어 모든 통계를 가중하지 않고" in text and "가중 상관계수" not in text
