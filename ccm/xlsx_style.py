"""Print-ready Excel: one set of rules for every workbook the app writes.

A sheet is laid out top to bottom by `Page` — titles, tables, notes, charts below their tables — and
`Page.finish` sets it up for A4: orientation from the content (portrait when it fits at ≥ 90 %),
one page wide, the header row of a long table repeated, page numbers in the footer, and page breaks
that keep titles with their tables, charts whole and never leave a lone row on a page. Widths are
measured in Excel's units (맑은 고딕 10 pt: a Hangul character ≈ 1.9, a digit ≈ 1.05), so the fit-to-width
scale is known and printed text stays ≥ 9 pt.

Every figure has one format by kind (`FORMATS`): counts #,##0, rates 0.0 % (stored as fractions),
changes of a rate in %p, scores 0.0, times yyyy-mm-dd hh:mm, months 2026년 1월. `infer_kind` reads the
kind from a column's Korean name and values when the caller does not say; `df.attrs["kinds"]`
({column: kind}) overrides it. Booleans become 예/아니오, missing values empty cells, English
identifiers Korean headers (`korean_header`). Text cells go through `ccm.safe_text.write_cell` (inert).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from copy import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.text import RichText
from openpyxl.chart.title import Title
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties, RegularTextRun
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from ccm import formats
from ccm.safe_text import write_cell

FONT = "맑은 고딕"  # installed on Korean Windows; Excel substitutes elsewhere
BODY_PT, TITLE_PT, CHART_PT, CHART_TITLE_PT = 10, 14, 10, 12
ROW_PT, LINE_PT = 16.5, 13.5  # a body row; each further wrapped line
MIN_SCALE = 0.9  # fit-to-width scale below which 10 pt text prints under 9 pt
MAX_TEXT_WIDTH, MIN_WIDTH = 40.0, 6.0
CM_PT = 72 / 2.54
# A4 in points and the margins set below (inches → 72 pt): printable width and height per orientation
A4_PT = (595.3, 841.9)
MARGIN_LR_IN, MARGIN_TB_IN = 0.5, 0.75
PRINTABLE = {
    "portrait": (A4_PT[0] - 2 * 72 * MARGIN_LR_IN, A4_PT[1] - 2 * 72 * MARGIN_TB_IN),
    "landscape": (A4_PT[1] - 2 * 72 * MARGIN_LR_IN, A4_PT[0] - 2 * 72 * MARGIN_TB_IN),
}

YES, NO = formats.YES, formats.NO
PP = formats.EXCEL["pp"]
CHANGE = "+0.0%;-0.0%;0.0%"  # a relative change (증감률)
FORMATS = {  # one format per kind (ccm.formats.EXCEL) and the kinds only a workbook needs
    **formats.EXCEL,
    "signed_count": "+#,##0;-#,##0;0",
    "pp_points": PP,
    "change": CHANGE,
    "num": "#,##0.0#",
    "month_no": '0"월"',
    "year": "0",
    "id": "0",
}
DIGITS = {"pct": 6, "change": 6, "pp": 4, "pp_points": 4, "score": 4, "hours": 4, "num": 4}

HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
THIN = Side(style="thin", color="A6A6A6")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

# English identifiers that can reach an export (column names of query frames) → Korean
GLOSSARY = {
    "facility": "시설",
    "department": "부서",
    "dept": "부서",
    "n": "응답자 수",
    "score": "점수",
    "ci_low": "95% 신뢰구간 하한",
    "ci_high": "95% 신뢰구간 상한",
    "below_min_n": "표본 부족",
    "voc_type": "유형",
    "type": "유형",
    "channel": "채널",
    "status": "상태",
    "received": "접수",
    "completed": "처리 완료",
    "decided": "판정(처리 완료)",
    "met": "기한 내 처리",
    "breached": "기한 초과",
    "compliance": "준수율",
    "month": "월",
    "year": "연도",
    "items": "건수",
    "count": "건수",
    "share": "비중",
    "rate": "비율",
    "topic": "주제",
    "keyword": "키워드",
    "indicator": "지표",
    "unit": "단위",
    "weight": "가중치",
    "target": "목표",
    "actual": "실적",
    "attainment": "달성률",
    "rank": "순위",
    "composite": "종합점수",
    "area": "영역",
    "item": "문항",
    "respondents": "응답자 수",
    "mean": "평균",
    "median": "중앙값",
    "title": "제목",
    "voc_id": "접수번호",
    "received_at": "접수일시",
    "completed_at": "처리일시",
    "due_at": "처리기한",
    "note": "비고",
    "source": "자동실적",
    "value": "값",
    "label": "구분",
}

_RATE_RE = re.compile(r"(율|률|비중|비율|÷|share|rate|ratio)", re.I)
_NOT_RATE_RE = re.compile(r"(배율|배수)")
_RATE_CHANGE_RE = re.compile(r"((율|률|비중|비율)\s*(변화|차이)|%p\)?)$")
_REL_CHANGE_RE = re.compile(r"(증감률|증가율|감소율|대비$)")
_SCORE_RE = re.compile(r"(점수|만족도|지수|하한|상한|기여|score)", re.I)
_HOURS_RE = re.compile(r"(시간|hours?)", re.I)
_YEAR_RE = re.compile(r"(연도|년도|^년$|year)", re.I)
_ID_RE = re.compile(r"(번호|순위|코드|^행|파일 행|\bid)$", re.I)
_MONTH_TEXT_RE = re.compile(r"^\d{4}-\d{2}$")


def korean_header(name: Any) -> str:
    """A column name for a user: known identifiers in Korean, underscores as spaces."""
    text = str(name)
    if text.strip().lower() in GLOSSARY:
        return GLOSSARY[text.strip().lower()]
    return text.replace("_", " ").strip()


def text_width(text: str) -> float:
    """Width of `text` in Excel column units at 10 pt 맑은 고딕 (full-width ≈ 1.9, others ≈ 1.05)."""
    return sum(1.9 if unicodedata.east_asian_width(ch) in "WF" else 1.05 for ch in text)


def column_pt(width: float) -> float:
    """Excel's rendering of a column width (characters of the default font, 7 px) in points."""
    return math.floor(7 * width + 0.49) * 0.75


