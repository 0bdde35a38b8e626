"""회의 화면 (projector mode): PCSI vs target, KPI attainment, compliance, overdue items, top complaint
topics — large type, no filters, no sidebar. Opens directly at /meeting."""
from __future__ import annotations

import plotly.express as px
import streamlit as st

from ccm import voc
from ui import data
from ui.bootstrap import setup
from ui.components import chart, empty_state, link, pct
from ui.nav import ACCESS


PROJECTOR_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stSidebarNav"] { display: none; }
[data-testid="stMetricValue"] { font-size: 3.6rem !important; line-height: 1.1; }
[data-testid="stMetricLabel"] p { font-size: 1.5rem !important; }
[data-testid="stMetricDelta"] { font-size: 1.3rem !important; }
h1 { font-size: 2.6rem !important; }
.block-container, [data-testid="stMainBlockContainer"] { padding-top: 1.5rem; max-width: 100%; }
</style>"""


def main() -> None:
    ctx = setup("회의 화면", roles=ACCESS["meeting"], filters=False)
    st.html(PROJECTOR_CSS)
    st.title(f"CCM 주요 지표 · {ctx.now:%Y-%m-%d %H:%M} 기준")
    if not data.run(voc.has_data):
        empty_state("아직 데이터가 없습니다. VOC·고객만족도·KPI 파일을 올리면 이 화면에 주요 지표가 나타납니다.")
        return
    from ccm import meeting

    f = data.run(meeting.figures, ctx.now, ctx.settings)
    target = float(ctx.settings.get("pcsi", {}).get("target", 90.0))
    c1, c2, c3, c4 = st.columns(4)
    p = f["pcsi"]
    c1.metric(f"고객만족도(PCSI) {p['year'] if p else ''}", f"{p['score']:.1f}점" if p else "—",
              delta=f"{p['score'] - target:+.1f}점 (목표 {target:g}점 대비)" if p else "조사 결과 없음",
              delta_color="normal" if p else "off", delta_arrow="auto" if p else "off",
              help="행정안전부 PCSI 모델 종합지수(영역 가중 합, 100점 만점). 올해 조사가 없으면 작년 조사.")
    k = f["kpi"]
    c2.metric(f"KPI 달성도 {k['year']}년 {k['month']}월" if k else "KPI 달성도", pct(k["score"]) if k else "—",
              delta=None if k else "KPI 실적 없음", delta_color="off", delta_arrow="off",
              help="부서별 가중 KPI 달성률(상한 적용)의 평균. KPI 화면과 같은 값.")
    c = f["compliance"]
    delta = None
    if c["compliance"] is not None and c["previous"] is not None:
        delta = f"{(c['compliance'] - c['previous']) * 100:+.1f}%p (작년 같은 기간 대비)"
    c3.metric("처리기한 준수율 (올해 누계)", pct(c["compliance"]), delta=delta,
              help="올해 1월 1일 이후 접수되어 처리 완료된 VOC 중 기한 내 처리 비율(기한 내 ÷ 처리 완료).")
    o = f["open"]
    c4.metric("기한 초과 미처리", f"{o['overdue']:,}건", delta=f"임박 {o['at_risk']:,}건 · 미처리 {o['open']:,}건",
              delta_color="off", delta_arrow="off",
              help="지금 처리되지 않았고 처리기한이 지난 VOC. 임박 = 남은 시간이 처리기한의 일정 비율 미만.")
    st.subheader(f"최근 {f['topic_days']}일 불만 주제 상위 5")
    topics = f["topics"]
    if topics.empty:
        st.info("최근 불만 VOC의 주제가 없습니다.")
    else:
        fig = px.bar(topics.iloc[::-1], x="건수", y="주제", orientation="h", text="건수")
        fig.update_layout(height=420, yaxis_title=None)
        fig.update_yaxes(tickfont_size=22)
        fig.update_traces(textfont_size=22)
        chart(fig, topics, "회의_불만주제", key="mt_topics")
    link("overview", "개요로 돌아가기", ":material/home:")


main()
