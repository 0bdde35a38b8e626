"""Keyword/topic enrichment throughput against bare Kiwi tokenisation of the same texts (issue 13).

For texts of about 50, 300 and 1,000 characters (complaint sentences of tests/text_eval drawn at random,
each text distinct), three alternating rounds of:
- baseline: `Kiwi.tokenize` over the same texts (title LF content, as enrich analyses them), on the same
  Kiwi instance (same threads, same dictionary words), every token list consumed;
- enrichment: `ccm.text.enrich_path` on a fresh database holding those texts as VOC items — read the
  pending texts, analyse with the file unlocked, store keywords, word sequences and topics.
Reported: texts/s of both, the ratio enrichment ÷ baseline (target ≥ 0.8, medians of the rounds), and
how long the database lock was held (read + write) against the analysis. Ratios only: the machine's
speed cancels out.

    python -m bench text            (or: make bench)
"""

from __future__ import annotations

import random
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from bench.common import QUICK, ROUNDS, record
from ccm import db, text
from ccm.settings import load_settings

HERE = Path(__file__).resolve().parent
SIZES = {50: 6000, 300: 2000, 1000: 600}  # characters per text → texts per round (a month or two of VOC)
if QUICK:
    SIZES = {50: 300, 1000: 60}
ROUNDS = max(ROUNDS, 3 if QUICK else 5)
TARGET = 0.8


def sentences() -> list[str]:
    """Complaint sentences of the evaluation set (its form labels and signatures left out)."""
    rows = pd.read_csv(
        HERE.parent / "tests" / "text_eval" / "complaints.csv", dtype=str, keep_default_na=False
    )
    out: list[str] = []
    for content in rows["content"]:
        for line in content.split("\n"):
            line = line.split(":", 1)[-1].strip()
            out += [
                s.strip()
                for s in line.replace("? ", "?\n").replace(". ", ".\n").split("\n")
                if len(s.strip()) > 8
            ]
    return sorted(set(out))


def make_texts(pool: list[str], length: int, n: int, rng: random.Random) -> list[tuple[str, str]]:
    """n distinct (title, content) pairs of about `length` characters together."""
    out = []
    for i in range(n):
        title = rng.choice(pool)[:20]
        body: list[str] = []
        while len(title) + sum(len(s) + 1 for s in body) < length - 8:
            body.append(rng.choice(pool))
        content = (" ".join(body))[: max(length - len(title) - 8, 10)] + f" ({i})"
        out.append((title, content))
    return out


def build_db(path: Path, pairs: list[tuple[str, str]]) -> None:
    with db.session(path) as con:
        con.executemany(
            "INSERT INTO voc_items (voc_id, received_at, voc_type, channel, status, title, content, batch_id) "
            "VALUES (?, TIMESTAMP '2025-03-01' + INTERVAL (?) MINUTE, '불만', '홈페이지', '완료', ?, ?, 1)",
            [(f"B{i:06d}", i, t, c) for i, (t, c) in enumerate(pairs)],
        )
        con.execute("CHECKPOINT")


def bare(pairs: list[tuple[str, str]], settings) -> tuple[float, float]:
    """(wall, CPU) seconds of Kiwi alone over the texts."""
    cfg = text.config(settings)
    k = text.kiwi(cfg.workers, cfg.lexicon)
    texts = [f"{t}\n{c}" for t, c in pairs]
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in k.tokenize(texts):
        pass
    return time.perf_counter() - t0, time.process_time() - c0


def enrich(template: Path, folder: Path, settings) -> tuple[float, float, float]:
    """(wall, CPU seconds of enrich_path, seconds it held the database) on a fresh copy of the template."""
    path = folder / "round.duckdb"
    path.unlink(missing_ok=True)
    shutil.copy(template, path)
    held = [0.0]
    real = db.session

    @contextmanager
    def timed(*args, **kwargs):
        t0 = time.perf_counter()
        with real(*args, **kwargs) as con:
            yield con
        held[0] += time.perf_counter() - t0

    db.session = timed
    text._learned_memo.clear()  # each round learns its boilerplate as a new load would
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        text.enrich_path(path, settings)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        db.session = real
    path.unlink()
    return wall, cpu, held[0]


def main() -> int:
    settings = load_settings()
    rng = random.Random(13)
    pool = sentences()
    cfg = text.config(settings)
    list(text.words_of(["모델을 미리 읽어 둡니다"] * 20, cfg))
    print(
        f"Kiwi threads: {text.kiwi(cfg.workers, cfg.lexicon).num_workers}, {ROUNDS} alternating rounds; "
        "ratio = enrichment ÷ Kiwi alone in texts/s (median of the rounds' ratios)"
    )
    print(
        f"{'chars':>6} {'texts':>6} {'Kiwi texts/s':>13} {'enrich texts/s':>15} {'ratio':>6} {'CPU ratio':>10} "
        f"{'lock held':>10}  target ≥ {TARGET}"
    )
    worst = 1.0
    with tempfile.TemporaryDirectory(prefix="bench-text-") as tmp:
        folder = Path(tmp)
        for length, n in SIZES.items():
            pairs = make_texts(pool, length, n, rng)
            template = folder / f"template_{length}.duckdb"
            build_db(template, pairs)
            rounds = []
            for _ in range(ROUNDS):
                rounds.append((*bare(pairs, settings), *enrich(template, folder, settings)))
            bw, _, ew, _, held = (statistics.median(x) for x in zip(*rounds))
            ratio = statistics.median(r[0] / r[2] for r in rounds)
            cpu_ratio = statistics.median(r[1] / r[3] for r in rounds)
            worst = min(worst, ratio)
            mean_len = statistics.mean(len(t) + 1 + len(c) for t, c in pairs)
            print(
                f"{mean_len:6.0f} {n:6,} {n / bw:13,.0f} {n / ew:15,.0f} {ratio:6.2f} {cpu_ratio:10.2f} "
                f"{held / ew:9.0%}  rounds {', '.join(f'{r[0] / r[2]:.2f}' for r in rounds)}",
                flush=True,
            )
            record(
                f"text: enrichment, ~{mean_len:,.0f}-character texts",
                n / ew,
                n / bw,
                ratio,
                f"≥ {TARGET}",
                ratio >= TARGET,
                unit="texts/s",
                baseline_name="Kiwi alone",
            )
    print(f"lowest ratio {worst:.2f} ({'meets' if worst >= TARGET else 'below'} the target {TARGET})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
