"""The KPI workbook template (openpyxl): Korean instructions, dropdowns, prefilled with the year's KPIs.
Laid out for A4 by ccm.xlsx_style (header row repeated, page numbers); the optional monthly targets
are folded under an outline + so that the definitions print one page wide at full size."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from ccm import kpi_sources
from ccm import xlsx_style as xs
from ccm.kpi import (
    AGGREGATIONS,
    DIRECTIONS,
    non_negative_units,
    plan_of,
    rules_from,
    rules_lines,
    source_label,
)
from etl.kpi import ACT_FIELDS, ACT_SHEET, DEF_FIELDS, DEF_SHEET

ROWS = 1000  # rows covered by the dropdowns
NUMBER = "num"  # entry cells for targets, weights and actuals: #,##0.0#


@dataclass(frozen=True)
class Item:
    """One KPI of the manual's lists (strategy, task, core task, indicator, unit, direction, aggregation)."""

    strategy: str
    task: str
    core_task: str
    indicator: str
    unit: str
    direction: str
    aggregation: str
    weight: float
    source: str | None = None


_S = "고객행복경영"
# 경영목표 (manual §2.1.1) — the organisation unit's KPIs, shown as the four big cards.
# fmt: off
GOALS = [
    Item("경영목표", "고객행복경영", "고객만족도 90점 달성", "고객만족도", "점", "higher", "latest", 25, "pcsi"),
    Item("경영목표", "상생혁신경영", "사업수지 90% 달성", "사업수지", "%", "higher", "latest", 25),
    Item("경영목표", "지속가능경영기반구축", "사회공헌실적 5건 달성", "사회공헌실적", "건", "higher", "cumulative", 25),
    Item("경영목표", "시설안전경영", "안전사고 Zero", "안전사고", "건", "zero", "cumulative", 25),
]
# fmt: on
# 주관부서 핵심성과지표 (manual §5.1.1)
# fmt: off
LEAD = [
    Item(_S, "고객서비스향상", "소통채널 운영 및 정보제공 준수", "오프라인 소통노력", "회", "higher", "cumulative", 10),
    Item(_S, "고객서비스향상", "소통채널 운영 및 정보제공 준수", "SNS 소통채널운영 실적", "건", "higher", "cumulative", 10),
    Item(_S, "고객서비스향상", "소통채널 운영 및 정보제공 준수", "언론보도 홍보실적", "건", "higher", "cumulative", 10),
    Item(_S, "고객서비스향상", "소통채널 운영 및 정보제공 준수", "대외적 우수사례 홍보", "건", "higher", "cumulative", 10),
    Item(_S, "고객정보제공준수", "소통채널 운영 및 정보제공 준수", "경영공시 정책준수(지적 건수)", "건", "zero", "cumulative", 10),
    Item(_S, "이해관계자 협력", "고객만족도·친절도 평가", "고객만족도 평가", "점", "higher", "latest", 15, "pcsi"),
    Item(_S, "이해관계자 협력", "고객만족도·친절도 평가", "전화응대 친절도 평가", "점", "higher", "average", 10),
    Item(_S, "노사상생", "고객서비스 역량 강화", "서비스 역량강화 교육훈련", "회", "higher", "cumulative", 10),
    Item(_S, "노사상생", "고객서비스 역량 강화", "서비스 품질관리 활동추진", "건", "higher", "cumulative", 5),
    Item(_S, "고객서비스향상", "고객서비스 역량 강화", "VOC 처리기한 준수율", "%", "higher", "average", 10, "voc_compliance"),
]
# fmt: on
# 사업부서 핵심성과지표 (manual §5.1.1)
# fmt: off
BUSINESS = [
    Item(_S, "고객서비스향상", "소통채널 운영", "SNS 소통채널운영 실적", "건", "higher", "cumulative", 10),
    Item(_S, "고객서비스향상", "소통채널 운영", "보도자료 배포", "건", "higher", "cumulative", 10),
    Item(_S, "이해관계자 협력", "고객만족도·친절도 평가", "고객만족도 평가", "점", "higher", "latest", 15),
    Item(_S, "이해관계자 협력", "고객만족도·친절도 평가", "전화응대 친절도 평가", "점", "higher", "average", 15),
    Item(_S, "노사상생", "고객서비스 역량 강화", "친절서비스 교육", "회", "higher", "cumulative", 10),
    Item(_S, "노사상생", "고객서비스 역량 강화", "서비스 품질개선 실적", "건", "higher", "cumulative", 10),
    Item(_S, "고객서비스향상", "고객서비스 역량 강화", "VOC 처리기한 준수율", "%", "higher", "average", 15, "voc_compliance"),
    Item(_S, "고객서비스향상", "고객서비스 역량 강화", "칭찬 VOC 건수", "건", "higher", "cumulative", 5, "voc_count:칭찬"),
    Item(_S, "고객서비스향상", "고객서비스 역량 강화", "불만 VOC 건수", "건", "lower", "cumulative", 10, "voc_count:불만"),
]
# fmt: on


