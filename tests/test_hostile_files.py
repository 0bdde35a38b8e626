"""Files that could hurt the server are refused before they are parsed, and whatever slips through is
parsed in a child process with a memory and time limit (issue 14, point 1).

Reproduces the two findings: a 5 KB .xlsx with a header in row 1 and one cell at XFD1048576 (the Excel
reader asked for 512 GB and the process aborted, exit 134), and a zip bomb .xlsx whose sheet inflates to
2 GB. Real files, real subprocesses, the real upload page."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from ccm.settings import ROOT, load_settings
from etl import sandbox, voc
from etl.readers import Limits, ReadError, read_table
from tests.support.voc_files import HEADER, row, write_csv, write_xlsx

NO_CHECK = Limits(rows=10**12, columns=10**9, cells=10**15, unzipped_mb=10**9, zip_ratio=10**9)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sparse_workbook(path: Path) -> Path:
    """Header in row 1 and one cell at the last cell of a sheet (XFD1048576): 5 KB."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for i, h in enumerate(["접수번호", "접수일시", "유형", "제목", "내용"], start=1):
        ws.cell(1, i, h)
    ws["XFD1048576"] = "x"
    wb.save(path)
    return path


def zip_bomb(path: Path, megabytes: int = 2048, level: int = 1) -> Path:
    """A valid .xlsx whose one sheet is `megabytes` of empty rows, written streaming (a few MB packed)."""
    skeleton = sparse_workbook(path.with_suffix(".skeleton.xlsx"))
    chunk = b"<row/>  " * (1 << 17)  # 1 MB
    with (
        zipfile.ZipFile(skeleton) as src,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z,
    ):
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                z.writestr(info.filename, src.read(info))
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            for _ in range(megabytes):
                f.write(chunk)
            f.write(b"</sheetData></worksheet>")
    return path


def sheet_xml(path: Path, dimension: str | None, cells: list[tuple[str, str]], hide: str = "") -> Path:
    """A workbook whose sheet is written by hand: the dimension it declares (or none) and its cells; the
    cell `hide` is written with its attributes in another order (the scan's fast path looks for r first)."""
    skeleton = sparse_workbook(path.with_suffix(".skeleton.xlsx"))
    rows: dict[int, list[str]] = {}
    for ref, value in cells:
        attrs = f't="inlineStr" r="{ref}"' if ref == hide else f'r="{ref}" t="inlineStr"'
        rows.setdefault(int(re.sub(r"\D", "", ref)), []).append(f"<c {attrs}><is><t>{value}</t></is></c>")
    body = "".join(f'<row r="{r}">{"".join(cs)}</row>' for r, cs in sorted(rows.items()))
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    xml = (
        f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dim}'
        f"<sheetData>{body}</sheetData></worksheet>"
    )
    with zipfile.ZipFile(skeleton) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info.filename, xml if info.filename == "xl/worksheets/sheet1.xml" else src.read(info))
    return path


@pytest.fixture(scope="module")
def sparse(tmp_path_factory) -> Path:
    return sparse_workbook(tmp_path_factory.mktemp("hostile") / "sparse.xlsx")


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    return zip_bomb(tmp_path_factory.mktemp("hostile") / "bomb.xlsx")


def etl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "etl", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=dict(os.environ),
        timeout=120,
    )