# ---------------------------------------------------------------------------------------------
# Kinds of figures


def _is_bool(s: pd.Series, values: pd.Series) -> bool:
    return pd.api.types.is_bool_dtype(s.dtype) or (
        len(values) > 0 and all(isinstance(v, (bool, np.bool_)) for v in values)
    )


def _datetimes(values: pd.Series) -> pd.Series | None:
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values
    if len(values) and all(isinstance(v, (date, datetime, pd.Timestamp)) for v in values):
        return pd.to_datetime(pd.Series(list(values)))
    return None


def infer_kind(name: Any, s: pd.Series) -> str:
    """The kind of figure a column holds, from its (Korean) name and its values."""
    n = str(name)
    values = s.dropna()
    if (
        s.dtype == object
        and len(values)
        and all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in values)
    ):
        s, values = pd.to_numeric(s), pd.to_numeric(values)
    if _is_bool(s, values):
        return "bool"
    ts = _datetimes(values)
    if ts is not None:
        if ts.dt.tz is not None:
            ts = ts.dt.tz_localize(None)
        if len(ts) and (ts == ts.dt.normalize()).all():
            return "month" if ("월" in n or "month" in n.lower()) and (ts.dt.day == 1).all() else "date"
        return "time"
    if not pd.api.types.is_numeric_dtype(s.dtype):
        if (
            len(values)
            and ("월" in n or "month" in n.lower())
            and all(isinstance(v, str) and _MONTH_TEXT_RE.match(v) for v in values)
        ):
            return "month"
        return "text"
    f = values.astype("float64")
    if _RATE_CHANGE_RE.search(n):
        return "pp"
    if _REL_CHANGE_RE.search(n):
        return "change"
    big = len(f) > 0 and float(f.abs().max()) > 1.5
    if _RATE_RE.search(n) and not _NOT_RATE_RE.search(n):
        return "score" if big else "pct"
    if "가중치" in n and len(f) and not big and float(f.max()) <= 1:
        return "pct"
    if _SCORE_RE.search(n):
        return "pct" if len(f) and not big and float(f.min()) >= 0 and n.strip() == "점수" else "score"
    if _HOURS_RE.search(n) and not pd.api.types.is_integer_dtype(s.dtype):
        return "hours"
    integral = pd.api.types.is_integer_dtype(s.dtype) or bool((f == f.round()).all())
    if not integral:
        return "num"
    if (n.strip() == "월" or n.endswith(" 월") or n.endswith("월")) and f.between(1, 12).all():
        return "month_no"
    if _YEAR_RE.search(n):
        return "year"
    if _ID_RE.search(n):
        return "id"
    return "count"