def catalogue(settings) -> list[tuple[str, Item]]:
    """(department, item) for every department: the goals, the lead department's and business lists."""
    lead = settings.organisation.ccm_department
    out = [(rules_from(settings).org_unit, g) for g in GOALS]
    for dept in settings.departments:
        out += [(dept, it) for it in (LEAD if dept == lead else BUSINESS)]
    return out


INSTRUCTIONS = [
    "KPI 통합 문서 작성 안내",
    "",
    f"1. '{DEF_SHEET}' 시트: 한 행이 한 KPI입니다(연도·부서·지표명이 같으면 같은 KPI). 이미 적재된 올해 KPI가 채워져 있습니다.",
    "   - 방향: 높을수록 좋음 / 낮을수록 좋음 / 0이 목표 (예: 안전사고 Zero는 0이 목표).",
    "   - 집계방식: 누적(연초부터 합계, 예: 건수) / 평균(월 실적의 평균, 예: 점수·비율) / 최근값(가장 최근 달의 값).",
    "   - 연간목표: 지표의 단위로 적습니다(%는 95처럼 숫자만). 1월목표~12월목표(선택): 월별 목표 계획"
    " (접혀 있습니다: 열 머리글 위의 + 를 눌러 펼칩니다).",
    "   - 가중치: 부서 점수에서의 비중(합계가 100이 아니어도 됩니다: 가중 평균).",
    "   - 자동실적(선택, 목록에서 고름): 고객만족도(PCSI) 종합지수, VOC 처리기한 준수율(%), VOC 건수(유형)(예: VOC 건수(칭찬)),",
    "     전화친절도 점수(월 평균, 100점), 교육 이수율(%, 연초부터), CCM 교육시간(월 합계), 개선과제 기한 내 완료율(%, 연초부터).",
    "     자동실적 지표에 같은 달 수기 실적을 적으면 수기 실적이 자동 값을 대신합니다(화면에 '수기(자동 대체)'로 표시).",
    f"2. '{ACT_SHEET}' 시트: 한 행이 한 지표의 한 달 실적입니다. 실적 칸이 빈 행은 '미입력 월'로 남습니다(아래 '미입력' 규칙).",
    "3. 부서·방향·집계방식·자동실적 칸은 목록에서 고르세요. 숫자 칸에는 숫자만 적습니다('12건' 대신 12).",
    "4. 오류가 한 건이라도 있으면 아무것도 저장되지 않습니다. 오류 목록(시트·행·열·값·사유)을 보고 고친 뒤 다시 올리세요.",
    "5. 같은 KPI를 다시 올리면 새 값으로 바뀝니다(이전 값은 적재 이력에서 되돌릴 수 있습니다).",
    "",
    "달성률·판정 규칙 (docs/analysis.md의 'KPI 판정 규칙'과 같은 글입니다)",
]


def instructions(settings) -> list[str]:
    """The 안내 sheet: how to fill the workbook, then the rules (ccm.kpi.rules_text, the README's text)."""
    return INSTRUCTIONS + rules_lines(rules_from(settings), non_negative_units(settings))


def build(
    settings,
    year: int,
    defs: pd.DataFrame | None = None,
    actuals: pd.DataFrame | None = None,
    departments: tuple[str, ...] | None = None,
) -> bytes:
    """The template workbook as bytes, prefilled with `defs` (stored definitions of the year) or,
    when there are none, with the manual's KPI lists (targets left blank); only `departments` if given."""
    if departments is not None:
        defs = defs[defs["department"].isin(departments)] if defs is not None else None
        actuals = actuals[actuals["department"].isin(departments)] if actuals is not None else None
    wb = Workbook()
    _instructions(wb.active, settings)
    lists = _lists_sheet(wb, settings)
    title = f"{year}년 KPI 통합 문서"
    _sheet(
        wb,
        DEF_SHEET,
        title,
        [h for h, _ in DEF_FIELDS.values()],
        _definition_rows(settings, year, defs, departments),
        fold=[DEF_FIELDS[f"plan_{m}"][0] for m in range(1, 13)],
    )
    _validate(wb[DEF_SHEET], lists, {"B": "부서", "H": "방향", "I": "집계방식", "X": "자동실적"})
    wa = _sheet(
        wb,
        ACT_SHEET,
        title,
        [h for h, _ in ACT_FIELDS.values()],
        _actual_rows(settings, year, defs, actuals, departments),
    )
    _validate(wa, lists, {"C": "부서"})
    month = DataValidation(
        type="whole",
        operator="between",
        formula1="1",
        formula2="12",
        allow_blank=True,
        error="월은 1~12 사이의 정수입니다.",
        errorTitle="잘못된 월",
    )
    wa.add_data_validation(month)
    month.add(f"B2:B{ROWS}")
    wb.active = 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _instructions(ws, settings) -> None:
    ws.title = "안내"
    page = xs.Page(ws, print_title="KPI 통합 문서 작성 안내", orientation="portrait")
    lines = instructions(settings)
    page.title(lines[0], space=False)
    for line in lines[1:]:
        if line:
            page.text(line, bold=not line.startswith((" ", "[")) and not line[:1].isdigit())
        else:
            page.gap()
    ws.column_dimensions["A"].width = 98
    page.finish()


