"""KPI 달성 — the CCO's monthly review: management goals, scorecard, changes, off-track list, trends,
the data behind automatic actuals, and the review as an Excel file."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ccm import kpi
from ccm.kpi_excel import review_workbook
from ccm.safe_text import md
from ui import data
from ui.bootstrap import setup
from ui.components import XLSX, chart, definition, empty_state, pct, table

STATUS_COLOR = {"달성": "green", "주의": "orange", "미달": "red", "미입력": "violet", "목표 없음": "gray", "실적 없음": "gray"}
STATUS_BG = {"달성": "#C6EFCE", "주의": "#FFEB9C", "미달": "#FFC7CE", "미입력": "#D9D9D9", "목표 없음": "#EDEDED",
             "실적 없음": "#EDEDED"}


def attainment_help(rules: kpi.Rules) -> str:
    """The attainment rules as the README and the template's 안내 sheet state them (ccm.kpi.rules_text)."""
    text = kpi.rules_text(rules)
    return " ".join(text["달성률"] + text["기간"] + text["미입력"] + text["판정"])


def main() -> None:
    ctx = setup("KPI 달성")
    st.title("KPI 달성 — 월간 검토")
    if not data.run(kpi.has_data):
        empty_state("아직 KPI가 없습니다. '데이터 올리기' 화면의 'KPI 실적' 탭에서 서식을 내려받아 KPI 정의와 "
                    "월별 실적을 채워 올리거나, `python -m etl kpi 파일.xlsx` 로 적재하세요.")
        return
    rules = kpi.rules_from(ctx.settings)
    year, month = _month_picker(ctx)
    depts = ctx.scope.departments
    st.caption(f"{year}년 {month}월 말 기준 · 사이드바의 조회 기간은 이 화면에 쓰지 않고, 부서 선택만 적용합니다. "
               f"상태: 달성 ≥ {kpi.fmt_attainment(rules.achieved, rules)}, 주의 ≥ {kpi.fmt_attainment(rules.warning, rules)}, "
               f"그 아래 미달(달성률을 {rules.precision:g}%p 단위로 반올림한 값으로 판정) · 달성률 상한 "
               f"{kpi.fmt_attainment(rules.cap, rules)} · 빈 달: {kpi.MISSING[rules.missing]}.")
    card = data.run(kpi.review, year, month, rules, depts)
    _goals(card[card["is_goal"]], rules)
    card = card[~card["is_goal"]]
    if card.empty:
        empty_state("선택한 부서에 이 연도의 KPI가 없습니다. 사이드바의 부서 선택을 바꿔 보세요.", upload_hint=False)
        return
    all_scores = kpi.scores(data.run(kpi.review, year, month, rules, None), rules)
    org = kpi.org_from(all_scores)
    scores = all_scores if depts is None else all_scores[all_scores["department"].isin(depts)]
    _scores(scores, org)
    _scorecard(card, rules)
    before = data.run(kpi.review, *kpi.previous_month(year, month), rules, depts)
    changes = kpi.compare(card, before[before["department"] != rules.org_unit])
    _changes(changes)
    off = data.run(kpi.off_track, year, month, rules, depts)
    off = off[~off["is_goal"]] if not off.empty else off
    _off_track(off)
    _trend(card, year, month, rules)
    _drilldown(ctx, card, year, month, rules)
    _download(year, month, rules, depts, card, off, changes, scores, org)


def _month_picker(ctx) -> tuple[int, int]:
    months = data.run(kpi.review_months, ctx.now.year, ctx.now.month)
    latest = data.run(kpi.latest_actual_month)
    index = months.index(latest) if latest in months else 0
    return st.selectbox("검토 월", months, index=index, key="kpi_month",
                        format_func=lambda ym: f"{ym[0]}년 {ym[1]}월",
                        help="기본값은 실적이 입력된 가장 최근 달입니다.")


def _goals(goals: pd.DataFrame, rules: kpi.Rules) -> None:
    st.subheader("경영목표")
    if goals.empty:
        st.info("경영목표(부서 '전사') KPI가 없습니다. KPI 정의 시트에 부서를 '전사'로 적으면 이곳에 큰 카드로 나옵니다.")
        return
    cols = st.columns(len(goals))
    for col, g in zip(cols, goals.to_dict("records")):
        with col.container(border=True):
            value, target = _num(g["actual"], g["unit"]), _num(g["target"], g["unit"])
            st.metric(md(g["indicator"]), md(value),
                      help=f"{md(g['core_task'] or '')} · 목표(누계) {md(target)}. {md(attainment_help(rules))}")
            judged = g["attainment"] is not None and not pd.isna(g["attainment"])
            st.badge(f"{g['status']} · 달성률 {kpi.fmt_attainment(g['attainment'], rules)}" if judged else g["status"],
                     color=STATUS_COLOR[g["status"]])
            st.caption(f"목표 {md(target)}" + (" (누계)" if g["aggregation"] == "cumulative" else "")
                       + (f" · 미입력 월: {md(g['missing_months'])}" if g["missing_months"] else ""))


