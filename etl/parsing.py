"""Values read from text, vectorised (pyarrow/RE2 and numpy): dates and times in the spellings exports
use, with the day/month/year order decided from a column's own values; numbers with thousand separators;
RE2 matching and replacing over string columns. Used by every loader and the upload pages."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

# --- dates ------------------------------------------------------------------------------------------
#
# A column is read in stages, each over the values still unread: exact formats in C++ (pyarrow strptime,
# in the order a sample of the column favours), then RE2 patterns (pyarrow) assembled with numpy. Values
# such as 06/05/2018 or 24.03.05 need a day/month/year order: it is decided once per column from its own
# values (a part above 12 is no month, above 31 no day), first on a sample so that the fast formats can
# be used, then checked against every value the sample's order could not read; the decision is reported.

ORDER_LABELS = {"YMD": "연도/월/일", "MDY": "월/일/연도", "DMY": "일/월/연도"}
LOCAL_TZ = "Asia/Seoul"  # values written with a UTC offset ('Z', '+09:00') are converted to this time
NAT = np.datetime64("NaT", "us")
_ORDINALS = ("첫째", "둘째", "셋째")
_YEARS = (np.datetime64("1900-01-01", "us"), np.datetime64("2200-01-01", "us"))

_AMPM = r"(?P<ap{n}>오전|오후|AM|PM|am|pm)?"
_CLOCK = (
    _AMPM.format(n=1) + r"\s*(?P<H>\d{1,2})\s*[:시]\s*(?P<M>\d{1,2})\s*분?"
    r"(?:\s*:\s*(?P<S>\d{1,2})(?P<F>\.\d{1,9})?\s*초?)?\s*" + _AMPM.format(n=2)
)
_AT = r"(?:\s*(?:T|\s)\s*" + _CLOCK + r"\s*(?P<z>Z|[+-]\d{2}:?\d{2})?)?\s*$"
_DT = r"^(?P<y>\d{4})\s*[-./년]\s*(?P<m>\d{1,2})\s*[-./월]\s*(?P<d>\d{1,2})\s*일?\.?" + _AT
_ABC = (
    r"^(?P<a>\d{1,2})\s*(?P<sep>[-./])\s*(?P<b>\d{1,2})\s*[-./]\s*(?:(?P<c4>\d{4})|(?P<c2>\d{1,2}))\.?" + _AT
)
_COMPACT = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:\s*(?P<H>\d{2}):?(?P<M>\d{2})(?::?(?P<S>\d{2}))?)?$"
_TIME = r"^" + _CLOCK + r"$"
_SERIAL = r"^\d{4,5}(?:\.\d+)?$"
_TEXT_GROUPS = ("ap1", "ap2", "sep", "z")
EXCEL_EPOCH = np.datetime64("1899-12-30", "us")

FAST_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y.%m.%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y.%m.%d %H:%M",
    "%Y-%m-%d",
    "%Y.%m.%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %p %I:%M:%S",
    "%Y-%m-%d %p %I:%M:%S",
    "%Y.%m.%d %p %I:%M:%S",  # 오전/오후 as AM/PM
    "%Y/%m/%d %p %I:%M",
    "%Y-%m-%d %p %I:%M",
    "%Y.%m.%d %p %I:%M",
    "%d-%b-%Y",
    "%d %b %Y",
    "%b %d, %Y",
    "%d-%b-%Y %H:%M:%S",  # English month names
    "%b %d, %Y %I:%M:%S %p",
    "%b %d, %Y %I:%M %p",
)
_CLOCK_FORMATS = ("", " %H:%M:%S", " %H:%M", " %I:%M:%S %p", " %I:%M %p")


@dataclass
class ParsedDates:
    """A date column read: `values` (datetime64[us]; NaT where blank or unreadable), `date_only` (True
    where the text had no time of day), `note` (Korean: how the day/month/year order of values such as
    06/05/2018 was decided; None when no value needed it or `fmt` gave it), `order` ("YMD", "MDY" or
    "DMY": the order used for such values; None when none)."""

    values: pd.Series
    date_only: np.ndarray
    note: str | None = None
    order: str | None = None


@dataclass
class DateTimes(ParsedDates):
    """`combine_date_time_report`: a date column with its separate time column. `bad_time` marks a time
    cell that is not a time; `date_only` is False where the time column gave the time."""

    bad_time: pd.Series | None = None


def parse_datetimes(s: pd.Series, fmt: str | None = None) -> pd.Series:
    """The column's dates (see `parse_datetimes_report`) as datetime64[us]; NaT where blank or unreadable."""
    return parse_datetimes_report(s, fmt).values


