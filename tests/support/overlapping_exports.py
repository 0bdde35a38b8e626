"""Small VOC export files for the admin, coexistence and browser tests (written as real CSV files)."""

from __future__ import annotations

from pathlib import Path

HEADER = "접수번호,접수일시,유형,접수채널,처리부서,시설,처리상태,제목,내용,처리일시"

# Export A: three items, one still open.
EXPORT_A = [
    "H7-001,2026-10-05 10:00,문의,홈페이지,관광사업팀,철로자전거,완료,주차 문의,주차장 위치가 궁금합니다,2026-10-05 11:00",
    "H7-002,2026-10-06 14:00,불만,대표전화,단산시설팀,단산모노레일,처리중,대기 불만,대기 시간이 너무 깁니다,",
    "H7-003,2026-10-07 09:30,건의,방문,문화사업팀,문경새재미로공원,완료,안내판 건의,안내판을 늘려 주세요,2026-10-08 10:00",
]
# Export B, a later export overlapping A: H7-002 is now closed, H7-004 is new.
EXPORT_B = [
    "H7-002,2026-10-06 14:00,불만,대표전화,단산시설팀,단산모노레일,완료,대기 불만,대기 시간이 너무 깁니다,2026-10-07 16:00",
    "H7-004,2026-10-09 11:00,칭찬,홈페이지,관광사업팀,국민여가캠핑장,완료,직원 칭찬,직원분이 친절했어요,2026-10-09 15:00",
]


def voc_csv(folder: Path, name: str, rows: list[str], encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding=encoding)
    return path


def many_rows(prefix: str, n: int, day: str = "2026-10-12") -> list[str]:
    """n closed 문의 items with distinct ids (a bigger file for concurrency tests)."""
    return [
        f"{prefix}-{i:05d},{day} {9 + i % 8:02d}:{i % 60:02d},문의,홈페이지,관광사업팀,철로자전거,완료,"
        f"주차 문의 {i % 20},주차장 위치 문의 {i % 20},{day} 17:30"
        for i in range(n)
    ]
