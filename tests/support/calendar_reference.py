"""Helpers for the calendar/SLA tests: settings variants and an independent slow reference.

The reference walks the calendar day by day (or minute by minute) in plain Python with datetime and the
`holidays` package directly — it shares no code with ccm.calendar.
"""

from __future__ import annotations

import copy
import tomllib
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays

from tests.support.settings_copy import BASELINE

WINDOWS = [(time(9), time(12)), (time(13), time(18))]  # the shipped work hours less the break


@lru_cache(maxsize=1)
def _shipped() -> dict:
    with open(BASELINE, "rb") as fh:
        return tomllib.load(fh)


def make_settings(
    *,
    closures: list | None = None,
    working_days: list | None = None,
    rules: list | None = None,
    counting: dict | None = None,
    **calendar,
) -> dict:
    """The shipped settings (as a dict) with a known override list and optional changes."""
    raw = copy.deepcopy(_shipped())
    raw["calendar"]["extra_closures"] = (
        closures if closures is not None else [{"date": "2025-05-20", "name": "창립기념일"}]
    )
    raw["calendar"]["working_days"] = working_days or []
    raw["calendar"].update(calendar)
    if rules is not None:
        raw["sla"]["rules"] = rules
    if counting:
        raw["sla"]["rules"][0]["counting"].update(counting)
    return raw


class Reference:
    """Slow, obvious business calendar: weekdays minus KR holidays and closures, plus working days."""

    def __init__(self, settings: dict):
        cal = settings["calendar"]
        self.closed = set(holidays.country_holidays("KR", years=range(2020, 2031)))
        self.closed |= {date.fromisoformat(str(c["date"])) for c in cal["extra_closures"]}
        self.open = {date.fromisoformat(str(c["date"])) for c in cal["working_days"]}

    def is_business_day(self, d: date) -> bool:
        return d in self.open or (d.weekday() < 5 and d not in self.closed)

    def windows(self, d: date) -> list[tuple[datetime, datetime]]:
        if not self.is_business_day(d):
            return []
        return [(datetime.combine(d, a), datetime.combine(d, b)) for a, b in WINDOWS]

    def working_seconds(self, a: datetime, b: datetime) -> float:
        """Working seconds in [a, b), walking day by day."""
        total, d = 0.0, a.date()
        while d <= b.date():
            for ws, we in self.windows(d):
                lo, hi = max(a, ws), min(b, we)
                total += max((hi - lo).total_seconds(), 0)
            d += timedelta(days=1)
        return total if b >= a else -self.working_seconds(b, a)

    def clock_start(self, t: datetime) -> datetime:
        """First moment at or after t inside a working window."""
        d = t.date()
        while True:
            for ws, we in self.windows(d):
                if t < we:
                    return max(t, ws)
            d += timedelta(days=1)
            t = datetime.combine(d, time(0))

    def add(self, start: datetime, seconds: float) -> datetime:
        """The moment when `seconds` working seconds after `start` have elapsed (ends at a window end)."""
        left, d, t = seconds, start.date(), start
        while True:
            for ws, we in self.windows(d):
                lo = max(t, ws)
                if lo >= we:
                    continue
                span = (we - lo).total_seconds()
                if left <= span:
                    return lo + timedelta(seconds=left)
                left -= span
            d += timedelta(days=1)
            t = datetime.combine(d, time(0))

    def day_end(self, start: datetime, n: int) -> datetime:
        """End of work of the n-th business day, the clock-start day being day 1."""
        d, count = start.date(), 0
        while True:
            if self.is_business_day(d):
                count += 1
                if count == n:
                    return datetime.combine(d, time(18))
            d += timedelta(days=1)


def minute_walk_seconds(ref: Reference, a: datetime, b: datetime) -> int:
    """Working seconds in [a, b) counted minute by minute (a and b on whole minutes)."""
    total, t = 0, a
    while t < b:
        if any(ws <= t < we for ws, we in ref.windows(t.date())):
            total += 60
        t += timedelta(minutes=1)
    return total
