"""Reporting periods and the scope (period × departments) every query takes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

KINDS = {"month": "월", "quarter": "분기", "half": "반기", "year": "연도", "custom": "직접 지정"}


@dataclass(frozen=True)
class Scope:
    """Half-open period [start, end) plus an optional department filter (None = all)."""

    start: date
    end: date
    departments: tuple[str, ...] | None = None
    label: str = ""

    def where(self, ts_col: str = "received_at", dept_col: str = "department") -> tuple[str, list]:
        """SQL condition and parameters selecting this scope's rows."""
        sql = f"{ts_col} >= ? AND {ts_col} < ?"
        params: list = [self.start, self.end]
        if self.departments is not None:
            if not self.departments:
                return "FALSE", []
            sql += f" AND {dept_col} IN ({', '.join('?' * len(self.departments))})"
            params += list(self.departments)
        return sql, params

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def previous(self) -> "Scope":
        """The period of the same kind just before this one (same length for custom periods)."""
        s, e = self.start, self.end
        if _is_month_aligned(s, e):
            months = (e.year - s.year) * 12 + e.month - s.month
            return Scope(_add_months(s, -months), s, self.departments)
        return Scope(s - (e - s), s, self.departments)

    def trailing(self, months: int = 12) -> "Scope":
        """At least the last `months` months up to this scope's end — the window of a trend chart."""
        start = min(self.start, _add_months(self.end, -months))
        last = self.end - timedelta(days=1)
        return Scope(start, self.end, self.departments, f"{start:%Y-%m} ~ {last:%Y-%m}")

    def last_year(self) -> "Scope":
        return Scope(_add_months(self.start, -12), _add_months(self.end, -12), self.departments)


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
