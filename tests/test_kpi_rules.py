"""KPI rules that a float, a blank month or an edge value cannot bend: exact bands at the shown precision,
elapsed-month targets with 미입력 months, edge rules refused at load with sheet/row/reason, and one text
of the rules for the README, the template's 안내 sheet and the review workbook."""

from __future__ import annotations

import io
import random
import re
from dataclasses import replace
from decimal import Decimal

import pandas as pd
import pytest
from openpyxl import load_workbook

from ccm import db, kpi, settings_edit
from ccm.kpi_excel import review_workbook
from ccm.settings import ROOT, load_settings
from etl import kpi as kpi_etl
from etl import kpi_template
from tests.support.kpi_workbooks import kpi_row, monthly, write_workbook

RULES = (
    kpi.Rules()
)  # shipped defaults: precision 0.1 %p, 달성 ≥ 100%, 주의 ≥ 90%, cap 120%, blank months flagged


def ev(direction, aggregation, target, values, month, plan=None, rules=RULES, automatic=False):
    return kpi.evaluate(direction, aggregation, target, plan, values, month, rules, automatic=automatic)


# ---- 1. exact bands -----------------------------------------------------------------------------------
def test_lower_is_better_average_of_4_2_4_9_5_9_against_5_is_achieved():
    naive = (4.2 + 4.9 + 5.9) / 3
    assert naive == 5.000000000000001 and 5 / naive < 1.0  # the float path: 0.9999999999999998 → 주의
    r = ev("lower", "average", 5, {1: 4.2, 2: 4.9, 3: 5.9}, 3)
    assert (r["actual"], r["target"], r["attainment"]) == (5.0, 5.0, 1.0)
    assert kpi.verdict(r, RULES) == "달성" and kpi.fmt_attainment(r["attainment"], RULES) == "100.0%"


def test_the_same_case_loaded_through_the_workbook_and_the_database(env, tmp_path):
    path = write_workbook(
        tmp_path / "k.xlsx",
        [
            kpi_row(
                "문화사업팀",
                "민원 처리일수",
                unit="일",
                direction="낮을수록 좋음",
                aggregation="평균",
                target=5,
            )
        ],
        monthly(2026, "문화사업팀", "민원 처리일수", {1: 4.2, 2: 4.9, 3: 5.9}),
    )
    assert kpi_etl.load(path, env.db_path, env).ok
    with db.session(env.db_path) as con:
        row = kpi.review(con, 2026, 3).iloc[0]
    assert (row["attainment"], row["status"]) == (1.0, "달성")


def _split(total: int, n: int, rng: random.Random) -> list[float]:
    """n two-decimal values (cents) adding up to `total` cents."""
    while True:
        cuts = [rng.randint(0, total) for _ in range(n - 1)]
        parts = [b - a for a, b in zip([0, *sorted(cuts)], [*sorted(cuts), total])]
        if all(p >= 0 for p in parts):
            return [p / 100 for p in parts]


CASES = [(d, a) for d in ("higher", "lower") for a in ("cumulative", "average", "latest")]


@pytest.mark.parametrize("direction, aggregation", CASES)
@pytest.mark.parametrize("ratio, band", [(Decimal("0.9"), "주의"), (Decimal("1"), "달성")])
def test_random_two_decimal_values_exactly_at_a_band_edge_get_that_band(direction, aggregation, ratio, band):
    rng = random.Random(f"{direction}{aggregation}{ratio}")
    naive_misses = 0
    for _ in range(300):
        month = rng.randint(1, 12)
        c = rng.randint(1, 50_000)
        # cents: the period's target and actual with actual/target = ratio (higher) or target/actual = ratio (lower)
        target, actual = (
            (10 * c, int(10 * c * ratio)) if direction == "higher" else (int(10 * c * ratio), 10 * c)
        )
        if aggregation == "cumulative":
            annual = Decimal(target) * 12 / month / 100  # so that annual × month ÷ 12 is the period's target
            values = dict(zip(range(1, month + 1), _split(actual, month, rng)))
        elif aggregation == "average":
            annual = Decimal(target) / 100
            values = dict(zip(range(1, month + 1), _split(actual * month, month, rng)))
        else:
            annual, values = Decimal(target) / 100, {month: actual / 100}
        r = ev(direction, aggregation, float(annual), values, month)
        shown = kpi.fmt_attainment(r["attainment"], RULES)
        assert (kpi.verdict(r, RULES), shown) == (band, f"{ratio * 100:.1f}%"), (annual, values, month)
        total = sum(values.values()) if aggregation == "cumulative" else sum(values.values()) / len(values)
        t = float(annual) * (month / 12 if aggregation == "cumulative" else 1)
        naive = total / t if direction == "higher" else t / total
        naive_misses += naive < float(ratio)
    if aggregation != "latest":
        assert naive_misses > 0  # the raw float comparison would have dropped some of them a band


