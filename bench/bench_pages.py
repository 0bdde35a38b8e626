"""The SLA and trends pages' queries on 1,000,000 VOC rows next to 10,000 rows, and enrich throughput.

Rows (and keyword/topic tables) are generated directly into DuckDB files with vectorised SQL. Each
page's time is the sum of the queries it runs on first view (one short-lived connection per query,
as ui.data does), best of 3, for a month and a year scope. Baseline, measured in the same run: one
full scan of the items (`SELECT voc_type, count(*) FROM voc GROUP BY 1`). Target: ≤ 1 s per page
at 1M rows.

Enrich: kiwipiepy analysis of distinct texts (items/s), how it scales with the number of distinct
texts, and the cost of a re-run where nothing changed (change detection on 1M items).
"""
from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from bench.bench_sla import best_of
from ccm import db, text
from ccm import voc_analytics as va
from ccm.period import period
from ccm.settings import load_settings

SIZES = [10_000, 1_000_000]
NOW = datetime(2026, 11, 25, 10, 0)
TYPES = ["문의", "불만", "칭찬", "건의", "유실물신고", "긴급요청", "고충"]
DEADLINES = [480, 960, 960, 1440, 960, 480, 3360]
CHANNELS = ["홈페이지", "대표전화", "부서전화", "방문", "서신", "고객의소리 접수대장", "SNS", "외부기관 이관"]
WORDS = ["주차", "주차장", "요금", "환불", "직원", "친절", "화장실", "청소", "안전", "대기", "예약", "취소", "고장",
         "모노레일", "자전거", "캠핑", "휴양림", "매표소", "할인", "결제", "안내", "시간", "주말", "아이", "가족"]


def _list(xs: list) -> str:
    return "[" + ", ".join(f"'{x}'" if isinstance(x, str) else str(x) for x in xs) + "]"


def generate(path: Path, n: int, settings) -> None:
    """n items over three years ending at NOW (~0.5% still open), ~5 keywords and 1-2 topics each."""
    facilities = list(settings.facilities)
    depts = [settings.facilities[f] for f in facilities]
    topics = list(text.topics_of(settings)) + [text.NO_TOPIC]
    span = 3 * 365 * 86400
    with db.session(path) as con:
        con.execute(f"""
            CREATE TEMP TABLE g AS
            SELECT i, (hash(i) % 1000000007)::BIGINT AS h, (hash(i * 7 + 3) % 1000000007)::BIGINT AS h2,
                   TIMESTAMP '{NOW:%Y-%m-%d %H:%M}' - INTERVAL (({span} * (1 - i / {n}))::BIGINT) SECOND AS received_at
            FROM range({n}) t(i)""")
        con.execute(f"""
            INSERT INTO voc_items (voc_id, received_at, completed_at, voc_type, channel, department, facility, status,
                                   title, clock_start, due_at, deadline_minutes, work_minutes, sla_met, sla_rule,
                                   source_row, batch_id, updated_batch_id)
            SELECT 'V' || lpad(i::VARCHAR, 8, '0'), received_at,
                   CASE WHEN i >= {n} * 0.995 THEN NULL
                        ELSE received_at + INTERVAL ((h2 % 400000)::BIGINT) SECOND END,
                   {_list(TYPES)}[1 + h % 7], {_list(CHANNELS)}[1 + (h // 7) % 8],
                   {_list(depts)}[1 + (h // 56) % {len(facilities)}], {_list(facilities)}[1 + (h // 56) % {len(facilities)}],
                   CASE WHEN i >= {n} * 0.995 THEN '처리중' ELSE '완료' END,
                   {_list(WORDS)}[1 + (h // 1000) % {len(WORDS)}] || ' 관련 문의',
                   received_at, received_at + INTERVAL ({_list(DEADLINES)}[1 + h % 7] * 3) MINUTE,
                   {_list(DEADLINES)}[1 + h % 7],
                   CASE WHEN i >= {n} * 0.995 THEN NULL ELSE (h2 % 400000) // 60 // 3 END,
                   CASE WHEN i >= {n} * 0.995 THEN NULL ELSE (h2 % 400000) // 60 // 3 <= {_list(DEADLINES)}[1 + h % 7] END,
                   'bench', i, 1, 1
            FROM g""")
        con.execute(f"""
            INSERT INTO voc_keywords (voc_id, keyword, received_at, department)
            SELECT DISTINCT voc_id, {_list(WORDS)}[1 + (hash(source_row * 31 + k) % {len(WORDS)})::BIGINT],
                   received_at, department
            FROM voc_items, range(5) r(k)""")
        con.execute(f"""
            INSERT INTO voc_topics ({text.TOPIC_COLUMNS})
            SELECT DISTINCT voc_id, {_list(topics)}[1 + (hash(source_row * 17 + k) % {len(topics)})::BIGINT],
                   {", ".join(text.ATTR_COLUMNS)}
            FROM voc_items, range(1 + source_row % 2) r(k)""")
        con.execute("CHECKPOINT")


