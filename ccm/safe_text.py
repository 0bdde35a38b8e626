"""Text from data made inert where it leaves the dashboard: spreadsheet cells that cannot become
formulas, markdown that shows every character as typed, bidi controls made visible."""
from __future__ import annotations

import re
from typing import Any

import pandas as pd

BIDI_RE = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Excel (and LibreOffice) start a formula at = + - @, and some importers skip a leading tab or CR.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_RE = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?%?")
_MD_PUNCT_RE = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation mark: CommonMark escapes them all
_LINE_BREAK_RE = re.compile(r"\r\n|[\r\n\u2028\u2029]")
WORD_JOINER = "\u2060"


def show_bidi(text: str) -> str:
    """Bidi controls (which can show `gnp.exe` as `exe.png`) replaced by a visible ⟨U+202E⟩."""
    return BIDI_RE.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)


def inert_cell(value: Any) -> Any:
    """A spreadsheet cell value that no spreadsheet runs: text starting like a formula gets the
    OWASP single-quote prefix; plain signed numbers written as text and non-text values stay."""
    if not isinstance(value, str):
        return value
    value = show_bidi(value)
    if value.startswith(FORMULA_START) and not _NUMBER_RE.fullmatch(value):
        return "'" + value
    return value


def _needs_work(s: pd.Series) -> pd.Series:
    text = s.astype("string")
    starts = text.str[:1].isin(list(FORMULA_START))
    return (starts | text.str.contains(BIDI_RE.pattern, regex=True)).fillna(False).astype(bool)


def inert_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and column names are inert (see `inert_cell`); numbers stay numbers."""
    out = df.rename(columns=lambda c: inert_cell(c) if isinstance(c, str) else c)
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if not (pd.api.types.is_object_dtype(col.dtype) or pd.api.types.is_string_dtype(col.dtype)):
            continue
        mask = _needs_work(col)
        if mask.any():
            fixed = col.astype(object).copy()
            fixed[mask] = [inert_cell(v) for v in col[mask]]
            out.isetitem(i, fixed.astype(col.dtype) if pd.api.types.is_string_dtype(col.dtype) else fixed)
    return out


def visible_frame(df: pd.DataFrame) -> pd.DataFrame:
    """For tables on screen: bidi controls shown visibly; the frame itself when there are none."""
    out = None
    for i in range(df.shape[1]):
        col = df.iloc[:, i]
        if not (pd.api.types.is_object_dtype(col.dtype) or pd.api.types.is_string_dtype(col.dtype)):
            continue
        mask = col.astype("string").str.contains(BIDI_RE.pattern, regex=True).fillna(False).astype(bool)
        if mask.any():
            out = df.copy() if out is None else out
            fixed = col.astype(object).copy()
            fixed[mask] = [show_bidi(v) if isinstance(v, str) else v for v in col[mask]]
            out.isetitem(i, fixed)
    return df if out is None else out


def md(value: Any) -> str:
    """`value` as markdown that renders exactly as the text: every ASCII punctuation mark escaped
    (links, `:red[…]`, `**`, `<tags>`, `$…$` stay literal), shortcodes like `:smile:` broken with an
    invisible word joiner, line breaks as spaces, bidi controls visible."""
    text = _MD_PUNCT_RE.sub(r"\\\1", _LINE_BREAK_RE.sub(" ", str(value))).replace(":", ":" + WORD_JOINER)
    return show_bidi(text)


def md_join(values, sep: str = ", ") -> str:
    return sep.join(md(v) for v in values)


def write_cell(ws, row: int, column: int, value: Any):
    """openpyxl: put `value` in a cell as an inert value (text stays text, data type 's')."""
    value = inert_cell(value)
    cell = ws.cell(row, column, value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell
