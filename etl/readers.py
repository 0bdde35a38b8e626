"""Generic readers: any export file (CSV in any Korean encoding, .xlsx, .xls) → a DataFrame of strings.

Used by every loader (VOC, survey, KPI). The encoding is detected from the bytes, never from the
file name; the header row is found below title rows by scoring rows against the headers the caller
knows (`known`), and every data row keeps the row number the user sees in Excel (`Table.rows`).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from etl.limits import Limits, ReadError, limits_in_force, use_limits  # noqa: F401 - the readers' API
from etl.measure import MB, XLSX_MAGIC, check_workbook, size_text, too_big

HEADER_SCAN_ROWS = 30
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
IGNORED_COLUMNS = ("오류",)  # the column a rejects file adds; ignored when the file is loaded again


@dataclass
class Table:
    """A sheet of strings: `df` has one string column per header (NA for blank cells)."""

    df: pd.DataFrame
    rows: np.ndarray  # Excel-style row number of each df row (1-based)
    header_row: int  # row number of the header
    file_name: str
    encoding: str | None = None  # CSV only
    sheet: str | None = None  # workbook only
    title_rows: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how the file was read (Korean): group rows, skipped rows


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
            decoder.decode(view[start : start + chunk], final=final and start + chunk >= len(data))
        except UnicodeDecodeError as exc:
            return start + exc.start
    return None


def read_table(
    source: str | Path | bytes,
    name: str | None = None,
    *,
    known: Iterable[str] | Callable[[str], object] = (),
    sheet: str | int | None = None,
    limits: Limits | None = None,
) -> Table:
    """Read a CSV/tab/semicolon text, .xlsx, .xls, or an HTML table saved as .xls (path or bytes) into a
    Table of strings.

    `known`: the header names the caller recognises, or a function telling whether a header text is one
    it recognises; the header row is the row (among the first 30) that matches most of them (ties: the
    earliest), else the first full-width text row. A group row above it (merged or blank-separated
    cells: 접수정보 | | 처리정보) is folded into the names; 합계/소계 rows and repeated header rows are
    skipped; both are said in `Table.notes`.

    `limits` (default: [limits] in settings): a file beyond them is refused before it is parsed, as far
    as its size, zip entries and cell references tell, and after. Workbooks and HTML are parsed in a child
    process with a memory and time limit (etl.sandbox); CSV in this process (the CLI's fast path).
    """
    file_name = name or (Path(source).name if not isinstance(source, bytes) else "upload")
    known_fn = _known_fn(known)
    limits = limits or limits_in_force()
    size = len(source) if isinstance(source, bytes) else os.stat(source).st_size
    if size > limits.file_mb * MB:
        raise too_big(file_name, "파일 크기", size_text(size), size_text(limits.file_mb * MB), "file_mb")
    if isinstance(source, bytes):
        magic = source[:8]
    else:
        with open(source, "rb") as fh:
            magic = fh.read(8)
    # a path's bytes are passed without another reference, so _read_csv can free them once transcoded
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    kind = "workbook" if magic.startswith((XLSX_MAGIC, XLS_MAGIC)) else _markup(data)
    if kind == "spreadsheetml":
        raise ReadError(
            f"{file_name}: Excel 2003 XML 형식은 읽을 수 없습니다. Excel에서 열어 "
            "'Excel 통합 문서(.xlsx)'로 다시 저장해 주세요."
        )
    if kind == "html" and len(data) > HTML_MAX_BYTES:
        raise ReadError(
            f"{file_name}: 웹 페이지(HTML) 형식의 파일이 너무 큽니다({len(data) >> 20}MB, 최대 "
            f"{HTML_MAX_BYTES >> 20}MB). Excel에서 열어 .xlsx나 CSV로 저장해 주세요."
        )
    if kind is not None:
        from etl import sandbox

        if sandbox.in_child():
            return _read_markup(kind, data, file_name, known_fn, sheet, limits)
        remote = sandbox.Remote("known") if known_fn else None
        return sandbox.run(
            _read_markup,
            kind,
            data,
            file_name,
            remote,
            sheet,
            limits,
            limits=limits,
            what=file_name,
            calls={"known": known_fn},
        )
    table = _read_csv(data, file_name, known_fn, limits)
    encoding = table.encoding or ""
    if encoding == "utf-16" or _control_bytes(data, encoding.startswith("utf")):
        table = strip_controls(table)
    return check_shape(table, limits)


def _read_markup(
    kind: str, data: bytes, file_name: str, known: Known | None, sheet: str | int | None, limits: Limits
) -> Table:
    """A workbook ('workbook') or an HTML table ('html'), checked against the limits before and after
    it is read; run in the parsing child process (etl.sandbox)."""
    if kind == "html":
        return check_shape(strip_controls(_read_html(data, file_name, known, limits.cells)), limits)
    check_workbook(data, file_name, limits)
    return check_shape(strip_controls(_read_workbook(data, file_name, known, sheet)), limits)


# --- limits ------------------------------------------------------------------------------------------
#
# Before parsing, a file is measured by etl.measure; after, every table's rows, columns and cells.
# Whatever slips through meets the parsing child's memory and time limits (etl.sandbox).


def validate_settings(raw: dict) -> list[str]:
    """[limits] checked by the in-app settings editor (ccm.settings_edit)."""
    try:
        Limits.from_settings(raw)
    except ReadError as exc:
        return [str(exc)]
    return []


def check_shape(table: Table, limits: Limits) -> Table:
    """The table read, refused if it has more rows, columns or cells than the limits."""
    rows, cols = len(table.df), len(table.df.columns)
    where = f"'{table.sheet}' 시트의 " if table.sheet else ""
    if rows > limits.rows:
        raise too_big(table.file_name, f"{where}데이터 행", f"{rows:,}행", f"{limits.rows:,}행", "rows")
    if cols > limits.columns:
        raise too_big(table.file_name, f"{where}열", f"{cols:,}개", f"{limits.columns:,}개", "columns")
    if rows * cols > limits.cells:
        raise too_big(
            table.file_name, f"{where}칸(행 × 열)", f"{rows * cols:,}칸", f"{limits.cells:,}칸", "cells"
        )
    return table


# --- control characters ------------------------------------------------------------------------

# C0 controls but tab and line breaks, DEL, C1 controls, and the bidi controls that can show gnp.exe as exe.png
CONTROL_RE = (
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\x{200e}\x{200f}\x{202a}-\x{202e}\x{2066}-\x{2069}\x{061c}]"
)


def _control_bytes(data: bytes, utf8: bool, chunk: int = 1 << 22) -> bool:
    """A cheap look at the raw bytes (numpy, in cache-sized chunks): a C0 control or DEL other than tab
    and line breaks, or — in UTF-8 — the sequence of a C1 or bidi control. True → the columns are checked."""
    a = np.frombuffer(data, np.uint8)
    for i in range(0, len(a), chunk):
        part = a[i : i + chunk + 2]
        low = part[part < 32]
        if np.count_nonzero((low != 9) & (low != 10) & (low != 13)) or (part == 0x7F).any():
            return True
        if utf8:  # lead bytes E2 / C2 / D8 are rare in Korean text (syllables are EA–ED)
            lead = np.flatnonzero((part[:-2] == 0xE2) | (part[:-2] == 0xC2) | (part[:-2] == 0xD8))
            b0, b1, b2 = part[lead], part[lead + 1], part[lead + 2]
            if np.any(
                ((b0 == 0xC2) & (b1 >= 0x80) & (b1 <= 0x9F))
                | ((b0 == 0xD8) & (b1 == 0x9C))
                | (
                    (b0 == 0xE2)
                    & (b1 == 0x80)
                    & (((b2 >= 0xAA) & (b2 <= 0xAE)) | (b2 == 0x8E) | (b2 == 0x8F))
                )
                | ((b0 == 0xE2) & (b1 == 0x81) & (b2 >= 0xA6) & (b2 <= 0xA9))
            ):
                return True
    return False


def strip_controls(table: Table) -> Table:
    """Control characters (NUL, other C0/C1 but tab and line breaks, bidi overrides) removed from every
    cell; where, said in `Table.notes`."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found: list[str] = []
    total = 0
    for c in list(table.df.columns):
        arr = pa.array(table.df[c], from_pandas=True)
        hit = _bools(pc.match_substring_regex(arr, CONTROL_RE))
        if not hit.any():
            continue
        total += int(pc.sum(pc.count_substring_regex(arr.filter(pa.array(hit)), CONTROL_RE)).as_py())
        fixed = pc.replace_substring_regex(arr, CONTROL_RE, "")
        fixed = pc.if_else(pc.equal(pc.utf8_length(fixed), 0), pa.scalar(None, fixed.type), fixed)
        table.df[c] = pd.Series(
            pd.arrays.ArrowStringArray(pc.cast(fixed, pa.large_string())),
            index=table.df.index,
            dtype="string",
        )
        rows = table.rows[hit]
        found.append(f"'{c}' 열 {', '.join(str(int(r)) for r in rows[:5])}행{' 등' if len(rows) > 5 else ''}")
    if found:
        table.notes.append(f"제어 문자(NUL·방향 제어 등) {total:,}개를 지웠습니다: {'; '.join(found)}")
    return table


# --- header detection --------------------------------------------------------------------------

Known = Callable[[str], bool]


def _known_fn(known: Iterable[str] | Callable[[str], object] | None) -> Known | None:
    """Header recognition as one function (a caller's function, or membership by `header_keys`),
    remembered per text; None when the caller knows no header."""
    if known is None:
        return None
    if callable(known):
        test = known
    else:
        names = {normalise_header(k) for k in known}
        if not names:
            return None

        def test(header: str) -> bool:
            return any(k in names for k in header_keys(header))

    seen: dict[str, bool] = {}

    def fn(header: str) -> bool:
        if header not in seen:
            seen[header] = bool(test(header))
        return seen[header]

    return fn


def _header_score(cells: list[str], known: Known | None) -> int:
    return sum(bool(known(c)) for c in cells if c) if known else 0


def find_header(rows: list[list[str]], known: Iterable[str] | Callable[[str], object] | None) -> int:
    """Index (0-based) of the header among the first rows."""
    known = known if known is None or callable(known) else _known_fn(known)
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


@dataclass
class _Header:
    """The header found: `row` (0-based) of the header itself, the column `names`, its raw `cells`, and
    when a group row stands above it, that row's label over each column (`groups`) and its index."""

    row: int
    names: list[str]
    cells: list[str]
    groups: list[str] | None = None
    group_row: int | None = None

    @property
    def first(self) -> int:
        return self.row if self.group_row is None else self.group_row

    def notes(self) -> list[str]:
        if self.group_row is None:
            return []
        return [f"2행 머리글(묶음 행 {self.group_row + 1}행 + 머리글 {self.row + 1}행)로 읽었습니다."]


Merges = list[tuple[tuple[int, int], tuple[int, int]]]  # ((row, col), (last row, last col)), 0-based


def compose_header(
    rows: list[list[str]], known: Known | None, merges: Merges | None = None, whole_rows: bool = False
) -> _Header:
    """The header among the first rows, a group row above it folded in: a blank header cell takes its
    group's label; a header cell that is ambiguous alone (repeated in the row, or known only with its
    group) becomes 'group cell' ('접수 일시'). `whole_rows`: every field of the header record is a column
    (CSV); else the columns up to the last filled header cell."""
    h = find_header(rows, known)
    pair = None
    if h > 0 and _is_group_row(rows, h - 1, h, merges):
        pair = (h - 1, h)
    elif h + 1 < len(rows) and _lower_is_header(rows[h + 1], known) and _is_group_row(rows, h, h + 1, merges):
        pair = (h, h + 1)
    if pair is None:
        width = len(rows[h]) if whole_rows else _filled_width(rows[h])
        return _Header(h, _cells(rows[h], width), _cells(rows[h], width))
    g, low = pair
    width = len(rows[low]) if whole_rows else max(_filled_width(rows[low]), _filled_width(rows[g]))
    lower, groups = _cells(rows[low], width), _group_labels(rows, g, low, merges, width)
    counts: dict[str, int] = {}
    for c in lower:
        counts[normalise_header(c)] = counts.get(normalise_header(c), 0) + 1
    names = [_folded_name(c, grp, counts, known) for c, grp in zip(lower, groups)]
    return _Header(low, names, lower, groups, g)


def _folded_name(cell: str, group: str, counts: dict[str, int], known: Known | None) -> str:
    if not cell:
        return group
    if group and (
        counts[normalise_header(cell)] > 1 or (known and not known(cell) and known(f"{group} {cell}"))
    ):
        return f"{group} {cell}"
    return cell


def _cells(row: list[str], width: int) -> list[str]:
    return [(row[i].strip() if i < len(row) else "") for i in range(width)]


def _filled_width(row: list[str]) -> int:
    return max((i + 1 for i, c in enumerate(row) if c and c.strip()), default=0)


def _is_group_row(rows: list[list[str]], g: int, low: int, merges: Merges | None) -> bool:
    """A row of short labels over a header: at least two labels, each spanning several columns (merged,
    or followed by blank cells over named columns) or standing over a blank header cell (merged down).
    Titles (one cell, or a date, a colon, a long text) and data rows are not group rows."""
    labels = [(j, c.strip()) for j, c in enumerate(rows[g]) if c and c.strip()]
    lower = [c.strip() for c in rows[low] if c and c.strip()]
    if len(labels) < 2 or len(lower) < 2 or any(_looks_numeric(c) for c in lower):
        return False
    if any(len(t) > 30 or ":" in t or re.search(r"\d{3}", t) or _looks_numeric(t) for _, t in labels):
        return False
    width = max(_filled_width(rows[low]), _filled_width(rows[g]))
    spans = _group_spans(rows, g, low, merges, width)
    wide = [s for s in spans if s[2] > s[1] or s[3]]
    return len(wide) >= 2 or len(wide) == len(spans)


def _lower_is_header(row: list[str], known: Known | None) -> bool:
    """The row below a found header can be the real header (the found one its group row) only if it
    looks like one: mostly without digits, and matching a known header when the caller knows some."""
    texts = [c for c in row if c and c.strip()]
    if not texts or sum(bool(re.search(r"\d", c)) for c in texts) * 2 > len(texts):
        return False
    return known is None or _header_score(texts, known) > 0


def _group_spans(
    rows: list[list[str]], g: int, low: int, merges: Merges | None, width: int
) -> list[tuple[str, int, int, bool]]:
    """(label, first column, last column, merged down over the header) of each group label. Merged cells
    say it (workbooks, HTML colspan/rowspan); else a label spans the blank cells after it, and one over a
    blank header cell is merged down."""
    group, lower = _cells(rows[g], width), _cells(rows[low], width)
    starts = [j for j in range(width) if group[j]]
    merges = [m for m in merges or [] if m[0][0] <= g <= m[1][0]]  # only a row that has merges says it
    spans = []
    for k, j in enumerate(starts):
        if merges:
            box = next((m for m in merges if m[0] == (g, j)), None)
            last, down = (min(box[1][1], width - 1), box[1][0] >= low) if box else (j, False)
            down = down or not lower[j]
        elif not lower[j]:
            last, down = j, True
        else:
            last, down = (starts[k + 1] - 1 if k + 1 < len(starts) else width - 1), False
        spans.append((group[j], j, last, down))
    return spans


def _group_labels(rows: list[list[str]], g: int, low: int, merges: Merges | None, width: int) -> list[str]:
    out = [""] * width
    for label, first, last, _ in _group_spans(rows, g, low, merges, width):
        for j in range(first, last + 1):
            out[j] = label
    return out


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


def _read_csv(data: bytes, file_name: str, known: Known | None, limits: Limits | None = None) -> Table:
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
    hdr = compose_header(head, known, whole_rows=True)
    h = hdr.row
    names = _unique_names(hdr.names)
    if limits and len(names) > limits.columns:
        raise too_big(
            file_name, f"머리글({h + 1}행)의 열", f"{len(names):,}개", f"{limits.columns:,}개", "columns"
        )
    start = bom + len(text[: offsets[h + 1]].encode(codec)) if h + 1 < len(offsets) else len(data)
    try:
        arrays, encoding = _arrow_columns(memoryview(data)[start:], names, delimiter, encoding)
    except _Undecodable as exc:
        raise ReadError(
            f"{file_name}: 문자 인코딩을 알 수 없습니다({h + 2 + exc.record}행, '{exc.column}' 열): "
            "UTF-8, CP949(EUC-KR) 어느 것도 아닙니다. "
            "Excel에서 'CSV UTF-8' 또는 .xlsx로 다시 저장해 주세요."
        ) from None
    trimmed = arrays is not None  # the columns are tidied as they are decoded
    if arrays is None:
        arrays, encoding = _parse_ragged(data, start, names, delimiter, encoding, file_name, h)
    shown = shown if shown in ("utf-8-sig", "utf-16") else encoding
    data = None  # parsed: the bytes are not needed any more (peak memory)
    n = len(next(iter(arrays.values()))) if arrays else 0
    df, rows, notes = _tidy(
        arrays, np.arange(n, dtype=np.int64) + h + 2, trimmed=trimmed, header=_header_cells(hdr, names)
    )
    titles = [" ".join(c for c in r if c) for r in head[: hdr.first] if any(r)]
    return Table(df, rows, h + 1, file_name, encoding=shown, title_rows=titles, notes=hdr.notes() + notes)


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
        return _stream_columns(
            buf, names, delimiter, _utf8_chunk if encoding.startswith("utf-8") else _cp949_chunk
        ), encoding
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
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={n: pa.binary() for n in names},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
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
    values = (
        np.frombuffer(chunk.buffers()[2], np.uint8, offsets[-1] - offsets[0], offsets[0])
        if len(chunk) and offsets[-1] > offsets[0]
        else np.zeros(0, np.uint8)
    )
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
                raise _Undecodable(
                    first + int(np.argmax(encoded.indices.to_numpy(zero_copy_only=False) == bad)), name
                ) from None
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
    return pc.replace_with_mask(
        chunk.view(pa.string()), mask, _decode_joined(chunk.filter(mask), name, first, rows)
    )


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
        return pa.LargeStringArray.from_buffers(len(chunk), pa.py_buffer(ends), pa.py_buffer(body)).cast(
            pa.string()
        )
    return pa.StringArray.from_buffers(len(chunk), pa.py_buffer(ends.astype(np.int32)), pa.py_buffer(body))


def _decodes(value: bytes, encoding: str = "cp949") -> bool:
    try:
        value.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _parse_ragged(
    data: bytes, start: int, names: list[str], delimiter: str, encoding: str, file_name: str, h: int
) -> tuple[dict, str]:
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
        df = pd.read_csv(
            io.BytesIO(body),
            header=None,
            names=range(len(names) + 20),
            dtype="string",
            encoding="utf-8",
            sep=delimiter,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            index_col=False,
            engine="c",
        )
    except pd.errors.EmptyDataError:
        return {n: pa.array([], pa.string()) for n in names}, encoding
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+)", str(exc))
        where = f"{h + 1 + int(m.group(1))}행 부근" if m else "어딘가"
        raise ReadError(
            f"{file_name}: CSV 형식이 깨졌습니다({where}: 열 개수가 머리글보다 많습니다)."
        ) from None
    extra = df.iloc[:, len(names) :]
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
    end = (
        len(data) if len(data) - start <= size else data.rfind(b"\n", start, start + size) + 1 or start + size
    )
    try:
        return codecs.decode(memoryview(data)[start:end], codec)
    except UnicodeDecodeError as exc:
        cut = data.rfind(b"\n", start, start + exc.start) + 1
        if cut <= start:
            raise _encoding_error(data, start + exc.start, file_name) from None
        return codecs.decode(memoryview(data)[start:cut], codec)