def kinds_of(df: pd.DataFrame, given: Mapping[str, str] | None = None) -> dict[str, str]:
    """Kind per column: `given`, then `df.attrs["kinds"]`, then `infer_kind`."""
    given = {**df.attrs.get("kinds", {}), **(given or {})}
    return {str(c): given.get(str(c)) or infer_kind(c, df.iloc[:, i]) for i, c in enumerate(df.columns)}


def korean_columns(columns) -> list[str]:
    """`korean_header` of each column; a name met again is numbered (부서, 부서 (2))."""
    out: list[str] = []
    for c in columns:
        name, k = korean_header(c), 2
        while name in out:
            name, k = f"{korean_header(c)} ({k})", k + 1
        out.append(name)
    return out


def cell_value(v: Any, kind: str) -> Any:
    """A value as its cell holds it: 예/아니오, empty for missing, naive datetimes, short floats."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return YES if v else NO
    if isinstance(v, pd.Timestamp):
        v = v.tz_localize(None) if v.tzinfo else v
        v = v.to_pydatetime()
    elif isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        if math.isnan(v) or math.isinf(v):
            return None
        if kind == "pp":
            v *= 100
        if kind in ("count", "signed_count", "id", "year", "month_no") and v == round(v):
            return int(v)
        return round(v, DIGITS.get(kind, 4)) + 0.0
    if isinstance(v, datetime):
        return v.replace(tzinfo=None, microsecond=0)
    if kind == "month" and isinstance(v, str) and _MONTH_TEXT_RE.match(v):
        return datetime(int(v[:4]), int(v[5:7]), 1)
    return v


def display_text(v: Any, kind: str) -> str:
    """Roughly what Excel shows for a cell value (for widths)."""
    if v is None:
        return ""
    if isinstance(v, datetime):
        return {"time": "2026-01-01 00:00", "date": "2026-01-01", "month": "2026년 12월"}.get(
            kind, "2026-01-01 00:00"
        )
    if isinstance(v, date):
        return "2026-01-01"
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if kind in ("pct", "change"):
            return f"{v * 100:+.1f}%"
        if kind in ("pp", "pp_points"):
            return f"{v:+.1f}%p"
        if kind in ("id", "year"):
            return str(v)
        if kind == "month_no":
            return f"{v}월"
        return f"{v:,.1f}" if isinstance(v, float) and v != int(v) else f"{v:,.0f}"
    return str(v)


# ---------------------------------------------------------------------------------------------
# A sheet laid out top to bottom


@dataclass
class Table:
    header_row: int
    last_row: int
    columns: tuple[str, ...]
    kinds: dict[str, str]
    first_col: int = 1

    def col(self, name: str) -> int:
        return self.first_col + self.columns.index(name)

    def letter(self, name: str) -> str:
        return get_column_letter(self.col(name))

    @property
    def rows(self) -> int:
        return self.last_row - self.header_row


@dataclass
class _Block:
    start: int
    end: int
    kind: str  # title | table | chart | text
    header: int | None = None  # a table's header row
    keep_with_next: bool = False


@dataclass
class Page:
    """A worksheet written top to bottom; call `finish()` last."""

    ws: Worksheet
    print_title: str = ""  # the document's name, left in the page header
    orientation: str | None = None  # None: decided by the content
    row: int = 1
    blocks: list[_Block] = field(default_factory=list)
    _wrapped: dict[int, list[tuple[int, str]]] = field(
        default_factory=dict
    )  # row → (col, text) of wrapping cells
    _heights: dict[int, float] = field(default_factory=dict)  # rows of fixed height (chart rows)
    _text_cols: set[int] = field(default_factory=set)
    _spans: list[tuple[int, str, float]] = field(
        default_factory=list
    )  # lines across the sheet: row, text, size
    _charts: list[Any] = field(default_factory=list)

    # --- writing -----------------------------------------------------------------------------

    def title(self, text: str, subtitle: str | None = None, *, space: bool = True) -> None:
        """The sheet's title (14 pt) and a grey line under it; kept with what follows."""
        start = self.row
        self._line(text, Font(name=FONT, bold=True, size=TITLE_PT), TITLE_PT)
        if subtitle:
            self._line(subtitle, Font(name=FONT, size=BODY_PT, color="595959"), BODY_PT)
        self.blocks.append(_Block(start, self.row - 1, "title", keep_with_next=True))
        self.row += space

    def facts(self, rows: list[tuple[str, Any, str | None]]) -> int:
        """Label (bold, column A) and value (column B, in its format) per line; kept with what follows.
        Returns the first row."""
        start = self.row
        for label, value, kind in rows:
            write_cell(self.ws, self.row, 1, label).font = Font(name=FONT, bold=True, size=BODY_PT)
            value = cell_value(value, kind or "text")
            cell = write_cell(self.ws, self.row, 2, value)
            cell.font = Font(name=FONT, size=BODY_PT)
            if kind in FORMATS and not isinstance(value, str):
                cell.number_format = FORMATS[kind]
            self._wrapped.setdefault(self.row, []).append((1, label))
            self.row += 1
        self.blocks.append(_Block(start, self.row - 1, "text", keep_with_next=True))
        self.row += 1
        return start

    def text(
        self, line: str, *, bold: bool = False, color: str | None = None, keep_with_next: bool = False
    ) -> int:
        """A line of text across the sheet (wrapped over the sheet's width by `finish`)."""
        r = self.row
        self._line(line, Font(name=FONT, size=BODY_PT, bold=bold, color=color), BODY_PT)
        self.blocks.append(_Block(r, r, "text", keep_with_next=keep_with_next))
        return r

    def _line(self, text: str, font: Font, size: float) -> None:
        write_cell(self.ws, self.row, 1, text).font = font
        self._spans.append((self.row, text, size))
        self.row += 1

    def gap(self, rows: int = 1) -> None:
        self.row += rows

    def table(
        self,
        df: pd.DataFrame,
        *,
        kinds: Mapping[str, str] | None = None,
        formats: Mapping[str, str] | None = None,
        empty: str | None = None,
        col: int = 1,
        max_width: float = MAX_TEXT_WIDTH,
    ) -> Table:
        """Header and rows at the current row: Korean headers, values by kind, number formats, grid."""
        attrs = dict(df.attrs)
        df = df.set_axis(korean_columns(df.columns), axis=1)
        df.attrs = {"kinds": {korean_header(k): v for k, v in attrs.get("kinds", {}).items()}}
        kinds = kinds_of(df, kinds)
        cols = tuple(str(c) for c in df.columns)
        header = self.row
        head_font, body_font = Font(name=FONT, bold=True, size=BODY_PT), Font(name=FONT, size=BODY_PT)
        head_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
        wrap, top = Alignment(vertical="top", wrap_text=True), Alignment(vertical="top")
        widths: dict[int, float] = {}
        for j, name in enumerate(cols, start=col):
            cell = write_cell(self.ws, header, j, name)
            cell.font, cell.fill, cell.border, cell.alignment = head_font, HEADER_FILL, GRID, head_align
            self._wrapped.setdefault(header, []).append((j, name))
            widths[j] = max(text_width(w) for w in name.split()) + 2 if name.strip() else MIN_WIDTH
        numbers = [(formats or {}).get(name) or FORMATS.get(kinds[name]) for name in cols]
        kind_list = [kinds[name] for name in cols]
        styles: dict[tuple[int, bool, bool], Any] = {}  # (column, text, formatted) → a styled cell's style
        for i, rec in enumerate(df.itertuples(index=False, name=None), start=header + 1):
            for j, (kind, number, v) in enumerate(zip(kind_list, numbers, rec), start=col):
                value = cell_value(v, kind)
                cell = write_cell(self.ws, i, j, value)
                text = isinstance(value, str)
                key = (j, text, bool(number) and not text)
                if key in styles:
                    cell._style = copy(styles[key])
                else:
                    cell.font, cell.border, cell.alignment = body_font, GRID, wrap if text else top
                    if key[2]:
                        cell.number_format = number
                    styles[key] = copy(cell._style)
                if text:
                    self._wrapped.setdefault(i, []).append((j, value))
                    self._text_cols.add(j)
                if value is not None and (i - header <= 500 or text):
                    widths[j] = max(widths[j], text_width(display_text(value, kind)) + 2)
        for j, name in enumerate(cols, start=col):
            letter = get_column_letter(j)
            cap = max_width if kinds[name] in ("text", "bool") else 24
            current = self.ws.column_dimensions[letter].width if letter in self.ws.column_dimensions else None
            self.ws.column_dimensions[letter].width = round(
                max(current or 0, min(max(widths[j], MIN_WIDTH), cap)), 1
            )
        last = header + len(df)
        if df.empty and empty:
            write_cell(self.ws, header + 1, col, empty).font = Font(
                name=FONT, size=BODY_PT, italic=True, color="7F7F7F"
            )
            last = header + 1
        self.blocks.append(_Block(header, last, "table", header=header))
        self.row = last + 2
        return Table(header, header + len(df), cols, kinds, col)

    def chart(self, chart, *, height_cm: float = 7.5) -> None:
        """A chart at column A below what was written; its width is set by `finish` (the page's width)."""
        rows = math.ceil(height_cm * CM_PT / ROW_PT) + 1
        chart.height = height_cm
        for r in range(self.row, self.row + rows):
            self._heights[r] = ROW_PT
        self._charts.append(chart)
        self.ws.add_chart(chart, f"A{self.row}")
        self.blocks.append(_Block(self.row, self.row + rows - 1, "chart"))
        self.row += rows + 1

    # --- page setup --------------------------------------------------------------------------

    def content_width(self) -> float:
        """Width in points of the columns written (what fit-to-width scales to the page)."""
        return sum(column_pt(self._width(j)) for j in range(1, self.ws.max_column + 1) if not self._hidden(j))

    def _hidden(self, j: int) -> bool:
        dim = self.ws.column_dimensions.get(get_column_letter(j))
        return bool(dim is not None and dim.hidden)

    def _width(self, j: int) -> float:
        letter = get_column_letter(j)
        dim = self.ws.column_dimensions.get(letter)
        return dim.width if dim is not None and dim.width else 8.43

    def finish(self, *, repeat: Table | None = None) -> None:
        """Orientation, scale, wrapped heights, chart widths, page breaks, A4 setup, footer."""
        orientation, scale = self._fit()
        page_width = PRINTABLE[orientation][0] / scale
        width_pt = min(self.content_width(), page_width)
        for chart in self._charts:
            chart.width = round(min(max(width_pt, 14 * CM_PT), page_width) / CM_PT, 2)
        self._set_heights(width_pt)
        capacity = PRINTABLE[orientation][1] / scale - 6
        repeat_row = repeat.header_row if repeat else self._long_table_header(capacity)
        self._paginate(capacity, repeat_row)
        setup_page(self.ws, orientation, self.print_title, repeat_row)

    def _fit(self) -> tuple[str, float]:
        """Portrait when the content prints at ≥ MIN_SCALE on it, else landscape; text columns narrowed
        (wrapped) until the landscape scale is ≥ MIN_SCALE."""
        width = max(self.content_width(), 1.0)
        if self.orientation == "portrait" or (
            self.orientation is None and width * MIN_SCALE <= PRINTABLE["portrait"][0]
        ):
            while width * MIN_SCALE > PRINTABLE["portrait"][0] and self._narrow_widest():
                width = self.content_width()
            return "portrait", min(1.0, PRINTABLE["portrait"][0] / width)
        while self.content_width() * MIN_SCALE > PRINTABLE["landscape"][0] and self._narrow_widest():
            pass
        return "landscape", min(1.0, PRINTABLE["landscape"][0] / self.content_width())

    def _narrow_widest(self) -> bool:
        cols = sorted((j for j in self._text_cols if not self._hidden(j)), key=self._width, reverse=True)
        if not cols or self._width(cols[0]) <= 8:
            return False
        self.ws.column_dimensions[get_column_letter(cols[0])].width = round(self._width(cols[0]) * 0.9, 1)
        return True

    def _set_heights(self, width_pt: float) -> None:
        """Row heights from the wrapped lines of each row (and merged cells for lines wider than the
        sheet), so that the printed height is known."""
        for r, h in self._heights.items():
            self.ws.row_dimensions[r].height = h
        for r, cells in self._wrapped.items():
            lines = max(self._lines(text, self._width(j)) for j, text in cells)
            self.ws.row_dimensions[r].height = ROW_PT + LINE_PT * (lines - 1)
        units = width_pt / 0.75 / 7
        last_col = max(1, self.ws.max_column)
        for r, text, size in self._spans:
            lines = self._lines(text, units * BODY_PT / size)
            if lines > 1:
                if last_col > 1:
                    self.ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=last_col)
                self.ws.cell(r, 1).alignment = Alignment(vertical="top", wrap_text=True)
            line_pt = LINE_PT * size / BODY_PT
            self.ws.row_dimensions[r].height = max(ROW_PT, line_pt + 6) + line_pt * (lines - 1)

    @staticmethod
    def _lines(text: str, width: float) -> int:
        usable = max(width - 1.5, 1.0)
        return sum(max(1, math.ceil(text_width(part) / usable)) for part in str(text).split("\n"))

    def height(self, r: int) -> float:
        h = self.ws.row_dimensions[r].height if r in self.ws.row_dimensions else None
        return h or 15.0

    def _long_table_header(self, capacity: float) -> int | None:
        for b in self.blocks:
            if b.kind == "table" and sum(self.height(r) for r in range(b.start, b.end + 1)) > capacity:
                return b.header
        return None

    def _room(self, b: _Block, capacity: float) -> float:
        """Height a block needs on the page it starts on: all of it, or a table's header and two rows."""
        need = sum(self.height(r) for r in range(b.start, b.end + 1))
        if need <= capacity or b.kind != "table":
            return need
        return sum(self.height(r) for r in range(b.start, min(b.end, b.start + 2) + 1))

    def _paginate(self, capacity: float, repeat_row: int | None) -> None:
        """Manual row breaks: a block that fits on a page is not split (a title or a lead-in line stays
        with what follows); a longer table is split between rows, with at least two of its rows on
        every page. Continuation pages start with the repeated header row."""
        breaks: list[int] = []
        used, prev_end = 0.0, 0
        for k, b in enumerate(self.blocks):
            gap = sum(self.height(r) for r in range(prev_end + 1, b.start)) if prev_end else 0.0
            room = self._room(b, capacity)
            if b.keep_with_next and k + 1 < len(self.blocks):
                room += self._room(self.blocks[k + 1], capacity)
            if used and used + gap + min(room, capacity) > capacity:
                breaks.append(b.start - 1)
                used = self.height(repeat_row) if repeat_row and repeat_row < b.start else 0.0
            else:
                used += gap
            need = sum(self.height(r) for r in range(b.start, b.end + 1))
            if used + need <= capacity or b.kind != "table":
                used += need
            else:
                used = self._split_table(b, used, capacity, breaks, repeat_row)
            prev_end = b.end
        self.ws.row_breaks.brk = []
        for r in sorted(set(breaks)):
            if r >= 1:
                self.ws.row_breaks.append(Break(id=r))

    def _split_table(
        self, b: _Block, used: float, capacity: float, breaks: list[int], repeat_row: int | None
    ) -> float:
        """Breaks inside a table longer than the room left; returns the height used on its last page."""
        header_h = self.height(b.header) if repeat_row == b.header else 0.0
        body = 0  # rows of this table on the current page
        for r in range(b.start, b.end + 1):
            h = self.height(r)
            if used + h > capacity and body >= 2:
                breaks.append(r - 1)
                used, body = header_h, 0
            used += h
            body += r != b.header
        if body == 1 and breaks and breaks[-1] == b.end - 1:  # a lone last row: take one more with it
            breaks[-1] -= 1
            used += self.height(b.end - 1)
        return used


