"""What every benchmark shares: alternating timed rounds, medians, and one result line per figure that
`python -m bench` collects into its summary table.

A result is printed as `BENCH_RESULT {json}` on stdout: name, measured and baseline (with their unit),
ratio (measured ÷ baseline, or as the benchmark defines it), target (text, e.g. "≤ 3×") and passed.
BENCH_QUICK=1 (`python -m bench --quick`) asks each benchmark for its small sizes; BENCH_ROUNDS sets the
number of alternating rounds (at least 3).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MARKER = "BENCH_RESULT "
QUICK = os.environ.get("BENCH_QUICK") == "1"
ROUNDS = max(3, int(os.environ.get("BENCH_ROUNDS", "3")))


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


@dataclass(frozen=True)
class Pair:
    """Medians of alternating rounds; ratio = median of the rounds' measured ÷ baseline."""

    baseline: float
    measured: float
    ratio: float
    rounds: tuple[tuple[float, float], ...]

    def rounds_text(self) -> str:
        return ", ".join(f"{m / b:.2f}" for b, m in self.rounds)


def alternate(
    baseline: Callable[[], Any],
    measured: Callable[[], Any],
    rounds: int = ROUNDS,
    *,
    baseline_repeat: int = 1,
) -> Pair:
    """Baseline and measured side timed one after the other, `rounds` times, so that a busy moment of
    the machine touches both sides. A baseline of a few milliseconds runs `baseline_repeat` times per
    round and counts its mean, so that it is stable."""

    def base() -> float:
        return timed(lambda: [baseline() for _ in range(baseline_repeat)])[0] / baseline_repeat

    pairs = tuple((base(), timed(measured)[0]) for _ in range(max(3, rounds)))
    return Pair(
        statistics.median(b for b, _ in pairs),
        statistics.median(m for _, m in pairs),
        statistics.median(m / b for b, m in pairs),
        pairs,
    )


def record(
    name: str,
    measured: float,
    baseline: float,
    ratio: float,
    target: str,
    passed: bool | None,
    unit: str = "s",
    baseline_name: str = "",
) -> None:
    """One line for the summary table of `python -m bench`."""
    print(
        MARKER
        + json.dumps(
            {
                "name": name,
                "measured": measured,
                "baseline": baseline,
                "unit": unit,
                "baseline_name": baseline_name,
                "ratio": ratio,
                "target": target,
                "passed": passed,
            },
            ensure_ascii=False,
        ),
        flush=True,
    )


def peak_mb(pid: int | str = "self") -> float:
    """A process's peak resident memory so far, in MB. Linux: VmHWM, which starts afresh at exec
    (ru_maxrss would also count the parent's peak from before the exec); elsewhere this process's
    ru_maxrss, or nan for another process."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        if pid != "self":
            return float("nan")
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