def test_status_always_agrees_with_the_figure_shown():
    rng = random.Random(7)
    for rules in (RULES, replace(RULES, precision=1.0), replace(RULES, precision=0.01)):
        for _ in range(2000):
            a = rng.uniform(0.85, 1.05)
            shown = Decimal(kpi.fmt_attainment(a, rules).rstrip("%")) / 100
            expected = "달성" if shown >= 1 else "주의" if shown >= Decimal("0.9") else "미달"
            assert kpi.status(a, rules) == expected, (a, shown)


def test_half_up_at_the_shown_precision():
    assert kpi.fmt_attainment(0.8995, RULES) == "90.0%" and kpi.status(0.8995, RULES) == "주의"
    assert kpi.fmt_attainment(0.89949, RULES) == "89.9%" and kpi.status(0.89949, RULES) == "미달"
    assert kpi.fmt_attainment(0.99951, replace(RULES, precision=1.0)) == "100%"


# ---- 2. elapsed months and 미입력 -------------------------------------------------------------------------
BLANK_MARCH = {1: 10, 2: 10, 4: 10}  # a 누적 KPI of 120 a year, reviewed in April


@pytest.mark.parametrize(
    "missing, state, actual, target, attainment",
    [
        ("flag", "미입력", 30, 40, None),  # 4 elapsed months' target; not judged
        ("zero", None, 30, 40, 0.75),  # March counted as 0
        ("carry", None, 40, 40, 1.0),  # March takes February's 10
        ("exclude", None, 30, 30, 1.0),  # March left out of actual and target (the old, reported-months rule)
    ],
)
def test_a_blank_month_under_each_treatment(missing, state, actual, target, attainment):
    r = ev("higher", "cumulative", 120, BLANK_MARCH, 4, rules=replace(RULES, missing=missing))
    assert (r["state"], r["actual"], r["target"], r["attainment"]) == (state, actual, target, attainment)
    assert r["missing_months"] == [3]


def test_leaving_a_bad_month_blank_no_longer_keeps_a_hundred_percent():
    bad = ev("higher", "cumulative", 120, {1: 10, 2: 10, 3: 2}, 3)
    blank = ev("higher", "cumulative", 120, {1: 10, 2: 10}, 3)
    assert (kpi.verdict(bad, RULES), kpi.fmt_attainment(bad["attainment"], RULES)) == (
        "미달",
        "73.3%",
    )  # 22 / 30
    assert kpi.verdict(blank, RULES) == "미입력" and blank["attainment"] is None
    exclude = replace(RULES, missing="exclude")
    assert ev("higher", "cumulative", 120, {1: 10, 2: 10}, 3, rules=exclude)["attainment"] == 1.0


def test_the_ytd_target_scales_by_elapsed_months_and_the_plan():
    assert ev("higher", "cumulative", 100, {m: 8 for m in range(1, 6)}, 5)["target"] == pytest.approx(
        500 / 12
    )
    plan = [0, 0, 0, 10, 10, 10, 10, 10, 10, 10, 10, 10]
    early = ev("higher", "cumulative", 90, {1: 1, 2: 0}, 2, plan=plan)
    assert (early["state"], early["target"], early["attainment"]) == ("목표 없음", 0, None)  # not 1/0 = 100%
    assert ev("higher", "cumulative", 90, {1: 1, 2: 0, 3: 0, 4: 5}, 4, plan=plan)["attainment"] == 0.6


def test_zero_is_never_used_to_fill_a_lower_is_better_month():
    r = ev("lower", "cumulative", 60, {1: 5, 2: 5}, 3, rules=replace(RULES, missing="zero"))
    assert r["state"] == "미입력"


def test_an_incident_already_entered_settles_a_zero_target_kpi():
    assert ev("zero", "cumulative", 0, {1: 0, 2: 1}, 6)["attainment"] == 0.0
    assert ev("zero", "cumulative", 0, {1: 0, 2: 0}, 6)["state"] == "미입력"


