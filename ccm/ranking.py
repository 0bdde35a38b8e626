"""Department ranking for awards (부서 평가·포상): a published, explainable composite score.

Formula (also shown on the page and in the README):
- Each component has a raw value per department (a rate, never a raw count, so department size does
  not matter) and a count behind it. Below the component's minimum count it is not scored.
- Points = clip((value − lo) / (hi − lo), 0, 1) × 100 with lo/hi from settings (hi < lo means lower
  is better). Points depend only on the department's own figures, not on the other departments.
- Effective weight = weight ÷ sum of the weights of the department's scored components, so the weight
  of an unscored component is redistributed over the others in proportion to their weights.
- Composite = Σ effective weight × points (0–100). Contribution = effective weight × points.
- Ranking: composite (rounded to `decimals`) descending, then the tie-break components' raw values
  (better first, unscored last), then department name ascending — unique, deterministic ranks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

import duckdb
import numpy as np
import pandas as pd

from ccm import formats, phone
from ccm import kpi as kpi_engine
from ccm import pcsi as surveys
from ccm.period import Scope
from ccm.settings import Settings
from ccm.settings_sections import AwardSettings, RankingSettings

SOURCES = (
    "kpi",
    "compliance",
    "pcsi",
    "praise",
    "complaint_trend",
    "phone",
)  # components `inputs` has data for


@dataclass(frozen=True)
class Component:
    key: str
    label: str
    weight: float
    min_count: int
    lo: float
    hi: float
    unit: str = ""
    count_label: str = "건수"
    definition: str = ""

    def points(self, value: float) -> float:
        if value is None or pd.isna(value):
            return math.nan
        return float(np.clip((value - self.lo) / (self.hi - self.lo), 0.0, 1.0) * 100.0)

    @property
    def higher_is_better(self) -> bool:
        return self.hi > self.lo


@dataclass(frozen=True)
class RankingConfig:
    components: tuple[Component, ...]
    tie_break: tuple[str, ...] = (
        RankingSettings.tie_break
    )  # defaults: the [ranking] section's (ccm.settings_sections)
    decimals: int = RankingSettings.decimals
    complaint_types: tuple[str, ...] = RankingSettings.complaint_types
    praise_type: str = RankingSettings.praise_type
    department_award: str = AwardSettings.department
    facility_award: str = AwardSettings.facility
    top_departments: int = AwardSettings.top_departments
    facility_min_n: int = AwardSettings.facility_min_n

    def with_weights(self, weights: Mapping[str, float]) -> RankingConfig:
        comps = tuple(replace(c, weight=float(weights.get(c.key, c.weight))) for c in self.components)
        return replace(self, components=comps)

    def component(self, key: str) -> Component:
        return next(c for c in self.components if c.key == key)


def config_from_settings(settings: Settings) -> RankingConfig:
    """The [ranking] section of settings.toml as a hashable config."""
    sec = settings.ranking
    comps = []
    for key, c in sec.components.items():
        if key not in SOURCES or c.hi == c.lo:
            raise ValueError(
                f"설정 [ranking.components.{key}]: 알 수 없는 구성요소이거나 lo와 hi가 같습니다 "
                f"(가능한 구성요소: {', '.join(SOURCES)})."
            )
        comps.append(
            Component(
                key=key,
                label=c.label or key,
                weight=c.weight,
                min_count=c.min_count,
                lo=c.lo,
                hi=c.hi,
                unit=c.unit,
                count_label=c.count_label,
                definition=c.definition,
            )
        )
    return RankingConfig(
        components=tuple(comps),
        tie_break=sec.tie_break,
        decimals=sec.decimals,
        complaint_types=settings.complaint_types,
        praise_type=sec.praise_type,
        department_award=sec.awards.department,
        facility_award=sec.awards.facility,
        top_departments=sec.awards.top_departments,
        facility_min_n=sec.awards.facility_min_n,
    )


# ---------------------------------------------------------------------------------------------
# The pure ranking engine


def rank(values: pd.DataFrame, cfg: RankingConfig) -> pd.DataFrame:
    """Rank departments from their raw component values.

    `values`: one row per department with columns `department`, `<key>` (raw value) and `<key>_n`
    (the count behind it) for every component. Returns one row per department, best first, with
    `rank` (NA when no component could be scored), `composite`, and per component `<key>_points`,
    `<key>_scored`, `<key>_weight` (effective) and `<key>_contrib`; `redistributed` names the
    components not scored.
    """
    out = values[["department"]].copy().reset_index(drop=True)
    vals = values.reset_index(drop=True)
    total_w = pd.Series(0.0, index=out.index)
    for c in cfg.components:
        v = pd.to_numeric(vals.get(c.key), errors="coerce").astype("float64")
        n = pd.to_numeric(vals.get(f"{c.key}_n"), errors="coerce").fillna(0).astype("float64")
        scored = v.notna() & (n >= c.min_count)
        out[c.key] = v
        out[f"{c.key}_n"] = n.astype("int64")
        out[f"{c.key}_scored"] = scored
        out[f"{c.key}_points"] = [c.points(x) if s else math.nan for x, s in zip(v, scored)]
        total_w += np.where(scored, c.weight, 0.0)
    for c in cfg.components:
        w = np.where(out[f"{c.key}_scored"] & (total_w > 0), c.weight / total_w.where(total_w > 0, 1.0), 0.0)
        out[f"{c.key}_weight"] = w
        out[f"{c.key}_contrib"] = w * out[f"{c.key}_points"].fillna(0.0)
    contrib_cols = [f"{c.key}_contrib" for c in cfg.components]
    out["composite"] = out[contrib_cols].sum(axis=1).where(total_w > 0)
    out["redistributed"] = [
        ", ".join(c.label for c in cfg.components if not row[f"{c.key}_scored"] and c.weight > 0)
        for _, row in out.iterrows()
    ]
    return _order(out, cfg)


def _order(out: pd.DataFrame, cfg: RankingConfig) -> pd.DataFrame:
    keys = pd.DataFrame(index=out.index)
    keys["unranked"] = out["composite"].isna()
    keys["composite"] = -out["composite"].round(cfg.decimals).fillna(-math.inf)
    by = ["unranked", "composite"]
    for key in cfg.tie_break:
        comp = next((c for c in cfg.components if c.key == key), None)
        if comp is None:
            continue
        raw = out[key].where(out[f"{key}_scored"])
        keys[f"tb_{key}"] = (-raw if comp.higher_is_better else raw).fillna(math.inf)
        by.append(f"tb_{key}")
    keys["name"] = out["department"].astype(str)
    by.append("name")
    order = keys.sort_values(by, kind="mergesort").index
    out = out.loc[order].reset_index(drop=True)
    out.insert(
        0,
        "rank",
        pd.array([i + 1 if pd.notna(s) else pd.NA for i, s in enumerate(out["composite"])], dtype="Int64"),
    )
    rounded = out["composite"].round(cfg.decimals)
    out["tied"] = rounded.notna() & rounded.duplicated(keep=False)
    return out


def rank_changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Rank of each department before and after (e.g. default vs evaluator's weights);
    `moved` > 0 means it moved up that many places."""
    b = before[["department", "rank", "composite"]].rename(
        columns={"rank": "rank_before", "composite": "composite_before"}
    )
    a = after[["department", "rank", "composite"]].rename(
        columns={"rank": "rank_after", "composite": "composite_after"}
    )
    m = b.merge(a, on="department", how="outer")
    m["moved"] = (m["rank_before"] - m["rank_after"]).astype("Int64")
    return m.sort_values(["rank_after", "department"], na_position="last").reset_index(drop=True)


