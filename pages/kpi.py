"""KPI 달성 — the CCO's monthly review: management goals, scorecard, changes, off-track list, trends,
the data behind automatic actuals, and the review as an Excel file."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ccm import formats, kpi, palette
from ccm.kpi_excel import review_workbook
from ccm.period import last_complete, period, running_note
from ccm.safe_text import md
from ui import data
from ui.bootstrap import setup
from ui.components import (
    XLSX,
    category_bar,
    chart,
    definition,
    empty_state,
    from_zero,
    headline,
    show,
    table,
    target_line,
)

ANSWER = ("달성", "주의", "미달")


def attainment_help(rules: kpi.Rules) -> str:
    """The attainment rules as the README and the template's 안내 sheet state them (ccm.kpi.rules_text)."""
    text = kpi.rules_text(rules)
    return " ".join(text["달성률"] + text["기간"] + text["미입력"] + text["판정"])


def main() -> None:
    ctx = setup("KPI 달성")
    st.title("KPI 달성 — 월간 검토")
    if not data.run(kpi.has_data):
        empty_state(
            "아직 KPI가 없습니다. '데이터 올리기' 화면의 'KPI 실적' 탭에서 서식을 내려받아 KPI 정의와 "
            "월별 실적을 채워 올리거나, `python -m etl kpi 파일.xlsx` 로 적재하세요."
        )
        return
    rules = kpi.rules_from(ctx.settings)
    depts = ctx.scope.departments
    pick, button = st.columns([3, 1], vertical_alignment="bottom")
    with pick:
        year, month = _month_picker(ctx)
    card = data.run(kpi.review, year, month, rules, depts)
    goals, card = card[card["is_goal"]], card[~card["is_goal"]]
    if card.empty:
        empty_state(
            "선택한 부서에 이 연도의 KPI가 없습니다. 사이드바의 부서 선택을 바꿔 보세요.", upload_hint=False
        )
        return
    py, pm = kpi.previous_month(year, month)
    before = data.run(kpi.review, py, pm, rules, depts)
    before_goals, before = before[before["is_goal"]], before[before["department"] != rules.org_unit]
    all_scores = kpi.scores(data.run(kpi.review, year, month, rules, None), rules)
    org = kpi.org_from(all_scores)
    org_before = kpi.org_from(kpi.scores(data.run(kpi.review, py, pm, rules, None), rules))
    scores = all_scores if depts is None else all_scores[all_scores["department"].isin(depts)]
    off = data.run(kpi.off_track, year, month, rules, depts)
    off = off[~off["is_goal"]] if not off.empty else off
    changes = kpi.compare(card, before)
    with button:
        _download(year, month, rules, goals, card, off, changes, scores, org)
    _caption(ctx, year, month, rules)
    _answer(card, before, org, org_before, rules)
    _off_track(off, data.run(kpi.notes, year, month), year, month)
    _goals(goals, before_goals, rules)
    _scores(scores, org, rules)
    _scorecard(card, rules)
    _changes(changes)
    _trend(card, year, month, rules)
    _drilldown(ctx, card, year, month, rules)


def _month_picker(ctx) -> tuple[int, int]:
    months = data.run(kpi.review_months, ctx.now.year, ctx.now.month)
    latest = data.run(kpi.latest_actual_month)
    default = _default_month(ctx.now.date(), latest)
    index = months.index(default) if default in months else 0
    return st.selectbox(
        "검토 월",
        months,
        index=index,
        key="kpi_month",
        format_func=lambda ym: _month_text(ym, ctx),
        help="기본값은 마감된 가장 최근 달입니다(실적이 그보다 앞에서 끝나면 실적이 있는 마지막 달). "
        "진행 중인 달은 그날까지의 실적으로 판정합니다.",
    )


def _default_month(today: date, latest: tuple[int, int] | None) -> tuple[int, int] | None:
    done = last_complete("month", today)
    complete = (done.start.year, done.start.month)
    return complete if latest is None or latest >= complete else latest


def _month_text(ym: tuple[int, int], ctx) -> str:
    note = running_note(period("month", *ym), ctx.now.date())
    return formats.month(ym) + (f" · {note}" if note else "")


def _caption(ctx, year: int, month: int, rules: kpi.Rules) -> None:
    st.caption(
        f"{_month_text((year, month), ctx)} 말 기준 · 사이드바의 조회 기간은 이 화면에 쓰지 않고, 부서 선택만 "
        f"적용합니다. 상태: 달성 ≥ {kpi.fmt_attainment(rules.achieved, rules)}, 주의 ≥ "
        f"{kpi.fmt_attainment(rules.warning, rules)}, 그 아래 미달(달성률을 {rules.precision:g}%p 단위로 반올림한 "
        f"값으로 판정) · 달성률 상한 {kpi.fmt_attainment(rules.cap, rules)} · 빈 달: {kpi.MISSING[rules.missing]}."
    )


