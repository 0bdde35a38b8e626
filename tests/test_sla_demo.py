"""The SLA columns the loader stored in the demo database: recompute agrees, and a sample matches the reference."""

from __future__ import annotations

import pandas as pd
import pytest

from ccm import sla
from ccm.db import connect
from tests.support.calendar_reference import Reference

pytestmark = pytest.mark.slow
COLUMNS = "voc_id, received_at, completed_at, voc_type, clock_start, due_at, deadline_minutes, work_minutes, sla_met, sla_rule"


def test_recompute_reproduces_what_the_loader_stored(demo_env):
    con = connect(demo_env.db_path)
    before = con.execute(f"SELECT {COLUMNS} FROM voc_items ORDER BY voc_id").df()
    assert sla.recompute(con, demo_env) == len(before) > 1000
    after = con.execute(f"SELECT {COLUMNS} FROM voc_items ORDER BY voc_id").df()
    con.close()
    pd.testing.assert_frame_equal(before, after)


def test_stored_figures_match_the_reference_on_a_sample(demo_env):
    con = connect(demo_env.db_path)
    sample = con.execute(f"SELECT {COLUMNS} FROM voc_items USING SAMPLE 300 ROWS (reservoir, 42)").df()
    con.close()
    ref = Reference(demo_env.raw)
    days = demo_env["sla"]["rules"][0]["days"]
    for row in sample.itertuples():
        start = ref.clock_start(row.received_at.to_pydatetime())
        due = ref.add(start, days[row.voc_type] * 8 * 3600)
        assert (row.clock_start, row.due_at) == (start, due), row.voc_id
        if pd.isna(row.completed_at):
            assert pd.isna(row.work_minutes) and pd.isna(row.sla_met)
        else:
            work = ref.working_seconds(start, row.completed_at.to_pydatetime())
            assert row.work_minutes == -(-work // 60) and row.sla_met == (
                work <= days[row.voc_type] * 8 * 3600
            )
