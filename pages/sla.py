"""처리기한 준수: compliance (met / decided), processing time, open items now, one item explained."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from ccm import formats, kpi, meeting, palette, sla
from ccm import voc_analytics as va
from ccm.period import comparison
from ccm.safe_text import md
from ui import data, voc_pages
from ui.bootstrap import Context, setup
from ui.components import (
    category_bar,
    chart,
    definition,
    from_zero,
    headline,
    month_frame,
    show,
    table,
    target_line,
)

LABELS = {
    "voc_id": "접수번호",
    "received_at": "접수일시",
    "voc_type": "유형",
    "department": "부서",
    "facility": "시설",
    "channel": "채널",
    "status": "처리상태",
    "due_at": "처리기한",
    "remaining_hours": "남은 근무시간(시간)",
    "state": "구분",
    "title": "제목",
    "month": "월",
    "received": "접수",
    "decided": "판정(처리완료)",
    "met": "기한 내",
    "breached": "기한 초과",
    "compliance": "준수율",
    "completed": "처리완료",
    "median_hours": "중앙값(시간)",
    "p90_hours": "90백분위(시간)",
    "mean_hours": "평균(시간)",
    "deadline_hours": "처리기한(시간)",
    "median_share": "중앙값÷기한",
    "bucket": "처리시간÷처리기한",
    "items": "건수",
    "no_time": "처리일시 없음",
}
OPEN_COLUMNS = [
    "state",
    "voc_id",
    "department",
    "voc_type",
    "facility",
    "received_at",
    "due_at",
    "remaining_hours",
]


def ko(df: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """Display copy: chosen columns, Korean headers."""
    out = df[columns] if columns else df
    return voc_pages.tidy(out).rename(columns=LABELS)


def compliance_target(ctx: Context) -> float | None:
    """The compliance target (fraction) of the KPI workbook for the period's year (ccm.meeting)."""
    year = (ctx.scope.end - pd.Timedelta(days=1)).year
    return data.run(meeting.compliance_target, year, kpi.rules_from(ctx.settings).org_unit)


def judged(value: float | None, target: float | None, ctx: Context) -> str | None:
    """달성 / 주의 / 미달 of a rate against its target with the KPI bands ([kpi.status])."""
    if value is None or target is None:
        return None
    return meeting.status("higher", value, target, kpi.rules_from(ctx.settings))


def summary(ctx: Context) -> dict:
    s = data.run(va.compliance_summary, ctx.scope)
    before = comparison(ctx.scope, ctx.now.date())
    p = data.run(va.compliance_summary, before)
    target = compliance_target(ctx)
    status = judged(s["compliance"], target, ctx)
    change = (
        None
        if s["compliance"] is None or p["compliance"] is None
        else formats.pp(s["compliance"] - p["compliance"])
    )
    against = f"{before.label} 대비"
    c1, c2, c3, c4 = st.columns(4)
    headline(
        "처리기한 준수율",
        formats.pct(s["compliance"]),
        change=change,
        against=against,
        where=c1,
        target=f"목표 {formats.pct(target)} · {status}"
        if status
        else "목표 없음(KPI 통합 문서의 준수율 목표)",
        status=status,
        help=va.COMPLIANCE_DEFINITION,
    )
    headline(
        "판정 건수",
        formats.count(s["decided"]),
        change=formats.count_change(s["decided"] - p["decided"]),
        against=against,
        neutral=True,
        where=c2,
        help="처리가 끝나 기한 준수 여부가 정해진 건(분모).",
    )
    headline(
        "기한 내 처리",
        formats.count(s["met"]),
        change=formats.count_change(s["met"] - p["met"]),
        against=against,
        neutral=True,
        where=c3,
        help="처리기한(업무시간 기준) 안에 처리완료된 건(분자).",
    )
    headline(
        "기한 초과 처리",
        formats.count(s["breached"]),
        change=formats.count_change(s["breached"] - p["breached"]),
        against=against,
        lower_is_better=True,
        where=c4,
        help="처리기한을 넘겨 처리완료된 건.",
    )
    definition(
        f"조회 기간({ctx.period_label}) 접수 {formats.count(s['received'])} 중 처리완료 {formats.count(s['completed'])}. "
        + va.COMPLIANCE_DEFINITION
        + " 목표는 KPI 통합 문서의 'VOC 처리기한 준수율' 목표입니다."
    )
    if s["no_time"]:
        st.warning(
            f"처리일시 없음 {s['no_time']:,}건: 처리상태는 완료인데 내보내기 파일에 처리일시가 없어 기한 준수 판정"
            "(분자·분모)에서 뺐습니다. 미처리·기한 초과로도 세지 않습니다. 처리일시가 있는 파일을 다시 적재하면 판정됩니다.",
            icon=":material/schedule:",
        )
    return s