def sla_calls(scope, settings) -> list[tuple]:
    """The queries the SLA page runs on first view."""
    return [(va.compliance_summary, scope), (va.open_items, scope, NOW, settings, True),
            (va.compliance_by, scope, "voc_type"), (va.processing_time_by_type, scope),
            (va.processing_time_distribution, scope), (va.monthly_compliance, scope)]


def trends_calls(scope, settings) -> list[tuple]:
    """The queries the trends page runs on first view."""
    return [(va.compliance_summary, scope), (va.monthly_counts, scope, "voc_type"), (va.year_over_year, scope),
            (va.seasonality, scope), (va.spikes, scope, settings), (va.keyword_changes, scope, settings),
            (va.topic_counts, scope), (va.topic_trends, scope, None), (va.topics_by_facility, scope),
            (va.prevention_matrix, scope, settings, False), (va.recurrences, scope, settings),
            (va.faq_candidates, scope, settings, True)]


def run_queries(path: Path, calls: list[tuple]) -> None:
    """All queries on one connection: the queries' own cost."""
    with db.session(path) as con:
        for fn, *args in calls:
            fn(con, *args)


def run_as_ui(path: Path, calls: list[tuple]) -> None:
    """One short-lived connection per query, as ui.data.run does on a cache miss."""
    for fn, *args in calls:
        with db.session(path) as con:
            fn(con, *args)


def baseline(path: Path) -> None:
    with db.session(path) as con:
        con.execute("SELECT voc_type, count(*) FROM voc GROUP BY 1").fetchall()


def cpu_of(fn) -> float:
    """CPU seconds of this process (all DuckDB threads) for one run: robust to other load on the machine."""
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def breakdown(path: Path, calls: list[tuple]) -> list[tuple[str, float]]:
    out = []
    with db.session(path) as con:
        for fn, *args in calls:
            out.append((fn.__name__, best_of(lambda: fn(con, *args), 2)))
    return sorted(out, key=lambda x: -x[1])


PAGES = {"처리기한 준수": sla_calls, "유형별 추이": trends_calls}


def pages(folder: Path, settings) -> None:
    scopes = {"월(2026-10)": period("month", 2026, 10), "연(2025)": period("year", 2025)}
    res: dict = {}
    for n in SIZES:
        path = folder / f"pages_{n}.duckdb"
        t0 = time.perf_counter()
        generate(path, n, settings)
        print(f"{n:>9,} rows generated in {time.perf_counter() - t0:.1f} s", flush=True)
        res[(n, "scan")] = best_of(lambda: baseline(path))
        for label, scope in scopes.items():
            for name, make in PAGES.items():
                calls = make(scope, settings)
                run_queries(path, calls)  # warm the OS cache once
                res[(n, label, name)] = (best_of(lambda: run_queries(path, calls)),
                                         best_of(lambda: run_as_ui(path, calls)), len(calls),
                                         cpu_of(lambda: run_queries(path, calls)))
    small, big = SIZES
    print(f"\nqueries = the page's queries on one connection; +conn = one connection per query (ui.data, cache miss)")
    print(f"{'page':<8} {'scope':<10} {'n':>2} {'10k s':>6} {'1M s':>6} {'1M/10k':>6} {'1M÷scan':>7} "
          f"{'1M cpu s':>8} {'1M +conn s':>10}  target ≤ 1 s")
    for label in scopes:
        for name in PAGES:
            q_small, _, k, _ = res[(small, label, name)]
            q_big, ui_big, _, cpu = res[(big, label, name)]
            ok = "OK" if q_big <= 1.0 else "SLOW"
            print(f"{name:<8} {label:<10} {k:>2} {q_small:6.3f} {q_big:6.3f} {q_big / q_small:6.1f} "
                  f"{q_big / res[(big, 'scan')]:7.1f} {cpu:8.3f} {ui_big:10.3f}  {ok}")
    print(f"baseline full scan (voc_type counts): 10k {res[(small, 'scan')]:.3f} s, 1M {res[(big, 'scan')]:.3f} s")
    print("slowest queries, 유형별 추이, 연(2025), 1M rows: " + ", ".join(
        f"{n} {t:.3f}" for n, t in breakdown(folder / f"pages_{big}.duckdb", trends_calls(scopes["연(2025)"], settings))[:5]))


