"""KPI workbook load and the monthly review at 20× the demo's size (1,000 KPIs, 12,000 monthly actuals).

Baselines, measured in the same run:
- load: `openpyxl.load_workbook(read_only=True)` iterating every cell of the same file;
- review: one DuckDB `sum(actual) GROUP BY department, indicator` over the stored actuals.
Reported as ratios so the figures survive a slower or faster machine.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from ccm import db, kpi
from ccm.settings import load_settings
from etl import kpi as kpi_etl
from etl import kpi_template

PER_DEPARTMENT = 200
YEAR = 2026


def timed(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def frames(settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(5)
    defs, acts = [], []
    for d in settings.departments:
        for i in range(PER_DEPARTMENT):
            direction, aggregation = [("higher", "cumulative"), ("lower", "average"), ("zero", "cumulative"),
                                      ("higher", "latest")][i % 4]
            target = 0.0 if direction == "zero" else float(rng.integers(10, 200))
            defs.append({"department": d, "strategy": "s", "task": "t", "core_task": "c", "indicator": f"지표 {i:03d}",
                         "unit": "건", "direction": direction, "aggregation": aggregation, "annual_target": target,
                         "plan": None, "weight": 1.0, "source": None})
            acts += [{"month": m, "department": d, "indicator": f"지표 {i:03d}",
                      "actual": float(rng.poisson(max(target, 1) / 12)), "note": None} for m in range(1, 13)]
    return pd.DataFrame(defs), pd.DataFrame(acts)


def main() -> None:
    settings = load_settings()
    defs, acts = frames(settings)
    with tempfile.TemporaryDirectory(prefix="bench-kpi-") as tmp:
        path = Path(tmp) / "kpi.xlsx"
        path.write_bytes(kpi_template.build(settings, YEAR, defs, acts))
        base, _ = timed(lambda: sum(1 for ws in load_workbook(path, read_only=True).worksheets
                                    for row in ws.iter_rows(values_only=True) for _ in row))
        dbp = Path(tmp) / "bench.duckdb"
        t_load, res = timed(lambda: kpi_etl.load(path, dbp, settings))
        assert res.ok, res.message
        rules = kpi.rules_from(settings)
        with db.session(dbp) as con:
            t_sql, _ = timed(lambda: con.execute(
                "SELECT department, indicator, sum(actual) FROM kpi_actuals GROUP BY ALL").df())
            t_review, card = timed(lambda: kpi.review(con, YEAR, 12, rules))
            t_off, _ = timed(lambda: kpi.off_track(con, YEAR, 12, rules))
        print(f"workbook: {len(defs):,} KPIs, {len(acts):,} actuals, {path.stat().st_size / 1e6:.1f} MB")
        print(f"load      {t_load:6.2f} s = {t_load / base:5.1f} × openpyxl reading every cell ({base:.2f} s)")
        print(f"review    {t_review:6.2f} s = {t_review / t_sql:5.1f} × a bare grouped sum ({t_sql:.3f} s); "
              f"{(card['status'] == '달성').sum()} 달성")
        print(f"off-track {t_off:6.2f} s = {t_off / t_sql:5.1f} × the grouped sum (12 monthly scorecards)")


if __name__ == "__main__":
    main()