def _sniff_delimiter(sample: str) -> str:
    """The delimiter that splits most of the first records into one same width of two or more columns
    (ties: the wider): a tab- or semicolon-separated file with commas inside values is not read as CSV."""
    from collections import Counter
    from itertools import islice

    lines = sample[: sample.rfind("\n") + 1] or sample
    best, best_key = ",", (0, 0)
    for d in (",", "\t", ";", "|"):
        if d not in lines:
            continue
        records = islice(csv.reader(io.StringIO(lines, newline=""), delimiter=d), 2 * HEADER_SCAN_ROWS)
        widths = Counter(len(r) for r in records if len(r) >= 2 and any(c.strip() for c in r))
        if widths:
            width, count = max(widths.items(), key=lambda kv: (kv[1], kv[0]))
            if (count, width) > best_key:
                best, best_key = d, (count, width)
    return best


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


def _tidy(
    arrays: dict, rows: np.ndarray, trimmed: bool = False, header: dict[str, tuple[str, str]] | None = None
) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Columns of strings (pyarrow) → the table: cells trimmed, blank → NA (unless `trimmed` already),
    wholly blank rows dropped (their row numbers with them), the rejects file's 오류 column ignored.
    With `header` (column → its header cell and group label): 합계/소계 rows and repeated header rows
    are dropped too, and said in the notes returned."""
    from concurrent.futures import ThreadPoolExecutor

    cols = [c for c in arrays if normalise_header(c) not in IGNORED_COLUMNS]
    if trimmed:
        tidy = {c: arrays.pop(c) for c in cols}
    else:
        with ThreadPoolExecutor(max_workers=2) as pool:  # pyarrow kernels release the GIL
            tidy = dict(zip(cols, pool.map(_tidy_column, [arrays.pop(c) for c in cols])))
    keep = np.zeros(len(rows), dtype=bool)
    for arr in tidy.values():
        keep |= _bools(arr.is_valid())
    notes: list[str] = []
    if header and tidy:
        totals, repeats = _summary_rows(tidy, header)
        notes = [_skipped("합계·소계·평균 행", rows[totals]), _skipped("반복된 머리글 행", rows[repeats])]
        notes = [n for n in notes if n]
        keep &= ~(totals | repeats)
    if not keep.all():
        mask = pa_mask(keep)
        tidy = {c: a.filter(mask) for c, a in tidy.items()}
        rows = rows[keep]
    df = pd.DataFrame(
        {c: pd.Series(pd.arrays.ArrowStringArray(a), copy=False) for c, a in tidy.items()}, columns=cols
    )
    return df, rows, notes


# A totals row: its first filled cell is a totals word alone (brackets, spaces, marks around it allowed).
_TOTAL_RE = (
    r"(?i)^[\s\[\(<【〔（［*※·\-]*(?:총\s*합\s*계|합\s*계|소\s*계|총\s*계|누\s*계|계|합|평\s*균|"
    r"grand\s*total|sub\s*-?\s*total|total|sum|average|avg)[\s\]\)>】〕）］:：.]*$"
)
# An identifier (a data row's number): letters with digits (A-12, 2024민원0012, 민원-0012) or a code of
# digit groups ending in three or more digits (2024-000123); not a count with its unit (12건) nor a date.
_ID_RE = (
    r"^(?:[A-Za-z0-9_\-]*(?:[A-Za-z][A-Za-z0-9_\-]*\d|\d[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]*"
    r"|[가-힣A-Za-z0-9_\-]*[가-힣][가-힣A-Za-z0-9_\-]*\d[0-9_\-]*|\d{2,}(?:[-_]\d+)*[-_]\d{3,})$"
)


def _summary_rows(tidy: dict, header: dict[str, tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """(totals rows, repeated header rows), judged by each row's first filled cell (vectorised, column by
    column until every row has had one), then confirmed on those few rows: a totals row holds no
    identifier; a repeated header row holds nothing but the header's (or group row's) own cells."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(next(iter(tidy.values())))
    blank_so_far = np.ones(n, bool)
    totals, repeats = np.zeros(n, bool), np.zeros(n, bool)
    for name, arr in tidy.items():
        filled = _bools(arr.is_valid())
        first = blank_so_far & filled
        if first.any():
            idx = np.flatnonzero(first)
            sub = arr if len(idx) == n else arr.filter(pa.array(first))
            totals[idx] = _totals_words(sub)
            for own in {c for c in header.get(name, ("", "")) if c}:
                repeats[idx] |= _bools(pc.equal(sub, own))
        blank_so_far &= ~filled
        if not blank_so_far.any():
            break
    if totals.any():
        totals[totals] = ~_any_cell(
            tidy,
            totals,
            lambda a: pc.and_(pc.match_substring_regex(a, _ID_RE), pc.less_equal(pc.utf8_length(a), 30)),
        )
    if repeats.any():
        repeats[repeats] = _only_header_cells(tidy, repeats, header)
    return totals, repeats


