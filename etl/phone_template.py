"""The phone-courtesy monitoring template (openpyxl): one row per call, dropdowns for department,
evaluator type and item scores (the checklist of 설정 [phone] items), a 안내 sheet in Korean."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ccm import phone
from ccm import xlsx_style as xs
from etl.phone import FIELDS

SHEET = "전화친절도"
ROWS = 1000


def headers(settings) -> list[str]:
    items = [i.name for i in phone.checklist(settings)]
    f = {k: h for k, (h, _) in FIELDS.items()}
    return [f["date"], f["department"], f["evaluator"], f["evaluator_type"], *items, f["total"], f["note"]]


def instructions(settings) -> list[str]:
    items = phone.checklist(settings)
    total = sum(i.max_score for i in items)
    return [
        "전화친절도 모니터링 결과 작성 안내",
        "",
        f"1. '{SHEET}' 시트: 한 행이 모니터링한 통화 한 건입니다.",
        "2. 통화일: 2026-03-05 처럼 적습니다. 부서·평가자 구분·항목 점수는 목록에서 고르세요.",
        "3. 평가자: 평가자 번호(예: E01) 또는 기관명을 적으세요. 사람 이름을 적으면 이름은 저장하지 않고 "
        "알아볼 수 없는 번호로 바꿔 저장합니다.",
        "4. 평가자 구분: "
        + " / ".join(phone.evaluator_types(settings))
        + " (매뉴얼 §1.3-13 기관 간 교차모니터링).",
        "5. 점검 항목과 배점(설정 [phone] items): "
        + ", ".join(f"{i.name} {i.max_score:g}점" for i in items)
        + f" — 합계 {total:g}점.",
        "6. 합계 칸은 비워 두어도 됩니다. 적힌 합계가 항목 점수의 합과 다르면 경고하고 항목 점수의 합으로 저장합니다.",
        "7. 비고의 전화번호·이메일·주민등록번호와 평가자 이름은 가려서 저장합니다.",
        "8. 오류가 한 건이라도 있으면 아무것도 저장하지 않습니다. 오류 목록(파일·행·열·값·사유)을 보고 고친 뒤 다시 올리세요.",
        "9. 같은 파일을 두 번 올리면 두 번째는 아무것도 바꾸지 않습니다. 잘못 올린 적재는 관리 화면에서 되돌립니다.",
        "",
        "점수 계산: 통화 점수 = 항목 점수 합계 ÷ 배점 합계 × 100 (100점 환산). 항목 득점률 = 항목 점수 ÷ 항목 배점.",
    ]


def build(settings) -> bytes:
    wb = Workbook()
    _instructions(wb.active, settings)
    cols = headers(settings)
    page = xs.Page(wb.create_sheet(SHEET), print_title="전화친절도 모니터링 결과")
    df = pd.DataFrame([[None] * len(cols)], columns=cols).astype(object)
    table = page.table(df, kinds={c: "text" for c in cols}, max_width=20)
    page.ws.freeze_panes = "A2"
    page.finish(repeat=table)
    ws = page.ws
    lists = _lists(wb, settings)
    _dropdown(ws, "B", lists["부서"], "부서")
    _dropdown(ws, "D", lists["평가자 구분"], "평가자 구분")
    for j, it in enumerate(phone.checklist(settings)):
        letter = get_column_letter(5 + j)
        values = _score_values(it.max_score)
        if values:
            _dropdown(ws, letter, lists[f"점수:{it.name}"], f"{it.name} 점수")
        else:
            dv = DataValidation(
                type="decimal",
                operator="between",
                formula1="0",
                formula2=f"{it.max_score:g}",
                allow_blank=True,
                error=f"0~{it.max_score:g}점 사이로 적으세요.",
                errorTitle="잘못된 점수",
            )
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{ROWS}")
    wb.active = 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _score_values(max_score: float) -> list[int]:
    """Whole scores 0..max for a dropdown (an integer maximum up to 100), else [] (a range check instead)."""
    return list(range(int(max_score) + 1)) if float(max_score).is_integer() and max_score <= 100 else []


def _lists(wb: Workbook, settings) -> dict[str, str]:
    columns = {"부서": list(settings.departments), "평가자 구분": list(phone.evaluator_types(settings))}
    for it in phone.checklist(settings):
        columns[f"점수:{it.name}"] = _score_values(it.max_score)[::-1]
    return xs.list_sheet(wb, columns)


def _dropdown(ws, letter: str, ref: str, name: str) -> None:
    dv = DataValidation(
        type="list",
        formula1=f"={ref}",
        allow_blank=True,
        error=f"목록에 있는 {name} 값을 고르세요.",
        errorTitle=f"잘못된 {name}",
    )
    ws.add_data_validation(dv)
    dv.add(f"{letter}2:{letter}{ROWS}")


def _instructions(ws, settings) -> None:
    ws.title = "안내"
    page = xs.Page(ws, print_title="전화친절도 모니터링 결과 작성 안내", orientation="portrait")
    lines = instructions(settings)
    page.title(lines[0], space=False)
    for line in lines[1:]:
        if line:
            page.text(line)
        else:
            page.gap()
    ws.column_dimensions["A"].width = 98
    page.finish()
