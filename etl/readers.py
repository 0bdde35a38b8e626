"""Generic readers: any export file (CSV in any Korean encoding, .xlsx, .xls) → a DataFrame of strings.

Used by every loader (VOC, survey, KPI). The encoding is detected from the bytes, never from the
file name; the header row is found below title rows by scoring rows against the headers the caller
knows (`known`), and every data row keeps the row number the user sees in Excel (`Table.rows`).
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

HEADER_SCAN_ROWS = 30
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
IGNORED_COLUMNS = ("오류",)  # the column a rejects file adds; ignored when the file is loaded again


class ReadError(Exception):
    """The file cannot be used at all; the message (Korean) says what and where."""


@dataclass
class Table:
    """A sheet of strings: `df` has one string column per header (NA for blank cells)."""

    df: pd.DataFrame
    rows: np.ndarray                 # Excel-style row number of each df row (1-based)
    header_row: int                  # row number of the header
    file_name: str
    encoding: str | None = None      # CSV only
    sheet: str | None = None         # workbook only
    title_rows: list[str] = field(default_factory=list)


def normalise_header(text: object) -> str:
    """Header compared by meaning: width-folded, lower-case, no spaces, brackets or punctuation."""
    s = unicodedata.normalize("NFKC", str(text)).lower()
    return re.sub(r"[\s\W_]+", "", s)


def header_keys(text: object) -> list[str]:
    """The forms a header may match: whole, and without a bracketed remark ('접수일시(YYYY-MM-DD)')."""
    s = unicodedata.normalize("NFKC", str(text))
    keys = [normalise_header(s)]
    bare = normalise_header(re.sub(r"[(\[{<（].*?[)\]}>）]", "", s))
    if bare and bare != keys[0]:
        keys.append(bare)
    return [k for k in keys if k]


def detect_encoding(data: bytes) -> str:
    """BOM → utf-8-sig; valid UTF-8 → utf-8; else CP949 (a superset of EUC-KR); else ReadError."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp949")
        return "cp949"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ReadError(
            f"문자 인코딩을 알 수 없습니다({line}행 부근): UTF-8, CP949(EUC-KR) 어느 것도 아닙니다. "
            "Excel에서 'CSV UTF-8' 또는 .xlsx로 다시 저장해 주세요."
        ) from None


def read_table(
    source: str | Path | bytes,
    name: str | None = None,
    *,
    known: Iterable[str] = (),
    sheet: str | int | None = None,
) -> Table:
    """Read a CSV/.xlsx/.xls file (path or bytes) into a Table of strings.

    `known`: normalised header names the caller recognises; the header row is the row (among the
    first 30) that matches most of them (ties: the earliest), else the first full-width text row.
    """
    data = Path(source).read_bytes() if not isinstance(source, bytes) else source
    file_name = name or (Path(source).name if not isinstance(source, bytes) else "upload")
    if not data.strip():
        raise ReadError(f"{file_name}: 파일이 비어 있습니다.")
    known_set = {normalise_header(k) for k in known}
    if data.startswith(XLSX_MAGIC) or data.startswith(XLS_MAGIC):
        return _read_workbook(data, file_name, known_set, sheet)
    return _read_csv(data, file_name, known_set)


# --- header detection --------------------------------------------------------------------------

def _header_score(cells: list[str], known: set[str]) -> int:
    return sum(any(k in known for k in header_keys(c)) for c in cells if c)


def find_header(rows: list[list[str]], known: set[str]) -> int:
    """Index (0-based) of the header among the first rows."""
    rows = rows[:HEADER_SCAN_ROWS]
    if known:
        scores = [_header_score(r, known) for r in rows]
        best = max(scores, default=0)
        if best >= 2 or (best == 1 and sum(1 for c in rows[scores.index(best)] if c) == 1):
            return scores.index(best)
    widths = [sum(1 for c in r if c) for r in rows]
    widest = max(widths, default=0)
    for i, r in enumerate(rows):
        texts = [c for c in r if c]
        if widest and len(texts) >= max(2, 0.6 * widest) and not any(_looks_numeric(c) for c in texts):
            return i
    return 0


