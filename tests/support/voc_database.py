"""A small VOC database with hand-computed deadlines, for the analytics and page tests.

Calendar facts used: 2025-10-03 개천절 (Fri), 2025-10-05~08 추석 연휴 + 대체공휴일, 2025-10-09 한글날,
so 2025-10-02 (Thu) is followed by the business day 2025-10-10 (Fri). 2024-10-09 한글날 (Wed).
Business day 09:00-18:00 less 12:00-13:00 = 480 working minutes. "Now" in tests: 2026-11-25 10:00 (Wed).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ccm import db, text
from ccm.settings import Settings

COLUMNS = (
    "voc_id",
    "received_at",
    "completed_at",
    "voc_type",
    "channel",
    "department",
    "facility",
    "status",
    "title",
    "content",
    "clock_start",
    "due_at",
    "deadline_minutes",
    "work_minutes",
    "sla_met",
)

# fmt: off
ROWS = [
    # October 2025, the holiday month
    ("A1", "2025-10-02 17:00", "2025-10-10 11:00", "문의", "홈페이지", "관광사업팀", "철로자전거", "완료",
     "주차장 위치 문의", "철로자전거 주차장 어디인가요", "2025-10-02 17:00", "2025-10-10 17:00", 480, 180, True),
    ("A2", "2025-10-02 10:00", "2025-10-13 15:00", "불만", "대표전화", "관광사업팀", "철로자전거", "완료",
     "환불 요청", "요금 환불이 늦어요", "2025-10-02 10:00", "2025-10-13 10:00", 960, 1200, False),
    ("A3", "2025-10-04 11:00", "2025-10-10 10:00", "칭찬", "홈페이지", "단산시설팀", "단산모노레일", "완료",
     "직원 친절 칭찬", "모노레일 직원분이 친절했습니다", "2025-10-10 09:00", "2025-10-13 18:00", 960, 60, True),
    ("A4", "2025-10-15 12:30", "2025-10-16 13:00", "건의", "방문", "문화사업팀", "문경새재미로공원", "완료",
     "화장실 청소 건의", "화장실이 더러워요", "2025-10-15 13:00", "2025-10-20 12:00", 1440, 480, True),
    ("A5", "2025-10-20 09:00", "2025-10-22 17:00", "불만", "대표전화", "단산시설팀", "단산모노레일", "완료",
     "모노레일 고장", "모노레일이 멈췄어요 안전이 걱정", "2025-10-20 09:00", "2025-10-21 18:00", 960, 1380, False),
    # November 2025
    ("B1", "2025-11-03 10:00", "2025-11-03 11:30", "문의", "홈페이지", "관광사업팀", "국민여가캠핑장", "완료",
     "캠핑장 예약 문의", "예약 취소 방법", "2025-11-03 10:00", "2025-11-04 10:00", 480, 90, True),
    ("B2", "2025-11-05 09:00", "2025-11-07 18:00", "고충", "서신", "혁신안전팀", "종량제봉투", "완료",
     "요금 고충", "종량제봉투 가격 인상 고충", "2025-11-05 09:00", "2025-11-13 18:00", 3360, 1440, True),
    ("B3", "2025-11-10 14:00", "2025-11-12 09:30", "불만", "방문", "관광사업팀", "철로자전거", "완료",
     "주차 불편", "주차장이 좁아요", "2025-11-10 14:00", "2025-11-12 14:00", 960, 750, True),
    ("B4", "2025-11-17 10:00", "2025-11-17 16:00", "불만", "홈페이지", "관광사업팀", "철로자전거", "완료",
     "환불 재요청", "요금 환불 또 문제", "2025-11-17 10:00", "2025-11-19 10:00", 960, 300, True),
    # a year earlier, for same-month-last-year
    ("Y1", "2024-10-07 10:00", "2024-10-07 12:00", "불만", "대표전화", "관광사업팀", "철로자전거", "완료",
     "주차 불편", "주차 공간 부족", "2024-10-07 10:00", "2024-10-10 10:00", 960, 120, True),
    # open now (2026-11-25 10:00)
    ("O1", "2026-11-23 09:00", None, "불만", "대표전화", "단산시설팀", "어드벤처파크", "처리중",
     "안전 요원 부족", "어드벤처파크 안전요원이 없어요", "2026-11-23 09:00", "2026-11-24 18:00", 960, None, None),
    ("O2", "2026-11-24 10:30", None, "문의", "홈페이지", "관광사업팀", "철로자전거", "접수",
     "주차 요금 문의", "주차 요금이 얼마인가요", "2026-11-24 10:30", "2026-11-25 10:30", 480, None, None),
    ("O3", "2026-11-24 14:00", None, "문의", "대표전화", "문화사업팀", "불정자연휴양림", "접수",
     "예약 변경 문의", "휴양림 예약 날짜 변경", "2026-11-24 14:00", "2026-11-25 14:00", 480, None, None),
    ("O4", "2026-11-25 08:00", None, "건의", "홈페이지", "관광사업팀", "철로자전거", "접수",
     "안내판 건의", "안내판을 늘려 주세요", "2026-11-25 09:00", "2026-11-27 18:00", 1440, None, None),
]
# fmt: on


def insert_rows(
    con: duckdb.DuckDBPyConnection, rows: list[tuple], columns: tuple[str, ...] = COLUMNS
) -> None:
    cols = ", ".join(columns)
    marks = ", ".join("?" * len(columns))
    con.executemany(f"INSERT INTO voc_items ({cols}, batch_id) VALUES ({marks}, 1)", [list(r) for r in rows])


def build(path: Path, settings: Settings, rows: list[tuple] = ROWS) -> Path:
    """The fixture database at `path`, keywords and topics enriched through ccm.text.enrich."""
    with db.session(path) as con:
        insert_rows(con, rows)
        text.enrich(con, settings)
    return path


def spike_rows() -> list[tuple]:
    """철로자전거 × 불만: one item a month in 2025, six in January 2026, two in February 2026."""
    cols_rows = []
    n = 0
    for month in range(1, 13):
        n += 1
        cols_rows.append((f"S{n}", f"2025-{month:02d}-10 10:00", "불만", "철로자전거", "관광사업팀", "완료"))
    for day in range(1, 7):
        n += 1
        cols_rows.append(
            (f"S{n}", f"2026-01-{day + 10:02d} 10:00", "불만", "철로자전거", "관광사업팀", "완료")
        )
    for day in range(1, 3):
        n += 1
        cols_rows.append(
            (f"S{n}", f"2026-02-{day + 10:02d} 10:00", "불만", "철로자전거", "관광사업팀", "완료")
        )
    return cols_rows


SPIKE_COLUMNS = ("voc_id", "received_at", "voc_type", "facility", "department", "status")
