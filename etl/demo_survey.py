"""Demo surveys: three years of PCSI respondent files and a smaller 교육만족도 survey, written as the
survey firm would deliver them (CSV CP949, CSV UTF-8 with BOM, .xlsx with a title row) and loaded
through the real loader. Deterministic; the last year is the year of ccm.period.now()."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from ccm import db
from ccm.period import now
from etl import survey

# Facility → (share of respondents, satisfaction offset on the 7-point scale).
FACILITIES = {
    "단산모노레일": (0.18, 0.06),
    "철로자전거": (0.16, 0.08),
    "관광사격장": (0.09, -0.10),
    "어드벤처파크": (0.10, -0.04),
    "문경새재미로공원": (0.10, 0.04),
    "국민여가캠핑장": (0.13, -0.10),
    "불정자연휴양림": (0.11, 0.08),
    "농특산물직판장": (0.09, -0.06),
    "문경사랑새재장터": (0.04, 0.00),
}
AREA_OFFSET = {"A": -0.05, "B": 0.08, "C": -0.10, "D": 0.0, "E": 0.04}
CUSTOMER_TYPES = ["일반이용객", "단체이용객", "지역주민"]
GENDER = ["남", "여"]
AGES = ["20대 이하", "30대", "40대", "50대", "60대 이상"]
REGIONS = ["문경시", "경북(문경 외)", "대구", "수도권", "기타"]
FREQ = ["처음", "2~3회", "4회 이상"]
SURNAMES = ["김", "이", "박", "최", "정", "강", "조", "윤"]
COMMENTS = [
    "주차장이 좁아서 주말에 불편했습니다",
    "직원분들이 친절해서 좋았어요",
    "화장실 청결이 아쉽습니다",
    "요금이 조금 비싼 편입니다",
    "안내 표지판이 더 많았으면 합니다",
    "대기시간이 너무 길었어요",
    "아이들과 즐거운 시간이었습니다",
    "매점 메뉴가 다양했으면 좋겠습니다",
    "예약 시스템이 편리했습니다",
    "그늘 쉼터가 부족합니다",
    "결과 연락은 010-3344-5566 으로 부탁드립니다",
]


def _pcsi_frame(year: int, n: int, rng: np.random.Generator, last: int) -> pd.DataFrame:
    names = list(FACILITIES)
    shares = np.array([FACILITIES[f][0] for f in names])
    fac = rng.choice(len(names), size=n, p=shares / shares.sum())
    trend = 0.06 * (year - last)
    person = rng.normal(0.0, 0.45, n)
    base = 6.62 + trend + np.array([FACILITIES[names[i]][1] for i in fac]) + person
    days = rng.integers(0, 61, n)
    df = pd.DataFrame(
        {
            "ID": [f"P{year % 100:02d}-{i + 1:04d}" for i in range(n)],
            "조사일": (pd.Timestamp(year, 9, 1) + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d"),
            "이용시설": [names[i] for i in fac],
            "고객유형": rng.choice(CUSTOMER_TYPES, size=n, p=[0.6, 0.25, 0.15]),
        }
    )
    for area, off in AREA_OFFSET.items():
        for k in (1, 2, 3):
            x = np.clip(np.rint(base + off + rng.normal(0.0, 0.7, n)), 1, 7).astype(int).astype(object)
            miss = rng.random(n) < 0.02
            x[miss] = rng.choice([98, 99], size=int(miss.sum()))
            df[f"{area}{k}"] = x
    df["기타의견"] = np.where(rng.random(n) < 0.25, rng.choice(COMMENTS, size=n), "")
    df["성별"] = rng.choice(GENDER, size=n)
    df["연령대"] = rng.choice(AGES, size=n, p=[0.2, 0.22, 0.24, 0.2, 0.14])
    df["거주지"] = rng.choice(REGIONS, size=n, p=[0.25, 0.2, 0.25, 0.2, 0.1])
    df["이용빈도"] = rng.choice(FREQ, size=n, p=[0.5, 0.3, 0.2])
    # The survey firm's contact columns: present in the raw file, never stored.
    df["성명"] = [f"{SURNAMES[i % len(SURNAMES)]}응답{i}" for i in range(n)]
    df["연락처"] = [f"010-{5000 + i:04d}-{(i * 37) % 10000:04d}" for i in range(n)]
    return df


def _training_frame(year: int, n: int, rng: np.random.Generator) -> pd.DataFrame:
    base = 4.2 + rng.normal(0.0, 0.4, n)
    df = pd.DataFrame(
        {
            "번호": np.arange(1, n + 1),
            "교육일": f"{year}-06-15",
            "교육과정": rng.choice(["친절서비스 교육", "CCM 리더 교육"], size=n),
            "부서": rng.choice(
                ["혁신안전팀", "문화사업팀", "관광사업팀", "농특산물홍보팀", "단산시설팀"], size=n
            ),
            "직급": rng.choice(["주임", "대리", "과장", "팀장"], size=n),
        }
    )
    for k in range(1, 8):
        x = np.clip(np.rint(base + rng.normal(0.0, 0.6, n)), 1, 5).astype(int)
        df[f"T{k}"] = 6 - x if k == 3 else x  # T3 is worded negatively (역문항)
    df["건의사항"] = np.where(
        rng.random(n) < 0.3,
        rng.choice(["실습 시간을 늘려 주세요", "사례 중심이라 좋았습니다", "교육 시간이 길었습니다"], size=n),
        "",
    )
    return df


def _write(df: pd.DataFrame, path: Path, kind: str, title: str) -> Path:
    if kind == "csv-cp949":
        path = path.with_suffix(".csv")
        df.to_csv(path, index=False, encoding="cp949")
    elif kind == "csv-utf8":
        path = path.with_suffix(".csv")
        df.to_csv(path, index=False, encoding="utf-8-sig")
    else:
        path = path.with_suffix(".xlsx")
        with pd.ExcelWriter(path, engine="openpyxl") as writer:
            df.to_excel(writer, index=False, startrow=2)
            writer.sheets["Sheet1"]["A1"] = title
    return path


def build(db_path: Path, settings, workdir: Path) -> None:
    last = now().year
    rng = np.random.default_rng(20240901)
    pcsi_spec = survey.load_spec()
    training_spec = survey.load_spec(survey.SPECS / "training_default.toml")
    kinds = ["csv-cp949", "csv-utf8", "xlsx"]
    with db.session(db_path) as con:
        for k, year in enumerate(range(last - 2, last + 1)):
            df = _pcsi_frame(year, 620 + 40 * k, rng, last)
            if year == last:
                df.insert(4, "가중치", np.round(rng.uniform(0.8, 1.25, len(df)), 3))
                df.loc[7, "B2"] = 8  # one out-of-scale answer: reported, never scored
            path = _write(
                df, workdir / f"survey_pcsi_{year}", kinds[k], f"{year}년 지방공기업 고객만족도 조사 원자료"
            )
            table = survey.read(path.read_bytes(), path.name, pcsi_spec, settings)
            spec = replace(survey.propose_spec(table, settings, pcsi_spec), year=year)
            survey.load(con, path, spec, settings, loaded_by="demo")
            t = _training_frame(year, 36 + 6 * k, rng)
            path = _write(t, workdir / f"survey_training_{year}", "xlsx", f"{year}년 서비스 교육 만족도")
            survey.load(con, path, replace(training_spec, year=year), settings, loaded_by="demo")