# the first byte (UTF-8) a totals word can start with: spaces, brackets and marks, T/S/A/G, 합소총누계평
_TOTAL_FIRST = np.zeros(256, bool)
_TOTAL_FIRST[list(b" \t[(<*-TtSsAaGg")] = True
_TOTAL_FIRST[[0xC2, 0xE2, 0xE3, 0xEA, 0xEB, 0xEC, 0xED, 0xEF]] = True


def _totals_words(arr) -> np.ndarray:
    """Cells that are a totals word: the pattern is tried only on cells whose first byte can start one
    (an ID or number column is ruled out by numpy at memory speed; RE2 costs ~80 ns a value)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    maybe = np.concatenate([_first_byte_in(c, _TOTAL_FIRST) for c in chunks]) if chunks else np.zeros(0, bool)
    out = np.zeros(len(maybe), bool)
    if maybe.any():
        out[maybe] = _bools(pc.match_substring_regex(arr.filter(pa.array(maybe)), _TOTAL_RE))
    return out


def _first_byte_in(chunk, allowed: np.ndarray) -> np.ndarray:
    """Whether each non-empty string's first byte is allowed (read off the Arrow buffers)."""
    n = len(chunk)
    if not n:
        return np.zeros(0, bool)
    import pyarrow as pa

    width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    offsets = np.frombuffer(chunk.buffers()[1], width, n + 1, chunk.offset * np.dtype(width).itemsize)
    data = chunk.buffers()[2]
    if data is None or offsets[-1] == offsets[0]:
        return np.zeros(n, bool)
    body = np.frombuffer(data, np.uint8)
    filled = offsets[1:] > offsets[:-1]
    first = body[np.where(filled, offsets[:-1], 0)]
    return filled & allowed[first] & _bools(chunk.is_valid())


