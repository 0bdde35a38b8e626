"""Survey loader and PCSI scoring on 100,000 respondents × 15 items (a CP949 CSV, 1.5M answers).

Baselines, measured in the same run:
- load: bare `pandas.read_csv(path, encoding="cp949")` of the same file;
- scoring: one DuckDB `avg(score)` over all stored answers (the least any score query must read).
Reported as ratios so the figures survive a slower or faster machine.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ccm import db, pcsi
from ccm.settings import load_settings
from etl import survey
from etl.demo_survey import _pcsi_frame

N = 100_000


def timed(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> None:
    settings = load_settings()
    with tempfile.TemporaryDirectory(prefix="bench-survey-") as tmp:
        path = Path(tmp) / "pcsi.csv"
        df = _pcsi_frame(2025, N, np.random.default_rng(1), 2025)
        df.to_csv(path, index=False, encoding="cp949")
        dbp = Path(tmp) / "bench.duckdb"
        base, _ = timed(lambda: pd.read_csv(path, encoding="cp949"))
        with db.session(dbp) as con:
            t_load, res = timed(lambda: survey.load(con, path, survey.load_spec(), settings))
            t_reload, again = timed(lambda: survey.load(con, path, survey.load_spec(), settings))
            opts = pcsi.options_from(settings)
            import scipy.stats  # noqa: F401 - a one-off import, not part of the page's work
            t_avg, _ = timed(lambda: con.execute("SELECT avg(score) FROM survey_answers").fetchone())
            t_sum, out = timed(lambda: pcsi.summary(con, 2025, "PCSI", pcsi.NO_FILTER, opts))
        print(f"file: {N:,} respondents, {path.stat().st_size / 1e6:.1f} MB CP949; index {out['index']:.2f}")
        print(f"load   {t_load:6.2f} s = {t_load / base:5.1f} × pandas.read_csv ({base:.2f} s); status {res.status}")
        print(f"reload {t_reload:6.2f} s = {t_reload / base:5.1f} × read_csv (status {again.status}: nothing written)")
        print(f"page summary {t_sum:6.2f} s = {t_sum / t_avg:5.1f} × a bare avg over all answers ({t_avg:.3f} s)")


if __name__ == "__main__":
    main()
