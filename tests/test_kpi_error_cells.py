"""KPI workbook cells holding Excel error values or formulas saved without a calculated value are
rejects named by sheet, row and column (the reader alone sees them as blank); nothing is stored and the
actuals already loaded stay as they were. Real .xlsx files written with openpyxl (which stores a
formula without a cached value, exactly like a workbook never opened in Excel)."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from ccm import db
from etl import kpi as kpi_etl
from etl.__main__ import main as etl_main
from tests.support.kpi_workbooks import ACT_SHEET, kpi_row, monthly, write_workbook

ERRORS = ["#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"]


@pytest.fixture
def good(tmp_path):
    """보도자료 배포: 2026 January–March actuals 2, 2, 2 (월별실적 rows 2–4, 실적 in column E)."""
    defs = [kpi_row("문화사업팀", "보도자료 배포", target=24, weight=30)]
    return write_workbook(
        tmp_path / "kpi.xlsx", defs, monthly(2026, "문화사업팀", "보도자료 배포", {1: 2, 2: 2, 3: 2})
    )


def _edited(good, tmp_path, cell: str, value, *, error: bool = False, name: str = "edited.xlsx"):
    """The good workbook with one 월별실적 cell replaced by `value` (E3: February's 실적)."""
    wb = load_workbook(good)
    ws = wb[ACT_SHEET]
    ws[cell] = value
    if error:
        ws[cell].data_type = "e"
    path = tmp_path / name
    wb.save(path)
    return path


def _actuals(env) -> list[tuple]:
    with db.session(env.db_path) as con:
        return con.execute("SELECT month, actual FROM kpi_actuals ORDER BY month").fetchall()


@pytest.mark.parametrize("code", ERRORS)
def test_error_value_is_a_reject_named_by_sheet_row_and_column(env, good, tmp_path, code):
    result = kpi_etl.load(_edited(good, tmp_path, "E3", code, error=True), env.db_path, env)
    assert not result.ok and result.exit_code == 1
    row = result.rejects.iloc[0].to_dict()
    assert (row["시트"], row["행"], row["열"], row["값"]) == (ACT_SHEET, 3, "E열(실적)", code)
    assert f"엑셀 오류 값 {code}" in row["사유"] and "값으로 붙여넣어" in row["사유"]
    assert len(result.rejects) == 1


def test_formula_without_a_cached_value_is_a_reject(env, good, tmp_path):
    result = kpi_etl.load(_edited(good, tmp_path, "E3", "=A3/0"), env.db_path, env)
    row = result.rejects.iloc[0].to_dict()
    assert (row["시트"], row["행"], row["열"], row["값"]) == (ACT_SHEET, 3, "E열(실적)", "수식 =A3/0")
    assert "계산된 값이 저장되지 않은 수식" in row["사유"] and len(result.rejects) == 1


def test_formula_in_a_required_column_is_reported_once_not_also_as_blank(env, good, tmp_path):
    result = kpi_etl.load(_edited(good, tmp_path, "A4", "=2025+1"), env.db_path, env)
    assert result.rejects[["행", "열", "값"]].values.tolist() == [[4, "A열(연도)", "수식 =2025+1"]]


def test_error_in_a_definition_is_named_on_the_definitions_sheet(env, good, tmp_path):
    wb = load_workbook(good)
    wb[kpi_etl.DEF_SHEET]["J2"] = "#REF!"
    wb[kpi_etl.DEF_SHEET]["J2"].data_type = "e"
    wb.save(tmp_path / "defs.xlsx")
    result = kpi_etl.load(tmp_path / "defs.xlsx", env.db_path, env)
    assert result.rejects[["시트", "행", "열", "값"]].values.tolist() == [
        [kpi_etl.DEF_SHEET, 2, "J열(연간목표)", "#REF!"]
    ]


def test_error_in_an_unread_column_is_not_a_reject(env, good, tmp_path):
    result = kpi_etl.load(_edited(good, tmp_path, "H3", "#N/A", error=True), env.db_path, env)
    assert result.ok, result.rejects


def test_old_actuals_are_kept_when_a_cell_is_an_error(env, good, tmp_path):
    assert kpi_etl.load(good, env.db_path, env).ok
    result = kpi_etl.load(_edited(good, tmp_path, "E3", "#DIV/0!", error=True), env.db_path, env)
    assert not result.ok
    assert _actuals(env) == [(1, 2.0), (2, 2.0), (3, 2.0)]


def test_cli_exits_1_and_prints_the_cell(env, good, tmp_path, capsys):
    bad = _edited(good, tmp_path, "E3", "#DIV/0!", error=True)
    assert etl_main(["kpi", str(bad), "--db", str(env.db_path)]) == 1
    out = capsys.readouterr().out
    assert (
        "월별실적" in out
        and "E열(실적)" in out
        and "#DIV/0!" in out
        and "아무것도 저장하지 않았습니다" in out
    )
    assert _actuals(env) == []


def test_cli_exits_1_for_an_uncached_formula_and_keeps_old_actuals(env, good, tmp_path, capsys):
    assert etl_main(["kpi", str(good), "--db", str(env.db_path)]) == 0
    bad = _edited(good, tmp_path, "E3", "=1/0")
    assert etl_main(["kpi", str(bad), "--db", str(env.db_path)]) == 1
    assert "수식 =1/0" in capsys.readouterr().out
    assert _actuals(env) == [(1, 2.0), (2, 2.0), (3, 2.0)]