def breakdown(result: pd.DataFrame, cfg: RankingConfig) -> pd.DataFrame:
    """Long table for display and export: one row per department × component."""
    rows = []
    for _, r in result.iterrows():
        for c in cfg.components:
            rows.append(
                {
                    "순위": r["rank"],
                    "부서": r["department"],
                    "구성요소": c.label,
                    "원값": r[c.key],
                    "단위": c.unit,
                    "근거": c.count_label,
                    "근거 건수": r[f"{c.key}_n"],
                    "최소 건수": c.min_count,
                    "평가": "평가" if r[f"{c.key}_scored"] else "미평가(가중치 재배분)",
                    "점수(0~100)": r[f"{c.key}_points"],
                    "가중치": c.weight,
                    "적용 가중치": r[f"{c.key}_weight"],
                    "기여 점수": r[f"{c.key}_contrib"],
                }
            )
    return pd.DataFrame(rows).round({"원값": 2, "점수(0~100)": 1, "적용 가중치": 3, "기여 점수": 2})


def ranking_frame(result: pd.DataFrame, moves: pd.DataFrame, cfg: RankingConfig) -> pd.DataFrame:
    """The ranking for display: rank, move against the default weights, composite, contributions."""
    moved = moves.set_index("department")["moved"]
    df = pd.DataFrame(
        {
            "순위": result["rank"],
            "변동": [_arrow(moved.get(d)) for d in result["department"]],
            "부서": result["department"],
            "종합점수": result["composite"].round(cfg.decimals),
        }
    )
    for c in cfg.components:
        df[f"{c.label} 기여"] = result[f"{c.key}_contrib"].round(2)
    df["미평가(가중치 재배분)"] = result["redistributed"]
    df["동점 처리"] = result["tied"].map({True: "동점 → 동점 규칙 적용", False: ""})
    return df


