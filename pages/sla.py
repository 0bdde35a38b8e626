"""처리기한 준수: compliance (met / decided), processing time, open items now, one item explained."""
from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from ccm import sla
from ccm import voc_analytics as va
from ccm.safe_text import md
from ui import data, voc_pages
from ui.bootstrap import Context, setup
from ui.components import chart, definition, pct, table

LABELS = {
    "voc_id": "접수번호", "received_at": "접수일시", "voc_type": "유형", "department": "부서", "facility": "시설",
    "channel": "채널", "status": "처리상태", "due_at": "처리기한", "remaining_hours": "남은 근무시간(시간)",
    "state": "구분", "title": "제목", "month": "월", "received": "접수", "decided": "판정(처리완료)",
    "met": "기한 내", "breached": "기한 초과", "compliance": "준수율", "completed": "처리완료",
    "median_hours": "중앙값(시간)", "p90_hours": "90백분위(시간)", "mean_hours": "평균(시간)",
    "deadline_hours": "처리기한(시간)", "median_share": "중앙값÷기한", "bucket": "처리시간÷처리기한",
    "items": "건수", "no_time": "처리일시 없음",
}
OPEN_COLUMNS = ["state", "voc_id", "department", "voc_type", "facility", "received_at", "due_at", "remaining_hours"]


