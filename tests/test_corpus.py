"""Issue 11 corpus: every file of tests/corpus loads as it comes, through the real CLI, with the outcome written in
tests/corpus/expected.csv (hand-computed from make_corpus.py) — exit code, counts in the database, a phrase of
the output — and no planted phone number, e-mail or customer name is stored in clear anywhere in the database."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ccm.settings import ROOT, Settings

CORPUS = Path(__file__).resolve().parent / "corpus"


def _read(name: str) -> list[dict[str, str]]:
    with (CORPUS / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


CASES = _read("expected.csv")
PLANTED = _read("planted.csv")


def _command(case: dict[str, str], db: Path, rejects: Path) -> list[str]:
    cmd = [sys.executable, "-m", "etl", case["kind"], *(str(CORPUS / f) for f in case["files"].split())]
    if case["mapping"]:
        cmd += ["--mapping" if case["kind"] == "voc" else "--spec", str(CORPUS / case["mapping"])]
    cmd += ["--db", str(db)]
    return cmd + (["--rejects-dir", str(rejects)] if case["kind"] == "voc" else [])


def _scalar(con: duckdb.DuckDBPyConnection | None, sql: str) -> object:
    return con.execute(sql).fetchone()[0] if con else None


def _counts(con: duckdb.DuckDBPyConnection | None, kind: str) -> dict[str, object]:
    if con is None:
        return {"rows_read": None, "loaded": 0, "rejected": None, "closed_without_time": 0}
    batches = f"FROM load_batches WHERE kind = '{kind}'"
    loaded = (
        "SELECT count(*) FROM voc_items"
        if kind == "voc"
        else "SELECT count(*) FROM survey_respondents JOIN survey_batches USING (batch_id) WHERE active"
    )
    return {
        "rows_read": _scalar(con, f"SELECT sum(rows_read) {batches}"),
        "loaded": _scalar(con, loaded),
        "rejected": _scalar(con, f"SELECT sum(rows_rejected) {batches}"),
        "closed_without_time": _scalar(
            con, "SELECT count(*) FROM voc_items WHERE status = '완료' AND completed_at IS NULL"
        )
        if kind == "voc"
        else None,
    }


def _needles(files: list[str]) -> list[str]:
    out = []
    for p in PLANTED:
        if p["file"] in files:
            out.append(p["value"])
            if p["kind"] == "phone":
                out.append(re.sub(r"\D", "", p["value"]))
    return sorted(set(out))


def _in_clear(con: duckdb.DuckDBPyConnection, needles: list[str]) -> list[str]:
    """Every planted value found in any cell of any table, as 'table: value'."""
    found = set()
    tables = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
    ).fetchall()
    for (table,) in tables:
        text = "\n".join(
            "\x1f".join(str(v) for v in row) for row in con.execute(f'SELECT * FROM "{table}"').fetchall()
        )
        found |= {f"{table}: {n}" for n in needles if n in text}
    return sorted(found)


def _differences(case: dict[str, str], got: dict[str, object]) -> list[str]:
    out = []
    for key, value in got.items():
        want = case.get(key, "")
        if want != "" and str(value if value is not None else "") != want:
            out.append(f"{key}: expected {want}, got {value}")
    return out


@pytest.mark.slow  # one CLI run per case, each with its keyword analysis: minutes in all
@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_corpus_file_loads_as_expected(case: dict[str, str], env: Settings, tmp_path: Path) -> None:
    db, rejects = tmp_path / "corpus.duckdb", tmp_path / "rejects"
    rejects.mkdir()
    proc = subprocess.run(
        _command(case, db, rejects),
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=600,
    )
    output = proc.stdout + proc.stderr
    problems = (
        []
        if proc.returncode == int(case["expected_exit"])
        else [f"exit: expected {case['expected_exit']}, got {proc.returncode}"]
    )
    if "Traceback" in output:
        problems.append("a traceback reached the user")
    problems += [f"output lacks {n!r}" for n in case["notes_expected"].split("|") if n and n not in output]
    con = duckdb.connect(str(db), read_only=True) if db.exists() else None
    try:
        got = _counts(con, case["kind"])
        if case["reject_files"]:
            got["reject_files"] = len(list(rejects.iterdir()))
        if case["check_sql"]:
            got["check_value"] = _scalar(con, case["check_sql"])
        problems += _differences(case, got)
        if con is not None:
            problems += [f"in clear: {hit}" for hit in _in_clear(con, _needles(case["files"].split()))]
    finally:
        if con is not None:
            con.close()
    assert not problems, "\n".join(problems) + "\n--- output ---\n" + output[-3000:]


def test_every_planted_file_is_in_a_case() -> None:
    used = {f for c in CASES for f in c["files"].split()}
    assert {p["file"] for p in PLANTED} <= used


def test_corpus_files_are_small_and_the_table_names_real_files() -> None:
    for case in CASES:
        for name in [*case["files"].split(), case["mapping"]]:
            if name:
                assert (CORPUS / name).is_file(), name
                assert (CORPUS / name).stat().st_size < 200_000, name
    assert len({f for c in CASES for f in c["files"].split()}) >= 15
