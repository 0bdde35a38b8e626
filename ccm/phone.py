"""Phone-courtesy monitoring (전화친절도 모니터링, manual §1.3-13, §3.1.1, §5.1.1): the checklist from the
settings, scores by department and period with n, trend and the weakest items, the KPI and ranking
figures, the report sheet's frame and rollback of a load.

A call's score = Σ item scores ÷ Σ item maxima × 100 (100-point scale). The maxima are stored with each
call, so a later change of the checklist never rewrites what was loaded. An item's strength = its
score as % of its maximum.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from ccm.db import transaction
from ccm.period import Scope

# Tables: phone_calls, phone_scores (ccm/schema.py PHONE_TABLES).
EVALUATOR_TYPES = ("내부", "교차기관", "외부기관")
PERIODS = {"month": "월", "quarter": "분기", "half": "반기"}
DEFAULT_ITEMS = (("인사", 25.0), ("응대", 25.0), ("정확성", 25.0), ("종결", 25.0))


@dataclass(frozen=True)
class Item:
    name: str
    max_score: float
    aliases: tuple[str, ...] = ()


def _section(settings: Any):
    """The typed [phone] section (ccm.settings_sections.PhoneSettings); its defaults without settings."""
    from ccm.settings import typed
    from ccm.settings_sections import PhoneSettings

    return typed(settings).phone if settings is not None else PhoneSettings()


def checklist(settings: Any) -> tuple[Item, ...]:
    """The checklist items with their maxima (설정 [phone] items; the product default when absent)."""
    items = _section(settings).items
    if not items:
        return tuple(Item(n, m) for n, m in DEFAULT_ITEMS)
    return tuple(Item(str(i.name), float(i.max), tuple(str(a) for a in i.aliases)) for i in items)


def min_n(settings: Any) -> int:
    return int(_section(settings).min_n)


def evaluator_types(settings: Any) -> tuple[str, ...]:
    return tuple(_section(settings).evaluator_types) or EVALUATOR_TYPES


def validate_settings(raw: dict) -> list[str]:
    """The in-app settings editor's hook: the [phone] checklist must be usable."""
    p = raw.get("phone") if isinstance(raw.get("phone"), dict) else {}
    items = p.get("items", [])
    errors = []
    if not isinstance(items, list) or not items:
        return ["[phone] items: 점검 항목이 하나 이상 있어야 합니다(name, max)."]
    names = [i.get("name") if isinstance(i, dict) else None for i in items]
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
            errors.append(f"[phone] items {i}번째: 항목 이름(name)이 없습니다.")
        elif (
            not isinstance(item.get("max"), (int, float))
            or isinstance(item.get("max"), bool)
            or item["max"] <= 0
        ):
            errors.append(f"[phone] items '{item['name']}': 배점(max)은 0보다 큰 수여야 합니다.")
    dup = sorted({n for n in names if n and names.count(n) > 1})
    if dup:
        errors.append(f"[phone] items: 같은 항목 이름이 두 번 있습니다({', '.join(dup)}).")
    n = p.get("min_n", 5)
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        errors.append(f"[phone] min_n = {n}: 1 이상의 정수여야 합니다.")
    return errors


# ---------------------------------------------------------------------------------------------
# Queries


