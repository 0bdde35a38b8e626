"""Small survey files made in tests (real .xlsx/.csv/.xls bytes) and the spec that reads them."""

from __future__ import annotations

import io

import pandas as pd

from etl.survey import Item, SurveySpec

# Four respondents, 7-point scale: a reverse item (A2), missing codes (98/99), a weight column and two
# facilities ('모노레일' is an alias of 단산모노레일). Hand-computed results are in test_pcsi_scoring.py.
SMALL = {
    "ID": ["R1", "R2", "R3", "R4"],
    "조사일": ["2025-09-01", "2025-09-02", "2025-09-03", "2025-09-04"],
    "이용시설": ["모노레일", "철로자전거", "단산모노레일", "철로자전거"],
    "가중치": [1, 2, 1, 1],
    "성명": ["홍길동", "김철수", "이영희", "박민수"],
    "연락처": ["010-1111-2222", "010-3333-4444", "010-5555-6666", "010-7777-8888"],
    "A1": [7, 5, 4, 6],
    "A2": [2, 98, 1, 4],
    "B1": [6, 7, 5, 99],
    "C1": [5, 4, 7, 6],
    "D1": [99, 6, 7, 5],
    "E1": [7, 6, 5, 7],
    "성별": ["남", "여", "여", "남"],
    "기타의견": ["결과는 010-1234-5678 로 연락 주세요", "", "주차장이 좁아요", None],
}

SMALL_SPEC = SurveySpec(
    survey="PCSI",
    year=2025,
    scale=7,
    missing_codes=(98, 99),
    items=(
        Item("A1", "서비스환경"),
        Item("A2", "서비스환경", reverse=True),
        Item("B1", "서비스과정"),
        Item("C1", "서비스결과"),
        Item("D1", "사회적만족"),
        Item("E1", "전반적만족"),
    ),
    respondent_id_column="ID",
    date_column="조사일",
    facility_column="이용시설",
    weight_column="가중치",
    comment_columns=("기타의견",),
    demographic_columns=("성별",),
)


def frame(**changes) -> pd.DataFrame:
    data = {k: list(v) for k, v in SMALL.items()}
    data.update({k: list(v) for k, v in changes.items()})
    return pd.DataFrame(data)


def xlsx(df: pd.DataFrame, title: str | None = None) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        df.to_excel(writer, index=False, startrow=2 if title else 0)
        if title:
            writer.sheets["Sheet1"]["A1"] = title
    return buf.getvalue()


def xls(df: pd.DataFrame) -> bytes:
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("응답")
    for j, col in enumerate(df.columns):
        ws.write(0, j, col)
        for i, v in enumerate(df[col]):
            if v is not None and not (isinstance(v, float) and pd.isna(v)):
                ws.write(i + 1, j, v if not hasattr(v, "item") else v.item())
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv(df: pd.DataFrame, encoding: str = "cp949") -> bytes:
    return df.to_csv(index=False).encode(encoding)


def pcsi_ministry_frame(n_per_facility: int = 40, seed: int = 1) -> pd.DataFrame:
    """A file in the default ministry layout (A1…E3) with two facilities."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n = 2 * n_per_facility
    df = pd.DataFrame(
        {
            "ID": [f"X{i}" for i in range(n)],
            "조사일": "2025-10-01",
            "이용시설": ["철로자전거"] * n_per_facility + ["관광사격장"] * n_per_facility,
            "고객유형": rng.choice(["일반", "단체"], size=n),
        }
    )
    for area in "ABCDE":
        for k in (1, 2, 3):
            df[f"{area}{k}"] = rng.integers(4, 8, n)
    df["성별"] = rng.choice(["남", "여"], size=n)
    df["기타의견"] = ""
    return df