def _arrow(m) -> str:
    if m is None or pd.isna(m) or m == 0:
        return "–"
    return f"▲{int(m)}" if m > 0 else f"▼{int(-m)}"


def weights_frame(cfg: RankingConfig) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "구성요소": c.label,
                "정의": c.definition,
                "가중치": c.weight,
                "하한(0점)": c.lo,
                "상한(100점)": c.hi,
                "단위": c.unit,
                "최소 건수": c.min_count,
                "근거": c.count_label,
            }
            for c in cfg.components
        ]
    )


def facilities_frame(facilities: pd.DataFrame, cfg: RankingConfig) -> pd.DataFrame:
    """Facilities' PCSI (ccm.pcsi.facility_scores) in Korean, for the page and the committee workbook;
    a facility under the award's minimum respondents is marked."""
    names = {
        "facility": "시설",
        "department": "담당 부서",
        "n": "응답자 수",
        "score": "PCSI 점수",
        "ci_low": "95% 신뢰구간 하한",
        "ci_high": "95% 신뢰구간 상한",
    }
    out = facilities[[c for c in names if c in facilities.columns]].rename(columns=names)
    if "n" in facilities:
        out[f"포상 제외(응답 {cfg.facility_min_n}명 미만)"] = (
            facilities["n"] < cfg.facility_min_n
        ).to_numpy()
    return out.reset_index(drop=True)


def formula_text(cfg: RankingConfig) -> list[str]:
    """The formula in words (Korean), from the configuration actually used."""
    total = sum(c.weight for c in cfg.components) or 1.0
    parts = [f"{c.label} {c.weight / total * 100:.0f}%" for c in cfg.components]
    lines = [
        "종합점수 = Σ(적용 가중치 × 구성요소 점수), 0~100점. 가중치: " + ", ".join(parts) + ".",
        "구성요소 점수 = (값 − 하한) ÷ (상한 − 하한) × 100, 0~100으로 자름. 부서 규모와 무관하도록 건수가 아닌 "
        "비율을 씁니다. 점수는 그 부서 자신의 값으로만 정해집니다(다른 부서 값과 무관).",
    ]
    for c in cfg.components:
        direction = "높을수록 좋음" if c.higher_is_better else "낮을수록 좋음"
        lines.append(
            f"· {c.label}: {c.definition} 하한 {c.lo:g}{c.unit} → 0점, 상한 {c.hi:g}{c.unit} → 100점 "
            f"({direction}); {c.count_label} {c.min_count} 미만이면 평가하지 않음."
        )
    tb = [cfg.component(k).label for k in cfg.tie_break if any(c.key == k for c in cfg.components)]
    lines.append(
        "평가하지 않은 구성요소의 가중치는 그 부서의 나머지 구성요소에 가중치 비율대로 재배분합니다."
    )
    lines.append(
        f"동점(소수 {cfg.decimals}자리 기준)이면 "
        + ", ".join(f"{t} 높은 순" for t in tb)
        + (", " if tb else "")
        + "부서명 가나다순으로 순위를 정합니다."
    )
    return lines


# ---------------------------------------------------------------------------------------------
# Inputs from the data (each source guarded: a missing module or empty data → not scored)


