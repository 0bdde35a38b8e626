"""Reading workbooks the app writes as a printer and a committee member would: page setup, what each
page holds, number formats, Korean text, charts, and the live formulas recomputed by the `formulas`
package (an independent Excel formula evaluator)."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

HANGUL = re.compile("[가-힣]")
NOT_FOR_USERS = {"None", "none", "nan", "NaN", "NaT", "<NA>", "TRUE", "FALSE", "True", "False", "null"}
A4_IN = (8.27, 11.69)
HEADER_RGB = "DCE6F1"


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def width_pt(ws, col: int) -> float:
    """How Excel draws a column: width in characters of a 7 px digit → points (96 dpi)."""
    dim = ws.column_dimensions.get(get_column_letter(col))
    width = dim.width if dim is not None and dim.width else 8.43
    return math.floor(7 * width + 0.49) * 0.75


def hidden(ws, col: int) -> bool:
    dim = ws.column_dimensions.get(get_column_letter(col))
    return bool(dim is not None and dim.hidden)


def column_pt_limit() -> float:
    """A table column wider than 60 characters reads badly; prose lines may be wider."""
    return math.floor(7 * 60 + 0.49) * 0.75


def printable(ws) -> tuple[float, float]:
    """Printable width and height in points of the sheet's paper, orientation and margins."""
    w, h = A4_IN if ws.page_setup.orientation == "portrait" else A4_IN[::-1]
    m = ws.page_margins
    return (w - m.left - m.right) * 72, (h - m.top - m.bottom) * 72


def chart_box(chart) -> tuple[int, int, float, float]:
    """(first row, first column, width pt, height pt) of a chart, rows and columns 1-based."""
    anchor = chart.anchor
    start = anchor._from
    ext = anchor.ext
    return start.row + 1, start.col + 1, ext.width / 12700, ext.height / 12700


def scale(ws) -> float:
    """The fit-to-width scale Excel prints at: printable width ÷ the width of the visible columns and
    charts (1 at most)."""
    content = sum(width_pt(ws, j) for j in range(1, ws.max_column + 1) if not hidden(ws, j))
    for chart in ws._charts:
        _, col, w, _ = chart_box(chart)
        content = max(content, sum(width_pt(ws, j) for j in range(1, col)) + w)
    return min(1.0, printable(ws)[0] / content)


def row_height(ws, r: int) -> float:
    dim = ws.row_dimensions.get(r)
    return dim.height if dim is not None and dim.height else 15.0


def tables(ws) -> list[tuple[int, int]]:
    """(header row, last row) of each table: a row of header-coloured cells and the rows under it up to
    the first empty row."""
    out = []
    for r in range(1, ws.max_row + 1):
        fill = ws.cell(r, 1).fill
        if fill is not None and fill.fgColor is not None and str(fill.fgColor.rgb).endswith(HEADER_RGB):
            last = r
            while last + 1 <= ws.max_row and any(
                ws.cell(last + 1, j).value is not None for j in range(1, ws.max_column + 1)
            ):
                last += 1
            out.append((r, last))
    return out


def pages(ws) -> list[tuple[int, int]]:
    """(first row, last row) of each printed page, from the manual row breaks."""
    cuts = sorted(b.id for b in ws.row_breaks.brk)
    starts = [1] + [c + 1 for c in cuts]
    ends = cuts + [ws.max_row]
    return [(s, e) for s, e in zip(starts, ends) if s <= e]


def header_texts(ws) -> list[str]:
    return [
        str(ws.cell(h, j).value)
        for h, _ in tables(ws)
        for j in range(1, ws.max_column + 1)
        if ws.cell(h, j).value is not None
    ]


def print_problems(wb: openpyxl.Workbook, *, min_text_pt: float = 9.0) -> list[str]:
    """Everything that keeps a workbook from printing and reading right, as sentences; [] if none."""
    problems: list[str] = []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        problems += [f"{ws.title}: {p}" for p in _sheet_problems(ws, min_text_pt)]
    return problems


def _sheet_problems(ws, min_text_pt: float) -> list[str]:
    out = []
    ps = ws.page_setup
    if int(ps.paperSize or 0) != 9:
        out.append(f"paper {ps.paperSize}, not A4")
    if ps.orientation not in ("portrait", "landscape"):
        out.append("no orientation")
    if not (
        ws.sheet_properties.pageSetUpPr
        and ws.sheet_properties.pageSetUpPr.fitToPage
        and int(ps.fitToWidth) == 1
        and int(ps.fitToHeight) == 0
    ):
        out.append("not fitted to one page wide")
    footer = ws.oddFooter.center.text or ""
    if "&P" not in footer or "&N" not in footer:
        out.append(f"no page numbers in the footer ({footer!r})")
    s = scale(ws)
    sizes = [
        c.font.sz
        for row in ws.iter_rows()
        for c in row
        if c.value is not None and c.font is not None and c.font.sz
    ]
    if sizes and min(sizes) * s < min_text_pt - 0.05:
        out.append(f"text prints at {min(sizes) * s:.1f} pt (scale {s:.2f})")
    table_cols = {
        j for h, _ in tables(ws) for j in range(1, ws.max_column + 1) if ws.cell(h, j).value is not None
    }
    for j in sorted(table_cols):
        if not hidden(ws, j) and width_pt(ws, j) > column_pt_limit():
            out.append(
                f"table column {get_column_letter(j)} over-wide ({ws.cell(tables(ws)[0][0], j).value})"
            )
    out += _page_problems(ws, s)
    out += _cell_problems(ws)
    out += _chart_problems(ws, s)
    return out