def _answer(
    card: pd.DataFrame, before: pd.DataFrame, org: float | None, org_before: float | None, rules: kpi.Rules
) -> None:
    """The 30-second answer: how many KPIs are 달성/주의/미달, and the organisation's score, each against
    last month."""
    now, prev = card["status"].value_counts(), before["status"].value_counts()
    cols = st.columns(len(ANSWER) + 1)
    for col, status in zip(cols, ANSWER):
        n, p = int(now.get(status, 0)), int(prev.get(status, 0))
        headline(
            f"{status} KPI",
            formats.count(n, "개"),
            change=formats.count_change(n - p, "개") if len(before) else None,
            against="지난달 대비",
            lower_is_better=status != "달성",
            where=col,
            help=f"부서 KPI 중 '{status}' 상태인 지표 수(경영목표 제외). 지난달 같은 지표의 상태와 비교합니다.",
        )
    others = len(card) - sum(int(now.get(s, 0)) for s in ANSWER)
    if others:
        cols[0].caption(f"그 밖에 미입력·실적 없음·목표 없음 {others:,}개")
    status = kpi.status(org, rules) if org is not None else None
    headline(
        "기관 점수",
        formats.pct(org),
        where=cols[-1],
        change=formats.pp(org - org_before) if org is not None and org_before is not None else None,
        against="지난달 대비",
        target=f"목표 {formats.pct(rules.achieved)} · {status}" if status else None,
        status=status,
        help="부서 점수의 평균(부서마다 같은 비중). 부서 점수 = 그 부서 KPI 달성률의 가중 평균"
        "(가중치는 KPI 정의의 값; '미입력' KPI는 0%로 넣고, '목표 없음'·'실적 없음' KPI는 뺍니다).",
    )


def _off_track(off: pd.DataFrame, notes: pd.DataFrame, year: int, month: int) -> None:
    st.subheader("미달·주의 KPI")
    if off.empty:
        st.success("미달·주의 KPI가 없습니다.")
        return
    noted = off.merge(notes, how="left", on=["department", "indicator"])
    shown = pd.DataFrame(
        {
            "상태": noted["status"],
            "부서": noted["department"],
            "지표": noted["indicator"],
            "달성률": noted["attainment"].astype("float64"),
            "부족분": [_num(g, u) for g, u in zip(noted["gap"], noted["unit"])],
            "누계 실적": [_num(a, u) for a, u in zip(noted["actual"], noted["unit"])],
            "누계 목표": [_num(t, u) for t, u in zip(noted["target"], noted["unit"])],
            "언제부터": [
                f"{formats.month((year, int(m)))}부터 ({month - int(m) + 1}개월째)" for m in noted["since"]
            ],
            "부서 비고": [
                f"{int(m)}월: {n}" if isinstance(n, str) else ""
                for m, n in zip(noted["note_month"], noted["note"])
            ],
            "미입력 월": noted["missing_months"].fillna(""),
        }
    )
    st.caption(
        "달성률이 낮은 순. 부족분은 KPI 자체 단위로 목표까지 남은 양이고, '언제부터'는 그달부터 계속 달성 구간 밖에 "
        "있었다는 뜻입니다. 부서 비고는 그 KPI 월별 실적에 부서가 적은 가장 최근 비고입니다."
    )
    table(shown, "KPI 미달 주의 목록", key="kpi_off")


def _goals(goals: pd.DataFrame, before: pd.DataFrame, rules: kpi.Rules) -> None:
    st.subheader("경영목표")
    if goals.empty:
        st.info(
            "경영목표(부서 '전사') KPI가 없습니다. KPI 정의 시트에 부서를 '전사'로 적으면 이곳에 큰 카드로 나옵니다."
        )
        return
    prev = before.set_index("indicator")["attainment"].to_dict() if not before.empty else {}
    cols = st.columns(len(goals))
    for col, g in zip(cols, goals.to_dict("records")):
        with col.container(border=True):
            judged = g["attainment"] is not None and not pd.isna(g["attainment"])
            p = prev.get(g["indicator"])
            change = formats.pp(g["attainment"] - p) if judged and p is not None and not pd.isna(p) else None
            target = _num(g["target"], g["unit"]) + (" (누계)" if g["aggregation"] == "cumulative" else "")
            headline(
                md(g["indicator"]),
                md(_num(g["actual"], g["unit"])),
                change=change,
                against="달성률, 지난달 대비",
                target=f"목표 {md(target)} · {g['status']}"
                + (f" · 달성률 {kpi.fmt_attainment(g['attainment'], rules)}" if judged else ""),
                status=g["status"],
                lower_is_better=False,
                help=f"{md(g['core_task'] or '')} · {md(attainment_help(rules))}",
            )
            if g["missing_months"]:
                st.caption(f"미입력 월: {md(g['missing_months'])}")


