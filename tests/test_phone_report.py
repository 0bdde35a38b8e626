"""The semiannual workbook's CCM-loop sheets (개선과제, 교육 이수, 전화친절도): on the demo they hold the
same figures as the parts' own queries; on an empty database they say so in Korean; cells stay inert."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest

from ccm import actions, db, phone, report, report_loop, training
from ccm.period import period
from tests.support import workbook_inspect
from tests.support.constants import NOW_AT as NOW


def _build(settings, year=2026, half=1):
    with db.session(settings.db_path) as con:
        return openpyxl.load_workbook(io.BytesIO(report.build_workbook(con, settings, year, half, NOW)))


def _table(ws, header_row: int = 4) -> pd.DataFrame:
    rows = list(ws.iter_rows(min_row=header_row, values_only=True))
    head = [h for h in rows[0] if h is not None]
    body = []
    for r in rows[1:]:
        if r[0] is None:
            break
        body.append(r[: len(head)])
    return pd.DataFrame(body, columns=head)


def test_demo_workbook_has_the_loop_sheets_with_their_figures(demo_env):
    wb = _build(demo_env)
    assert wb.sheetnames[-3:] == ["개선과제", "교육 이수", "전화친절도"] and wb.sheetnames == list(
        report.SHEETS
    )
    scope = period("half", 2026, 1)
    with db.session(demo_env.db_path) as con:
        want_phone = phone.by_department(con, scope, phone.min_n(demo_env))
        want_training = training.report_frame(con, scope, NOW)
        want_actions = actions.report_frame(con, scope, NOW, demo_env)
    got = _table(wb["전화친절도"]).set_index("부서")
    assert len(got) == len(want_phone) > 0
    for r in want_phone.itertuples():
        assert got.loc[r.department, "모니터링 건수"] == r.n
        assert got.loc[r.department, "점수"] == pytest.approx(r.score)
        assert got.loc[r.department, "가장 약한 항목"] == r.weakest_item
        assert got.loc[r.department, "가장 약한 항목 득점률"] == pytest.approx(r.weakest_pct)
    assert wb["전화친절도"]._charts, "a bar chart of the department scores"
    train = _table(wb["교육 이수"])
    assert len(train) == len(want_training) > 0
    assert list(train["부서"]) == list(want_training["부서"])
    assert train["이수율"].astype(float).tolist() == pytest.approx(
        want_training["이수율"].astype(float).tolist(), nan_ok=True
    )
    acts = _table(wb["개선과제"])
    assert len(acts) == len(want_actions) > 0
    assert list(acts["과제번호"]) == list(want_actions["과제번호"])
    assert list(acts["효과 판정"].fillna("")) == list(want_actions["효과 판정"].fillna(""))
    assert workbook_inspect.print_problems(wb) == []


def test_phone_sheet_by_hand_on_a_small_store(env, tmp_path):
    from etl import phone as phone_etl

    head = ["통화일", "부서", "평가자", "평가자 구분", "인사", "응대", "정확성", "종결"]
    rows = [
        ["2026-02-05", "문화사업팀", "E01", "내부", 25, 25, 25, 25],
        ["2026-03-05", "문화사업팀", "E01", "내부", 20, 20, 10, 10],
        ["2025-11-05", "문화사업팀", "E01", "내부", 15, 15, 15, 15],
    ]
    path = tmp_path / "p.xlsx"
    pd.DataFrame(rows, columns=head).to_excel(path, index=False)
    with db.session(env.db_path) as con:
        assert phone_etl.load(con, path, env).status == "loaded"
    got = _table(_build(env)["전화친절도"]).iloc[0]
    # H1 2026: (100 + 60) / 2 = 80; H2 2025: 60 → +20; weakest 정확성 = 종결 = 35/50 → 정확성 (name order)
    assert (got["부서"], got["모니터링 건수"], got["점수"], got["직전 기간 점수"], got["직전 대비 변화"]) == (
        "문화사업팀",
        2,
        80,
        60,
        20,
    )
    assert got["가장 약한 항목"] == "정확성" and got["가장 약한 항목 득점률"] == pytest.approx(0.7)
    assert got["표본"] == "표본 부족(5건 미만)"


def test_empty_database_says_so_in_korean(env):
    wb = _build(env)
    for name in report_loop.SHEETS:
        ws = wb[name]
        assert ws.cell(5, 1).value == report_loop.EMPTY[name], name
        assert not ws._charts
    assert workbook_inspect.print_problems(wb) == []


def test_action_title_that_looks_like_a_formula_stays_text(env):
    now = datetime(2026, 3, 2, 9)
    with db.session(env.db_path) as con:
        con.execute(
            "INSERT INTO improvement_actions (title, department, status, due_date, created_at, updated_at) "
            "VALUES ('=HYPERLINK(\"http://x\",\"클릭\")', '문화사업팀', '시행', ?, ?, ?)",
            [date(2026, 4, 1), now, now],
        )
    ws = _build(env)["개선과제"]
    cells = [
        c
        for row in ws.iter_rows(min_row=5)
        for c in row
        if isinstance(c.value, str) and "HYPERLINK" in c.value
    ]
    assert cells and all(c.data_type == "s" and c.value.startswith("'=") for c in cells)
