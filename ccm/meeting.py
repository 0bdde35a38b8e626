"""The few numbers executives ask for in meetings (회의 화면), each guarded: a missing source → None."""
from __future__ import annotations

from datetime import date, datetime

import duckdb

from ccm import voc_analytics as va
from ccm.report import complaint_topics
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