def _looks_numeric(s: str) -> bool:
    return bool(re.fullmatch(r"[\d\s.,:/\-]+", s))


# --- CSV ----------------------------------------------------------------------------------------

def _read_csv(data: bytes, file_name: str, known: set[str]) -> Table:
    encoding = detect_encoding(data)
    text = data.decode(encoding)
    delimiter = _sniff_delimiter(text[:20000])
    head, offsets = _head_records(text, delimiter)
    if not head:
        raise ReadError(f"{file_name}: 읽을 수 있는 행이 없습니다.")
    h = find_header(head, known)
    header = [c.strip() for c in head[h]]
    body = text[offsets[h + 1]:] if h + 1 < len(offsets) else ""
    names = _unique_names(header)
    try:
        df = pd.read_csv(
            io.BytesIO(body.encode("utf-8")), header=None, names=names, dtype="string",
            sep=delimiter, keep_default_na=False, na_filter=False, skip_blank_lines=False,
            index_col=False, engine="c",
        )
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        where = f"{h + 1 + int(m.group(1))}행 부근" if m else "어딘가"
        raise ReadError(f"{file_name}: CSV 형식이 깨졌습니다({where}: 열 개수가 머리글보다 많습니다).") from None
    rows = np.arange(len(df), dtype=np.int64) + h + 2
    df, rows = _tidy(df, rows)
    titles = [" ".join(c for c in r if c) for r in head[:h]]
    return Table(df, rows, h + 1, file_name, encoding=encoding, title_rows=titles)


def _sniff_delimiter(sample: str) -> str:
    counts = {d: sample.count(d) for d in (",", "\t", ";", "|")}
    return max(counts, key=counts.get) if max(counts.values()) else ","


def _head_records(text: str, delimiter: str) -> tuple[list[list[str]], list[int]]:
    """The first records (quoted newlines respected) and the character offset where each starts."""
    lines = io.StringIO(text, newline="")
    offsets = [0]
    pos = 0

    def tracked():
        nonlocal pos
        for line in lines:
            pos += len(line)
            yield line

    reader = csv.reader(tracked(), delimiter=delimiter)
    records: list[list[str]] = []
    for rec in reader:
        records.append([c.strip() for c in rec])
        offsets.append(pos)
        if len(records) > HEADER_SCAN_ROWS:
            break
    return records, offsets


