"""부서 평가·포상: composite ranking, each component's contribution, weights an evaluator can change."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ccm import palette, ranking
from ccm.ranking import RankingConfig
from ccm.ranking_excel import committee_workbook
from ccm.safe_text import md
from ui import data
from ui.bootstrap import setup
from ui.components import XLSX, chart, definition, empty_state, table


def weight_inputs(cfg: RankingConfig) -> RankingConfig:
    """Number inputs (percent) for every component's weight; returns the evaluator's config."""
    st.markdown("**가중치 조정** — 바꾸면 순위가 바로 다시 계산됩니다(설정 파일은 바뀌지 않습니다).")
    if st.button("기본 가중치로 되돌리기", key="rk_reset"):
        for c in cfg.components:
            st.session_state[f"rk_w_{c.key}"] = round(c.weight * 100.0, 1)
    cols = st.columns(len(cfg.components))
    weights = {}
    for col, c in zip(cols, cfg.components):
        weights[c.key] = (
            col.number_input(
                f"{c.label} (%)",
                min_value=0.0,
                max_value=100.0,
                value=round(c.weight * 100.0, 1),
                step=5.0,
                format="%.1f",
                key=f"rk_w_{c.key}",
                help=c.definition,
            )
            / 100.0
        )
    if sum(weights.values()) <= 0:
        st.warning("가중치가 모두 0입니다. 기본 가중치를 씁니다.")
        return cfg
    return cfg.with_weights(weights)


def contribution_chart(result: pd.DataFrame, cfg: RankingConfig) -> go.Figure:
    ranked = result.dropna(subset=["rank"]).iloc[::-1]
    fig = go.Figure()
    for i, c in enumerate(cfg.components):
        fig.add_bar(
            y=ranked["department"],
            x=ranked[f"{c.key}_contrib"],
            name=c.label,
            orientation="h",
            marker_color=palette.OTHER[i % len(palette.OTHER)],
            hovertemplate=f"{c.label}: %{{x:.1f}}점<extra></extra>",
        )
    fig.update_layout(
        barmode="stack",
        title="구성요소별 기여 점수 (합계 = 종합점수, 0~100점)",
        legend=dict(orientation="h", y=-0.15),
        height=160 + 45 * len(ranked),
    )
    fig.update_xaxes(range=[0, 100], title="점수")
    return fig


def main() -> None:
    ctx = setup("부서 평가·포상", period_kind="year")
    st.title("부서 평가·포상")
    try:
        base = ranking.config_from_settings(ctx.settings)
    except ValueError as exc:
        st.error(md(exc))
        return
    if not base.components:
        empty_state("설정 파일에 [ranking.components] 가 없습니다. 관리자에게 문의하세요.", upload_hint=False)
        return
    departments = tuple(ctx.settings.departments)
    year, month = ranking.evaluation_month(ctx.scope, ctx.now)
    out = data.run(ranking.evaluate, ctx.scope, ctx.now, base, departments)
    st.caption(
        f"평가 기간: {ctx.period_label} (VOC 지표) · KPI: {year}년 {month}월까지 누계 · PCSI: {year}년 조사 "
        "· 순위는 전체 부서를 대상으로 매깁니다."
    )
    if ctx.scope.days < 360:
        st.info(
            "포상 평가는 연 1회입니다(매뉴얼 §3.2.1). 연간 순위는 사이드바에서 기간 단위 '연도'를 고르세요.",
            icon=":material/event:",
        )
    with st.expander("산식 (말로 설명)", expanded=False):
        for line in ranking.formula_text(base):
            st.markdown(md(line))
    if out["ranking"]["rank"].isna().all():
        empty_state(
            "이 기간에는 점수를 매길 수 있는 부서가 없습니다. 각 구성요소의 최소 건수를 채우는 데이터가 "
            "없습니다(VOC·KPI·고객만족도). 기간을 넓히거나 데이터를 올리세요."
        )
        return
    cfg = weight_inputs(base)
    result = ranking.rank(out["inputs"], cfg)
    moves = ranking.rank_changes(out["ranking"], result)
    shown = (
        result if ctx.scope.departments is None else result[result["department"].isin(ctx.scope.departments)]
    )
    if cfg != base:
        changed = moves[moves["moved"].fillna(0) != 0]
        if changed.empty:
            st.info("가중치를 바꿨지만 순위는 그대로입니다.")
        else:
            st.info(
                "기본 가중치 대비 순위 변동: "
                + ", ".join(
                    f"{md(r.department)} {int(r.rank_before)}→{int(r.rank_after)}위"
                    for r in changed.itertuples()
                )
            )
    st.subheader("순위")
    definition(
        "종합점수 = Σ(적용 가중치 × 구성요소 점수). '기여'는 그 구성요소가 종합점수에 더한 점수입니다. "
        "미평가 구성요소의 가중치는 나머지에 재배분됩니다. 변동은 기본 가중치 순위 대비입니다."
    )
    rt = ranking.ranking_frame(shown, moves, cfg)
    chart(contribution_chart(shown, cfg), rt, "부서 평가 순위", key="rk_rank")
    st.subheader("구성요소별 근거")
    bd = ranking.breakdown(shown, cfg)
    table(bd, "부서 평가 구성요소", key="rk_breakdown")
    st.subheader("포상 후보")
    award_rows = ranking.awards(result, out["facilities"], cfg)
    facilities = out["facilities"]
    if ctx.scope.departments is not None:  # e.g. a 부서 account: its own department only
        award_rows = award_rows[award_rows["부서"].isin(ctx.scope.departments)]
        facilities = facilities[facilities["department"].isin(ctx.scope.departments)]
    if award_rows.empty:
        st.info("포상 후보를 정할 데이터가 부족합니다.")
    for r in award_rows.itertuples():
        st.success(f"**{md(r.포상)}: {md(r.후보)}** — {md(r.근거)}", icon=":material/military_tech:")
    if not facilities.empty:
        with st.expander("시설별 고객만족도(PCSI) — CS 우수사업장 근거"):
            table(ranking.facilities_frame(facilities, cfg), "시설별 PCSI", key="rk_fac")
    st.download_button(  # built when clicked, not on every rerun
        "평가위원회용 Excel 내려받기",
        lambda: committee_workbook(
            shown,
            moves,
            cfg,
            award_rows,
            facilities,
            period=ctx.scope.label or str(year),
            complete=ctx.scope.departments is None,
        ),
        f"부서평가_{ctx.scope.label or year}.xlsx".replace(" ", "_"),
        XLSX,
        key="rk_committee",
        icon=":material/download:",
        on_click="ignore",
    )


main()
