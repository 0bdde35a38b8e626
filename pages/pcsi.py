"""고객만족도(PCSI): overall index and areas vs target and peers, YoY test, groups with 95% intervals,
items and importance–performance analysis, open comments."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ccm import formats, kpi, meeting, palette, pcsi
from ccm.safe_text import md, md_join
from ui import data
from ui.bootstrap import setup
from ui.components import chart, definition, downloads, empty_state, headline, table, target_line

DEF_INDEX = (
    "종합지수 = Σ 영역 가중치 × 영역 점수. 영역 점수 = 응답자별 영역 평균(문항 점수를 100점으로 환산: "
    "7점 (x−1)/6×100, 5점 (x−1)/4×100, 11점 x×10, 역문항은 뒤집음)의 {mean}. "
    "모름·무응답 코드와 척도 밖 값은 점수에 넣지 않습니다."
)
DEF_CI = (
    "95% 구간 = 점수 ± 1.96 × 표준오차. 표준오차는 {se}. "
    "응답자가 최소 표본 수보다 적은 집단은 '표본 부족'으로 표시합니다(설정 [pcsi] min_n)."
)
DEF_IPA = (
    "중요도 = 문항 점수와 응답자의 전반적만족 영역 점수의 {corr}. 사분면은 문항들의 중요도 평균과 "
    "만족도 평균으로 나눕니다. '중점개선(우선 개선)' = 중요도는 높은데 만족도가 낮은 문항."
)
WEIGHTED = {
    True: {
        "mean": "가중 평균(응답자 가중치)",
        "corr": "가중 상관계수(피어슨, 응답자 가중치)",
        "se": "가중 종합지수의 설계 기반(선형화) 분산에서 구합니다 — 가중치가 모두 같고 모든 영역에 응답했다면 "
        "s ÷ √n (s: 응답자별 종합점수의 표준편차, n: 응답자 수)과 같습니다",
        "note": "이 설문에는 가중치 열이 있어 종합지수·영역·문항 점수, 전년 대비 검정, 95% 구간, 중요도를 "
        "모두 응답자 가중치로 계산합니다(가중).",
    },
    False: {
        "mean": "평균(가중치 열 없음: 가중하지 않음)",
        "corr": "상관계수(피어슨)",
        "se": "종합지수의 선형화 분산에서 구합니다 — 모든 영역에 응답했다면 s ÷ √n (s: 응답자별 종합점수의 "
        "표준편차, n: 응답자 수)",
        "note": "이 설문에는 가중치 열이 없어 모든 통계를 가중하지 않고 계산합니다.",
    },
}


def _def(template: str, weighted: bool) -> str:
    return template.format(**WEIGHTED[bool(weighted)])


SCORE_AXIS = "점수 축은 영역·집단 사이의 차이가 보이도록 0점이 아닌 곳에서 시작합니다(100점 만점)."
GROUPS = {"facility": "시설별", "department": "부서별", "customer_type": "고객유형별"}


def main() -> None:
    ctx = setup("고객만족도(PCSI)")
    st.title("고객만족도(PCSI)")
    if not data.run(pcsi.has_data):
        empty_state(
            "아직 적재된 고객만족도 설문이 없습니다. '데이터 올리기' 화면의 '고객만족도 설문' 탭에서 조사기관 "
            "원자료(응답자 1행) 파일을 올리거나 `python -m etl survey 파일.xlsx` 로 적재하세요."
        )
        return
    survey, year = _pick_survey_and_year(ctx)
    opts = pcsi.options_from(ctx.settings)
    flt = _filters(ctx, survey, year)
    result = data.run(pcsi.summary, year, survey, flt, opts)
    if result["index"] is None:
        empty_state(
            "선택한 설문·연도·필터에 해당하는 응답이 없습니다. 필터를 넓혀 보세요.", upload_hint=False
        )
        return
    st.caption(WEIGHTED[bool(result["weighted"])]["note"])
    _headline(ctx, year, result)
    _areas(ctx, survey, year, result["areas"])
    _trend(survey, flt, opts, ctx.settings.pcsi.target)
    _groups(ctx, survey, year, result["groups"], opts, result["weighted"])
    _items(survey, year, result["items"], result["weighted"])
    _comments(ctx, survey, year, flt)
    _problems(survey, year)
    _respondent_download(ctx, survey, year, flt, opts)


def _pick_survey_and_year(ctx) -> tuple[str, int]:
    surveys = data.run(pcsi.surveys)
    c1, c2 = st.columns(2)
    survey = c1.selectbox("설문", surveys, key="pcsi_survey")
    years = sorted(data.run(pcsi.years, survey), reverse=True)
    wanted = (ctx.scope.end - pd.Timedelta(days=1)).year
    year = c2.selectbox(
        "조사 연도", years, index=years.index(wanted) if wanted in years else 0, key="pcsi_year"
    )
    st.caption(
        "설문은 연 단위로 집계합니다: 사이드바 조회 기간의 연도가 기본값이고, 부서 선택은 그 부서 시설의 응답만 남깁니다."
    )
    return survey, int(year)


def _filters(ctx, survey: str, year: int) -> pcsi.Filter:
    facilities = None
    if ctx.scope.departments is not None:
        depts = set(ctx.scope.departments)
        facilities = tuple(sorted(f for f, d in ctx.settings.facilities.items() if d in depts))
        st.caption(f"부서 필터 적용: {md_join(sorted(depts)) or '없음'}의 시설 응답만 집계합니다.")
    options = data.run(pcsi.demographic_values, year, survey)
    chosen: list[tuple[str, tuple[str, ...]]] = []
    if options:
        with st.expander("응답자 특성으로 거르기 (성별·연령대·거주지 등)"):
            cols = st.columns(min(4, len(options)))
            for i, (attr, values) in enumerate(options.items()):
                picked = cols[i % len(cols)].multiselect(
                    attr, values, key=f"pcsi_demo_{attr}", placeholder="전체"
                )
                if picked:
                    chosen.append((attr, tuple(picked)))
    return pcsi.Filter(tuple(chosen), facilities)


def _headline(ctx, year: int, result: dict) -> None:
    index, y = result["index"], result["yoy"]
    target = ctx.settings.pcsi.target
    peer = pcsi.peer_average(ctx.settings, year)
    status = meeting.status("higher", index, target, kpi.rules_from(ctx.settings))
    c1, c2, c3, c4 = st.columns(4)
    headline(
        f"{year}년 종합지수",
        formats.score(index),
        where=c1,
        against="전년 대비",
        change=formats.score_change(y["diff"]) if y["diff"] is not None else None,
        target=f"목표 {formats.score(target)} · {status} ({formats.score_change(index - target)})",
        status=status,
        help=_def(DEF_INDEX, result["weighted"]),
    )
    c2.metric("목표", formats.score(target), help="경영목표 '고객만족도 90점 달성' (설정 [pcsi] target).")
    if peer:
        headline(
            f"{peer[2]} 평균 ({peer[1]}년)",
            formats.score(peer[0]),
            change=formats.score_change(index - peer[0]),
            against="우리 − 비교 집단",
            where=c3,
            help="비교 집단 평균(설정 [pcsi.peer_average]); 그 해 값이 없으면 가장 가까운 이전 연도 값.",
        )
    else:
        c3.metric("비교 집단 평균", formats.MISSING, help="설정 [pcsi.peer_average]에 값이 없습니다.")
    if y["diff"] is None:
        c4.metric("전년 대비", formats.MISSING, help=f"{year - 1}년 자료가 없습니다.")
    else:
        sig = "유의함" if y["p"] is not None and y["p"] < 0.05 else "유의하지 않음"
        headline(
            "전년 대비",
            formats.score_change(y["diff"]),
            where=c4,
            neutral=True,
            change=f"p = {y['p']:.3f} ({sig})" if y["p"] is not None else None,
            against="차이 검정",
            help=f"{y['test']}. 올해 n={y['n']:,}, 전년 n={y['prev_n']:,}"
            + (f" (유효 표본 수 {y['n_eff']:,.1f} / {y['prev_n_eff']:,.1f})." if y["weighted"] else "."),
        )
        if y["p"] is not None:
            definition(
                f"전년({y['prev_year']}년 {formats.score(y['prev_index'])}) 대비 {formats.score_change(y['diff'])} — "
                f"{y['test']}: t = {y['t']:.2f}, 자유도 {y['df']:.0f}, p = {y['p']:.4f} → 5% 수준에서 {sig}."
            )
    definition(_def(DEF_INDEX, result["weighted"]))


def _areas(ctx, survey: str, year: int, df: pd.DataFrame) -> None:
    st.subheader("영역별 점수")
    target = ctx.settings.pcsi.target
    fig = data.figure(_areas_bar, df, target, pcsi.peer_average(ctx.settings, year))
    out = df.rename(columns={"area": "영역", "score": "점수", "n": "응답자 수", "weight": "가중치"})
    chart(fig, out.round({"점수": 1}), f"{survey}_{year}_영역별점수", key="pcsi_areas")
    definition(f"막대 색: 목표 이상 = 달성 색. 점선 = 목표, 점 줄 = 비교 집단 평균. {SCORE_AXIS}")


def _areas_bar(df: pd.DataFrame, target: float, peer: tuple | None):
    colours = [palette.STATUS["달성"] if s >= target else palette.NEUTRAL for s in df["score"]]
    fig = go.Figure(
        go.Bar(
            x=df["area"],
            y=df["score"],
            text=[formats.score(s, "") for s in df["score"]],
            textposition="outside",
            name="영역 점수",
            marker_color=colours,
            cliponaxis=False,
        )
    )
    target_line(fig, target, f"목표 {formats.score(target)}")
    if peer:
        fig.add_hline(
            y=peer[0],
            line_dash="dot",
            line_color=palette.PEER,
            annotation_position="bottom right",
            annotation_text=f"{peer[2]} {formats.score(peer[0])}",
            annotation_font_color=palette.PEER,
        )
    fig.update_yaxes(range=[max(0, float(df["score"].min()) - 15), 100], title="점수(100점)")
    fig.update_layout(title="영역별 점수와 목표")
    return fig


def _trend(survey, flt, opts, target: float) -> None:
    df = data.run(pcsi.trend, survey, flt, opts)
    if df["year"].nunique() < 2:
        return
    st.subheader("연도별 추이")
    out = df.rename(
        columns={"year": "연도", "area": "영역", "score": "점수", "n": "응답자 수", "weight": "가중치"}
    )
    chart(
        data.figure(_trend_lines, df, target),
        out.round({"점수": 1}),
        f"{survey}_연도별추이",
        key="pcsi_trend",
    )
    definition(f"굵은 선 = 종합지수, 점선 = 목표. {SCORE_AXIS}")


def _trend_lines(df: pd.DataFrame, target: float):
    fig = go.Figure()
    others = iter(palette.OTHER * 2)
    for area, part in df.groupby("area", sort=False):
        index = area == "종합지수"
        fig.add_trace(
            go.Scatter(
                x=part["year"],
                y=part["score"],
                mode="lines+markers",
                name=area,
                line=dict(width=4 if index else 2, color=palette.NEUTRAL if index else next(others)),
            )
        )
    target_line(fig, target, f"목표 {formats.score(target)}")
    fig.update_xaxes(dtick=1, title="연도")
    fig.update_yaxes(title="점수(100점)")
    fig.update_layout(title="연도별 종합지수와 영역 점수")
    return fig


def _group_frame(df: pd.DataFrame, label: str, min_n: int, weighted: bool = False) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            label: df["group"],
            "응답자 수": df["n"],
            "점수": df["score"].round(1),
            "95% 하한": df["ci_low"].round(1),
            "95% 상한": df["ci_high"].round(1),
            "비고": df["below_min_n"].map({True: f"표본 부족(n<{min_n})", False: ""}),
        }
    )
    if weighted:
        out.insert(2, "유효 표본 수(가중)", df["n_eff"].round(1))
    return out


def _groups(ctx, survey: str, year: int, groups: dict[str, pd.DataFrame], opts, weighted: bool) -> None:
    st.subheader("집단별 점수와 95% 구간")
    labels = {by: GROUPS.get(by, f"{by}별") for by in groups}
    tabs = st.tabs(list(labels.values()))
    for tab, (by, label) in zip(tabs, labels.items()):
        with tab:
            df = groups[by].sort_values("score", ascending=False, na_position="last")
            if df.empty or df["group"].eq("(미기재)").all():
                st.caption("이 설문에는 이 구분의 자료가 없습니다.")
                continue
            name = label.removesuffix("별")
            out = _group_frame(df, name, opts.min_n, weighted)
            fig = data.figure(_group_bar, df, ctx.settings.pcsi.target)
            chart(fig, out, f"{survey}_{year}_{name}별점수", key=f"pcsi_group_{by}")
    definition(_def(DEF_CI, weighted) + f" 회색 막대 = 표본 부족. 점선 = 목표. {SCORE_AXIS}")


def _group_bar(df: pd.DataFrame, target: float):
    """Groups best first with their 95% intervals; horizontal when the names are long or many."""
    colors = [palette.PREVIOUS if b else palette.NEUTRAL for b in df["below_min_n"]]
    names = df["group"].astype(str)
    horizontal = len(df) > 8 or (names.str.len().max() if len(df) else 0) > 6
    error = dict(
        type="data", symmetric=False, array=df["ci_high"] - df["score"], arrayminus=df["score"] - df["ci_low"]
    )
    bar = (
        dict(x=df["score"], y=names, orientation="h", error_x=error)
        if horizontal
        else dict(x=names, y=df["score"], error_y=error)
    )
    fig = go.Figure(go.Bar(marker_color=colors, name="점수", hovertext=[f"n={n}" for n in df["n"]], **bar))
    axis = "x" if horizontal else "y"
    target_line(fig, target, f"목표 {formats.score(target)}", axis=axis)
    low = [max(0, float(df["ci_low"].min(skipna=True) or 0) - 5), 100]
    if horizontal:
        fig.update_xaxes(range=low, title="점수(100점)")
        fig.update_yaxes(autorange="reversed")
        fig.update_layout(height=max(300, 60 + 32 * len(df)))
    else:
        fig.update_yaxes(range=low, title="점수(100점)")
    fig.update_layout(title="집단별 점수와 95% 구간")
    return fig


def _items(survey: str, year: int, df: pd.DataFrame, weighted: bool) -> None:
    st.subheader("문항별 점수와 중요도-만족도 분석(IPA)")
    fix = pcsi.fix_first(df)
    if len(fix):
        st.warning(
            "우선 개선할 문항(중요도 높음·만족도 낮음): "
            + ", ".join(f"{md(r.item)} {md(r.label)} ({r.score:.1f}점)" for r in fix.itertuples()),
            icon=":material/priority_high:",
        )
    ipa = df.dropna(subset=["importance", "score"])
    out = df.rename(
        columns={
            "item": "문항",
            "area": "영역",
            "label": "문항 내용",
            "reverse": "역문항",
            "n": "유효 응답",
            "score": "만족도(점수)",
            "missing": "결측",
            "invalid": "척도 밖",
            "importance": "중요도(상관)",
            "quadrant": "사분면",
        }
    ).round({"만족도(점수)": 1, "중요도(상관)": 3})
    if len(ipa) >= 2:
        chart(data.figure(_ipa_scatter, ipa), out, f"{survey}_{year}_문항별_IPA", key="pcsi_ipa")
    else:
        table(out, f"{survey}_{year}_문항별", key="pcsi_items")
    definition(_def(DEF_IPA, weighted))


def _ipa_scatter(ipa: pd.DataFrame):
    fig = go.Figure()
    for quadrant, part in ipa.groupby("quadrant", sort=False):
        fig.add_trace(
            go.Scatter(
                x=part["importance"],
                y=part["score"],
                mode="markers+text",
                text=part["item"],
                name=quadrant,
                textposition="top center",
                hovertext=part["label"],
                marker=dict(size=12, color=palette.QUADRANT.get(quadrant, palette.PREVIOUS)),
            )
        )
    fig.add_vline(x=float(ipa["importance"].mean()), line_dash="dot")
    fig.add_hline(y=float(ipa["score"].mean()), line_dash="dot")
    fig.update_layout(title="중요도-만족도 분석 (점선 = 평균)")
    fig.update_xaxes(title="중요도 (전반적만족과의 상관)")
    fig.update_yaxes(title="만족도 (100점)")
    return fig


def _comments(ctx, survey, year, flt) -> None:
    st.subheader("자유 의견")
    if not ctx.user.can_see_texts:
        st.caption("자유 의견 원문은 열람 권한에서는 볼 수 없습니다(집계만 제공).")
        return
    q = st.text_input("의견 검색", key="pcsi_comment_q", placeholder="예: 주차, 친절, 화장실")
    df = data.run(pcsi.comments, year, survey, q.strip(), flt)
    st.caption(f"{len(df):,}건 (연락처 등 개인정보는 적재할 때 가렸습니다)")
    if df.empty:
        st.info("해당하는 의견이 없습니다.")
        return
    out = df.rename(
        columns={"facility": "시설", "customer_type": "고객유형", "question": "문항", "text": "의견"}
    )
    table(out, f"{survey}_{year}_자유의견", key="pcsi_comments")


def _problems(survey, year) -> None:
    df = data.run(pcsi.answer_problems, year, survey)
    if df.empty:
        return
    with st.expander(
        f"결측·척도 밖 응답 ({int(df['missing'].sum()):,} / {int(df['invalid'].sum()):,}개) — 점수에서 제외됨"
    ):
        out = df.rename(
            columns={
                "item": "문항",
                "missing": "결측(빈칸·모름/무응답 코드)",
                "invalid": "척도 밖",
                "invalid_rows": "척도 밖 값(파일 행=값)",
            }
        )
        table(out, f"{survey}_{year}_결측_척도밖", key="pcsi_problems")


def _respondent_download(ctx, survey, year, flt, opts) -> None:
    if not ctx.user.can_see_texts:
        return
    df = data.run(pcsi.respondents, year, survey, flt, opts)
    with st.expander(f"응답자별 점수 내려받기 ({len(df):,}명, 이름·연락처 없음)"):
        st.caption(
            "응답자 1행: 시설·부서·고객유형·가중치, 영역별 점수, 종합점수(영역 가중, 응답한 영역 기준)."
        )
        out = (
            df.drop(columns=["batch_id"])
            .rename(
                columns={
                    "resp_no": "파일 행",
                    "facility": "시설",
                    "department": "부서",
                    "customer_type": "고객유형",
                    "weight": "가중치",
                    "overall": "종합점수",
                }
            )
            .round(1)
        )
        downloads(out, f"{survey}_{year}_응답자별점수", key="pcsi_respondents")


main()
