"""Automatic KPI actuals from the CCM loop (issue 16 item 5): phone-courtesy score (ccm.phone), training
completion rate and CCM training hours (ccm.training), improvement actions completed on time
(ccm.actions). `ccm.kpi.source_values` dispatches here; manual actuals override these exactly as they
override the VOC and PCSI sources (ccm.kpi.monthly).

Monthly values, `department` None = the whole organisation:
- phone: mean call score (100-point) of the calls monitored in the month; months without calls are missing.
- training_completion: 100 × people meeting their role's required training ÷ people with a requirement,
  counting the year's records up to the month's end (year to date); months after the latest training
  record in the store, or without anyone required, are missing. Natural aggregation: 최근값.
- training_hours: hours of CCM training started in the month (0 in a month covered by the store's
  records but without any); summed by a 누적 KPI to the year's CCM hours (= ccm.training.training_hours).
- actions_on_time: 100 × actions due in the year up to the month's end that were completed by their due
  date ÷ those actions (ccm.actions.on_time_completion_rate); months without any action due are missing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import pandas as pd

from ccm import actions, phone, training

KINDS = ("phone", "training_completion", "training_hours", "actions_on_time")
LABELS = {
    "phone": "전화친절도 점수",
    "training_completion": "교육 이수율",
    "training_hours": "CCM 교육시간",
    "actions_on_time": "개선과제 기한 내 완료율",
}
# Every automatic source in words (ccm.kpi re-exports these): the store's own sources, then the CCM loop's.
SOURCE_LABELS = {
    "pcsi": "고객만족도(PCSI)",
    "voc_compliance": "VOC 처리기한 준수율",
    "voc_count": "VOC 건수",
    **LABELS,
}
UNITS = {"phone": "점", "training_completion": "%", "training_hours": "시간", "actions_on_time": "%"}


def _next_month(year: int, m: int) -> date:
    return date(year + (m == 12), m % 12 + 1, 1)


def values(
    con: duckdb.DuckDBPyConnection, kind: str, year: int, month: int, department: str | None
) -> dict[int, float]:
    """month (1..month) → value of one source; missing months absent."""
    if kind == "phone":
        return {m: s for m, (s, _) in phone.monthly_score(con, year, month, department).items()}
    if kind == "training_completion":
        return _training_completion(con, year, month, department)
    if kind == "training_hours":
        return _training_hours(con, year, month, department)
    if kind == "actions_on_time":
        return _actions_on_time(con, year, month, department)
    return {}


def _training_last_month(con, year: int) -> int:
    """The last month of `year` the store's training records reach (0: none in or after the year)."""
    last = con.execute("SELECT max(start_date) FROM training_records").fetchone()[0]
    if last is None or last < date(year, 1, 1):
        return 0
    return 12 if last.year > year else last.month


def completion_counts(con, year: int, department: str | None, until: date) -> tuple[int, int]:
    """(meeting, required) of `year` counting records before `until` (ccm.training)."""
    return training.training_completion(con, year, department, until=until)


def _training_completion(con, year: int, month: int, department: str | None) -> dict[int, float]:
    out = {}
    for m in range(1, min(month, _training_last_month(con, year)) + 1):
        num, den = completion_counts(con, year, department, _next_month(year, m))
        if den:
            out[m] = 100.0 * num / den
    return out


def _training_hours(con, year: int, month: int, department: str | None) -> dict[int, float]:
    last = min(month, _training_last_month(con, year))
    if last == 0:
        return {}
    r = training.records(con, date(year, 1, 1), _next_month(year, last))
    if department is not None:
        r = r[r["department"] == department]
    r = r[r["is_ccm"].astype(bool)] if len(r) else r
    by_month = (
        r.groupby(pd.to_datetime(r["start_date"]).dt.month)["hours"].sum()
        if len(r)
        else pd.Series(dtype=float)
    )
    return {m: float(by_month.get(m, 0.0)) for m in range(1, last + 1)}


