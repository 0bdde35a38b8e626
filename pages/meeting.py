"""회의 화면 (projector mode): PCSI, KPI attainment, compliance and overdue items, each coloured against its
target, with complaint topics and this year's monthly compliance — one screen (1366×768 up to 1920×1080)
without scrolling, no controls, type readable from the back of a room. Opens directly at /meeting."""

from __future__ import annotations

from html import escape

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ccm import meeting, palette, voc
from ccm.kpi import Rules, rules_from
from ui import data
from ui.bootstrap import setup
from ui.components import empty_state
from ui.figures import finish_figure
from ui.nav import ACCESS

AXIS_PX, LABEL_PX, TITLE_PX = 20, 22, 24  # chart text in px (≥ 16 px from the back of a room)
FONT = '"Source Sans", "Noto Sans KR", "Noto Sans CJK KR", "Malgun Gothic", sans-serif'  # the cards' font

# Everything is sized from the viewport height so that one screen holds it all; values never under 48 px.
PROJECTOR_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
[data-testid="stElementToolbar"], .modebar-container { display: none !important; }
[data-testid="stMain"] { overflow: hidden; }
[data-testid="stMainBlockContainer"] { padding: 1.6vh 1.8vw 1vh 1.8vw !important; max-width: 100% !important;
  height: 100vh; box-sizing: border-box; }
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] { height: 100%; gap: 1.4vh; }
[data-testid="stLayoutWrapper"]:has(> .st-key-mt_charts) { flex: 1 1 0; min-height: 0; }
.st-key-mt_charts, .st-key-mt_charts [data-testid="stLayoutWrapper"], .st-key-mt_charts [data-testid="stHorizontalBlock"],
.st-key-mt_charts [data-testid="stColumn"] > [data-testid="stVerticalBlock"], .st-key-mt_charts [data-testid="stFullScreenFrame"],
.st-key-mt_charts [data-testid="stPlotlyChart"] { height: 100%; min-height: 0; }
.st-key-mt_charts [data-testid="stElementContainer"] { flex: 1 1 0; min-height: 0; }
.mt-head { display: flex; align-items: baseline; gap: 1.5vw; color: #1A1A1A; line-height: 1.2; }
.mt-head b { font-size: clamp(26px, 4vh, 46px); font-weight: 700; }
.mt-head span { font-size: clamp(18px, 2.6vh, 30px); color: #444; }
.mt-cards { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 1.2vw; }
.mt-card { border-radius: 12px; padding: 1.2vh 1.1vw 1.4vh 1.1vw; display: flex; flex-direction: column; gap: 0.5vh; }
.mt-card .mt-row { display: flex; justify-content: space-between; align-items: baseline; gap: 0.6vw; }
.mt-card .mt-label { font-size: clamp(18px, 2.6vh, 30px); font-weight: 600; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
.mt-card .mt-status { font-size: clamp(20px, 3.2vh, 36px); font-weight: 800; white-space: nowrap; }
.mt-card .mt-value { font-size: clamp(48px, 9vh, 104px); font-weight: 800; line-height: 1.05; white-space: nowrap; }
.mt-card .mt-value small { font-size: 0.5em; font-weight: 700; margin-left: 0.1em; }
.mt-card .mt-line { font-size: clamp(16px, 2.3vh, 26px); font-weight: 600; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
</style>"""


def main() -> None:
    ctx = setup("회의 화면", roles=ACCESS["meeting"], filters=False)
    st.html(PROJECTOR_CSS)
    st.html(f'<div class="mt-head"><b>CCM 주요 지표</b><span>{ctx.now:%Y-%m-%d %H:%M} 기준</span></div>')
    if not data.run(voc.has_data):
        empty_state(
            "아직 데이터가 없습니다. VOC·고객만족도·KPI 파일을 올리면 이 화면에 주요 지표가 나타납니다."
        )
        return
    f = data.run(meeting.figures, ctx.now, ctx.settings)
    st.html(cards_html(meeting.cards(f, ctx.settings, ctx.now)))
    with st.container(key="mt_charts"):
        left, right = st.columns([5, 6], gap="large")
        with left:
            _plot(data.figure(topics_figure, f["topics"], f["topic_days"]), "mt_topics")
        with right:
            rules = rules_from(ctx.settings)
            _plot(
                data.figure(monthly_figure, f["monthly"], f["compliance_target"], ctx.now, rules),
                "mt_monthly",
            )


def _plot(fig: go.Figure, key: str) -> None:
    st.plotly_chart(
        fig,
        width="stretch",
        height="stretch",
        theme=None,
        key=key,
        config={"displayModeBar": False, "staticPlot": True, "responsive": True},
    )


def cards_html(cards: tuple[meeting.Card, ...]) -> str:
    return '<div class="mt-cards">' + "".join(_card(c) for c in cards) + "</div>"


def _card(c: meeting.Card) -> str:
    bg, fg = palette.STATUS[c.status], palette.ON_STATUS[c.status]
    lines = [x for x in (_target_line(c), c.note) if x]
    return (
        f'<div class="mt-card mt-card-{c.key}" data-status="{c.status}" style="background:{bg};color:{fg}">'
        f'<div class="mt-label">{escape(c.label)}</div>'
        f'<div class="mt-row"><span class="mt-value">{_value(c.value, c.unit)}</span>'
        f'<span class="mt-status">{c.status}</span></div>'
        + "".join(f'<div class="mt-line">{escape(x)}</div>' for x in lines)
        + "</div>"
    )


def _value(v: float | None, unit: str) -> str:
    if v is None or pd.isna(v):
        return "—"
    number = {"점": f"{v:.1f}", "%": f"{v * 100:.1f}", "건": f"{v:,.0f}"}[unit]
    return f"{number}<small>{unit}</small>"


def _target_line(c: meeting.Card) -> str:
    if c.target is None:
        return "목표 없음"
    target = {"점": f"{c.target:g}점", "%": f"{c.target * 100:g}%", "건": f"{c.target:,.0f}건"}[c.unit]
    if c.value is None or pd.isna(c.value) or c.unit == "건":
        return f"목표 {target}"
    gap = {"점": f"{c.value - c.target:+.1f}점", "%": f"{(c.value - c.target) * 100:+.1f}%p"}[c.unit]
    return f"목표 {target} 대비 {gap}"


def _layout(fig: go.Figure, title: str) -> go.Figure:
    """The meeting look, over the common finish (bidi controls shown visibly in labels)."""
    fig = finish_figure(fig)
    fig.update_layout(
        title=dict(text=title, font_size=TITLE_PX, x=0, xanchor="left", y=0.98, yanchor="top"),
        template="plotly_white",
        paper_bgcolor="white",
        plot_bgcolor="white",
        showlegend=False,
        font=dict(family=FONT, size=AXIS_PX, color=palette.TEXT),
        margin=dict(l=8, r=16, t=48, b=8),
        bargap=0.2,
        uniformtext=dict(minsize=LABEL_PX, mode="show"),
    )  # bar labels never shrink below LABEL_PX
    fig.update_xaxes(tickfont_size=AXIS_PX, gridcolor=palette.GRID, zeroline=False, automargin=True)
    fig.update_yaxes(tickfont_size=AXIS_PX, gridcolor=palette.GRID, zeroline=False, automargin=True)
    return fig


def topics_figure(topics: pd.DataFrame, days: int) -> go.Figure:
    title = f"최근 {days}일 불만 주제 상위 {len(topics) or 5}"
    t = topics.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=t["건수"],
            y=t["주제"],
            orientation="h",
            marker_color=palette.NEUTRAL,
            text=[f"{n:,}건" for n in t["건수"]],
            textposition="auto",
            textfont_size=LABEL_PX,
            cliponaxis=False,
        )
    )
    fig = _layout(fig, title if not topics.empty else f"최근 {days}일 불만 주제: 주제가 있는 불만 VOC 없음")
    fig.update_xaxes(rangemode="tozero", tickformat=",d", title=None)
    fig.update_yaxes(title=None, showgrid=False)
    return fig


def monthly_figure(monthly: pd.DataFrame, target: float | None, now, rules: Rules) -> go.Figure:
    """This year's compliance per month of receipt, each bar in its status colour against the target;
    a month with nothing decided has no bar and says 없음 (a rate of nothing is not 0%). Axis 0–100%."""
    status = [meeting.status("higher", v, target, rules) for v in monthly["compliance"]]
    labels = [f"{m}월" + ("<br>진행 중" if m == now.month else "") for m in monthly["month"]]
    empty = monthly["compliance"].isna()
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=monthly["compliance"].fillna(0),
            marker_color=[palette.STATUS[s] for s in status],
            text=["없음" if e else f"{v * 100:.1f}" for v, e in zip(monthly["compliance"], empty)],
            textposition=["outside" if e else "inside" for e in empty],
            insidetextanchor="end",
            textangle=0,
            cliponaxis=False,
            textfont=dict(
                size=LABEL_PX,
                color=[palette.TEXT if e else palette.ON_STATUS[s] for s, e in zip(status, empty)],
            ),
        )
    )
    title = f"{now.year}년 월별 처리기한 준수율(%)" + (
        f" · 목표 {target * 100:g}%" if target is not None else ""
    )
    fig = _layout(fig, title)
    if target is not None:
        fig.add_hline(y=target, line=dict(color=palette.TARGET, dash="dash", width=3))
    fig.update_yaxes(range=[0, 1], tickformat=".0%", dtick=0.2, title=None)
    fig.update_xaxes(title=None, type="category", showgrid=False)
    return fig


main()
