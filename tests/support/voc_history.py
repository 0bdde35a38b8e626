"""A small deterministic VOC set written straight into voc_items (topics/keywords via ccm.text) for the
report and ranking tests: 2024-07 … 2025-12, so that 2025 H2 has a previous half and a last year."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ccm import db

TYPES = ["문의", "불만", "칭찬", "건의", "고충"]
CHANNELS = ["홈페이지", "대표전화", "방문", "SNS"]
FACILITIES = {
    "단산모노레일": "단산시설팀",
    "철로자전거": "관광사업팀",
    "문경새재미로공원": "문화사업팀",
    "농특산물직판장": "농특산물홍보팀",
}
TOPICS = ["주차", "요금·환불", "친절", "청결"]


def frame(n: int = 900, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-07-01T09:00")
    minutes = rng.integers(0, 549 * 24 * 60, n)  # 2024-07-01 … 2025-12-31
    received = pd.to_datetime(start + minutes.astype("timedelta64[m]"))
    facility = rng.choice(list(FACILITIES), n)
    deadline = rng.choice([480, 960, 1440], n)
    work = rng.integers(30, 1800, n)
    open_ = rng.random(n) < 0.05
    df = pd.DataFrame(
        {
            "voc_id": [f"T{i:05d}" for i in range(n)],
            "received_at": received,
            "voc_type": rng.choice(TYPES, n, p=[0.4, 0.3, 0.1, 0.1, 0.1]),
            "channel": rng.choice(CHANNELS, n),
            "facility": facility,
            "department": [FACILITIES[f] for f in facility],
            "deadline_minutes": deadline,
            "work_minutes": np.where(open_, np.nan, work),
        }
    )
    df["completed_at"] = (df["received_at"] + pd.to_timedelta(df["work_minutes"] * 2, unit="m")).where(~open_)
    df["sla_met"] = pd.array(np.where(open_, None, work <= deadline), dtype="boolean")
    df["status"] = np.where(open_, "접수", "완료")
    df["clock_start"] = df["received_at"]
    df["due_at"] = df["received_at"] + pd.to_timedelta(deadline * 3, unit="m")
    df["title"] = [f"{t} 관련 문의입니다" for t in rng.choice(TOPICS, n)]
    return df


def fill(db_path: Path, settings, n: int = 900) -> pd.DataFrame:
    """Insert the set, then tag keywords and topics through ccm.text.enrich as the loader does."""
    from ccm import text

    df = frame(n)
    with db.session(db_path) as con:
        con.register("t_df", df)
        con.execute("""INSERT INTO voc_items (voc_id, received_at, completed_at, voc_type, channel, department,
                           facility, status, title, clock_start, due_at, deadline_minutes, work_minutes, sla_met,
                           batch_id)
                       SELECT voc_id, received_at, completed_at, voc_type, channel, department, facility, status,
                              title, clock_start, due_at, deadline_minutes, work_minutes::INTEGER, sla_met, 1
                       FROM t_df""")
        text.enrich(con, settings)
    return df