def open_now(ctx: Context) -> pd.DataFrame:
    st.subheader("지금 미처리 건")
    share = ctx.settings.sla.at_risk_share
    df = data.run(va.open_items, ctx.scope, ctx.now, ctx.settings, ctx.user.can_see_texts)
    c1, c2, c3 = st.columns(3)
    overdue = int(df["overdue"].sum())
    status = "달성" if overdue == 0 else "미달"
    headline(
        "기한 초과",
        formats.count(overdue),
        target=f"목표 0건 · {status}",
        status=status,
        where=c1,
        help="아직 처리되지 않았고 처리기한이 지난 건.",
    )
    headline(
        "기한 임박",
        formats.count(int(df["at_risk"].sum())),
        where=c2,
        help=f"아직 처리되지 않았고 남은 근무시간이 처리기한의 {share:.0%} 미만인 건(관리 화면의 처리기한 설정).",
    )
    headline(
        "미처리 전체",
        formats.count(len(df)),
        where=c3,
        help="접수·처리중 상태의 모든 건(조회 기간과 무관, 부서 필터는 적용).",
    )
    definition(
        f"기준 시각 {ctx.now:%Y-%m-%d %H:%M}. 남은 시간은 근무시간(평일 09~18시, 휴게·주말·공휴일 제외) 기준이며 "
        "음수는 기한을 넘긴 근무시간입니다. 급한 순서(남은 시간이 적은 순)로 정렬합니다. 조회 기간과 관계없이 "
        "지금 열려 있는 모든 건을 봅니다."
    )
    urgent = df[df["overdue"] | df["at_risk"]]
    if urgent.empty:
        st.success("기한 초과·임박 미처리 건이 없습니다.", icon=":material/check_circle:")
    else:
        cols = OPEN_COLUMNS + (["title"] if ctx.user.can_see_texts else [])
        table(ko(urgent, cols), "기한초과_임박_미처리", key="sla_open_urgent")
    if len(df) > len(urgent):
        with st.expander(f"미처리 전체 {len(df):,}건 보기"):
            cols = OPEN_COLUMNS + (["title"] if ctx.user.can_see_texts else [])
            table(ko(df, cols), "미처리_전체", key="sla_open_all")
    return df


def by_dimension(ctx: Context) -> None:
    st.subheader("구분별 준수율")
    dims = [d for d in va.DIMENSIONS if d != "month"]
    dim = (
        st.segmented_control("구분", dims, format_func=va.DIMENSIONS.get, default="voc_type", key="sla_dim")
        or "voc_type"
    )
    df = data.run(va.compliance_by, ctx.scope, dim)
    decided = df[df["decided"] > 0]
    if decided.empty:
        st.info("처리완료된 건이 없어 준수율을 계산할 수 없습니다.")
        return
    target = compliance_target(ctx)
    colours = tuple(
        palette.STATUS.get(judged(c, target, ctx) or "", palette.NEUTRAL)
        for c in decided.sort_values("compliance", ascending=False, kind="stable")["compliance"]
    )
    chart(
        data.figure(_compliance_bar, decided, dim, target, colours),
        ko(df),
        f"{va.DIMENSIONS[dim]}별_준수율",
        key=f"sla_by_{dim}",
    )
    definition(
        "막대 색 = 목표 대비 상태(달성·주의·미달, KPI와 같은 기준). 점선 = 준수율 목표."
        if target is not None
        else "KPI 통합 문서에 준수율 목표가 없어 막대를 판정하지 않았습니다."
    )