def escape_header(text: str) -> str:
    return text.replace("&", "&&")


def setup_page(ws: Worksheet, orientation: str, title: str = "", repeat_row: int | None = None) -> None:
    """A4, `orientation`, one page wide, margins, page header (document, sheet) and footer (page n / N)."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = orientation
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(
        left=MARGIN_LR_IN, right=MARGIN_LR_IN, top=MARGIN_TB_IN, bottom=MARGIN_TB_IN, header=0.3, footer=0.3
    )
    ws.print_options.horizontalCentered = False
    if repeat_row:
        ws.print_title_rows = f"{repeat_row}:{repeat_row}"
    ws.oddHeader.left.text = escape_header(title)
    ws.oddHeader.right.text = "&A"
    ws.oddFooter.center.text = "&P / &N 쪽"
    for part in (ws.oddHeader.left, ws.oddHeader.right, ws.oddFooter.center):
        part.size, part.font = 9, f"{FONT},보통"
    ws.sheet_view.showGridLines = False


# ---------------------------------------------------------------------------------------------
# Charts


def _rich(size: int, bold: bool = False) -> RichText:
    props = CharacterProperties(sz=size * 100, b=bold, latin=None)
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=props), endParaRPr=props)])


def chart_title(text: str) -> Title:
    props = CharacterProperties(sz=CHART_TITLE_PT * 100, b=True)
    para = Paragraph(pPr=ParagraphProperties(defRPr=props), r=[RegularTextRun(rPr=props, t=text)])
    title = Title()
    title.tx = _tx(para)
    title.overlay = False
    return title


def _tx(para: Paragraph):
    from openpyxl.chart.text import Text

    return Text(rich=RichText(p=[para]))


def style_chart(
    chart,
    title: str,
    *,
    value_kind: str | None,
    value_title: str | None = None,
    category_title: str | None = None,
    from_zero: bool = True,
) -> None:
    """Readable text (10 pt axes and legend, 12 pt title), legend below, value axis from 0 for counts
    and rates, the value axis in the figure's number format."""
    chart.title = chart_title(title)
    axes = [chart.x_axis, chart.y_axis]
    for axis in axes:
        axis.delete = False
        axis.txPr = _rich(CHART_PT)
    if value_title:
        chart.y_axis.title = value_title
        chart.y_axis.title.tx.rich.p[0].pPr = ParagraphProperties(
            defRPr=CharacterProperties(sz=CHART_PT * 100)
        )
    if category_title:
        chart.x_axis.title = category_title
        chart.x_axis.title.tx.rich.p[0].pPr = ParagraphProperties(
            defRPr=CharacterProperties(sz=CHART_PT * 100)
        )
    if value_kind:
        chart.y_axis.number_format = {"pct": "0%", "count": "#,##0"}.get(
            value_kind, FORMATS.get(value_kind, "General")
        )
    if from_zero:
        chart.y_axis.scaling.min = 0
    if chart.legend is not None:
        chart.legend.position = "b"
        chart.legend.txPr = _rich(CHART_PT)


