"""VOC loader on a 1,000,000-row CP949 export with realistic messiness.

Baseline, measured in the same run on the same file: a bare `pandas.read_csv(path, encoding="cp949")`.
Each side runs in its own child process so its peak memory is its own; BENCH_ROUNDS (default 3)
alternating pairs are run. Reported: median loader wall time ÷ median baseline wall time (target ≤ 3),
the loader's peak memory (target ≤ 2 GB), and the enrichment stage (ccm.text.enrich, last round,
BENCH_ENRICH=0 to skip) timed separately from the load, as a ratio to the same baseline (its seconds beside).
BENCH_QUICK=1: 50,000 rows.

    python -m bench.bench_voc_load [ROWS]
"""

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench.common import QUICK, peak_mb, record

N = 50_000 if QUICK else 1_000_000
SEED = 7
HEADER = [
    "번호",
    "접수번호",
    "등록일",
    "접수채널",
    "유형",
    "시설명",
    "담당부서",
    "민원인",
    "연락처",
    "제목",
    "내용",
    "진행상태",
    "답변일시",
    "처리내용",
    "이용금액",
]


def generate(path: Path, n: int = N, seed: int = SEED) -> None:
    """A CP949 export: title row (Excel style, trailing commas), mixed date formats, aliases,
    trailing spaces, quoted thousands, embedded newlines, duplicates, open items, bad rows, personal data.
    Timestamps, free text, phones and names are (nearly) unique per row, as in a real export."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from etl.demo_voc import TEXTS

    rng = np.random.default_rng(seed)
    # every row its own receipt second (a real export's timestamps barely repeat), in one of four forms
    rec = pd.Series(
        pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 3 * 365 * 86400, n), unit="s")
    )
    done_ts = rec + pd.to_timedelta(rng.exponential(30 * 3600, n), unit="s").round("s")
    fmt = rng.choice(4, n, p=[0.6, 0.2, 0.12, 0.08])
    received = np.empty(n, dtype=object)
    for k, form in enumerate(["%Y.%m.%d %H:%M:%S", "%Y-%m-%d %H:%M", None, "%Y-%m-%d"]):
        r = rec[fmt == k]
        if form is None:  # 2024/3/5 오후 2:22:00
            ampm = np.where(r.dt.hour < 12, "오전", "오후")
            received[fmt == k] = (
                r.dt.strftime("%Y/%-m/%-d ")
                + ampm
                + " "
                + ((r.dt.hour + 11) % 12 + 1).astype(str)
                + r.dt.strftime(":%M:%S")
            ).to_numpy(dtype=object)
        else:
            received[fmt == k] = r.dt.strftime(form).to_numpy(dtype=object)
    done = done_ts.dt.strftime("%Y.%m.%d %H:%M:%S").to_numpy(dtype=object)
    open_ = rng.random(n) < 0.05
    done[open_] = ""
    bad = rng.random(n) < 0.001
    done[bad] = "2000.01.01 09:00:00"  # completion before receipt

    def choose(values, p=None):
        return np.array(values, dtype=object)[rng.choice(len(values), n, p=p)]

    contents = [c.format(f=f) for t in TEXTS.values() for c in t[1] for f in ("모노레일", "캠핑장", "사격장")]
    content = choose(contents)
    # each text its own details (free text is unique in a real export); some with a year (a digit run)
    detail = (
        rng.integers(1, 13, n).astype(str).astype(object)
        + "월 "
        + rng.integers(1, 29, n).astype(str)
        + "일 "
        + rng.integers(9, 19, n).astype(str)
        + "시쯤 일행 "
        + rng.integers(1, 9, n).astype(str)
        + "명 방문."
    )
    content = content + " " + detail
    year = rng.random(n) < 0.1
    content[year] = content[year] + " 2024년에도 이용했습니다."
    nl = rng.random(n) < 0.05
    content[nl] = content[nl] + "\n추가 문의드립니다."
    ph = rng.random(n) < 0.02
    content[ph] = content[ph] + " 연락처 010-" + rng.integers(1000, 9999, ph.sum()).astype(str) + "-5678"
    names = (
        choose(list("김이박최정강조윤장임한오서신권황안송류홍"))
        + choose(list("민서지현준영수경하우"))
        + choose(list("호진희우아연빈석미성"))
    )
    own = rng.random(n) < 0.03  # the customer names themselves in the text
    content[own] = "저는 " + names[own] + "입니다. " + content[own]
    names[rng.random(n) < 0.1] = ""
    titles = [t.format(f="모노레일") + " " for v in TEXTS.values() for t in v[0]]
    ids = np.char.add("V", np.arange(n).astype(str)).astype(object)
    dup = rng.random(n) < 0.01
    ids[dup] = ids[np.maximum(np.flatnonzero(dup) - 1, 0)]
    status = np.where(open_, choose(["진행중", "접수완료"]), "처리완료")
    cols = {
        "번호": np.arange(1, n + 1).astype(str),
        "접수번호": ids,
        "등록일": received,
        "접수채널": choose(["전화", "고객의 소리", "홈페이지", "방문", "SNS", "국민신문고", "앱"]),
        "유형": choose(
            ["불편사항", "질의", "칭찬", "제안", "분실물", "긴급", "고충민원", "기타"],
            p=[0.38, 0.3, 0.1, 0.12, 0.05, 0.02, 0.0295, 0.0005],
        ),
        "시설명": choose(
            ["모노레일", "레일바이크", "사격장", "어드벤처파크", "미로공원", "캠핑장", "휴양림", "직판장"]
        ),
        "담당부서": choose(["", "단산시설팀", "관광사업팀", "고객홍보팀"]),
        "민원인": names,
        "연락처": np.char.add("010-", rng.integers(10_000_000, 99_999_999, n).astype(str)).astype(object),
        "제목": choose(titles),
        "내용": content,
        "진행상태": status,
        "답변일시": done,
        "처리내용": choose(["안내드렸습니다.", "조치 완료하였습니다.", ""]),
        "이용금액": np.char.add(rng.integers(1, 99, n).astype(str), ",000").astype(object),
    }
    buf = io.BytesIO()
    pacsv.write_csv(
        pa.table({k: pa.array(v, pa.string()) for k, v in cols.items()}),
        buf,
        pacsv.WriteOptions(include_header=True, quoting_style="needed"),
    )
    text = buf.getvalue().decode("utf-8")
    del buf
    title = "고객의 소리 접수 현황 (벤치마크)" + "," * (len(HEADER) - 1) + "\n"
    with open(path, "w", encoding="cp949", newline="") as fh:
        fh.write(title)
        fh.write(text)


def child(kind: str, path: str, db: str) -> None:
    t0 = time.perf_counter()
    out: dict = {}
    if kind == "baseline":
        df = pd.read_csv(path, encoding="cp949")
        out["rows"] = len(df)
    else:
        from ccm import db as ccm_db
        from ccm import text
        from ccm.settings import load_settings
        from etl import voc

        settings = load_settings()
        report = voc.load(db, [path], settings, rejects_dir=Path(db).parent, enrich=False, keep_rows=False)
        b = report.batches[0]
        out.update(rows=b.rows_read, inserted=b.inserted, rejected=b.rejected, stages=report.timings)
        out["wall"] = time.perf_counter() - t0
        out["maxrss_mb"] = peak_mb()  # the loader's own peak, before enrichment runs in this process
        if os.environ.get("BENCH_ENRICH", "1") == "1":
            t1 = time.perf_counter()
            with ccm_db.session(db) as con:
                out["enriched"] = text.enrich(con, settings)
            out["enrich"] = time.perf_counter() - t1
            out["enrich_maxrss_mb"] = peak_mb()
    out.setdefault("wall", time.perf_counter() - t0)
    out.setdefault("maxrss_mb", peak_mb())
    print(json.dumps(out, ensure_ascii=False))


def run_child(kind: str, path: Path, db: Path, enrich: bool = False) -> dict:
    for f in (db, db.with_name(db.name + ".wal")):
        f.unlink(missing_ok=True)  # every load starts from an empty database
    res = subprocess.run(
        [sys.executable, "-m", "bench.bench_voc_load", "--child", kind, str(path), str(db)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
        env={
            **os.environ,
            "CCM_SECRET_KEY_FILE": str(db.parent / "secret.key"),
            "BENCH_ENRICH": "1" if enrich else "0",
        },
    )
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(n: int) -> None:
    rounds = max(1, int(os.environ.get("BENCH_ROUNDS", "3")))
    enrich = os.environ.get("BENCH_ENRICH", "1") == "1"
    with tempfile.TemporaryDirectory(prefix="ccm-bench-voc-") as tmp:
        path, db = Path(tmp) / "voc_1m_cp949.csv", Path(tmp) / "bench.duckdb"
        t0 = time.perf_counter()
        generate(path, n)
        print(
            f"생성: {n:,}행 CP949 {path.stat().st_size / 1e6:.0f} MB, {time.perf_counter() - t0:.1f}초",
            flush=True,
        )
        bases, loads = [], []
        for r in range(rounds):  # alternated, so a busy moment of the machine touches both sides
            bases.append(run_child("baseline", path, db))
            loads.append(run_child("load", path, db, enrich=enrich and r == rounds - 1))
            print(
                f"  {r + 1}회: 기준 {bases[-1]['wall']:.2f}초 · 적재 {loads[-1]['wall']:.2f}초 "
                f"= {loads[-1]['wall'] / bases[-1]['wall']:.2f}배",
                flush=True,
            )
        base_s = statistics.median(b["wall"] for b in bases)
        load_s = statistics.median(x["wall"] for x in loads)
        load = loads[-1]
        peak = max(x["maxrss_mb"] for x in loads)
        print(
            f"기준 pandas.read_csv(cp949): {base_s:.2f}초(중앙값), 최대 메모리 {bases[-1]['maxrss_mb']:.0f} MB"
        )
        print(
            f"적재(읽기→검증→저장): {load_s:.2f}초(중앙값) = 기준의 {load_s / base_s:.2f}배 (목표 ≤ 3), "
            f"최대 메모리 {peak:.0f} MB (목표 ≤ 2048)"
        )
        print("  단계(마지막 회): " + " · ".join(f"{k} {v:.2f}초" for k, v in load["stages"].items()))
        print(f"  추가 {load['inserted']:,} · 오류 {load['rejected']:,}")
        if "enrich" in load:
            print(
                f"키워드·주제 분석(별도): 기준의 {load['enrich'] / base_s:.2f}배 ({load['enrich']:.2f}초, "
                f"{load['enriched']:,}건), 최대 메모리(적재 포함) {load['enrich_maxrss_mb']:.0f} MB"
            )
    rows = f"{n:,} rows"
    record(
        f"voc_load: load CP949 export ({rows})",
        load_s,
        base_s,
        load_s / base_s,
        "≤ 3×",
        load_s / base_s <= 3,
        baseline_name="pandas.read_csv",
    )
    base_mb = bases[-1]["maxrss_mb"]
    record(
        f"voc_load: loader peak memory ({rows})",
        peak,
        base_mb,
        peak / base_mb,
        "≤ 2048 MB",
        peak <= 2048,
        unit="MB",
        baseline_name="pandas.read_csv",
    )
    if "enrich" in load:
        record(
            f"voc_load: keyword analysis after the load ({rows})",
            load["enrich"],
            base_s,
            load["enrich"] / base_s,
            "-",
            None,
            baseline_name="pandas.read_csv",
        )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(*sys.argv[2:5])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else N)
