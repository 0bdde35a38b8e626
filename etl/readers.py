"""Generic readers: any export file (CSV in any Korean encoding, .xlsx, .xls) → a DataFrame of strings.

Used by every loader (VOC, survey, KPI). The encoding is detected from the bytes, never from the
file name; the header row is found below title rows by scoring rows against the headers the caller
knows (`known`), and every data row keeps the row number the user sees in Excel (`Table.rows`).
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

HEADER_SCAN_ROWS = 30
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
IGNORED_COLUMNS = ("오류",)  # the column a rejects file adds; ignored when the file is loaded again
TRANSCODE_CHUNK = 1 << 24  # bytes of a CP949 file transcoded at a time (parsed meanwhile)


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
    for encoding in ("utf-8", "cp949"):
        bad = _first_error(data, encoding)
        if bad is None:
            return encoding
    line = data[:bad].count(b"\n") + 1
    raise ReadError(
        f"문자 인코딩을 알 수 없습니다({line}행 부근): UTF-8, CP949(EUC-KR) 어느 것도 아닙니다. "
        "Excel에서 'CSV UTF-8' 또는 .xlsx로 다시 저장해 주세요."
    )


def _first_error(data: bytes, encoding: str, chunk: int = 1 << 24, final: bool = True) -> int | None:
    """Byte offset of the first undecodable byte, or None; decodes in chunks (bounded memory)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(data)
    for start in range(0, len(data), chunk):
        try:
            decoder.decode(view[start:start + chunk], final=final and start + chunk >= len(data))
        except UnicodeDecodeError as exc:
            return start + exc.start
    return None


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
    file_name = name or (Path(source).name if not isinstance(source, bytes) else "upload")
    known_set = {normalise_header(k) for k in known}
    if isinstance(source, bytes):
        magic = source[:8]
    else:
        with open(source, "rb") as fh:
            magic = fh.read(8)
    if magic.startswith(XLSX_MAGIC) or magic.startswith(XLS_MAGIC):
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
        return _read_workbook(data, file_name, known_set, sheet)
    # a path's bytes are passed without another reference, so _read_csv can free them once transcoded
    return _read_csv(source if isinstance(source, bytes) else Path(source).read_bytes(), file_name, known_set)


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
    if re.search(rb"\S", data[: 1 << 16]) is None and re.search(rb"\S", data) is None:
        raise ReadError(f"{file_name}: 파일이 비어 있습니다.")
    encoding, pieces = _utf8_pieces(data, file_name)
    utf8 = next(pieces, b"")  # the whole file, or its first piece while the rest is still being transcoded
    if utf8 is not data:
        data = None  # transcoded: only the UTF-8 copy is needed from here on
    text = _decode_head(utf8, "utf-8-sig")
    delimiter = _sniff_delimiter(text[:20000])
    head, offsets = _head_records(text, delimiter)
    if not head:
        raise ReadError(f"{file_name}: 읽을 수 있는 행이 없습니다.")
    h = find_header(head, known)
    names = _unique_names([c.strip() for c in head[h]])
    bom = 3 if utf8.startswith(b"\xef\xbb\xbf") else 0
    start = bom + len(text[: offsets[h + 1]].encode("utf-8")) if h + 1 < len(offsets) else len(utf8)
    try:
        df = _parse_body(utf8, start, names, delimiter, pieces if h + 1 < len(offsets) else iter(()))
    except UnicodeDecodeError:  # valid UTF-8 at the start, not further on: the file is CP949 after all
        encoding, utf8 = _transcode(data, "cp949", file_name)
        table = _read_csv(utf8, file_name, known)
        table.encoding = encoding
        return table
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        where = f"{h + 1 + int(m.group(1))}행 부근" if m else "어딘가"
        raise ReadError(f"{file_name}: CSV 형식이 깨졌습니다({where}: 열 개수가 머리글보다 많습니다).") from None
    data = utf8 = pieces = None  # parsed: the bytes are not needed any more (peak memory)
    rows = np.arange(len(df), dtype=np.int64) + h + 2
    df, rows = _tidy(df, rows)
    titles = [" ".join(c for c in r if c) for r in head[:h] if any(r)]
    return Table(df, rows, h + 1, file_name, encoding=encoding, title_rows=titles)


