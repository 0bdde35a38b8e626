"""유형별 추이: monthly counts, last year, seasonality, spikes, keywords and topics, prevention matrix,
recurrence and FAQ candidates. All figures come from ccm.voc_analytics."""
from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from ccm import text
from ccm import voc_analytics as va
from ccm.safe_text import md
from ui import data, voc_pages
from ui.bootstrap import Context, setup
from ui.components import chart, definition, table

LABELS = {
    "month": "월", "items": "건수", "voc_type": "유형", "department": "부서", "channel": "채널", "facility": "시설",
    "last_year": "전년 동월", "change": "증감", "change_rate": "증감률", "year": "연도", "share_of_year": "연간 비중",
    "baseline": "과거 평균", "sd": "표준편차", "jump": "증가 건수", "ratio": "배수", "z": "표준점수",
    "keyword": "키워드", "previous": "직전 기간", "growth": "증가 배율", "topic": "주제", "share": "비중",
    "frequency": "발생빈도(건)", "severity": "경중도", "score": "빈도×경중도", "quadrant": "구분", "candidate": "개선 후보",
    "recurrences": "재발 건수", "rate": "재발률", "last_handled_before": "최근 재발 직전 처리완료",
    "last_recurrence": "최근 재발 접수", "facilities": "시설", "examples": "질문 예시", "voc_id": "접수번호",
    "received_at": "접수일시", "status": "처리상태", "title": "제목", "content": "내용",
}


def ko(df: pd.DataFrame) -> pd.DataFrame:
    return voc_pages.tidy(df).rename(columns=LABELS)


def counts(ctx: Context) -> None:
    dim = st.segmented_control("구분", list(va.DIMENSIONS)[:-1], format_func=va.DIMENSIONS.get, default="voc_type",
                               key="tr_dim") or "voc_type"
    window = ctx.scope.trailing()
    df = voc_pages.tidy(data.run(va.monthly_counts, window, dim))
    fig = data.figure(_monthly_bar, df, "items", dim, LABELS, f"월별 {va.DIMENSIONS[dim]}별 접수 건수 ({window.label})")
    chart(fig, ko(df), f"월별_{va.DIMENSIONS[dim]}별_건수", key=f"tr_counts_{dim}")
    yoy = voc_pages.tidy(data.run(va.year_over_year, window))
    long = yoy.melt(id_vars="month", value_vars=["items", "last_year"], var_name="which", value_name="n")
    long["which"] = long["which"].map({"items": "올해", "last_year": "전년 동월"})
    fig = data.figure(_monthly_bar, long, "n", "which", {"month": "월", "n": "건수", "which": ""},
                      f"전년 동월 대비 접수 건수 ({window.label})", barmode="group")
    chart(fig, ko(yoy), "전년동월_대비", key="tr_yoy")
    definition("증감률 = (이번 달 − 전년 동월) ÷ 전년 동월. 전년 동월이 0건이면 비워 둡니다.")
    season = data.run(va.seasonality, ctx.scope)
    season["year"] = season["year"].astype(str)
    chart(data.figure(_season_line, season), ko(season), "계절성", key="tr_season")


def _monthly_bar(df: pd.DataFrame, y: str, color: str, labels: dict, title: str, barmode: str = "relative"):
    fig = px.bar(df, x="month", y=y, color=color, barmode=barmode, labels=labels, title=title)
    voc_pages.month_axis(fig)
    return fig


def _season_line(season: pd.DataFrame):
    fig = px.line(season, x="month", y="items", color="year", markers=True, labels=LABELS,
                  title="계절성: 연도별 월간 접수 건수 (데이터 전체 기간, 부서 필터 적용)")
    fig.update_xaxes(dtick=1)
    return fig


def spikes(ctx: Context) -> None:
    cfg = ctx.settings.get("trends", {}).get("spikes", {})
    definition(
        f"급증 판정: 시설×유형별 월 접수 건수를 그 시설·유형의 직전 {cfg.get('history_months', 12)}개월(건이 없던 달은 0건)과 "
        f"비교합니다. 과거가 {cfg.get('min_history', 6)}개월 이상이고, 건수가 과거 평균 + {cfg.get('z', 2.0)} × 표준편차"
        f"(최소 1) 이상이며, 평균보다 {cfg.get('min_excess', 3)}건 이상 많으면 급증으로 표시합니다. "
        "'증가 건수' = 건수 − 과거 평균, '배수' = 건수 ÷ 과거 평균. (설정 trends.spikes)")
    df = voc_pages.tidy(data.run(va.spikes, ctx.scope, ctx.settings))
    if df.empty:
        st.success("조회 기간에 급증한 시설×유형이 없습니다.", icon=":material/check_circle:")
        return
    df = df.assign(label=df["facility"] + " · " + df["voc_type"] + " (" + df["month"] + ")")
    chart(data.figure(_spikes_bar, df), ko(df.drop(columns="label")), "급증_시설유형", key="tr_spikes")


