"""개선과제 register and effect at 10,000 actions over 1,000,000 VOC items (generated directly in DuckDB).

Baselines, measured in the same run, alternating with the measured query (bench.common.alternate, medians):
- register: a bare `SELECT * FROM improvement_actions` fetched as a DataFrame (the same rows);
- effect: a bare read of the VOC rows the effect has to look at (the topic rows of the targeted topics and
  the items of the targeted facilities), fetched as a DataFrame.
Reported as ratios so the figures survive a slower or faster machine.
`python -m bench.bench_actions [ITEMS ACTIONS]` runs another size (BENCH_QUICK=1: 100,000 items, 1,000 actions).
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

from bench.common import QUICK, alternate, record
from ccm import actions as act
from ccm import db
from ccm.period import Scope
from ccm.settings import load_settings

NOW = datetime(2026, 11, 25, 10, 0)
TOPICS = [f"주제{i:02d}" for i in range(20)]


def generate(con, items: int, actions: int, settings) -> None:
    facilities = list(settings.facilities)
    depts = settings.departments
    con.execute(
        """INSERT INTO voc_items (voc_id, received_at, completed_at, voc_type, department, facility, status, batch_id)
        SELECT 'V' || i, TIMESTAMP '2023-11-25' + to_seconds((hash(i) % 94608000)::BIGINT),
               TIMESTAMP '2023-11-25' + to_seconds((hash(i) % 94608000)::BIGINT + 86400),
               ['불만', '문의', '칭찬', '건의', '고충'][1 + (hash(i * 7) % 5)::BIGINT], ?[1 + (hash(i * 3) % ?)::BIGINT], ?[1 + (hash(i * 5) % ?)::BIGINT],
               '완료', 1
        FROM range(?) t(i)""",
        [depts, len(depts), facilities, len(facilities), items],
    )
    con.execute(
        """INSERT INTO voc_topics (voc_id, topic, received_at, completed_at, voc_type, department, facility)
        SELECT voc_id, ?[1 + (hash(voc_id) % ?)::BIGINT], received_at, completed_at, voc_type, department, facility
        FROM voc_items""",
        [TOPICS, len(TOPICS)],
    )
    statuses = list(act.rules_from(settings).statuses)
    con.execute(
        """INSERT INTO improvement_actions (title, department, status, topic, facility, due_date, completed_on,
                       customer_told, origin, created_at, updated_at)
        SELECT '과제 ' || i, ?[1 + i % ?], CASE WHEN i % 5 < 3 THEN '완료' ELSE ?[1 + i % 3] END,
               CASE WHEN i % 10 = 0 THEN NULL ELSE ?[1 + (hash(i) % ?)::BIGINT] END,
               CASE WHEN i % 7 = 0 THEN NULL ELSE ?[1 + (hash(i * 11) % ?)::BIGINT] END,
               DATE '2024-03-01' + (hash(i * 13) % 900)::INTEGER,
               CASE WHEN i % 5 < 3 THEN DATE '2024-02-01' + (hash(i * 17) % 960)::INTEGER END,
               i % 2 = 0, '엑셀', TIMESTAMP '2024-01-01', TIMESTAMP '2024-01-01'
        FROM range(?) t(i)""",
        [depts, len(depts), statuses, TOPICS, len(TOPICS), facilities, len(facilities), actions],
    )


def main(items: int | None = None, actions: int | None = None) -> None:
    items = items or (100_000 if QUICK else 1_000_000)
    actions = actions or (1_000 if QUICK else 10_000)
    settings = load_settings()
    rules = act.rules_from(settings)
    scope = Scope(date(2026, 10, 1), date(2026, 11, 1))
    with (
        tempfile.TemporaryDirectory(prefix="bench-actions-") as tmp,
        db.session(Path(tmp) / "bench.duckdb") as con,
    ):
        t0 = time.perf_counter()
        generate(con, items, actions, settings)
        print(f"생성: VOC {items:,}건, 개선과제 {actions:,}건 ({time.perf_counter() - t0:.1f}초)", flush=True)
        reg = alternate(
            lambda: con.execute("SELECT * FROM improvement_actions").df(),
            lambda: act.register(con, scope, NOW),
            baseline_repeat=5,
        )
        bare_rows = """SELECT voc_id, topic, facility, voc_type, received_at, completed_at FROM voc_topics
                       WHERE topic IN (SELECT topic FROM improvement_actions WHERE completed_on IS NOT NULL)
                          OR facility IN (SELECT facility FROM improvement_actions WHERE completed_on IS NOT NULL)"""
        eff = alternate(lambda: con.execute(bare_rows).df(), lambda: act.effect(con, scope, NOW, rules))
        n_eff = len(act.effect(con, scope, NOW, rules))
    print(
        f"register {reg.ratio:5.2f} × the bare read of its rows ({reg.measured:.3f} s vs {reg.baseline:.3f} s; "
        f"rounds {reg.rounds_text()})"
    )
    print(
        f"effect   {eff.ratio:5.2f} × the bare read of the targeted VOC rows, {n_eff:,} completed actions "
        f"({eff.measured:.3f} s vs {eff.baseline:.3f} s; rounds {eff.rounds_text()})"
    )
    size = f"{actions:,} actions, {items:,} VOC"
    record(
        f"actions: register ({size})",
        reg.measured,
        reg.baseline,
        reg.ratio,
        "-",
        None,
        baseline_name="bare read of its rows",
    )
    record(
        f"actions: effect ({size})",
        eff.measured,
        eff.baseline,
        eff.ratio,
        "-",
        None,
        baseline_name="bare read of the targeted VOC rows",
    )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