def test_automatic_kpis_leave_months_without_data_out():
    r = ev("higher", "average", 90, {1: 90, 3: 99}, 4, automatic=True)
    assert (r["state"], r["attainment"]) == (None, 1.05)
    assert ev("higher", "latest", 90, {}, 4, automatic=True)["state"] == "실적 없음"


def test_a_missing_kpi_counts_as_zero_in_the_department_score():
    card = pd.DataFrame(
        [
            {"department": "가팀", "indicator": "a", "weight": 30.0, "attainment": 1.0, "status": "달성"},
            {"department": "가팀", "indicator": "b", "weight": 10.0, "attainment": None, "status": "미입력"},
            {
                "department": "가팀",
                "indicator": "c",
                "weight": 10.0,
                "attainment": None,
                "status": "목표 없음",
            },
            {"department": "나팀", "indicator": "a", "weight": 10.0, "attainment": 0.9, "status": "주의"},
        ]
    )
    got = kpi.scores(card, RULES).to_dict("records")
    assert got == [
        {"department": "가팀", "score": pytest.approx(0.75), "n_kpis": 2, "n_missing": 1},
        {"department": "나팀", "score": pytest.approx(0.9), "n_kpis": 1, "n_missing": 0},
    ]


# ---- 3. edge rules at load --------------------------------------------------------------------------------
def _row(**kw):
    return kpi_row("문화사업팀", "지표", **kw)


EDGE = {  # case → (definition row, actuals, sheet, row, column, words of the reason)
    "higher target 0": (_row(target=0), [], "KPI정의", 2, "연간목표", "0보다 커야"),
    "lower target 0": (
        _row(direction="낮을수록 좋음", target=0),
        [],
        "KPI정의",
        2,
        "연간목표",
        "'0이 목표'로",
    ),
    "negative target": (
        _row(direction="낮을수록 좋음", target=-3),
        [],
        "KPI정의",
        2,
        "연간목표",
        "0보다 커야",
    ),
    "zero target with 최근값": (
        _row(direction="0이 목표", aggregation="최근값", target=0),
        [],
        "KPI정의",
        2,
        "집계방식",
        "'누적'이어야",
    ),
    "negative plan month": (
        _row(target=12, plan=[1] * 11 + [-1]),
        [],
        "KPI정의",
        2,
        "12월목표",
        "음수일 수 없습니다",
    ),
    "zero plan month of 평균": (
        _row(unit="점", aggregation="평균", target=90, plan=[90] * 5 + [0] + [90] * 6),
        [],
        "KPI정의",
        2,
        "6월목표",
        "0보다 커야",
    ),
    "cumulative plan of zeros": (_row(target=12, plan=[0] * 12), [], "KPI정의", 2, "12월목표", "합계가 0"),
    "plan on a zero target": (
        _row(direction="0이 목표", target=0, plan=[0] * 11 + [1]),
        [],
        "KPI정의",
        2,
        "12월목표",
        "월별 목표를 적지 않습니다",
    ),
    "negative lower actual": (
        _row(unit="%p", direction="낮을수록 좋음", target=5),
        monthly(2026, "문화사업팀", "지표", {1: -2}),
        "월별실적",
        2,
        "실적",
        "낮을수록 좋음",
    ),
    "negative count": (
        _row(unit="건", target=12),
        monthly(2026, "문화사업팀", "지표", {1: 3, 2: -1}),
        "월별실적",
        3,
        "실적",
        "단위가 '건'",
    ),
    "negative rate": (
        _row(unit="%", aggregation="평균", target=95),
        monthly(2026, "문화사업팀", "지표", {1: -5}),
        "월별실적",
        2,
        "실적",
        "단위가 '%'",
    ),
}


@pytest.mark.parametrize("case", list(EDGE))
def test_an_edge_case_is_refused_with_sheet_row_and_reason(env, tmp_path, case):
    definition, actuals, sheet, row, column, words = EDGE[case]
    result = kpi_etl.load(write_workbook(tmp_path / "e.xlsx", [definition], actuals), env.db_path, env)
    assert not result.ok
    hits = result.rejects[
        (result.rejects["시트"] == sheet) & (result.rejects["행"] == row) & (result.rejects["열"] == column)
    ]
    assert len(hits) == 1 and words in hits.iloc[0]["사유"], result.rejects.to_dict("records")
    with db.session(env.db_path) as con:
        assert con.execute("SELECT count(*) FROM kpi_definitions").fetchone()[0] == 0