BAR_CM, MAX_BARS = 0.32, 20


def long_labels(df: pd.DataFrame, cat: str) -> bool:
    return len(df) > 6 or any(text_width(str(v)) > 8 for v in df[cat])


def bar_chart(
    page: Page,
    ref: Table,
    df: pd.DataFrame,
    cat: str,
    values: list[str],
    title: str,
    kind: str,
    *,
    horizontal: bool | None = None,
    limit: int = MAX_BARS,
) -> None:
    """Bars of `values` per `cat` from the table's own cells, below the table. Long or many labels
    lie horizontally (largest on top); the value axis starts at 0."""
    if ref.rows == 0:
        return
    horizontal = long_labels(df, cat) if horizontal is None else horizontal
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    last = ref.header_row + min(ref.rows, limit)
    for name in values:
        chart.add_data(
            Reference(page.ws, min_col=ref.col(name), min_row=ref.header_row, max_row=last),
            titles_from_data=True,
        )
    chart.set_categories(Reference(page.ws, min_col=ref.col(cat), min_row=ref.header_row + 1, max_row=last))
    style_chart(chart, title, value_kind=kind)
    if kind == "pct":
        chart.y_axis.scaling.max = 1
    n = min(ref.rows, limit)
    if horizontal:
        chart.x_axis.scaling.orientation = "maxMin"
        chart.gapWidth = 60
        height = min(max(6.0, 2.5 + n * (BAR_CM * len(values) + 0.25)), 22.0)
    else:
        height = 7.5
    page.chart(chart, height_cm=height)


def list_sheet(wb, columns: Mapping[str, list], title: str = "목록") -> dict[str, str]:
    """A hidden sheet holding a template's dropdown values, one column per list (a list longer than 255
    characters cannot be written inline); returns list name → its range, e.g. "목록!$A$2:$A$6"."""
    ws = wb.create_sheet(title)
    refs = {}
    for c, (name, values) in enumerate(columns.items(), start=1):
        write_cell(ws, 1, c, name)
        for r, v in enumerate(values, start=2):
            write_cell(ws, r, c, v)
        if values:
            letter = get_column_letter(c)
            refs[name] = f"{title}!${letter}$2:${letter}${len(values) + 1}"
    ws.sheet_state = "hidden"
    return refs
