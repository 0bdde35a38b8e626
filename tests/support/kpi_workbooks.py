"""Helpers for the KPI tests: real .xlsx workbooks written with openpyxl, in the template's layout."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from etl.kpi import ACT_FIELDS, ACT_SHEET, DEF_FIELDS, DEF_SHEET

DEF_HEADERS = [h for h, _ in DEF_FIELDS.values()]
ACT_HEADERS = [h for h, _ in ACT_FIELDS.values()]


def kpi_row(
    department: str,
    indicator: str,
    *,
    year: int = 2026,
    unit: str = "건",
    direction: str = "높을수록 좋음",
    aggregation: str = "누적",
    target=None,
    plan=None,
    weight=10,
    source=None,
) -> list:
    """A definitions row in template column order."""
    return [
        year,
        department,
        "고객행복경영",
        "고객서비스향상",
        "소통채널 운영",
        indicator,
        unit,
        direction,
        aggregation,
        target,
        *(plan or [None] * 12),
        weight,
        source,
    ]


def write_workbook(path: Path, defs: list[list], actuals: list[list]) -> Path:
    """defs: rows from kpi_row; actuals: [year, month, department, indicator, actual, note]."""
    wb = Workbook()
    ws = wb.active
    ws.title = DEF_SHEET
    ws.append(DEF_HEADERS)
    for r in defs:
        ws.append(r)
    wa = wb.create_sheet(ACT_SHEET)
    wa.append(ACT_HEADERS)
    for r in actuals:
        wa.append(r)
    wb.save(path)
    return path


def monthly(year: int, department: str, indicator: str, values: dict[int, float]) -> list[list]:
    return [[year, m, department, indicator, v, None] for m, v in values.items()]