def has_data(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT EXISTS (SELECT 1 FROM phone_calls)").fetchone()[0]


def _period_sql(period: str) -> str:
    if period == "quarter":
        return "make_date(year(call_date), (quarter(call_date) - 1) * 3 + 1, 1)"
    if period == "half":
        return "make_date(year(call_date), CASE WHEN month(call_date) <= 6 THEN 1 ELSE 7 END, 1)"
    if period == "year":
        return "make_date(year(call_date), 1, 1)"
    return "date_trunc('month', call_date)::DATE"


def period_label(start: date, period: str) -> str:
    if period == "quarter":
        return f"{start.year}년 {(start.month - 1) // 3 + 1}분기"
    if period == "half":
        return f"{start.year}년 {'상' if start.month <= 6 else '하'}반기"
    if period == "year":
        return f"{start.year}년"
    return f"{start.year}년 {start.month}월"


def _where(scope: Scope) -> tuple[str, list]:
    return scope.where("c.call_date", "c.department")


def overall(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict:
    """n calls, mean score (100-point, None without calls) and the departments monitored in the scope."""
    where, params = _where(scope)
    n, score, depts = con.execute(
        f"SELECT count(*), avg(total / total_max * 100), count(DISTINCT department) FROM phone_calls c WHERE {where}",
        params,
    ).fetchone()
    return {"n": int(n), "score": None if score is None else float(score), "departments": int(depts)}


def scores(
    con: duckdb.DuckDBPyConnection, scope: Scope, period: str = "month", min_n_: int = 5
) -> pd.DataFrame:
    """One row per department × period: n calls, mean score, change vs the department's previous period
    in the table, the weakest item and its % of max, small_n (n below min_n_: not to be compared)."""
    key = _period_sql(period)
    where, params = _where(scope)
    calls = con.execute(
        f"""SELECT department, {key} AS period_start, count(*) AS n, avg(total / total_max * 100) AS score
            FROM phone_calls c WHERE {where} GROUP BY ALL ORDER BY department, period_start""",
        params,
    ).df()
    items = con.execute(
        f"""SELECT c.department, {key.replace("call_date", "c.call_date")} AS period_start, s.item,
                   avg(s.score / s.max_score) AS pct
            FROM phone_calls c JOIN phone_scores s USING (call_id) WHERE {where} GROUP BY ALL""",
        params,
    ).df()
    cols = [
        "department",
        "period",
        "period_start",
        "n",
        "score",
        "change",
        "weakest_item",
        "weakest_pct",
        "small_n",
    ]
    if calls.empty:
        return pd.DataFrame(columns=cols)
    weakest = _weakest(items, ["department", "period_start"])
    out = calls.merge(weakest, how="left", on=["department", "period_start"])
    out["period_start"] = pd.to_datetime(out["period_start"]).dt.date
    out["period"] = [period_label(d, period) for d in out["period_start"]]
    out["change"] = out.groupby("department")["score"].diff()
    out["small_n"] = out["n"] < min_n_
    return out[cols].reset_index(drop=True)


def _weakest(items: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per group the item with the lowest % of max (ties: the first in name order)."""
    if items.empty:
        return pd.DataFrame(columns=[*by, "weakest_item", "weakest_pct"])
    ordered = items.sort_values([*by, "pct", "item"], kind="stable")
    first = ordered.groupby(by, as_index=False).first()
    return first.rename(columns={"item": "weakest_item", "pct": "weakest_pct"})[
        [*by, "weakest_item", "weakest_pct"]
    ]


def item_scores(con: duckdb.DuckDBPyConnection, scope: Scope, by_department: bool = True) -> pd.DataFrame:
    """Per item (and department): n calls scored, mean score, max, share of max (pct, 0..1) and its rank
    (1 = weakest)."""
    where, params = _where(scope)
    dept = "c.department, " if by_department else ""
    df = con.execute(
        f"""SELECT {dept}s.item, count(*) AS n, avg(s.score) AS mean_score, avg(s.max_score) AS max_score,
                   avg(s.score / s.max_score) AS pct
            FROM phone_calls c JOIN phone_scores s USING (call_id) WHERE {where} GROUP BY ALL""",
        params,
    ).df()
    by = ["department"] if by_department else []
    if df.empty:
        return pd.DataFrame(columns=[*by, "item", "n", "mean_score", "max_score", "pct", "rank"])
    df = df.sort_values([*by, "pct", "item"], kind="stable", ignore_index=True)
    df["rank"] = df.groupby(by).cumcount() + 1 if by else range(1, len(df) + 1)
    return df


def by_department(con: duckdb.DuckDBPyConnection, scope: Scope, min_n_: int = 5) -> pd.DataFrame:
    """One row per department over the whole scope: n, score, change vs the previous period of the same
    length, weakest item and its % of max, small_n; best score first (small samples last)."""
    cur = department_totals(con, scope)
    cols = ["department", "n", "score", "previous", "change", "weakest_item", "weakest_pct", "small_n"]
    if cur.empty:
        return pd.DataFrame(columns=cols)
    prev = department_totals(con, scope.previous()).rename(columns={"score": "previous"})[
        ["department", "previous"]
    ]
    items = item_scores(con, scope)[["department", "item", "pct"]]
    out = cur.merge(prev, how="left", on="department").merge(
        _weakest(items, ["department"]), how="left", on="department"
    )
    out["change"] = out["score"] - out["previous"]
    out["small_n"] = out["n"] < min_n_
    return out.sort_values(
        ["small_n", "score", "department"], ascending=[True, False, True], ignore_index=True
    )[cols]


def department_totals(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    where, params = _where(scope)
    return con.execute(
        f"""SELECT department, count(*) AS n, avg(total / total_max * 100) AS score
            FROM phone_calls c WHERE {where} GROUP BY ALL ORDER BY department""",
        params,
    ).df()


def by_evaluator_type(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """n and mean score per evaluator type (내부 / 교차기관 / 외부기관)."""
    where, params = _where(scope)
    return con.execute(
        f"""SELECT evaluator_type, count(*) AS n, avg(total / total_max * 100) AS score
            FROM phone_calls c WHERE {where} GROUP BY ALL ORDER BY evaluator_type""",
        params,
    ).df()


def calls(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """The calls of the scope (one row each, item scores as columns in checklist order of first load)."""
    where, params = _where(scope)
    base = con.execute(
        f"""SELECT call_id, call_date, department, evaluator_id, evaluator_type, total, total_max,
                   total / total_max * 100 AS score, note
            FROM phone_calls c WHERE {where} ORDER BY call_date, department, call_id""",
        params,
    ).df()
    if base.empty:
        return base.drop(columns=["call_id"])
    long = con.execute(
        f"""SELECT s.call_id, s.item, s.score FROM phone_scores s JOIN phone_calls c USING (call_id)
            WHERE {where}""",
        params,
    ).df()
    order = list(dict.fromkeys(long["item"]))
    wide = long.pivot(index="call_id", columns="item", values="score").reindex(columns=order)
    return base.merge(wide, how="left", left_on="call_id", right_index=True).drop(columns=["call_id"])


def monthly_score(
    con: duckdb.DuckDBPyConnection, year: int, month: int, department: str | None = None
) -> dict[int, tuple[float, int]]:
    """month → (mean score, n calls) of `year` up to `month` (a department, or everyone)."""
    sql = (
        "SELECT month(call_date) AS m, avg(total / total_max * 100), count(*) FROM phone_calls "
        "WHERE year(call_date) = ? AND month(call_date) <= ?"
    )
    params: list = [year, month]
    if department is not None:
        sql += " AND department = ?"
        params.append(department)
    return {int(m): (float(s), int(n)) for m, s, n in con.execute(sql + " GROUP BY 1", params).fetchall()}


def report_frame(
    con: duckdb.DuckDBPyConnection, scope: Scope, now: Any = None, min_n_: int = 5
) -> pd.DataFrame:
    """The semiannual workbook's sheet: per department n, score, change vs the previous half, weakest
    item (Korean columns); empty when nothing was monitored in the scope."""
    return to_display(by_department(con, scope, min_n_), min_n_)


LABELS = {
    "department": "부서",
    "period": "기간",
    "n": "모니터링 건수",
    "score": "점수",
    "previous": "직전 기간 점수",
    "change": "직전 대비 변화",
    "weakest_item": "가장 약한 항목",
    "weakest_pct": "가장 약한 항목 득점률",
    "small_n": "표본",
    "item": "항목",
    "mean_score": "평균 점수",
    "max_score": "배점",
    "pct": "득점률",
    "rank": "약한 순위",
    "evaluator_type": "평가자 구분",
    "call_date": "통화일",
    "evaluator_id": "평가자",
    "total": "합계",
    "total_max": "만점",
    "note": "비고",
}
KINDS = {
    "score": "score",
    "previous": "score",
    "change": "score",
    "mean_score": "score",
    "max_score": "score",
    "total": "score",
    "total_max": "score",
    "weakest_pct": "pct",
    "pct": "pct",
    "n": "count",
    "rank": "count",
    "call_date": "date",
}


def to_display(df: pd.DataFrame, min_n_: int | None = None) -> pd.DataFrame:
    """Korean column names, '표본 부족' for small samples, formats by kind (df.attrs["kinds"])."""
    out = df.drop(columns=[c for c in ("period_start",) if c in df.columns]).copy()
    if "small_n" in out:
        short = f"표본 부족({min_n_}건 미만)" if min_n_ else "표본 부족"
        out["small_n"] = out["small_n"].map(lambda b: short if bool(b) else "충분")
    out = out.rename(columns=LABELS)
    out.attrs["kinds"] = {LABELS[c]: k for c, k in KINDS.items() if LABELS[c] in out.columns}
    return out


# ---------------------------------------------------------------------------------------------
# Rollback


def rollback(con: duckdb.DuckDBPyConnection, batch_id: int) -> dict:
    """Undo one phone-monitoring load: its calls and item scores go, the batch is marked rolled back.
    Loads only add calls, so any of them can be undone on its own."""
    row = con.execute("SELECT kind, status FROM load_batches WHERE batch_id = ?", [batch_id]).fetchone()
    if row is None or row[0] != "phone":
        raise ValueError(f"전화친절도 적재 이력이 아닙니다: {batch_id}")
    if row[1] != "loaded":
        raise ValueError(f"이미 되돌린 적재입니다: {batch_id}")
    with transaction(con):
        con.execute(
            "DELETE FROM phone_scores WHERE call_id IN (SELECT call_id FROM phone_calls WHERE batch_id = ?)",
            [batch_id],
        )
        removed = con.execute("DELETE FROM phone_calls WHERE batch_id = ?", [batch_id]).fetchone()[0]
        con.execute("UPDATE load_batches SET status = 'rolled_back' WHERE batch_id = ?", [batch_id])
    return {"removed": int(removed)}
