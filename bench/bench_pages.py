"""The SLA and trends pages' queries on 1,000,000 VOC rows next to 10,000 rows, and the keyword
analysis's change detection on 1,000,000 items.

Rows (and keyword/topic tables) are generated directly into DuckDB files with vectorised SQL. A page's
time is the queries it runs on first view as the app runs them today: each through `ui.data.connection()`
(a cursor on the process's pooled connection), for a month and a year scope. Baseline, under the same
conditions and alternating with the page (medians of at least 3 rounds): one full scan of the items
(`SELECT voc_type, count(*) FROM voc GROUP BY 1`, mean of 5 per round) on a cursor of the same pooled
connection. The pool is held open for the whole run (as while sessions are active), so neither side pays for opening the file.
Target: ≤ 1 s per page at 1M rows (its ratio to the scan beside it).

Change detection: `ccm.text.enrich` with nothing changed, and re-tagging after a topic dictionary edit
(no analysis), on the 1M items, as ratios to the same scan. Enrichment throughput against bare Kiwi is
bench_text's.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from bench.common import QUICK, alternate, record, timed
from ccm import db, text
from ccm import voc_analytics as va
from ccm.period import period
from ccm.settings import load_settings

SIZES = [2_000, 20_000] if QUICK else [10_000, 1_000_000]
SCAN = "SELECT voc_type, count(*) FROM voc GROUP BY 1"
NOW = datetime(2026, 11, 25, 10, 0)
TYPES = ["문의", "불만", "칭찬", "건의", "유실물신고", "긴급요청", "고충"]
DEADLINES = [480, 960, 960, 1440, 960, 480, 3360]
CHANNELS = ["홈페이지", "대표전화", "부서전화", "방문", "서신", "고객의소리 접수대장", "SNS", "외부기관 이관"]
WORDS = [
    "주차",
    "주차장",
    "요금",
    "환불",
    "직원",
    "친절",
    "화장실",
    "청소",
    "안전",
    "대기",
    "예약",
    "취소",
    "고장",
    "모노레일",
    "자전거",
    "캠핑",
    "휴양림",
    "매표소",
    "할인",
    "결제",
    "안내",
    "시간",
    "주말",
    "아이",
    "가족",
]


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
    return [
        (va.compliance_summary, scope),
        (va.open_items, scope, NOW, settings, True),
        (va.compliance_by, scope, "voc_type"),
        (va.processing_time_by_type, scope),
        (va.processing_time_distribution, scope),
        (va.monthly_compliance, scope),
    ]


def trends_calls(scope, settings) -> list[tuple]:
    """The queries the trends page runs on first view."""
    return [
        (va.compliance_summary, scope),
        (va.monthly_counts, scope, "voc_type"),
        (va.year_over_year, scope),
        (va.seasonality, scope),
        (va.spikes, scope, settings),
        (va.keyword_changes, scope, settings),
        (va.topic_counts, scope),
        (va.topic_trends, scope, None),
        (va.topics_by_facility, scope),
        (va.prevention_matrix, scope, settings, False),
        (va.recurrences, scope, settings),
        (va.faq_candidates, scope, settings, True),
    ]


def pooled(path: Path) -> ExitStack:
    """ui.data's pooled connection to `path`, held open until the stack closes."""
    from ui import data

    os.environ["CCM_DB"] = str(path)
    stack = ExitStack()
    stack.enter_context(data.connection())
    stack.callback(data.close_pool)
    return stack


def run_as_ui(calls: list[tuple]) -> None:
    """The page's queries as ui.data runs them on a cache miss: each on its own cursor of the pool."""
    from ui import data

    for fn, *args in calls:
        with data.connection() as cur:
            fn(cur, *args)


def scan() -> None:
    from ui import data

    with data.connection() as cur:
        cur.execute(SCAN).fetchall()


def breakdown(calls: list[tuple]) -> list[tuple[str, float]]:
    """Each query's share of the page (one pass, on the pool)."""
    from ui import data

    out = []
    for fn, *args in calls:
        with data.connection() as cur:
            out.append((fn.__name__, timed(lambda fn=fn, cur=cur, args=args: fn(cur, *args))[0]))
    total = sum(t for _, t in out)
    return sorted(((n, t / total) for n, t in out), key=lambda x: -x[1])


PAGES = {"처리기한 준수": sla_calls, "유형별 추이": trends_calls}