def _unique_names(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(header):
        h = h or f"열{i + 1}"
        if h in seen:
            seen[h] += 1
            h = f"{h}.{seen[h]}"
        else:
            seen[h] = 0
        out.append(h)
    return out


def _tidy(df: pd.DataFrame, rows: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Strip cells, blank → NA, drop wholly blank rows and the rejects file's 오류 column."""
    df = df.drop(columns=[c for c in df.columns if normalise_header(c) in IGNORED_COLUMNS])
    for col in df.columns:
        s = df[col].str.strip()
        df[col] = s.mask(s == "")
    keep = df.notna().any(axis=1).to_numpy() if len(df.columns) else np.zeros(len(df), bool)
    return df[keep].reset_index(drop=True), rows[keep]


# --- workbooks ------------------------------------------------------------------------------------

def _read_workbook(data: bytes, file_name: str, known: set[str], sheet: str | int | None) -> Table:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - calamine raises several types
        raise ReadError(f"{file_name}: Excel 파일을 열 수 없습니다({exc}).") from None
    names = wb.sheet_names
    if not names:
        raise ReadError(f"{file_name}: 시트가 없습니다.")
    if sheet is None:
        candidates = names
    elif isinstance(sheet, int):
        candidates = [names[sheet]]
    elif sheet in names:
        candidates = [sheet]
    else:
        raise ReadError(f"{file_name}: '{sheet}' 시트가 없습니다(있는 시트: {', '.join(names)}).")
    best: tuple[int, str, list[list]] | None = None
    for sh in candidates:
        raw = wb.get_sheet_by_name(sh).to_python(skip_empty_area=False)
        if not any(any(_cell_text(c) for c in r) for r in raw):
            continue
        head = [[_cell_text(c) for c in r] for r in raw[:HEADER_SCAN_ROWS]]
        score = _header_score(head[find_header(head, known)], known) if known else 0
        if best is None or score > best[0]:
            best = (score, sh, raw)
    if best is None:
        raise ReadError(f"{file_name}: 모든 시트가 비어 있습니다.")
    _, sh, raw = best
    head = [[_cell_text(c) for c in r] for r in raw[:HEADER_SCAN_ROWS]]
    h = find_header(head, known)
    header = head[h]
    while header and not header[-1]:
        header.pop()
    names_ = _unique_names(header)
    body = raw[h + 1:]
    cols = {n: [_cell_text(r[i]) if i < len(r) else "" for r in body] for i, n in enumerate(names_)}
    df = pd.DataFrame({n: pd.array(v, dtype="string") for n, v in cols.items()})
    rows = np.arange(len(df), dtype=np.int64) + h + 2
    df, rows = _tidy(df, rows)
    titles = [" ".join(c for c in r if c) for r in head[:h]]
    return Table(df, rows, h + 1, file_name, sheet=sh, title_rows=titles)


def _cell_text(v: object) -> str:
    """A workbook cell as the text a CSV export would show (dates ISO, whole numbers without .0)."""
    if v is None or v == "":
        return ""
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, time):
        return v.strftime("%H:%M:%S")
    if isinstance(v, timedelta):
        secs = int(v.total_seconds())
        return f"{secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    return str(v).strip()


# --- values -----------------------------------------------------------------------------------------

_DT = re.compile(
    r"^(?P<y>\d{4})\s*[-./년]\s*(?P<m>\d{1,2})\s*[-./월]\s*(?P<d>\d{1,2})\s*일?\.?"
    r"(?:\s*(?:T|\s)\s*(?P<ap1>오전|오후|AM|PM|am|pm)?\s*(?P<H>\d{1,2})\s*[:시]\s*(?P<M>\d{1,2})\s*분?"
    r"(?:\s*:\s*(?P<S>\d{1,2})(?:\.\d+)?\s*초?)?\s*(?P<ap2>오전|오후|AM|PM|am|pm)?)?\s*$"
)
_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:\s*(?P<H>\d{2}):?(?P<M>\d{2})(?::?(?P<S>\d{2}))?)?$")
_TIME = re.compile(r"^(?P<ap1>오전|오후|AM|PM|am|pm)?\s*(?P<H>\d{1,2})\s*[:시]\s*(?P<M>\d{1,2})\s*분?"
                   r"(?:\s*:\s*(?P<S>\d{1,2})(?:\.\d+)?)?\s*(?P<ap2>오전|오후|AM|PM|am|pm)?$")
_SERIAL = re.compile(r"^\d{4,5}(?:\.\d+)?$")
EXCEL_EPOCH = np.datetime64("1899-12-30")


def parse_datetimes(s: pd.Series) -> pd.Series:
    """Vectorised: '2024.03.05', '2024-03-05 14:22', '2024/3/5 오후 2:22:00', 20240305, Excel serials.

    Returns datetime64 values; NaT where the text is blank or cannot be read (check `s.notna()`).
    """
    s = s.astype("string").str.strip()
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
    fast = pd.to_datetime(s, format="%Y-%m-%d %H:%M:%S", errors="coerce")
    out = out.mask(fast.notna(), fast.astype("datetime64[us]"))
    rest = out.isna() & s.notna()
    if rest.any():
        out.loc[rest] = _parse_slow(s[rest])
    return out


def _parse_slow(s: pd.Series) -> pd.Series:
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
    for pattern in (_DT, _COMPACT):
        todo = out.isna()
        if not todo.any():
            break
        parts = s[todo].str.extract(pattern)
        ok = parts["y"].notna()
        if ok.any():
            out.loc[parts.index[ok]] = _assemble(parts[ok])
    serial = out.isna() & s.str.fullmatch(_SERIAL.pattern).fillna(False).astype(bool)
    if serial.any():
        days = pd.to_numeric(s[serial], errors="coerce").astype("float64")
        valid = days.between(20000, 80000)  # 1954 … 2119: a serial, not another number
        us = (days[valid] * 86_400_000_000).round().astype("int64")
        out.loc[valid[valid].index] = EXCEL_EPOCH.astype("datetime64[us]") + us.to_numpy().astype("timedelta64[us]")
    return out


