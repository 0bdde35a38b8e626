"""The few numbers executives ask for in meetings (회의 화면), each guarded: a missing source → None.
`cards` judges each headline against its target with the KPI status bands ([kpi.status])."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb
import pandas as pd

from ccm import kpi as kpi_engine
from ccm import voc_analytics as va
from ccm.pcsi import overall_index
from ccm.period import Scope
from ccm.report import complaint_topics
from ccm.settings import Settings

ALL_TIME = Scope(date(1900, 1, 1), date(9999, 1, 1))
COMPLIANCE_SOURCE = "voc_compliance"  # the KPI source whose target is the compliance target


@dataclass(frozen=True)
class Card:
    """One headline: its value in its unit (점 / ratio / 건), target in the same unit, and status
    (달성 / 주의 / 미달, or 실적 없음 without a value, 목표 없음 without a target)."""

    key: str
    label: str
    value: float | None
    unit: str
    target: float | None
    status: str
    note: str = ""


def pcsi(con: duckdb.DuckDBPyConnection, now: datetime) -> dict | None:
    """The latest PCSI overall index (this year's survey, else last year's)."""
    for year in (now.year, now.year - 1):
        score = overall_index(con, year)
        if score is not None:
            return {"year": year, "score": float(score)}
    return None


def kpi(con: duckdb.DuckDBPyConnection, now: datetime | None = None) -> dict | None:
    """The organisation's KPI score (ccm.kpi.org_score) at the latest month with actuals that has ended
    by `now` — a running month, not yet reported by every department, is not judged (as on the overview)."""
    latest = kpi_engine.latest_actual_month(con)
    if latest is None:
        return None
    if now is not None and latest >= (now.year, now.month):
        latest = kpi_engine.previous_month(now.year, now.month)
    score = kpi_engine.org_score(con, *latest)
    return None if score is None else {"year": latest[0], "month": latest[1], "score": float(score)}


def compliance(con: duckdb.DuckDBPyConnection, now: datetime) -> dict:
    """Deadline compliance of this year so far, and of the same span last year."""
    this = Scope(date(now.year, 1, 1), _tomorrow(now))
    last = this.last_year()
    cur, prev = va.compliance_summary(con, this), va.compliance_summary(con, last)
    return {
        "compliance": cur["compliance"],
        "decided": cur["decided"],
        "previous": prev["compliance"],
        "received": cur["received"],
    }


def compliance_target(con: duckdb.DuckDBPyConnection, year: int, org_unit: str) -> float | None:
    """The compliance target (ratio) of the KPI workbook: the latest year up to `year` with a KPI fed
    by voc_compliance; the organisation unit's target, else the one most departments share."""
    rows = con.execute(
        "SELECT year, department, annual_target FROM kpi_definitions WHERE source = ? AND year <= ? "
        "AND annual_target IS NOT NULL AND year = (SELECT max(year) FROM kpi_definitions "
        "WHERE source = ? AND year <= ? AND annual_target IS NOT NULL)",
        [COMPLIANCE_SOURCE, year, COMPLIANCE_SOURCE, year],
    ).df()
    if rows.empty:
        return None
    org = rows[rows["department"] == org_unit]
    targets = (org if not org.empty else rows)["annual_target"].astype(float)
    return float(targets.mode().max()) / 100.0


def monthly_compliance(con: duckdb.DuckDBPyConnection, now: datetime) -> pd.DataFrame:
    """This year's months up to now: month (1..12), decided, compliance (NaN when nothing decided)."""
    df = va.monthly_compliance(con, Scope(date(now.year, 1, 1), _tomorrow(now)))
    months = pd.DataFrame({"month": range(1, now.month + 1)})
    got = pd.DataFrame(
        {
            "month": pd.to_datetime(df["month"]).dt.month,
            "decided": df["decided"],
            "compliance": df["compliance"].astype(float),
        }
    )
    out = months.merge(got, on="month", how="left")
    return out.assign(decided=out["decided"].fillna(0).astype(int))


def _tomorrow(now: datetime) -> date:
    return date.fromordinal(now.date().toordinal() + 1)


def figures(con: duckdb.DuckDBPyConnection, now: datetime, settings: Settings) -> dict:
    """Everything the meeting view shows, in one cached call."""
    days, types = settings.meeting.topic_days, settings.complaint_types
    start = date.fromordinal(now.date().toordinal() - days)
    return {
        "pcsi": pcsi(con, now),
        "kpi": kpi(con, now),
        "compliance": compliance(con, now),
        "compliance_target": compliance_target(con, now.year, kpi_engine.rules_from(settings).org_unit),
        "monthly": monthly_compliance(con, now),
        "open": va.open_counts(con, ALL_TIME, now, settings),
        "topics": complaint_topics(con, start, _tomorrow(now), types),
        "topic_days": days,
    }


def status(direction: str, value: float | None, target: float | None, rules: kpi_engine.Rules) -> str:
    """A headline's status by the KPI engine's own attainment and bands (ccm.kpi.ratio, ccm.kpi.status)."""
    if value is None or pd.isna(value):
        return "실적 없음"
    if target is None or pd.isna(target):
        return "목표 없음"
    attainment = kpi_engine.ratio(direction, float(value), float(target), rules.cap)
    return "목표 없음" if attainment is None else kpi_engine.status(attainment, rules)


def cards(f: dict, settings: Settings, now: datetime) -> tuple[Card, ...]:
    """The four headline cards of `figures(...)`, each judged against its target."""
    rules = kpi_engine.rules_from(settings)
    p, k, c, o = f["pcsi"], f["kpi"], f["compliance"], f["open"]
    pcsi_target = settings.pcsi.target
    pcsi_value = p["score"] if p else None
    kpi_value = k["score"] if k else None
    c_value, c_target = c["compliance"], f.get("compliance_target")
    return (
        Card(
            "pcsi",
            f"고객만족도(PCSI) {p['year']}년" if p else "고객만족도(PCSI)",
            pcsi_value,
            "점",
            pcsi_target,
            status("higher", pcsi_value, pcsi_target, rules),
            "" if p else "조사 결과 없음",
        ),
        Card(
            "kpi",
            f"KPI 달성도 {k['year']}년 {k['month']}월" if k else "KPI 달성도",
            kpi_value,
            "%",
            rules.achieved,
            status("higher", kpi_value, rules.achieved, rules),
            "" if k else "KPI 실적 없음",
        ),
        Card(
            "compliance",
            f"처리기한 준수율 {now.year}년 누계",
            c_value,
            "%",
            c_target,
            status("higher", c_value, c_target, rules),
            _previous(c),
        ),
        Card(
            "overdue",
            "기한 초과 미처리",
            float(o["overdue"]),
            "건",
            0.0,
            status("zero", o["overdue"], 0.0, rules),
            f"임박 {o['at_risk']:,}건 · 미처리 {o['open']:,}건",
        ),
    )


def _previous(c: dict) -> str:
    if c["compliance"] is None or c["previous"] is None:
        return ""
    return f"작년 같은 기간 {c['previous'] * 100:.1f}% ({(c['compliance'] - c['previous']) * 100:+.1f}%p)"
