"""Demo training records: 40 staff over three years, written as the CCM team would deliver them (the
earlier years as an HR export in CP949 CSV, the current year in the dashboard's template) and loaded
through the real loader. Deterministic; course names match the demo 교육만족도 survey's 교육과정 groups."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from ccm.period import now
from etl import training, training_template

SURNAMES = ["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임"]
GIVEN = ["민준", "서연", "도윤", "하은", "시우", "지우", "예준", "수아", "주원", "지민", "현우", "채원"]
# course → (institution, hours, month, who takes it, employment-insurance refund)
COURSES = {
    "친절서비스 교육": ("사내(혁신안전팀)", 2.0, 6, "all", "아니오"),
    "CCM 리더 교육": ("사내(혁신안전팀)", 4.0, 6, "leaders", "아니오"),
    "CCM 인증기업 정기교육": ("한국소비자원", 7.0, 4, "ccm", "아니오"),
    "CCM 전문가 과정": ("한국소비자원", 14.0, 9, "expert", "예"),
    "개인정보보호 교육": ("사이버교육(인재개발원)", 2.0, 3, "all", "아니오"),
    "청렴교육": ("사내(감사실)", 1.0, 10, "all", "아니오"),
}
HEADERS = training_template.HEADERS


def staff(departments: list[str]) -> pd.DataFrame:
    rows = []
    for i in range(40):
        dept = departments[i % len(departments)]
        role = "일반"
        if i == 0:
            role = "CCO"
        elif i in (5, 10):
            role, dept = "CCM 담당자", departments[0]
        elif i in range(1, 5) or i == 15:
            role = "CCM 리더"
        rows.append(
            {
                "사번": f"A{1001 + i}",
                "성명": SURNAMES[i % 10] + GIVEN[(i * 7) % 12],
                "부서": dept,
                "직렬": "일반직" if i % 4 else "기술직",
                "직급": f"{3 + i % 6}급",
                "역할": role,
            }
        )
    return pd.DataFrame(rows)


def _records(year: int, people: pd.DataFrame, rng: np.random.Generator, last: int) -> pd.DataFrame:
    rows = []
    month_cap = now().month if year == last else 12
    for p in people.to_dict("records"):
        for course, (inst, hours, month, who, refund) in COURSES.items():
            if month > month_cap:
                continue
            takes = {
                "all": rng.random() < 0.85,
                "leaders": p["역할"] == "CCM 리더",
                "ccm": p["역할"] in ("CCO", "CCM 담당자") and rng.random() < 0.9,
                "expert": p["역할"] == "CCM 담당자" and (year + int(p["사번"][1:])) % 2 == 0,
            }[who]
            if not takes:
                continue
            day = 5 + int(rng.integers(0, 20))
            days = 2 if hours > 8 else 1
            start = pd.Timestamp(year, month, day)
            rows.append(
                {
                    **p,
                    "교육기관": inst,
                    "과정명": course,
                    "교육시작일": start.strftime("%Y-%m-%d"),
                    "교육종료일": (start + pd.Timedelta(days=days - 1)).strftime("%Y-%m-%d"),
                    "교육시간": hours,
                    "고용보험 환급 여부": refund,
                    "CCM 교육 여부": None,
                    "수료증 근거": f"{'수료증' if inst.startswith('한국') else '결과보고'} 제{year}-{len(rows) + 1:03d}호",
                }
            )
    return pd.DataFrame(rows, columns=HEADERS)


def _template_file(settings, df: pd.DataFrame, path: Path) -> Path:
    wb = load_workbook(io.BytesIO(training_template.build(settings)))
    ws = wb[training_template.SHEET]
    for rec in df.itertuples(index=False):
        ws.append([None if isinstance(v, float) and np.isnan(v) else v for v in rec])
    wb.save(path)
    return path


def build(db_path: Path, settings, workdir: Path) -> None:
    last = now().year
    rng = np.random.default_rng(20260315)
    people = staff(list(settings.departments))
    for year in range(last - 2, last + 1):
        df = _records(year, people, rng, last)
        if year == last:
            path = _template_file(settings, df, workdir / f"training_{year}.xlsx")
        else:
            path = workdir / f"training_{year}.csv"
            df.drop(columns=["CCM 교육 여부"]).to_csv(path, index=False, encoding="cp949")
        result = training.load(path, db_path, settings, loaded_by="demo")
        if not result.ok:
            raise RuntimeError(f"데모 교육 실적 적재 실패: {result.message}\n{result.rejects.to_string()}")
