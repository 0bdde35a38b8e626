"""Department ranking: the composite on a hand-built case, minimum counts, tie-breaks, weight changes."""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd
import pytest

from ccm import db, ranking
from ccm.period import Scope
from ccm.ranking import Component, RankingConfig
from tests.support import workbook_inspect

CFG = RankingConfig(
    components=(
        Component("kpi", "KPI", 0.5, 3, 0, 100),
        Component("compliance", "준수율", 0.3, 20, 0, 100),
        Component("pcsi", "PCSI", 0.2, 30, 50, 100),
    ),
    tie_break=("compliance", "pcsi"),
)


def hand_case() -> pd.DataFrame:
    rows = [  # department, kpi, n, compliance, n, pcsi, n
        ("가", 80, 5, 90, 40, 90, 100),  # 40 + 27 + 16 = 83
        ("나", 90, 5, 70, 40, 100, 10),  # pcsi below min n → 90×0.625 + 70×0.375 = 82.5
        ("다", 86, 5, 80, 40, 80, 100),  # 43 + 24 + 12 = 79
        ("라", 74, 5, 100, 40, 90, 100),  # 37 + 30 + 16 = 83, ties 가 → higher compliance first
        ("마", 80, 5, 90, 40, 90, 100),  # same as 가 in everything → name order
        ("바", None, 0, None, 0, None, 0),  # nothing scored → unranked, last
    ]
    return pd.DataFrame(
        rows, columns=["department", "kpi", "kpi_n", "compliance", "compliance_n", "pcsi", "pcsi_n"]
    )


def test_composite_and_order_on_hand_built_case():
    r = ranking.rank(hand_case(), CFG)
    assert list(r["department"]) == ["라", "가", "마", "나", "다", "바"]
    assert list(r["rank"][:5]) == [1, 2, 3, 4, 5] and pd.isna(r["rank"].iloc[5])
    got = dict(zip(r["department"], r["composite"]))
    assert got["가"] == pytest.approx(83.0)
    assert got["나"] == pytest.approx(82.5)
    assert got["다"] == pytest.approx(79.0)
    assert math.isnan(got["바"])


def test_minimum_count_redistributes_weight():
    r = ranking.rank(hand_case(), CFG).set_index("department")
    assert not r.loc["나", "pcsi_scored"]
    assert r.loc["나", "kpi_weight"] == pytest.approx(0.625)
    assert r.loc["나", "compliance_weight"] == pytest.approx(0.375)
    assert r.loc["나", "pcsi_weight"] == 0
    assert r.loc["나", "redistributed"] == "PCSI"
    assert r.loc["가", "redistributed"] == ""
    contribs = r.loc["나", ["kpi_contrib", "compliance_contrib", "pcsi_contrib"]]
    assert contribs.sum() == pytest.approx(r.loc["나", "composite"])


def test_tie_break_is_compliance_then_name():
    r = ranking.rank(hand_case(), CFG)
    top3 = r.head(3)
    assert list(top3["department"]) == ["라", "가", "마"]
    assert top3["tied"].all()
    assert not r.set_index("department").loc["다", "tied"]


def test_order_does_not_depend_on_input_order():
    a = ranking.rank(hand_case(), CFG)
    b = ranking.rank(hand_case().iloc[::-1], CFG)
    assert list(a["department"]) == list(b["department"])


def test_changing_a_weight_changes_the_ranking_as_expected():
    before = ranking.rank(hand_case(), CFG)
    after = ranking.rank(hand_case(), CFG.with_weights({"compliance": 0.0}))
    # without compliance: 나 = 90 (kpi only), 가 = 마 = 80, 다 = 78.57, 라 = 75.71
    assert list(after["department"][:5]) == ["나", "가", "마", "다", "라"]
    assert dict(zip(after["department"], after["composite"]))["라"] == pytest.approx(53 / 0.7)
    moved = ranking.rank_changes(before, after).set_index("department")["moved"]
    assert moved["나"] == 3 and moved["라"] == -4 and moved["가"] == 0


