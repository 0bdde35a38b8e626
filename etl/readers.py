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
#
# UTF-8 and CP949 files are parsed as bytes: no CP949 trail byte is a quote, delimiter or line break, so
# pyarrow splits the records (multi-threaded) before anything is decoded. Each column is then decoded on
# its own: ASCII-only pieces need nothing, repetitive columns (유형, 채널, 시설…) decode their distinct
# values only, free text is decoded in one call per piece. Files pyarrow refuses (blank lines, short
# rows) are transcoded whole and read by the pandas C parser.

ARROW_BLOCK = 1 << 24  # bytes per pyarrow parse block: one piece of every column


class _Undecodable(Exception):
    def __init__(self, record: int, column: str):
        super().__init__(record, column)
        self.record, self.column = record, column


def _read_csv(data: bytes, file_name: str, known: set[str]) -> Table:
    if re.search(rb"\S", data[: 1 << 16]) is None and re.search(rb"\S", data) is None:
        raise ReadError(f"{file_name}: 파일이 비어 있습니다.")
    encoding = _sniff_encoding(data)
    shown = encoding
    if encoding == "utf-16":
        data = _decoded_whole(data, encoding, file_name).encode("utf-8")
        encoding = "utf-8"
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    codec = "cp949" if encoding == "cp949" else "utf-8"
    text = _decode_head(data, bom, codec, file_name)
    delimiter = _sniff_delimiter(text[:20000])
    head, offsets = _head_records(text, delimiter)
    if not head:
        raise ReadError(f"{file_name}: 읽을 수 있는 행이 없습니다.")
    h = find_header(head, known)
    names = _unique_names([c.strip() for c in head[h]])
    start = bom + len(text[: offsets[h + 1]].encode(codec)) if h + 1 < len(offsets) else len(data)
    try:
        arrays, encoding = _arrow_columns(memoryview(data)[start:], names, delimiter, encoding)
    except _Undecodable as exc:
        raise ReadError(f"{file_name}: 문자 인코딩을 알 수 없습니다({h + 2 + exc.record}행, '{exc.column}' 열): "
                        "UTF-8, CP949(EUC-KR) 어느 것도 아닙니다. "
                        "Excel에서 'CSV UTF-8' 또는 .xlsx로 다시 저장해 주세요.") from None
    trimmed = arrays is not None  # the columns are tidied as they are decoded
    if arrays is None:
        arrays, encoding = _parse_ragged(data, start, names, delimiter, encoding, file_name, h)
    shown = shown if shown in ("utf-8-sig", "utf-16") else encoding
    data = None  # parsed: the bytes are not needed any more (peak memory)
    n = len(next(iter(arrays.values()))) if arrays else 0
    df, rows = _tidy(arrays, np.arange(n, dtype=np.int64) + h + 2, trimmed=trimmed)
    titles = [" ".join(c for c in r if c) for r in head[:h] if any(r)]
    return Table(df, rows, h + 1, file_name, encoding=shown, title_rows=titles)


