"""Helpers for VOC tests: real export files (CSV in any encoding, .xlsx, .xls) and database dumps."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import duckdb

HEADER = ["접수번호", "접수일시", "유형", "접수채널", "시설", "처리상태", "처리일시", "제목", "내용"]


def row(
    voc_id: str,
    received: str = "2025-03-04 10:00",
    voc_type: str = "불만",
    channel: str = "홈페이지",
    facility: str = "단산모노레일",
    status: str = "완료",
    completed: str = "2025-03-04 15:00",
    title: str = "주차 문제",
    content: str = "주차장이 부족합니다",
) -> list[str]:
    return [voc_id, received, voc_type, channel, facility, status, completed, title, content]


def write_csv(
    path: Path,
    rows: list[list],
    *,
    header: list[str] = HEADER,
    encoding: str = "utf-8",
    titles: list[str] = (),
) -> Path:
    buf = io.StringIO(newline="")
    for t in titles:
        buf.write(t + "\r\n")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list], *, header: list[str] = HEADER, titles: list[str] = ()) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for t in titles:
        ws.append([t])
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def write_xls(path: Path, rows: list[list], *, header: list[str] = HEADER, titles: list[str] = ()) -> Path:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("VOC")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD HH:MM:SS")
    r0 = 0
    for t in titles:
        ws.write(r0, 0, t)
        r0 += 1
    for c, h in enumerate(header):
        ws.write(r0, c, h)
    for i, r in enumerate(rows, start=r0 + 1):
        for c, v in enumerate(r):
            ws.write(i, c, v, date_style) if isinstance(v, datetime) else ws.write(i, c, v)
    wb.save(str(path))
    return path


def dump(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    return con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()


def state(db_path: Path) -> dict[str, list[tuple]]:
    """Every row of the VOC tables (for 'exactly as before' comparisons)."""
    con = duckdb.connect(str(db_path))
    try:
        return {t: dump(con, t) for t in ("voc_items", "voc_items_replaced")}
    finally:
        con.close()
