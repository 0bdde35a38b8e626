"""A file measured against [limits] before it is parsed: its size, and for .xlsx the zip entries' sizes and
compression ratio, each sheet's declared dimension and the largest row and column its cells name (a
streaming scan of the sheet XML). Used by etl.readers (in the parsing child for workbooks)."""

from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass

from etl.limits import Limits, ReadError

XLSX_MAGIC = b"PK\x03\x04"

# --- before parsing ----------------------------------------------------------------------------------------
#
# A file is measured before it is parsed: its size; for .xlsx the zip entries' sizes and compression
# ratio, each sheet's declared dimension, and the largest row and column its cells name (a streaming scan
# of the sheet XML: a dimension may be absent or lie). An .xls grid is bounded by its format (65,536 ×
# 256). After parsing, every table's rows, columns and cells. Whatever slips through meets the parsing
# child's memory and time limits (etl.sandbox).

MB = 1 << 20
RATIO_FLOOR_MB = 64  # the compression ratio is judged only above this many unzipped MB
SCAN_CHUNK = 1 << 22


def too_big(file_name: str, what: str, value: str, limit: str, key: str) -> ReadError:
    return ReadError(
        f"{file_name}: 파일이 너무 커서 읽지 않았습니다 — {what} {value} (한도 {limit}). "
        "빈 행·열을 지우고 다시 저장하거나 파일을 나누어 올려 주세요. "
        f"한도는 설정 파일 [limits]의 {key}입니다."
    )


def size_text(size: float) -> str:
    return f"{size / MB:,.1f} MB" if size < 10 * MB else f"{size / MB:,.0f} MB"


def check_workbook(data: bytes, file_name: str, limits: Limits) -> None:
    """Refuse an .xlsx whose zip entries or sheets exceed the limits, before a parser allocates for them."""
    if not data.startswith(XLSX_MAGIC):
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            unzipped = sum(i.file_size for i in infos)
            if unzipped > limits.unzipped_mb * MB:
                raise too_big(
                    file_name,
                    "압축을 푼 크기",
                    size_text(unzipped),
                    size_text(limits.unzipped_mb * MB),
                    "unzipped_mb",
                )
            ratio = unzipped / max(1, sum(i.compress_size for i in infos))
            if unzipped > RATIO_FLOOR_MB * MB and ratio > limits.zip_ratio:
                raise too_big(
                    file_name, "압축률", f"{ratio:,.0f}배", f"{limits.zip_ratio:,.0f}배", "zip_ratio"
                )
            for part, sheet in _sheet_parts(zf).items():
                with zf.open(part) as stream:
                    _check_sheet(stream, file_name, sheet, limits)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        RuntimeError,
        EOFError,
        zlib.error,
        ValueError,
    ) as exc:
        raise ReadError(f"{file_name}: Excel 파일을 열 수 없습니다(압축이 손상되었습니다: {exc}).") from None


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """zip entry → sheet name, for every worksheet (named by the workbook, else by the entry)."""
    names = {i.filename for i in zf.infolist()}
    parts = {n: posixpath.basename(n) for n in names if re.fullmatch(r"(?i)xl/worksheets/[^/]+\.xml", n)}
    wb, rels = _small_part(zf, "xl/workbook.xml"), _small_part(zf, "xl/_rels/workbook.xml.rels")
    targets = {}
    for tag in re.findall(rb"<(?:[\w.-]+:)?Relationship\s[^>]*>", rels):
        rid, target = _attr(tag, b"Id"), _attr(tag, b"Target")
        if rid and target and _attr(tag, b"Type").endswith("/worksheet"):
            targets[rid] = target[1:] if target.startswith("/") else posixpath.normpath("xl/" + target)
    for tag in re.findall(rb"<(?:[\w.-]+:)?sheet\s[^>]*>", wb):
        rid = next((v for k, v in re.findall(rb'\s([\w.-]+:)?id\s*=\s*"([^"]*)"', tag) if k), b"")
        target = targets.get(html.unescape(rid.decode("utf-8", "replace")))
        if target in names:
            parts[target] = _attr(tag, b"name") or posixpath.basename(target)
    return parts


def _small_part(zf: zipfile.ZipFile, name: str) -> bytes:
    try:
        info = zf.getinfo(name)
    except KeyError:
        return b""
    return zf.read(info) if info.file_size <= 4 * MB else b""


def _attr(tag: bytes, name: bytes) -> str:
    m = re.search(rb"\s" + name + rb'\s*=\s*"([^"]*)"', tag)
    return html.unescape(m.group(1).decode("utf-8", "replace")) if m else ""


_ROOT = re.compile(rb"<([\w.-]+:)?worksheet[\s>]")


