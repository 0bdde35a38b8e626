"""Demo KPIs: the four management goals and the manual's indicator lists for every department, three
years of monthly actuals ending at the month of ccm.period.now(), written as one KPI workbook per
year and loaded through the real loader. Deterministic (seeded by department, indicator and year)."""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from ccm import db
from ccm.kpi import rules_from, source_values
from ccm.period import now
from etl import kpi, kpi_template

TARGETS = {  # indicator → annual target (in its unit)
    "고객만족도": 90,
    "사업수지": 90,
    "사회공헌실적": 5,
    "안전사고": 0,
    "오프라인 소통노력": 12,
    "SNS 소통채널운영 실적": 120,
    "언론보도 홍보실적": 24,
    "대외적 우수사례 홍보": 4,
    "경영공시 정책준수(지적 건수)": 0,
    "고객만족도 평가": 90,
    "전화응대 친절도 평가": 90,
    "서비스 역량강화 교육훈련": 12,
    "서비스 품질관리 활동추진": 24,
    "VOC 처리기한 준수율": 95,
    "보도자료 배포": 12,
    "친절서비스 교육": 6,
    "서비스 품질개선 실적": 12,
    "칭찬 VOC 건수": 12,
    "불만 VOC 건수": 60,
}
PLANS = {"사회공헌실적": [0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 1]}
# How well each department does (1 = on target); the organisation unit follows the mean.
FORM = [1.08, 0.97, 0.86, 1.02, 0.93]


def _rng(*parts: object) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32("|".join(map(str, parts)).encode()))


def definitions(settings) -> pd.DataFrame:
    rows = []
    for dept, it in kpi_template.catalogue(settings):
        rows.append(
            {
                "department": dept,
                "strategy": it.strategy,
                "task": it.task,
                "core_task": it.core_task,
                "indicator": it.indicator,
                "unit": it.unit,
                "direction": it.direction,
                "aggregation": it.aggregation,
                "annual_target": float(TARGETS[it.indicator]),
                "plan": PLANS.get(it.indicator),
                "weight": it.weight,
                "source": it.source,
            }
        )
    return pd.DataFrame(rows)


def _value(it, target: float, form: float, rng: np.random.Generator, month: int) -> float | None:
    if it.direction == "zero":
        return float(rng.random() < 0.04 * (2 - form))
    if it.aggregation == "cumulative":
        return float(rng.poisson(max(target / 12 * form, 0.05)))
    if it.indicator == "고객만족도 평가" and month % 3:
        return None  # surveyed quarterly: the other months stay 미입력
    drift = 0.25 * (month - 6) / 6
    return round(float(min(target * (0.93 + 0.08 * form) + drift + rng.normal(0, 1.2), 100.0)), 1)


def actuals(settings, year: int, last_month: int) -> pd.DataFrame:
    forms = dict(zip(settings.departments, FORM * 3))
    rows = []
    for dept, it in kpi_template.catalogue(settings):
        if it.source:
            continue
        form = forms.get(dept, float(np.mean(FORM)))
        rng = _rng(dept, it.indicator, year)
        for m in range(1, last_month + 1):
            v = _value(it, TARGETS[it.indicator], form, rng, m)
            if v is not None:
                rows.append(
                    {"month": m, "department": dept, "indicator": it.indicator, "actual": v, "note": None}
                )
    return pd.DataFrame(rows)


def _current_year_extras(settings, df: pd.DataFrame, last_month: int) -> pd.DataFrame:
    """A department that has not entered the latest month yet, and a manual override of an automatic
    actual (visible on the page as '수기(자동 대체)')."""
    late = settings.departments[-2] if len(settings.departments) > 1 else settings.departments[0]
    df = df[~((df["department"] == late) & (df["month"] == last_month))]
    lead = settings.organisation.ccm_department or settings.departments[0]
    override = {
        "month": max(last_month - 1, 1),
        "department": lead,
        "indicator": "VOC 처리기한 준수율",
        "actual": 97.5,
        "note": "접수 시스템 장애 기간 수기 집계분 반영",
    }
    return pd.concat([df, pd.DataFrame([override])], ignore_index=True)


def _voc_targets(db_path: Path, settings, defs: pd.DataFrame, year: int) -> pd.DataFrame:
    """VOC-count targets from the previous year's counts in the store (manual §5.1.1-1②: targets from
    last year's results): 5% more praise, 5% fewer complaints. Without VOC data the defaults stay."""
    rules = rules_from(settings)
    defs = defs.copy()
    with db.session(db_path) as con:
        for i, row in defs[defs["source"].fillna("").str.startswith("voc_count")].iterrows():
            base = sum(
                source_values(con, row["source"], year - 1, 12, row["department"], rules).values()
            ) or sum(source_values(con, row["source"], year, 12, row["department"], rules).values())
            if base:
                defs.at[i, "annual_target"] = float(
                    round(base * (1.05 if row["direction"] == "higher" else 0.95))
                )
    return defs


def build(db_path: Path, settings, workdir: Path) -> None:
    today = now()
    for year in (today.year - 2, today.year - 1, today.year):
        defs = _voc_targets(db_path, settings, definitions(settings), year)
        last = 12 if year < today.year else today.month
        acts = actuals(settings, year, last)
        if year == today.year:
            acts = _current_year_extras(settings, acts, last)
        path = Path(workdir) / f"kpi_{year}.xlsx"
        path.write_bytes(kpi_template.build(settings, year, defs, acts))
        result = kpi.load(path, db_path, settings, loaded_by="demo")
        if not result.ok:
            raise RuntimeError(f"{result.message}\n{result.rejects.head(20).to_string()}")
        print(result.message, flush=True)
