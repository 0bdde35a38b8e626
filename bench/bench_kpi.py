"""KPI workbook load and the monthly review at 20× the demo's size (1,000 KPIs, 12,000 monthly actuals).

Baselines, measured in the same run under the same conditions, alternating with the measured side
(medians of at least 3 rounds):
- load: `openpyxl.load_workbook(read_only=True)` iterating every cell of the same file (the load starts
  from an empty database each round);
- review / off-track: the bare queries of the rows they read (the year's definitions and actuals into
  DataFrames, the mean of 20 reads per round), on the same open connection.
Reported as ratios so the figures survive a slower or faster machine.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from bench.common import QUICK, alternate, record
from ccm import db, kpi
from ccm.settings import load_settings
from etl import kpi as kpi_etl
from etl import kpi_template

PER_DEPARTMENT = 20 if QUICK else 200
YEAR = 2026


def frames(settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(5)
    defs, acts = [], []
    for d in settings.departments:
        for i in range(PER_DEPARTMENT):
            direction, aggregation = [
                ("higher", "cumulative"),
                ("lower", "average"),
                ("zero", "cumulative"),
                ("higher", "latest"),
            ][i % 4]
            target = 0.0 if direction == "zero" else float(rng.integers(10, 200))
            defs.append(
                {
                    "department": d,
                    "strategy": "s",
                    "task": "t",
                    "core_task": "c",
                    "indicator": f"지표 {i:03d}",
                    "unit": "건",
                    "direction": direction,
                    "aggregation": aggregation,
                    "annual_target": target,
                    "plan": None,
                    "weight": 1.0,
                    "source": None,
                }
            )
            acts += [
                {
                    "month": m,
                    "department": d,
                    "indicator": f"지표 {i:03d}",
                    "actual": float(rng.poisson(max(target, 1) / 12)),
                    "note": None,
                }
                for m in range(1, 13)
            ]
    return pd.DataFrame(defs), pd.DataFrame(acts)


def read_cells(path: Path) -> int:
    return sum(
        1
        for ws in load_workbook(path, read_only=True).worksheets
        for row in ws.iter_rows(values_only=True)
        for _ in row
    )


def load_fresh(path: Path, dbp: Path, settings) -> None:
    for f in (dbp, dbp.with_name(dbp.name + ".wal")):
        f.unlink(missing_ok=True)
    res = kpi_etl.load(path, dbp, settings)
    assert res.ok, res.message


def bare_rows(con) -> None:
    """The rows a scorecard reads, fetched as they are stored."""
    kpi.definitions(con, YEAR)
    kpi.manual_actuals(con, YEAR)


def main() -> None:
    settings = load_settings()
    defs, acts = frames(settings)
    with tempfile.TemporaryDirectory(prefix="bench-kpi-") as tmp:
        path = Path(tmp) / "kpi.xlsx"
        path.write_bytes(kpi_template.build(settings, YEAR, defs, acts))
        dbp = Path(tmp) / "bench.duckdb"
        load = alternate(lambda: read_cells(path), lambda: load_fresh(path, dbp, settings))
        rules = kpi.rules_from(settings)
        with db.session(dbp) as con:
            card = kpi.review(con, YEAR, 12, rules)
            review = alternate(
                lambda: bare_rows(con), lambda: kpi.review(con, YEAR, 12, rules), baseline_repeat=20
            )
            off = alternate(
                lambda: bare_rows(con), lambda: kpi.off_track(con, YEAR, 12, rules), baseline_repeat=20
            )
        print(
            f"workbook: {len(defs):,} KPIs, {len(acts):,} actuals, {path.stat().st_size / 1e6:.1f} MB; "
            f"{(card['status'] == '달성').sum()} 달성"
        )
        print(
            f"load      {load.ratio:5.1f} × openpyxl reading every cell ({load.measured:.2f} s vs {load.baseline:.2f} s; "
            f"rounds {load.rounds_text()})"
        )
        print(
            f"review    {review.ratio:5.1f} × the bare read of its rows ({review.measured:.3f} s vs "
            f"{review.baseline:.3f} s; rounds {review.rounds_text()})"
        )
        print(
            f"off-track {off.ratio:5.1f} × the bare read of its rows ({off.measured:.3f} s vs {off.baseline:.3f} s; "
            f"rounds {off.rounds_text()})"
        )
    size = f"{len(defs):,} KPIs"
    record(
        f"kpi: load workbook ({size})",
        load.measured,
        load.baseline,
        load.ratio,
        "-",
        None,
        baseline_name="openpyxl every cell",
    )
    record(
        f"kpi: review scorecard ({size})",
        review.measured,
        review.baseline,
        review.ratio,
        "-",
        None,
        baseline_name="bare read of its rows",
    )
    record(
        f"kpi: off-track list ({size})",
        off.measured,
        off.baseline,
        off.ratio,
        "-",
        None,
        baseline_name="bare read of its rows",
    )


if __name__ == "__main__":
    main()
