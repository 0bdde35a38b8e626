"""The VOC loader's stages each do one job: normalise judges no row, validate judges every row."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pandas as pd

from etl import normalise, validate, voc
from tests.support.voc_files import row, write_csv

ROWS = [
    row("A-1"),
    row("A-2", received="어제쯤"),
    row("A-3", completed="2025-03-03 09:00"),
    row("A-1", status="접수", completed=""),
]


def test_normalise_keeps_every_row_and_validate_names_each_problem(env, tmp_path):
    path = write_csv(tmp_path / "voc.csv", ROWS)
    prep = voc._read(path, "voc.csv", env, None)
    with ThreadPoolExecutor(max_workers=2) as pool:
        fields = normalise.fields(prep, env, None, pool)
        rejects = validate.rejects(prep, fields, env, strict=False)
        kept = validate.keep(prep, fields.rows, rejects)
    assert len(fields.rows) == 4  # an unreadable date is a blank value here, not a reject
    assert pd.isna(fields.rows["received_at"].iloc[1])
    assert rejects[["행", "열", "사유"]].values.tolist() == [
        [3, "접수일시", "접수일시를 날짜로 읽을 수 없습니다"],
        [4, "처리일시", "처리일시가 접수일시보다 빠릅니다(데이터 오류)"],
    ]
    assert kept.tolist() == [True, False, False, False]  # A-1 twice: its completed row (line 2) is kept
    assert prep.merged == 1
