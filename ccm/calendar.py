"""Business calendar: business days, working hours and B(t), the working seconds since a fixed epoch.

B(t) = (business days before t's date) × D + (working seconds of t's day up to t, if a business day),
where D is the length of one business day (09:00–18:00 less the break = 8 h by default). Elapsed working
time is B(end) − B(start): exact across after-hours, lunch, weekends and holidays, with no special cases.

The calendar is a precomputed table of every day from 1950 to 2100 (the range `holidays` covers):
`_before[i]` = business days before day i, `_bdays[k]` = the k-th business day. Every method is a
handful of numpy array operations, so 1M timestamps take tens of milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any

import holidays as holidays_pkg
import numpy as np
import pandas as pd

from ccm.settings import Settings, typed
from ccm.settings_sections import CalendarSettings

FIRST_YEAR, LAST_YEAR = 1950, 2100
PUBLIC = "공휴일"
ADMIN = "관리자 지정"
WORKING = "근무일 지정"
WEEKDAYS_KO = "월화수목금토일"
_DAY = 86_400
_EPOCH_DAY = int(np.datetime64(f"{FIRST_YEAR}-01-01", "D").astype(np.int64))
_LAST_DAY = int(np.datetime64(f"{LAST_YEAR}-12-31", "D").astype(np.int64))
_LAST_START = int(np.datetime64(f"{LAST_YEAR}-01-01", "D").astype(np.int64))

TimeLike = pd.Series | np.ndarray | pd.DatetimeIndex | datetime | pd.Timestamp | str


@dataclass(frozen=True)
class Closure:
    day: date
    name: str
    source: str


def _seconds_of(hhmm: str) -> int:
    h, m = str(hhmm).split(":")[:2]
    return int(h) * 3600 + int(m) * 60


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def to_seconds(ts: Any) -> tuple[np.ndarray, np.ndarray]:
    """Timestamps (Series, array, index or scalar; naive local time) → (int64 seconds since 1970, NaT mask)."""
    if isinstance(ts, pd.Series | pd.Index):
        arr = pd.to_datetime(ts).to_numpy(dtype="datetime64[s]")
    elif isinstance(ts, np.ndarray) and ts.dtype.kind == "M":
        arr = ts.astype("datetime64[s]")
    else:
        arr = pd.DatetimeIndex(np.atleast_1d(np.asarray(ts, dtype=object))).to_numpy(dtype="datetime64[s]")
    nat = np.isnat(arr)
    return np.where(nat, 0, arr.astype(np.int64)), nat


def from_seconds(seconds: np.ndarray, nat: np.ndarray) -> np.ndarray:
    """int64 seconds since 1970 (+ NaT mask) → datetime64[us] array."""
    out = seconds.astype("datetime64[s]").astype("datetime64[us]")
    out[nat] = np.datetime64("NaT")
    return out


class BusinessCalendar:
    """Business days (weekdays minus public holidays and closures, plus designated working days) and hours."""

    def __init__(
        self,
        country: str,
        work_start: str,
        work_end: str,
        breaks: list[tuple[str, str]],
        extra_closures: list[tuple[date, str, str]],
        working_days: list[tuple[date, str, str]],
        categories: tuple[str, ...] = ("public",),
    ):
        self.country, self.categories = country, tuple(categories)
        self.work_start, self.work_end = _seconds_of(work_start), _seconds_of(work_end)
        self._segments = self._make_segments(breaks)
        lengths = np.array([e - s for s, e in self._segments], dtype=np.int64)
        self._seg_start = np.array([s for s, _ in self._segments], dtype=np.int64)
        self._seg_len = lengths
        self._seg_cum = np.concatenate([[0], np.cumsum(lengths)])  # working seconds before each segment
        self.day_seconds = int(lengths.sum())
        if self.day_seconds <= 0:
            raise ValueError(
                "업무시간 설정이 잘못되었습니다: 근무 시작이 종료보다 늦거나 휴게시간이 근무시간 전체를 덮습니다."
            )
        self._build_days(extra_closures, working_days)

    # ---- construction -------------------------------------------------------------------------
    @classmethod
    def from_settings(cls, settings: Settings | dict) -> BusinessCalendar:
        """The calendar described by settings.calendar (cached per distinct calendar section)."""
        return _cached(typed(settings).calendar)

    def _make_segments(self, breaks: list[tuple[str, str]]) -> list[tuple[int, int]]:
        segments, cursor = [], self.work_start
        for b_start, b_end in sorted((_seconds_of(a), _seconds_of(b)) for a, b in breaks):
            b_start, b_end = max(b_start, self.work_start), min(b_end, self.work_end)
            if b_end <= b_start:
                continue
            if b_start > cursor:
                segments.append((cursor, b_start))
            cursor = max(cursor, b_end)
        if self.work_end > cursor:
            segments.append((cursor, self.work_end))
        return segments

    def _build_days(self, extra: list[tuple[date, str, str]], working: list[tuple[date, str, str]]) -> None:
        try:
            supported = getattr(holidays_pkg.country_holidays(self.country), "supported_languages", ())
        except NotImplementedError as exc:
            raise ValueError(
                f"설정 [calendar] country = '{self.country}': holidays 패키지에 없는 국가 코드입니다."
            ) from exc
        public = holidays_pkg.country_holidays(
            self.country,
            years=range(FIRST_YEAR, LAST_YEAR + 1),
            language="ko" if "ko" in supported else None,
            categories=self.categories,
        )
        closures: dict[date, Closure] = {d: Closure(d, str(n), PUBLIC) for d, n in public.items()}
        for d, name, source in extra:
            prev = closures.get(d)
            closures[d] = Closure(
                d, f"{prev.name}; {name}" if prev else name, f"{ADMIN} · {source}" if source else ADMIN
            )
        self.working_days = {d: name for d, name, _ in working}
        for d in self.working_days:
            closures.pop(d, None)
        self._closures = dict(sorted(closures.items()))
        days = np.arange(_EPOCH_DAY, _LAST_DAY + 1, dtype=np.int64)
        is_bd = ((days + 3) % 7) < 5  # 1970-01-01 was a Thursday: (day + 3) % 7 == 0 on Mondays
        offsets = lambda ds: (
            np.array([np.datetime64(d, "D").astype(np.int64) for d in ds], dtype=np.int64) - _EPOCH_DAY
        )  # noqa: E731
        if self._closures:
            is_bd[offsets(self._closures)] = False
        if self.working_days:
            is_bd[offsets(self.working_days)] = True
        self._is_bd = is_bd
        self._before = np.concatenate([[0], np.cumsum(is_bd)]).astype(np.int64)  # business days before day i
        self._bdays = np.flatnonzero(is_bd).astype(np.int64)  # day offsets of business days

    # ---- core maths -----------------------------------------------------------------------
    def _day_index(self, days: np.ndarray) -> np.ndarray:
        idx = days - _EPOCH_DAY
        if idx.size and (idx.min() < 0 or idx.max() >= self._is_bd.size):
            bad = days[(idx < 0) | (idx >= self._is_bd.size)][0]
            raise ValueError(
                f"업무일 달력의 범위({FIRST_YEAR}~{LAST_YEAR}년) 밖의 날짜입니다: "
                f"{np.datetime64(int(bad), 'D')}"
            )
        return idx

    def _within_day(self, tod: np.ndarray) -> np.ndarray:
        """Working seconds of a business day elapsed at time-of-day `tod` (seconds since midnight)."""
        out = np.zeros(tod.shape, dtype=np.int64)
        for start, length in zip(self._seg_start, self._seg_len):
            out += np.clip(tod - start, 0, length)
        return out

    def _b_of_seconds(self, secs: np.ndarray) -> np.ndarray:
        days = secs // _DAY
        idx = self._day_index(days)
        within = np.where(self._is_bd[idx], self._within_day(secs - days * _DAY), 0)
        return self._before[idx] * self.day_seconds + within

    def _time_of_b(self, b: np.ndarray, *, earliest: bool) -> np.ndarray:
        """Seconds since 1970 of the earliest (an end: 18:00, 12:00) or latest (a start: 09:00, 13:00)
        moment whose B equals b."""
        d = self.day_seconds
        k, r = np.divmod(b, d)
        if earliest:  # r == 0 means the end of the previous business day
            at_end = r == 0
            k, r = np.where(at_end, k - 1, k), np.where(at_end, d, r)
            seg = np.searchsorted(self._seg_cum[1:], r, side="left")
        else:
            seg = np.searchsorted(self._seg_cum[1:], r, side="right")
        if k.size and (k.min() < 0 or k.max() >= self._bdays.size):
            raise ValueError(f"업무일 달력의 범위({FIRST_YEAR}~{LAST_YEAR}년)를 벗어난 기한입니다.")
        day = self._bdays[k] + _EPOCH_DAY
        return day * _DAY + self._seg_start[seg] + (r - self._seg_cum[seg])

    # ---- public, vectorised ---------------------------------------------------------------
    def business_seconds(self, ts: TimeLike) -> np.ndarray:
        """B(t) as float seconds (NaN for NaT). Differences of B are exact working seconds."""
        secs, nat = to_seconds(ts)
        b = self._b_of_seconds(np.where(nat, _EPOCH_DAY * _DAY, secs)).astype(np.float64)
        b[nat] = np.nan
        return b

    def business_seconds_int(self, secs: np.ndarray) -> np.ndarray:
        """B for int64 seconds since 1970 (no NaT): the fast path used by ccm.sla."""
        return self._b_of_seconds(secs)

    def clock_start(self, ts: TimeLike) -> np.ndarray:
        """The first business moment at or after each timestamp (datetime64[us], NaT stays NaT)."""
        secs, nat = to_seconds(ts)
        secs = np.where(nat, _EPOCH_DAY * _DAY, secs)
        return from_seconds(self.clock_start_int(secs), nat)

    def clock_start_int(self, secs: np.ndarray) -> np.ndarray:
        return np.maximum(secs, self._time_of_b(self._b_of_seconds(secs), earliest=False))

    def add_business_seconds(self, start: TimeLike, seconds: Any) -> np.ndarray:
        """The earliest moment t with B(t) = B(start) + seconds (start itself when seconds == 0)."""
        secs, nat = to_seconds(start)
        secs = np.where(nat, _EPOCH_DAY * _DAY, secs)
        add = np.broadcast_to(np.asarray(seconds, dtype=np.float64), secs.shape)
        nat = nat | np.isnan(add)
        add = np.where(np.isnan(add), 0, add).astype(np.int64)
        return from_seconds(self.add_business_seconds_int(secs, add), nat)

    def add_business_seconds_int(self, secs: np.ndarray, add: np.ndarray) -> np.ndarray:
        moved = self._time_of_b(self._b_of_seconds(secs) + add, earliest=True)
        return np.where(add == 0, secs, moved)

    def day_end_after(self, secs: np.ndarray, n_days: np.ndarray) -> np.ndarray:
        """End of work (work_end) of the n-th business day counting the business day of `secs` as day 1.
        `secs` must be a business moment (a clock start)."""
        days = secs // _DAY
        k = self._before[self._day_index(days)] + n_days - 1
        if k.size and k.max() >= self._bdays.size:
            raise ValueError(f"업무일 달력의 범위({FIRST_YEAR}~{LAST_YEAR}년)를 벗어난 기한입니다.")
        return (self._bdays[k] + _EPOCH_DAY) * _DAY + self.work_end

    @staticmethod
    def in_range(secs: np.ndarray) -> np.ndarray:
        """Whether int64 seconds since 1970 fall where the calendar can also place a deadline after them
        (from 1950 up to the start of its last year, leaving a year of business days for deadlines)."""
        return (secs >= _EPOCH_DAY * _DAY) & (secs < _LAST_START * _DAY)

    def is_business_day(self, d: Any) -> np.ndarray | bool:
        """Whether each date is a business day (vectorised; a scalar in → a bool out)."""
        scalar = isinstance(d, date | str | pd.Timestamp)
        secs, nat = to_seconds(d)
        out = np.zeros(secs.shape, dtype=bool)
        ok = ~nat
        out[ok] = self._is_bd[self._day_index(secs[ok] // _DAY)]
        return bool(out[0]) if scalar else out

    # ---- display ----------------------------------------------------------------------------
    def holidays_between(self, a: Any, b: Any) -> list[tuple[date, str, str]]:
        """Closed days (holidays and administrator's closures) from date a to date b inclusive."""
        lo, hi = _as_date(a), _as_date(b)
        return [(c.day, c.name, c.source) for d, c in self._closures.items() if lo <= d <= hi]

    def closures(self, year: int) -> pd.DataFrame:
        """The year's closed days and designated working days, for display."""
        rows = [
            (c.day, WEEKDAYS_KO[c.day.weekday()], c.name, c.source, c.day.weekday() < 5)
            for c in self._closures.values()
            if c.day.year == year
        ]
        rows += [
            (d, WEEKDAYS_KO[d.weekday()], name, WORKING, False)
            for d, name in self.working_days.items()
            if d.year == year
        ]
        df = pd.DataFrame(rows, columns=["date", "weekday", "name", "source", "weekday_lost"])
        return df.sort_values("date", ignore_index=True)

    def hours_label(self) -> str:
        parts = [f"{_hhmm(s)}~{_hhmm(e)}" for s, e in self._segments]
        return f"{', '.join(parts)} (하루 {self.day_seconds / 3600:g}시간)"


def _hhmm(seconds: int) -> str:
    return time(seconds // 3600, seconds % 3600 // 60).strftime("%H:%M")


@lru_cache(maxsize=8)
def _cached(section: CalendarSettings) -> BusinessCalendar:
    breaks = list(section.breaks)
    if section.break_start and section.break_end:
        breaks.append((section.break_start, section.break_end))
    return BusinessCalendar(
        country=section.country,
        categories=section.categories,
        work_start=section.work_start,
        work_end=section.work_end,
        breaks=breaks,
        extra_closures=[(e.day, e.name, e.source) for e in section.extra_closures],
        working_days=[(e.day, e.name, e.source) for e in section.working_days],
    )
