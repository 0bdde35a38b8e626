"""One format per kind of figure, written down once for pages, captions and Excel.

| kind    | stored as              | shown          | Excel (`EXCEL`)          |
|---------|------------------------|----------------|--------------------------|
| score   | points (0..100)        | 91.0점         | 0.0                      |
| pct     | fraction (0.876)       | 87.6%          | 0.0%                     |
| pp      | fraction difference    | +1.2%p         | +0.0"%p" (cell ×100)     |
| count   | integer                | 1,234건        | #,##0                    |
| hours   | hours                  | 12.5시간       | #,##0.0                  |
| month   | date (1st of month)    | 2026년 1월     | yyyy"년" m"월"           |
| date    | date                   | 2026-01-05     | yyyy-mm-dd               |
| time    | datetime               | 2026-01-05 14:22 (never seconds) | yyyy-mm-dd hh:mm |
| bool    | True/False             | 예 / 아니오    | 예 / 아니오 (text)       |

A missing value is shown as `MISSING` (—), never None or nan. Pure Python: `ccm` writers and `ui`
pages share it; `ccm.xlsx_style.FORMATS` holds the same Excel formats (tests/test_one_definition.py).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

MISSING = "—"
YES, NO = "예", "아니오"
DECIMALS = 1  # scores, rates and changes of rates: one decimal everywhere

EXCEL = {
    "score": "0.0",
    "pct": "0.0%",
    "pp": '+0.0"%p";-0.0"%p";0.0"%p"',
    "count": "#,##0",
    "hours": "#,##0.0",
    "month": 'yyyy"년" m"월"',
    "date": "yyyy-mm-dd",
    "time": "yyyy-mm-dd hh:mm",
}
# st.column_config.NumberColumn formats (printf) of the values a page shows; rates use Streamlit's
# "percent" preset on fractions with step 0.001 (one decimal); a change of rate is shown ×100.
PRINTF = {"score": "%.1f", "pp": "%+.1f%%p", "hours": "%.1f", "count": "localized"}


def missing(x: Any) -> bool:
    """None, NaN, pandas NA/NaT."""
    if x is None:
        return True
    try:
        return bool(x != x)
    except (TypeError, ValueError):  # pandas NA: its comparisons are NA, and NA has no truth value
        return type(x).__name__ == "NAType"


def score(x: float | None, unit: str = "점") -> str:
    """91.04 → '91.0점'."""
    return MISSING if missing(x) else f"{float(x):,.{DECIMALS}f}{unit}"


def score_change(d: float | None, unit: str = "점") -> str:
    """+1.23 → '+1.2점'."""
    return MISSING if missing(d) else f"{_signed(float(d))}{unit}"


def pct(x: float | None) -> str:
    """A rate stored as a fraction: 0.87587 → '87.6%'."""
    return MISSING if missing(x) else f"{float(x) * 100:.{DECIMALS}f}%"


def pp(d: float | None) -> str:
    """A change of a rate (difference of two fractions) in percentage points: 0.0123 → '+1.2%p'."""
    return MISSING if missing(d) else f"{_signed(float(d) * 100)}%p"


def count(n: float | None, unit: str = "건") -> str:
    """1234 → '1,234건'."""
    return MISSING if missing(n) else f"{int(round(float(n))):,}{unit}"


def count_change(d: float | None, unit: str = "건") -> str:
    """+12 → '+12건', -3 → '-3건' (0 → '0건')."""
    if missing(d):
        return MISSING
    v = int(round(float(d)))
    return f"{'+' if v > 0 else '-' if v < 0 else ''}{abs(v):,}{unit}"


def hours(h: float | None) -> str:
    return MISSING if missing(h) else f"{float(h):,.1f}시간"


def month(d: date | tuple[int, int] | None) -> str:
    """date(2026, 1, 5) or (2026, 1) → '2026년 1월'."""
    if missing(d):
        return MISSING
    y, m = d if isinstance(d, tuple) else (d.year, d.month)
    return f"{y}년 {m}월"


def day(d: date | datetime | None) -> str:
    """'2026-01-05' (a datetime's time of day is dropped)."""
    return MISSING if missing(d) else f"{d:%Y-%m-%d}"


def minute(t: datetime | None) -> str:
    """'2026-01-05 14:22' — to the minute, never seconds."""
    return MISSING if missing(t) else f"{t:%Y-%m-%d %H:%M}"


def yes_no(b: Any) -> str:
    """True → 예, False → 아니오, missing → ''."""
    return "" if missing(b) else (YES if bool(b) else NO)


def _signed(v: float) -> str:
    """One decimal with a sign; a value that rounds to zero has none ('0.0')."""
    text = f"{abs(v):,.{DECIMALS}f}"
    if float(text.replace(",", "")) == 0:
        return text
    return ("+" if v > 0 else "-") + text