def _num(v, unit) -> str:
    if v is None or pd.isna(v):
        return "—"
    return f"{v:,.0f}{unit or ''}" if float(v).is_integer() else f"{v:,.1f}{unit or ''}"


def _scores(scores: pd.DataFrame, org: float | None) -> None:
    st.subheader("부서 점수")
    c1, c2 = st.columns([1, 3])
    c1.metric("기관 점수", pct(org), help="부서 점수의 평균(부서마다 같은 비중). 부서 점수 = 그 부서 KPI 달성률의 "
                                        "가중 평균(가중치는 KPI 정의의 값; '미입력' KPI는 0%로 넣고, '목표 없음'·"
                                        "'실적 없음' KPI는 뺍니다).")
    with c2:
        if scores.empty:
            st.info("실적이 있는 부서 KPI가 아직 없습니다.")
            return
        fig = go.Figure(go.Bar(x=scores["department"], y=scores["score"], text=[pct(s) for s in scores["score"]]))
        fig.update_layout(yaxis_tickformat=".0%", height=280, title="부서별 가중 달성률")
        chart(fig, kpi.to_display(scores), "KPI 부서 점수", key="kpi_scores")


def _scorecard(card: pd.DataFrame, rules: kpi.Rules) -> None:
    st.subheader("스코어카드 (부서 × 지표)")
    cell = card.assign(v=[(s if a is None or pd.isna(a) else f"{s} {kpi.fmt_attainment(a, rules)}") + (" *" if miss else "")
                          for s, a, miss in zip(card["status"], card["attainment"], card["missing_months"])])
    pivot = cell.pivot_table(index="indicator", columns="department", values="v", aggfunc="first").fillna("")
    pivot = pivot.rename_axis(index="지표", columns="부서")
    styled = pivot.style.map(lambda v: f"background-color: {STATUS_BG.get(v.split(' ')[0], '')}" if v else "")
    st.dataframe(styled, width="stretch")
    definition(md(attainment_help(rules)) + " 빈 칸은 그 부서의 KPI가 아닙니다. * = 실적이 입력되지 않은 달이 있음"
               f"(빈 달: {kpi.MISSING[rules.missing]}; 아래 '자세히'의 미입력 월).")
    with st.expander("스코어카드 자세히 (누계 실적·목표·부족분·미입력 월)"):
        table(kpi.to_display(card), "KPI 스코어카드", key="kpi_card")


def _changes(changes: pd.DataFrame) -> None:
    st.subheader("지난달 대비 변화")
    if changes.empty:
        st.info("지난달과 상태·달성률이 달라진 KPI가 없습니다.")
        return
    worse = int((changes["delta"] < 0).sum())
    st.caption(f"상태가 바뀌었거나 달성률이 0.5%p 이상 움직인 KPI {len(changes)}개(나빠진 것 {worse}개). "
               "1월은 전년 12월과 비교합니다.")
    table(kpi.to_display(changes), "KPI 지난달 대비", key="kpi_changes",
          column_config=_pct_config(["지난달 달성률", "달성률", "달성률 변화"]))


def _off_track(off: pd.DataFrame) -> None:
    st.subheader("미달·주의 KPI")
    if off.empty:
        st.success("미달·주의 KPI가 없습니다.")
        return
    shown = off[["department", "indicator", "unit", "actual", "target", "gap", "attainment", "status", "since",
                 "missing_months"]].assign(since=[f"{m}월" for m in off["since"]])
    st.caption("부족분은 KPI 자체 단위입니다(예: 건, 점, %p). '시작 월'부터 계속 달성 구간 밖에 있습니다.")
    table(kpi.to_display(shown), "KPI 미달 주의 목록", key="kpi_off", column_config=_pct_config(["달성률"]))


def _pct_config(cols: list[str]) -> dict:
    return {c: st.column_config.NumberColumn(c, format="percent") for c in cols}


def _kpi_label(r) -> str:
    return f"{r['department']} · {r['indicator']}"


