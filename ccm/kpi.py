"""KPI attainment: definitions and monthly actuals per load batch, automatic actuals from the store,
the attainment engine (every direction × aggregation), department/organisation scores, rollback.

Definitions are keyed by (year, department, indicator); manual actuals by (year, month, department,
indicator). A later batch replaces a key's row and keeps the previous version in *_replaced, so a
batch can be rolled back exactly.
"""
from __future__ import annotations

import importlib
import math
from dataclasses import dataclass
from typing import Any

import duckdb

from ccm.db import transaction
import numpy as np
import pandas as pd

DIRECTIONS = {"higher": "높을수록 좋음", "lower": "낮을수록 좋음", "zero": "0이 목표"}
AGGREGATIONS = {"cumulative": "누적", "average": "평균", "latest": "최근값"}
STATUS_ORDER = ["미달", "주의", "달성", "실적 없음"]

DEF_COLUMNS = """
    year INTEGER NOT NULL, department VARCHAR NOT NULL, strategy VARCHAR, task VARCHAR, core_task VARCHAR,
    indicator VARCHAR NOT NULL, unit VARCHAR, direction VARCHAR NOT NULL, aggregation VARCHAR NOT NULL,
    annual_target DOUBLE NOT NULL, plan DOUBLE[], weight DOUBLE NOT NULL, source VARCHAR,
    source_row INTEGER, batch_id INTEGER NOT NULL, updated_batch_id INTEGER NOT NULL
"""
ACT_COLUMNS = """
    year INTEGER NOT NULL, month INTEGER NOT NULL, department VARCHAR NOT NULL, indicator VARCHAR NOT NULL,
    actual DOUBLE NOT NULL, note VARCHAR, source_row INTEGER, batch_id INTEGER NOT NULL,
    updated_batch_id INTEGER NOT NULL
"""
DDL = [
    f"CREATE TABLE IF NOT EXISTS kpi_definitions ({DEF_COLUMNS})",
    f"CREATE TABLE IF NOT EXISTS kpi_definitions_replaced ({DEF_COLUMNS}, replaced_by_batch INTEGER NOT NULL)",
    f"CREATE TABLE IF NOT EXISTS kpi_actuals ({ACT_COLUMNS})",
    f"CREATE TABLE IF NOT EXISTS kpi_actuals_replaced ({ACT_COLUMNS}, replaced_by_batch INTEGER NOT NULL)",
]
DEF_KEY = ("year", "department", "indicator")
ACT_KEY = ("year", "month", "department", "indicator")


@dataclass(frozen=True)
class Rules:
    """The settings the engine needs, hashable so that pages can pass them to cached queries."""

    cap: float = 1.2
    achieved: float = 1.0
    warning: float = 0.9
    org_unit: str = "전사"


def rules_from(settings: Any) -> Rules:
    k = settings.get("kpi", {}) if settings is not None else {}
    status = k.get("status", {})
    return Rules(cap=float(k.get("cap", 1.2)), achieved=float(status.get("achieved", 1.0)),
                 warning=float(status.get("warning", 0.9)), org_unit=str(k.get("org_unit", "전사")))


def _default_rules() -> Rules:
    from ccm.settings import load_settings

    return rules_from(load_settings())


# ---------------------------------------------------------------------------------------------
# Attainment engine (pure)

def evaluate(direction: str, aggregation: str, annual_target: float, plan: list[float] | None,
             values: dict[int, float], month: int, cap: float) -> dict:
    """Attainment of one KPI at the end of `month` from its monthly values (missing months absent).

    cumulative: YTD sum vs YTD target (plan of the reported months, else annual × reported/12);
    average: mean of reported months vs annual target (or mean plan of those months);
    latest: the latest reported value vs the target for that month. Missing months are neither zero
    nor part of the target; they are listed.
    """
    reported = sorted(m for m, v in values.items() if 1 <= m <= month and v is not None and not _nan(v))
    missing = [m for m in range(1, month + 1) if m not in reported]
    out = {"actual": None, "target": None, "attainment": None, "reported": len(reported),
           "missing_months": missing, "last_month": reported[-1] if reported else None}
    if not reported:
        return out
    has_plan = plan is not None and len(plan) == 12 and not any(_nan(p) for p in plan)
    vals = [float(values[m]) for m in reported]
    if aggregation == "cumulative":
        actual = sum(vals)
        target = sum(plan[m - 1] for m in reported) if has_plan else annual_target * len(reported) / 12
    elif aggregation == "average":
        actual = sum(vals) / len(vals)
        target = sum(plan[m - 1] for m in reported) / len(reported) if has_plan else annual_target
    else:
        actual = vals[-1]
        target = plan[reported[-1] - 1] if has_plan else annual_target
    if direction == "zero":
        target = 0.0
    out.update(actual=actual, target=target, attainment=ratio(direction, actual, target, cap))
    return out


