"""The few numbers executives ask for in meetings (회의 화면), each guarded: a missing source → None."""
from __future__ import annotations

from datetime import date, datetime

import duckdb
import pandas as pd

from ccm import voc_analytics as va
from ccm.period import Scope
from ccm.settings import Settings

ALL_TIME = Scope(date(1900, 1, 1), date(9999, 1, 1))


def pcsi(con: duckdb.DuckDBPyConnection, now: datetime) -> dict | None:
    """The latest PCSI overall index (this year's survey, else last year's)."""
    try:
        from ccm.pcsi import overall_index
    except ImportError:
        return None
    for year in (now.year, now.year - 1):
        try:
            score = overall_index(con, year)
        except duckdb.CatalogException:
            return None
        if score is not None:
            return {"year": year, "score": float(score)}
    return None


def kpi(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The organisation's KPI score at the latest month with actuals (ccm.kpi.org_score)."""
    try:
        from ccm.kpi import latest_actual_month, org_score
        latest = latest_actual_month(con)
        if latest is None:
            return None
        score = org_score(con, *latest)
    except (ImportError, duckdb.CatalogException):
        return None
    return None if score is None else {"year": latest[0], "month": latest[1], "score": float(score)}


def compliance(con: duckdb.DuckDBPyConnection, now: datetime) -> dict:
    """Deadline compliance of this year so far, and of the same span last year."""
    this = Scope(date(now.year, 1, 1), _tomorrow(now))
    last = this.last_year()
    cur, prev = va.compliance_summary(con, this), va.compliance_summary(con, last)
    return {"compliance": cur["compliance"], "decided": cur["decided"], "previous": prev["compliance"],
            "received": cur["received"]}


def _tomorrow(now: datetime) -> date:
    return date.fromordinal(now.date().toordinal() + 1)


def complaint_topics(con: duckdb.DuckDBPyConnection, start: date, end: date, types: tuple[str, ...],
                     limit: int = 5) -> pd.DataFrame:
    """Most frequent topics among complaint-type items received in [start, end).

    Small query of its own: ccm.voc_analytics.topic_counts counts every type."""
    marks = ", ".join("?" * len(types)) or "NULL"
    try:
        return con.execute(
            f"""SELECT t.topic AS 주제, count(*) AS 건수 FROM voc_topics t JOIN voc v USING (voc_id)
                WHERE v.received_at >= ? AND v.received_at < ? AND v.voc_type IN ({marks}) AND t.topic <> ?
                GROUP BY t.topic ORDER BY 건수 DESC, t.topic LIMIT {int(limit)}""",
            [start, end, *types, va.NO_TOPIC]).df()
    except duckdb.CatalogException:
        return pd.DataFrame(columns=["주제", "건수"])


def figures(con: duckdb.DuckDBPyConnection, now: datetime, settings: Settings) -> dict:
    """Everything the meeting view shows, in one cached call."""
    days = int(settings.get("meeting", {}).get("topic_days", 90))
    types = tuple(settings.get("ranking", {}).get("complaint_types", ("불만", "고충")))
    start = date.fromordinal(now.date().toordinal() - days)
    return {
        "pcsi": pcsi(con, now),
        "kpi": kpi(con),
        "compliance": compliance(con, now),
        "open": va.open_counts(con, ALL_TIME, now, settings),
        "topics": complaint_topics(con, start, _tomorrow(now), types),
        "topic_days": days,
    }
