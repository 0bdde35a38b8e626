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
_MD_ALWAYS_RE = re.compile(r"([\\`*\[\]<>$:&~|@])")
_MD_UNDERSCORE_RE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")  # `_` unless between letters or digits
_MD_START_RE = re.compile(r"^(\d{0,9})([#+=\-.)])")  # a heading, list or ordered-list marker
_WWW_RE = re.compile(r"(?i)\b(www)\.")
_SHORTCODE_RE = re.compile(r":(?=[\w+\-])")
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


def restore_cell(value: Any) -> Any:
    """The inverse of `inert_cell` for files that come back (a fixed rejects file, a filled template):
    the quote it added before = + - @ tab CR is dropped."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def restore_frame(df: pd.DataFrame) -> pd.DataFrame:
    """`restore_cell` on every text cell (vectorised: only cells that start with the quote are touched)."""
    out = df
    for i in range(df.shape[1]):
        col = df.iloc[:, i]
        if not (pd.api.types.is_object_dtype(col.dtype) or pd.api.types.is_string_dtype(col.dtype)):
            continue
        mask = col.astype("string").str.match(r"'[=+\-@\t\r]").fillna(False).astype(bool)
        if mask.any():
            out = df.copy() if out is df else out
            fixed = col.astype(object).copy()
            fixed[mask] = [v[1:] for v in col[mask]]
            out.isetitem(i, fixed.astype(col.dtype) if pd.api.types.is_string_dtype(col.dtype) else fixed)
    return out


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
        values = [v for v in col.tolist() if isinstance(v, str)]
        if not BIDI_RE.search("".join(values)):  # one C-level scan per column: the usual case
            continue
        out = df.copy() if out is None else out
        out.isetitem(
            i,
            pd.Series(
                [show_bidi(v) if isinstance(v, str) else v for v in col.tolist()],
                index=df.index,
                dtype=object,
            ),
        )
    return df if out is None else out


def md(value: Any) -> str:
    """`value` as markdown that renders exactly as the text: the characters that start markup are
    escaped (links and images `[…]`, `:red[…]` directives, emphasis `*` and non-intraword `_`, code,
    `<tags>`, `$…$` math, `~~`, tables, entities, autolinks, a list or heading marker at the start),
    shortcodes like `:smile:` or `:material/…:` broken with an invisible word joiner, line breaks as
    spaces, bidi controls visible. Plain words, digits, dots and brackets stay as they are."""
    text = _LINE_BREAK_RE.sub(" ", str(value)).strip()
    text = _SHORTCODE_RE.sub(":" + WORD_JOINER, text)
    text = _MD_UNDERSCORE_RE.sub(r"\\_", _MD_ALWAYS_RE.sub(r"\\\1", text))
    text = _WWW_RE.sub(r"\1\\.", _MD_START_RE.sub(r"\1\\\2", text))
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
