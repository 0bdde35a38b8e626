"""Survey loader and PCSI scoring on 100,000 respondents × 15 items (a CP949 CSV, 1.5M answers).

Baselines, measured in the same run under the same conditions, alternating with the measured side
(medians of at least 3 rounds):
- load: bare `pandas.read_csv(path, encoding="cp949")` of the same file (the load starts from an empty
  database each round; the reload — same file again, nothing written — on the database just loaded);
- page summary: the bare query of the answers it reads (every scored answer into a DataFrame), on the
  same open connection.
Reported as ratios so the figures survive a slower or faster machine.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from bench.common import QUICK, alternate, record
from ccm import db, pcsi
from ccm.settings import load_settings
from etl import survey
from etl.demo_survey import _pcsi_frame

N = 10_000 if QUICK else 100_000


def load_fresh(path: Path, dbp: Path, settings) -> None:
    for f in (dbp, dbp.with_name(dbp.name + ".wal")):
        f.unlink(missing_ok=True)
    with db.session(dbp) as con:
        res = survey.load(con, path, survey.load_spec(), settings)
    assert res.status == "loaded", res.status


def reload(path: Path, dbp: Path, settings) -> None:
    with db.session(dbp) as con:
        survey.load(con, path, survey.load_spec(), settings)


def bare_answers(con) -> None:
    con.execute("SELECT batch_id, resp_no, item, score FROM survey_answers WHERE score IS NOT NULL").df()


def main() -> None:
    settings = load_settings()
    with tempfile.TemporaryDirectory(prefix="bench-survey-") as tmp:
        path = Path(tmp) / "pcsi.csv"
        df = _pcsi_frame(2025, N, np.random.default_rng(1), 2025)
        df.to_csv(path, index=False, encoding="cp949")
        dbp = Path(tmp) / "bench.duckdb"

        def read() -> None:
            pd.read_csv(path, encoding="cp949")

        load = alternate(read, lambda: load_fresh(path, dbp, settings))
        again = alternate(read, lambda: reload(path, dbp, settings))
        import scipy.stats  # noqa: F401 - a one-off import, not part of the page's work

        opts = pcsi.options_from(settings)
        with db.session(dbp) as con:
            out = pcsi.summary(con, 2025, "PCSI", pcsi.NO_FILTER, opts)
            summ = alternate(
                lambda: bare_answers(con), lambda: pcsi.summary(con, 2025, "PCSI", pcsi.NO_FILTER, opts)
            )
        megabytes = path.stat().st_size / 1e6
    print(f"file: {N:,} respondents, {megabytes:.1f} MB CP949; index {out['index']:.2f}")
    print(
        f"load         {load.ratio:5.1f} × pandas.read_csv ({load.measured:.2f} s vs {load.baseline:.2f} s; "
        f"rounds {load.rounds_text()})"
    )
    print(
        f"reload       {again.ratio:5.1f} × pandas.read_csv (nothing written; {again.measured:.2f} s; "
        f"rounds {again.rounds_text()})"
    )
    print(
        f"page summary {summ.ratio:5.1f} × the bare read of the scored answers ({summ.measured:.3f} s vs "
        f"{summ.baseline:.3f} s; rounds {summ.rounds_text()})"
    )
    size = f"{N:,} respondents"
    record(
        f"survey: load CP949 CSV ({size})",
        load.measured,
        load.baseline,
        load.ratio,
        "-",
        None,
        baseline_name="pandas.read_csv",
    )
    record(
        f"survey: reload, nothing new ({size})",
        again.measured,
        again.baseline,
        again.ratio,
        "-",
        None,
        baseline_name="pandas.read_csv",
    )
    record(
        f"survey: PCSI page summary ({size})",
        summ.measured,
        summ.baseline,
        summ.ratio,
        "-",
        None,
        baseline_name="bare read of the answers",
    )


if __name__ == "__main__":
    main()
