"""make bench: runs every bench/bench_*.py in its own process (so peak memory is its own), then prints
one summary table of the figures they reported (bench/common.py: record).

    python -m bench                  # every benchmark, full sizes
    python -m bench --quick          # small sizes (a smoke run: figures are not the documented ones)
    python -m bench kpi survey       # only the benchmarks whose name contains one of the words
    python -m bench --markdown       # the summary as a Markdown table (for docs/performance.md)

Each benchmark prints its own details; each figure is a ratio against a baseline measured in the same
run, under the same conditions, as medians of at least 3 alternating rounds. Exit status 1 if a benchmark
did not finish, or (full sizes only) a figure missed its target.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

from bench.common import MARKER

HERE = Path(__file__).resolve().parent
COLUMNS = ("benchmark", "measured", "baseline", "ratio", "target", "result")


def run(name: str, quick: bool) -> tuple[int, list[dict]]:
    """Run one benchmark, echoing its output; return its exit code and the results it recorded."""
    env = {**os.environ, "BENCH_QUICK": "1" if quick else os.environ.get("BENCH_QUICK", "0")}
    proc = subprocess.Popen(
        [sys.executable, "-m", f"bench.{name}"],
        cwd=HERE.parent,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        bufsize=1,
    )
    results = []
    for line in proc.stdout:
        if line.startswith(MARKER):
            results.append(json.loads(line[len(MARKER) :]))
        else:
            print(line, end="", flush=True)
    return proc.wait(), results


def _figure(value: float, unit: str) -> str:
    if unit == "s":
        return (
            f"{value * 1000:.1f} ms" if value < 0.1 else f"{value:.2f} s" if value < 10 else f"{value:.1f} s"
        )
    return f"{value:,.0f} {unit}" if abs(value) >= 100 else f"{value:.2f} {unit}"


def _width(text: str) -> int:
    """Columns a terminal gives the text (Hangul takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(results: list[dict], markdown: bool = False) -> str:
    rows = [COLUMNS] + [
        (
            r["name"],
            _figure(r["measured"], r["unit"]),
            _figure(r["baseline"], r["unit"]) + (f" ({r['baseline_name']})" if r["baseline_name"] else ""),
            f"{r['ratio']:.2f}×",
            r["target"],
            {True: "pass", False: "FAIL", None: "-"}[r["passed"]],
        )
        for r in results
    ]
    if markdown:
        lines = ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join([lines[0], "|" + "---|" * len(COLUMNS), *lines[1:]])
    widths = [max(_width(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(_pad(c, w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join([lines[0], "  ".join("-" * w for w in widths), *lines[1:]])


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    words = [a for a in argv if not a.startswith("--")]
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if words:
        names = [n for n in names if any(w in n for w in words)]
    crashed, results = [], []
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        code, found = run(name, quick)
        results += found
        if code != 0 and not any(r["passed"] is False for r in found):
            crashed.append(name)
    print(f"\n=== summary{' (--quick: small sizes, targets are for the full sizes)' if quick else ''} ===")
    print(table(results, markdown="--markdown" in argv))
    if crashed:
        print("benchmarks that did not finish: " + ", ".join(crashed))
    missed = not quick and any(r["passed"] is False for r in results)
    return 1 if crashed or missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