def test_a_negative_value_is_accepted_where_the_unit_allows_it(env, tmp_path):
    path = write_workbook(
        tmp_path / "ok.xlsx",
        [_row(unit="%p", aggregation="최근값", target=2)],
        monthly(2026, "문화사업팀", "지표", {1: -0.5}),
    )
    assert kpi_etl.load(path, env.db_path, env).ok
    with db.session(env.db_path) as con:
        assert kpi.review(con, 2026, 1).iloc[0]["attainment"] == 0.0  # never below 0%


def test_stored_definitions_decide_for_an_actuals_only_workbook(env, tmp_path):
    first = write_workbook(tmp_path / "d.xlsx", [_row(direction="낮을수록 좋음", target=5)], [])
    assert kpi_etl.load(first, env.db_path, env).ok
    result = kpi_etl.load(
        write_workbook(tmp_path / "a.xlsx", [], monthly(2026, "문화사업팀", "지표", {1: -1})),
        env.db_path,
        env,
    )
    assert not result.ok and "낮을수록 좋음" in result.rejects.iloc[0]["사유"]


# ---- 4. one text ----------------------------------------------------------------------------------------
def _readme_block() -> str:
    text = (ROOT / "docs" / "analysis.md").read_text(encoding="utf-8")
    return re.search(r"<!-- kpi-rules:[^>]*-->\n(.*?)\n<!-- /kpi-rules -->", text, re.S)[1]


def test_the_readme_states_the_rules_of_the_shipped_settings():
    shipped = load_settings(ROOT / "settings.toml")
    assert _readme_block() == kpi.rules_markdown(kpi.rules_from(shipped), kpi.non_negative_units(shipped))


def test_the_template_and_the_review_workbook_state_the_same_rules(env):
    lines = kpi.rules_lines(kpi.rules_from(env), kpi.non_negative_units(env))
    guide = [r[0].value for r in load_workbook(io.BytesIO(kpi_template.build(env, 2026)))["안내"].iter_rows()]
    assert guide[-len(lines) :] == lines
    assert not any("실적 월 수" in str(v) or "reported" in str(v) for v in guide)
    review = load_workbook(
        io.BytesIO(
            review_workbook(
                "검토", *[pd.DataFrame()] * 5, None, 1.2, kpi.rules_from(env), kpi.non_negative_units(env)
            )
        )
    )["요약"]
    assert [c.value for c in review["A"] if c.value in lines] == lines
    # every section of the text, in the README's words too
    for section, body in kpi.rules_text(kpi.rules_from(env), kpi.non_negative_units(env)).items():
        assert f"- **{section}** " + " ".join(body) in _readme_block()


def test_the_text_follows_the_settings():
    text = kpi.rules_text(replace(RULES, missing="carry", precision=1.0))
    assert "직전" not in " ".join(kpi.rules_text(RULES)["미입력"]) and "앞 달의 실적" in text["미입력"][0]
    assert "100% 이상 달성, 90% 이상 주의" in text["판정"][0]


def test_review_workbook_percentages_follow_the_precision():
    from ccm.kpi_excel import percent_format

    assert [percent_format(replace(RULES, precision=p)) for p in (1.0, 0.1, 0.01)] == ["0%", "0.0%", "0.00%"]


@pytest.mark.parametrize(
    "key, value, words",
    [
        ("precision", 0.3, "precision"),
        ("missing_months", "skip", "missing_months"),
        ("cap", 0.8, "cap"),
    ],
)
def test_the_settings_editor_refuses_kpi_values_the_engine_cannot_use(env, key, value, words):
    raw = settings_edit.parse(env.path.read_text(encoding="utf-8"))
    raw["kpi"][key] = value
    assert any(words in e for e in settings_edit.validate(raw))
    raw["kpi"][key] = {"precision": 0.01, "missing_months": "carry", "cap": 1.5}[key]
    assert not [e for e in settings_edit.validate(raw) if "[kpi" in e]


def test_the_page_shows_a_blank_month_as_unreported(env, tmp_path, app_test):
    path = write_workbook(
        tmp_path / "p.xlsx",
        [_row(target=24, weight=10)],
        monthly(2026, "문화사업팀", "지표", {1: 2, 2: 2, 4: 9}),
    )
    assert kpi_etl.load(path, env.db_path, env).ok
    at = app_test("pages/kpi.py").run()
    assert not at.exception
    pivot = next(d.value for d in at.dataframe if "문화사업팀" in d.value.columns)
    assert pivot.loc["지표", "문화사업팀"] == "미입력 *"
    assert any("빈 달: 미입력으로 표시" in c.value for c in at.caption)
