"""Reporting periods and the scope (period × departments) every query takes."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

UNREGISTERED = "미등록"  # the department filter's group of items whose department is not a configured one
KINDS = {"month": "월", "quarter": "분기", "half": "반기", "year": "연도", "custom": "직접 지정"}


@dataclass(frozen=True)
class Scope:
    """Half-open period [start, end) plus an optional department filter (None = all). The filter may hold
    UNREGISTERED: the items whose department is blank or not one of `registered` (the configured ones)."""

    start: date
    end: date
    departments: tuple[str, ...] | None = None
    label: str = ""
    registered: tuple[str, ...] = ()

    def where(self, ts_col: str = "received_at", dept_col: str = "department") -> tuple[str, list]:
        """SQL condition and parameters selecting this scope's rows."""
        sql = f"{ts_col} >= ? AND {ts_col} < ?"
        params: list = [self.start, self.end]
        if self.departments is None:
            return sql, params
        if not self.departments:
            return "FALSE", []
        named = [d for d in self.departments if d != UNREGISTERED]
        parts = [f"{dept_col} IN ({', '.join('?' * len(named))})"] if named else []
        if UNREGISTERED in self.departments:
            parts.append(f"{dept_col} IS NULL" + (f" OR {dept_col} NOT IN ({', '.join('?' * len(self.registered))})"
                                                  if self.registered else " OR TRUE"))
        return f"{sql} AND ({' OR '.join(parts)})", params + named + list(self.registered if UNREGISTERED in self.departments else ())

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def previous(self) -> "Scope":
        """The period of the same kind just before this one (same length for custom periods)."""
        s, e = self.start, self.end
        if _is_month_aligned(s, e):
            months = (e.year - s.year) * 12 + e.month - s.month
            return replace(self, start=_add_months(s, -months), end=s, label="")
        return replace(self, start=s - (e - s), end=s, label="")

    def trailing(self, months: int = 12) -> "Scope":
        """At least the last `months` months up to this scope's end — the window of a trend chart."""
        start = min(self.start, _add_months(self.end, -months))
        last = self.end - timedelta(days=1)
        return replace(self, start=start, label=f"{start:%Y-%m} ~ {last:%Y-%m}")

    def last_year(self) -> "Scope":
        return replace(self, start=_add_months(self.start, -12), end=_add_months(self.end, -12), label="")


def _is_month_aligned(s: date, e: date) -> bool:
    return s.day == 1 and e.day == 1


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(d.day, last))


def period(kind: str, year: int, index: int = 1, start: date | None = None, end: date | None = None) -> Scope:
    """A period by kind: month (index 1-12), quarter (1-4), half (1-2), year, or custom [start, end]."""
    if kind == "month":
        s = date(year, index, 1)
        return Scope(s, _add_months(s, 1), label=f"{year}년 {index}월")
    if kind == "quarter":
        s = date(year, 3 * (index - 1) + 1, 1)
        return Scope(s, _add_months(s, 3), label=f"{year}년 {index}분기")
    if kind == "half":
        s = date(year, 6 * (index - 1) + 1, 1)
        return Scope(s, _add_months(s, 6), label=f"{year}년 {'상' if index == 1 else '하'}반기")
    if kind == "year":
        return Scope(date(year, 1, 1), date(year + 1, 1, 1), label=f"{year}년")
    if kind == "custom":
        assert start is not None and end is not None
        return Scope(start, end + timedelta(days=1), label=f"{start:%Y-%m-%d} ~ {end:%Y-%m-%d}")
    raise ValueError(f"unknown period kind: {kind}")


def now() -> "datetime":
    """The current local time; CCM_NOW (ISO format) pins it for demos and tests."""
    import os
    from datetime import datetime

    pinned = os.environ.get("CCM_NOW")
    return datetime.fromisoformat(pinned) if pinned else datetime.now()