def _spikes_bar(df: pd.DataFrame):
    fig = px.bar(df, x="label", y=["baseline", "jump"], labels={"label": "시설 · 유형", "value": "건수", "variable": ""},
                 title="급증한 시설×유형 (과거 평균 + 증가 건수)", hover_data=["month", "ratio"])
    fig.for_each_trace(lambda t: t.update(name={"baseline": "과거 평균", "jump": "증가 건수"}[t.name]))
    return fig


def item_list(ctx: Context, frame: pd.DataFrame, name: str, key: str) -> None:
    if not ctx.user.can_see_texts:
        st.caption("열람 권한에서는 제목·내용을 보여 주지 않습니다.")
    if frame.empty:
        st.info("해당하는 건이 없습니다.")
        return
    table(ko(frame), name, key=key)


def keywords(ctx: Context) -> None:
    definition("키워드 = 제목·내용의 명사(형태소 분석 kiwipiepy, 적재할 때 계산). 건수는 그 말이 나온 VOC 건수이며 "
               "불용어(설정 text.stop_words)는 뺍니다. 직전 기간 = 같은 길이의 바로 앞 기간.")
    changes = data.run(va.keyword_changes, ctx.scope, ctx.settings)
    top = va.top_of(changes, 30)
    if top.empty:
        st.info("키워드가 없습니다. VOC를 적재하면 키워드가 계산됩니다.")
        return
    fig = data.figure(_hbar, top.head(20).iloc[::-1], "items", "keyword", LABELS, "많이 나온 키워드 (상위 20)")
    chart(fig, ko(top), "상위_키워드", key="tr_top_kw")
    rising = va.rising_of(changes, ctx.settings, 20)
    st.markdown("**급상승 키워드**")
    definition(f"이번 기간 {ctx.settings.get('trends', {}).get('rising_min_items', 5)}건 이상이고 직전 기간보다 늘어난 "
               "키워드를 증가 배율((이번+1)÷(직전+1)) 순으로 보여 줍니다.")
    if rising.empty:
        st.info("급상승 키워드가 없습니다.")
    else:
        table(ko(rising), "급상승_키워드", key="tr_rising_kw")
    kw = st.selectbox("키워드를 고르면 해당 VOC를 보여 줍니다", top["keyword"].tolist(), index=None, key="tr_kw_pick",
                      placeholder="키워드 선택")
    if kw:
        item_list(ctx, data.run(va.items_with_keyword, ctx.scope, kw, ctx.user.can_see_texts), f"키워드_{kw}", "tr_kw_items")


def topics(ctx: Context) -> None:
    definition("주제 = 설정의 주제 사전(text.topics)에 있는 말이 제목·내용에 나오면 그 주제로 분류합니다(여러 주제 가능, "
               "어느 것에도 해당하지 않으면 '기타'). 사전을 고치면 다음 적재 때 모든 건을 다시 분류합니다.")
    df = data.run(va.topic_counts, ctx.scope)
    if df.empty:
        st.info("주제가 분류된 VOC가 없습니다.")
        return
    fig = data.figure(px.bar, df, x="topic", y="items", labels=LABELS, title="주제별 VOC 건수", hover_data=["share"])
    chart(fig, ko(df), "주제별_건수", key="tr_topics")
    facilities = ["전체"] + list(ctx.settings.facilities)
    fac = st.selectbox("시설", facilities, key="tr_topic_fac")
    window = ctx.scope.trailing()
    trend = voc_pages.tidy(data.run(va.topic_trends, window, None if fac == "전체" else fac))
    fig = data.figure(_topic_line, trend, f"주제별 월간 추이 ({fac}, {window.label})")
    chart(fig, ko(trend), f"주제_추이_{fac}", key="tr_topic_trend")
    by_fac = data.run(va.topics_by_facility, ctx.scope)
    fig = data.figure(px.density_heatmap, by_fac, x="topic", y="facility", z="items", text_auto=True, labels=LABELS,
                      title="시설 × 주제 건수")
    chart(fig, ko(by_fac), "시설별_주제", key="tr_topic_fac_chart")
    topic = st.selectbox("주제를 고르면 해당 VOC를 보여 줍니다", df["topic"].tolist(), index=None, key="tr_topic_pick",
                         placeholder="주제 선택")
    if topic:
        frame = data.run(va.items_with_topic, ctx.scope, topic, ctx.user.can_see_texts, 200,
                         None if fac == "전체" else fac)
        item_list(ctx, frame, f"주제_{topic}", "tr_topic_items")


def _topic_line(trend: pd.DataFrame, title: str):
    fig = px.line(trend, x="month", y="items", color="topic", markers=True, labels=LABELS, title=title)
    voc_pages.month_axis(fig)
    return fig


