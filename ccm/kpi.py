"""KPI attainment: definitions and monthly actuals per load batch, automatic actuals from the store,
the attainment engine (every direction × aggregation), department/organisation scores, rollback.

Definitions are keyed by (year, department, indicator); manual actuals by (year, month, department,
indicator). A later batch replaces a key's row and keeps the previous version in *_replaced, so a
batch can be rolled back exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ccm import kpi_sources
from ccm import pcsi as surveys
from ccm.db import transaction
from ccm.settings import Settings, typed
from ccm.settings_sections import KpiSettings, KpiStatusSettings
from ccm.voc_analytics import pooled_compliance

DIRECTIONS = {"higher": "높을수록 좋음", "lower": "낮을수록 좋음", "zero": "0이 목표"}
AGGREGATIONS = {"cumulative": "누적", "average": "평균", "latest": "최근값"}
STATUS_ORDER = ["미달", "주의", "달성", "미입력", "목표 없음", "실적 없음"]

DEF_KEY = ("year", "department", "indicator")
ACT_KEY = ("year", "month", "department", "indicator")


MISSING = {
    "flag": "미입력으로 표시",
    "zero": "0으로 셈",
    "carry": "직전 달 값으로 채움",
    "exclude": "빼고 판정",
}


@dataclass(frozen=True)
class Rules:
    """The settings the engine needs, hashable so that pages can pass them to cached queries."""

    cap: float = KpiSettings.cap  # defaults: the [kpi] section's (ccm.settings_sections)
    achieved: float = KpiStatusSettings.achieved
    warning: float = KpiStatusSettings.warning
    org_unit: str = KpiSettings.org_unit
    precision: float = KpiSettings.precision  # %p: attainment is shown and banded at this step
    missing: str = (
        KpiSettings.missing_months
    )  # a month without a manual actual: flag | zero | carry | exclude


def rules_from(settings: Settings | dict | None) -> Rules:
    """The engine's rules from [kpi] (checked when the settings load; the defaults without settings)."""
    k = typed(settings).kpi if settings is not None else KpiSettings()
    return Rules(
        cap=k.cap,
        achieved=k.status.achieved,
        warning=k.status.warning,
        org_unit=k.org_unit,
        precision=k.precision,
        missing=k.missing_months,
    )


def _default_rules() -> Rules:
    from ccm.settings import load_settings

    return rules_from(load_settings())


# ---------------------------------------------------------------------------------------------
# Attainment engine (pure). Sums and ratios are computed in decimal from the figures as entered
# (4.2 + 4.9 + 5.9 is 15, not 15.000000000000002), and the attainment is rounded to the precision
# users see before it is banded, so the figure shown and its status always agree.


def _dec(x: float | Decimal) -> Decimal:
    return x if isinstance(x, Decimal) else Decimal(repr(float(x)))


def quantum(rules: Rules) -> Decimal:
    """The attainment step users see, as a fraction (precision 0.1 %p → 0.001)."""
    return Decimal(repr(float(rules.precision))) / 100


def rounded(attainment: float | Decimal | None, rules: Rules) -> float | None:
    """Attainment rounded half-up to the shown precision (None stays None)."""
    if attainment is None or _nan(attainment):
        return None
    return float(_dec(attainment).quantize(quantum(rules), rounding=ROUND_HALF_UP))


def fmt_attainment(attainment: float | None, rules: Rules) -> str:
    """The attainment as shown everywhere: 100.0% at precision 0.1 %p; — without one."""
    a = rounded(attainment, rules)
    return "—" if a is None else f"{_dec(a) * 100:.{decimals(rules)}f}%"


def decimals(rules: Rules) -> int:
    """Decimal places of a percentage at the rules' precision (0.1 %p → 1)."""
    return max(0, -Decimal(repr(float(rules.precision))).normalize().as_tuple().exponent)