def test_points_are_clipped_and_direction_aware():
    lower_better = Component("complaint_trend", "불만 비중 변화", 1, 0, 10, -10)
    assert lower_better.points(-10) == 100 and lower_better.points(0) == 50
    assert lower_better.points(25) == 0 and not lower_better.higher_is_better
    assert Component("kpi", "KPI", 1, 0, 60, 100).points(120) == 100


def test_formula_text_names_every_component_and_the_tie_break(env):
    lines = ranking.formula_text(ranking.config_from_settings(env))
    text = "\n".join(lines)
    for label in (
        "KPI 달성도",
        "VOC 처리기한 준수율",
        "시설 고객만족도(PCSI)",
        "칭찬 비율",
        "불만 비중 변화",
    ):
        assert label in text
    assert "부서명 가나다순" in lines[-1] and "VOC 처리기한 준수율 높은 순" in lines[-1]


def _insert(con, rows):
    for i, (received, vtype, dept, sla_met) in enumerate(rows):
        con.execute(
            """INSERT INTO voc_items (voc_id, received_at, completed_at, voc_type, department, status,
                   sla_met, batch_id) VALUES (?, ?, ?, ?, ?, ?, ?, 1)""",
            [
                f"V{i}",
                received,
                received if sla_met is not None else None,
                vtype,
                dept,
                "완료" if sla_met is not None else "접수",
                sla_met,
            ],
        )


def test_voc_rates_from_a_real_database(db_path, env):
    cur, prev = datetime(2025, 3, 10, 10), datetime(2025, 2, 10, 10)
    rows = (
        [(cur, "불만", "가팀", True)] * 3
        + [(cur, "칭찬", "가팀", False)]
        + [(cur, "문의", "가팀", None)]
        + [(prev, "불만", "가팀", True)]
        + [(prev, "문의", "가팀", True)] * 3
    )
    with db.session(db_path) as con:
        _insert(con, rows)
        cfg = ranking.config_from_settings(env)
        df = ranking.voc_rates(con, Scope(date(2025, 3, 1), date(2025, 4, 1)), cfg).set_index("department")
    assert df.loc["가팀", "compliance"] == pytest.approx(75.0)  # 3 met of 4 decided
    assert df.loc["가팀", "compliance_n"] == 4
    assert df.loc["가팀", "praise"] == pytest.approx(20.0)  # 1 of 5 received
    assert df.loc["가팀", "complaint_trend"] == pytest.approx((3 / 5 - 1 / 4) * 100)
    assert df.loc["가팀", "complaint_trend_n"] == 4


def test_evaluate_on_empty_database_ranks_nobody(db_path, env):
    cfg = ranking.config_from_settings(env)
    with db.session(db_path) as con:
        out = ranking.evaluate(
            con, Scope(date(2025, 1, 1), date(2026, 1, 1)), datetime(2026, 1, 5), cfg, tuple(env.departments)
        )
    assert list(out["ranking"]["department"]) == sorted(env.departments)
    assert out["ranking"]["rank"].isna().all()
    assert out["awards"].empty


def _committee(result, moves, cfg=CFG) -> bytes:
    from ccm.ranking_excel import committee_workbook

    fac = pd.DataFrame(
        {
            "facility": ["A시설", "B시설", "C시설"],
            "department": ["가", "나", "다"],
            "n": [120, 10, 80],
            "score": [91.0, 95.0, 90.0],
            "ci_low": [89.0, 90.0, 88.5],
            "ci_high": [93.0, 99.0, 91.5],
        }
    )
    return committee_workbook(result, moves, cfg, ranking.awards(result, fac, cfg), fac, period="2026년")


