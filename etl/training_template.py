"""The training-record template (openpyxl): an instructions sheet, the entry sheet with the loader's
headers (etl.training.FIELDS) and dropdowns (부서, 직렬, 직급, 역할, 과정명, 고용보험 환급 여부, CCM 교육 여부)
from settings [training] and [organisation], laid out for A4 by ccm.xlsx_style."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from ccm import xlsx_style as xs
from ccm.training import ROLES, rules_from
from etl.training import FIELDS

SHEET = "교육실적"
ROWS = 2000  # rows covered by the dropdowns
HEADERS = [h for h, _ in FIELDS.values()]
EXAMPLE = (
    "예: 사번 A1001 · 성명 홍길동 · 부서 혁신안전팀 · 직렬 일반직 · 직급 6급 · 역할 CCM 담당자 · 교육기관 "
    "한국소비자원 · 과정명 CCM 인증기업 정기교육 · 교육시작일 2026-03-05 · 교육종료일 2026-03-06 · 교육시간 14 · "
    "고용보험 환급 여부 아니오 · CCM 교육 여부 예 · 수료증 근거 수료증 제2026-015호"
)


def instructions(settings) -> list[str]:
    rules = rules_from(settings)
    lines = [
        "교육 실적 서식 작성 안내 (매뉴얼 §3.3.1-7 개인별 교육이수 결과)",
        "",
        "1. '교육실적' 시트에 한 사람의 한 과정을 한 행으로 적습니다. 머리글(1행)은 바꾸지 마세요.",
        "   " + EXAMPLE,
        "2. 꼭 적을 칸: 사번, 과정명, 교육시작일, 교육시간. 교육종료일을 비우면 시작일과 같게 봅니다.",
        "3. 교육시간은 실 교육시간(시간 단위 숫자)입니다. 수료증·결과보고에 적힌 시간을 적고 근거를 '수료증 근거'에 적습니다.",
        "4. 부서·직렬·직급·역할·과정명·고용보험 환급 여부·CCM 교육 여부는 목록에서 고릅니다(과정명·직렬·직급은 목록 밖 값도 적을 수 있음).",
        "5. 역할(CCO / CCM 담당자 / CCM 리더 / 일반)을 비우면 설정의 역할 명단, 그것도 없으면 '일반'으로 봅니다.",
        "6. 'CCM 교육 여부'를 비우면 과정명에 다음 낱말이 있을 때 CCM 교육으로 셉니다: "
        + ", ".join(rules.keywords),
        "7. 같은 사번·과정명·교육시작일의 기록을 다시 올리면 이전 기록을 고칩니다. 오류가 한 건이라도 있으면 아무것도 저장하지 않습니다.",
        "8. 성명은 개인별 실적 관리(매뉴얼 §3.3.1-7)에만 쓰고 관리자·분석 권한 화면에만 보입니다. 수료증 근거의 전화번호·이메일은 가려 저장합니다.",
        "",
        "역할별 연간 요건 (설정 [training])",
        *[f"  {r.role}: {r.text()} — {r.source}" for r in rules.rules],
        f"  인증 신청: 신청일 전 {rules.cert_days}일 안에 CCM 교육 {rules.cert_hours:g}시간 이상 "
        f"({', '.join(rules.cert_roles)}) — {rules.cert_source}",
    ]
    return lines


def build(settings, courses: list[str] | None = None) -> bytes:
    """The template as .xlsx bytes; `courses` (e.g. the stored course names) join the settings' list."""
    cfg = settings.training
    wb = Workbook()
    _instructions(wb.active, settings)
    lists = xs.list_sheet(
        wb,
        {
            "부서": list(settings.departments),
            "직렬": list(cfg.series),
            "직급": list(cfg.grades),
            "역할": list(ROLES),
            "과정명": list(dict.fromkeys([*cfg.courses, *(courses or [])])),
            "예/아니오": ["예", "아니오"],
        },
    )
    page = xs.Page(wb.create_sheet(SHEET), print_title="교육 실적")
    df = pd.DataFrame(columns=HEADERS).astype(object)
    table = page.table(df, kinds={h: "text" for h in HEADERS}, max_width=22)
    page.ws.freeze_panes = "A2"
    page.finish(repeat=table)
    ws = page.ws
    letter = {h: ws.cell(table.header_row, i + 1).column_letter for i, h in enumerate(HEADERS)}
    strict = {"부서": "부서", "역할": "역할", "고용보험 환급 여부": "예/아니오", "CCM 교육 여부": "예/아니오"}
    loose = {"직렬": "직렬", "직급": "직급", "과정명": "과정명"}
    for header, name in [*strict.items(), *loose.items()]:
        if lists.get(name):
            _dropdown(
                ws, letter[header], lists[name], name, strict=header in strict, first=table.header_row + 1
            )
    hours = DataValidation(
        type="decimal",
        operator="greaterThan",
        formula1="0",
        allow_blank=True,
        error="교육시간은 0보다 큰 숫자(시간)입니다.",
        errorTitle="잘못된 교육시간",
    )
    ws.add_data_validation(hours)
    hours.add(f"{letter['교육시간']}{table.header_row + 1}:{letter['교육시간']}{ROWS}")
    wb.active = wb.sheetnames.index(SHEET)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _instructions(ws, settings) -> None:
    ws.title = "안내"
    page = xs.Page(ws, print_title="교육 실적 서식 작성 안내", orientation="portrait")
    lines = instructions(settings)
    page.title(lines[0], space=False)
    for line in lines[1:]:
        if line:
            page.text(line, bold=not line.startswith(" ") and not line[:1].isdigit())
        else:
            page.gap()
    ws.column_dimensions["A"].width = 98
    page.finish()


def _dropdown(ws, col: str, ref: str, name: str, *, strict: bool, first: int) -> None:
    dv = DataValidation(
        type="list",
        formula1=f"={ref}",
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop" if strict else "information",
        error=f"목록에 있는 {name} 값을 고르세요."
        if strict
        else f"목록에 없는 {name}입니다. 그대로 적으려면 확인을 누르세요.",
        errorTitle=f"{name} 확인",
    )
    ws.add_data_validation(dv)
    dv.add(f"{col}{first}:{col}{ROWS}")