def _any_cell(tidy: dict, rows: np.ndarray, test: Callable) -> np.ndarray:
    import pyarrow as pa

    mask = pa.array(rows)
    out = np.zeros(int(rows.sum()), bool)
    for arr in tidy.values():
        out |= _bools(test(arr.filter(mask)))
    return out


def _only_header_cells(tidy: dict, rows: np.ndarray, header: dict[str, tuple[str, str]]) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc

    mask = pa.array(rows)
    same = np.ones(int(rows.sum()), bool)
    filled = np.zeros(int(rows.sum()), np.int64)
    for name, arr in tidy.items():
        sub = arr.filter(mask)
        own = pa.array([c for c in header.get(name, ("", "")) if c], pa.string())
        valid = _bools(sub.is_valid())
        same &= ~valid | _bools(pc.is_in(sub, own))
        filled += valid
    return same & (filled >= 2)


def _bools(x) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc

    x = pc.fill_null(x, False)
    if isinstance(x, pa.ChunkedArray):
        x = x.combine_chunks() if x.num_chunks != 1 else x.chunk(0)
    return x.to_numpy(zero_copy_only=False).astype(bool, copy=False)


def _skipped(what: str, rows: np.ndarray) -> str | None:
    if not len(rows):
        return None
    shown = ", ".join(str(int(r)) for r in rows[:10]) + (" 등" if len(rows) > 10 else "")
    return f"{what} {len(rows)}개({shown}행)를 건너뛰었습니다."