def _compliance_bar(decided: pd.DataFrame, dim: str, target: float | None, colours: tuple[str, ...]):
    d = decided.sort_values("compliance", ascending=False, kind="stable")
    fig = category_bar(
        d,
        dim,
        "compliance",
        title=f"{va.DIMENSIONS[dim]}별 처리기한 준수율",
        color=list(colours),
        text=[formats.pct(c) for c in d["compliance"]],
        labels=LABELS,
        hover=["decided", "met", "breached"],
    )
    axis = "x" if fig._ccm_horizontal else "y"
    if target is not None:
        target_line(fig, target, f"목표 {formats.pct(target)}", axis=axis)
    return from_zero(fig, rate=True, axis=axis, top=1.1)


def processing_time(ctx: Context) -> None:
    st.subheader("처리시간 (근무시간)")
    definition(
        "처리시간 = 처리기한 계산 시작부터 처리완료까지의 근무시간. 중앙값은 가운데 값, 90백분위는 10%만 이보다 "
        "오래 걸린 값(선형 보간)입니다. 처리기한은 해당 유형 대부분의 건에 적용된 기한입니다."
    )
    df = data.run(va.processing_time_by_type, ctx.scope)
    if df.empty:
        st.info("처리완료된 건이 없습니다.")
        return
    long = df.melt(
        id_vars="voc_type",
        value_vars=["median_hours", "p90_hours", "deadline_hours"],
        var_name="measure",
        value_name="hours",
    )
    long["measure"] = long["measure"].map(
        {"median_hours": "중앙값", "p90_hours": "90백분위", "deadline_hours": "처리기한"}
    )
    chart(data.figure(_time_bars, long), ko(df), "유형별_처리시간", key="sla_time")
    dist = data.run(va.processing_time_distribution, ctx.scope)
    chart(
        data.figure(_distribution, dist),
        ko(dist, ["voc_type", "bucket", "items"]),
        "처리시간_분포",
        key="sla_dist",
    )


def _time_bars(long: pd.DataFrame):
    fig = px.bar(
        long,
        x="voc_type",
        y="hours",
        color="measure",
        barmode="group",
        color_discrete_map={"중앙값": palette.NEUTRAL, "90백분위": palette.OPEN, "처리기한": palette.TARGET},
        category_orders={"voc_type": sorted(long["voc_type"].unique())},
        labels={**LABELS, "hours": "근무시간(시간)", "measure": ""},
        title="유형별 처리시간 중앙값·90백분위와 처리기한",
    )
    return from_zero(fig)


def _distribution(dist: pd.DataFrame):
    order = [b[2] for b in va.SHARE_BINS]
    fig = px.bar(
        dist,
        x="bucket",
        y="items",
        color="voc_type",
        labels=LABELS,
        color_discrete_map=palette.voc_types(dist["voc_type"].unique()),
        category_orders={"bucket": order, "voc_type": sorted(dist["voc_type"].unique())},
        title="처리시간 분포 (처리기한 대비, 점선 왼쪽 = 기한 내)",
    )
    edge = next(i for i, b in enumerate(va.SHARE_BINS) if b[1] is None or b[1] > 1.0) - 0.5
    fig.add_vline(
        x=edge,
        line_dash="dash",
        line_color=palette.OVERDUE,
        annotation_text="처리기한",
        annotation_font_color=palette.OVERDUE,
    )
    return from_zero(fig)


def monthly(ctx: Context) -> None:
    st.subheader("월별 추이")
    window = ctx.scope.chart_window()
    got = data.run(va.monthly_compliance, window)
    df = voc_pages.tidy(month_frame(got, window.months(), counts=("received", "decided", "met")))
    if df["decided"].sum() == 0:
        st.info("처리완료된 건이 없습니다.")
        return
    target = compliance_target(ctx)
    chart(data.figure(_monthly_line, df, window.label, target), ko(df), "월별_준수율", key="sla_monthly")
    definition(
        "처리완료 건이 없는 달은 준수율을 비워 두고 선을 잇지 않습니다(막대 = 그달 판정 건수 0). "
        + ("점선 = 준수율 목표." if target is not None else "")
    )


