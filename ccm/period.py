"""Reporting periods and the scope (period × departments) every query takes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

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
    kind: str = ""  # month | quarter | half | year | custom ("" when built by hand)

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
            parts.append(
                f"{dept_col} IS NULL"
                + (
                    f" OR {dept_col} NOT IN ({', '.join('?' * len(self.registered))})"
                    if self.registered
                    else " OR TRUE"
                )
            )
        return f"{sql} AND ({' OR '.join(parts)})", params + named + list(
            self.registered if UNREGISTERED in self.departments else ()
        )

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def previous(self) -> Scope:
        """The period of the same kind just before this one (same length for custom periods)."""
        s, e = self.start, self.end
        if _is_month_aligned(s, e):
            months = (e.year - s.year) * 12 + e.month - s.month
            return replace(self, start=_add_months(s, -months), end=s, label="")
        return replace(self, start=s - (e - s), end=s, label="")

    def months(self) -> list[date]:
        """The first day of every month the period touches, in order (a chart's x axis: empty months too)."""
        out, m = [], date(self.start.year, self.start.month, 1)
        while m < self.end:
            out.append(m)
            m = _add_months(m, 1)
        return out

    def chart_window(self) -> Scope:
        """The months a trend chart of this period shows: the period itself when it spans two months or
        more (하반기 → July to December, never a trailing year); a single month or less → that year from
        January up to the period's end, so the month is seen against the months before it."""
        if len(self.months()) >= 2:
            return self
        start = date(self.start.year, 1, 1)
        last = self.end - timedelta(days=1)
        label = self.label if start.month == self.start.month else f"{start.year}년 1월 ~ {last.month}월"
        return replace(self, start=start, label=label)

    def trailing(self, months: int = 12) -> Scope:
        """At least the last `months` months up to this scope's end — the window of a trend chart."""
        start = min(self.start, _add_months(self.end, -months))
        last = self.end - timedelta(days=1)
        return replace(self, start=start, label=f"{start:%Y-%m} ~ {last:%Y-%m}")

    def last_year(self) -> Scope:
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
    if kind in ("month", "quarter", "half"):
        s = date(year, MONTHS_OF[kind] * (index - 1) + 1, 1)
        label = {
            "month": f"{year}년 {index}월",
            "quarter": f"{year}년 {index}분기",
            "half": f"{year}년 {'상' if index == 1 else '하'}반기",
        }[kind]
        return Scope(s, _add_months(s, MONTHS_OF[kind]), label=label, kind=kind)
    if kind == "year":
        return Scope(date(year, 1, 1), date(year + 1, 1, 1), label=f"{year}년", kind="year")
    if kind == "custom":
        assert start is not None and end is not None
        return Scope(
            start, end + timedelta(days=1), label=f"{start:%Y-%m-%d} ~ {end:%Y-%m-%d}", kind="custom"
        )
    raise ValueError(f"unknown period kind: {kind}")


MONTHS_OF = {"month": 1, "quarter": 3, "half": 6, "year": 12}
PREVIOUS_NAME = {
    "month": "전월",
    "quarter": "전 분기",
    "half": "전 반기",
    "year": "전년",
    "custom": "직전 같은 길이 기간",
}


def index_of(kind: str, d: date) -> int:
    """The index (month 1-12, quarter 1-4, half 1-2, year 1) of the period of `kind` holding `d`."""
    return (d.month - 1) // MONTHS_OF[kind] + 1


def containing(kind: str, d: date) -> Scope:
    """The period of `kind` (month, quarter, half, year) that holds the day `d`."""
    return period(kind, d.year, index_of(kind, d))


def last_complete(kind: str, today: date, latest: date | None = None) -> Scope:
    """The period people mean when they open a page: the latest period of `kind` that has ended by
    `today` (on 1 December the month is November, the half-year is 상반기, the year last year). When
    the data end earlier (`latest`, the last day with data), the period holding that day instead."""
    done = containing(kind, today).previous()
    done = containing(kind, done.start)
    if latest is not None and latest < done.start:
        return containing(kind, latest)
    return done


def running_days(scope: Scope, today: date) -> int | None:
    """The day count of a period still running on `today` (1 on its first day); None once it has ended
    or before it starts."""
    return (today - scope.start).days + 1 if scope.start <= today < scope.end else None


def running_note(scope: Scope, today: date) -> str:
    """'진행 중 (25일째)' for a running period, else ''."""
    n = running_days(scope, today)
    return f"진행 중 ({n}일째)" if n else ""


def comparison(scope: Scope, today: date) -> Scope:
    """What a headline is compared with: the period before (`Scope.previous`), labelled; while the
    period is still running, only as many of its first days as have passed in this one (a month of 25
    days is compared with the first 25 days of the month before, not with a whole month)."""
    prev = scope.previous()
    name = PREVIOUS_NAME.get(scope.kind, "직전 같은 길이 기간")
    n = running_days(scope, today)
    if n is None:
        return replace(prev, label=name, kind=scope.kind)
    end = min(prev.end, prev.start + timedelta(days=n))
    last = end - timedelta(days=1)
    span = f"{prev.start.month}월 {prev.start.day}일~{last.month}월 {last.day}일"
    return replace(prev, end=end, label=f"{name} 같은 기간({span})", kind=scope.kind)


def now() -> datetime:
    """The current local time; CCM_NOW (ISO format) pins it for demos and tests."""
    import os

    pinned = os.environ.get("CCM_NOW")
    return datetime.fromisoformat(pinned) if pinned else datetime.now()