def parse_datetimes_report(s: pd.Series, fmt: str | None = None) -> ParsedDates:
    """Read a column of dates, vectorised: '2024.03.05', '2024-03-05 14:22', '2024/3/5 오후 2:22:00',
    '2024년 3월 5일', 20240305, Excel serials, ISO '2024-03-05T14:22:10Z' / '…+09:00' (converted to
    Korean time), month-first '06/26/2018 10:58:54 AM', day-first '26.06.2018 14:00', two-digit years
    '24.03.05', '06/26/18'. `fmt` forces a strptime format ('%m/%d/%Y %I:%M:%S %p'; values it does not
    fit are read as usual, in its day/month order) or an order: 'YMD', 'MDY' or 'DMY'."""
    st = _Dates.new(_latin_ampm(_arrow(s)))
    order, note, forced = _order_keyword(fmt), None, fmt is not None
    if fmt and order is None:
        _by_forced_format(st, fmt)
        order = _format_order(fmt)
    sampled = order is None
    if sampled:
        order, note = _order_from_sample(st)
    _by_formats(st, order)
    _by_pattern(st, _DT)
    order, note = _ordered_stage(st, order, note, recheck=sampled)
    if sampled and note and note.startswith(_ASSUMED):
        note = _confirm_assumed(st, note)
    _by_compact_or_serial(st)
    if not forced and not st.ordered.any():
        order, note = None, None
    return ParsedDates(pd.Series(st.out, index=s.index, dtype="datetime64[us]"), st.date_only, note, order)


@dataclass
class _Dates:
    """The values being read: `out` and `date_only` filled stage by stage; `ordered` marks the values
    whose reading depended on the day/month/year order."""

    arr: object
    valid: np.ndarray
    out: np.ndarray
    date_only: np.ndarray
    ordered: np.ndarray

    @classmethod
    def new(cls, arr) -> _Dates:
        n = len(arr)
        return cls(
            arr,
            arr.is_valid().to_numpy(zero_copy_only=False),
            np.full(n, NAT),
            np.zeros(n, bool),
            np.zeros(n, bool),
        )

    def todo(self) -> np.ndarray:
        return np.isnat(self.out) & self.valid

    def put(self, idx: np.ndarray, values: np.ndarray, date_only: np.ndarray, ordered: bool = False) -> None:
        hit = ~np.isnat(values)
        where = idx[hit]
        self.out[where] = values[hit]
        self.date_only[where] = date_only[hit]
        self.ordered[where] = ordered


def _pending(st: _Dates):
    """(row positions still unread, their values as an arrow array) or None when nothing is left."""
    import pyarrow as pa

    todo = st.todo()
    if not todo.any():
        return None
    return np.flatnonzero(todo), (st.arr if todo.all() else st.arr.filter(pa.array(todo)))


def _by_formats(st: _Dates, order: str | None) -> None:
    pending = _pending(st)
    if pending is None:
        return
    ordered = tuple(_ordered_formats(order)) if order else ()
    for fmt in _formats_by_sample(pending[1], FAST_FORMATS + ordered):
        pending = _pending(st)
        if pending is None:
            return
        idx, sub = pending
        values = _exact_strptime(sub, fmt)
        st.put(idx, values, np.full(len(values), not _has_clock(fmt)), ordered=fmt in ordered)


def _by_pattern(st: _Dates, pattern: str, order: str | None = None) -> None:
    pending = _pending(st)
    if pending is None:
        return
    idx, sub = pending
    ok, g = _groups(sub, pattern)
    if ok.any():
        _put_groups(st, idx, ok, g, order)


def _put_groups(st: _Dates, idx: np.ndarray, ok: np.ndarray, g: dict, order: str | None) -> None:
    if order:
        g = {**g, **dict(zip("ymd", _ymd_for(g, order)))}
        ok = ok & ~np.isnan(g["y"])
    values = _to_datetime(g, ok)
    if "z" in g:
        values = _to_local(values, g["z"])
    st.put(idx, values, np.isnan(g["H"]), ordered=order is not None)


