"""dbt-style data checks (ccm.data_checks) on the demo database: unique keys, not-null keys, allowed values
from the settings, every row's batch in load_batches."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ccm import data_checks, db
from ccm.settings import ROOT

pytestmark = pytest.mark.slow


def test_every_check_holds_on_the_demo_database(demo_env):
    with db.session(demo_env.db_path) as con:
        assert data_checks.checks(con, demo_env) == []


def test_checks_name_the_table_column_and_values_that_break_them(demo_env):
    with db.session(demo_env.db_path) as con:
        first = con.execute("SELECT min(voc_id) FROM voc_items").fetchone()[0]
        last = con.execute("SELECT max(voc_id) FROM voc_items").fetchone()[0]
        con.execute("INSERT INTO voc_items SELECT * FROM voc_items WHERE voc_id = ?", [first])
        con.execute("UPDATE voc_items SET voc_type = '분실', updated_batch_id = 999 WHERE voc_id = ?", [last])
        failures = data_checks.checks(con, demo_env)
    assert failures == [
        f"voc_items 표의 voc_id: 두 번 이상 나오는 값 1개 (예: {first})",
        "voc_items 표의 voc_type: 설정 [voc.types]에 없는 값 1개 (예: 분실)",
        "voc_items 표의 updated_batch_id: load_batches 표(적재 종류 voc)에 없는 값 1개 (예: 999)",
    ]


def test_a_survey_answer_without_its_batch_is_reported(demo_env):
    with db.session(demo_env.db_path) as con:
        con.execute(
            "INSERT INTO survey_answers (batch_id, resp_no, item, raw, score, status) "
            "VALUES (999, 1, 'Q1', '5', 100, 'ok')"
        )
        failures = data_checks.checks(con, demo_env)
    assert failures == [
        "survey_answers 표의 batch_id: survey_batches 표에 없는 값 1개 (예: 999)",
        "survey_answers 표의 batch_id, resp_no: survey_respondents 표에 없는 값 1개 (예: 999 / 1)",
        "survey_answers 표의 batch_id, item: survey_items 표에 없는 값 1개 (예: 999 / Q1)",
    ]


def test_the_command_line_reports_a_clean_database_with_exit_0(demo_env):
    out = subprocess.run(
        [sys.executable, "-m", "ccm.data_checks", "--db", str(demo_env.db_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"점검 {len(data_checks.CHECKS)}가지 모두 통과")