def one_korean_line(proc: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in proc.stderr + proc.stdout and "memory allocation" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1, (proc.returncode, proc.stderr)
    return lines[0]


# --- the findings, refused before parsing ------------------------------------------------------------


def test_the_sparse_workbook_is_5_kb(sparse):
    assert sparse.stat().st_size < 10_000


def test_sparse_workbook_from_the_cli_exits_2_with_one_korean_line(env, sparse):
    line = one_korean_line(etl("voc", str(sparse)))
    assert line == (
        "오류: sparse.xlsx: 파일이 너무 커서 읽지 않았습니다 — 'Sheet' 시트의 크기 표시 A1:XFD1048576: "
        "열 16,384개 (한도 500개). 빈 행·열을 지우고 다시 저장하거나 파일을 나누어 올려 주세요. "
        "한도는 설정 파일 [limits]의 columns입니다."
    )


def test_zip_bomb_from_the_cli_exits_2_with_one_korean_line(env, bomb):
    assert bomb.stat().st_size < 20 << 20
    line = one_korean_line(etl("voc", str(bomb)))
    assert "bomb.xlsx: 파일이 너무 커서 읽지 않았습니다 — 압축을 푼 크기 2,048 MB (한도 1,024 MB)" in line
    assert "unzipped_mb" in line


def test_prepare_refuses_both(env, sparse, bomb):
    for path, said in [(sparse, "열 16,384개 (한도 500개)"), (bomb, "압축을 푼 크기 2,048 MB")]:
        with pytest.raises(ReadError, match=re.escape(said)):
            voc.prepare(path, env)


def test_kpi_and_survey_loaders_refuse_the_sparse_workbook(env, sparse):
    from etl import kpi, survey

    result = kpi.load(sparse, env.db_path, env)
    assert result.file_error and "열 16,384개 (한도 500개)" in result.message
    with pytest.raises(survey.SurveyError, match="열 16,384개"):
        survey.read(sparse, settings=env)


# --- what the scan finds when the dimension is absent or lies ------------------------------------------


@pytest.mark.parametrize("dimension", [None, "A1:B2"])
def test_a_far_cell_is_found_whatever_the_dimension_says(tmp_path, dimension):
    path = sheet_xml(tmp_path / "far.xlsx", dimension, [("A1", "접수번호"), ("B1", "유형"), ("SG7", "x")])
    with pytest.raises(ReadError, match=re.escape("'Sheet' 시트의 칸 SG7: 열 501개 (한도 500개)")):
        read_table(path)


def test_rows_times_columns_over_the_cell_limit(tmp_path):
    path = sheet_xml(tmp_path / "wide.xlsx", None, [("A1", "접수번호"), ("T1", "유형"), ("A3000", "x")])
    with pytest.raises(ReadError, match=re.escape("칸(행 × 열) 60,000칸 (한도 50,000칸)")):
        read_table(path, limits=Limits(cells=50_000))
    assert read_table(path, limits=Limits(cells=60_000)).df["접수번호"].tolist() == ["x"]


def test_a_file_within_the_limits_reads_as_before(tmp_path):
    path = write_xlsx(tmp_path / "ok.xlsx", [row("X1"), row("X2")])
    table = read_table(path, known=HEADER)
    assert table.df["접수번호"].tolist() == ["X1", "X2"] and table.sheet == "Sheet"


def test_the_zip_ratio_is_judged_above_64_mb(tmp_path):
    path = zip_bomb(tmp_path / "dense.xlsx", megabytes=100, level=9)
    with pytest.raises(ReadError, match=r"압축률 \d{3,},?\d*배 \(한도 200배\)"):
        read_table(path, limits=Limits(unzipped_mb=4096))


def test_the_scan_of_a_bomb_stops_at_the_row_limit(bomb):
    t0 = time.monotonic()
    with pytest.raises(ReadError, match=r"'Sheet' 시트: 행 [\d,]+행 \(한도 2,000,000행\)"):
        read_table(bomb, limits=Limits(unzipped_mb=10**6, zip_ratio=10**6))
    assert time.monotonic() - t0 < 10


# --- CSV: the same limits ------------------------------------------------------------------------------


def test_csv_over_the_byte_limit_is_refused_before_reading(tmp_path):
    path = write_csv(tmp_path / "big.csv", [row(f"B{i}") for i in range(200)])
    with pytest.raises(
        ReadError, match=r"big\.csv: 파일이 너무 커서 읽지 않았습니다 — 파일 크기 .* MB \(한도 0\.0 MB\)"
    ):
        read_table(path, limits=Limits(file_mb=0.01))


def test_csv_with_more_columns_than_the_limit_is_refused_at_its_header(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(
        ",".join(f"열{i}" for i in range(600)) + "\n" + ",".join("1" * 600) + "\n", encoding="utf-8"
    )
    with pytest.raises(ReadError, match=re.escape("머리글(1행)의 열 600개 (한도 500개)")):
        read_table(path)


def test_csv_rows_and_cells_are_counted_after_parsing(tmp_path):
    path = write_csv(tmp_path / "rows.csv", [row(f"R{i}") for i in range(10)])
    with pytest.raises(ReadError, match=re.escape("데이터 행 10행 (한도 9행)")):
        read_table(path, limits=Limits(rows=9))
    with pytest.raises(ReadError, match=re.escape("칸(행 × 열) 90칸 (한도 89칸)")):
        read_table(path, limits=Limits(cells=89))


def test_limits_come_from_settings(env, tmp_path):
    path = write_csv(tmp_path / "rows.csv", [row(f"R{i}") for i in range(4)])
    env.path.write_text(
        env.path.read_text(encoding="utf-8").replace("rows = 2_000_000", "rows = 3"), encoding="utf-8"
    )
    assert Limits.from_settings(load_settings(env.path)).rows == 3
    with pytest.raises(ReadError, match=re.escape("데이터 행 4행 (한도 3행)")):
        read_table(path)
    env.path.write_text(
        env.path.read_text(encoding="utf-8").replace("rows = 3", 'rows = "많이"'), encoding="utf-8"
    )
    with pytest.raises(ReadError, match=re.escape('[limits] rows = "많이"')):
        read_table(path)


# --- the child process ---------------------------------------------------------------------------------


def test_the_child_memory_limit_turns_an_allocation_into_a_read_error():
    with pytest.raises(
        ReadError, match=re.escape("huge.bin: 파일을 읽다가 메모리 한도(512 MB)를 넘었습니다")
    ):
        sandbox.run(bytearray, 2 << 30, limits=Limits(memory_mb=512), what="huge.bin")
    assert (
        sandbox.run(len, b"abc", limits=Limits(), what="x") == 3
    )  # the parent is alive and can start another


def hold(megabytes: int, seconds: float) -> int:
    """Run in the child: fill memory (every page touched) and keep it."""
    block = b"x" * (megabytes << 20)
    time.sleep(seconds)
    return len(block)


def test_the_parent_kills_a_child_whose_resident_memory_passes_the_limit():
    # 700 MB in RAM is within the address space the child may reserve (4 × 400 MB), not within 400 MB
    t0 = time.monotonic()
    with pytest.raises(ReadError, match=re.escape("big.csv: 파일을 읽다가 메모리 한도(400 MB)를 넘었습니다")):
        sandbox.run(hold, 700, 20, limits=Limits(memory_mb=400), what="big.csv")
    assert time.monotonic() - t0 < 10
    assert sandbox.run(hold, 50, 0, limits=Limits(memory_mb=400), what="small.csv") == 50 << 20


def test_a_parser_that_aborts_in_the_child_is_a_read_error(sparse):
    # without the checks before parsing, the Excel reader asks for 512 GB and aborts: only the child dies
    with pytest.raises(
        ReadError, match=re.escape("sparse.xlsx: 파일을 읽다가 메모리 한도(1 GB)를 넘었습니다")
    ):
        read_table(sparse, limits=Limits(**{**NO_CHECK.__dict__, "memory_mb": 1024}))
    assert read_table(write_xlsx(sparse.parent / "after.xlsx", [row("A1")]), known=HEADER).df.shape[0] == 1


def hidden_far_cell(path: Path) -> Path:
    """The sparse workbook without a dimension, its far cell hidden from the scan's fast path: the checks
    before parsing miss it, so the Excel reader asks for 512 GB — in the child."""
    return sheet_xml(path, None, [("A1", "접수번호"), ("B1", "유형"), ("XFD1048576", "x")], hide="XFD1048576")


def test_a_far_cell_the_checks_miss_meets_the_childs_memory_limit(tmp_path):
    with pytest.raises(
        ReadError, match=re.escape("hidden.xlsx: 파일을 읽다가 메모리 한도(4 GB)를 넘었습니다")
    ):
        read_table(hidden_far_cell(tmp_path / "hidden.xlsx"))


def test_the_child_time_limit(tmp_path):
    t0 = time.monotonic()
    with pytest.raises(
        ReadError, match=re.escape("slow.xlsx: 파일을 읽는 데 시간 한도(1초)를 넘어 멈췄습니다")
    ):
        sandbox.run(time.sleep, 30, limits=Limits(seconds=1), what="slow.xlsx")
    assert time.monotonic() - t0 < 10


def test_what_the_child_raises_is_raised_in_the_parent():
    with pytest.raises(ValueError, match="invalid literal"):
        sandbox.run(int, "열", limits=Limits(), what="x")


def test_the_child_sees_the_callers_environment(monkeypatch):
    monkeypatch.setenv("CCM_SANDBOX_PROBE", "보임")
    assert sandbox.run(os.getenv, "CCM_SANDBOX_PROBE", limits=Limits(), what="x") == "보임"


# --- the upload page -----------------------------------------------------------------------------------

PAGE = "pages/upload.py"


def _errors(at) -> str:
    """The error boxes' text as shown (markdown escapes undone)."""
    return "\n".join(re.sub(r"\\(.)", r"\1", e.value).replace("\u2060", "") for e in at.error)


def test_upload_page_shows_the_refusal_and_stays_usable(app_test, sparse, tmp_path):
    at = app_test(PAGE).run()
    at.file_uploader(key="voc_up_file").set_value((sparse.name, sparse.read_bytes(), XLSX)).run()
    assert not at.exception
    assert "이 파일은 적재할 수 없습니다: sparse.xlsx: 파일이 너무 커서 읽지 않았습니다" in _errors(at)
    assert "열 16,384개 (한도 500개)" in _errors(at)
    good = write_csv(tmp_path / "good.csv", [row("G1")])
    at.file_uploader(key="voc_up_file").set_value((good.name, good.read_bytes(), "text/csv")).run()
    assert not at.exception and not at.error
    at.button(key="voc_up_load").click().run()
    assert any("적재했습니다" in s.value for s in at.success)


def test_upload_page_reports_a_child_out_of_memory(app_test, env, sparse):
    text = env.path.read_text(encoding="utf-8")
    for key, value in {"columns": 10**9, "cells": 10**15, "memory_mb": 1024}.items():
        text = re.sub(rf"(?m)^{key} = [\d_]+", f"{key} = {value}", text)
    env.path.write_text(text, encoding="utf-8")
    at = app_test(PAGE).run()
    at.file_uploader(key="voc_up_file").set_value((sparse.name, sparse.read_bytes(), XLSX)).run()
    assert not at.exception
    assert "sparse.xlsx: 파일을 읽다가 메모리 한도(1 GB)를 넘었습니다" in _errors(at)


def test_survey_and_kpi_tabs_refuse_the_sparse_workbook(app_test, sparse):
    at = app_test(PAGE).run()
    at.file_uploader(key="survey_file").set_value((sparse.name, sparse.read_bytes(), XLSX)).run()
    assert not at.exception
    assert "열 16,384개 (한도 500개)" in _errors(at)
    at.file_uploader(key="kpi_upload").set_value((sparse.name, sparse.read_bytes(), XLSX)).run()
    at.button(key="kpi_load").click().run()
    assert not at.exception
    assert sum("열 16,384개 (한도 500개)" in e.value for e in at.error) == 2
