"""The shipped sample workbooks: the good one loads, the bad one is rejected with every mistake listed;
and the review Excel carries status colours and percent formats."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from ccm import db, kpi
from ccm.kpi_excel import review_workbook
from ccm.settings import ROOT
from etl import kpi as kpi_etl

SAMPLES = ROOT / "data" / "samples"


def test_sample_workbook_loads(env):
    result = kpi_etl.load(SAMPLES / "kpi_sample.xlsx", env.db_path, env)
    assert result.ok, result.rejects
    with db.session(env.db_path) as con:
        assert con.execute("SELECT count(DISTINCT department) FROM kpi_definitions").fetchone()[0] == 6


def test_bad_sample_lists_each_mistake_and_stores_nothing(env):
    result = kpi_etl.load(SAMPLES / "kpi_bad.xlsx", env.db_path, env)
    assert not result.ok
    found = {(r["시트"], r["행"], r["열"]) for r in result.rejects.to_dict("records")}
    assert {
        ("KPI정의", 3, "부서"),
        ("KPI정의", 6, "연간목표"),
        ("KPI정의", 8, "지표명"),
        ("월별실적", 2, "실적"),
    } <= found
    dup = result.rejects[result.rejects["행"] == 8].iloc[0]["사유"]
    assert "2026 · 혁신안전팀" in dup and "7행" in dup
    with db.session(env.db_path) as con:
        assert con.execute("SELECT count(*) FROM kpi_definitions").fetchone()[0] == 0


def test_review_workbook_is_formatted(env):
    kpi_etl.load(SAMPLES / "kpi_sample.xlsx", env.db_path, env)
    with db.session(env.db_path) as con:
        card = kpi.review(con, 2026, 6)
        changes = kpi.changes(con, 2026, 6)
        off = kpi.off_track(con, 2026, 6)
        scores = kpi.department_scores(con, 2026, 6)
    data = review_workbook("KPI 월간 검토", card[card["is_goal"]], card, off, changes, scores, 0.93, 1.2)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["요약", "스코어카드", "미달·주의", "지난달 대비", "부서 점수"]
    ws = wb["스코어카드"]
    headers = [c.value for c in ws[1]]
    status_col, pct_col = headers.index("상태") + 1, headers.index("달성률") + 1
    fills = {
        ws.cell(r, status_col).value: ws.cell(r, status_col).fill.fgColor.rgb
        for r in range(2, ws.max_row + 1)
    }
    assert fills.get("미달", "").endswith("FFC7CE") and fills.get("달성", "").endswith("C6EFCE")
    assert ws.cell(2, pct_col).number_format == "0.0%"
    assert wb["요약"]["B2"].value == 0.93
