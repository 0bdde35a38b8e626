"""Demo phone-courtesy monitoring: last year as a CP949 CSV (a title row above the header, other header
spellings) and this year up to now as the .xlsx template, loaded through the real loader (etl.phone).
Deterministic. Each department has a weak item; 농특산물홍보팀 is monitored less often (small months)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ccm import db, phone
from ccm.period import now
from etl import phone as phone_etl
from etl import phone_template

# department → (calls per month, level as a fraction of max, the weak item)
PROFILE = {
    "혁신안전팀": (6, 0.90, "정확성"),
    "문화사업팀": (6, 0.84, "종결"),
    "관광사업팀": (7, 0.80, "응대"),
    "농특산물홍보팀": (3, 0.78, "종결"),
    "단산시설팀": (6, 0.86, "인사"),
}
EVALUATORS = [
    ("E01", "내부"),
    ("E02", "내부"),
    ("교차-점촌시설공단", "교차기관"),
    ("김민수", "교차기관"),
    ("외부-한국서비스평가원", "외부기관"),
]
NOTES = [
    "",
    "",
    "",
    "대기 안내가 친절함",
    "담당자 연결이 늦음",
    "마무리 인사 없음",
    "회신 번호 010-2233-4455 안내함",
    "요금 안내가 정확함",
]


def frame(settings, start: date, end: date, rng: np.random.Generator) -> pd.DataFrame:
    """Calls from `start` up to (not including) `end`, template headers, scores per the checklist."""
    items = phone.checklist(settings)
    rows = []
    for month in pd.date_range(start, end, freq="MS", inclusive="left"):
        for dept, (n, level, weak) in PROFILE.items():
            if dept not in settings.departments:
                continue
            days = rng.integers(0, 27, n)
            for d in days:
                who, kind = EVALUATORS[rng.integers(len(EVALUATORS))]
                scores = []
                for it in items:
                    p = level - (0.18 if it.name == weak else 0.0) + rng.normal(0, 0.06)
                    scores.append(int(np.clip(round(p * it.max_score), 0, it.max_score)))
                rows.append(
                    [
                        (month + pd.Timedelta(days=int(d))).date().isoformat(),
                        dept,
                        who,
                        kind,
                        *scores,
                        sum(scores),
                        NOTES[rng.integers(len(NOTES))],
                    ]
                )
    return pd.DataFrame(rows, columns=phone_template.headers(settings))


def build(db_path: Path, settings, workdir: Path) -> None:
    today = now().date()
    rng = np.random.default_rng(20250301)
    last = frame(settings, date(today.year - 1, 1, 1), date(today.year, 1, 1), rng)
    last = last.rename(columns={"통화일": "모니터링일자", "평가자 구분": "평가구분", "합계": "총점"})
    csv = workdir / f"phone_{today.year - 1}.csv"
    with open(csv, "w", encoding="cp949", newline="") as fh:
        fh.write(f"{today.year - 1}년 전화친절도 모니터링 결과\n")
        last.to_csv(fh, index=False)
    this = frame(settings, date(today.year, 1, 1), date(today.year, today.month, 1), rng)
    xlsx = workdir / f"phone_{today.year}.xlsx"
    with pd.ExcelWriter(xlsx, engine="openpyxl") as writer:
        this.to_excel(writer, index=False, sheet_name=phone_template.SHEET)
    with db.session(db_path) as con:
        for path in (csv, xlsx):
            result = phone_etl.load(con, path, settings, loaded_by="demo")
            if result.status != "loaded":
                raise RuntimeError(result.summary() + "\n" + result.rejects.head(10).to_string())