def ratio(direction: str, actual: float, target: float, cap: float) -> float:
    """Attainment 0..cap. higher: actual/target; lower: target/actual (actual 0 → cap, the best
    possible); zero: 1 only when actual is 0, else 0. A target of 0 is met by not exceeding it."""
    if direction == "zero":
        return 1.0 if actual == 0 else 0.0
    if direction == "lower":
        if actual <= 0:
            return cap if target > 0 else 1.0
        value = target / actual if target > 0 else 0.0
    else:
        if target <= 0:
            return 1.0 if actual >= target else 0.0
        value = actual / target
    return min(max(value, 0.0), cap)


def status(attainment: float | None, rules: Rules) -> str:
    if attainment is None or _nan(attainment):
        return "실적 없음"
    if attainment >= rules.achieved:
        return "달성"
    return "주의" if attainment >= rules.warning else "미달"


def gap(direction: str, actual: float | None, target: float | None) -> float | None:
    """Shortfall to the target in the KPI's own unit (0 when met)."""
    if actual is None or target is None or _nan(actual) or _nan(target):
        return None
    if direction == "higher":
        return max(target - actual, 0.0)
    return max(actual - target, 0.0)


def _nan(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


# ---------------------------------------------------------------------------------------------
# Queries

def has_data(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT EXISTS (SELECT 1 FROM kpi_definitions)").fetchone()[0]


def definitions(con: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    return con.execute(
        "SELECT * EXCLUDE (source_row, batch_id, updated_batch_id) FROM kpi_definitions WHERE year = ? "
        "ORDER BY department, strategy, task, core_task, indicator", [year]).df()


def manual_actuals(con: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    return con.execute("SELECT month, department, indicator, actual, note FROM kpi_actuals WHERE year = ? "
                       "ORDER BY department, indicator, month", [year]).df()


def review_months(con: duckdb.DuckDBPyConnection, now_year: int, now_month: int) -> list[tuple[int, int]]:
    """Months that can be reviewed, newest first: every month of a year with definitions, up to now."""
    years = [r[0] for r in con.execute("SELECT DISTINCT year FROM kpi_definitions ORDER BY year DESC").fetchall()]
    return [(y, m) for y in years for m in range(12, 0, -1) if (y, m) <= (now_year, now_month)]


def latest_actual_month(con: duckdb.DuckDBPyConnection) -> tuple[int, int] | None:
    row = con.execute("SELECT year, month FROM kpi_actuals ORDER BY year DESC, month DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else None


def monthly(con: duckdb.DuckDBPyConnection, year: int, month: int, rules: Rules | None = None) -> pd.DataFrame:
    """One row per KPI × month 1..month: the value used (manual overrides automatic), where it came
    from, the automatic value beside it and the note."""
    rules = rules or _default_rules()
    defs = definitions(con, year)
    cols = ["department", "indicator", "month", "actual", "origin", "auto_value", "manual_value", "note", "source"]
    if defs.empty:
        return pd.DataFrame(columns=cols)
    grid = defs[["department", "indicator", "source"]].merge(pd.DataFrame({"month": range(1, month + 1)}), how="cross")
    manual = con.execute(
        "SELECT department, indicator, month, actual AS manual_value, note FROM kpi_actuals "
        "WHERE year = ? AND month <= ?", [year, month]).df()
    auto = automatic(con, defs, year, month, rules)
    grid = grid.merge(manual, how="left", on=["department", "indicator", "month"])
    grid = grid.merge(auto, how="left", on=["department", "indicator", "month"])
    grid["manual_value"] = grid["manual_value"].astype("float64")
    grid["auto_value"] = grid["auto_value"].astype("float64")
    has_m, has_a = grid["manual_value"].notna(), grid["auto_value"].notna()
    grid["actual"] = grid["manual_value"].where(has_m, grid["auto_value"])
    grid["origin"] = "누락"
    grid.loc[has_a & ~has_m, "origin"] = "자동"
    grid.loc[has_m, "origin"] = "수기"
    grid.loc[has_m & has_a, "origin"] = "수기(자동 대체)"
    grid.loc[~has_m & ~has_a & grid["source"].notna(), "origin"] = "자동 실적 없음"
    return grid[cols]


def automatic(con: duckdb.DuckDBPyConnection, defs: pd.DataFrame, year: int, month: int, rules: Rules) -> pd.DataFrame:
    """Automatic monthly values for the KPIs whose source names one (pcsi, voc_compliance, voc_count:TYPE)."""
    frames = []
    auto = defs[defs["source"].notna()]
    counts = voc_month_counts(con, year, month) if not auto.empty else None
    pcsi: dict[int, float | None] = {}
    for row in auto.itertuples():
        vals = source_values(con, row.source, year, month, row.department, rules, counts, pcsi)
        frames.append(pd.DataFrame({"department": row.department, "indicator": row.indicator,
                                    "month": list(vals), "auto_value": list(vals.values())}))
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame({"department": pd.Series(dtype="str"), "indicator": pd.Series(dtype="str"),
                             "month": pd.Series(dtype="int64"), "auto_value": pd.Series(dtype="float64")})
    return pd.concat(frames, ignore_index=True)


def voc_month_counts(con: duckdb.DuckDBPyConnection, year: int, month: int) -> pd.DataFrame:
    """VOC items of the year up to `month` by department, month and type: received, met, decided."""
    return con.execute(
        """SELECT department, month(received_at) AS month, voc_type, count(*) AS received,
                  count(*) FILTER (sla_met) AS met, count(sla_met) AS decided
           FROM voc WHERE received_at >= make_date(?, 1, 1) AND received_at < make_date(?, 1, 1)
             AND month(received_at) <= ? GROUP BY ALL""", [year, year + 1, month]).df()


def source_values(con: duckdb.DuckDBPyConnection, source: str, year: int, month: int, department: str,
                  rules: Rules, counts: pd.DataFrame | None = None,
                  pcsi: dict[int, float | None] | None = None) -> dict[int, float]:
    """month → value of one automatic source for a department (the organisation unit = everyone).
    A VOC count is 0 in a month with VOC data but none of the type; months without VOC data are missing."""
    kind, _, arg = source.partition(":")
    if kind == "pcsi":
        pcsi = {} if pcsi is None else pcsi
        if year not in pcsi:
            pcsi[year] = pcsi_index(con, year)
        return {m: pcsi[year] for m in range(1, month + 1)} if pcsi[year] is not None else {}
    counts = voc_month_counts(con, year, month) if counts is None else counts
    covered = sorted(int(m) for m in counts["month"].unique())
    mine = counts if department == rules.org_unit else counts[counts["department"] == department]
    if kind == "voc_compliance":
        g = mine.groupby("month")[["met", "decided"]].sum()
        return {int(m): 100.0 * r.met / r.decided for m, r in g.iterrows() if r.decided}
    if kind == "voc_count":
        g = mine[mine["voc_type"] == arg].groupby("month")["received"].sum()
        return {m: float(g.get(m, 0)) for m in covered}
    return {}


def pcsi_index(con: duckdb.DuckDBPyConnection, year: int) -> float | None:
    """The PCSI overall index of the year, or None when the survey module or its data is not there."""
    fn = getattr(importlib.import_module("ccm.pcsi"), "overall_index", None)
    return fn(con, year) if fn is not None else None


def pcsi_available() -> bool:
    return getattr(importlib.import_module("ccm.pcsi"), "overall_index", None) is not None


def review(con: duckdb.DuckDBPyConnection, year: int, month: int, rules: Rules | None = None,
           departments: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The scorecard at the end of `month`: one row per KPI with YTD actual, target, attainment,
    status, gap and the months missing. `departments` filters (the organisation unit always stays)."""
    rules = rules or _default_rules()
    defs = _scoped_definitions(con, year, rules, departments)
    if defs.empty:
        return pd.DataFrame(columns=REVIEW_COLUMNS)
    return _card(defs, _prepare(monthly(con, year, month, rules)), month, rules)


def _scoped_definitions(con, year: int, rules: Rules, departments: tuple[str, ...] | None) -> pd.DataFrame:
    defs = definitions(con, year)
    if departments is not None:
        defs = defs[defs["department"].isin(list(departments) + [rules.org_unit])]
    return defs


def off_track(con: duckdb.DuckDBPyConnection, year: int, month: int, rules: Rules | None = None,
              departments: tuple[str, ...] | None = None) -> pd.DataFrame:
    """KPIs under the achieved band at `month`, worst first, with the month since which they have been
    (the month after the last one at which they were achieved or had no actual yet)."""
    rules = rules or _default_rules()
    defs = _scoped_definitions(con, year, rules, departments)
    if defs.empty:
        return pd.DataFrame(columns=[*REVIEW_COLUMNS, "since"])
    values = _prepare(monthly(con, year, month, rules))
    card = _card(defs, values, month, rules)
    off = card["status"].isin(["미달", "주의"])
    since = []
    for d in defs[off.to_numpy()].to_dict("records"):
        series = values.get((d["department"], d["indicator"]), ({}, {}))[0]
        m = month
        while m > 1 and status(evaluate(d["direction"], d["aggregation"], d["annual_target"], plan_of(d), series,
                                        m - 1, rules.cap)["attainment"], rules) in ("미달", "주의"):
            m -= 1
        since.append(m)
    return card[off].assign(since=since).sort_values(["attainment", "department"], ignore_index=True)


def plan_of(d) -> list[float] | None:
    """A definition's 12-month plan as floats, or None (stored NULL comes back as None, NaN or NA)."""
    p = d["plan"]
    return [float(x) for x in p] if isinstance(p, (list, tuple, np.ndarray)) else None


def _prepare(values: pd.DataFrame) -> dict[tuple[str, str], tuple[dict[int, float], dict[int, str]]]:
    """(department, indicator) → ({month: value} without missing months, {month: origin})."""
    out = {}
    for key, g in values.groupby(["department", "indicator"]):
        months = [int(m) for m in g["month"]]
        out[key] = ({m: float(v) for m, v in zip(months, g["actual"]) if not _nan(v)}, dict(zip(months, g["origin"])))
    return out


def _card(defs: pd.DataFrame, values: dict, month: int, rules: Rules) -> pd.DataFrame:
    rows = []
    for d in defs.to_dict("records"):
        series, origin = values.get((d["department"], d["indicator"]), ({}, {}))
        r = evaluate(d["direction"], d["aggregation"], d["annual_target"], plan_of(d), series, month, rules.cap)
        origins = {o for m, o in origin.items() if m <= month}
        rows.append({**{k: d[k] for k in ("department", "strategy", "task", "core_task", "indicator", "unit",
                                          "direction", "aggregation", "annual_target", "weight", "source")},
                     "actual": r["actual"], "target": r["target"], "attainment": r["attainment"],
                     "status": status(r["attainment"], rules), "gap": gap(d["direction"], r["actual"], r["target"]),
                     "last_month": r["last_month"], "reported": r["reported"],
                     "missing_months": ", ".join(f"{m}월" for m in r["missing_months"]),
                     "overridden": "수기(자동 대체)" in origins, "is_goal": d["department"] == rules.org_unit})
    return pd.DataFrame(rows, columns=REVIEW_COLUMNS)


REVIEW_COLUMNS = ["department", "strategy", "task", "core_task", "indicator", "unit", "direction", "aggregation",
                  "annual_target", "weight", "source", "actual", "target", "attainment", "status", "gap",
                  "last_month", "reported", "missing_months", "overridden", "is_goal"]


def scores(card: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Weighted attainment per department over its scored KPIs (the organisation unit excluded)."""
    c = card[(card["department"] != rules.org_unit) & card["attainment"].notna() & (card["weight"] > 0)]
    if c.empty:
        return pd.DataFrame({"department": pd.Series(dtype="str"), "score": pd.Series(dtype="float64"),
                             "n_kpis": pd.Series(dtype="int64")})
    c = c.assign(wa=c["attainment"].astype(float) * c["weight"])
    g = c.groupby("department", as_index=False).agg(wa=("wa", "sum"), w=("weight", "sum"), n_kpis=("indicator", "size"))
    g["score"] = g["wa"] / g["w"]
    return g[["department", "score", "n_kpis"]].sort_values("department", ignore_index=True)


def department_scores(con: duckdb.DuckDBPyConnection, year: int, month: int, rules: Rules | None = None) -> pd.DataFrame:
    """department, score (weighted attainment 0..cap over the KPIs with actuals), n_kpis."""
    rules = rules or _default_rules()
    return scores(review(con, year, month, rules), rules)


def org_score(con: duckdb.DuckDBPyConnection, year: int, month: int, rules: Rules | None = None) -> float | None:
    """The organisation's score: the mean of the department scores (each department counts once)."""
    return org_from(department_scores(con, year, month, rules))


def org_from(scores_: pd.DataFrame) -> float | None:
    return float(scores_["score"].mean()) if not scores_.empty else None


def changes(con: duckdb.DuckDBPyConnection, year: int, month: int, rules: Rules | None = None,
            departments: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Attainment and status now vs the previous month (December of last year for January)."""
    rules = rules or _default_rules()
    py, pm = previous_month(year, month)
    return compare(review(con, year, month, rules, departments), review(con, py, pm, rules, departments))


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year, month - 1) if month > 1 else (year - 1, 12)


def compare(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """KPIs whose status changed or whose attainment moved by 0.5%p or more, biggest move first."""
    before = before[["department", "indicator", "attainment", "status"]]
    m = now.merge(before, how="left", on=["department", "indicator"], suffixes=("", "_prev"))
    m["delta"] = m["attainment"].astype("float64") - m["attainment_prev"].astype("float64")
    changed = (m["status"] != m["status_prev"].fillna("실적 없음")) | (m["delta"].abs() >= 0.005)
    out = m[changed][["department", "indicator", "unit", "status_prev", "status", "attainment_prev", "attainment", "delta"]]
    out = out.assign(status_prev=out["status_prev"].fillna("실적 없음"))
    return out.sort_values("delta", key=lambda s: s.abs().fillna(0), ascending=False, ignore_index=True)


def trend(con: duckdb.DuckDBPyConnection, year: int, month: int, department: str, indicator: str,
          rules: Rules | None = None) -> pd.DataFrame:
    """Month by month: the value, the YTD actual and target path, attainment and where the value came from."""
    rules = rules or _default_rules()
    defs = definitions(con, year)
    d = defs[(defs["department"] == department) & (defs["indicator"] == indicator)]
    if d.empty:
        return pd.DataFrame()
    d = d.iloc[0]
    values = monthly(con, year, month, rules)
    mine = values[(values["department"] == department) & (values["indicator"] == indicator)]
    series = {int(m): v for m, v in zip(mine["month"], mine["actual"]) if not _nan(v)}
    rows = []
    for m in range(1, month + 1):
        r = evaluate(d["direction"], d["aggregation"], d["annual_target"], plan_of(d), series, m, rules.cap)
        src = mine[mine["month"] == m].iloc[0]
        rows.append({"month": m, "value": series.get(m), "origin": src["origin"], "note": src["note"],
                     "auto_value": src["auto_value"], "manual_value": src["manual_value"],
                     "ytd_actual": r["actual"], "ytd_target": r["target"], "attainment": r["attainment"]})
    return pd.DataFrame(rows)


def auto_detail(con: duckdb.DuckDBPyConnection, source: str, year: int, month: int, department: str,
                with_items: bool, rules: Rules | None = None) -> pd.DataFrame:
    """The data behind an automatic actual: VOC items of the month (texts only when allowed), or the
    PCSI index of the year."""
    rules = rules or _default_rules()
    kind, _, arg = source.partition(":")
    if kind == "pcsi":
        return pd.DataFrame({"연도": [year], "PCSI 종합지수": [pcsi_index(con, year)]})
    dept_sql, params = ("TRUE", []) if department == rules.org_unit else ("department = ?", [department])
    type_sql = " AND voc_type = ?" if kind == "voc_count" else ""
    params = [year, month, *params] + ([arg] if kind == "voc_count" else [])
    where = f"year(received_at) = ? AND month(received_at) = ? AND {dept_sql}{type_sql}"
    if not with_items:
        return con.execute(
            f"""SELECT voc_type AS 유형, count(*) AS 접수, count(sla_met) AS 처리완료,
                       count(*) FILTER (sla_met) AS 기한내처리 FROM voc WHERE {where} GROUP BY 1 ORDER BY 1""",
            params).df()
    return con.execute(
        f"""SELECT voc_id AS 접수번호, received_at AS 접수일시, voc_type AS 유형, department AS 부서,
                   facility AS 시설, status AS 처리상태, due_at AS 처리기한, completed_at AS 처리일시,
                   sla_met AS 기한준수, title AS 제목
            FROM voc WHERE {where} ORDER BY sla_met NULLS FIRST, received_at""", params).df()


LABELS = {"department": "부서", "strategy": "핵심전략", "task": "전략과제", "core_task": "KPI 핵심과제",
          "indicator": "지표", "unit": "단위", "direction": "방향", "aggregation": "집계", "annual_target": "연간목표",
          "weight": "가중치", "source": "자동실적", "actual": "누계 실적", "target": "누계 목표",
          "attainment": "달성률", "status": "상태", "gap": "목표까지 부족분", "last_month": "최근 실적 월",
          "reported": "실적 월 수", "missing_months": "미입력 월", "overridden": "수기 대체", "since": "미달·주의 시작 월",
          "status_prev": "지난달 상태", "attainment_prev": "지난달 달성률", "delta": "달성률 변화",
          "score": "점수", "n_kpis": "평가 KPI 수"}


def to_display(df: pd.DataFrame) -> pd.DataFrame:
    """Korean column names and labels; attainment stays a fraction (0.95 = 95%)."""
    out = df.drop(columns=[c for c in ("is_goal",) if c in df.columns]).copy()
    if "direction" in out:
        out["direction"] = out["direction"].map(DIRECTIONS)
    if "aggregation" in out:
        out["aggregation"] = out["aggregation"].map(AGGREGATIONS)
    for c in ("actual", "target", "gap"):
        if c in out:
            out[c] = out[c].astype("float64").round(2)
    return out.rename(columns=LABELS)


# ---------------------------------------------------------------------------------------------
# Rollback

def rollback(con: duckdb.DuckDBPyConnection, batch_id: int) -> dict:
    """Undo one KPI batch exactly: remove what it inserted, restore what it replaced.

    Only the latest loaded KPI batch can be undone (a later batch may have built on it)."""
    row = con.execute("SELECT kind, status FROM load_batches WHERE batch_id = ?", [batch_id]).fetchone()
    if row is None or row[0] != "kpi":
        raise ValueError(f"KPI 적재 이력이 아닙니다: {batch_id}")
    if row[1] != "loaded":
        raise ValueError(f"이미 되돌린 적재입니다: {batch_id}")
    later = con.execute("SELECT min(batch_id) FROM load_batches WHERE kind = 'kpi' AND status = 'loaded' "
                        "AND batch_id > ?", [batch_id]).fetchone()[0]
    if later is not None:
        raise ValueError(f"나중에 적재된 KPI 파일(적재 번호 {later})을 먼저 되돌려야 합니다.")
    counts = {}
    with transaction(con):
        for table in ("kpi_definitions", "kpi_actuals"):
            removed = con.execute(f"DELETE FROM {table} WHERE updated_batch_id = ?", [batch_id]).fetchone()[0]
            restored = con.execute(
                f"INSERT INTO {table} SELECT * EXCLUDE (replaced_by_batch) FROM {table}_replaced "
                "WHERE replaced_by_batch = ?", [batch_id]).fetchone()[0]
            con.execute(f"DELETE FROM {table}_replaced WHERE replaced_by_batch = ?", [batch_id])
            name = table.removeprefix("kpi_")
            counts.update({f"{name}_removed": removed, f"{name}_restored": restored})
        con.execute("UPDATE load_batches SET status = 'rolled_back' WHERE batch_id = ?", [batch_id])
    return counts