def _ranked(values, wb) -> dict[str, tuple]:
    """부서 → (순위, 종합점수, 변동) as Excel computes them on the '순위' sheet."""
    ws = wb["순위"]
    head = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "순위")
    out = {}
    for r in range(head + 1, ws.max_row + 1):
        dept = ws.cell(r, 4).value
        if not dept:
            break
        out[dept] = tuple(workbook_inspect.value(values, wb, "순위", f"{c}{r}") for c in "AEC")
    return out


def test_committee_workbook_carries_ranking_evidence_and_awards():
    before = ranking.rank(hand_case(), CFG)
    after = ranking.rank(hand_case(), CFG.with_weights({"compliance": 0.0}))
    wb = workbook_inspect.load(
        _committee(after, ranking.rank_changes(before, after), CFG.with_weights({"compliance": 0.0}))
    )
    assert wb.sheetnames == ["순위", "구성요소별 근거", "포상 후보", "산식 설명", "시설별 PCSI"]
    evidence = wb["구성요소별 근거"]
    assert [c.value for c in evidence[4]][:3] == [
        "부서",
        "구성요소",
        "원값",
    ] and evidence.max_row == 4 + 6 * 3
    award = {r[0]: r for r in wb["포상 후보"].iter_rows(min_row=4, values_only=True)}
    assert award["우수부서"][1] == "나"
    assert (
        award["CS 우수사업장"][1] == "A시설"
    )  # B시설 scores higher but has fewer respondents than the minimum
    assert award["CS 우수사업장"][2] == "가" and "신뢰구간이 겹쳐" in award["CS 우수사업장"][5]
    fac = [c.value for c in wb["시설별 PCSI"][3]]
    assert fac[:3] == ["시설", "담당 부서", "응답자 수"] and "포상 제외(응답 30명 미만)" in fac
    assert workbook_inspect.print_problems(wb) == []


def test_committee_workbook_ranks_with_live_formulas_like_the_app(tmp_path):
    """Recomputed by an independent formula evaluator: the ranks, composites and moves the app shows;
    then a member sets the 준수율 weight back to 30% in Excel and gets the default ranking — ties
    broken by 준수율 (라 before 가) and by name (가 before 마), 바 (nothing scored) unranked."""
    before = ranking.rank(hand_case(), CFG)
    cfg = CFG.with_weights({"compliance": 0.0})
    after = ranking.rank(hand_case(), cfg)
    data = _committee(after, ranking.rank_changes(before, after), cfg)
    wb = workbook_inspect.load(data)
    ws = wb["순위"]
    assert ws["A15"].data_type == "f" or any(c.data_type == "f" for c in ws["A"])
    got = _ranked(workbook_inspect.recalc(data, tmp_path), wb)
    # without compliance: 나 = 90 (kpi only), 가 = 마 = 80, 다 = 78.57, 라 = 75.71
    assert {d: v[0] for d, v in got.items()} == {"나": 1, "가": 2, "마": 3, "다": 4, "라": 5, "바": None}
    assert got["라"][1] == pytest.approx(75.71) and got["나"][1] == pytest.approx(90.0)
    assert got["나"][2] == 3 and got["라"][2] == -4 and got["가"][2] == 0
    weight_cell = next(f"B{r}" for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "준수율")
    got = _ranked(workbook_inspect.recalc(data, tmp_path, {("순위", weight_cell): 0.3}), wb)
    assert {d: v[0] for d, v in got.items()} == {"라": 1, "가": 2, "마": 3, "나": 4, "다": 5, "바": None}
    assert {d: v[1] for d, v in got.items() if v[1] is not None} == pytest.approx(
        {"라": 83.0, "가": 83.0, "마": 83.0, "나": 82.5, "다": 79.0}
    )


def test_unknown_component_in_settings_is_refused_with_a_korean_message(env):
    raw = {**env.raw, "ranking": {"components": {"parking": {"weight": 1, "lo": 0, "hi": 1}}}}
    with pytest.raises(ValueError, match="알 수 없는 구성요소"):
        ranking.config_from_settings(type(env)(raw=raw, path=env.path))