def _prevention_scatter(df: pd.DataFrame):
    fig = px.scatter(df, x="frequency", y="severity", text="label", color="quadrant", size="score", labels=LABELS,
                     title="경중도 × 발생빈도")
    fig.add_vline(x=df["frequency"].mean(), line_dash="dot")
    fig.add_hline(y=df["severity"].mean(), line_dash="dot")
    fig.update_traces(textposition="top center")
    return fig


def prevention(ctx: Context) -> None:
    weights = ctx.settings.get("trends", {}).get("severity", {})
    definition("경중도 × 발생빈도 (매뉴얼 §4.3.1): 발생빈도 = 주제가 나온 VOC 건수, 경중도 = 그 건들의 유형 가중치 평균 "
               f"({', '.join(f'{k} {v}' for k, v in weights.items())}; 설정 trends.severity, 0인 유형과 '기타'는 제외). "
               "두 축을 각 평균에서 나누어, 둘 다 평균 이상인 '개선 우선' 칸을 개선 후보로 봅니다.")
    by_fac = st.toggle("시설 × 주제로 보기", key="tr_prev_fac")
    df = data.run(va.prevention_matrix, ctx.scope, ctx.settings, by_fac)
    if df.empty:
        st.info("경중도 × 발생빈도를 계산할 VOC가 없습니다.")
        return
    label = (df["facility"] + " · " + df["topic"]) if by_fac else df["topic"]
    chart(data.figure(_prevention_scatter, df.assign(label=label)), ko(df), "경중도_발생빈도", key="tr_prev")
    cand = df[df["candidate"]]
    st.markdown("**개선 후보 (발생빈도·경중도 모두 평균 이상)**")
    if cand.empty:
        st.info("개선 후보가 없습니다.")
    else:
        table(ko(cand.drop(columns=["candidate"])), "개선_후보", key="tr_prev_cand")


def recurrence(ctx: Context) -> None:
    cfg = ctx.settings.get("trends", {})
    definition(f"재발 = 같은 시설·같은 주제의 건이, 앞선 건이 처리완료된 뒤 {cfg.get('recurrence_days', 90)}일 안에 다시 "
               f"접수된 경우 (유형: {', '.join(cfg.get('recurrence_types', []))}; '기타' 주제 제외; 설정 trends). "
               "재발률 = 재발 건수 ÷ 조회 기간의 그 시설·주제 건수.")
    df = data.run(va.recurrences, ctx.scope, ctx.settings)
    if df.empty:
        st.success("조회 기간에 재발한 시설·주제가 없습니다.", icon=":material/check_circle:")
        return
    top = df.head(20).assign(label=lambda d: d["facility"] + " · " + d["topic"])
    fig = data.figure(_hbar, top.iloc[::-1], "recurrences", "label", {**LABELS, "label": "시설 · 주제"}, "재발 건수 (상위 20)")
    chart(fig, ko(df), "재발", key="tr_recur")


def _hbar(df: pd.DataFrame, x: str, y: str, labels: dict, title: str):
    return px.bar(df, x=x, y=y, orientation="h", labels=labels, title=title)


def faq(ctx: Context) -> None:
    faq_type = ctx.settings.get("trends", {}).get("faq_type", "문의")
    definition(f"FAQ 후보 = 조회 기간 '{md(faq_type)}' 유형 VOC에서 가장 많이 반복된 주제. 비중 = 그 주제 건수 ÷ {md(faq_type)} 건수."
               + (" 질문 예시는 최근 제목입니다." if ctx.user.can_see_texts else ""))
    df = data.run(va.faq_candidates, ctx.scope, ctx.settings, ctx.user.can_see_texts)
    if df.empty:
        st.info(f"조회 기간에 '{md(faq_type)}' 유형 VOC가 없습니다.")
        return
    table(ko(df), "FAQ_후보", key="tr_faq")


def main() -> None:
    ctx = setup("유형별 추이")
    if not voc_pages.heading(ctx, "유형별 추이", "추이를"):
        return
    if data.run(va.compliance_summary, ctx.scope)["received"] == 0:
        voc_pages.nothing_in_scope()
        return
    if data.run(text.topics_stale, ctx.settings):
        st.warning("설정의 주제 사전이 바뀌었습니다. 주제 분류는 다음 VOC 적재 때 새 사전으로 다시 계산됩니다.",
                   icon=":material/sync_problem:")
    sections = {"건수 추이": counts, "급증": spikes, "키워드": keywords, "주제": topics, "경중도×빈도": prevention,
                "재발": recurrence, "FAQ 후보": faq}
    for tab, render in zip(st.tabs(list(sections)), sections.values()):
        with tab:
            render(ctx)


main()
