"""Demo 개선과제: actions on the demo VOC's busiest complaint cells (facility × topic), written into the
real template and loaded through etl.actions.load — completed long enough ago to be judged, one still
under observation, open ones (one overdue) and a fresh 발굴. Deterministic for a given `now`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb
import pandas as pd

from ccm.period import now as current_time
from etl import actions

# (days before now it was completed or None, status, days from now to the due date, customer told)
PLAN = [
    (390, "효과 확인", -395, True),
    (200, "완료", -190, True),
    (150, "완료", -150, False),
    (120, "완료", -110, True),
    (30, "완료", -20, False),
    (None, "시행", -15, False),  # overdue
    (None, "계획", 40, False),
    (None, "발굴", None, False),
]
CAUSES = {
    "주차": ("주말 주차면 부족, 안내요원 부재", "임시 주차장 운영과 입구 안내 표지판 설치"),
    "요금": ("요금 안내가 채널마다 다름", "요금표 일원화, 홈페이지·매표소 안내문 정비"),
    "시설고장": ("노후 설비 정기점검 주기 부족", "점검 주기 단축과 예비 부품 확보"),
    "직원응대": ("성수기 응대 인력 부족, 응대 기준 미흡", "친절 응대 교육과 성수기 인력 보강"),
    "예약": ("예약 시스템 안내 부족", "예약 안내 화면 개선, 취소 규정 게시"),
}


def cells(con: duckdb.DuckDBPyConnection, n: int) -> pd.DataFrame:
    """The n facility × topic cells with the most complaints (불만·고충) in the last year of data."""
    return con.execute(
        """SELECT facility, topic, count(*) AS items FROM voc_topics
           WHERE topic <> '기타' AND facility IS NOT NULL AND voc_type IN ('불만', '고충')
             AND received_at >= (SELECT max(received_at) FROM voc_topics) - INTERVAL 365 DAY
           GROUP BY ALL ORDER BY items DESC, facility, topic LIMIT ?""",
        [n],
    ).df()


def rows(db_path: Path, settings, now) -> pd.DataFrame:
    with duckdb.connect(str(db_path), read_only=True) as con:
        top = cells(con, len(PLAN))
        out = []
        for (facility, topic, _), (done_ago, status, due_in, told) in zip(top.itertuples(index=False), PLAN):
            found = now - timedelta(days=(done_ago or 0) + 60)
            ids = [
                r[0]
                for r in con.execute(
                    """SELECT voc_id FROM voc_topics WHERE facility = ? AND topic = ? AND received_at < ?
                   AND voc_type IN ('불만', '고충') ORDER BY received_at DESC, voc_id LIMIT 3""",
                    [facility, topic, found],
                ).fetchall()
            ]
            cause, direction = CAUSES.get(topic, (f"{topic} 관련 불만 반복", f"{topic} 개선 방안 시행"))
            out.append(
                {
                    "title": f"{facility} {topic} 불만 개선",
                    "cause": cause,
                    "direction": direction,
                    "department": settings.facilities.get(facility, settings.departments[0]),
                    "schedule": "1단계 현황 조사 → 2단계 개선 시행 → 3단계 결과 통보",
                    "due_date": None if due_in is None else (now + timedelta(days=due_in)).date(),
                    "status": status,
                    "topic": topic,
                    "facility": facility,
                    "voc_ids": ", ".join(ids),
                    "customer_told": told,
                    "completed_on": None if done_ago is None else (now - timedelta(days=done_ago)).date(),
                }
            )
    return pd.DataFrame(out)


def build(db_path: Path, settings, workdir: Path) -> actions.ImportResult:
    now = current_time().replace(second=0, microsecond=0)
    frame = rows(Path(db_path), settings, now)
    path = Path(workdir) / "개선과제_데모.xlsx"
    path.write_bytes(actions.build_template(settings, rows=frame))
    result = actions.load(path, db_path, settings, actions.CommandLine(username="demo"), now=now)
    print(f"  {result.message}", flush=True)
    if not result.ok and not frame.empty:
        raise RuntimeError(result.rejects.to_string())
    return result