def _header_cells(hdr: _Header, names: list[str]) -> dict[str, tuple[str, str]]:
    groups = hdr.groups or [""] * len(hdr.cells)
    return {n: (c, g) for n, c, g in zip(names, hdr.cells, groups)}


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
            out[name] = pd.Series(
                pd.arrays.ArrowStringArray(_filter(values, mask), dtype=col.dtype), copy=False
            )
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


# --- workbooks and HTML tables ----------------------------------------------------------------------


def _read_workbook(data: bytes, file_name: str, known: Known | None, sheet: str | int | None) -> Table:
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
    best: tuple[int, str, list[list[str]], Merges] | None = None
    for sh in candidates:
        ws = wb.get_sheet_by_name(sh)
        grid = [[_cell_text(c) for c in r] for r in ws.to_python(skip_empty_area=False)]
        if not any(any(r) for r in grid):
            continue
        head = grid[:HEADER_SCAN_ROWS]
        score = _header_score(head[find_header(head, known)], known)
        if best is None or score > best[0]:
            best = (score, sh, grid, list(getattr(ws, "merged_cell_ranges", None) or []))
    if best is None:
        raise ReadError(f"{file_name}: 모든 시트가 비어 있습니다.")
    _, sh, grid, merges = best
    return _grid_table(grid, merges, file_name, known, sheet=sh)