def _assemble(parts: pd.DataFrame) -> pd.Series:
    num = {k: pd.to_numeric(parts[k], errors="coerce") for k in ("y", "m", "d")}
    hour = pd.to_numeric(parts.get("H"), errors="coerce").fillna(0) if "H" in parts else 0
    minute = pd.to_numeric(parts["M"], errors="coerce").fillna(0) if "M" in parts else 0
    second = pd.to_numeric(parts["S"], errors="coerce").fillna(0) if "S" in parts else 0
    if "ap1" in parts:
        hour = _apply_ampm(hour, parts["ap1"].fillna(parts["ap2"]))
    bad = (num["m"] < 1) | (num["m"] > 12) | (num["d"] < 1) | (num["d"] > 31) | (hour > 23) | (minute > 59) | (second > 59)
    frame = pd.DataFrame({"year": num["y"], "month": num["m"], "day": num["d"],
                          "hour": hour, "minute": minute, "second": second}).astype("float64")
    frame[bad] = np.nan
    return pd.to_datetime(frame, errors="coerce").astype("datetime64[us]")


def _apply_ampm(hour: pd.Series, marker: pd.Series) -> pd.Series:
    marker = marker.astype("string").str.upper()
    pm = marker.isin(["오후", "PM"]).fillna(False).astype(bool)
    am = marker.isin(["오전", "AM"]).fillna(False).astype(bool)
    hour = hour.where(~(pm & (hour < 12)), hour + 12)
    return hour.where(~(am & (hour == 12)), 0)


def parse_times(s: pd.Series) -> pd.Series:
    """Times of day ('14:22', '오후 2:22:00', Excel fractions 0.598…) → timedelta64; NaT if unreadable."""
    s = s.astype("string").str.strip()
    out = pd.Series(pd.NaT, index=s.index, dtype="timedelta64[us]")
    parts = s.str.extract(_TIME)
    ok = parts["H"].notna()
    if ok.any():
        p = parts[ok]
        hour = _apply_ampm(pd.to_numeric(p["H"]), p["ap1"].fillna(p["ap2"]))
        minute = pd.to_numeric(p["M"])
        second = pd.to_numeric(p["S"], errors="coerce").fillna(0)
        secs = (hour * 3600 + minute * 60 + second).where((hour < 24) & (minute < 60) & (second < 60))
        out.loc[p.index] = pd.to_timedelta(secs, unit="s")
    frac = out.isna() & s.str.fullmatch(r"0?\.\d+|0").fillna(False).astype(bool)
    if frac.any():
        out.loc[frac] = pd.to_timedelta((pd.to_numeric(s[frac]) * 86400).round(), unit="s")
    return out


def combine_date_time(date_s: pd.Series, time_s: pd.Series | None) -> tuple[pd.Series, pd.Series]:
    """Date column (+ optional separate time column) → (datetime, bad_time mask)."""
    dt = parse_datetimes(date_s)
    if time_s is None:
        return dt, pd.Series(False, index=date_s.index)
    t = parse_times(time_s)
    has_time = time_s.notna()
    bad_time = has_time & t.isna()
    has_clock = dt.notna() & (dt != dt.dt.normalize())
    add = has_time & t.notna() & ~has_clock
    dt = dt.where(~add, dt.dt.normalize() + t)
    return dt, bad_time


def clean_number_text(s: pd.Series) -> pd.Series:
    """'1,234' → '1234' for values that are numbers with thousand separators; others unchanged."""
    s = s.astype("string")
    is_num = s.str.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?").fillna(False).astype(bool)
    return s.where(~is_num, s.str.replace(",", "", regex=False))


def known_callable(aliases: dict[str, Iterable[str]]) -> Callable[[str], str | None]:
    """A lookup from any header spelling to its field, given field → aliases."""
    index: dict[str, str] = {}
    for field_, names in aliases.items():
        for n in [field_, *names]:
            index.setdefault(normalise_header(n), field_)

    def lookup(header: str) -> str | None:
        for k in header_keys(header):
            if k in index:
                return index[k]
        return None

    return lookup