def pages(folder: Path, settings) -> None:
    scopes = {"월(2026-10)": period("month", 2026, 10), "연(2025)": period("year", 2025)}
    res: dict = {}
    for n in SIZES:
        path = folder / f"pages_{n}.duckdb"
        t0 = time.perf_counter()
        generate(path, n, settings)
        print(f"{n:>9,} rows generated in {time.perf_counter() - t0:.1f} s", flush=True)
        with pooled(path):
            for label, scope in scopes.items():
                for name, make in PAGES.items():
                    calls = make(scope, settings)
                    run_as_ui(calls)  # warm the OS cache once
                    pair = alternate(scan, lambda calls=calls: run_as_ui(calls), baseline_repeat=5)
                    res[(n, label, name)] = (pair, len(calls))
            if n == SIZES[-1]:
                shares = breakdown(trends_calls(scopes["연(2025)"], settings))
    small, big = SIZES
    print(
        "\npage = its first-view queries, each on a cursor of ui.data's pooled connection; "
        "scan = one full scan on the same pool (medians of alternating rounds)"
    )
    print(
        f"{'page':<8} {'scope':<10} {'n':>2} {f'{small:,} ÷scan':>12} {f'{big:,} ÷scan':>14} {f'{big:,} s':>12} "
        f"{'growth':>7}  target ≤ 1 s"
    )
    for label in scopes:
        for name in PAGES:
            p_small, k = res[(small, label, name)]
            p_big, _ = res[(big, label, name)]
            ok = p_big.measured <= 1.0
            print(
                f"{name:<8} {label:<10} {k:>2} {p_small.ratio:12.1f} {p_big.ratio:14.1f} {p_big.measured:12.3f} "
                f"{p_big.measured / p_small.measured:6.1f}×  {'OK' if ok else 'SLOW'}  rounds {p_big.rounds_text()}"
            )
            record(
                f"pages: {name} {label} ({big:,} rows)",
                p_big.measured,
                p_big.baseline,
                p_big.ratio,
                "≤ 1 s",
                ok,
                baseline_name="full scan",
            )
    print(
        f"slowest queries, 유형별 추이, 연(2025), {big:,} rows (share of the page): "
        + ", ".join(f"{n} {share:.0%}" for n, share in shares[:5])
    )


def change_detection(folder: Path, settings) -> None:
    """enrich with nothing changed, and re-tagging after a topic edit, on the largest generated database."""
    n = SIZES[-1]
    path = folder / f"pages_{n}.duckdb"
    with db.session(path) as con:
        cfg = text.config(settings)  # as a finished enrich leaves it (no boilerplate in these texts)
        con.execute(
            f"""INSERT INTO voc_text_state (voc_id, text_hash, row_sig, bp_sig)
                        SELECT voc_id, md5({text.TEXT_SQL}), {text.SIG_SQL}, ? FROM voc_items""",
            [text._sig(sorted(cfg.manual))],
        )
        con.execute(
            "INSERT INTO text_meta VALUES ('extractor', ?), ('topics', ?), ('analysis', ?), ('boilerplate', ?)",
            [
                text.EXTRACTOR_VERSION,
                text._topics_version(text.topics_of(settings)),
                cfg.analysis_digest,
                cfg.boilerplate_digest,
            ],
        )
        topics = {**settings["text"]["topics"], "교통": ["셔틀", "버스", "교통"]}
        edited = replace(settings, raw={**settings.raw, "text": {**settings["text"], "topics": topics}})

        def scan_() -> None:
            con.execute(SCAN).fetchall()

        same = alternate(scan_, lambda: text.enrich(con, settings), baseline_repeat=5)
        changed = text.enrich(con, settings)
        retag = alternate(
            scan_, lambda: (text.enrich(con, edited), text.enrich(con, settings)), baseline_repeat=5
        )
    print(
        f"\nkeyword analysis on {n:,} items, nothing changed: {same.ratio:.1f} × the scan ({same.measured:.2f} s; "
        f"{changed} analysed)"
    )
    print(
        f"topic dictionary edited → re-tag all, and back (no analysis): {retag.ratio:.1f} × the scan "
        f"({retag.measured:.2f} s)"
    )
    record(
        f"pages: keyword analysis, nothing changed ({n:,} items)",
        same.measured,
        same.baseline,
        same.ratio,
        "-",
        None,
        baseline_name="full scan",
    )
    record(
        f"pages: topic edit, re-tag twice ({n:,} items)",
        retag.measured,
        retag.baseline,
        retag.ratio,
        "-",
        None,
        baseline_name="full scan",
    )


def main() -> int:
    settings = load_settings()
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        folder = Path(tmp)
        pages(folder, settings)
        change_detection(folder, settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