def _grid_table(
    grid: list[list[str]], merges: Merges | None, file_name: str, known: Known | None, **meta
) -> Table:
    """A sheet of cell texts (workbook, HTML table) → Table."""
    import pyarrow as pa

    head = grid[: HEADER_SCAN_ROWS + 1]
    hdr = compose_header(head, known, merges)
    names = _unique_names(hdr.names)
    body = grid[hdr.row + 1 :]
    cols = {n: pa.array([r[i] if i < len(r) else "" for r in body], pa.string()) for i, n in enumerate(names)}
    df, rows, notes = _tidy(
        cols, np.arange(len(body), dtype=np.int64) + hdr.row + 2, header=_header_cells(hdr, names)
    )
    titles = [" ".join(c for c in r if c) for r in head[: hdr.first] if any(r)]
    return Table(df, rows, hdr.row + 1, file_name, title_rows=titles, notes=hdr.notes() + notes, **meta)


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


# Web pages saved as .xls (Korean public-sector systems do this): parsed by lxml's HTML parser (libxml2:
# no scripts run, no network, no entity expansion), the table cells taken as text, colspan/rowspan kept
# as merged cells. Bounded: the file size, spans, columns, and cells ([limits] cells).
HTML_MAX_BYTES = 100 << 20
HTML_MAX_COLUMNS = 16384  # as Excel
HTML_MAX_ROWSPAN = 65536


