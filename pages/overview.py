"""개요: this period's VOC figures, open items now, and the latest PCSI and KPI scores."""
import streamlit as st

from ccm import meeting, voc, voc_analytics
from ui import data
from ui.bootstrap import setup
from ui.components import empty_state, link, pct


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
    st.caption(f"조회 기간: {ctx.scope.label} · 기준 시각 {ctx.now:%Y-%m-%d %H:%M}")
    s = data.run(voc_analytics.compliance_summary, ctx.scope)
    b = data.run(voc_analytics.open_counts, ctx.scope, ctx.now, ctx.settings)
    c1, c2, c3 = st.columns(3)
    c1.metric("접수 VOC", f"{s['received']:,}건", help="조회 기간에 접수된 VOC 건수(모든 유형).")
    c2.metric("처리기한 준수율", pct(s["compliance"]), delta=f"판정 {s['decided']:,}건", delta_color="off",
              delta_arrow="off",
              help="기한 내 처리 건수 ÷ 처리 완료 건수(판정 건수). 미처리 건은 분모에서 제외합니다"
              "(기한은 유형별 업무일 × 8 근무시간).")
    c3.metric("기한 초과 미처리", f"{b['overdue']:,}건", delta=f"임박 {b['at_risk']:,}건 · 미처리 전체 {b['open']:,}건",
              delta_color="off", delta_arrow="off",
              help="지금 처리되지 않았고, 지금 처리해도 기한(근무시간 기준)을 넘기는 건. 임박: 남은 근무시간이 "
              "기한의 일정 비율(설정 sla.at_risk_share) 미만인 건. 기간과 무관, 부서 필터 적용.")
    _scores(ctx)
    link("sla", f"처리기한 준수 자세히 보기 — 기한 초과 {b['overdue']:,}건 · 임박 {b['at_risk']:,}건", ":material/timer:")
    link("meeting", "회의 화면으로 (프로젝터용)", ":material/co_present:")


def _scores(ctx) -> None:
    """Latest PCSI index against its target and the organisation's KPI score (same figures as the meeting view)."""
    p = data.run(meeting.pcsi, ctx.now)
    k = data.run(meeting.kpi)
    target = float(ctx.settings.get("pcsi", {}).get("target", 90.0))
    c1, c2, _ = st.columns(3)
    if p:
        c1.metric(f"고객만족도(PCSI) {p['year']}", f"{p['score']:.1f}점", delta=f"{p['score'] - target:+.1f}점 (목표 {target:g}점 대비)",
                  help="최근 PCSI 종합지수 = 5개 영역 점수의 가중합(설정 pcsi.area_weights). 기관 전체, 부서 필터와 무관.")
    else:
        c1.metric("고객만족도(PCSI)", "—", help="적재된 고객만족도 설문이 없습니다.")
    if k:
        c2.metric(f"KPI 달성도 {k['year']}년 {k['month']}월", pct(k["score"]),
                  help="실적이 있는 최근 월 기준 기관 KPI 점수(지표 달성률의 가중 평균, 상한 적용). 부서 필터와 무관.")
    else:
        c2.metric("KPI 달성도", "—", help="적재된 KPI 실적이 없습니다.")


main()