def evaluation_month(scope: Scope, now: datetime) -> tuple[int, int]:
    """(year, month) the KPI and PCSI figures are taken at: the scope's last month, not after now."""
    last = min(date.fromordinal(scope.end.toordinal() - 1), now.date())
    return last.year, last.month


def voc_rates(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: RankingConfig) -> pd.DataFrame:
    """Per department: compliance % (met ÷ decided, ccm.voc_analytics.compliance_by), praise per 100 VOC,
    and the complaint share's change in percentage points vs the previous period of the same length
    (scope.previous()). The ranking always covers every department (the scope's filter is not applied)."""
    from ccm.voc_analytics import compliance_by

    cur_scope = Scope(scope.start, scope.end, None)
    comp = compliance_by(con, cur_scope, "department")[["department", "decided", "met"]]
    cur = _type_counts(con, cur_scope, cfg)
    before = _type_counts(con, cur_scope.previous(), cfg)
    m = cur.merge(comp, on="department", how="left").fillna({"decided": 0, "met": 0})
    m = m.merge(
        before[["department", "received", "complaints"]], on="department", how="left", suffixes=("", "_prev")
    ).fillna({"received_prev": 0, "complaints_prev": 0})
    m["compliance"] = m["met"] / m["decided"].where(m["decided"] > 0) * 100
    m["compliance_n"] = m["decided"]
    m["praise"] = m["praise"] / m["received"].where(m["received"] > 0) * 100
    m["praise_n"] = m["received"]
    share_now = m["complaints"] / m["received"].where(m["received"] > 0)
    share_prev = m["complaints_prev"] / m["received_prev"].where(m["received_prev"] > 0)
    m["complaint_trend"] = (share_now - share_prev) * 100
    m["complaint_trend_n"] = m[["received", "received_prev"]].min(axis=1)
    return m


def _type_counts(con: duckdb.DuckDBPyConnection, scope: Scope, cfg: RankingConfig) -> pd.DataFrame:
    """Received, praise and complaint counts per department (a small query of its own: ccm.voc_analytics
    counts by one dimension at a time, not type × department)."""
    where, params = scope.where()
    ctypes = list(cfg.complaint_types) or [""]
    return con.execute(
        f"""SELECT department, count(*) AS received, count(*) FILTER (voc_type = ?) AS praise,
                   count(*) FILTER (voc_type IN ({", ".join("?" * len(ctypes))})) AS complaints
            FROM voc WHERE {where} AND department IS NOT NULL GROUP BY department""",
        [cfg.praise_type, *ctypes, *params],
    ).df()


def kpi_scores(con: duckdb.DuckDBPyConnection, year: int, month: int) -> pd.DataFrame:
    """KPI attainment (%) per department from ccm.kpi.department_scores."""
    df = kpi_engine.department_scores(con, year, month)
    if df.empty:
        return pd.DataFrame(columns=["department", "kpi", "kpi_n"])
    return pd.DataFrame({"department": df["department"], "kpi": df["score"] * 100, "kpi_n": df["n_kpis"]})


