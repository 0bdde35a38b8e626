"""개요: this period's VOC count, deadline compliance and overdue open items."""
import streamlit as st

from ccm import voc, voc_analytics
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
    o = data.run(voc.overview, ctx.scope, ctx.now)
    c1, c2, c3 = st.columns(3)
    c1.metric("접수 VOC", f"{o['received']:,}건", help="조회 기간에 접수된 VOC 건수(모든 유형).")
    c2.metric("처리기한 준수율", pct(o["compliance"]),
              help="기한 내 처리 건수 ÷ 처리 완료 건수. 미처리 건은 분모에서 제외합니다(기한은 유형별 업무일 기준).")
    b = data.run(voc_analytics.open_counts, ctx.scope, ctx.now, ctx.settings)
    c3.metric("기한 초과 미처리", f"{b['overdue']:,}건", delta=f"임박 {b['at_risk']:,}건 · 미처리 전체 {b['open']:,}건",
              delta_color="off", help="지금 처리되지 않았고 처리기한(근무시간 기준)이 지난 건, 그리고 남은 시간이 "
              "기한의 일정 비율(설정 sla.at_risk_share) 미만인 임박 건(기간과 무관, 부서 필터 적용).")
    link("sla", f"처리기한 준수 자세히 보기 — 기한 초과 {b['overdue']:,}건 · 임박 {b['at_risk']:,}건", ":material/timer:")
    link("meeting", "회의 화면으로 (프로젝터용)", ":material/co_present:")


main()