def evaluate(
    direction: str,
    aggregation: str,
    annual_target: float,
    plan: list[float] | None,
    values: dict[int, float],
    month: int,
    rules: Rules,
    automatic: bool = False,
    pooled: dict[int, tuple[Decimal, int]] | None = None,
) -> dict:
    """Attainment of one KPI at the end of `month` from its monthly values (missing months absent).

    The review period is January..month. 누적: sum vs the period's target (the plan's months, else
    annual × month ÷ 12); 평균: mean vs annual (or the plan's mean); 최근값: the latest value entered
    vs annual (or that month's plan). A month without a value is treated by `rules.missing` (flag:
    the KPI is 미입력; zero; carry; exclude: left out of actual and target) — automatic KPIs always
    exclude. 0이 목표 is judged on the period's sum. See `rules_text` for the rules in Korean.
    `pooled` (month → items met, items decided) makes an average of a rate the pooled rate over the
    period, 100 × Σ met ÷ Σ decided (VOC deadline compliance), when every month used has its counts.
    Returns actual, target, attainment (rounded to rules.precision, None when not judged), state
    (None, or the status shown instead of a band: 실적 없음 / 미입력 / 목표 없음), reported,
    missing_months, filled_months, last_month."""
    given = {m: _dec(v) for m, v in values.items() if 1 <= m <= month and not _nan(v)}
    missing = [m for m in range(1, month + 1) if m not in given]
    out = {
        "actual": None,
        "target": None,
        "attainment": None,
        "state": None,
        "reported": len(given),
        "missing_months": missing,
        "filled_months": [],
        "last_month": max(given) if given else None,
    }
    treatment = "exclude" if automatic else rules.missing
    agg = "cumulative" if direction == "zero" else aggregation
    if treatment == "zero" and (direction != "higher" or agg == "latest"):
        treatment = "flag"  # 0 would be the best value of a lower-is-better KPI: never filled with it
    if not given and treatment != "zero":
        out["state"] = "실적 없음" if treatment == "exclude" else "미입력"
        return out
    plan_d = (
        [_dec(p) for p in plan]
        if plan is not None and len(plan) == 12 and not any(_nan(p) for p in plan)
        else None
    )
    if agg == "latest":
        vals, months = [given[out["last_month"]]], [out["last_month"]]
    else:
        used, months = _fill(given, month, treatment)
        out["filled_months"] = [m for m in months if m not in given]
        vals = [used[m] for m in sorted(used)]
        settled = (
            direction == "zero" and sum(vals, Decimal(0)) > 0
        )  # an incident entered: 0% whatever is missing
        if any(m not in used for m in months) and not settled:
            out["state"] = "미입력"  # actual: the months entered; target: the whole period
    actual, target = _period(agg, vals, months, _dec(annual_target), plan_d)
    if agg == "average" and pooled and months and all(m in pooled for m in months):
        actual = (
            100
            * sum((_dec(pooled[m][0]) for m in months), Decimal(0))
            / sum(Decimal(pooled[m][1]) for m in months)
        )
    if direction == "zero":
        target = Decimal(0)
    out.update(actual=float(actual), target=float(target))
    if out["state"] is None:
        value = _ratio(direction, actual, target, _dec(rules.cap))  # exact until rounded to the shown step
        out["state"] = "목표 없음" if value is None else None
        out["attainment"] = rounded(value, rules)
    return out


def _fill(given: dict[int, Decimal], month: int, treatment: str) -> tuple[dict[int, Decimal], list[int]]:
    """(month → value used, months of the period) under a missing-month treatment."""
    if treatment == "exclude":
        return given, sorted(given)
    used = dict(given)
    last = None
    for m in range(1, month + 1):
        if m in given:
            last = given[m]
        elif treatment == "zero":
            used[m] = Decimal(0)
        elif treatment == "carry" and last is not None:
            used[m] = last
    return used, list(range(1, month + 1))


def _period(
    agg: str, vals: list[Decimal], months: list[int], annual: Decimal, plan: list[Decimal] | None
) -> tuple[Decimal, Decimal]:
    if agg == "cumulative":
        target = sum((plan[m - 1] for m in months), Decimal(0)) if plan else annual * len(months) / 12
        return sum(vals, Decimal(0)), target
    if agg == "average":
        target = sum((plan[m - 1] for m in months), Decimal(0)) / len(months) if plan else annual
        return sum(vals, Decimal(0)) / len(vals), target
    return vals[-1], plan[months[-1] - 1] if plan else annual


def ratio(direction: str, actual: float | Decimal, target: float | Decimal, cap: float) -> float | None:
    """Attainment 0..cap, exact (decimal). higher: actual ÷ target; lower: target ÷ actual (an actual
    of 0 or less → cap, the best possible); zero: 1 when actual is 0, else 0. A target of 0 or less
    for higher/lower gives None: there is nothing to judge against (the loader refuses such targets;
    a monthly plan can make the period's target 0 — '목표 없음')."""
    value = _ratio(direction, _dec(actual), _dec(target), _dec(cap))
    return None if value is None else float(value)


def _ratio(direction: str, a: Decimal, t: Decimal, cap: Decimal) -> Decimal | None:
    if direction == "zero":
        return Decimal(1) if a == 0 else Decimal(0)
    if t <= 0:
        return None
    value = (cap if a <= 0 else t / a) if direction == "lower" else a / t
    return min(max(value, Decimal(0)), cap)