def enrich_throughput(folder: Path, settings) -> None:
    t0 = time.perf_counter()
    text.extract_keywords(["모델 준비 문장입니다"] * 50, workers=int(settings["text"].get("workers", 0)))
    print(f"\nkiwipiepy model load + warm-up (once per process): {time.perf_counter() - t0:.1f} s")
    print(f"{'items':>9} {'distinct texts':>15} {'enrich s':>9} {'items/s':>9} {'texts/s':>8}")
    for items, distinct in ((1_000, 1_000), (4_000, 4_000), (100_000, 2_000)):
        path = folder / f"enrich_{items}_{distinct}.duckdb"
        with db.session(path) as con:
            con.execute(f"""
                INSERT INTO voc_items (voc_id, received_at, voc_type, status, title, content, batch_id)
                SELECT 'E' || i, TIMESTAMP '2025-01-01' + INTERVAL (i) MINUTE, '불만', '완료',
                       {_list(WORDS)}[1 + j % {len(WORDS)}] || ' 불편 ' || j,
                       {_list(WORDS)}[1 + (j // 3) % {len(WORDS)}] || '이 너무 불편하고 '
                       || {_list(WORDS)}[1 + (j // 7) % {len(WORDS)}] || ' 개선을 요청합니다 ' || j, 1
                FROM (SELECT i, i % {distinct} AS j FROM range({items}) t(i))""")
            t0 = time.perf_counter()
            text.enrich(con, settings)
            dt = time.perf_counter() - t0
        print(f"{items:>9,} {distinct:>15,} {dt:9.2f} {items / dt:9,.0f} {distinct / dt:8,.0f}", flush=True)
    path = folder / f"pages_{SIZES[-1]}.duckdb"
    with db.session(path) as con:
        cfg = text.config(settings)  # as a finished enrich leaves it (no boilerplate in these texts)
        con.execute(f"""INSERT INTO voc_text_state (voc_id, text_hash, row_sig, bp_sig)
                        SELECT voc_id, md5({text.TEXT_SQL}), {text.SIG_SQL}, ? FROM voc_items""", [text._sig(sorted(cfg.manual))])
        con.execute("INSERT INTO text_meta VALUES ('extractor', ?), ('topics', ?), ('analysis', ?), ('boilerplate', ?)",
                    [text.EXTRACTOR_VERSION, text._topics_version(text.topics_of(settings)), cfg.analysis_digest,
                     cfg.boilerplate_digest])
        t0 = time.perf_counter()
        changed = text.enrich(con, settings)
        print(f"re-run with nothing changed on {SIZES[-1]:,} items: {time.perf_counter() - t0:.2f} s ({changed} analysed)")
        topics = {**settings["text"]["topics"], "교통": ["셔틀", "버스", "교통"]}
        edited = replace(settings, raw={**settings.raw, "text": {**settings["text"], "topics": topics}})
        t0 = time.perf_counter()
        text.enrich(con, edited)
        print(f"topic dictionary edited → re-tag all {SIZES[-1]:,} items (no analysis): {time.perf_counter() - t0:.2f} s")


def main() -> int:
    settings = load_settings()
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        folder = Path(tmp)
        pages(folder, settings)
        if "--no-enrich" not in sys.argv:
            enrich_throughput(folder, replace(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