def _markup(data: bytes) -> str | None:
    """'html' for a web page with a table, 'spreadsheetml' for Excel 2003 XML, else None (text)."""
    head = data[: 1 << 16]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    if not head.startswith(b"<"):
        return None
    if b"<workbook" in head and b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        return "spreadsheetml"
    if head.startswith((b"<html", b"<!doctype html", b"<table")) or b"<table" in head:
        return "html"
    return None


def _read_html(data: bytes, file_name: str, known: Known | None, max_cells: int) -> Table:
    """The page's best table; `max_cells` bounds its grid, spans included (a page of huge colspans cannot
    fill the memory). Its size is checked by read_table, before the parsing child is started."""
    from lxml import etree

    text, encoding = _html_text(data, file_name)
    best: tuple[tuple[int, int], list[list[str]], Merges] | None = None
    try:
        for grid, merges in _html_tables(text, max_cells):
            head = grid[:HEADER_SCAN_ROWS]
            key = (_header_score(head[find_header(head, known)], known), sum(1 for r in grid if any(r)))
            if best is None or key > best[0]:
                best = (key, grid, merges)
    except etree.LxmlError as exc:
        raise ReadError(
            f"{file_name}: 웹 페이지(HTML) 형식을 읽을 수 없습니다({exc}). "
            "Excel에서 열어 .xlsx로 저장해 주세요."
        ) from None
    except _TooManyCells:
        raise ReadError(
            f"{file_name}: 웹 페이지(HTML) 표의 칸이 너무 많습니다(병합 포함 "
            f"{max_cells:,}칸 초과). Excel에서 열어 .xlsx로 저장해 주세요. "
            "한도는 설정 파일 [limits]의 cells입니다."
        ) from None
    if best is None:
        raise ReadError(
            f"{file_name}: 웹 페이지(HTML) 형식인데 표가 없습니다. Excel에서 열어 .xlsx로 저장해 주세요."
        )
    return _grid_table(best[1], best[2], file_name, known, encoding=encoding)