def _monthly_line(df: pd.DataFrame, label: str, target: float | None):
    fig = go.Figure()
    fig.add_bar(
        x=df["month"],
        y=df["decided"],
        name="판정 건수",
        marker_color=palette.GRID,
        yaxis="y2",
        hovertemplate="%{x}: 판정 %{y:,}건<extra></extra>",
    )
    fig.add_scatter(
        x=df["month"],
        y=df["compliance"],
        name="준수율",
        mode="lines+markers",
        connectgaps=False,
        line=dict(color=palette.NEUTRAL, width=3),
        hovertemplate="%{x}: %{y:.1%}<extra></extra>",
    )
    fig.update_layout(
        title=f"월별 처리기한 준수율 (접수월 기준, {label})",
        legend=dict(orientation="h", y=-0.2),
        yaxis2=dict(overlaying="y", side="right", rangemode="tozero", showgrid=False, title="판정 건수"),
    )
    if target is not None:
        target_line(fig, target, f"목표 {formats.pct(target)}")
    voc_pages.month_axis(fig)
    return from_zero(fig, rate=True, top=1.05)


def explain(ctx: Context, open_df: pd.DataFrame) -> None:
    st.subheader("한 건 자세히: 처리기한이 왜 이렇게 정해졌나")
    c1, c2 = st.columns(2)
    typed = c1.text_input("접수번호 입력", key="sla_explain_id", placeholder="예: VOC-2025-000123").strip()
    options = open_df["voc_id"].tolist()
    picked = c2.selectbox(
        "또는 미처리 목록에서 선택(급한 순)",
        options,
        index=None,
        key="sla_explain_pick",
        placeholder="선택하세요",
    )
    voc_id = typed or picked
    if not voc_id:
        st.caption("접수번호를 입력하거나 목록에서 고르면 처리기한 계산 과정을 보여 줍니다.")
        return
    got = data.run(va.explain_item, ctx.scope, voc_id, ctx.settings, ctx.now)
    if got is None:
        st.warning(f"접수번호 '{md(voc_id)}' 인 건을 찾을 수 없습니다(부서 필터 안에서 찾습니다).")
        return
    info, item = got["explain"], got["item"]
    st.markdown("\n".join(f"- {s}" for s in info["sentences"]))  # our own sentences (dates, rules)
    stored = {
        "접수번호": item["voc_id"],
        "유형": item["voc_type"],
        "부서": item["department"],
        "시설": item["facility"],
        "채널": item["channel"],
        "처리상태": item["status"],
        "처리기한(저장값)": item["due_at"],
        "사용 근무시간(분)": item["work_minutes"],
        "적용 기준(저장값)": item["sla_rule"],
    }
    show(pd.DataFrame([stored]))
    definition(
        "저장값은 적재할 때 계산해 둔 값입니다. 위 설명은 지금 설정(달력·처리기한 기준표)으로 다시 계산한 것이며, "
        "설정이 바뀌었다면 둘이 다를 수 있습니다(관리 화면에서 다시 계산)."
    )


def rules(ctx: Context) -> None:
    with st.expander("적용 중인 처리기한 기준표"):
        df = sla.rules_table(ctx.settings)[
            ["effective_from", "voc_type", "days", "hours", "counting_label", "source"]
        ]
        table(
            df.rename(
                columns={
                    "effective_from": "시행일",
                    "voc_type": "유형",
                    "days": "업무일",
                    "hours": "근무시간",
                    "counting_label": "계산 방식",
                    "source": "근거",
                }
            ),
            "처리기한_기준표",
            key="sla_rules",
        )


def main() -> None:
    ctx = setup("처리기한 준수")
    if not voc_pages.heading(ctx, "처리기한 준수", "처리기한 준수율을"):
        return
    open_df = open_now(ctx)
    st.divider()
    s = summary(ctx)
    if s["received"] == 0:
        voc_pages.nothing_in_scope()
    else:
        by_dimension(ctx)
        processing_time(ctx)
        monthly(ctx)
    st.divider()
    explain(ctx, open_df)
    rules(ctx)


main()