def status(attainment: float | None, rules: Rules) -> str:
    """달성 / 주의 / 미달 by the bands, compared after rounding to the shown precision."""
    a = rounded(attainment, rules)
    if a is None:
        return "실적 없음"
    if _dec(a) >= _dec(rounded(rules.achieved, rules)):
        return "달성"
    return "주의" if _dec(a) >= _dec(rounded(rules.warning, rules)) else "미달"


def verdict(result: dict, rules: Rules) -> str:
    """The status of an `evaluate` result: its state when it is not judged, else the band."""
    return result["state"] or status(result["attainment"], rules)


def gap(direction: str, actual: float | None, target: float | None) -> float | None:
    """Shortfall to the target in the KPI's own unit (0 when met)."""
    if actual is None or target is None or _nan(actual) or _nan(target):
        return None
    a, t = _dec(actual), _dec(target)
    return float(max(t - a, Decimal(0)) if direction == "higher" else max(a - t, Decimal(0)))


def _nan(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA


# ---------------------------------------------------------------------------------------------
# The rules in words: one text for the README, the template's 안내 sheet, the review workbook and the
# page (tests/test_kpi_rules.py checks the README against it).

MISSING_TEXT = {
    "flag": "검토 월까지 실적이 빈 달이 하나라도 있으면 그 KPI는 '미입력'으로 표시하고 달성률을 매기지 않습니다.",
    "zero": "빈 달은 실적 0으로 셉니다(높을수록 좋음 지표만 — 낮을수록 좋음·0이 목표 지표는 0이 가장 좋은 값이라 '미입력'으로 둡니다).",
    "carry": "빈 달에는 바로 앞 달의 실적을 씁니다(앞에 입력된 달이 없으면 '미입력').",
    "exclude": "빈 달은 실적과 목표에서 함께 뺍니다(입력한 달 수에 비례 — 빈 달로 달성률이 지켜지므로 권하지 않습니다).",
}


def rules_text(rules: Rules, non_negative_units: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """The KPI rules in Korean, by section (values from the settings), for every place they are shown."""
    pct = lambda x: fmt_attainment(x, rules)  # noqa: E731
    units = ", ".join(non_negative_units) or "없음"
    return {
        "달성률": [
            "높을수록 좋음 = 실적 ÷ 목표. 낮을수록 좋음 = 목표 ÷ 실적(실적이 0이면 상한). "
            "0이 목표 = 검토 월까지의 합계가 0이면 100%, 1 이상이면 0%.",
            f"달성률은 0% 아래로 내려가지 않고 {pct(rules.cap)}를 넘지 않습니다(설정 [kpi] cap).",
        ],
        "기간": [
            "검토 기간은 그해 1월부터 검토 월까지입니다.",
            "누적: 검토 기간 실적의 합계를 같은 기간 목표와 비교합니다. 같은 기간 목표 = 월별 목표의 합계, "
            "월별 목표가 없으면 연간목표 × 검토 월 ÷ 12(지난 달 수에 비례).",
            "평균: 검토 기간 월 실적의 평균을 연간목표(월별 목표가 있으면 그 달들 목표의 평균)와 비교합니다. "
            "단, 자동실적 VOC 처리기한 준수율은 달마다의 준수율을 평균하지 않고 검토 기간 전체의 기한 내 처리 건수 ÷ "
            "처리 완료 건수로 셉니다(처리기한 준수 화면·부서 평가와 같은 값).",
            "최근값: 검토 월까지 가장 최근에 입력된 값을 연간목표(월별 목표가 있으면 그 달의 목표)와 비교합니다. "
            "그 뒤의 빈 달은 '미입력 월'로 표시만 합니다.",
            "월별 목표의 합계가 아직 0인 기간(예: 4월부터 계획한 누적 지표의 1~3월)은 '목표 없음'으로 판정하지 않습니다.",
        ],
        "미입력": [
            f'누적·평균 지표의 빈 달(수기 실적, 설정 [kpi] missing_months = "{rules.missing}"): '
            + MISSING_TEXT[rules.missing],
            "어떤 처리든 빈 달은 '미입력 월' 열에 모두 표시합니다. "
            "0이 목표 지표는 입력된 달에 이미 1건 이상이 있으면 빈 달이 있어도 0%입니다.",
            "최근값 지표는 검토 월까지 입력된 값이 하나도 없을 때 "
            + ("'실적 없음'" if rules.missing == "exclude" else "'미입력'")
            + "입니다.",
            "자동실적 지표는 원천 자료가 없는 달을 빼고 판정하고(부서가 입력하는 값이 아니므로), "
            "자료가 하나도 없으면 '실적 없음'으로 두어 부서 점수에서 뺍니다.",
        ],
        "판정": [
            f"달성률은 화면에 보이는 단위({rules.precision:g}%p)로 반올림한 값으로 상태를 정합니다(설정 [kpi] precision): "
            f"{pct(rules.achieved)} 이상 달성, {pct(rules.warning)} 이상 주의, 그 아래 미달 — 보이는 숫자와 상태가 늘 같습니다.",
            "합계·평균은 입력한 숫자 그대로 십진수로 계산합니다(예: 4.2, 4.9, 5.9의 평균은 정확히 5).",
        ],
        "점수": [
            "부서 점수 = 부서 KPI 달성률의 가중 평균(가중치). '미입력' KPI는 0%로 넣어 빈 달로 점수가 오르지 않게 하고, "
            "'목표 없음'·'실적 없음' KPI는 뺍니다. 기관 점수 = 부서 점수의 평균(경영목표 지표는 별도 카드).",
        ],
        "적재": [
            "높을수록 좋음·낮을수록 좋음 지표의 연간목표는 0보다 커야 합니다(0을 목표로 하려면 방향을 '0이 목표'로).",
            "0이 목표 지표는 연간목표가 0 또는 빈칸이고, 집계방식은 누적이어야 합니다(한 번의 사고도 잊지 않도록).",
            "월별 목표는 12개월을 모두 적거나 모두 비웁니다. 음수는 안 되고, 평균·최근값 지표는 모든 달이 0보다 커야 하며, "
            "누적 지표는 12개월 합계가 0보다 커야 합니다.",
            "실적: 낮을수록 좋음·0이 목표 지표는 음수일 수 없고, 단위가 "
            f"{units}인 지표도 음수일 수 없습니다(설정 [kpi] non_negative_units).",
            "규칙에 어긋난 행은 시트·행·열·값·사유와 함께 거부되고, 한 건이라도 있으면 아무것도 저장되지 않습니다.",
        ],
    }


def rules_lines(rules: Rules, non_negative_units: tuple[str, ...] = ()) -> list[str]:
    """`rules_text` as one list of lines, each prefixed with its section."""
    return [
        f"[{section}] {line}"
        for section, lines in rules_text(rules, non_negative_units).items()
        for line in lines
    ]


def rules_markdown(rules: Rules, non_negative_units: tuple[str, ...] = ()) -> str:
    """`rules_text` as the README's block (`python -m ccm.kpi` prints it with the shipped settings)."""
    return "\n".join(
        f"- **{section}** " + " ".join(lines)
        for section, lines in rules_text(rules, non_negative_units).items()
    )


def non_negative_units(settings: Any) -> tuple[str, ...]:
    return settings.kpi.non_negative_units if settings is not None else ()


# ---------------------------------------------------------------------------------------------
# Queries


def has_data(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT EXISTS (SELECT 1 FROM kpi_definitions)").fetchone()[0]


def definitions(con: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    return con.execute(
        "SELECT * EXCLUDE (source_row, batch_id, updated_batch_id) FROM kpi_definitions WHERE year = ? "
        "ORDER BY department, strategy, task, core_task, indicator",
        [year],
    ).df()


def manual_actuals(con: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    return con.execute(
        "SELECT month, department, indicator, actual, note FROM kpi_actuals WHERE year = ? "
        "ORDER BY department, indicator, month",
        [year],
    ).df()


def review_months(con: duckdb.DuckDBPyConnection, now_year: int, now_month: int) -> list[tuple[int, int]]:
    """Months that can be reviewed, newest first: every month of a year with definitions, up to now."""
    years = [
        r[0] for r in con.execute("SELECT DISTINCT year FROM kpi_definitions ORDER BY year DESC").fetchall()
    ]
    return [(y, m) for y in years for m in range(12, 0, -1) if (y, m) <= (now_year, now_month)]


def notes(con: duckdb.DuckDBPyConnection, year: int, month: int) -> pd.DataFrame:
    """The department's latest 비고 (note of a monthly actual) per KPI up to `month`: department, indicator,
    note_month, note."""
    return con.execute(
        """SELECT department, indicator, month AS note_month, note FROM kpi_actuals
           WHERE year = ? AND month <= ? AND nullif(trim(note), '') IS NOT NULL
           QUALIFY row_number() OVER (PARTITION BY department, indicator ORDER BY month DESC) = 1""",
        [year, month],
    ).df()


def latest_actual_month(con: duckdb.DuckDBPyConnection) -> tuple[int, int] | None:
    row = con.execute("SELECT year, month FROM kpi_actuals ORDER BY year DESC, month DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else None


def monthly(
    con: duckdb.DuckDBPyConnection, year: int, month: int, rules: Rules | None = None
) -> pd.DataFrame:
    """One row per KPI × month 1..month: the value used (manual overrides automatic), where it came
    from, the automatic value beside it and the note."""
    rules = rules or _default_rules()
    defs = definitions(con, year)
    cols = [
        "department",
        "indicator",
        "month",
        "actual",
        "origin",
        "auto_value",
        "manual_value",
        "note",
        "source",
        "auto_met",
        "auto_decided",
    ]
    if defs.empty:
        return pd.DataFrame(columns=cols)
    grid = defs[["department", "indicator", "source"]].merge(
        pd.DataFrame({"month": range(1, month + 1)}), how="cross"
    )
    manual = con.execute(
        "SELECT department, indicator, month, actual AS manual_value, note FROM kpi_actuals "
        "WHERE year = ? AND month <= ?",
        [year, month],
    ).df()
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


def automatic(
    con: duckdb.DuckDBPyConnection, defs: pd.DataFrame, year: int, month: int, rules: Rules
) -> pd.DataFrame:
    """Automatic monthly values for the KPIs whose source names one (pcsi, voc_compliance, voc_count:TYPE)."""
    frames = []
    auto = defs[defs["source"].notna()]
    counts = voc_month_counts(con, year, month) if not auto.empty else None
    pcsi: dict[int, float | None] = {}
    for row in auto.itertuples():
        vals = source_values(con, row.source, year, month, row.department, rules, counts, pcsi)
        shares = source_counts(row.source, row.department, rules, counts)
        frames.append(
            pd.DataFrame(
                {
                    "department": row.department,
                    "indicator": row.indicator,
                    "month": list(vals),
                    "auto_value": list(vals.values()),
                    "auto_met": [shares.get(m, (None, None))[0] for m in vals],
                    "auto_decided": [shares.get(m, (None, None))[1] for m in vals],
                }
            )
        )
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(
            {
                "department": pd.Series(dtype="str"),
                "indicator": pd.Series(dtype="str"),
                "month": pd.Series(dtype="int64"),
                "auto_value": pd.Series(dtype="float64"),
                "auto_met": pd.Series(dtype="float64"),
                "auto_decided": pd.Series(dtype="float64"),
            }
        )
    return pd.concat(frames, ignore_index=True)


def voc_month_counts(con: duckdb.DuckDBPyConnection, year: int, month: int) -> pd.DataFrame:
    """VOC items of the year up to `month` by department, month and type: received, met, decided."""
    return con.execute(
        """SELECT department, month(received_at) AS month, voc_type, count(*) AS received,
                  count(*) FILTER (sla_met) AS met, count(sla_met) AS decided
           FROM voc WHERE received_at >= make_date(?, 1, 1) AND received_at < make_date(?, 1, 1)
             AND month(received_at) <= ? GROUP BY ALL""",
        [year, year + 1, month],
    ).df()


def source_values(
    con: duckdb.DuckDBPyConnection,
    source: str,
    year: int,
    month: int,
    department: str,
    rules: Rules,
    counts: pd.DataFrame | None = None,
    pcsi: dict[int, float | None] | None = None,
) -> dict[int, float]:
    """month → value of one automatic source for a department (the organisation unit = everyone).
    A VOC count is 0 in a month with VOC data but none of the type; months without VOC data are missing."""
    kind, _, arg = source.partition(":")
    if kind == "pcsi":
        pcsi = {} if pcsi is None else pcsi
        if year not in pcsi:
            pcsi[year] = pcsi_index(con, year)
        return {m: pcsi[year] for m in range(1, month + 1)} if pcsi[year] is not None else {}
    if kind in kpi_sources.KINDS:  # the CCM loop: phone courtesy, training, improvement actions
        return kpi_sources.values(
            con, kind, year, month, None if department == rules.org_unit else department
        )
    counts = voc_month_counts(con, year, month) if counts is None else counts
    covered = sorted(int(m) for m in counts["month"].unique())
    mine = counts if department == rules.org_unit else counts[counts["department"] == department]
    if kind == "voc_compliance":
        return {
            m: 100.0 * pooled_compliance(met, decided)
            for m, (met, decided) in _compliance_counts(mine).items()
        }
    if kind == "voc_count":
        g = mine[mine["voc_type"] == arg].groupby("month")["received"].sum()
        return {m: float(g.get(m, 0)) for m in covered}
    return {}


def _compliance_counts(counts: pd.DataFrame) -> dict[int, tuple[int, int]]:
    """month → (items met, items decided), months with a decided item only."""
    g = counts.groupby("month")[["met", "decided"]].sum()
    return {int(m): (int(r.met), int(r.decided)) for m, r in g.iterrows() if r.decided}


def source_counts(
    source: str, department: str, rules: Rules, counts: pd.DataFrame | None
) -> dict[int, tuple[int, int]]:
    """month → (met, decided) behind a rate source (voc_compliance), so that its period value is pooled
    like the 처리기한 준수 page's (ccm.voc_analytics.pooled_compliance); {} for other sources."""
    if source.partition(":")[0] != "voc_compliance" or counts is None:
        return {}
    return _compliance_counts(
        counts if department == rules.org_unit else counts[counts["department"] == department]
    )


def pcsi_index(con: duckdb.DuckDBPyConnection, year: int) -> float | None:
    """The PCSI overall index of the year, or None without survey data for it."""
    return surveys.overall_index(con, year)


def review(
    con: duckdb.DuckDBPyConnection,
    year: int,
    month: int,
    rules: Rules | None = None,
    departments: tuple[str, ...] | None = None,
) -> pd.DataFrame:
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


def off_track(
    con: duckdb.DuckDBPyConnection,
    year: int,
    month: int,
    rules: Rules | None = None,
    departments: tuple[str, ...] | None = None,
) -> pd.DataFrame:
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
        series, _, pooled = values.get((d["department"], d["indicator"]), ({}, {}, {}))
        m = month
        while m > 1 and verdict(_evaluate(d, series, m - 1, rules, pooled), rules) in ("미달", "주의"):
            m -= 1
        since.append(m)
    return card[off].assign(since=since).sort_values(["attainment", "department"], ignore_index=True)


def _evaluate(
    d: dict, series: dict[int, float], month: int, rules: Rules, pooled: dict | None = None
) -> dict:
    """`evaluate` for a stored definition (automatic when it names a source)."""
    return evaluate(
        d["direction"],
        d["aggregation"],
        d["annual_target"],
        plan_of(d),
        series,
        month,
        rules,
        automatic=isinstance(d.get("source"), str),
        pooled=pooled,
    )


def plan_of(d) -> list[float] | None:
    """A definition's 12-month plan as floats, or None (stored NULL comes back as None, NaN or NA)."""
    p = d["plan"]
    return [float(x) for x in p] if isinstance(p, (list, tuple, np.ndarray)) else None


def _prepare(values: pd.DataFrame) -> dict[tuple[str, str], tuple[dict[int, float], dict[int, str], dict]]:
    """(department, indicator) → ({month: value} without missing months, {month: origin}, {month: (met,
    decided)} of a rate source: the counts themselves, or for a month whose value was entered by hand,
    that value's share of the month's decided items)."""
    out = {}
    for key, g in values.groupby(["department", "indicator"]):
        months = [int(m) for m in g["month"]]
        series = {m: float(v) for m, v in zip(months, g["actual"]) if not _nan(v)}
        pooled = {}
        for m, origin, met, decided in zip(months, g["origin"], g["auto_met"], g["auto_decided"]):
            if m in series and not _nan(decided) and decided > 0:
                pooled[m] = (
                    (int(met), int(decided))
                    if origin == "자동"
                    else (_dec(series[m]) * int(decided) / 100, int(decided))
                )
        out[key] = (series, dict(zip(months, g["origin"])), pooled)
    return out


def _card(defs: pd.DataFrame, values: dict, month: int, rules: Rules) -> pd.DataFrame:
    rows = []
    for d in defs.to_dict("records"):
        series, origin, pooled = values.get((d["department"], d["indicator"]), ({}, {}, {}))
        r = _evaluate(d, series, month, rules, pooled)
        origins = {o for m, o in origin.items() if m <= month}
        judged = r["attainment"] is not None
        rows.append(
            {
                **{k: d[k] for k in DEFINITION_COLUMNS},
                "actual": r["actual"],
                "target": r["target"],
                "attainment": r["attainment"],
                "status": verdict(r, rules),
                "gap": gap(d["direction"], r["actual"], r["target"]) if judged else None,
                "last_month": r["last_month"],
                "reported": r["reported"],
                "missing_months": ", ".join(f"{m}월" for m in r["missing_months"]),
                "overridden": "수기(자동 대체)" in origins,
                "is_goal": d["department"] == rules.org_unit,
            }
        )
    return pd.DataFrame(rows, columns=REVIEW_COLUMNS)


DEFINITION_COLUMNS = (  # a KPI's definition, as the review shows it
    "department",
    "strategy",
    "task",
    "core_task",
    "indicator",
    "unit",
    "direction",
    "aggregation",
    "annual_target",
    "weight",
    "source",
)
REVIEW_COLUMNS = [
    *DEFINITION_COLUMNS,
    "actual",
    "target",
    "attainment",
    "status",
    "gap",
    "last_month",
    "reported",
    "missing_months",
    "overridden",
    "is_goal",
]


def scores(card: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """Weighted attainment per department (the organisation unit excluded) over its judged KPIs and its
    미입력 KPIs, which count as 0% so that leaving a month blank can never raise a score; KPIs without
    any actual or without a target yet are left out. n_missing = the 미입력 KPIs counted as 0%."""
    pending = card["status"] == "미입력"
    c = card[
        (card["department"] != rules.org_unit) & (card["attainment"].notna() | pending) & (card["weight"] > 0)
    ]
    if c.empty:
        return pd.DataFrame(
            {
                "department": pd.Series(dtype="str"),
                "score": pd.Series(dtype="float64"),
                "n_kpis": pd.Series(dtype="int64"),
                "n_missing": pd.Series(dtype="int64"),
            }
        )
    c = c.assign(wa=c["attainment"].astype("float64").fillna(0.0) * c["weight"], pending=pending[c.index])
    g = c.groupby("department", as_index=False).agg(
        wa=("wa", "sum"), w=("weight", "sum"), n_kpis=("indicator", "size"), n_missing=("pending", "sum")
    )
    g["score"] = g["wa"] / g["w"]
    return g[["department", "score", "n_kpis", "n_missing"]].sort_values("department", ignore_index=True)


def department_scores(
    con: duckdb.DuckDBPyConnection, year: int, month: int, rules: Rules | None = None
) -> pd.DataFrame:
    """department, score (weighted attainment 0..cap over the KPIs with actuals), n_kpis."""
    rules = rules or _default_rules()
    return scores(review(con, year, month, rules), rules)


def org_score(
    con: duckdb.DuckDBPyConnection, year: int, month: int, rules: Rules | None = None
) -> float | None:
    """The organisation's score: the mean of the department scores (each department counts once)."""
    return org_from(department_scores(con, year, month, rules))


def org_from(scores_: pd.DataFrame) -> float | None:
    return float(scores_["score"].mean()) if not scores_.empty else None


def changes(
    con: duckdb.DuckDBPyConnection,
    year: int,
    month: int,
    rules: Rules | None = None,
    departments: tuple[str, ...] | None = None,
) -> pd.DataFrame:
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
    out = m[changed][
        ["department", "indicator", "unit", "status_prev", "status", "attainment_prev", "attainment", "delta"]
    ]
    out = out.assign(status_prev=out["status_prev"].fillna("실적 없음"))
    return out.sort_values("delta", key=lambda s: s.abs().fillna(0), ascending=False, ignore_index=True)


def trend(
    con: duckdb.DuckDBPyConnection,
    year: int,
    month: int,
    department: str,
    indicator: str,
    rules: Rules | None = None,
) -> pd.DataFrame:
    """Month by month: the value, the YTD actual and target path, attainment and where the value came from."""
    rules = rules or _default_rules()
    defs = definitions(con, year)
    d = defs[(defs["department"] == department) & (defs["indicator"] == indicator)]
    if d.empty:
        return pd.DataFrame()
    d = d.iloc[0]
    values = monthly(con, year, month, rules)
    mine = values[(values["department"] == department) & (values["indicator"] == indicator)]
    series, _, pooled = _prepare(mine).get((department, indicator), ({}, {}, {}))
    rows = []
    for m in range(1, month + 1):
        r = _evaluate(d.to_dict(), series, m, rules, pooled)
        src = mine[mine["month"] == m].iloc[0]
        rows.append(
            {
                "month": m,
                "value": series.get(m),
                "origin": src["origin"],
                "note": src["note"],
                "auto_value": src["auto_value"],
                "manual_value": src["manual_value"],
                "ytd_actual": r["actual"],
                "ytd_target": r["target"],
                "attainment": r["attainment"],
            }
        )
    return pd.DataFrame(rows)


def auto_detail(
    con: duckdb.DuckDBPyConnection,
    source: str,
    year: int,
    month: int,
    department: str,
    with_items: bool,
    rules: Rules | None = None,
) -> pd.DataFrame:
    """The data behind an automatic actual: VOC items of the month (texts only when allowed), or the
    PCSI index of the year."""
    rules = rules or _default_rules()
    kind, _, arg = source.partition(":")
    if kind == "pcsi":
        return pd.DataFrame({"연도": [year], "PCSI 종합지수": [pcsi_index(con, year)]})
    if kind in kpi_sources.KINDS:
        return kpi_sources.detail(
            con, kind, year, month, None if department == rules.org_unit else department
        )
    dept_sql, params = ("TRUE", []) if department == rules.org_unit else ("department = ?", [department])
    type_sql = " AND voc_type = ?" if kind == "voc_count" else ""
    params = [year, month, *params] + ([arg] if kind == "voc_count" else [])
    where = f"year(received_at) = ? AND month(received_at) = ? AND {dept_sql}{type_sql}"
    if not with_items:
        return con.execute(
            f"""SELECT voc_type AS 유형, count(*) AS 접수, count(sla_met) AS 처리완료,
                       count(*) FILTER (sla_met) AS 기한내처리 FROM voc WHERE {where} GROUP BY 1 ORDER BY 1""",
            params,
        ).df()
    return con.execute(
        f"""SELECT voc_id AS 접수번호, received_at AS 접수일시, voc_type AS 유형, department AS 부서,
                   facility AS 시설, status AS 처리상태, due_at AS 처리기한, completed_at AS 처리일시,
                   sla_met AS 기한준수, title AS 제목
            FROM voc WHERE {where} ORDER BY sla_met NULLS FIRST, received_at""",
        params,
    ).df()


@dataclass(frozen=True)
class DetailCompliance:
    received: int
    decided: int  # completed items (with a deadline verdict)
    met: int
    rate: float | None  # pooled_compliance(met, decided): the automatic actual's own figure


def detail_compliance(detail: pd.DataFrame) -> DetailCompliance | None:
    """The deadline compliance of an `auto_detail` item listing (None when it does not list VOC items)."""
    if "기한준수" not in detail.columns:
        return None
    met, decided = int(detail["기한준수"].fillna(False).sum()), int(detail["기한준수"].notna().sum())
    return DetailCompliance(len(detail), decided, met, pooled_compliance(met, decided))


LABELS = {
    "department": "부서",
    "strategy": "핵심전략",
    "task": "전략과제",
    "core_task": "KPI 핵심과제",
    "indicator": "지표",
    "unit": "단위",
    "direction": "방향",
    "aggregation": "집계",
    "annual_target": "연간목표",
    "weight": "가중치",
    "source": "자동실적",
    "actual": "누계 실적",
    "target": "누계 목표",
    "attainment": "달성률",
    "status": "상태",
    "gap": "목표까지 부족분",
    "last_month": "최근 실적 월",
    "reported": "실적 월 수",
    "missing_months": "미입력 월",
    "overridden": "수기 대체",
    "since": "미달·주의 시작 월",
    "status_prev": "지난달 상태",
    "attainment_prev": "지난달 달성률",
    "delta": "달성률 변화",
    "score": "점수",
    "n_kpis": "평가 KPI 수",
    "n_missing": "미입력 KPI 수(0%로 계산)",
}


SOURCE_LABELS, source_label = (
    kpi_sources.SOURCE_LABELS,
    kpi_sources.source_label,
)  # every automatic source in words


def to_display(df: pd.DataFrame) -> pd.DataFrame:
    """Korean column names and labels; attainment stays a fraction (0.95 = 95%)."""
    out = df.drop(columns=[c for c in ("is_goal",) if c in df.columns]).copy()
    if "direction" in out:
        out["direction"] = out["direction"].map(DIRECTIONS)
    if "aggregation" in out:
        out["aggregation"] = out["aggregation"].map(AGGREGATIONS)
    if "source" in out:
        out["source"] = out["source"].map(source_label)
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
    later = con.execute(
        "SELECT min(batch_id) FROM load_batches WHERE kind = 'kpi' AND status = 'loaded' AND batch_id > ?",
        [batch_id],
    ).fetchone()[0]
    if later is not None:
        raise ValueError(f"나중에 적재된 KPI 파일(적재 번호 {later})을 먼저 되돌려야 합니다.")
    counts = {}
    with transaction(con):
        for table in ("kpi_definitions", "kpi_actuals"):
            removed = con.execute(f"DELETE FROM {table} WHERE updated_batch_id = ?", [batch_id]).fetchone()[0]
            restored = con.execute(
                f"INSERT INTO {table} SELECT * EXCLUDE (replaced_by_batch) FROM {table}_replaced "
                "WHERE replaced_by_batch = ?",
                [batch_id],
            ).fetchone()[0]
            con.execute(f"DELETE FROM {table}_replaced WHERE replaced_by_batch = ?", [batch_id])
            name = table.removeprefix("kpi_")
            counts.update({f"{name}_removed": removed, f"{name}_restored": restored})
        con.execute("UPDATE load_batches SET status = 'rolled_back' WHERE batch_id = ?", [batch_id])
    return counts


if __name__ == "__main__":
    from ccm.settings import load_settings

    _settings = load_settings()
    print(rules_markdown(rules_from(_settings), non_negative_units(_settings)))