def ko(df: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """Display copy: chosen columns, Korean headers."""
    out = df[columns] if columns else df
    return voc_pages.tidy(out).rename(columns=LABELS)


def summary(ctx: Context) -> dict:
    s = data.run(va.compliance_summary, ctx.scope)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("처리기한 준수율", pct(s["compliance"]), help=va.COMPLIANCE_DEFINITION)
    c2.metric("판정 건수", f"{s['decided']:,}건", help="처리가 끝나 기한 준수 여부가 정해진 건(분모).")
    c3.metric("기한 내 처리", f"{s['met']:,}건", help="처리기한(업무시간 기준) 안에 처리완료된 건(분자).")
    c4.metric("기한 초과 처리", f"{s['breached']:,}건", help="처리기한을 넘겨 처리완료된 건.")
    definition(f"조회 기간({ctx.scope.label}) 접수 {s['received']:,}건 중 처리완료 {s['completed']:,}건. "
               + va.COMPLIANCE_DEFINITION)
    if s["no_time"]:
        st.warning(f"처리일시 없음 {s['no_time']:,}건: 처리상태는 완료인데 내보내기 파일에 처리일시가 없어 기한 준수 판정"
                   "(분자·분모)에서 뺐습니다. 미처리·기한 초과로도 세지 않습니다. 처리일시가 있는 파일을 다시 적재하면 판정됩니다.",
                   icon=":material/schedule:")
    return s


def open_now(ctx: Context) -> pd.DataFrame:
    st.subheader("지금 미처리 건")
    share = float(ctx.settings["sla"].get("at_risk_share", 0.25))
    df = data.run(va.open_items, ctx.scope, ctx.now, ctx.settings, ctx.user.can_see_texts)
    c1, c2, c3 = st.columns(3)
    c1.metric("기한 초과", f"{int(df['overdue'].sum()):,}건", help="아직 처리되지 않았고 처리기한이 지난 건.")
    c2.metric("기한 임박", f"{int(df['at_risk'].sum()):,}건",
              help=f"아직 처리되지 않았고 남은 근무시간이 처리기한의 {share:.0%} 미만인 건(설정 sla.at_risk_share).")
    c3.metric("미처리 전체", f"{len(df):,}건", help="접수·처리중 상태의 모든 건(조회 기간과 무관, 부서 필터는 적용).")
    definition(f"기준 시각 {ctx.now:%Y-%m-%d %H:%M}. 남은 시간은 근무시간(평일 09~18시, 휴게·주말·공휴일 제외) 기준이며 "
               "음수는 기한을 넘긴 근무시간입니다. 급한 순서(남은 시간이 적은 순)로 정렬합니다. 조회 기간과 관계없이 "
               "지금 열려 있는 모든 건을 봅니다.")
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
    dim = st.segmented_control("구분", dims, format_func=va.DIMENSIONS.get, default="voc_type", key="sla_dim") or "voc_type"
    df = data.run(va.compliance_by, ctx.scope, dim)
    decided = df[df["decided"] > 0]
    if decided.empty:
        st.info("처리완료된 건이 없어 준수율을 계산할 수 없습니다.")
        return
    chart(data.figure(_compliance_bar, decided, dim), ko(df), f"{va.DIMENSIONS[dim]}별_준수율", key=f"sla_by_{dim}")


def _compliance_bar(decided: pd.DataFrame, dim: str):
    fig = px.bar(decided, x=dim, y="compliance", text=decided["compliance"].map(pct),
                 hover_data=["decided", "met", "breached"], labels=LABELS,
                 title=f"{va.DIMENSIONS[dim]}별 처리기한 준수율")
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    return fig


def processing_time(ctx: Context) -> None:
    st.subheader("처리시간 (근무시간)")
    definition("처리시간 = 처리기한 계산 시작부터 처리완료까지의 근무시간. 중앙값은 가운데 값, 90백분위는 10%만 이보다 "
               "오래 걸린 값(선형 보간)입니다. 처리기한은 해당 유형 대부분의 건에 적용된 기한입니다.")
    df = data.run(va.processing_time_by_type, ctx.scope)
    if df.empty:
        st.info("처리완료된 건이 없습니다.")
        return
    long = df.melt(id_vars="voc_type", value_vars=["median_hours", "p90_hours", "deadline_hours"],
                   var_name="measure", value_name="hours")
    long["measure"] = long["measure"].map({"median_hours": "중앙값", "p90_hours": "90백분위", "deadline_hours": "처리기한"})
    fig = data.figure(px.bar, long, x="voc_type", y="hours", color="measure", barmode="group",
                      labels={**LABELS, "hours": "시간", "measure": ""}, title="유형별 처리시간 중앙값·90백분위와 처리기한")
    chart(fig, ko(df), "유형별_처리시간", key="sla_time")
    dist = data.run(va.processing_time_distribution, ctx.scope)
    fig = data.figure(px.bar, dist, x="bucket", y="items", color="voc_type", labels=LABELS,
                      category_orders={"bucket": [b[2] for b in va.SHARE_BINS]},
                      title="처리시간 분포 (처리기한 대비, 100% 이하 = 기한 내)")
    chart(fig, ko(dist, ["voc_type", "bucket", "items"]), "처리시간_분포", key="sla_dist")


def monthly(ctx: Context) -> None:
    st.subheader("월별 추이")
    window = ctx.scope.trailing()
    df = voc_pages.tidy(data.run(va.monthly_compliance, window))
    if df["decided"].sum() == 0:
        st.info("처리완료된 건이 없습니다.")
        return
    chart(data.figure(_monthly_line, df, window.label), ko(df), "월별_준수율", key="sla_monthly")


def _monthly_line(df: pd.DataFrame, label: str):
    fig = px.line(df, x="month", y="compliance", markers=True, labels=LABELS, hover_data=["decided", "met"],
                  title=f"월별 처리기한 준수율 (접수월 기준, {label})")
    voc_pages.month_axis(fig)
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    return fig


def explain(ctx: Context, open_df: pd.DataFrame) -> None:
    st.subheader("한 건 자세히: 처리기한이 왜 이렇게 정해졌나")
    c1, c2 = st.columns(2)
    typed = c1.text_input("접수번호 입력", key="sla_explain_id", placeholder="예: VOC-2025-000123").strip()
    options = open_df["voc_id"].tolist()
    picked = c2.selectbox("또는 미처리 목록에서 선택(급한 순)", options, index=None, key="sla_explain_pick",
                          placeholder="선택하세요")
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
    stored = {"접수번호": item["voc_id"], "유형": item["voc_type"], "부서": item["department"], "시설": item["facility"],
              "채널": item["channel"], "처리상태": item["status"], "처리기한(저장값)": item["due_at"],
              "사용 근무시간(분)": item["work_minutes"], "적용 기준(저장값)": item["sla_rule"]}
    st.dataframe(pd.DataFrame([stored]), hide_index=True, width="stretch")
    definition("저장값은 적재할 때 계산해 둔 값입니다. 위 설명은 지금 설정(달력·처리기한 기준표)으로 다시 계산한 것이며, "
               "설정이 바뀌었다면 둘이 다를 수 있습니다(관리 화면에서 다시 계산).")


def rules(ctx: Context) -> None:
    with st.expander("적용 중인 처리기한 기준표"):
        df = sla.rules_table(ctx.settings)[["effective_from", "voc_type", "days", "hours", "counting_label", "source"]]
        table(df.rename(columns={"effective_from": "시행일", "voc_type": "유형", "days": "업무일", "hours": "근무시간",
                                 "counting_label": "계산 방식", "source": "근거"}), "처리기한_기준표", key="sla_rules")


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