_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)")


_REF = re.compile(r"\$?([A-Za-z]{1,4})?\$?(\d{1,12})?")


@dataclass
class _Tags:
    """The sheet's row and cell tags as the writer spelled them (`<row r="…"`, `<x:c r="…"`: fast, with a
    literal start) and in any spelling (attributes in another order or quoted otherwise: slower)."""

    prefix: bytes = b""

    def __post_init__(self) -> None:
        p = re.escape(self.prefix)
        self.row_any = re.compile(rb"<" + p + rb"row[\s/>]")
        self.row_r = re.compile(rb"<" + p + rb'row r="(\d{1,12})"')
        self.row_general = re.compile(rb"<" + p + rb"row(?=[\s/>])(?:[^>]*?\sr\s*=\s*[\"'](\d{1,12}))?")
        self.cell_r = b"<" + self.prefix + b'c r="'

    def cells_beyond(self, col: int, plain: bool) -> re.Pattern[bytes]:
        """A cell whose reference names a column after `col` (letters compared as numbers)."""
        letters = _column_letters(col)
        n = len(letters)
        alts = [f"[A-Z]{{{n + 1},}}"] + [
            f"{letters[:i]}[{chr(ord(ch) + 1)}-Z][A-Z]{{{n - 1 - i}}}"
            for i, ch in enumerate(letters)
            if ch != "Z"
        ]
        start = (
            re.escape(self.cell_r) if plain else b"<" + re.escape(self.prefix) + rb"c\s[^>]*?\sr\s*=\s*[\"']"
        )
        return re.compile(start + b"(" + "|".join(alts).encode() + rb")(\d+)")


def _check_sheet(stream, file_name: str, sheet: str, limits: Limits) -> None:
    """Stream one sheet's XML: its declared dimension, then the largest row (row elements, counted and
    numbered) and column (cell references, found by a search for a column beyond the largest so far)."""
    carry, tags = b"", None
    rows = seen = cols = 0
    while True:
        chunk = stream.read(SCAN_CHUNK)
        buf = carry + chunk
        cut = buf.rfind(b"<") if chunk else len(buf)
        cut = len(buf) if cut < 0 else cut
        part, carry = buf[:cut], buf[cut:]
        carry = carry if len(carry) <= 4096 else b""  # longer than any tag looked at: text
        if tags is None:
            root = _ROOT.search(part)
            tags = _Tags(root.group(1) or b"" if root else b"")
            _check_dimension(part, file_name, sheet, limits)
        numbered = tags.row_r.findall(part)
        count = len(tags.row_any.findall(part))
        if len(numbered) < count:
            numbered = [r for r in tags.row_general.findall(part) if r]
        seen += count
        rows = max([rows, seen, *map(int, numbered)])
        plain = tags.cell_r in part
        beyond, at = tags.cells_beyond(cols, plain), 0
        while m := beyond.search(part, at):
            cols, at = _column_number(m.group(1).decode()), m.end()
            beyond = tags.cells_beyond(cols, plain)
            _check_extent(file_name, sheet, rows, cols, limits, f"{m.group(1).decode()}{m.group(2).decode()}")
        _check_extent(file_name, sheet, rows, cols, limits, None)
        if not chunk:
            return


def _check_dimension(head: bytes, file_name: str, sheet: str, limits: Limits) -> None:
    m = _DIMENSION.search(head)
    if not m:
        return
    ref = m.group(1).decode("ascii", "replace").split(":")[-1]
    parts = _REF.fullmatch(ref)
    if parts and parts.group(1) and parts.group(2):
        rows, cols = int(parts.group(2)), _column_number(parts.group(1).upper())
        _check_extent(
            file_name, sheet, rows, cols, limits, ref, declared=m.group(1).decode("ascii", "replace")
        )


def _check_extent(
    file_name: str,
    sheet: str,
    rows: int,
    cols: int,
    limits: Limits,
    cell: str | None,
    declared: str | None = None,
) -> None:
    where = f"'{sheet}' 시트" + (f"의 크기 표시 {declared}" if declared else f"의 칸 {cell}" if cell else "")
    if cols > limits.columns:
        raise too_big(file_name, f"{where}: 열", f"{cols:,}개", f"{limits.columns:,}개", "columns")
    if rows > limits.rows:
        raise too_big(file_name, f"{where}: 행", f"{rows:,}행", f"{limits.rows:,}행", "rows")
    if rows * cols > limits.cells:
        raise too_big(
            file_name, f"{where}: 칸(행 × 열)", f"{rows * cols:,}칸", f"{limits.cells:,}칸", "cells"
        )


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _column_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out