def _utf8_pieces(data: bytes, file_name: str) -> tuple[str, Iterator[bytes]]:
    """(detected encoding, the file as UTF-8 pieces that end at line breaks). UTF-8 input is one piece,
    used as is (no copy); CP949 is transcoded lazily, piece by piece, so parsing can start meanwhile."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", iter([data])
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding, utf8 = _transcode(data, "utf-16", file_name)
        return encoding, iter([utf8])
    if _first_error(data[: 1 << 20], "utf-8", final=len(data) <= 1 << 20) is None:
        return "utf-8", iter([data])
    return "cp949", _transcoded(data, "cp949", file_name)


def _transcode(data: bytes, encoding: str, file_name: str) -> tuple[str, bytes]:
    """Decode and re-encode as UTF-8 (peak memory: the input plus twice the output)."""
    if encoding != "cp949":
        try:
            return encoding, data.decode(encoding).encode("utf-8")
        except UnicodeDecodeError as exc:
            raise _encoding_error(data, exc.start, file_name) from None
    return encoding, b"".join(_transcoded(data, encoding, file_name))


def _transcoded(data: bytes, encoding: str, file_name: str) -> Iterator[bytes]:
    """CP949 bytes re-encoded as UTF-8, about TRANSCODE_CHUNK input bytes a piece, each piece ending
    after a line break (byte 0x0A is never part of a CP949 double-byte character)."""
    decode = codecs.getdecoder(encoding)
    view = memoryview(data)
    start = 0
    while start < len(data):
        end = min(start + TRANSCODE_CHUNK, len(data))
        if end < len(data):
            nl = data.rfind(b"\n", start, end)
            end = nl + 1 if nl >= 0 else (data.find(b"\n", end) + 1 or len(data))
        try:
            text = decode(view[start:end])[0]
        except UnicodeDecodeError as exc:
            raise _encoding_error(data, start + exc.start, file_name) from None
        yield text.encode("utf-8")
        start = end


def _encoding_error(data: bytes, offset: int, file_name: str) -> ReadError:
    line = data[:offset].count(b"\n") + 1
    return ReadError(
        f"{file_name}: 문자 인코딩을 알 수 없습니다({line}행 부근): UTF-8, CP949(EUC-KR) 어느 것도 아닙니다. "
        "Excel에서 'CSV UTF-8' 또는 .xlsx로 다시 저장해 주세요."
    )


def _parse_body(utf8: bytes, start: int, names: list[str], delimiter: str,
                more: Iterator[bytes] = iter(())) -> pd.DataFrame:
    """Parse the records after the header (`utf8[start:]` and the pieces still to come): pyarrow
    (multi-threaded, no Python objects) when every line is a full record; else the pandas C parser,
    which keeps blank lines (exact row numbers) and pads short rows."""
    import pyarrow as pa

    table, body = _arrow_records(memoryview(utf8)[start:], more, names, delimiter)
    if table is not None:
        return table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    try:
        df = pd.read_csv(io.BytesIO(body), header=None, names=range(len(names) + 20), dtype="string",
                         encoding="utf-8", sep=delimiter, keep_default_na=False, na_filter=False,
                         skip_blank_lines=False, index_col=False, engine="c")
    except pd.errors.EmptyDataError:
        return pd.DataFrame({n: pd.array([], dtype="string") for n in names})
    extra = df.iloc[:, len(names):]
    filled = (extra.fillna("") != "").any(axis=1).to_numpy() if len(extra.columns) else np.zeros(0, bool)
    if filled.any():
        raise pd.errors.ParserError(f"too many fields in line {int(np.flatnonzero(filled)[0]) + 1}")
    df = df.iloc[:, : len(names)]
    for i in range(len(df.columns), len(names)):
        df[i] = pd.array([""] * len(df), dtype="string")
    df.columns = names
    return df


def _arrow_records(body: memoryview, more: Iterator[bytes], names: list[str], delimiter: str):
    """(Arrow table of the records, None if pyarrow refuses them; the whole body as bytes).

    Pieces are parsed by workers as they arrive, each cut at a line break outside quotes (an even
    number of quote characters before it), while this thread transcodes the next piece."""
    from concurrent.futures import ThreadPoolExecutor

    import pyarrow as pa

    parts: list = []
    futures = []
    pending = body
    with ThreadPoolExecutor(max_workers=2) as pool:
        for piece in more:
            pending = b"".join((pending, piece))
            cut = _records_end(pending)
            if cut:
                parts.append(pending[:cut])
                futures.append(pool.submit(_arrow_table, parts[-1], names, delimiter))
                pending = pending[cut:]
        if len(pending) or not parts:
            parts.append(pending)
            futures.append(pool.submit(_arrow_table, pending, names, delimiter))
        tables = [f.result() for f in futures]
    whole = parts[0] if len(parts) == 1 else b"".join(parts)
    if any(t is None for t in tables):
        return None, whole
    return (tables[0] if len(tables) == 1 else pa.concat_tables(tables)), whole


def _records_end(buf: bytes, tries: int = 64) -> int:
    """Offset just after the last line break that is not inside a quoted value (0 if none found)."""
    pos = buf.rfind(b"\n")
    if pos < 0:
        return 0
    quotes = buf.count(b'"', 0, pos)
    for _ in range(tries):
        if quotes % 2 == 0:
            return pos + 1
        prev = buf.rfind(b"\n", 0, pos)
        if prev < 0:
            return 0
        quotes -= buf.count(b'"', prev, pos)
        pos = prev
    return 0


def _arrow_table(buf, names: list[str], delimiter: str):
    """pyarrow's parse of whole records, or None where it refuses them (blank line, short/long row)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        return pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(buf)),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except pa.ArrowInvalid as exc:
        if "utf8" in str(exc).lower():
            raise UnicodeDecodeError("utf-8", b"", 0, 1, str(exc)) from None
        return None