def _num(v, unit) -> str:
    if v is None or pd.isna(v):
        return formats.MISSING
    return f"{v:,.0f}{unit or ''}" if float(v).is_integer() else f"{v:,.1f}{unit or ''}"


def _scores(scores: pd.DataFrame, org: float | None, rules: kpi.Rules) -> None:
    st.subheader("부서 점수")
    if scores.empty:
        st.info("실적이 있는 부서 KPI가 아직 없습니다.")
        return
    chart(data.figure(_scores_bar, scores, rules), kpi.to_display(scores), "KPI 부서 점수", key="kpi_scores")
    definition(
        "막대 색은 부서 점수를 KPI와 같은 기준으로 판정한 상태(달성·주의·미달)입니다. 점선 = 달성 기준. "
        f"기관 점수 {formats.pct(org)} = 부서 점수의 평균."
    )


def _scores_bar(scores: pd.DataFrame, rules: kpi.Rules):
    d = scores.sort_values("score", ascending=False, kind="stable")
    fig = category_bar(
        d,
        "department",
        "score",
        title="부서별 가중 달성률",
        labels={"department": "부서", "score": "점수"},
        color=[palette.STATUS[kpi.status(x, rules)] for x in d["score"]],
        text=[formats.pct(x) for x in d["score"]],
    )
    axis = "x" if fig._ccm_horizontal else "y"
    target_line(fig, rules.achieved, f"달성 기준 {formats.pct(rules.achieved)}", axis=axis)
    return from_zero(fig, rate=True, axis=axis, top=max(rules.cap, float(d["score"].max())) + 0.1)


def _scorecard(card: pd.DataFrame, rules: kpi.Rules) -> None:
    st.subheader("스코어카드 (부서 × 지표)")
    cell = card.assign(
        v=[
            (s if a is None or pd.isna(a) else f"{s} {kpi.fmt_attainment(a, rules)}") + (" *" if miss else "")
            for s, a, miss in zip(card["status"], card["attainment"], card["missing_months"])
        ]
    )
    pivot = cell.pivot_table(index="indicator", columns="department", values="v", aggfunc="first").fillna("")
    pivot = pivot.rename_axis(index="지표", columns="부서")
    styled = pivot.style.map(
        lambda v: f"background-color: {palette.STATUS_LIGHT.get(v.split(' ')[0], '')}" if v else ""
    )
    st.dataframe(styled, width="stretch")
    definition(
        md(attainment_help(rules)) + " 빈 칸은 그 부서의 KPI가 아닙니다. * = 실적이 입력되지 않은 달이 있음"
        f"(빈 달: {kpi.MISSING[rules.missing]}; 아래 '자세히'의 미입력 월)."
    )
    with st.expander("스코어카드 자세히 (누계 실적·목표·부족분·미입력 월)"):
        table(kpi.to_display(card), "KPI 스코어카드", key="kpi_card")


def _changes(changes: pd.DataFrame) -> None:
    st.subheader("지난달 대비 변화")
    if changes.empty:
        st.info("지난달과 상태·달성률이 달라진 KPI가 없습니다.")
        return
    worse = int((changes["delta"] < 0).sum())
    st.caption(
        f"상태가 바뀌었거나 달성률이 0.5%p 이상 움직인 KPI {len(changes)}개(나빠진 것 {worse}개). "
        "달성률 변화는 %p(퍼센트포인트)입니다. 1월은 전년 12월과 비교합니다."
    )
    table(kpi.to_display(changes), "KPI 지난달 대비", key="kpi_changes")


def _trend(card: pd.DataFrame, year: int, month: int, rules) -> None:
    st.subheader("KPI 추이 (목표 경로 대비)")
    worst_first = card.sort_values("attainment", na_position="last", kind="stable")
    rows = {(r["department"], r["indicator"]): r for r in worst_first.to_dict("records")}
    pick = rows[
        st.selectbox("지표", list(rows), format_func=lambda k: f"{k[0]} · {k[1]}", key="kpi_trend_pick")
    ]
    t = data.run(kpi.trend, year, month, pick["department"], pick["indicator"], rules)
    if t.empty:
        st.info("이 지표의 추이가 없습니다.")
        return
    shown = t.drop(columns=["auto_value", "manual_value"]).rename(
        columns={
            "month": "월",
            "value": "월 실적",
            "origin": "출처",
            "note": "비고",
            "ytd_actual": "집계 실적",
            "ytd_target": "목표 경로",
            "attainment": "달성률",
        }
    )
    shown["비고"] = shown["비고"].astype("object").where(shown["비고"].notna(), "")
    title = (
        f"{pick['department']} · {pick['indicator']} ({kpi.AGGREGATIONS[pick['aggregation']]}, "
        f"{kpi.DIRECTIONS[pick['direction']]})"
    )
    chart(
        data.figure(_trend_figure, t, pick["unit"] or "", pick["aggregation"], title),
        shown,
        f"KPI 추이 {pick['indicator']}",
        key="kpi_trend",
    )
    definition(
        "출처: 수기 = 통합 문서 실적, 자동 = 저장된 데이터에서 계산, 수기(자동 대체) = 같은 달 자동 값을 수기 실적이 대신함, "
        "누락 = 실적이 입력되지 않은 달(미입력 월, 0으로 보지 않음). 점선 = 목표 경로."
    )