def _ordered_stage(
    st: _Dates, order: str | None, note: str | None, recheck: bool
) -> tuple[str | None, str | None]:
    """Values like 06/26/2018 still unread: read in `order`; with no order yet, the order is decided
    from all of them; with a sample's order (`recheck`), values it cannot read may overturn it."""
    import pyarrow as pa

    pending = _pending(st)
    if pending is None:
        return order, note
    idx, sub = pending
    ok, g = _groups(sub, _ABC)
    if not ok.any():
        return order, note
    if order is None:
        order, note = _decide_order(_rows(g, ok), sub.filter(pa.array(ok)))
        recheck = False
    _put_groups(st, idx, ok, g, order)
    failed = ok & np.isnat(st.out[idx])
    if failed.any() and recheck:
        order, note = _recheck(st, order, note, _rows(g, failed), sub.filter(pa.array(failed)))
    return order, note


def _rows(g: dict, mask: np.ndarray) -> dict:
    return {k: v[mask] for k, v in g.items()}


def _order_from_sample(st: _Dates) -> tuple[str | None, str | None]:
    import pyarrow as pa

    pending = _pending(st)
    if pending is None:
        return None, None
    sample = _sample(pending[1])
    ok, g = _groups(sample, _ABC)
    if not ok.any():
        return None, None
    return _decide_order(_rows(g, ok), sample.filter(pa.array(ok)))


def _recheck(st: _Dates, order: str, note: str | None, failed: dict, texts) -> tuple[str, str | None]:
    """Some values could not be read in the sample's order: the order that reads more of the column's
    such values wins (they are read again in it); either way the note says what was done."""
    import pyarrow as pa

    others = [o for o in _candidate_orders(failed) if o != order and _valid_under(failed, o).any()]
    if not others:
        return order, note
    scope = st.ordered | _unread_abc(st)
    idx = np.flatnonzero(scope)
    best, best_n, best_st = order, int(st.ordered.sum()), None
    for o in others:
        trial = _Dates.new(st.arr.filter(pa.array(scope)))
        _by_formats(trial, o)
        _by_pattern(trial, _ABC, o)
        if int(trial.ordered.sum()) > best_n:
            best, best_n, best_st = o, int(trial.ordered.sum()), trial
    if best_st is None:
        readable = np.logical_or.reduce([_valid_under(failed, o) for o in others])
        return order, _mixed_note(
            order, others[0], int(readable.sum()), texts[int(np.argmax(readable))].as_py()
        )
    st.out[idx], st.date_only[idx], st.ordered[idx] = best_st.out, best_st.date_only, best_st.ordered
    left = int(len(idx) - best_st.ordered.sum())
    i = int(np.argmax(~_valid_under(failed, order)))
    if left:
        return best, _mixed_note(best, order, left, _first_unread(st, idx, best_st))
    return best, f"날짜 순서: {ORDER_LABELS[best]}로 읽었습니다({_why_not(failed, texts, i, order)})."


def _confirm_assumed(st: _Dates, note: str) -> str:
    """The sample could not tell the order: the whole column may (a value outside the sample with a
    part above 12); the order stays (every value was read in it), the note says what settles it."""
    import pyarrow as pa

    if not st.ordered.any():
        return note
    values = st.arr.filter(pa.array(st.ordered))
    ok, g = _groups(values, _ABC)
    return _decide_order(_rows(g, ok), values.filter(pa.array(ok)))[1] or note


def _unread_abc(st: _Dates) -> np.ndarray:
    """Values still unread that have the a-b-c shape."""
    import pyarrow.compute as pc

    out = np.zeros(len(st.arr), bool)
    pending = _pending(st)
    if pending is not None:
        out[pending[0]] = pc.fill_null(pc.match_substring_regex(pending[1], _ABC), False).to_numpy(
            zero_copy_only=False
        )
    return out


def _first_unread(st: _Dates, idx: np.ndarray, trial: _Dates) -> str:
    return st.arr[int(idx[np.argmax(np.isnat(trial.out))])].as_py()


def _candidate_orders(parts: dict) -> list[str]:
    """Orders such values may be in, the default first: month-first for '/', else year-first for two-digit
    years (24.03.05) and day-first for a year at the end (26.06.2018); year-first needs a two-digit year."""
    seps, counts = np.unique(parts["sep"].astype(str), return_counts=True)
    sep = seps[np.argmax(counts)]
    short = np.isnan(parts["c4"])
    default = "MDY" if sep == "/" else ("YMD" if short.mean() >= 0.5 else "DMY")
    prefs = [default] + [o for o in ("YMD", "DMY", "MDY") if o != default]
    return [o for o in prefs if o != "YMD" or short.any()]