def _decode_head(data: bytes, encoding: str, size: int = 1 << 18) -> str:
    """The start of the file as text, ending at a line break (enough to find the header)."""
    if len(data) <= size:
        return data.decode(encoding)
    text = data[:size].decode(encoding, errors="ignore")
    return text[: text.rfind("\n") + 1]


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
    """Strip cells, blank → NA, drop wholly blank rows and the rejects file's 오류 column.
    Columns are taken out of `df` one by one, so each raw column is freed once tidied."""
    from concurrent.futures import ThreadPoolExecutor

    cols = [c for c in df.columns if normalise_header(c) not in IGNORED_COLUMNS]
    n = len(df)
    with ThreadPoolExecutor(max_workers=2) as pool:  # pyarrow kernels release the GIL
        arrays = dict(zip(cols, pool.map(_tidy_column, [df.pop(c) for c in cols])))
    keep = np.zeros(n, dtype=bool)
    for arr in arrays.values():
        keep |= arr.is_valid().to_numpy(zero_copy_only=False)
    if not keep.all():
        mask = pa_mask(keep)
        arrays = {c: a.filter(mask) for c, a in arrays.items()}
        rows = rows[keep]
    tidy = pd.DataFrame({c: pd.Series(pd.arrays.ArrowStringArray(a), copy=False) for c, a in arrays.items()},
                        columns=cols)
    return tidy, rows


def _tidy_column(s: pd.Series):
    """One column trimmed, blank → null: the null bitmap is set over the trimmed buffers (no copy)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(s, from_pandas=True)
    if not isinstance(arr, pa.ChunkedArray):
        return _blank_to_null(pc.utf8_trim_whitespace(arr))
    return pa.chunked_array([_blank_to_null(pc.utf8_trim_whitespace(c)) for c in arr.chunks], arr.type)


def _blank_to_null(arr):
    import pyarrow as pa
    import pyarrow.compute as pc

    filled = pc.and_(pc.greater(pc.utf8_length(arr), 0), arr.is_valid())
    if filled.offset or arr.offset:
        return pc.if_else(filled, arr, None)
    return pa.Array.from_buffers(arr.type, len(arr), [filled.buffers()[1], *arr.buffers()[1:]])


def pa_mask(keep: np.ndarray):
    import pyarrow as pa

    return pa.array(np.asarray(keep, dtype=bool))


def filter_rows(df: pd.DataFrame, keep: np.ndarray | pd.Series) -> pd.DataFrame:
    """df[keep] (index kept) by Arrow's filter for Arrow-backed columns: pandas' boolean indexing
    of chunked string columns takes ten times longer at 1M rows."""
    keep = np.asarray(keep, dtype=bool)
    if keep.all():
        return df
    mask = pa_mask(keep)
    out = {}
    for name, col in df.items():
        values = col.array
        if isinstance(values, pd.arrays.ArrowStringArray):
            out[name] = pd.Series(pd.arrays.ArrowStringArray(_filter(values, mask), dtype=col.dtype), copy=False)
        elif isinstance(values, pd.arrays.ArrowExtensionArray):
            out[name] = pd.Series(pd.arrays.ArrowExtensionArray(_filter(values, mask)), copy=False)
        else:
            out[name] = pd.Series(col.array[keep], copy=False)
    res = pd.DataFrame(out, columns=df.columns)
    res.index = df.index[keep]
    return res


def _filter(values, mask):
    import pyarrow as pa

    return pa.array(values).filter(mask)


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

_AMPM = r"(?P<ap{n}>오전|오후|AM|PM|am|pm)?"
_CLOCK = (_AMPM.format(n=1) + r"\s*(?P<H>\d{1,2})\s*[:시]\s*(?P<M>\d{1,2})\s*분?"
          r"(?:\s*:\s*(?P<S>\d{1,2})(?:\.\d+)?\s*초?)?\s*" + _AMPM.format(n=2))
_DT = (r"^(?P<y>\d{4})\s*[-./년]\s*(?P<m>\d{1,2})\s*[-./월]\s*(?P<d>\d{1,2})\s*일?\.?"
       r"(?:\s*(?:T|\s)\s*" + _CLOCK + r")?\s*$")
_COMPACT = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:\s*(?P<H>\d{2}):?(?P<M>\d{2})(?::?(?P<S>\d{2}))?)?$"
_TIME = r"^" + _CLOCK + r"$"
_SERIAL = r"^\d{4,5}(?:\.\d+)?$"
EXCEL_EPOCH = np.datetime64("1899-12-30", "us")


def _arrow(s: pd.Series):
    import pyarrow as pa

    arr = pa.array(s.astype("string").str.strip(), from_pandas=True)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _groups(arr, pattern: str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """RE2 (pyarrow) named-group extraction: (matched mask, group → float array, NaN when empty)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = pc.extract_regex(arr, pattern)
    ok = parts.is_valid().to_numpy(zero_copy_only=False)
    out = {}
    for i, field_ in enumerate(parts.type):
        col = pc.struct_field(parts, [i])
        if field_.name in ("ap1", "ap2"):
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
    hour = _hours(g) if "ap1" in g else np.nan_to_num(g.get("H", np.zeros_like(y)))
    minute, second = np.nan_to_num(g.get("M", np.zeros_like(y))), np.nan_to_num(g.get("S", np.zeros_like(y)))
    valid = ok & (m >= 1) & (m <= 12) & (d >= 1) & (d <= 31) & (hour < 24) & (minute < 60) & (second < 60)
    months = np.where(valid, (y - 1970) * 12 + m - 1, 0).astype("int64").astype("datetime64[M]")
    day = months.astype("datetime64[D]") + np.where(valid, d - 1, 0).astype("int64")
    valid &= day.astype("datetime64[M]") == months  # 2024-02-30 is not a date
    secs = (hour * 3600 + minute * 60 + second).astype("int64")
    out = day.astype("datetime64[us]") + secs.astype("timedelta64[s]")
    return np.where(valid, out, np.datetime64("NaT", "us"))


