"""개요: the answer first — this period's VOC figures against the period before and their targets,
open items now, and the latest PCSI and KPI scores against theirs."""

from datetime import timedelta

import streamlit as st

from ccm import formats, kpi, meeting, pcsi, voc, voc_analytics
from ccm.period import comparison, last_complete
from ui import data
from ui.bootstrap import setup
from ui.components import empty_state, headline, link


def main() -> None:
    ctx = setup("개요")
    st.title("CCM 성과 대시보드")
    if not data.run(voc.has_data):
        st.subheader("아직 데이터가 없습니다")
        empty_state(
            "VOC 내보내기 파일(CSV·Excel)을 '데이터 올리기' 화면에서 올리거나, 명령줄에서 "
            "`python -m etl voc 파일.csv` 로 적재하세요. 데모 데이터는 `python -m etl demo` 로 만들 수 있습니다."
        )
        return
    st.caption(f"조회 기간: {ctx.period_label} · 기준 시각 {formats.minute(ctx.now)}")
    before = comparison(ctx.scope, ctx.now.date())
    s = data.run(voc_analytics.compliance_summary, ctx.scope)
    p = data.run(voc_analytics.compliance_summary, before)
    b = data.run(voc_analytics.open_counts, ctx.scope, ctx.now, ctx.settings)
    rules = kpi.rules_from(ctx.settings)
    target = data.run(meeting.compliance_target, _year(ctx), rules.org_unit)
    status = meeting.status("higher", s["compliance"], target, rules) if s["compliance"] is not None else None
    against = f"{before.label} 대비"
    c1, c2, c3 = st.columns(3)
    headline(
        "접수 VOC",
        formats.count(s["received"]),
        change=formats.count_change(s["received"] - p["received"]),
        against=against,
        neutral=True,
        where=c1,
        help="조회 기간에 접수된 VOC 건수(모든 유형).",
    )
    headline(
        "처리기한 준수율",
        formats.pct(s["compliance"]),
        where=c2,
        against=against,
        change=None
        if s["compliance"] is None or p["compliance"] is None
        else formats.pp(s["compliance"] - p["compliance"]),
        target=(f"목표 {formats.pct(target)} · {status}" if status and target is not None else None),
        status=status,
        help=f"{voc_analytics.COMPLIANCE_DEFINITION} 판정 {formats.count(s['decided'])}. 목표는 KPI 통합 문서의 "
        "'VOC 처리기한 준수율' 목표.",
    )
    overdue = "달성" if b["overdue"] == 0 else "미달"
    headline(
        "기한 초과 미처리",
        formats.count(b["overdue"]),
        where=c3,
        target=f"목표 0건 · {overdue}",
        status=overdue,
        help="지금 처리되지 않았고, 지금 처리해도 기한(근무시간 기준)을 넘기는 건. 기간과 무관, 부서 필터 적용.",
    )
    c3.caption(f"임박 {formats.count(b['at_risk'])} · 미처리 전체 {formats.count(b['open'])}")
    _scores(ctx, rules)
    link(
        "sla",
        f"처리기한 준수 자세히 보기 — 기한 초과 {formats.count(b['overdue'])} · 임박 {formats.count(b['at_risk'])}",
        ":material/timer:",
    )
    link("meeting", "회의 화면으로 (프로젝터용)", ":material/co_present:")


def _year(ctx) -> int:
    """The year of the period's last day (the KPI workbook's targets are per year)."""
    return (ctx.scope.end - timedelta(days=1)).year


def _scores(ctx, rules: kpi.Rules) -> None:
    """The latest PCSI index against its target and last year's; the organisation's KPI score at the last
    complete month against 100% and the month before (the KPI page's default month)."""
    p = data.run(meeting.pcsi, ctx.now)
    target = ctx.settings.pcsi.target
    c1, c2, _ = st.columns(3)
    if p:
        last = data.run(pcsi.overall_index, p["year"] - 1)
        status = meeting.status("higher", p["score"], target, rules)
        headline(
            f"고객만족도(PCSI) {p['year']}년",
            formats.score(p["score"]),
            where=c1,
            change=formats.score_change(p["score"] - last) if last is not None else None,
            against="전년 대비",
            target=f"목표 {formats.score(target)} · {status}",
            status=status,
            help="최근 PCSI 종합지수 = 5개 영역 점수의 가중합(설정 pcsi.area_weights). 기관 전체, 부서 필터와 무관.",
        )
    else:
        c1.metric("고객만족도(PCSI)", formats.MISSING, help="적재된 고객만족도 설문이 없습니다.")
    ym = _kpi_month(ctx)
    score = data.run(kpi.org_score, *ym, rules) if ym else None
    if score is None:
        c2.metric("KPI 달성도", formats.MISSING, help="적재된 KPI 실적이 없습니다.")
        return
    prev = data.run(kpi.org_score, *kpi.previous_month(*ym), rules)
    status = kpi.status(score, rules)
    headline(
        f"KPI 달성도 {formats.month(ym)}",
        formats.pct(score),
        where=c2,
        against="지난달 대비",
        change=formats.pp(score - prev) if prev is not None else None,
        target=f"목표 {formats.pct(rules.achieved)} · {status}",
        status=status,
        help="마감된 최근 달 기준 기관 KPI 점수(부서 점수의 평균, 달성률 상한 적용). 부서 필터와 무관.",
    )


def _kpi_month(ctx) -> tuple[int, int] | None:
    latest = data.run(kpi.latest_actual_month)
    if latest is None:
        return None
    done = last_complete("month", ctx.now.date())
    return min(latest, (done.start.year, done.start.month))


main()
