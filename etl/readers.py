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
_CLOCK = (_AMPM.format(n=1) + r"\s*(?P<H>\d{1,2})\s*[:시]\s*(?P<M>\d{1,2})\s*분?"
          r"(?:\s*:\s*(?P<S>\d{1,2})(?P<F>\.\d{1,9})?\s*초?)?\s*" + _AMPM.format(n=2))
_AT = r"(?:\s*(?:T|\s)\s*" + _CLOCK + r"\s*(?P<z>Z|[+-]\d{2}:?\d{2})?)?\s*$"
_DT = r"^(?P<y>\d{4})\s*[-./년]\s*(?P<m>\d{1,2})\s*[-./월]\s*(?P<d>\d{1,2})\s*일?\.?" + _AT
_ABC = r"^(?P<a>\d{1,2})\s*(?P<sep>[-./])\s*(?P<b>\d{1,2})\s*[-./]\s*(?:(?P<c4>\d{4})|(?P<c2>\d{1,2}))\.?" + _AT
_COMPACT = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:\s*(?P<H>\d{2}):?(?P<M>\d{2})(?::?(?P<S>\d{2}))?)?$"
_TIME = r"^" + _CLOCK + r"$"
_SERIAL = r"^\d{4,5}(?:\.\d+)?$"
_TEXT_GROUPS = ("ap1", "ap2", "sep", "z")
EXCEL_EPOCH = np.datetime64("1899-12-30", "us")

FAST_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y.%m.%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y.%m.%d %H:%M", "%Y-%m-%d", "%Y.%m.%d",
                "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y-%m-%dT%H:%M:%S")
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
    st = _Dates.new(_arrow(s))
    order, note, forced = _order_keyword(fmt), None, fmt is not None
    if fmt and order is None:
        _by_forced_format(st, fmt)
        order = _format_order(fmt)
    if order is None:
        order, note = _order_from_sample(st)
    _by_formats(st, order)
    _by_pattern(st, _DT)
    order, note = _ordered_stage(st, order, note, forced)
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
        return cls(arr, arr.is_valid().to_numpy(zero_copy_only=False), np.full(n, NAT),
                   np.zeros(n, bool), np.zeros(n, bool))

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


def _ordered_stage(st: _Dates, order: str | None, note: str | None, forced: bool) -> tuple[str | None, str | None]:
    """Values like 06/26/2018 still unread: read in `order`; with no order yet, the order is decided
    from all of them; with the sample's order, values it cannot read may overturn it (full-column check)."""
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
    _put_groups(st, idx, ok, g, order)
    failed = ok & np.isnat(st.out[idx])
    if failed.any() and not forced:
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
        return order, _mixed_note(order, others[0], int(readable.sum()), texts[int(np.argmax(readable))].as_py())
    st.out[idx], st.date_only[idx], st.ordered[idx] = best_st.out, best_st.date_only, best_st.ordered
    left = int(len(idx) - best_st.ordered.sum())
    i = int(np.argmax(~_valid_under(failed, order)))
    if left:
        return best, _mixed_note(best, order, left, _first_unread(st, idx, best_st))
    return best, f"날짜 순서: {ORDER_LABELS[best]}로 읽었습니다({_why_not(failed, texts, i, order)})."


def _unread_abc(st: _Dates) -> np.ndarray:
    """Values still unread that have the a-b-c shape."""
    import pyarrow.compute as pc

    out = np.zeros(len(st.arr), bool)
    pending = _pending(st)
    if pending is not None:
        out[pending[0]] = pc.fill_null(pc.match_substring_regex(pending[1], _ABC), False).to_numpy(zero_copy_only=False)
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
        why = [_why_not(parts, texts, int(np.argmax(readable & ~valid[o])), o) for o in candidates if o != order]
        return order, f"날짜 순서: {ORDER_LABELS[order]}로 읽었습니다({'; '.join(why)})."
    if viable:
        order, sep = viable[0], parts["sep"][0]
        others = "·".join(ORDER_LABELS[o] for o in viable[1:])
        return order, (f"날짜 순서: 값만으로는 {others}와 구별할 수 없어 {ORDER_LABELS[order]}로 읽었습니다"
                       f"('{sep}'로 구분한 날짜의 기본값, 예: '{texts[0].as_py()}'). "
                       "다르면 매핑 파일의 [formats]에 형식을 지정하세요.")
    order = max(candidates, key=lambda o: int(valid[o].sum()))
    alt = max((o for o in candidates if o != order), key=lambda o: int(valid[o].sum()))
    bad = readable & ~valid[order]
    return order, _mixed_note(order, alt, int(bad.sum()), texts[int(np.argmax(bad))].as_py())


def _mixed_note(order: str, other: str, unread: int, example: str) -> str:
    return (f"날짜 순서: {ORDER_LABELS[order]}와 {ORDER_LABELS[other]}로 읽어야 할 값이 섞여 있어 더 많은 값에 "
            f"맞는 {ORDER_LABELS[order]}로 읽었습니다. 그렇게 읽을 수 없는 값 {unread}개(예: '{example}')는 "
            "날짜 오류가 됩니다. 매핑 파일의 [formats]에 형식을 지정할 수 있습니다.")


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
    pos = {k: min((fmt.find(d) for d in ds if d in fmt), default=-1)
           for k, ds in (("Y", ("%Y", "%y")), ("M", ("%m", "%b", "%B")), ("D", ("%d",)))}
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
    if parsed.type.tz is not None:  # %z: UTC
        values = _utc_to_local(parsed.cast(pa.timestamp("us")).to_numpy(zero_copy_only=False))
    else:
        values = parsed.to_numpy(zero_copy_only=False).astype("datetime64[us]")
    values[(values < _YEARS[0]) | (values >= _YEARS[1])] = NAT
    at = _day_field(fmt)
    if at is not None:
        day = (values.astype("datetime64[D]") - values.astype("datetime64[M]")).astype(np.int64)
        low = np.flatnonzero(day < 3)  # a rolled-over 29-31 lands on day 1-3
        if len(low):
            rolled = pc.match_substring_regex(arr.take(pa.array(low)),
                                              r"^\D*" + r"(?:\d+\D+)" * at + r"0*(?:29|30|31)(?:\D|$)")
            values[low[rolled.to_numpy(zero_copy_only=False)]] = NAT
    return values


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


def _arrow(s: pd.Series):
    import pyarrow as pa

    arr = pa.array(s.astype("string").str.strip(), from_pandas=True)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


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
    values = np.where(np.isnan(us), NAT, EXCEL_EPOCH + np.nan_to_num(us).astype("int64").astype("timedelta64[us]"))
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


def combine_date_time(date_s: pd.Series, time_s: pd.Series | None,
                      fmt: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Date column (+ optional separate time column) → (datetime, bad_time mask)."""
    r = combine_date_time_report(date_s, time_s, fmt)
    return r.values, r.bad_time


def combine_date_time_report(date_s: pd.Series, time_s: pd.Series | None, fmt: str | None = None) -> DateTimes:
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