def _trend_figure(t: pd.DataFrame, unit: str, aggregation: str, title: str):
    fig = go.Figure()
    fig.add_bar(
        x=t["month"], y=t["value"], name=f"월 실적({unit})", marker_color=palette.NEUTRAL, opacity=0.45
    )
    fig.add_scatter(
        x=t["month"],
        y=t["ytd_actual"],
        name="누계 실적" if aggregation == "cumulative" else "집계 실적",
        mode="lines+markers",
        line=dict(color=palette.NEUTRAL, width=3),
    )
    fig.add_scatter(
        x=t["month"],
        y=t["ytd_target"],
        name="목표 경로",
        mode="lines",
        line=dict(dash="dash", color=palette.TARGET),
    )
    fig.update_layout(
        xaxis=dict(title="월", dtick=1, ticksuffix="월"),
        yaxis_title=unit,
        height=340,
        title=title,
        legend=dict(orientation="h", y=-0.2),
    )
    return from_zero(fig)


def _drilldown(ctx, card: pd.DataFrame, year: int, month: int, rules) -> None:
    st.subheader("자동 실적의 근거")
    auto = {(r["department"], r["indicator"]): r for r in card[card["source"].notna()].to_dict("records")}
    if not auto:
        st.info("자동 실적 원천이 있는 KPI가 없습니다.")
        return
    c1, c2 = st.columns([3, 1])
    pick = auto[
        c1.selectbox(
            "자동 실적 KPI",
            list(auto),
            key="kpi_auto_pick",
            format_func=lambda k: f"{k[0]} · {k[1]} ({kpi.source_label(auto[k]['source'])})",
        )
    ]
    m = c2.selectbox("월", list(range(month, 0, -1)), format_func=lambda i: f"{i}월", key="kpi_auto_month")
    sources = ctx.settings.kpi.sources
    definition(
        f"원천: {md(kpi.source_label(pick['source']))} — {md(sources.get(pick['source'].split(':')[0], ''))}"
    )
    mine = data.run(kpi.trend, year, month, pick["department"], pick["indicator"], rules)
    shown = mine[["month", "auto_value", "manual_value", "value", "origin"]].round(2)
    shown = shown.assign(note=mine["note"].astype("object").where(mine["note"].notna(), ""))
    show(
        shown.rename(
            columns={
                "month": "월",
                "auto_value": "자동 값",
                "manual_value": "수기 값",
                "value": "사용한 값",
                "origin": "출처",
                "note": "비고",
            }
        )
    )
    detail = data.run(
        kpi.auto_detail, pick["source"], year, m, pick["department"], ctx.user.can_see_texts, rules
    )
    if detail.empty:
        st.info(f"{year}년 {m}월에는 이 원천의 데이터가 없습니다(자동 실적 없음).")
        return
    c = kpi.detail_compliance(detail)
    if c is not None:
        st.caption(
            f"{m}월 접수 {formats.count(c.received)} · 처리 완료 {formats.count(c.decided)} · 기한 내 "
            f"{formats.count(c.met)}"
            + (f" → 준수율 {formats.pct(c.rate)}" if c.rate is not None else "")
            + " (기한을 넘긴 건이 먼저 나옵니다)"
        )
    if not ctx.user.can_see_texts and pick["source"].partition(":")[0] in ("voc_compliance", "voc_count"):
        st.caption("열람 권한에서는 건별 목록 대신 유형별 집계만 보입니다.")
    table(detail, f"KPI 자동실적 근거 {pick['indicator']} {m}월", key="kpi_auto_detail")


def _download(year, month, rules, goals, card, off, changes, scores, org) -> None:
    title = f"KPI 월간 검토 — {year}년 {month}월"
    st.download_button(
        "KPI 검토 자료 Excel",  # built when clicked, not on every rerun
        lambda: review_workbook(title, goals, card, off, changes, scores, org, rules.cap, rules),
        f"KPI_검토_{year}_{month:02d}.xlsx",
        XLSX,
        key="kpi_review_xlsx",
        icon=":material/download:",
        on_click="ignore",
        width="stretch",
        help="요약(상태별 개수·경영목표), 스코어카드, 미달·주의, 지난달 대비, 부서 점수 — A4 인쇄용",
    )


main()