def _decide_order(parts: dict, texts) -> tuple[str, str | None]:
    """The order every readable value fits (a value no order reads is just an error): if one, the note
    says why; if several, the default, said to be assumed; if none, the order most values fit."""
    candidates = _candidate_orders(parts)
    valid = {o: _valid_under(parts, o) for o in candidates}
    readable = np.logical_or.reduce(list(valid.values()))
    if not readable.any():
        return candidates[0], None
    viable = [o for o in candidates if valid[o][readable].all()]
    if len(viable) == 1:
        order = viable[0]
        why = [
            _why_not(parts, texts, int(np.argmax(readable & ~valid[o])), o) for o in candidates if o != order
        ]
        return order, f"날짜 순서: {ORDER_LABELS[order]}로 읽었습니다({'; '.join(why)})."
    if viable:
        order, sep = viable[0], parts["sep"][0]
        others = "·".join(ORDER_LABELS[o] for o in viable[1:])
        return order, (
            f"{_ASSUMED}{others}와 구별할 수 없어 {ORDER_LABELS[order]}로 읽었습니다"
            f"('{sep}'로 구분한 날짜의 기본값, 예: '{texts[0].as_py()}'). "
            "다르면 매핑 파일의 [formats]에 형식을 지정하세요."
        )
    order = max(candidates, key=lambda o: int(valid[o].sum()))
    alt = max((o for o in candidates if o != order), key=lambda o: int(valid[o].sum()))
    bad = readable & ~valid[order]
    return order, _mixed_note(order, alt, int(bad.sum()), texts[int(np.argmax(bad))].as_py())


_ASSUMED = "날짜 순서: 값만으로는 "


def _mixed_note(order: str, other: str, unread: int, example: str) -> str:
    return (
        f"날짜 순서: {ORDER_LABELS[order]}와 {ORDER_LABELS[other]}로 읽어야 할 값이 섞여 있어 더 많은 값에 "
        f"맞는 {ORDER_LABELS[order]}로 읽었습니다. 그렇게 읽을 수 없는 값 {unread}개(예: '{example}')는 "
        "날짜 오류가 됩니다. 매핑 파일의 [formats]에 형식을 지정할 수 있습니다."
    )


def _why_not(parts: dict, texts, i: int, order: str) -> str:
    """Why value i cannot be in `order`: '…'은(는) 월/일/연도로 읽으면 26월이 됨."""
    y, m, d = (float(v[i]) for v in _ymd_for(parts, order))
    text = texts[i].as_py()
    if np.isnan(y):
        return f"'{text}'은(는) 끝에 네 자리 연도가 있어 연도/월/일 순서가 아님"
    read = f"{int(m)}월" if not 1 <= m <= 12 else f"{int(m)}월 {int(d)}일"
    return f"'{text}'은(는) {ORDER_LABELS[order]}로 읽으면 {read}이 됨"