def _trend(card: pd.DataFrame, year: int, month: int, rules) -> None:
    st.subheader("KPI 추이 (목표 경로 대비)")
    worst_first = card.sort_values("attainment", na_position="last", kind="stable")
    rows = {(r["department"], r["indicator"]): r for r in worst_first.to_dict("records")}
    pick = rows[st.selectbox("지표", list(rows), format_func=lambda k: f"{k[0]} · {k[1]}", key="kpi_trend_pick")]
    t = data.run(kpi.trend, year, month, pick["department"], pick["indicator"], rules)
    if t.empty:
        st.info("이 지표의 추이가 없습니다.")
        return
    unit = pick["unit"] or ""
    fig = go.Figure()
    fig.add_bar(x=t["month"], y=t["value"], name=f"월 실적({unit})", opacity=0.45)
    fig.add_scatter(x=t["month"], y=t["ytd_actual"], name="누계 실적" if pick["aggregation"] == "cumulative" else "집계 실적",
                    mode="lines+markers")
    fig.add_scatter(x=t["month"], y=t["ytd_target"], name="목표 경로", mode="lines", line=dict(dash="dash"))
    fig.update_layout(xaxis=dict(title="월", dtick=1), yaxis_title=unit, height=340,
                      title=f"{_kpi_label(pick)} ({kpi.AGGREGATIONS[pick['aggregation']]}, {kpi.DIRECTIONS[pick['direction']]})")
    shown = t.drop(columns=["auto_value", "manual_value"]).rename(columns={
        "month": "월", "value": "월 실적", "origin": "출처", "note": "비고", "ytd_actual": "집계 실적",
        "ytd_target": "목표 경로", "attainment": "달성률"})
    chart(fig, shown, f"KPI 추이 {pick['indicator']}", key="kpi_trend")
    definition("출처: 수기 = 통합 문서 실적, 자동 = 저장된 데이터에서 계산, 수기(자동 대체) = 같은 달 자동 값을 수기 실적이 대신함, "
               "누락 = 실적이 입력되지 않은 달(미입력 월, 0으로 보지 않음).")


def _drilldown(ctx, card: pd.DataFrame, year: int, month: int, rules) -> None:
    st.subheader("자동 실적의 근거")
    auto = {(r["department"], r["indicator"]): r for r in card[card["source"].notna()].to_dict("records")}
    if not auto:
        st.info("자동 실적 원천이 있는 KPI가 없습니다.")
        return
    c1, c2 = st.columns([3, 1])
    pick = auto[c1.selectbox("자동 실적 KPI", list(auto), key="kpi_auto_pick",
                             format_func=lambda k: f"{k[0]} · {k[1]} ({auto[k]['source']})")]
    m = c2.selectbox("월", list(range(month, 0, -1)), format_func=lambda i: f"{i}월", key="kpi_auto_month")
    sources = ctx.settings.get("kpi", {}).get("sources", {})
    definition(f"원천: {md(pick['source'])} — {md(sources.get(pick['source'].split(':')[0], ''))}")
    mine = data.run(kpi.trend, year, month, pick["department"], pick["indicator"], rules)
    shown = mine[["month", "auto_value", "manual_value", "value", "origin"]].round(2)
    shown = shown.assign(note=mine["note"].astype("string").fillna(""))
    st.dataframe(shown.rename(columns={"month": "월", "auto_value": "자동 값", "manual_value": "수기 값", "value": "사용한 값",
                                       "origin": "출처", "note": "비고"}), hide_index=True, width="stretch")
    if pick["source"] == "pcsi" and not kpi.pcsi_available():
        st.warning("자동 실적 없음: 고객만족도(PCSI) 모듈이 아직 없습니다.")
        return
    detail = data.run(kpi.auto_detail, pick["source"], year, m, pick["department"], ctx.user.can_see_texts, rules)
    if detail.empty:
        st.info(f"{year}년 {m}월에는 이 원천의 데이터가 없습니다(자동 실적 없음).")
        return
    if "기한준수" in detail.columns:
        met, decided = int(detail["기한준수"].fillna(False).sum()), int(detail["기한준수"].notna().sum())
        st.caption(f"{m}월 접수 {len(detail):,}건 · 처리 완료 {decided:,}건 · 기한 내 {met:,}건"
                   + (f" → 준수율 {met / decided:.1%}" if decided else "") + " (기한을 넘긴 건이 먼저 나옵니다)")
    if not ctx.user.can_see_texts and pick["source"] != "pcsi":
        st.caption("열람 권한에서는 건별 목록 대신 유형별 집계만 보입니다.")
    table(detail, f"KPI 자동실적 근거 {pick['indicator']} {m}월", key="kpi_auto_detail")


def _download(year, month, rules, depts, card, off, changes, scores, org) -> None:
    st.subheader("검토 자료 내려받기")
    goals = data.run(kpi.review, year, month, rules, depts)
    goals = goals[goals["is_goal"]]
    title = f"KPI 월간 검토 — {year}년 {month}월"
    st.download_button("KPI 검토 자료 Excel",  # built when clicked, not on every rerun
                       lambda: review_workbook(title, goals, card, off, changes, scores, org, rules.cap, rules),
                       f"KPI_검토_{year}_{month:02d}.xlsx", XLSX, key="kpi_review_xlsx",
                       icon=":material/download:", on_click="ignore")


main()
