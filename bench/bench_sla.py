"""SLA engine on 1,000,000 items: ccm.sla.compute / open_status vs. numpy passes over the same arrays.

Baselines, measured in the same run and alternating with the measured side (medians of at least 3 rounds):
- `naive`: calendar-time SLA — datetime arrays to int, completed − received, compare with N × 24 h;
- `busday`: numpy's own business-day count with the holiday list (np.busday_count), no hours.
Reported as ratios (compute time / baseline time) so the figures survive a slower or faster machine.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd

from bench.common import QUICK, alternate, record
from ccm import sla
from ccm.calendar import BusinessCalendar
from ccm.settings import load_settings

N = 100_000 if QUICK else 1_000_000
TYPES = np.array(["문의", "불만", "칭찬", "건의", "유실물신고", "긴급요청", "고충"])


def make_items(n: int = N, seed: int = 1) -> tuple[pd.Series, pd.Series, pd.Series]:
    rng = np.random.default_rng(seed)
    received = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 3 * 365 * 86400, n), unit="s")
    completed = pd.Series(
        received + pd.to_timedelta(rng.exponential(2 * 86400, n).astype(np.int64), unit="s")
    )
    completed[rng.random(n) < 0.05] = pd.NaT  # open items
    return pd.Series(received), completed, pd.Series(rng.choice(TYPES, n))


def naive(received: pd.Series, completed: pd.Series, kinds: pd.Series) -> np.ndarray:
    days = kinds.map({t: i % 3 + 1 for i, t in enumerate(TYPES)}).to_numpy()
    rec = received.to_numpy(dtype="datetime64[s]").astype(np.int64)
    done = completed.to_numpy(dtype="datetime64[s]")
    open_ = np.isnat(done)
    return np.where(open_, False, done.astype(np.int64) - rec <= days * 86400)


def busday(received: pd.Series, completed: pd.Series, holidays: np.ndarray) -> np.ndarray:
    done = completed.fillna(received).to_numpy(dtype="datetime64[D]")
    return np.busday_count(received.to_numpy(dtype="datetime64[D]"), done, holidays=holidays)


def main() -> None:
    settings = load_settings()
    cal = BusinessCalendar.from_settings(settings)
    holidays = np.array(
        [np.datetime64(d) for d, _, _ in cal.holidays_between("2022-01-01", "2027-12-31")],
        dtype="datetime64[D]",
    )
    received, completed, kinds = make_items()
    sla.compute(received.head(1000), completed.head(1000), kinds.head(1000), settings)  # warm the cache

    def compute():
        return sla.compute(received, completed, kinds, settings)

    vs_naive = alternate(lambda: naive(received, completed, kinds), compute)
    vs_busday = alternate(lambda: busday(received, completed, holidays), compute)
    out = compute()
    status = alternate(
        lambda: naive(received, completed, kinds),
        lambda: sla.open_status(
            out["due_at"],
            out["clock_start"],
            out["deadline_minutes"],
            pd.Timestamp("2025-12-31 10:00"),
            settings,
        ),
    )
    tracemalloc.start()
    compute()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    print(f"items: {N:,}")
    print(
        f"sla.compute: {vs_naive.ratio:.1f}× naive calendar-time SLA ({vs_naive.measured:.3f} s vs "
        f"{vs_naive.baseline:.3f} s), {vs_busday.ratio:.1f}× np.busday_count ({vs_busday.baseline:.3f} s)"
    )
    print(f"sla.open_status: {status.ratio:.1f}× naive ({status.measured:.3f} s)")
    print(f"sla.compute peak traced memory: {peak / 2**20:.0f} MiB")
    size = f"{N:,} items"
    record(
        f"sla: compute deadlines ({size})",
        vs_naive.measured,
        vs_naive.baseline,
        vs_naive.ratio,
        "-",
        None,
        baseline_name="naive calendar time",
    )
    record(
        f"sla: compute vs busday_count ({size})",
        vs_busday.measured,
        vs_busday.baseline,
        vs_busday.ratio,
        "-",
        None,
        baseline_name="np.busday_count",
    )
    record(
        f"sla: open items' status ({size})",
        status.measured,
        status.baseline,
        status.ratio,
        "-",
        None,
        baseline_name="naive calendar time",
    )


if __name__ == "__main__":
    main()
