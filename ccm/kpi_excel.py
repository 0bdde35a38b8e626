"""The CCO's monthly KPI review as a print-ready Excel workbook (openpyxl, laid out by ccm.xlsx_style):
summary with the status counts and the management goals, scorecard with status colours, off-track
list, changes since last month (in %p), department scores, and the rules in words. The definition
columns of the scorecard (strategy, task, direction, …) are folded under an outline + so that the
review prints on A4 landscape at full size."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import PatternFill

from ccm import xlsx_style as xs
from ccm.kpi import LABELS, Rules, decimals, rules_lines, to_display

STATUS_FILL = {
    "달성": "C6EFCE",
    "주의": "FFEB9C",
    "미달": "FFC7CE",
    "미입력": "D9D9D9",
    "목표 없음": "EDEDED",
    "실적 없음": "EDEDED",
}
PCT_COLUMNS = {LABELS[c] for c in ("attainment", "attainment_prev", "score")}
PP_COLUMNS = {LABELS["delta"]}
GOAL_COLUMNS = [
    LABELS[c]
    for c in (
        "indicator",
        "unit",
        "actual",
        "target",
        "attainment",
        "status",
        "gap",
        "last_month",
        "missing_months",
    )
]
# the definition of a KPI: in the workbook, folded (outline +) and left out of the print
DEFINITION_COLUMNS = [
    LABELS[c] for c in ("strategy", "task", "core_task", "direction", "aggregation", "source")
]
SOURCE_LABELS = {"pcsi": "고객만족도(PCSI)", "voc_compliance": "VOC 처리기한 준수율", "voc_count": "VOC 건수"}
STATUS_ORDER = ("달성", "주의", "미달", "미입력", "목표 없음", "실적 없음")


def review_workbook(
    title: str,
    goals: pd.DataFrame,
    card: pd.DataFrame,
    off: pd.DataFrame,
    changes: pd.DataFrame,
    scores: pd.DataFrame,
    org_score: float | None,
    cap: float,
    rules: Rules | None = None,
    non_negative_units: tuple[str, ...] = (),
) -> bytes:
    """The review as a workbook; percentages shown at the rules' precision (the one the status bands
    use), changes of attainment in %p, and the rules written out from ccm.kpi.rules_text."""
    rules = rules or Rules(cap=cap)
    wb = Workbook()
    _summary(xs.Page(wb.active, print_title=title), title, goals, card, org_score, rules, non_negative_units)
    for name, df in [
        ("스코어카드", card),
        ("미달·주의", off),
        ("지난달 대비", changes),
        ("부서 점수", scores),
    ]:
        page = xs.Page(wb.create_sheet(name), print_title=f"{title} · {name}")
        table = _table(page, df, rules)
        page.ws.freeze_panes = page.ws.cell(table.header_row + 1, 1)
        page.finish(repeat=table)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def percent_format(rules: Rules) -> str:
    """Excel's percent format at the attainment precision (0.1 %p → 0.0%)."""
    places = decimals(rules)
    return "0" + ("." + "0" * places if places else "") + "%"


def pp_format(rules: Rules) -> str:
    """A change of attainment in percentage points at the same precision (+1.5%p)."""
    body = "0" + ("." + "0" * decimals(rules) if decimals(rules) else "")
    return f'+{body}"%p";-{body}"%p";{body}"%p"'


def source_label(source) -> str | None:
    """The automatic source in words (voc_count:칭찬 → VOC 건수(칭찬))."""
    if not isinstance(source, str) or not source:
        return None
    key, _, arg = source.partition(":")
    label = SOURCE_LABELS.get(key, source)
    return f"{label}({arg})" if arg and key in SOURCE_LABELS else label


def _summary(
    page: xs.Page,
    title: str,
    goals: pd.DataFrame,
    card: pd.DataFrame,
    org_score: float | None,
    rules: Rules,
    non_negative_units: tuple[str, ...],
) -> None:
    page.ws.title = "요약"
    page.title(title, space=False)
    statuses = card["status"].value_counts() if "status" in card else pd.Series(dtype="int64")
    counts = " · ".join(f"{s} {int(statuses[s]):,}개" for s in STATUS_ORDER if s in statuses) or "—"
    first = page.facts(
        [("기관 점수", org_score, "pct"), ("달성률 상한", rules.cap, "pct"), ("부서 KPI 상태", counts, None)]
    )
    for r in (first, first + 1):
        page.ws.cell(r, 2).number_format = percent_format(rules)
    page.text("경영목표", bold=True, keep_with_next=True)
    shown = to_display(goals)
    _table(
        page,
        shown[[c for c in GOAL_COLUMNS if c in shown.columns]],
        rules,
        displayed=True,
        empty="경영목표 KPI가 없습니다.",
    )
    for line in rules_lines(rules, non_negative_units):
        page.text(line, color="404040")
    page.finish()


def _table(
    page: xs.Page,
    df: pd.DataFrame,
    rules: Rules,
    *,
    displayed: bool = False,
    max_width: float = 30,
    empty: str = "해당하는 KPI가 없습니다.",
) -> xs.Table:
    """A KPI frame in Korean with rates at the rules' precision and the status cells coloured."""
    shown = df if displayed else to_display(df)
    if LABELS["source"] in shown:
        shown = shown.assign(**{LABELS["source"]: shown[LABELS["source"]].map(source_label)})
    kinds = {c: "pct" for c in PCT_COLUMNS if c in shown} | {c: "pp" for c in PP_COLUMNS if c in shown}
    formats = {c: percent_format(rules) for c in PCT_COLUMNS} | {c: pp_format(rules) for c in PP_COLUMNS}
    table = page.table(shown, kinds=kinds, formats=formats, empty=empty, max_width=max_width)
    for name in DEFINITION_COLUMNS:
        if name in table.columns and len(table.columns) > 12:
            dim = page.ws.column_dimensions[table.letter(name)]
            dim.hidden, dim.outline_level = True, 1
    for name in (LABELS["status"], LABELS["status_prev"]):
        if name not in table.columns:
            continue
        j = table.col(name)
        for r in range(table.header_row + 1, table.last_row + 1):
            fill = STATUS_FILL.get(str(page.ws.cell(r, j).value))
            if fill:
                page.ws.cell(r, j).fill = PatternFill("solid", fgColor=fill)
    return table