FAST_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y.%m.%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y.%m.%d %H:%M", "%Y-%m-%d", "%Y.%m.%d")


def _strptime(arr) -> np.ndarray:
    """The common exact formats, parsed in C++ (pyarrow); NaT for everything else."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out = np.full(len(arr), np.datetime64("NaT", "us"))
    todo = np.ones(len(arr), dtype=bool)
    for fmt in FAST_FORMATS:
        sub = arr if todo.all() else arr.filter(pa.array(todo))
        if not len(sub):
            break
        parsed = pc.strptime(sub, format=fmt, unit="us", error_is_null=True)
        digits = pc.utf8_slice_codeunits(sub, 8, 10)
        day = pc.cast(pc.if_else(pc.match_substring_regex(digits, r"^\d\d$"), digits, None), pa.int64())
        exact = pc.equal(pc.day(parsed), day)  # 2024-02-30 would roll over to 03-01: not exact
        parsed = pc.if_else(exact, parsed, None)
        vals = parsed.to_numpy(zero_copy_only=False).astype("datetime64[us]")
        idx = np.flatnonzero(todo)
        out[idx] = vals
        todo[idx[~np.isnat(vals)]] = False
    return out


def parse_datetimes(s: pd.Series) -> pd.Series:
    """Vectorised (RE2 in pyarrow, numpy): '2024.03.05', '2024-03-05 14:22', '2024/3/5 오후 2:22:00',
    '2024년 3월 5일', 20240305, Excel serials. NaT where blank or unreadable (check `s.notna()`)."""
    arr = _arrow(s)
    out = _strptime(arr)
    todo = np.isnat(out) & ~pd.isna(s).to_numpy()
    if todo.any():
        import pyarrow as pa

        ok, g = _groups(arr.filter(pa.array(todo)), _DT)
        out[todo] = _to_datetime(g, ok)
    rest = np.isnat(out) & ~pd.isna(s).to_numpy()
    if rest.any():
        import pyarrow as pa
        import pyarrow.compute as pc

        sub = arr.filter(pa.array(rest))
        ok2, g2 = _groups(sub, _COMPACT)
        part = _to_datetime(g2, ok2)
        serial = pc.match_substring_regex(sub, _SERIAL).to_numpy(zero_copy_only=False).astype(bool) & np.isnat(part)
        if serial.any():
            days = pd.to_numeric(sub.filter(pa.array(serial)).to_pandas(), errors="coerce").to_numpy("float64")
            us = np.where((days >= 20000) & (days <= 80000), np.round(days * 86_400_000_000), np.nan)
            part[serial] = np.where(np.isnan(us), np.datetime64("NaT", "us"),
                                    EXCEL_EPOCH + np.nan_to_num(us).astype("int64").astype("timedelta64[us]"))
        out[rest] = part
    return pd.Series(out, index=s.index, dtype="datetime64[us]")


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
    return pd.Series(out.to_pandas(types_mapper={pa.large_string(): pd.StringDtype("pyarrow"),
                                                 pa.string(): pd.StringDtype("pyarrow")}.get),
                     index=s.index)


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
