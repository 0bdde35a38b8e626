"""File-level diagnosis: when a field the rows need is not in the file, say it once — which field, the
file's unused columns, the likeliest candidates judged by their values, and the mapping line that fixes
it — instead of the same error on every row."""

from __future__ import annotations

import pandas as pd

from etl import mapping as mp
from etl.parsing import parse_datetimes
from etl.readers import Table

SAMPLE = 200


def _unused(plan: mp.ColumnPlan) -> list[str]:
    return list(plan.unmapped)


def _dates_share(s: pd.Series) -> float:
    values = s.dropna().head(SAMPLE).reset_index(drop=True)
    return float(parse_datetimes(values).notna().mean()) if len(values) else 0.0


def candidates(table: Table, plan: mp.ColumnPlan, field: str, settings=None) -> list[str]:
    """Unused columns whose values look like the field's, likeliest first."""
    scored = []
    for c in _unused(plan):
        s = table.df[c].dropna()
        if not len(s):
            continue
        if field in ("received_at", "completed_at"):
            score = _dates_share(s)
        elif field == "voc_id":
            text = s.astype("string")
            score = (
                s.nunique() / len(s) if text.str.len().max() <= 40 and text.str.contains(r"\d").all() else 0.0
            )
        elif field == "voc_type" and settings is not None:
            lookup = mp.value_lookup(settings, "voc_type")
            distinct = s.astype("string").unique()[:SAMPLE]
            score = sum(lookup(v) is not None for v in distinct) / len(distinct)
        else:
            score = 0.0
        if score >= 0.5:
            scored.append((-score, c))
    return [c for _, c in sorted(scored)]


def _fix(field: str, cands: list[str], settings) -> str:
    if cands:
        return f'[columns] "{cands[0]}" = "{field}"'
    if field == "voc_type":
        example = next(iter(settings.voc.types))
        return f'[columns] "(원본 열 이름)" = "voc_type", 또는 모든 행이 같은 유형이면 [defaults] voc_type = "{example}"'
    return f'[columns] "(원본 열 이름)" = "{field}"'


def missing_fields(name: str, table: Table, plan: mp.ColumnPlan, settings) -> str:
    """One line for the required fields the file lacks: candidates and the mapping line for each."""
    parts = []
    for f in plan.missing():
        cands = candidates(table, plan, f, settings)
        hint = f"후보 {', '.join(repr(c) for c in cands[:3])}; " if cands else ""
        parts.append(f"{mp.FIELD_LABELS[f]}({hint}매핑 파일에 {_fix(f, cands, settings)})")
    unused = ", ".join(map(str, _unused(plan))) or "없음"
    return (
        f"{name}: 필수 열을 찾지 못했습니다 — {'; '.join(parts)}. "
        f"{table.header_row}행을 머리글로 읽었고, 쓰지 않은 열은 {unused}입니다."
    )


def no_completion_column(table: Table, plan: mp.ColumnPlan, closed: int) -> str:
    """The file says items are 완료 but has no completion time column."""
    cands = candidates(table, plan, "completed_at")
    hint = (
        f' 처리일시가 \'{cands[0]}\' 열에 있다면 매핑 파일에 [columns] "{cands[0]}" = "completed_at" 을 적으세요.'
        if cands
        else f" 쓰지 않은 열: {', '.join(map(str, _unused(plan))) or '없음'}."
    )
    return (
        f"처리일시 열을 찾지 못했습니다: 처리상태가 완료인 {closed:,}건은 '처리일시 없음'(완료, 처리 시각 모름)으로 "
        f"저장해 기한 준수 판정에서 뺍니다.{hint}"
    )


def no_progress(table: Table, plan: mp.ColumnPlan) -> str:
    """Neither a completion time nor a status: every item is stored as open."""
    cands = candidates(table, plan, "completed_at")
    hint = (
        f' \'{cands[0]}\' 열이 처리일시라면 매핑 파일에 [columns] "{cands[0]}" = "completed_at" 을 적으세요.'
        if cands
        else ""
    )
    return f"처리일시와 처리상태 열이 모두 없어 모든 건을 미처리(접수)로 저장했습니다.{hint}"