def facility_scores(con: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """PCSI per facility from ccm.pcsi.facility_scores."""
    return surveys.facility_scores(con, year)


def pcsi_by_department(facilities: pd.DataFrame) -> pd.DataFrame:
    """Respondent-weighted mean PCSI of each department's facilities; n = respondents."""
    f = facilities.dropna(subset=["department", "score"])
    if f.empty:
        return pd.DataFrame(columns=["department", "pcsi", "pcsi_n"])
    f = f.assign(wsum=f["score"] * f["n"])
    g = f.groupby("department", as_index=False).agg(wsum=("wsum", "sum"), pcsi_n=("n", "sum"))
    g["pcsi"] = g["wsum"] / g["pcsi_n"].where(g["pcsi_n"] > 0)
    return g[["department", "pcsi", "pcsi_n"]]


def phone_scores(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """Phone-courtesy score (100-point) and calls monitored per department in the period (ccm.phone)."""
    df = phone.department_totals(con, Scope(scope.start, scope.end, None))
    if df.empty:
        return pd.DataFrame(columns=["department", "phone", "phone_n"])
    return pd.DataFrame({"department": df["department"], "phone": df["score"], "phone_n": df["n"]})


def inputs(
    con: duckdb.DuckDBPyConnection,
    scope: Scope,
    now: datetime,
    cfg: RankingConfig,
    departments: tuple[str, ...],
    facilities: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Raw component values and counts for the organisation's departments (settings' list; other names
    in the data, such as '(미지정)', are not ranked)."""
    year, month = evaluation_month(scope, now)
    voc = voc_rates(con, scope, cfg)
    kpi = kpi_scores(con, year, month)
    pcsi = pcsi_by_department(facility_scores(con, year) if facilities is None else facilities)
    df = pd.DataFrame({"department": pd.Series(list(departments), dtype="object")})
    cols = [
        "department",
        "compliance",
        "compliance_n",
        "praise",
        "praise_n",
        "complaint_trend",
        "complaint_trend_n",
    ]
    df = df.merge(voc[cols].astype({"department": "object"}), on="department", how="left")
    df = df.merge(kpi.astype({"department": "object"}), on="department", how="left")
    df = df.merge(pcsi.astype({"department": "object"}), on="department", how="left")
    df = df.merge(phone_scores(con, scope).astype({"department": "object"}), on="department", how="left")
    for c in cfg.components:
        if f"{c.key}_n" not in df:
            df[c.key], df[f"{c.key}_n"] = math.nan, 0
        df[f"{c.key}_n"] = df[f"{c.key}_n"].fillna(0)
    return df


def awards(result: pd.DataFrame, facilities: pd.DataFrame, cfg: RankingConfig) -> pd.DataFrame:
    """Award candidates with the evidence: the top department(s) by composite and the facility with
    the highest PCSI among those with at least `facility_min_n` respondents."""
    rows = []
    for _, r in result.dropna(subset=["rank"]).head(cfg.top_departments).iterrows():
        parts = [
            f"{c.label} {r[f'{c.key}_points']:.1f}점×{r[f'{c.key}_weight'] * 100:.0f}%"
            for c in cfg.components
            if r[f"{c.key}_scored"]
        ]
        note = f"; 미평가: {r['redistributed']}" if r["redistributed"] else ""
        rows.append(
            {
                "포상": cfg.department_award,
                "후보": r["department"],
                "부서": r["department"],
                "순위": int(r["rank"]),
                "점수": round(float(r["composite"]), cfg.decimals),
                "근거": f"종합 {r['composite']:.{cfg.decimals}f}점 = " + " + ".join(parts) + note,
            }
        )
    f = facilities.dropna(subset=["score"])
    f = f[f["n"] >= cfg.facility_min_n].sort_values(
        ["score", "n", "facility"], ascending=[False, False, True]
    )
    if not f.empty:
        top = f.iloc[0]
        ev = (
            f"PCSI {formats.score(top['score'])} (응답 {int(top['n'])}명, 95% 신뢰구간 "
            f"{formats.score(top['ci_low'], '')}~{formats.score(top['ci_high'])}), 담당 {top['department']}"
        )
        if len(f) > 1:
            second = f.iloc[1]
            overlap = top["ci_low"] <= second["ci_high"]
            ev += f"; 2위 {second['facility']} {formats.score(second['score'])}" + (
                " — 신뢰구간이 겹쳐 차이가 통계적으로 뚜렷하지 않음"
                if overlap
                else " — 신뢰구간이 겹치지 않음"
            )
        rows.append(
            {
                "포상": cfg.facility_award,
                "후보": top["facility"],
                "부서": top["department"],
                "순위": 1,
                "점수": round(float(top["score"]), 2),
                "근거": ev,
            }
        )
    return pd.DataFrame(rows, columns=["포상", "후보", "부서", "순위", "점수", "근거"])


def evaluate(
    con: duckdb.DuckDBPyConnection,
    scope: Scope,
    now: datetime,
    cfg: RankingConfig,
    departments: tuple[str, ...],
) -> dict[str, pd.DataFrame]:
    """Everything the ranking page needs in one cached call: inputs, ranking, facilities, awards."""
    fac = facility_scores(con, evaluation_month(scope, now)[0])
    raw = inputs(con, scope, now, cfg, departments, fac)
    result = rank(raw, cfg)
    return {"inputs": raw, "ranking": result, "facilities": fac, "awards": awards(result, fac, cfg)}