def _actions_on_time(con, year: int, month: int, department: str | None) -> dict[int, float]:
    out = {}
    for m in range(1, month + 1):
        num, den = actions.on_time_completion_rate(con, year, department, until=_next_month(year, m))
        if den:
            out[m] = 100.0 * num / den
    return out


def detail(
    con: duckdb.DuckDBPyConnection, kind: str, year: int, month: int, department: str | None
) -> pd.DataFrame:
    """The figures behind one month's automatic value, in Korean, for the KPI page's drill-down."""
    if kind == "phone":
        sql = (
            "SELECT department AS 부서, count(*) AS 모니터링건수, avg(total / total_max * 100) AS 평균점수 "
            "FROM phone_calls WHERE year(call_date) = ? AND month(call_date) = ?"
        )
        params: list = [year, month]
        if department is not None:
            sql += " AND department = ?"
            params.append(department)
        return con.execute(sql + " GROUP BY 1 ORDER BY 1", params).df()
    if kind == "training_completion":
        num, den = completion_counts(con, year, department, _next_month(year, month))
        return (
            pd.DataFrame()
            if not den
            else pd.DataFrame(
                {
                    "기준일": [_next_month(year, month)],
                    "요건 대상(명)": [den],
                    "요건 충족(명)": [num],
                    "이수율(%)": [100.0 * num / den],
                }
            )
        )
    if kind == "training_hours":
        hours = _training_hours(con, year, month, department)
        return (
            pd.DataFrame()
            if month not in hours
            else pd.DataFrame(
                {"월": [month], "CCM 교육시간": [hours[month]], "연초부터 합계": [sum(hours.values())]}
            )
        )
    if kind == "actions_on_time":
        num, den = actions.on_time_completion_rate(con, year, department, until=_next_month(year, month))
        return (
            pd.DataFrame()
            if not den
            else pd.DataFrame(
                {
                    "기준일": [_next_month(year, month)],
                    "기한 도래 과제": [den],
                    "기한 내 완료": [num],
                    "완료율(%)": [100.0 * num / den],
                }
            )
        )
    return pd.DataFrame()


def _norm(text: object) -> str:
    return "".join(str(text).split()).lower()


def source_label(source: Any) -> str | None:
    """An automatic source in words: voc_count:칭찬 → VOC 건수(칭찬); a label already in words stays."""
    if not isinstance(source, str) or not source:
        return None
    key, _, arg = source.partition(":")
    label = SOURCE_LABELS.get(key, source)
    return f"{label}({arg})" if arg and key in SOURCE_LABELS else label


def choices(voc_types: list[str]) -> list[str]:
    """Every automatic source in words, as the KPI template's dropdown lists them."""
    codes = ["pcsi", "voc_compliance", *[f"voc_count:{t}" for t in voc_types], *KINDS]
    return [source_label(c) for c in codes]


def parse(text: object, voc_types: dict[str, str]) -> str | None:
    """A source as written in the 자동실적 column — its words (VOC 건수(칭찬), 전화친절도 점수) or its code
    (voc_count:칭찬, phone) — as its code; None when unknown. `voc_types`: any spelling of a type → the type."""
    raw = str(text).strip()
    kind, _, arg = raw.partition(":")
    words = {_norm(label): code for code, label in SOURCE_LABELS.items()}
    if (
        not arg
        and "(" in raw
        and raw.endswith(")")
        and words.get(_norm(raw[: raw.index("(")])) == "voc_count"
    ):
        kind, arg = "voc_count", raw[raw.index("(") + 1 : -1]
    code = kind.strip().lower() if kind.strip().lower() in SOURCE_LABELS else words.get(_norm(kind))
    if code == "voc_count":
        return f"voc_count:{voc_types[arg.strip()]}" if arg.strip() in voc_types else None
    return code if code and not arg else None