def _sheet(wb: Workbook, name: str, title: str, headers: list[str], rows: list[list], fold: list[str] = ()):
    """A data-entry sheet: the header in row 1 (the loader's), entry formats, widths, A4 setup."""
    page = xs.Page(wb.create_sheet(name), print_title=f"{title} · {name}")
    df = pd.DataFrame(rows, columns=headers).astype(object)
    kinds = {h: ("year" if h == "연도" else "month_no" if h == "월" else "text") for h in headers}
    for h in headers:
        if h not in kinds or kinds[h] != "text":
            continue
        if h.endswith("목표") or h in ("가중치", "실적"):
            kinds[h] = NUMBER
    table = page.table(df.where(df.notna(), None), kinds=kinds, max_width=24)
    for h in fold:
        dim = page.ws.column_dimensions[table.letter(h)]
        dim.hidden, dim.outline_level = True, 1
    page.ws.freeze_panes = "A2"
    page.finish(repeat=table)
    return page.ws


def _lists_sheet(wb: Workbook, settings) -> dict[str, str]:
    """A hidden sheet with the dropdown values; returns list name → range formula."""
    types = list(settings.voc_types)
    columns = {
        "부서": [*settings.departments, rules_from(settings).org_unit],
        "방향": list(DIRECTIONS.values()),
        "집계방식": list(AGGREGATIONS.values()),
        "자동실적": kpi_sources.choices(types),
    }
    return xs.list_sheet(wb, columns)


def _validate(ws, refs: dict[str, str], columns: dict[str, str]) -> None:
    for letter, name in columns.items():
        dv = DataValidation(
            type="list",
            formula1=f"={refs[name]}",
            allow_blank=True,
            error=f"목록에 있는 {name} 값을 고르세요.",
            errorTitle=f"잘못된 {name}",
        )
        ws.add_data_validation(dv)
        dv.add(f"{letter}2:{letter}{ROWS}")


def _catalogue(settings, departments: tuple[str, ...] | None) -> list[tuple[str, Item]]:
    return [(d, it) for d, it in catalogue(settings) if departments is None or d in departments]


def _definition_rows(settings, year: int, defs: pd.DataFrame | None, departments) -> list[list]:
    if defs is not None and not defs.empty:
        rows = []
        for d in defs.to_dict("records"):
            plan = plan_of(d) or [None] * 12
            rows.append(
                [
                    year,
                    d["department"],
                    d["strategy"],
                    d["task"],
                    d["core_task"],
                    d["indicator"],
                    d["unit"],
                    DIRECTIONS[d["direction"]],
                    AGGREGATIONS[d["aggregation"]],
                    d["annual_target"],
                    *plan,
                    d["weight"],
                    source_label(d["source"]),
                ]
            )
        return [[None if isinstance(v, float) and pd.isna(v) else v for v in r] for r in rows]
    return [
        [
            year,
            dept,
            it.strategy,
            it.task,
            it.core_task,
            it.indicator,
            it.unit,
            DIRECTIONS[it.direction],
            AGGREGATIONS[it.aggregation],
            0 if it.direction == "zero" else None,
            *[None] * 12,
            it.weight,
            source_label(it.source),
        ]
        for dept, it in _catalogue(settings, departments)
    ]


def _actual_rows(
    settings, year: int, defs: pd.DataFrame | None, actuals: pd.DataFrame | None, departments
) -> list[list]:
    """A row per KPI without an automatic source × month, with the stored actual where there is one."""
    if defs is not None and not defs.empty:
        kpis = [
            (d, i)
            for d, i, s in zip(defs["department"], defs["indicator"], defs["source"])
            if not isinstance(s, str)
        ]
    else:
        kpis = [(d, it.indicator) for d, it in _catalogue(settings, departments) if not it.source]
    stored = {}
    if actuals is not None:
        stored = {(r.month, r.department, r.indicator): (r.actual, r.note) for r in actuals.itertuples()}
    rows = []
    for dept, ind in kpis:
        for m in range(1, 13):
            actual, note = stored.pop((m, dept, ind), (None, None))
            rows.append([year, m, dept, ind, actual, note])
    rows += [[year, m, dept, ind, actual, note] for (m, dept, ind), (actual, note) in stored.items()]
    return [[None if isinstance(v, float) and pd.isna(v) else v for v in r] for r in rows]