def _sniff_encoding(data: bytes) -> str:
    """BOM → utf-8-sig / utf-16; the first MB valid UTF-8 → utf-8 (checked again column by column);
    else cp949."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return "utf-8" if _first_error(data[: 1 << 20], "utf-8", final=len(data) <= 1 << 20) is None else "cp949"


def _decoded_whole(data: bytes, encoding: str, file_name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _encoding_error(data, exc.start, file_name) from None


def _encoding_error(data: bytes, offset: int, file_name: str) -> ReadError:
    line = data[:offset].count(b"\n") + 1
    return ReadError(
        f"{file_name}: 문자 인코딩을 알 수 없습니다({line}행 부근): UTF-8, CP949(EUC-KR) 어느 것도 아닙니다. "
        "Excel에서 'CSV UTF-8' 또는 .xlsx로 다시 저장해 주세요."
    )


def _arrow_columns(buf, names: list[str], delimiter: str, encoding: str) -> tuple[dict | None, str]:
    """The records parsed as bytes by pyarrow (block by block, in its own threads) and each block's
    columns decoded and tidied meanwhile on two workers, the largest first (the codec holds the GIL;
    arrow's kernels do not). None where pyarrow refuses the records (blank line, short or long row).
    A file sniffed as UTF-8 that is not UTF-8 further on is read as CP949 after all."""
    try:
        return _stream_columns(buf, names, delimiter, _utf8_chunk if encoding.startswith("utf-8") else _cp949_chunk), \
            encoding
    except _Undecodable:
        if encoding != "utf-8":
            raise
    return _stream_columns(buf, names, delimiter, _cp949_chunk), "cp949"


def _stream_columns(buf, names: list[str], delimiter: str, decode: Callable) -> dict | None:
    from concurrent.futures import ThreadPoolExecutor

    import pyarrow as pa
    import pyarrow.csv as pacsv

    def job(chunk, name: str, first: int):
        return _tidy_column(decode(chunk, name, first))

    blocks, first = [], 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        try:
            reader = pacsv.open_csv(
                pa.BufferReader(pa.py_buffer(buf)),
                read_options=pacsv.ReadOptions(column_names=names, block_size=ARROW_BLOCK),
                parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                                 ignore_empty_lines=False),
                convert_options=pacsv.ConvertOptions(column_types={n: pa.binary() for n in names},
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False),
            )
            for batch in reader:
                order = sorted(range(len(names)), key=lambda i: -batch.column(i).nbytes)
                blocks.append({i: pool.submit(job, batch.column(i), names[i], first) for i in order})
                first += batch.num_rows
        except pa.ArrowInvalid:
            for block in blocks:
                for f in block.values():
                    f.cancel()
            return None
        parts = [[block[i].result() for block in blocks] for i in range(len(names))]
    return {n: pa.chunked_array(p, pa.string()) for n, p in zip(names, parts)}


def _utf8_chunk(chunk, name: str, first: int):
    import pyarrow as pa

    try:
        return chunk.cast(pa.string())
    except pa.ArrowInvalid:
        bad = next(i for i, v in enumerate(chunk.to_pylist()) if not _decodes(v, "utf-8"))
        raise _Undecodable(first + bad, name) from None


def _cp949_chunk(chunk, name: str, first: int):
    """One piece of a CP949 column as UTF-8: ASCII as is; repetitive values (유형, 채널…) by their
    distinct values; otherwise the values that hold non-ASCII bytes, decoded in one call."""
    import pyarrow as pa
    import pyarrow.compute as pc

    offsets = np.frombuffer(chunk.buffers()[1], np.int32, len(chunk) + 1, chunk.offset * 4)
    values = np.frombuffer(chunk.buffers()[2], np.uint8, offsets[-1] - offsets[0], offsets[0]) \
        if len(chunk) and offsets[-1] > offsets[0] else np.zeros(0, np.uint8)
    high = values >= 0x80
    if not high.any():
        return chunk.view(pa.string())
    sample = chunk.slice(0, 2000)
    if len(pc.unique(sample)) <= 0.8 * len(sample):  # free text and timestamps hardly repeat: not worth it
        encoded = pc.dictionary_encode(chunk)
        if len(encoded.dictionary) * 4 <= len(chunk):
            try:
                words = [v.decode("cp949") for v in encoded.dictionary.to_pylist()]
            except UnicodeDecodeError:
                bad = next(i for i, v in enumerate(encoded.dictionary.to_pylist()) if not _decodes(v))
                raise _Undecodable(first + int(np.argmax(encoded.indices.to_numpy(zero_copy_only=False) == bad)),
                                   name) from None
            return pa.array(words, pa.string()).take(encoded.indices)
    if (values == 0).any():  # a NUL inside a value: decode value by value
        texts = chunk.to_pylist()
        bad = next((i for i, v in enumerate(texts) if not _decodes(v)), None)
        if bad is not None:
            raise _Undecodable(first + bad, name)
        return pa.array([v.decode("cp949") for v in texts], pa.string())
    lengths = np.diff(offsets)
    filled = lengths > 0
    has = np.zeros(len(chunk), dtype=bool)
    has[filled] = np.logical_or.reduceat(high, (offsets[:-1] - offsets[0])[filled])
    if has.mean() > 0.5:
        return _decode_joined(chunk, name, first, None)
    rows = np.flatnonzero(has)  # mostly ASCII (dates with 오전/오후, codes): decode only the others
    mask = pa.array(has)
    return pc.replace_with_mask(chunk.view(pa.string()), mask, _decode_joined(chunk.filter(mask), name, first, rows))


def _decode_joined(chunk, name: str, first: int, rows: np.ndarray | None):
    """All values decoded by one call, joined with NUL (a byte CSV text never holds) and split again."""
    import pyarrow as pa
    import pyarrow.compute as pc

    one = pa.ListArray.from_arrays(pa.array([0, len(chunk)], pa.int32()), chunk)
    joined = pc.binary_join(one, b"\x00")[0].as_buffer()
    try:
        text = codecs.decode(memoryview(joined), "cp949")
    except UnicodeDecodeError as exc:
        k = joined.to_pybytes()[: exc.start].count(b"\x00")
        raise _Undecodable(first + (k if rows is None else int(rows[k])), name) from None
    utf8 = text.encode("utf-8")
    del text, joined
    seps = np.flatnonzero(np.frombuffer(utf8, np.uint8) == 0)
    ends = np.empty(len(chunk) + 1, np.int64)
    ends[0], ends[-1] = 0, len(utf8) - len(seps)
    ends[1:-1] = seps - np.arange(len(seps))
    body = utf8.replace(b"\x00", b"")
    if ends[-1] >= 1 << 31:
        return pa.LargeStringArray.from_buffers(len(chunk), pa.py_buffer(ends), pa.py_buffer(body)).cast(pa.string())
    return pa.StringArray.from_buffers(len(chunk), pa.py_buffer(ends.astype(np.int32)), pa.py_buffer(body))


def _decodes(value: bytes, encoding: str = "cp949") -> bool:
    try:
        value.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _parse_ragged(data: bytes, start: int, names: list[str], delimiter: str, encoding: str, file_name: str,
                  h: int) -> tuple[dict, str]:
    """Records pyarrow refuses (blank lines kept for exact row numbers, short rows padded): the whole
    body transcoded to UTF-8 and read by the pandas C parser."""
    import pyarrow as pa

    body = memoryview(data)[start:]
    if encoding != "utf-8-sig":
        try:
            text = codecs.decode(body, "utf-8")
            encoding = "utf-8" if encoding == "utf-8" else encoding
        except UnicodeDecodeError:
            encoding = "cp949"
            try:
                text = codecs.decode(body, "cp949")
            except UnicodeDecodeError as exc:
                raise _encoding_error(data, start + exc.start, file_name) from None
        body = text.encode("utf-8")
        del text
    try:
        df = pd.read_csv(io.BytesIO(body), header=None, names=range(len(names) + 20), dtype="string",
                         encoding="utf-8", sep=delimiter, keep_default_na=False, na_filter=False,
                         skip_blank_lines=False, index_col=False, engine="c")
    except pd.errors.EmptyDataError:
        return {n: pa.array([], pa.string()) for n in names}, encoding
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        where = f"{h + 1 + int(m.group(1))}행 부근" if m else "어딘가"
        raise ReadError(f"{file_name}: CSV 형식이 깨졌습니다({where}: 열 개수가 머리글보다 많습니다).") from None
    extra = df.iloc[:, len(names):]
    filled = (extra.fillna("") != "").any(axis=1).to_numpy() if len(extra.columns) else np.zeros(0, bool)
    if filled.any():
        line = h + 1 + int(np.flatnonzero(filled)[0]) + 1
        raise ReadError(f"{file_name}: CSV 형식이 깨졌습니다({line}행 부근: 열 개수가 머리글보다 많습니다).")
    arrays = {}
    for i, n in enumerate(names):
        col = df[i] if i in df.columns else pd.Series([""] * len(df), dtype="string")
        arrays[n] = pa.array(col.fillna(""), pa.string())
    return arrays, encoding


def _decode_head(data: bytes, start: int, codec: str, file_name: str, size: int = 1 << 18) -> str:
    """The start of the file as text, ending at a line break (enough to find the header; a line break
    byte is never part of a UTF-8 or CP949 character). Lines from an undecodable byte on are left to
    the column decoding, which names the row and column."""
    end = len(data) if len(data) - start <= size else data.rfind(b"\n", start, start + size) + 1 or start + size
    try:
        return codecs.decode(memoryview(data)[start:end], codec)
    except UnicodeDecodeError as exc:
        cut = data.rfind(b"\n", start, start + exc.start) + 1
        if cut <= start:
            raise _encoding_error(data, start + exc.start, file_name) from None
        return codecs.decode(memoryview(data)[start:cut], codec)


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


def _tidy(arrays: dict, rows: np.ndarray, trimmed: bool = False) -> tuple[pd.DataFrame, np.ndarray]:
    """Columns of strings (pyarrow) → the table: cells trimmed, blank → NA (unless `trimmed` already),
    wholly blank rows dropped (their row numbers with them), the rejects file's 오류 column ignored."""
    from concurrent.futures import ThreadPoolExecutor

    cols = [c for c in arrays if normalise_header(c) not in IGNORED_COLUMNS]
    if trimmed:
        tidy = {c: arrays.pop(c) for c in cols}
    else:
        with ThreadPoolExecutor(max_workers=2) as pool:  # pyarrow kernels release the GIL
            tidy = dict(zip(cols, pool.map(_tidy_column, [arrays.pop(c) for c in cols])))
    keep = np.zeros(len(rows), dtype=bool)
    for arr in tidy.values():
        keep |= arr.is_valid().to_numpy(zero_copy_only=False)
    if not keep.all():
        mask = pa_mask(keep)
        tidy = {c: a.filter(mask) for c, a in tidy.items()}
        rows = rows[keep]
    df = pd.DataFrame({c: pd.Series(pd.arrays.ArrowStringArray(a), copy=False) for c, a in tidy.items()},
                      columns=cols)
    return df, rows


def _tidy_column(arr):
    """One column trimmed, blank → null: the null bitmap is set over the trimmed buffers (no copy)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not isinstance(arr, pa.ChunkedArray):
        return _blank_to_null(pc.utf8_trim_whitespace(arr))
    return pa.chunked_array([_blank_to_null(pc.utf8_trim_whitespace(c)) for c in arr.chunks], pa.string())


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
    import pyarrow as pa

    cols = {n: pa.array([_cell_text(r[i]) if i < len(r) else "" for r in body], pa.string())
            for i, n in enumerate(names_)}
    df, rows = _tidy(cols, np.arange(len(body), dtype=np.int64) + h + 2)
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
    """The common exact formats, parsed in C++ (pyarrow); NaT for everything else. The formats are
    tried in the order a sample of the column favours: most values are parsed by the first pass."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out = np.full(len(arr), np.datetime64("NaT", "us"))
    todo = arr.is_valid().to_numpy(zero_copy_only=False)
    for fmt in _formats_by_sample(arr, todo):
        if not todo.any():
            break
        sub = arr if todo.all() else arr.filter(pa.array(todo))
        vals = _exact_strptime(sub, fmt).to_numpy(zero_copy_only=False).astype("datetime64[us]")
        idx = np.flatnonzero(todo)
        out[idx] = vals
        todo[idx[~np.isnat(vals)]] = False
    return out


def _formats_by_sample(arr, valid: np.ndarray, size: int = 2000) -> list[str]:
    import pyarrow as pa

    picks = np.flatnonzero(valid)
    picks = picks[np.linspace(0, len(picks) - 1, size).astype(np.int64)] if len(picks) > size else picks
    sample = arr.take(pa.array(picks, pa.int64()))
    hits = {fmt: _exact_strptime(sample, fmt).null_count for fmt in FAST_FORMATS}
    return sorted(FAST_FORMATS, key=hits.get)  # fewest misses first; stable for ties


def _exact_strptime(arr, fmt: str):
    import pyarrow as pa
    import pyarrow.compute as pc

    parsed = pc.strptime(arr, format=fmt, unit="us", error_is_null=True)
    digits = pc.utf8_slice_codeunits(arr, 8, 10)
    day = pc.cast(pc.if_else(pc.match_substring_regex(digits, r"^\d\d$"), digits, None), pa.int64())
    exact = pc.equal(pc.day(parsed), day)  # 2024-02-30 would roll over to 03-01: not exact
    return pc.if_else(exact, parsed, None)


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