def _html_text(data: bytes, file_name: str) -> tuple[str, str]:
    """The page as text: a BOM, else the charset its meta tag declares (EUC-KR → CP949) if the bytes
    agree, else UTF-8, else CP949."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _decoded_whole(data, "utf-8-sig", file_name), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decoded_whole(data, "utf-16", file_name), "utf-16"
    tried = ["utf-8", "cp949"]
    m = re.search(rb"""<meta[^>]*charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", data[:8192], re.I)
    if m:
        try:
            declared = codecs.lookup(m.group(1).decode("ascii")).name
        except LookupError:
            declared = None
        declared = "cp949" if declared in ("euc_kr", "cp949", "johab") else declared
        if declared:
            tried = [declared] + [e for e in tried if e != declared]
    for encoding in tried:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise _encoding_error(data, _first_error(data, "cp949") or 0, file_name)


def _html_tables(text: str, max_cells: int):
    """Each <table> of the page as (rows of cell texts, merged cells); nested tables are their own."""
    from lxml import etree

    parser = etree.HTMLParser(
        encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True, huge_tree=False
    )
    root = etree.fromstring(text.encode("utf-8"), parser)
    if root is None:
        return
    etree.strip_elements(root, "script", "style", with_tail=False)
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for table in root.iter("table"):
        grid, merges = _html_grid(table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr"), max_cells)
        if any(any(r) for r in grid):
            yield grid, merges


class _TooManyCells(Exception):
    pass


def _html_grid(trs: list, max_cells: int) -> tuple[list[list[str]], Merges]:
    grid: list[list[str]] = []
    merges: Merges = []
    busy: dict[int, int] = {}  # column → last row a rowspan from above covers
    cells = 0
    for r, tr in enumerate(trs):
        row: list[str] = []
        for cell in tr.iterchildren("td", "th"):
            while busy.get(len(row), -1) >= r:
                row.append("")
            c = len(row)
            if c >= HTML_MAX_COLUMNS:
                break
            cs, rs = (
                _span(cell.get("colspan"), HTML_MAX_COLUMNS - c),
                _span(cell.get("rowspan"), HTML_MAX_ROWSPAN),
            )
            row += [_html_cell_text(cell)] + [""] * (cs - 1)
            if rs > 1:
                busy.update((k, r + rs - 1) for k in range(c, c + cs))
            if cs > 1 or rs > 1:
                merges.append(((r, c), (r + rs - 1, c + cs - 1)))
        cells += len(row)
        if cells > max_cells:
            raise _TooManyCells
        grid.append(row)
    return grid, merges


def _span(value: str | None, most: int) -> int:
    try:
        return max(1, min(int(str(value).strip()), most))
    except ValueError:
        return 1


def _html_cell_text(cell) -> str:
    """A cell's text as shown: runs of spaces one space, <br> a line break, ends trimmed."""
    lines = "".join(cell.itertext()).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines).strip()


# --- headers known by alias -------------------------------------------------------------------------


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
