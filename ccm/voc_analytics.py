"""VOC analytics: deadline compliance, processing time, open items, trends, keywords, topics,
prevention matrix, recurrence and FAQ candidates.

Every function takes a DuckDB connection first and hashable arguments (they are cached by the pages
and reused by the semiannual report). All figures are read from the stored `voc` view (SLA columns
computed at load time by ccm.sla) and the tables ccm.text fills at load time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import duckdb
import pandas as pd

from ccm.period import UNREGISTERED, Scope
from ccm.settings import Settings

DIMENSIONS = {
    "voc_type": "유형",
    "department": "부서",
    "channel": "채널",
    "facility": "시설",
    "month": "월",
}
_DIM_SQL = {
    "voc_type": "voc_type",
    "department": "coalesce(department, '(미지정)')",
    "channel": "coalesce(channel, '(미지정)')",
    "facility": "coalesce(facility, '(미지정)')",
    "month": "date_trunc('month', received_at)::DATE",
}
NO_TOPIC = "기타"

COMPLIANCE_DEFINITION = (
    "처리기한 준수율 = 기한 내 처리 건수 ÷ 처리 완료 건수(판정 건수). 처리기한은 유형별 업무일 × 8 근무시간"
    "(09:00~18:00, 휴게 1시간, 주말·공휴일 제외)이며 미처리 건은 분모에서 제외합니다."
)


# The one definition of 처리기한 준수율, pooled from items: met ÷ decided over the whole period and scope,
# never a mean of monthly or departmental rates. SQL (`_MET`, `_DECIDED`, `_RATE`) and Python alike.
_MET, _DECIDED = "count(*) FILTER (sla_met)", "count(sla_met)"
_RATE = f"{_MET} / nullif({_DECIDED}, 0)"


def pooled_compliance(met: float, decided: float) -> float | None:
    """처리기한 준수율 as a fraction: items met ÷ items decided (None when nothing was decided). Every
    page, the KPI engine (automatic actual voc_compliance), the ranking and the reports use this."""
    return float(met) / float(decided) if decided else None


def _dim(dim: str) -> str:
    if dim not in _DIM_SQL:
        raise ValueError(f"unknown dimension: {dim}")
    return _DIM_SQL[dim]


def _all_time(scope: Scope) -> Scope:
    """The scope's department filter over all time (open items count whatever their period)."""
    return replace(scope, start=date(1900, 1, 1), end=date(9999, 1, 1))


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> pd.DataFrame:
    return con.execute(sql, params).df()


def _sla_settings_key(settings: Settings) -> float:
    return settings.sla.at_risk_share


# --------------------------------------------------------------------------------------------
# Deadline compliance (처리기한 준수)


