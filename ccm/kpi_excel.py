"""The CCO's monthly KPI review as a formatted Excel workbook (openpyxl): summary, scorecard with
status colours, off-track list, changes since last month, department scores, definitions."""
from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ccm.kpi import LABELS, Rules, decimals, fmt_attainment, rules_lines, to_display
from ccm.safe_text import write_cell

STATUS_FILL = {"달성": "C6EFCE", "주의": "FFEB9C", "미달": "FFC7CE", "미입력": "D9D9D9", "목표 없음": "EDEDED",
               "실적 없음": "EDEDED"}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
PCT_COLUMNS = {LABELS[c] for c in ("attainment", "attainment_prev", "delta", "score")}


def review_workbook(title: str, goals: pd.DataFrame, card: pd.DataFrame, off: pd.DataFrame,
                    changes: pd.DataFrame, scores: pd.DataFrame, org_score: float | None, cap: float,
                    rules: Rules | None = None, non_negative_units: tuple[str, ...] = ()) -> bytes:
    """The review as a workbook; percentages shown at the rules' precision (the one the status bands
    use) and the rules written out from ccm.kpi.rules_text."""
    rules = rules or Rules(cap=cap)
    fmt = percent_format(rules)
    wb = Workbook()
    ws = wb.active
    ws.title = "요약"
    write_cell(ws, 1, 1, title)
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["기관 점수", org_score])
    ws["B2"].number_format = fmt
    ws.append([f"달성률 상한 {fmt_attainment(rules.cap, rules)}"])
    ws.append([])
    _frame(ws, to_display(goals), start_row=5, fmt=fmt)
    row = ws.max_row + 2
    for i, line in enumerate(rules_lines(rules, non_negative_units)):
        write_cell(ws, row + i, 1, line)
    for name, df in [("스코어카드", card), ("미달·주의", off), ("지난달 대비", changes), ("부서 점수", scores)]:
        _frame(wb.create_sheet(name), to_display(df), start_row=1, fmt=fmt)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def percent_format(rules: Rules) -> str:
    """Excel's percent format at the attainment precision (0.1 %p → 0.0%)."""
    places = decimals(rules)
    return "0" + ("." + "0" * places if places else "") + "%"


def _frame(ws, df: pd.DataFrame, start_row: int, fmt: str = "0.0%") -> None:
    for j, col in enumerate(df.columns, start=1):
        c = write_cell(ws, start_row, j, col)
        c.font, c.fill = Font(bold=True), HEADER_FILL
        c.alignment = Alignment(horizontal="center", wrap_text=True)
    status_cols = [j for j, col in enumerate(df.columns, start=1) if col in (LABELS["status"], LABELS["status_prev"])]
    for i, rec in enumerate(df.itertuples(index=False), start=start_row + 1):
        for j, v in enumerate(rec, start=1):
            cell = write_cell(ws, i, j, None if _blank(v) else (bool(v) if isinstance(v, bool) else v))
            if df.columns[j - 1] in PCT_COLUMNS:
                cell.number_format = fmt
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
