"""The CCO's monthly KPI review as a formatted Excel workbook (openpyxl): summary, scorecard with
status colours, off-track list, changes since last month, department scores, definitions."""
from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ccm.kpi import LABELS, to_display
from ccm.safe_text import write_cell

STATUS_FILL = {"달성": "C6EFCE", "주의": "FFEB9C", "미달": "FFC7CE", "실적 없음": "EDEDED"}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
PCT_COLUMNS = {LABELS[c] for c in ("attainment", "attainment_prev", "delta", "score")}

DEFINITIONS = [
    "달성률: 높을수록 좋음 = 실적 ÷ 목표, 낮을수록 좋음 = 목표 ÷ 실적(실적 0이면 상한), 0이 목표 = 실적 0이면 100%, 아니면 0%.",
    "누적 지표는 연초부터 검토 월까지의 합계를 같은 기간 목표(월별 계획, 없으면 연간목표 × 실적 월 수 ÷ 12)와 비교합니다.",
    "평균 지표는 실적이 있는 달의 평균, 최근값 지표는 가장 최근 실적을 그달 목표와 비교합니다.",
    "미입력 월은 0으로 보지 않고 목표에서도 빼며, '미입력 월' 열에 표시합니다.",
    "부서 점수 = 부서 KPI 달성률의 가중 평균(가중치), 기관 점수 = 부서 점수의 평균(경영목표 지표는 별도 카드).",
]


def review_workbook(title: str, goals: pd.DataFrame, card: pd.DataFrame, off: pd.DataFrame,
                    changes: pd.DataFrame, scores: pd.DataFrame, org_score: float | None, cap: float) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "요약"
    write_cell(ws, 1, 1, title)
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["기관 점수", org_score])
    ws["B2"].number_format = "0.0%"
    ws.append([f"달성률 상한 {cap:.0%}"])
    ws.append([])
    _frame(ws, to_display(goals), start_row=5)
    row = ws.max_row + 2
    for i, line in enumerate(DEFINITIONS):
        ws.cell(row + i, 1, line)
    for name, df in [("스코어카드", card), ("미달·주의", off), ("지난달 대비", changes), ("부서 점수", scores)]:
        _frame(wb.create_sheet(name), to_display(df), start_row=1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _frame(ws, df: pd.DataFrame, start_row: int) -> None:
    for j, col in enumerate(df.columns, start=1):
        c = write_cell(ws, start_row, j, col)
        c.font, c.fill = Font(bold=True), HEADER_FILL
        c.alignment = Alignment(horizontal="center", wrap_text=True)
    status_cols = [j for j, col in enumerate(df.columns, start=1) if col in (LABELS["status"], LABELS["status_prev"])]
    for i, rec in enumerate(df.itertuples(index=False), start=start_row + 1):
        for j, v in enumerate(rec, start=1):
            cell = write_cell(ws, i, j, None if _blank(v) else (bool(v) if isinstance(v, bool) else v))
            if df.columns[j - 1] in PCT_COLUMNS:
                cell.number_format = "0.0%"
        for j in status_cols:
            fill = STATUS_FILL.get(str(ws.cell(i, j).value))
            if fill:
                ws.cell(i, j).fill = PatternFill("solid", fgColor=fill)
    for j, col in enumerate(df.columns, start=1):
        width = max([len(str(col))] + [len(str(v)) for v in df.iloc[:200, j - 1]]) * 1.6 + 2
        ws.column_dimensions[get_column_letter(j)].width = min(max(width, 8), 50)
    ws.freeze_panes = ws.cell(start_row + 1, 1)


def _blank(v) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False
