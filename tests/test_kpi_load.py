"""KPI workbook loading: template round trip, row-level rejects with nothing stored, upsert, rollback,
automatic actuals with visible manual overrides, scores, CLI."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

import ccm.pcsi
from ccm import db, kpi
from etl import kpi as kpi_etl
from etl import kpi_template
from etl.__main__ import main as etl_main
from tests.support.kpi_workbooks import ACT_HEADERS, DEF_HEADERS, kpi_row, monthly, write_workbook


def _state(con) -> dict:
    return {
        t: sorted(map(str, con.execute(f"SELECT * FROM {t}").fetchall()))
        for t in ("kpi_definitions", "kpi_actuals", "kpi_definitions_replaced", "kpi_actuals_replaced")
    }


def _load(path, env):
    return kpi_etl.load(path, env.db_path, env)


def _one(con, sql, params=()):
    return con.execute(sql, list(params)).fetchone()


@pytest.fixture
def simple(tmp_path):
    defs = [
        kpi_row("문화사업팀", "보도자료 배포", target=24, weight=30),
        kpi_row("문화사업팀", "전화응대 친절도 평가", unit="점", aggregation="평균", target=90, weight=10),
        kpi_row("전사", "안전사고", direction="0이 목표", target=0, weight=25),
    ]
    acts = (
        monthly(2026, "문화사업팀", "보도자료 배포", {m: 2 for m in range(1, 7)})
        + monthly(2026, "문화사업팀", "전화응대 친절도 평가", {1: 81, 2: 81})
        + monthly(2026, "전사", "안전사고", {1: 0, 2: 1})
    )
    return write_workbook(tmp_path / "kpi.xlsx", defs, acts)


def test_template_round_trip(env, tmp_path):
    data = kpi_template.build(env, 2026)
    wb = load_workbook(io.BytesIO(data))
    assert {"안내", "KPI정의", "월별실적"} <= set(wb.sheetnames)
    ws, wa = wb["KPI정의"], wb["월별실적"]
    assert ws.data_validations.dataValidation, "dropdowns for department, direction, aggregation"
    for row in ws.iter_rows(min_row=2):
        if row[9].value is None:
            row[9].value = 12  # 연간목표
    filled = 0
    for row in wa.iter_rows(min_row=2):
        if row[1].value <= 6:
            row[4].value = 1
            filled += 1
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    result = _load(path, env)
    assert result.ok, result.rejects
    n_defs = len(kpi_template.catalogue(env))
    with db.session(env.db_path) as con:
        assert _one(con, "SELECT count(*) FROM kpi_definitions")[0] == n_defs
        assert _one(con, "SELECT count(*), sum(actual) FROM kpi_actuals") == (filled, filled)
        assert (
            _one(
                con,
                "SELECT annual_target FROM kpi_definitions WHERE department = '문화사업팀' "
                "AND indicator = '보도자료 배포'",
            )[0]
            == 12
        )
        card = kpi.review(con, 2026, 6)
    press = card[(card["department"] == "문화사업팀") & (card["indicator"] == "보도자료 배포")].iloc[0]
    assert (press["actual"], press["target"], press["attainment"]) == (6, 6, 1.0)


def test_template_is_prefilled_with_stored_kpis(env, simple):
    _load(simple, env)
    with db.session(env.db_path) as con:
        data = kpi_template.build(env, 2026, kpi.definitions(con, 2026), kpi.manual_actuals(con, 2026))
    ws = load_workbook(io.BytesIO(data))["KPI정의"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert {r[5] for r in rows} == {"보도자료 배포", "전화응대 친절도 평가", "안전사고"}
    assert [r for r in rows if r[5] == "안전사고"][0][7] == "0이 목표"


def test_loaded_values_give_hand_computed_scores(env, simple):
    assert _load(simple, env).ok
    with db.session(env.db_path) as con:
        card = kpi.review(con, 2026, 6).set_index("indicator")
        scores = kpi.department_scores(con, 2026, 6)
        org = kpi.org_score(con, 2026, 6)
    # 안전사고: February's incident settles it at 0% although March–June are blank
    assert card.loc["안전사고", "attainment"] == 0.0 and card.loc["안전사고", "status"] == "미달"
    assert card.loc["전화응대 친절도 평가", "missing_months"] == "3월, 4월, 5월, 6월"
    assert card.loc["전화응대 친절도 평가", "status"] == "미입력"
    assert pd.isna(card.loc["전화응대 친절도 평가", "attainment"]) and pd.isna(
        card.loc["전화응대 친절도 평가", "gap"]
    )
    assert card.loc["보도자료 배포", "attainment"] == 1.0  # 12 of 24 × 6/12
    # 문화사업팀: (1.0 × 30 + 0% for the 미입력 KPI × 10) / 40; the organisation unit (전사) is not a department
    assert scores.to_dict("records") == [
        {"department": "문화사업팀", "score": pytest.approx(0.75), "n_kpis": 2, "n_missing": 1}
    ]
    assert org == pytest.approx(0.75)


def test_the_exclude_treatment_judges_the_reported_months_only(env, simple):
    _load(simple, env)
    rules = replace(kpi.rules_from(env), missing="exclude")
    with db.session(env.db_path) as con:
        card = kpi.review(con, 2026, 6, rules).set_index("indicator")
        scores = kpi.department_scores(con, 2026, 6, rules)
    assert card.loc["전화응대 친절도 평가", "attainment"] == pytest.approx(
        0.9
    )  # 81 of 90 in January–February
    assert scores.to_dict("records") == [
        {"department": "문화사업팀", "score": pytest.approx(0.975), "n_kpis": 2, "n_missing": 0}
    ]  # (1.0 × 30 + 0.9 × 10) / 40


def test_off_track_list_says_since_when_and_the_gap(env, tmp_path):
    path = write_workbook(
        tmp_path / "off.xlsx",
        [kpi_row("관광사업팀", "보도자료 배포", target=24)],
        monthly(2026, "관광사업팀", "보도자료 배포", {1: 2, 2: 2, 3: 0, 4: 0}),
    )
    assert _load(path, env).ok
    with db.session(env.db_path) as con:
        off = kpi.off_track(con, 2026, 4).iloc[0]
        assert kpi.off_track(con, 2026, 2).empty
    assert (off["since"], off["actual"], off["target"], off["gap"], off["status"]) == (3, 4, 8, 4, "미달")


@pytest.mark.parametrize(
    "defs_change, acts_change, sheet, column, value, reason",
    [
        ({1: "기획예산팀"}, {}, "KPI정의", "부서", "기획예산팀", "알 수 없는 값"),
        ({9: "스물넷"}, {}, "KPI정의", "연간목표", "스물넷", "숫자가 아닙니다"),
        ({}, {4: "12건"}, "월별실적", "실적", "12건", "숫자가 아닙니다"),
        ({5: "보도자료 배포"}, {}, "KPI정의", "지표명", "보도자료 배포", "중복"),
        ({7: "올라가면 좋음"}, {}, "KPI정의", "방향", "올라가면 좋음", "알 수 없는 값"),
    ],
)
def test_bad_workbook_is_rejected_with_where_and_why_and_nothing_stored(
    env, tmp_path, defs_change, acts_change, sheet, column, value, reason
):
    defs = [
        kpi_row("문화사업팀", "보도자료 배포", target=24),
        kpi_row("문화사업팀", "친절서비스 교육", target=6),
    ]
    acts = monthly(2026, "문화사업팀", "보도자료 배포", {1: 2, 2: 3})
    for i, v in defs_change.items():
        defs[1][i] = v
    for i, v in acts_change.items():
        acts[1][i] = v
    result = _load(write_workbook(tmp_path / "bad.xlsx", defs, acts), env)
    assert not result.ok
    rej = result.rejects.iloc[0]
    assert (rej["시트"], rej["행"], rej["열"], rej["값"]) == (sheet, 3, column, value)
    assert reason in rej["사유"]
    assert "아무것도 저장하지 않았습니다" in result.message
    with db.session(env.db_path) as con:
        assert _one(con, "SELECT count(*) FROM kpi_definitions")[0] == 0
        assert _one(con, "SELECT count(*) FROM kpi_actuals")[0] == 0
        assert _one(con, "SELECT count(*) FROM load_batches WHERE kind = 'kpi'")[0] == 0


def test_missing_column_is_one_clear_error(env, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "KPI정의"
    ws.append(["연도", "부서", "지표명", "단위", "집계방식", "연간목표", "가중치"])
    ws.append([2026, "문화사업팀", "보도자료 배포", "건", "누적", 12, 10])
    ws.append([2026, "문화사업팀", "친절서비스 교육", "회", "누적", 6, 10])
    wb.create_sheet("월별실적").append(["연도", "월", "부서", "지표명", "실적", "비고"])
    wb.save(tmp_path / "no_direction.xlsx")
    result = _load(tmp_path / "no_direction.xlsx", env)
    assert not result.ok
    assert result.rejects[["시트", "행", "열"]].values.tolist() == [["KPI정의", 1, "방향"]]
    assert "열이 없습니다" in result.rejects.iloc[0]["사유"]


def test_bad_workbook_leaves_earlier_loads_untouched(env, simple, tmp_path):
    _load(simple, env)
    with db.session(env.db_path) as con:
        before = _state(con)
    bad = write_workbook(
        tmp_path / "bad.xlsx",
        [kpi_row("문화사업팀", "보도자료 배포", target=99)],
        monthly(2026, "문화사업팀", "없는 지표", {1: 1}),
    )
    result = _load(bad, env)
    assert not result.ok and "정의" in result.rejects.iloc[0]["사유"]
    with db.session(env.db_path) as con:
        assert _state(con) == before


def test_actuals_only_workbook_uses_stored_definitions(env, simple, tmp_path):
    _load(simple, env)
    result = _load(
        write_workbook(tmp_path / "july.xlsx", [], monthly(2026, "문화사업팀", "보도자료 배포", {7: 4})), env
    )
    assert result.ok and result.counts["inserted"] == 1


def test_reload_is_unchanged_and_rollback_restores_exactly(env, simple, tmp_path):
    first = _load(simple, env)
    again = _load(simple, env)
    assert again.counts["inserted"] == 0 and again.counts["updated"] == 0
    with db.session(env.db_path) as con:
        before = _state(con)
    changed = write_workbook(
        tmp_path / "v2.xlsx",
        [kpi_row("문화사업팀", "보도자료 배포", target=30, weight=30)],
        monthly(2026, "문화사업팀", "보도자료 배포", {1: 5, 12: 1}),
    )
    third = _load(changed, env)
    assert (third.counts["inserted"], third.counts["updated"], third.counts["unchanged"]) == (1, 2, 0)
    with db.session(env.db_path) as con:
        assert (
            _one(con, "SELECT annual_target FROM kpi_definitions WHERE indicator = '보도자료 배포'")[0] == 30
        )
        with pytest.raises(ValueError, match="먼저 되돌려야"):
            kpi.rollback(con, first.batch_id)
        undone = kpi.rollback(con, third.batch_id)
        assert _state(con) == before
        assert undone == {
            "definitions_removed": 1,
            "definitions_restored": 1,
            "actuals_removed": 2,
            "actuals_restored": 1,
        }
        assert (
            _one(con, "SELECT status FROM load_batches WHERE batch_id = ?", [third.batch_id])[0]
            == "rolled_back"
        )


def _voc(con, rows):
    """Real rows in the VOC store: (id, received_at, type, department, sla_met)."""
    for vid, received, vtype, dept, met in rows:
        con.execute(
            "INSERT INTO voc_items (voc_id, received_at, voc_type, department, status, sla_met, batch_id) "
            "VALUES (?, ?, ?, ?, '완료', ?, 0)",
            [vid, received, vtype, dept, met],
        )


def test_automatic_actuals_and_a_visible_manual_override(env, tmp_path):
    defs = [
        kpi_row(
            "문화사업팀",
            "VOC 처리기한 준수율",
            unit="%",
            aggregation="평균",
            target=90,
            source="voc_compliance",
        ),
        kpi_row("문화사업팀", "칭찬 VOC 건수", target=12, source="voc_count:감사"),
    ]
    path = write_workbook(
        tmp_path / "auto.xlsx", defs, [[2026, 2, "문화사업팀", "VOC 처리기한 준수율", 100, "수기 집계"]]
    )
    assert _load(path, env).ok
    with db.session(env.db_path) as con:
        _voc(
            con,
            [
                ("a", datetime(2026, 1, 5, 10), "불만", "문화사업팀", True),
                ("b", datetime(2026, 1, 6, 10), "불만", "문화사업팀", False),
                ("c", datetime(2026, 1, 7, 10), "칭찬", "문화사업팀", True),
                ("d", datetime(2026, 2, 3, 10), "불만", "문화사업팀", False),
                ("e", datetime(2026, 2, 4, 10), "칭찬", "관광사업팀", True),
            ],
        )
        m = kpi.monthly(con, 2026, 3).set_index(["indicator", "month"])
        card = kpi.review(con, 2026, 2).set_index("indicator")
        detail = kpi.auto_detail(con, "voc_compliance", 2026, 1, "문화사업팀", with_items=False)
    rate = m.loc["VOC 처리기한 준수율"]
    assert rate.loc[1, "actual"] == pytest.approx(100 * 2 / 3) and rate.loc[1, "origin"] == "자동"
    assert (rate.loc[2, "actual"], rate.loc[2, "auto_value"], rate.loc[2, "origin"]) == (
        100,
        0,
        "수기(자동 대체)",
    )
    assert rate.loc[3, "origin"] == "자동 실적 없음"
    praise = m.loc["칭찬 VOC 건수"]
    assert list(praise["actual"][:2]) == [1, 0]  # a month with VOC data but no praise counts 0, not missing
    assert card.loc["VOC 처리기한 준수율", "overridden"]
    # pooled, not a mean of monthly rates: January 2 of 3 met, February's hand-entered 100% of its 1 decided item
    assert card.loc["VOC 처리기한 준수율", "actual"] == pytest.approx(100 * 3 / 4)
    assert detail.to_dict("records") == [
        {"유형": "불만", "접수": 2, "처리완료": 2, "기한내처리": 1},
        {"유형": "칭찬", "접수": 1, "처리완료": 1, "기한내처리": 1},
    ]


def test_pcsi_source_has_no_actual_until_a_survey_gives_the_index(env, tmp_path, monkeypatch):
    path = write_workbook(
        tmp_path / "p.xlsx",
        [kpi_row("전사", "고객만족도", unit="점", aggregation="최근값", target=90, source="pcsi")],
        [],
    )
    assert _load(path, env).ok
    with db.session(env.db_path) as con:
        m = kpi.monthly(con, 2026, 2)
        assert set(m["origin"]) == {"자동 실적 없음"}
        assert kpi.review(con, 2026, 2).iloc[0]["status"] == "실적 없음"
        monkeypatch.setattr(ccm.pcsi, "overall_index", lambda con, year, survey="PCSI": 88.5)
        card = kpi.review(con, 2026, 2).iloc[0]
    assert (card["actual"], card["attainment"]) == (88.5, 0.983)  # 98.33…% shown and judged as 98.3%


def test_department_user_may_only_load_own_rows(env, simple, tmp_path):
    result = kpi_etl.load(simple, env.db_path, env, allowed_departments=("문화사업팀",))
    assert not result.ok and "내 부서" in result.rejects.iloc[0]["사유"]
    own = tmp_path / "own.xlsx"
    own.write_bytes(kpi_template.build(env, 2026, departments=("문화사업팀",)))
    wb = load_workbook(own)
    assert {r[1].value for r in wb["KPI정의"].iter_rows(min_row=2)} == {"문화사업팀"}
    for r in wb["KPI정의"].iter_rows(min_row=2):
        r[9].value = 10
    wb.save(own)
    assert kpi_etl.load(own, env.db_path, env, allowed_departments=("문화사업팀",)).ok


def test_old_xls_workbook_loads(env, tmp_path):
    import xlwt

    book = xlwt.Workbook()
    ws, wa = book.add_sheet("KPI정의"), book.add_sheet("월별실적")
    for r, row in enumerate([DEF_HEADERS, kpi_row("관광사업팀", "친절서비스 교육", unit="회", target=6)]):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(r, c, v)
    for r, row in enumerate([ACT_HEADERS, [2026, 1, "관광사업팀", "친절서비스 교육", 1, "1월 교육"]]):
        for c, v in enumerate(row):
            wa.write(r, c, v)
    book.save(str(tmp_path / "kpi.xls"))
    result = _load(tmp_path / "kpi.xls", env)
    assert result.ok, result.rejects
    with db.session(env.db_path) as con:
        assert _one(con, "SELECT actual, note FROM kpi_actuals") == (1, "1월 교육")


def test_cli_loads_and_reports_rejects(env, simple, tmp_path, capsys):
    assert etl_main(["kpi", str(simple), "--db", str(env.db_path)]) == 0
    assert "적재했습니다" in capsys.readouterr().out
    bad = write_workbook(tmp_path / "bad.xlsx", [kpi_row("없는팀", "x", target=1)], [])
    assert etl_main(["kpi", str(bad), "--db", str(env.db_path)]) == 1  # rows rejected, nothing stored
    assert "없는팀" in capsys.readouterr().out


def test_cli_exits_2_for_a_file_it_cannot_use(env, tmp_path, capsys):
    memo = tmp_path / "kpi.xlsx"
    memo.write_text("연도,부서\n2026,문화사업팀\n", encoding="utf-8")
    assert etl_main(["kpi", str(memo), "--db", str(env.db_path)]) == 2
    assert "Excel 파일" in capsys.readouterr().out