def _ymd_for(parts: dict, order: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(year, month, day) of values a-b-c read in `order`; year NaN where impossible (year first needs
    a two-digit year). Two-digit years: 00-68 → 20xx, 69-99 → 19xx (as strptime's %y)."""
    a, b, c4, c2 = parts["a"], parts["b"], parts["c4"], parts["c2"]
    long = ~np.isnan(c4)
    c = np.where(long, c4, _century(c2))
    if order == "YMD":
        return np.where(long, np.nan, _century(a)), b, c2
    return (c, a, b) if order == "MDY" else (c, b, a)


def _century(yy: np.ndarray) -> np.ndarray:
    return np.where(yy < 69, 2000 + yy, 1900 + yy)


def _valid_under(parts: dict, order: str) -> np.ndarray:
    y, m, d = _ymd_for(parts, order)
    return ~np.isnat(_to_datetime({"y": y, "m": m, "d": d}, ~np.isnan(y)))


def _order_keyword(fmt: str | None) -> str | None:
    if fmt is None:
        return None
    key = re.sub(r"[\s/.\-]", "", fmt).upper()
    labels = {re.sub(r"/", "", v): k for k, v in ORDER_LABELS.items()}
    return key if key in ORDER_LABELS else labels.get(key)


def _format_order(fmt: str) -> str | None:
    """The day/month/year order of a strptime format ('%d.%m.%Y' → 'DMY'); None without all three."""
    pos = {
        k: min((fmt.find(d) for d in ds if d in fmt), default=-1)
        for k, ds in (("Y", ("%Y", "%y")), ("M", ("%m", "%b", "%B")), ("D", ("%d",)))
    }
    if min(pos.values()) < 0:
        return None
    return "".join(sorted(pos, key=pos.get))


def _by_forced_format(st: _Dates, fmt: str) -> None:
    """A format the caller gives: pyarrow strptime, or pandas for what it lacks (%f); values with a UTC
    offset (%z) converted to Korean time."""
    import pyarrow as pa

    try:
        if "%f" in fmt:
            raise pa.ArrowInvalid(fmt)
        values = _exact_strptime(st.arr, fmt)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
        values = _pandas_strptime(st.arr, fmt)
    st.put(np.arange(len(values)), values, np.full(len(values), not _has_clock(fmt)))


def _pandas_strptime(arr, fmt: str) -> np.ndarray:
    parsed = pd.to_datetime(arr.to_pandas(), format=fmt, errors="coerce", utc="%z" in fmt)
    if "%z" in fmt:
        parsed = parsed.dt.tz_convert(LOCAL_TZ).dt.tz_localize(None)
    return parsed.to_numpy("datetime64[us]")


def _has_clock(fmt: str) -> bool:
    return any(d in fmt for d in ("%H", "%I", "%T", "%R"))


def _ordered_formats(order: str) -> list[str]:
    """Exact formats of values in a day/month/year order: '/', '.', '-'; four- or two-digit years."""
    years = ("%y",) if order == "YMD" else ("%Y", "%y")
    out = []
    for sep in "/.-":
        for year in years:
            day = sep.join({"Y": year, "M": "%m", "D": "%d"}[c] for c in order)
            out += [day + clock for clock in _CLOCK_FORMATS]
    return out


def _sample(arr, size: int = 2000):
    import pyarrow as pa

    if len(arr) <= size:
        return arr
    return arr.take(pa.array(np.linspace(0, len(arr) - 1, size).astype(np.int64)))


def _formats_by_sample(arr, formats: tuple[str, ...]) -> list[str]:
    """The formats that read some of a sample of the values, those that read most first."""
    sample = _sample(arr)
    hits = {fmt: int((~np.isnat(_exact_strptime(sample, fmt))).sum()) for fmt in formats}
    return sorted((f for f in formats if hits[f]), key=lambda f: -hits[f])


def _exact_strptime(arr, fmt: str) -> np.ndarray:
    """pyarrow strptime (datetime64[us], NaT where the format does not fit), exact: no 2024-02-30 rolled
    over to 03-01, no '24' taken as the year 24 by %Y (years 1900-2199 only)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parsed = pc.strptime(arr, format=fmt, unit="us", error_is_null=True)
    zoned = parsed.type.tz is not None  # %z: the values are UTC
    if zoned:
        parsed = parsed.cast(pa.timestamp("us"))
    values = parsed.to_numpy(zero_copy_only=False).astype("datetime64[us]")
    values[(values < _YEARS[0]) | (values >= _YEARS[1])] = NAT
    at = _day_field(fmt)
    if at is not None and not zoned and parsed.null_count < len(parsed):
        day = pc.fill_null(pc.day(parsed), 99).to_numpy(zero_copy_only=False)
        low = np.flatnonzero(day <= 3)  # a rolled-over 29-31 lands on day 1-3
        if len(low):
            rolled = pc.match_substring_regex(
                arr.take(pa.array(low)), r"^\D*" + r"(?:\d+\D+)" * at + r"0*(?:29|30|31)(?:\D|$)"
            )
            values[low[rolled.to_numpy(zero_copy_only=False)]] = NAT
    return _utc_to_local(values) if zoned else values


def _day_field(fmt: str) -> int | None:
    """Which number in the text (0-based) a format's %d reads, or None."""
    numeric = [d for d in re.findall(r"%[a-zA-Z]", fmt) if d[1] in "YymdHIMS"]
    return numeric.index("%d") if "%d" in numeric else None


def _utc_to_local(values: np.ndarray) -> np.ndarray:
    local = pd.DatetimeIndex(values).tz_localize("UTC").tz_convert(LOCAL_TZ).tz_localize(None)
    return local.to_numpy("datetime64[us]")


def _to_local(values: np.ndarray, zone: np.ndarray) -> np.ndarray:
    """Values written with 'Z' or an offset ('+09:00', '-0500') → Korean time; others as they are."""
    zone = pd.Series(zone, dtype=object).fillna("").to_numpy(dtype=str)
    has = (zone != "") & ~np.isnat(values)
    if not has.any():
        return values
    z = zone[has]
    digits = np.char.replace(np.char.lstrip(z, "+-Z"), ":", "")
    minutes = np.array([int(x[:2]) * 60 + int(x[2:]) if x else 0 for x in digits])
    minutes = np.where(np.char.startswith(z, "-"), -minutes, minutes)
    out = values.copy()
    out[has] = _utc_to_local(values[has] - minutes.astype("timedelta64[m]"))
    return out


def _latin_ampm(arr):
    """오전/오후 written as AM/PM (when a sample shows them), so that strptime's %p reads them."""
    import pyarrow.compute as pc

    sample = _sample(arr)
    if not pc.any(pc.match_substring(sample, "오")).as_py():
        return arr
    return pc.replace_substring(pc.replace_substring(arr, "오전", "AM"), "오후", "PM")


def _arrow(s: pd.Series):
    """The values as one trimmed Arrow string array (nulls where NA)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (isinstance(s.dtype, pd.StringDtype) or isinstance(s.array, pd.arrays.ArrowExtensionArray)):
        s = s.astype("string")
    arr = pa.array(s, from_pandas=True)
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pa.array(s.astype("string"), from_pandas=True)
    return pc.utf8_trim_whitespace(arr)


def _groups(arr, pattern: str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """RE2 (pyarrow) named-group extraction: (matched mask, group → float array, NaN when empty; text
    groups (오전/오후, separators, zones) as object arrays)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = pc.extract_regex(arr, pattern)
    ok = parts.is_valid().to_numpy(zero_copy_only=False)
    out = {}
    for i, field_ in enumerate(parts.type):
        col = pc.struct_field(parts, [i])
        if field_.name in _TEXT_GROUPS:
            out[field_.name] = col.to_numpy(zero_copy_only=False).astype(object)
            continue
        col = pc.if_else(pc.equal(pc.utf8_length(col), 0), None, col)
        out[field_.name] = pc.cast(col, pa.float64()).to_numpy(zero_copy_only=False)
    return ok, out


def _hours(g: dict[str, np.ndarray]) -> np.ndarray:
    """24-hour clock from H and an optional 오전/오후/AM/PM before or after the time."""
    hour = np.nan_to_num(g["H"])
    marker = np.where(pd.isna(g["ap1"]) | (g["ap1"] == ""), g["ap2"], g["ap1"]).astype(str)
    pm = np.isin(marker, ["오후", "PM", "pm"])
    am = np.isin(marker, ["오전", "AM", "am"])
    hour = np.where(pm & (hour < 12), hour + 12, hour)
    return np.where(am & (hour == 12), 0, hour)


def _to_datetime(g: dict[str, np.ndarray], ok: np.ndarray) -> np.ndarray:
    y, m, d = g["y"], g["m"], g["d"]
    zero = np.zeros_like(y)
    hour = _hours(g) if "ap1" in g else np.nan_to_num(g.get("H", zero))
    minute, second = np.nan_to_num(g.get("M", zero)), np.nan_to_num(g.get("S", zero))
    valid = ok & (y >= 1900) & (y < 2200) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= 31)
    valid &= (hour < 24) & (minute < 60) & (second < 60)
    months = np.where(valid, (y - 1970) * 12 + m - 1, 0).astype("int64").astype("datetime64[M]")
    day = months.astype("datetime64[D]") + np.where(valid, d - 1, 0).astype("int64")
    valid &= day.astype("datetime64[M]") == months  # 2024-02-30 is not a date
    micros = np.round((hour * 3600 + minute * 60 + second + np.nan_to_num(g.get("F", zero))) * 1e6)
    out = day.astype("datetime64[us]") + np.where(valid, micros, 0).astype("int64").astype("timedelta64[us]")
    return np.where(valid, out, NAT)


def _by_compact_or_serial(st: _Dates) -> None:
    """20240305 (14:22), then Excel serials (days since 1899-12-30; a whole number is a date only)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    _by_pattern(st, _COMPACT)
    pending = _pending(st)
    if pending is None:
        return
    idx, sub = pending
    serial = pc.fill_null(pc.match_substring_regex(sub, _SERIAL), False).to_numpy(zero_copy_only=False)
    if not serial.any():
        return
    days = pd.to_numeric(sub.filter(pa.array(serial)).to_pandas(), errors="coerce").to_numpy("float64")
    us = np.where((days >= 20000) & (days <= 80000), np.round(days * 86_400_000_000), np.nan)
    values = np.where(
        np.isnan(us), NAT, EXCEL_EPOCH + np.nan_to_num(us).astype("int64").astype("timedelta64[us]")
    )
    st.put(idx[serial], values, days == np.floor(days))


def parse_times(s: pd.Series) -> pd.Series:
    """Times of day ('14:22', '오후 2:22:00', Excel fractions 0.598…) → timedelta64; NaT if unreadable."""
    arr = _arrow(s)
    ok, g = _groups(arr, _TIME)
    hour, minute, second = _hours(g), np.nan_to_num(g["M"]), np.nan_to_num(g["S"])
    ok &= (hour < 24) & (minute < 60) & (second < 60)
    secs = np.where(ok, hour * 3600 + minute * 60 + second, np.nan)
    frac = pd.to_numeric(s.astype("string").str.strip().where(~pd.Series(ok, index=s.index)), errors="coerce")
    frac = frac.where((frac >= 0) & (frac < 1)).to_numpy("float64")
    secs = np.where(np.isnan(secs), np.round(frac * 86400), secs)
    return pd.Series(pd.to_timedelta(secs, unit="s"), index=s.index, dtype="timedelta64[us]")


def combine_date_time(
    date_s: pd.Series, time_s: pd.Series | None, fmt: str | None = None
) -> tuple[pd.Series, pd.Series]:
    """Date column (+ optional separate time column) → (datetime, bad_time mask)."""
    r = combine_date_time_report(date_s, time_s, fmt)
    return r.values, r.bad_time


def combine_date_time_report(
    date_s: pd.Series, time_s: pd.Series | None, fmt: str | None = None
) -> DateTimes:
    """A date column (`fmt` as for `parse_datetimes_report`) and an optional separate time column: the
    time is added where the date has none (or shows midnight); `bad_time` where a time is not a time."""
    d = parse_datetimes_report(date_s, fmt)
    dt, date_only = d.values, d.date_only.copy()
    if time_s is None:
        return DateTimes(dt, date_only, d.note, d.order, pd.Series(False, index=date_s.index))
    t = parse_times(time_s)
    has_time = time_s.notna()
    bad_time = has_time & t.isna()
    no_clock = dt.notna() & (pd.Series(date_only, index=dt.index) | (dt == dt.dt.normalize()))
    add = has_time & t.notna() & no_clock
    dt = dt.where(~add, dt.dt.normalize() + t)
    date_only &= ~add.to_numpy()
    return DateTimes(dt, date_only, d.note, d.order, bad_time)


# --- values -----------------------------------------------------------------------------------------


def clean_number_text(s: pd.Series) -> pd.Series:
    """'1,234' → '1234' for values that are numbers with thousand separators; others unchanged."""
    s = s.astype("string")
    is_num = matches(s, r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
    return s.where(~is_num, s.str.replace(",", "", regex=False))


def matches(s: pd.Series, pattern: str) -> pd.Series:
    """Boolean Series: where an RE2 pattern matches (pyarrow; False for NA). Much faster than .str."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(s.astype("string"), from_pandas=True)
    hit = pc.fill_null(pc.match_substring_regex(arr, pattern), False)
    return pd.Series(hit.to_numpy(zero_copy_only=False), index=s.index)


def replace(s: pd.Series, pattern: str, repl: str) -> pd.Series:
    """RE2 replace of every match (pyarrow), NA kept."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(s.astype("string"), from_pandas=True)
    out = pc.replace_substring_regex(arr, pattern, repl)
    return pd.Series(
        out.to_pandas(
            types_mapper={
                pa.large_string(): pd.StringDtype("pyarrow"),
                pa.string(): pd.StringDtype("pyarrow"),
            }.get
        ),
        index=s.index,
    )
