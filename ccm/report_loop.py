"""The semiannual workbook's CCM-loop sheets (issue 16 item 6): improvement actions with their measured
effect (ccm.actions), training completion (ccm.training) and phone courtesy (ccm.phone). Each sheet is
written by ccm.xlsx_style like the others (title, table with formats by kind, chart below); a part with
no data says so in Korean instead of an empty table."""

from __future__ import annotations

from datetime import datetime

from ccm import actions, phone, training
from ccm import xlsx_style as xs
from ccm.period import Scope

SHEETS = ("개선과제", "교육 이수", "전화친절도")
EMPTY = {
    "개선과제": "이 반기에 등록되었거나 진행된 개선과제가 없습니다(개선과제 화면에서 등록하면 이 시트에 효과와 함께 나옵니다).",
    "교육 이수": "이 반기까지 적재된 교육 이수 실적이 없습니다(python -m etl training 또는 교육 이수 화면에서 올립니다).",
    "전화친절도": "이 반기에 적재된 전화친절도 모니터링 결과가 없습니다(전화친절도 화면에서 서식을 내려받아 올립니다).",
}


def actions_sheet(page: xs.Page, con, scope: Scope, now: datetime, settings) -> None:
    page.title(
        "개선과제와 효과 (매뉴얼 §4.2.1-3⑥, §4.3.2-4, §5.1.3)",
        f"{scope.label} · 반기 중 진행된 과제. 효과 = 완료일 전후 같은 기간의 대상 주제·시설 VOC 건수, 불만 비중, "
        "재발 비교와 판정(건수가 적으면 판단 보류)",
    )
    df = actions.report_frame(con, scope, now, settings)
    ref = page.table(df, empty=EMPTY["개선과제"])
    measured = [c for c in ("완료 전 건수", "완료 후 건수") if c in df.columns]
    if ref.rows and measured and "과제명" in df.columns and df[measured].notna().any().any():
        _bar(page, ref, df, "과제명", measured, "개선과제별 완료 전후 VOC 건수", "count", horizontal=True)


def training_sheet(page: xs.Page, con, scope: Scope, now: datetime) -> None:
    page.title(
        "교육 이수 (매뉴얼 §3.3.1-5, §3.3.1-7, §5.1.3-2)",
        f"{scope.label} · 그해 1월 1일부터 반기 말까지의 기록으로 역할별 연간 교육 요건 충족 여부를 봄",
    )
    df = training.report_frame(con, scope, now)
    ref = page.table(df, empty=EMPTY["교육 이수"])
    if ref.rows and {"부서", "이수율"} <= set(df.columns):
        _bar(
            page, ref, df, "부서", ["이수율"], "부서별 교육 이수율(역할별 요건 충족)", "pct", horizontal=False
        )


def phone_sheet(page: xs.Page, con, scope: Scope, now: datetime, settings) -> None:
    n = phone.min_n(settings)
    page.title(
        "전화친절도 모니터링 (매뉴얼 §1.3-13, §5.1.1)",
        f"{scope.label} · 점수 = 통화별 항목 점수 합계 ÷ 배점 합계 × 100의 평균, 직전 대비 = 직전 반기와의 차이, "
        f"모니터링 {n}건 미만은 표본 부족",
    )
    df = phone.report_frame(con, scope, now, n)
    ref = page.table(df, empty=EMPTY["전화친절도"])
    if ref.rows:
        _bar(page, ref, df, "부서", ["점수"], "부서별 전화친절도 점수", "score", horizontal=False)


_bar = xs.bar_chart