def compliance_summary(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict:
    """Received, completed, decided, met and breached counts and compliance (met / decided) for a scope.
    no_time: closed (완료) without a completion time — counted as completed, outside met/breached."""
    where, params = scope.where()
    received, completed, no_time, decided, met = con.execute(
        f"""SELECT count(*), count(*) FILTER (completed_at IS NOT NULL OR status = '완료'),
                   count(*) FILTER (completed_at IS NULL AND status = '완료'), {_DECIDED}, {_MET}
            FROM voc WHERE {where}""",
        params,
    ).fetchone()
    return {
        "received": received,
        "completed": completed,
        "no_time": no_time,
        "decided": decided,
        "met": met,
        "breached": decided - met,
        "compliance": pooled_compliance(met, decided),
    }


def compliance_by(con: duckdb.DuckDBPyConnection, scope: Scope, dim: str) -> pd.DataFrame:
    """Compliance per value of `dim` (voc_type, department, channel, facility or month).

    Columns: <dim>, received, decided, met, breached, compliance (met / decided; NaN when nothing decided).
    """
    where, params = scope.where()
    return _df(
        con,
        f"""SELECT {_dim(dim)} AS {dim}, count(*) AS received, {_DECIDED} AS decided,
                   {_MET} AS met, count(*) FILTER (NOT sla_met) AS breached,
                   count(*) FILTER (completed_at IS NULL AND status = '완료') AS no_time,
                   {_RATE} AS compliance
            FROM voc WHERE {where} GROUP BY ALL ORDER BY {dim}""",
        params,
    )


def processing_time_by_type(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Working hours from clock start to completion per type, for completed items of the scope.

    Columns: voc_type, completed, median_hours, p90_hours, mean_hours, deadline_hours (the deadline
    most items of the type had), median_share (median ÷ deadline).
    P90 is the continuous 90th percentile (linear interpolation).
    """
    where, params = scope.where()
    return _df(
        con,
        f"""SELECT voc_type, count(*) AS completed,
                   median(work_minutes) / 60.0 AS median_hours,
                   quantile_cont(work_minutes, 0.9) / 60.0 AS p90_hours,
                   avg(work_minutes) / 60.0 AS mean_hours,
                   mode(deadline_minutes) / 60.0 AS deadline_hours,
                   median(work_minutes) / nullif(mode(deadline_minutes), 0) AS median_share
            FROM voc WHERE {where} AND work_minutes IS NOT NULL
            GROUP BY voc_type ORDER BY voc_type""",
        params,
    )


SHARE_BINS = [
    (0.0, 0.25, "25% 이하"),
    (0.25, 0.5, "25~50%"),
    (0.5, 0.75, "50~75%"),
    (0.75, 1.0, "75~100%"),
    (1.0, 1.5, "100~150%"),
    (1.5, 2.0, "150~200%"),
    (2.0, None, "200% 초과"),
]


def processing_time_distribution(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Completed items by type and by processing time as a share of their deadline (처리시간 ÷ 처리기한).

    Buckets are right-closed: (0.25, 0.5] is '25~50%'; a share of exactly 100% is still on time.
    Columns: voc_type, bucket, bucket_order, items.
    """
    where, params = scope.where()
    cases = " ".join(
        f"WHEN share <= {hi} THEN {i}" for i, (_, hi, _) in enumerate(SHARE_BINS) if hi is not None
    )
    df = _df(
        con,
        f"""WITH s AS (SELECT voc_type, work_minutes / deadline_minutes AS share
                       FROM voc WHERE {where} AND work_minutes IS NOT NULL AND deadline_minutes > 0)
            SELECT voc_type, CASE {cases} ELSE {len(SHARE_BINS) - 1} END AS bucket_order, count(*) AS items
            FROM s GROUP BY ALL ORDER BY voc_type, bucket_order""",
        params,
    )
    df["bucket"] = df["bucket_order"].map(lambda i: SHARE_BINS[int(i)][2])
    return df[["voc_type", "bucket", "bucket_order", "items"]]


def monthly_compliance(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Per month of receipt: received, decided, met, compliance and median working hours."""
    where, params = scope.where()
    return _df(
        con,
        f"""SELECT date_trunc('month', received_at)::DATE AS month, count(*) AS received,
                   {_DECIDED} AS decided, {_MET} AS met, {_RATE} AS compliance,
                   median(work_minutes) / 60.0 AS median_hours
            FROM voc WHERE {where} GROUP BY ALL ORDER BY month""",
        params,
    )


# --------------------------------------------------------------------------------------------
# Open items now (미처리: 기한 초과 / 임박)


def open_items(
    con: duckdb.DuckDBPyConnection, scope: Scope, now: datetime, settings: Settings, with_text: bool = False
) -> pd.DataFrame:
    """Items still open now for the scope's departments (whatever their period), most urgent first.

    remaining_hours: working hours until due (negative = overdue by that many working hours).
    state: 기한 초과 (overdue), 임박 (at risk: less than settings.sla.at_risk_share of the deadline
    left) or 진행 중. Titles only when `with_text`.
    """
    from ccm import sla

    where, params = _all_time(scope).where()
    text = ", title" if with_text else ""
    df = _df(
        con,
        f"""SELECT voc_id, received_at, voc_type, department, facility, channel, status,
                   clock_start, due_at, deadline_minutes{text}
            FROM voc WHERE completed_at IS NULL AND status <> '완료' AND {where}""",
        params,
    )
    if df.empty:
        return df.assign(
            remaining_hours=pd.Series(dtype=float),
            overdue=pd.Series(dtype=bool),
            at_risk=pd.Series(dtype=bool),
            state=pd.Series(dtype=str),
        )
    status = sla.open_status(df["due_at"], df["clock_start"], df["deadline_minutes"], now, settings)
    df["remaining_hours"] = pd.to_numeric(status["remaining_minutes"], errors="coerce") / 60.0
    df["overdue"] = status["overdue"].fillna(False).astype(bool).to_numpy()
    df["at_risk"] = status["at_risk"].fillna(False).astype(bool).to_numpy()
    df["state"] = "진행 중"
    df.loc[df["at_risk"], "state"] = "임박"
    df.loc[df["overdue"], "state"] = "기한 초과"
    return df.sort_values(["remaining_hours", "received_at", "voc_id"], na_position="last").reset_index(
        drop=True
    )


def open_counts(con: duckdb.DuckDBPyConnection, scope: Scope, now: datetime, settings: Settings) -> dict:
    """Open, overdue and at-risk counts now for the scope's departments (the overview badge)."""
    df = open_items(con, scope, now, settings)
    return {"open": len(df), "overdue": int(df["overdue"].sum()), "at_risk": int(df["at_risk"].sum())}


def item_lookup(con: duckdb.DuckDBPyConnection, scope: Scope, voc_id: str) -> dict | None:
    """One item (within the scope's departments, any period) with the fields `ccm.sla.explain` needs."""
    where, params = _all_time(scope).where()
    row = _df(
        con,
        f"""SELECT voc_id, received_at, completed_at, voc_type, department, facility, channel, status,
                   clock_start, due_at, deadline_minutes, work_minutes, sla_met, sla_rule
            FROM voc WHERE voc_id = ? AND {where}""",
        [voc_id, *params],
    )
    return None if row.empty else row.iloc[0].to_dict()


def explain_item(
    con: duckdb.DuckDBPyConnection, scope: Scope, voc_id: str, settings: Settings, now: datetime
) -> dict | None:
    """Why an item's deadline is what it is: ccm.sla.explain on the stored item, plus the stored figures."""
    from ccm import sla

    item = item_lookup(con, scope, voc_id)
    if item is None:
        return None
    completed = item["completed_at"]
    completed = None if completed is None or pd.isna(completed) else completed
    result = sla.explain(item["received_at"], completed, item["voc_type"], settings, now)
    return {"item": item, "explain": result}


# --------------------------------------------------------------------------------------------
# Trends (유형별 추이)


def monthly_counts(con: duckdb.DuckDBPyConnection, scope: Scope, dim: str) -> pd.DataFrame:
    """Items received per month and per value of `dim`. Columns: month, <dim>, items."""
    where, params = scope.where()
    return _df(
        con,
        f"""SELECT date_trunc('month', received_at)::DATE AS month, {_dim(dim)} AS {dim}, count(*) AS items
            FROM voc WHERE {where} GROUP BY ALL ORDER BY month, {dim}""",
        params,
    )


def year_over_year(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Per month of the scope: items received, items in the same month a year earlier, change and
    change rate. Months without items count as 0. Columns: month, items, last_year, change, change_rate."""
    last = scope.last_year()
    where, params = replace(scope, start=last.start).where()
    df = _df(
        con,
        f"""WITH m AS (SELECT date_trunc('month', received_at)::DATE AS month, count(*) AS items
                       FROM voc WHERE {where} GROUP BY ALL),
                 grid AS (SELECT g::DATE AS month
                          FROM generate_series(date_trunc('month', ?::DATE), ?::DATE - INTERVAL 1 DAY,
                                               INTERVAL 1 MONTH) t(g))
            SELECT grid.month, coalesce(cur.items, 0) AS items, coalesce(prev.items, 0) AS last_year
            FROM grid LEFT JOIN m cur ON cur.month = grid.month
                      LEFT JOIN m prev ON prev.month = grid.month - INTERVAL 1 YEAR
            ORDER BY grid.month""",
        [*params, scope.start, scope.end],
    )
    df["change"] = df["items"] - df["last_year"]
    df["change_rate"] = df["change"] / df["last_year"].where(df["last_year"] > 0)
    return df


def seasonality(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Items per calendar month for every year in the database (scope's departments only), so that
    years can be laid over each other. Columns: year, month (1-12), items, share_of_year."""
    where, params = _all_time(scope).where()
    return _df(
        con,
        f"""WITH m AS (SELECT year(received_at) AS year, month(received_at) AS month, count(*) AS items
                       FROM voc WHERE {where} GROUP BY ALL)
            SELECT year, month, items, items / sum(items) OVER (PARTITION BY year) AS share_of_year
            FROM m ORDER BY year, month""",
        params,
    )


def spikes(con: duckdb.DuckDBPyConnection, scope: Scope, settings: Settings) -> pd.DataFrame:
    """Facility × type months of the scope whose count is unusually high against their own history.

    History = the same facility × type in the `history_months` months before (months without items
    count as 0; only months since the cell's first item). A month is a spike when there are at least
    `min_history` months of history, count ≥ mean + z × standard deviation (sample SD, at least 1)
    and count − mean ≥ `min_excess` (settings [trends.spikes]).
    Columns: month, facility, voc_type, items, baseline (mean), sd, jump (items − baseline),
    ratio (items ÷ baseline), z.
    """
    cfg = settings.trends.spikes
    hist, z, min_hist, min_excess = cfg.history_months, cfg.z, cfg.min_history, cfg.min_excess
    where, params = _all_time(scope).where()
    return _df(
        con,
        f"""WITH c AS (SELECT facility, voc_type, date_trunc('month', received_at)::DATE AS month,
                              count(*) AS items
                       FROM voc WHERE {where} AND facility IS NOT NULL AND received_at < ? GROUP BY ALL),
                 cells AS (SELECT facility, voc_type, min(month) AS first_month FROM c GROUP BY ALL),
                 grid AS (SELECT cells.facility, cells.voc_type, g::DATE AS month
                          FROM cells, generate_series(cells.first_month, date_trunc('month', ?::DATE - INTERVAL 1 DAY),
                                                      INTERVAL 1 MONTH) t(g)),
                 full_ AS (SELECT grid.*, coalesce(c.items, 0) AS items FROM grid
                           LEFT JOIN c USING (facility, voc_type, month)),
                 w AS (SELECT *, avg(items) OVER h AS baseline, stddev_samp(items) OVER h AS sd,
                              count(*) OVER h AS n_hist
                       FROM full_
                       WINDOW h AS (PARTITION BY facility, voc_type ORDER BY month
                                    ROWS BETWEEN {hist} PRECEDING AND 1 PRECEDING))
            SELECT month, facility, voc_type, items, baseline, sd, items - baseline AS jump,
                   items / nullif(baseline, 0) AS ratio,
                   (items - baseline) / greatest(coalesce(sd, 0), 1) AS z
            FROM w
            WHERE month >= ? AND month < ? AND n_hist >= {min_hist}
              AND items >= baseline + {z} * greatest(coalesce(sd, 0), 1)
              AND items - baseline >= {min_excess}
            ORDER BY z DESC, jump DESC, month, facility, voc_type""",
        [*params, scope.end, scope.end, scope.start, scope.end],
    )


# --------------------------------------------------------------------------------------------
# Keywords and topics (precomputed by ccm.text.enrich at load time)


def _stop_words(settings: Settings) -> tuple[str, ...]:
    return settings.text.stop_words


def keyword_changes(con: duckdb.DuckDBPyConnection, scope: Scope, settings: Settings) -> pd.DataFrame:
    """Keywords (nouns, stop words removed) with the number of items mentioning them in the scope and
    in the previous period of the same length. Columns: keyword, items, previous, change, growth
    ((items + 1) ÷ (previous + 1), smoothed so that new words do not divide by zero).
    Keywords are distinct per item, so counting rows counts items."""
    stop = _stop_words(settings)
    prev = scope.previous()
    where, params = replace(scope, start=prev.start).where()
    stop_sql = f"AND keyword NOT IN ({', '.join('?' * len(stop))})" if stop else ""
    df = _df(
        con,
        f"""SELECT keyword, count(*) FILTER (received_at >= ?) AS items,
                   count(*) FILTER (received_at < ?) AS previous
            FROM voc_keywords WHERE {where} {stop_sql} GROUP BY keyword HAVING items > 0""",
        [scope.start, scope.start, *params, *stop],
    )
    df["change"] = df["items"] - df["previous"]
    df["growth"] = (df["items"] + 1) / (df["previous"] + 1)
    return df


def top_of(changes: pd.DataFrame, limit: int = 30) -> pd.DataFrame:
    """The most mentioned keywords of a keyword_changes frame."""
    return (
        changes.sort_values(["items", "keyword"], ascending=[False, True]).head(limit).reset_index(drop=True)
    )


def rising_of(changes: pd.DataFrame, settings: Settings, limit: int = 20) -> pd.DataFrame:
    """Keywords of a keyword_changes frame growing fastest: at least `rising_min_items` items now
    (settings [trends]) and more than before, ordered by growth then by change."""
    min_items = settings.trends.rising_min_items
    df = changes[(changes["items"] >= min_items) & (changes["change"] > 0)]
    return (
        df.sort_values(["growth", "change", "keyword"], ascending=[False, False, True])
        .head(limit)
        .reset_index(drop=True)
    )


def top_keywords(
    con: duckdb.DuckDBPyConnection, scope: Scope, settings: Settings, limit: int = 30
) -> pd.DataFrame:
    """The most mentioned keywords of the scope (items mentioning each), with the previous period's count."""
    return top_of(keyword_changes(con, scope, settings), limit)


def rising_keywords(
    con: duckdb.DuckDBPyConnection, scope: Scope, settings: Settings, limit: int = 20
) -> pd.DataFrame:
    """Keywords growing fastest against the previous period (see rising_of)."""
    return rising_of(keyword_changes(con, scope, settings), settings, limit)


def topic_counts(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Items per topic of the dictionary (an item may have several topics; '기타' = none matched).
    Columns: topic, items, share (of the scope's items)."""
    where, params = scope.where()
    return _df(
        con,
        f"""SELECT topic, count(*) AS items, count(*) / (SELECT count(*) FROM voc WHERE {where}) AS share
            FROM voc_topics WHERE {where} GROUP BY topic ORDER BY items DESC, topic""",
        [*params, *params],
    )


def text_coverage(con: duckdb.DuckDBPyConnection, scope: Scope, voc_type: str | None = None) -> dict:
    """How far the scope's items (optionally of one type) have been analysed: items, analysed (tagged,
    '기타' included), topical (a topic of the dictionary), other (only '기타'), with_keywords, and
    other_share = other ÷ analysed (None before any analysis). Pages use it to say what is true when a
    table is empty."""
    where, params = scope.where()
    typed, tparams = ("AND voc_type = ?", [voc_type]) if voc_type is not None else ("", [])
    items = con.execute(f"SELECT count(*) FROM voc WHERE {where} {typed}", [*params, *tparams]).fetchone()[0]
    analysed, topical = con.execute(
        f"""SELECT count(DISTINCT voc_id), count(DISTINCT voc_id) FILTER (topic <> ?)
            FROM voc_topics WHERE {where} {typed}""",
        [NO_TOPIC, *params, *tparams],
    ).fetchone()
    kw_where = f"{where} AND voc_id IN (SELECT voc_id FROM voc WHERE {where} {typed})" if voc_type else where
    kw_params = [*params, *params, *tparams] if voc_type else params
    with_keywords = con.execute(
        f"SELECT count(DISTINCT voc_id) FROM voc_keywords WHERE {kw_where}", kw_params
    ).fetchone()[0]
    other = analysed - topical
    return {
        "items": items,
        "analysed": analysed,
        "topical": topical,
        "other": other,
        "with_keywords": with_keywords,
        "other_share": other / analysed if analysed else None,
    }


def topic_candidates(
    con: duckdb.DuckDBPyConnection, scope: Scope, settings: Settings, limit: int = 8
) -> pd.DataFrame:
    """The largest groups of keywords among the scope's '기타' items — topics the dictionary misses.
    A group is a frequent keyword (in at least `[text] candidate_min_items` such items) with the keywords
    (in two such items or more) that mostly occur alongside it (ccm.text.keyword_groups); stop words are
    left out.
    Columns: topic (suggested name: the group's first keyword), words (list), items ('기타' items holding
    one of the words, each item counted in one group only), share (of the scope's '기타' items)."""
    from ccm import text

    min_items = settings.text.candidate_min_items
    stop = _stop_words(settings)
    where, params = scope.where()
    stop_sql = f"AND keyword NOT IN ({', '.join('?' * len(stop))})" if stop else ""
    pairs = _df(
        con,
        f"""WITH other AS (SELECT voc_id FROM voc_topics WHERE {where} AND topic = ?),
                 kw AS (SELECT voc_id, keyword FROM voc_keywords
                        WHERE {where} {stop_sql} AND voc_id IN (SELECT voc_id FROM other)),
                 top AS (SELECT keyword FROM kw GROUP BY keyword HAVING count(*) >= 2
                         ORDER BY count(*) DESC, keyword LIMIT 80)
            SELECT voc_id, keyword FROM kw SEMI JOIN top USING (keyword)""",
        [*params, NO_TOPIC, *params, *stop],
    )
    groups = text.keyword_groups(pairs, min_items, limit)
    other = con.execute(
        f"SELECT count(DISTINCT voc_id) FROM voc_topics WHERE {where} AND topic = ?", [*params, NO_TOPIC]
    ).fetchone()[0]
    return pd.DataFrame(
        {
            "topic": [g[0][0] for g in groups],
            "words": [g[0] for g in groups],
            "items": [g[1] for g in groups],
            "share": [g[1] / other if other else float("nan") for g in groups],
        },
        columns=["topic", "words", "items", "share"],
    )


def topic_trends(con: duckdb.DuckDBPyConnection, scope: Scope, facility: str | None = None) -> pd.DataFrame:
    """Items per month and topic (optionally for one facility). Columns: month, topic, items."""
    where, params = scope.where()
    fac = ""
    if facility is not None:
        fac, params = "AND facility = ?", [*params, facility]
    return _df(
        con,
        f"""SELECT date_trunc('month', received_at)::DATE AS month, topic, count(*) AS items
            FROM voc_topics WHERE {where} {fac} GROUP BY ALL ORDER BY month, topic""",
        params,
    )


def topics_by_facility(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Items per facility and topic. Columns: facility, topic, items."""
    where, params = scope.where()
    return _df(
        con,
        f"""SELECT coalesce(facility, '(미지정)') AS facility, topic, count(*) AS items
            FROM voc_topics WHERE {where} GROUP BY ALL ORDER BY facility, items DESC, topic""",
        params,
    )


def _item_columns(with_text: bool) -> str:
    text = ", title, content" if with_text else ""
    return f"voc_id, received_at, voc_type, channel, department, facility, status{text}"


def _items_in(
    con: duckdb.DuckDBPyConnection,
    scope: Scope,
    table: str,
    cond: str,
    cond_params: list,
    with_text: bool,
    limit: int,
) -> pd.DataFrame:
    where, params = scope.where()
    return _df(
        con,
        f"""SELECT {_item_columns(with_text)} FROM voc
            WHERE {where} AND voc_id IN (SELECT voc_id FROM {table} WHERE {where} AND {cond})
            ORDER BY received_at DESC, voc_id LIMIT {int(limit)}""",
        [*params, *params, *cond_params],
    )


def items_with_keyword(
    con: duckdb.DuckDBPyConnection, scope: Scope, keyword: str, with_text: bool = False, limit: int = 200
) -> pd.DataFrame:
    """The scope's items mentioning a keyword, newest first (texts are stored masked; only when with_text)."""
    return _items_in(con, scope, "voc_keywords", "keyword = ?", [keyword], with_text, limit)


def items_with_topic(
    con: duckdb.DuckDBPyConnection,
    scope: Scope,
    topic: str,
    with_text: bool = False,
    limit: int = 200,
    facility: str | None = None,
) -> pd.DataFrame:
    """The scope's items tagged with a topic (optionally at one facility), newest first."""
    if facility is None:
        return _items_in(con, scope, "voc_topics", "topic = ?", [topic], with_text, limit)
    return _items_in(
        con, scope, "voc_topics", "topic = ? AND facility = ?", [topic, facility], with_text, limit
    )


# --------------------------------------------------------------------------------------------
# Prevention matrix, recurrence, FAQ


def _severity_sql(settings: Settings) -> tuple[str, list]:
    weights = settings.trends.severity
    if not weights:
        return "1.0", []
    cases = " ".join("WHEN ? THEN ?" for _ in weights)
    params: list = [x for k, w in weights.items() for x in (k, float(w))]
    return f"CASE voc_type {cases} ELSE 1.0 END", params


def prevention_matrix(
    con: duckdb.DuckDBPyConnection, scope: Scope, settings: Settings, by_facility: bool = False
) -> pd.DataFrame:
    """경중도 × 발생빈도 (manual §4.3.1): per topic (or facility × topic) of the scope's items.

    frequency = items tagged with the topic; severity = mean of the type weights of those items
    (settings [trends.severity]; types weighted 0, e.g. 칭찬, are left out; '기타' is left out).
    Both axes are split at their mean over the points; points at or above both means are
    'improvement candidates' (quadrant 개선 우선). Columns: [facility,] topic, frequency, severity,
    score (frequency × severity), quadrant, candidate.
    """
    where, params = scope.where()
    sev, sev_params = _severity_sql(settings)
    keys = "coalesce(facility, '(미지정)') AS facility, topic" if by_facility else "topic"
    df = _df(
        con,
        f"""WITH s AS (SELECT facility, topic, {sev} AS w FROM voc_topics WHERE {where} AND topic <> ?)
            SELECT {keys}, count(*) AS frequency, avg(w) AS severity FROM s WHERE w > 0 GROUP BY ALL""",
        [*sev_params, *params, NO_TOPIC],
    )
    if df.empty:
        return df.assign(score=[], quadrant=[], candidate=[])
    f_mid, s_mid = df["frequency"].mean(), df["severity"].mean()
    hi_f, hi_s = df["frequency"] >= f_mid, df["severity"] >= s_mid
    df["score"] = df["frequency"] * df["severity"]
    df["quadrant"] = "관찰"
    df.loc[hi_f & ~hi_s, "quadrant"] = "빈도 관리"
    df.loc[~hi_f & hi_s, "quadrant"] = "중대 사안 관리"
    df.loc[hi_f & hi_s, "quadrant"] = "개선 우선"
    df["candidate"] = hi_f & hi_s
    keys_order = ["facility", "topic"] if by_facility else ["topic"]
    return df.sort_values(
        ["candidate", "score", *keys_order], ascending=[False, False] + [True] * len(keys_order)
    ).reset_index(drop=True)


def recurrences(con: duckdb.DuckDBPyConnection, scope: Scope, settings: Settings) -> pd.DataFrame:
    """Recurrence (manual §4.3.1-5): an item of the scope is a recurrence when an earlier item with the
    same topic at the same facility had been completed (handled) before it was received, at most
    `recurrence_days` days before (settings [trends]); only types listed in `recurrence_types`,
    '기타' left out. Per facility × topic: items, recurrences, rate, last_handled_before (the most
    recent handling an item came back after), last_recurrence. Ordered by recurrences."""
    days, types = settings.trends.recurrence_days, settings.trends.recurrence_types
    where, params = scope.where()
    since = datetime.combine(scope.start, datetime.min.time()) - timedelta(
        days=days
    )  # oldest handling that counts
    tmarks = ", ".join("?" * len(types)) or "NULL"
    return _df(
        con,
        f"""WITH base AS (SELECT facility, topic, hash(facility, topic) AS cell, received_at, completed_at, department
                          FROM voc_topics WHERE facility IS NOT NULL AND topic <> ? AND voc_type IN ({tmarks})
                            AND received_at < ? AND (completed_at >= ? OR received_at >= ?)),
                 done AS (SELECT cell, completed_at FROM base WHERE completed_at >= ? AND completed_at < ?),
                 cur AS (SELECT * FROM base WHERE {where}),
                 -- the latest handling of the same facility × topic at or before each receipt
                 m AS (SELECT cur.facility, cur.topic, cur.received_at, done.completed_at AS handled
                       FROM cur ASOF LEFT JOIN done ON cur.cell = done.cell AND cur.received_at >= done.completed_at),
                 r AS (SELECT *, handled IS NOT NULL AND received_at <= handled + INTERVAL (?) DAY AS is_rec FROM m)
            SELECT facility, topic, count(*) AS items, count(*) FILTER (is_rec) AS recurrences,
                   count(*) FILTER (is_rec) / count(*) AS rate,
                   max(handled) FILTER (is_rec) AS last_handled_before,
                   max(received_at) FILTER (is_rec) AS last_recurrence
            FROM r GROUP BY ALL HAVING count(*) FILTER (is_rec) > 0
            ORDER BY recurrences DESC, rate DESC, facility, topic""",
        [NO_TOPIC, *types, scope.end, since, scope.start, since, scope.end, *params, days],
    )


def faq_candidates(
    con: duckdb.DuckDBPyConnection,
    scope: Scope,
    settings: Settings,
    with_text: bool = False,
    limit: int = 10,
    examples: int = 3,
) -> pd.DataFrame:
    """The most repeated inquiry topics (type `faq_type` of settings [trends], default 문의) — FAQ
    candidates. Columns: topic, items, share (of the scope's inquiries), facilities (where they were
    asked, by name), [examples: the newest titles, when with_text]."""
    faq_type = settings.trends.faq_type
    where, params = scope.where()
    df = _df(
        con,
        f"""SELECT topic, count(*) AS items,
                   count(*) / (SELECT count(*) FROM voc WHERE {where} AND voc_type = ?) AS share,
                   string_agg(DISTINCT facility, ', ' ORDER BY facility) AS facilities
            FROM voc_topics WHERE {where} AND voc_type = ? AND topic <> ?
            GROUP BY topic ORDER BY items DESC, topic LIMIT {int(limit)}""",
        [*params, faq_type, *params, faq_type, NO_TOPIC],
    )
    if with_text and not df.empty:
        examples_of = _newest_titles(con, scope, faq_type, tuple(df["topic"]), examples)
        df["examples"] = df["topic"].map(examples_of).fillna("")
    return df


def _newest_titles(
    con: duckdb.DuckDBPyConnection, scope: Scope, voc_type: str, topics: tuple[str, ...], n: int
) -> dict[str, str]:
    """Per topic, the titles of its n newest items of a type (' / '-joined): ids from voc_topics, then a
    lookup of those few ids (no join of the whole period)."""
    where, params = scope.where()
    ids = _df(
        con,
        f"""SELECT topic, unnest(max_by(voc_id, received_at, {int(n)})) AS voc_id FROM voc_topics
            WHERE {where} AND voc_type = ? AND topic IN ({", ".join("?" * len(topics))}) GROUP BY topic""",
        [*params, voc_type, *topics],
    )
    if ids.empty:
        return {}
    titles = _df(
        con,
        f"SELECT voc_id, title, received_at FROM voc WHERE voc_id IN ({', '.join('?' * len(ids))})",
        ids["voc_id"].tolist(),
    )
    ex = ids.merge(titles, on="voc_id").dropna(subset=["title"])
    ex = ex.sort_values(["topic", "received_at", "voc_id"], ascending=[True, False, True])
    return ex.groupby("topic")["title"].agg(" / ".join).to_dict()


def unregistered_count(con: duckdb.DuckDBPyConnection, registered: tuple[str, ...]) -> int:
    """Items (all time) whose department is blank or not a configured one: the filter's 미등록 group."""
    where, params = Scope(date(1900, 1, 1), date(9999, 1, 1), (UNREGISTERED,), registered=registered).where()
    return con.execute(f"SELECT count(*) FROM voc WHERE {where}", params).fetchone()[0]
