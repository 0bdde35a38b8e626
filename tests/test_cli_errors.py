"""python -m etl never shows a traceback: an unusable input, database or folder is one Korean line on
stderr and exit 2; `--db` works in the same place for every command. Real subprocesses, real files."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ccm.settings import ROOT

CSV = "접수번호,접수일시,유형\nA-1,2025-03-05 10:00,문의\nA-2,2025-03-05 11:00,없는유형\n"


def etl(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "etl", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env={**os.environ, **env},
        timeout=300,
    )


def assert_one_korean_line(proc: subprocess.CompletedProcess, code: int = 2) -> str:
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == code and len(lines) == 1, proc.stderr
    assert re.search(r"[가-힣]", lines[0])
    return lines[0]


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text",
    [
        "columns = 3\n",  # a number where a table is expected
        '[values]\nvoc_type = "x"\n',  # a value where the table [values.voc_type] is expected
        'values = ["voc_type"]\n',  # a list where a table is expected
        "[columns]\n",  # empty but valid: loads (control case, exit 1 for the bad row)
    ],
)
def test_mapping_file_of_the_wrong_structure(env, export, tmp_path, text):
    mapping = tmp_path / "bad.toml"
    mapping.write_text(text, encoding="utf-8")
    proc = etl("voc", str(export), "--mapping", str(mapping), "--rejects-dir", str(tmp_path))
    if text == "[columns]\n":
        assert proc.returncode == 1 and "Traceback" not in proc.stderr
        return
    assert "bad.toml" in assert_one_korean_line(proc)
    assert not env.db_path.exists()  # nothing written, not even an empty database


@pytest.mark.parametrize("content", ["그냥 글입니다\n", CSV, ""])
def test_db_that_is_not_a_duckdb_file(env, export, tmp_path, content):
    fake = tmp_path / "not-a-db.duckdb"
    fake.write_text(content, encoding="utf-8")
    line = assert_one_korean_line(etl("voc", str(export), "--db", str(fake)))
    assert "DuckDB 데이터베이스 파일이 아닙니다" in line and str(fake) in line
    assert fake.read_text(encoding="utf-8") == content


def test_db_that_is_a_folder(env, export, tmp_path):
    assert "폴더" in assert_one_korean_line(etl("voc", str(export), "--db", str(tmp_path)))


def test_rejects_dir_missing(env, export, tmp_path):
    line = assert_one_korean_line(etl("voc", str(export), "--rejects-dir", str(tmp_path / "없는폴더")))
    assert "없습니다" in line and "없는폴더" in line
    assert not env.db_path.exists()


def test_rejects_dir_that_is_a_file(env, export):
    line = assert_one_korean_line(etl("voc", str(export), "--rejects-dir", str(export)))
    assert "폴더가 아닙니다" in line
    assert not env.db_path.exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="folder permissions do not bind root")
def test_rejects_dir_without_write_permission(env, export, tmp_path):
    folder = tmp_path / "읽기전용"
    folder.mkdir(mode=0o500)
    try:
        assert "쓸 수 없습니다" in assert_one_korean_line(
            etl("voc", str(export), "--rejects-dir", str(folder))
        )
    finally:
        folder.chmod(0o700)
    assert not env.db_path.exists()


COMMANDS = [
    ("voc", "{file}"),
    ("survey", "{file}"),
    ("kpi", "{file}"),
    ("demo", "--if-missing"),
    ("users", "list"),
]


@pytest.mark.parametrize("command, arg", COMMANDS)
@pytest.mark.parametrize("where", ["after", "before"])
def test_every_command_takes_db_after_or_before_its_name(env, export, tmp_path, command, arg, where):
    fake = tmp_path / "memo.txt"
    fake.write_text("메모\n", encoding="utf-8")
    args = [command, arg.format(file=export)]
    args = [*args, "--db", str(fake)] if where == "after" else ["--db", str(fake), *args]
    assert "DuckDB 데이터베이스 파일이 아닙니다" in assert_one_korean_line(etl(*args))


def test_users_takes_db_before_or_after_the_action(env, tmp_path):
    for i, args in enumerate((["users", "--db", "{db}", "list"], ["users", "list", "--db", "{db}"])):
        db = tmp_path / f"users{i}.duckdb"
        proc = etl(*[a.format(db=db) for a in args])
        assert proc.returncode == 0 and "사용자가 없습니다" in proc.stdout and db.exists()
    assert not env.db_path.exists()  # the configured database was never used


def test_db_after_the_command_wins_over_before(env, export, tmp_path):
    used, ignored = tmp_path / "used.duckdb", tmp_path / "ignored.duckdb"
    proc = etl("--db", str(ignored), "voc", str(export), "--db", str(used), "--rejects-dir", str(tmp_path))
    assert proc.returncode == 1 and used.exists() and not ignored.exists()


def test_unexpected_error_is_one_line_exit_1_and_the_traceback_only_on_request(env, export):
    # a fault no check anticipates (a bug): the loader's normalising step raises a KeyError
    fault = (
        "import sys; from etl import normalise; "
        "normalise.fields = lambda *a, **k: {}['없는 열']; "
        "from etl.__main__ import main; sys.exit(main(sys.argv[1:]))"
    )

    def run(**extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", fault, "voc", str(export)],
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=ROOT,
            env={**os.environ, **extra},
            timeout=300,
        )

    line = assert_one_korean_line(run(), code=1)
    assert "CCM_DEBUG=1" in line
    debug = run(CCM_DEBUG="1")
    assert debug.returncode == 1 and "Traceback" in debug.stderr and "KeyError" in debug.stderr


def test_settings_file_with_a_syntax_error(env, export, tmp_path):
    bad = tmp_path / "bad-settings.toml"
    bad.write_text(
        env.path.read_text(encoding="utf-8").replace('work_start = "09:00"', 'work_start = "09:00'),
        encoding="utf-8",
    )
    line = assert_one_korean_line(etl("voc", str(export), CCM_SETTINGS=str(bad)))
    assert "TOML 문법 오류" in line and "행" in line