def _page_problems(ws, s: float) -> list[str]:
    """Every page fits its paper; a table split over pages keeps ≥ 2 of its rows on each side of the
    break and has its header repeated."""
    out = []
    capacity = printable(ws)[1] / s
    repeat = ws.print_title_rows
    for first, last in pages(ws):
        height = sum(row_height(ws, r) for r in range(first, last + 1))
        if repeat and first > 1:
            height += row_height(ws, int(repeat.split(":")[0].strip("$")))
        if height > capacity + 1:
            out.append(f"rows {first}-{last} are {height:.0f} pt, the page holds {capacity:.0f} pt")
    for header, last in tables(ws):
        for cut in (b.id for b in ws.row_breaks.brk):
            if header <= cut < last:
                before, after = cut - header, min(last, _next_cut(ws, cut)) - cut
                if cut == header or before < 2 or after < 2:
                    out.append(
                        f"table at row {header} split at row {cut} leaves {min(before, after)} row(s) alone"
                    )
                if not repeat or int(repeat.split(":")[0].strip("$")) != header:
                    out.append(f"table at row {header} spans pages without its header repeated")
    return out


def _next_cut(ws, cut: int) -> int:
    later = [b.id for b in ws.row_breaks.brk if b.id > cut]
    return min(later) if later else ws.max_row


def _cell_problems(ws) -> list[str]:
    out = []
    headers = {(h, j) for h, _ in tables(ws) for j in range(1, ws.max_column + 1)}
    for h, j in headers:
        v = ws.cell(h, j).value
        if v is not None and not HANGUL.search(str(v)):
            out.append(f"header {v!r} is not Korean")
    for row in ws.iter_rows():
        for c in row:
            v = c.value
            if v is None or c.data_type == "f":
                continue
            if isinstance(v, bool):
                out.append(f"{c.coordinate} holds {v} (not 예/아니오)")
            elif isinstance(v, str) and v.strip() in NOT_FOR_USERS:
                out.append(f"{c.coordinate} reads {v!r}")
            elif isinstance(v, float) and round(v, 6) != v:
                out.append(f"{c.coordinate} holds {v!r} (more than 6 decimals)")
            elif isinstance(v, (int, float)) and c.number_format == "General":
                out.append(f"{c.coordinate} ({v}) has no number format")
            elif isinstance(v, datetime) and ("ss" in c.number_format or "yy" not in c.number_format):
                out.append(f"{c.coordinate} time format {c.number_format!r}")
    return out


def _chart_problems(ws, s: float) -> list[str]:
    """Charts below what they show, in column A, readable when printed, value axis from 0."""
    out = []
    for chart in ws._charts:
        row, col, w, h = chart_box(chart)
        name = f"chart at row {row}"
        refs = [ser.val.numRef.f if ser.val is not None else ser.yVal.numRef.f for ser in chart.series]
        data_last = max(int(re.findall(r"\$(\d+)$", f)[0]) for f in refs)
        if col != 1 or row <= data_last:
            out.append(f"{name} is not below its table (table ends at row {data_last})")
        if w * s < 12 * 72 / 2.54 or h * s < 5 * 72 / 2.54:
            out.append(f"{name} prints at {w * s / 72 * 2.54:.1f} × {h * s / 72 * 2.54:.1f} cm")
        if w * s > printable(ws)[0] + 1:
            out.append(f"{name} is wider than the page")
        for axis in (chart.x_axis, chart.y_axis):
            size = _axis_pt(axis)
            if size is None or size * s < 9 - 0.05:
                out.append(f"{name}: axis text {size} pt at scale {s:.2f}")
        if chart.y_axis.scaling.min != 0:
            out.append(f"{name}: value axis does not start at 0")
    return out


def _axis_pt(axis) -> float | None:
    try:
        return axis.txPr.p[0].pPr.defRPr.sz / 100
    except (AttributeError, IndexError, TypeError):
        return None


def column(ws, header_row: int, name: str) -> list:
    """The values under a header, down to the first empty row."""
    heads = [c.value for c in ws[header_row]]
    j = heads.index(name) + 1
    out = []
    r = header_row + 1
    while r <= ws.max_row and ws.cell(r, 1).value is not None:
        out.append(ws.cell(r, j).value)
        r += 1
    return out


# ---------------------------------------------------------------------------------------------
# Live formulas


def recalc(
    data: bytes, folder: Path, edits: Mapping[tuple[str, str], object] | None = None
) -> dict[tuple[str, str], object]:
    """Every cell's value after an independent recalculation (`formulas`), optionally after setting
    some cells first (as a member typing a new weight): {(sheet, "A1"): value}."""
    import formulas

    wb = load(data)
    for (sheet, coord), value in (edits or {}).items():
        wb[sheet][coord].value = value
    path = folder / "recalc.xlsx"
    wb.save(path)
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    out = {}
    for key, value in solution.items():
        sheet, _, coord = key.split("]", 1)[1].rpartition("!")
        if ":" in coord:
            continue
        v = value.value[0][0] if hasattr(value, "value") else value
        out[(sheet.strip("'"), coord)] = v.item() if hasattr(v, "item") else v
    return out


def value(values: Mapping[tuple[str, str], object], wb: openpyxl.Workbook, sheet: str, coord: str):
    """A recalculated value, or the stored one for a cell that holds no formula."""
    if (sheet, coord) in values:
        v = values[(sheet, coord)]
        return None if v == "" or type(v).__name__ == "XlError" else v
    return wb[sheet][coord].value
