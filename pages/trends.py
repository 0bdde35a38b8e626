"""유형별 추이: monthly counts, last year, seasonality, spikes, keywords and topics, prevention matrix,
recurrence and FAQ candidates. All figures come from ccm.voc_analytics."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from ccm import audit, settings_edit, text
from ccm import voc_analytics as va
from ccm.db import DatabaseBusy
from ccm.safe_text import md
from ccm.settings import os_reason, settings_path
from ui import actions as ui_actions
from ui import data, voc_pages
from ui.bootstrap import Context, setup
from ui.components import chart, definition, pct, table

EDITORS = ("관리자", "분석")  # the CCM team: may edit boilerplate entries and accept candidate topics

LABELS = {
    "month": "월",
    "items": "건수",
    "voc_type": "유형",
    "department": "부서",
    "channel": "채널",
    "facility": "시설",
    "last_year": "전년 동월",
    "change": "증감",
    "change_rate": "증감률",
    "year": "연도",
    "share_of_year": "연간 비중",
    "baseline": "과거 평균",
    "sd": "표준편차",
    "jump": "증가 건수",
    "ratio": "배수",
    "z": "표준점수",
    "keyword": "키워드",
    "previous": "직전 기간",
    "growth": "증가 배율",
    "topic": "주제",
    "share": "비중",
    "frequency": "발생빈도(건)",
    "severity": "경중도",
    "score": "빈도×경중도",
    "quadrant": "구분",
    "candidate": "개선 후보",
    "recurrences": "재발 건수",
    "rate": "재발률",
    "last_handled_before": "최근 재발 직전 처리완료",
    "last_recurrence": "최근 재발 접수",
    "facilities": "시설",
    "examples": "질문 예시",
    "voc_id": "접수번호",
    "received_at": "접수일시",
    "status": "처리상태",
    "title": "제목",
    "content": "내용",
    "words": "정의할 말",
    "fragment": "상용구",
    "source": "찾은 곳",
    "texts": "나온 글 수",
    "total": "살펴본 글 수",
    "state": "처리",
}


def ko(df: pd.DataFrame) -> pd.DataFrame:
    return voc_pages.tidy(df).rename(columns=LABELS)


def counts(ctx: Context) -> None:
    dim = (
        st.segmented_control(
            "구분", list(va.DIMENSIONS)[:-1], format_func=va.DIMENSIONS.get, default="voc_type", key="tr_dim"
        )
        or "voc_type"
    )
    window = ctx.scope.trailing()
    df = voc_pages.tidy(data.run(va.monthly_counts, window, dim))
    fig = data.figure(
        _monthly_bar, df, "items", dim, LABELS, f"월별 {va.DIMENSIONS[dim]}별 접수 건수 ({window.label})"
    )
    chart(fig, ko(df), f"월별_{va.DIMENSIONS[dim]}별_건수", key=f"tr_counts_{dim}")
    yoy = voc_pages.tidy(data.run(va.year_over_year, window))
    long = yoy.melt(id_vars="month", value_vars=["items", "last_year"], var_name="which", value_name="n")
    long["which"] = long["which"].map({"items": "올해", "last_year": "전년 동월"})
    fig = data.figure(
        _monthly_bar,
        long,
        "n",
        "which",
        {"month": "월", "n": "건수", "which": ""},
        f"전년 동월 대비 접수 건수 ({window.label})",
        barmode="group",
    )
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
    fig = px.line(
        season,
        x="month",
        y="items",
        color="year",
        markers=True,
        labels=LABELS,
        title="계절성: 연도별 월간 접수 건수 (데이터 전체 기간, 부서 필터 적용)",
    )
    fig.update_xaxes(dtick=1)
    return fig


def spikes(ctx: Context) -> None:
    cfg = ctx.settings.trends.spikes
    definition(
        f"급증 판정: 시설×유형별 월 접수 건수를 그 시설·유형의 직전 {cfg.history_months}개월(건이 없던 달은 0건)과 "
        f"비교합니다. 과거가 {cfg.min_history}개월 이상이고, 건수가 과거 평균 + {cfg.z:g} × 표준편차"
        f"(최소 1) 이상이며, 평균보다 {cfg.min_excess:g}건 이상 많으면 급증으로 표시합니다. "
        "'증가 건수' = 건수 − 과거 평균, '배수' = 건수 ÷ 과거 평균. (설정 trends.spikes)"
    )
    df = voc_pages.tidy(data.run(va.spikes, ctx.scope, ctx.settings))
    if df.empty:
        st.success("조회 기간에 급증한 시설×유형이 없습니다.", icon=":material/check_circle:")
        return
    df = df.assign(label=df["facility"] + " · " + df["voc_type"] + " (" + df["month"] + ")")
    chart(data.figure(_spikes_bar, df), ko(df.drop(columns="label")), "급증_시설유형", key="tr_spikes")


def _spikes_bar(df: pd.DataFrame):
    fig = px.bar(
        df,
        x="label",
        y=["baseline", "jump"],
        labels={"label": "시설 · 유형", "value": "건수", "variable": ""},
        title="급증한 시설×유형 (과거 평균 + 증가 건수)",
        hover_data=["month", "ratio"],
    )
    fig.for_each_trace(lambda t: t.update(name={"baseline": "과거 평균", "jump": "증가 건수"}[t.name]))
    return fig


def item_list(ctx: Context, frame: pd.DataFrame, name: str, key: str) -> None:
    if not ctx.user.can_see_texts:
        st.caption("열람 권한에서는 제목·내용을 보여 주지 않습니다.")
    if frame.empty:
        st.info("해당하는 건이 없습니다.")
        return
    table(ko(frame), name, key=key)


def _can_edit(ctx: Context) -> bool:
    return ctx.user.role in EDITORS


def _show_flash() -> None:
    message = st.session_state.pop("tr_flash", None)
    if message:
        st.success(md(message), icon=":material/check_circle:")


def _not_analysed(ctx: Context, cov: dict, what: str) -> bool:
    """Say so (True) when none of the scope's items has been analysed yet: an analysis is running, or
    none has run since they were loaded. Items analysed only in part get a note and False."""
    running = text.running(data.db_path())
    waiting = cov["items"] - cov["analysed"]
    if running and waiting:
        done, total = running.get("done", 0), running.get("total", 0)
        progress = f" ({done:,}/{total:,}건)" if total else ""
        st.info(
            f"키워드·주제를 분석하는 중입니다{progress}. 끝나면 {what}이(가) 여기에 나타납니다.",
            icon=":material/hourglass_top:",
        )
        return cov["analysed"] == 0
    if cov["analysed"] == 0:
        st.info(
            f"조회 기간의 VOC {cov['items']:,}건은 아직 키워드·주제 분석 전입니다. 분석은 VOC를 적재할 때 하며, "
            "적재가 분석 전에 멈췄다면 아래 '지금 분석'으로 할 수 있습니다.",
            icon=":material/info:",
        )
        _analyse_button(ctx, "tr_analyse_" + what)
        return True
    if waiting > 0:
        st.caption(f"조회 기간 VOC {cov['items']:,}건 중 {waiting:,}건은 아직 분석 전이라 빠져 있습니다.")
    return False


def _analyse_button(ctx: Context, key: str) -> None:
    if not _can_edit(ctx):
        st.caption("분석은 관리자·분석 권한이 할 수 있습니다.")
        return
    if st.button("지금 분석", key=key, icon=":material/play_arrow:"):
        if _reanalyse(ctx.settings):
            st.session_state["tr_flash"] = "키워드·주제 분석을 마쳤습니다."
            st.rerun()


def _reanalyse(settings) -> bool:
    """Enrich now (new settings or items left unanalysed), with a progress bar; False on a busy database."""
    bar = st.progress(0.0, "키워드·주제 분석 중…")
    try:
        text.enrich_path(
            data.db_path(),
            settings,
            lambda d, n: bar.progress(min(d / max(n, 1), 1.0), f"키워드·주제 분석 중… {d:,}/{n:,}건"),
        )
    except DatabaseBusy as exc:
        st.error(f"{md(exc)} 잠시 뒤 다시 누르세요.", icon=":material/error:")
        return False
    finally:
        bar.empty()
    return True


def _save_text_settings(ctx: Context, new_text: str, detail: str, done: str) -> None:
    """Save an edit of [text] (checked like the settings editor), audit it, analyse again at once."""
    _, errors = settings_edit.check_text(new_text)
    if errors:
        st.error(
            "설정을 저장할 수 없습니다:\n\n" + "\n".join(f"- {md(e)}" for e in errors),
            icon=":material/error:",
        )
        return
    try:
        with data.connection() as con:
            settings_edit.save(settings_path(), new_text)
            audit.record(con, ctx.user.username, "settings", detail)
    except DatabaseBusy as exc:
        st.error(f"{md(exc)} 설정은 저장하지 않았습니다.", icon=":material/error:")
        return
    except OSError as exc:
        st.error(
            f"설정 파일을 저장할 수 없습니다({md(os_reason(exc))}): {md(settings_path())}",
            icon=":material/error:",
        )
        return
    if _reanalyse(data.settings()):
        st.session_state["tr_flash"] = done
    else:
        st.session_state["tr_flash"] = f"{done} (분석은 다음 적재 때 다시 합니다)"
    st.rerun()


def keywords(ctx: Context) -> None:
    definition(
        "키워드 = 제목·내용의 명사(형태소 분석 kiwipiepy, 조사·어미는 떼고 복합명사는 붙여서; 한글이 없는 글은 영어 낱말). "
        "적재할 때 계산하며 상용구('상용구' 탭)는 빼고 봅니다. 건수는 그 말이 나온 VOC 건수이며 불용어(설정 "
        "text.stop_words)는 뺍니다. 직전 기간 = 같은 길이의 바로 앞 기간."
    )
    cov = data.run(va.text_coverage, ctx.scope)
    if _not_analysed(ctx, cov, "키워드"):
        return
    changes = data.run(va.keyword_changes, ctx.scope, ctx.settings)
    top = va.top_of(changes, 30)
    if top.empty:
        st.info(
            f"분석한 VOC {cov['analysed']:,}건에서 키워드가 나오지 않았습니다. 제목·내용이 비었거나 불용어·상용구뿐입니다.",
            icon=":material/info:",
        )
        return
    fig = data.figure(
        _hbar, top.head(20).iloc[::-1], "items", "keyword", LABELS, "많이 나온 키워드 (상위 20)"
    )
    chart(fig, ko(top), "상위_키워드", key="tr_top_kw")
    rising = va.rising_of(changes, ctx.settings, 20)
    st.markdown("**급상승 키워드**")
    definition(
        f"이번 기간 {ctx.settings.trends.rising_min_items}건 이상이고 직전 기간보다 늘어난 "
        "키워드를 증가 배율((이번+1)÷(직전+1)) 순으로 보여 줍니다."
    )
    if rising.empty:
        st.info("급상승 키워드가 없습니다.")
    else:
        table(ko(rising), "급상승_키워드", key="tr_rising_kw")
    kw = st.selectbox(
        "키워드를 고르면 해당 VOC를 보여 줍니다",
        top["keyword"].tolist(),
        index=None,
        key="tr_kw_pick",
        placeholder="키워드 선택",
    )
    if kw:
        item_list(
            ctx,
            data.run(va.items_with_keyword, ctx.scope, kw, ctx.user.can_see_texts),
            f"키워드_{kw}",
            "tr_kw_items",
        )


def _other_line(cov: dict) -> str:
    return (
        f"기타(어느 주제에도 맞지 않음) 비중: {pct(cov['other_share'])} — 분석한 VOC {cov['analysed']:,}건 중 "
        f"{cov['other']:,}건"
    )


def topics(ctx: Context) -> None:
    definition(
        "주제 = 설정의 주제 사전(text.topics)에 있는 말이 제목·내용에 낱말 그대로 나오면 그 주제로 분류합니다(낱말의 "
        "일부는 맞지 않음, 여러 주제 가능, 어느 것에도 해당하지 않으면 '기타'). 사전을 고치면 모든 건을 다시 분류합니다."
    )
    cov = data.run(va.text_coverage, ctx.scope)
    if _not_analysed(ctx, cov, "주제"):
        return
    st.markdown(f"**{_other_line(cov)}**")
    if cov["topical"] == 0:
        st.info(
            f"주제가 분류된 건이 없습니다 (기타 {cov['other']:,}건). 아래 '기타 안의 주제 후보'에서 주제를 더하거나 "
            "설정의 주제 사전을 고치세요.",
            icon=":material/info:",
        )
    else:
        _topic_figures(ctx)
    candidates(ctx)


def _topic_figures(ctx: Context) -> None:
    df = data.run(va.topic_counts, ctx.scope)
    fig = data.figure(
        px.bar, df, x="topic", y="items", labels=LABELS, title="주제별 VOC 건수", hover_data=["share"]
    )
    chart(fig, ko(df), "주제별_건수", key="tr_topics")
    facilities = ["전체"] + list(ctx.settings.facilities)
    fac = st.selectbox("시설", facilities, key="tr_topic_fac")
    window = ctx.scope.trailing()
    trend = voc_pages.tidy(data.run(va.topic_trends, window, None if fac == "전체" else fac))
    fig = data.figure(_topic_line, trend, f"주제별 월간 추이 ({fac}, {window.label})")
    chart(fig, ko(trend), f"주제_추이_{fac}", key="tr_topic_trend")
    by_fac = data.run(va.topics_by_facility, ctx.scope)
    fig = data.figure(
        px.density_heatmap,
        by_fac,
        x="topic",
        y="facility",
        z="items",
        text_auto=True,
        labels=LABELS,
        title="시설 × 주제 건수",
    )
    chart(fig, ko(by_fac), "시설별_주제", key="tr_topic_fac_chart")
    topic = st.selectbox(
        "주제를 고르면 해당 VOC를 보여 줍니다",
        df["topic"].tolist(),
        index=None,
        key="tr_topic_pick",
        placeholder="주제 선택",
    )
    if topic:
        frame = data.run(
            va.items_with_topic, ctx.scope, topic, ctx.user.can_see_texts, 200, None if fac == "전체" else fac
        )
        item_list(ctx, frame, f"주제_{topic}", "tr_topic_items")
        ui_actions.from_items(ctx, frame, topic, None if fac == "전체" else fac)


def candidates(ctx: Context) -> None:
    """The largest keyword groups inside '기타', each one click from being a topic of the dictionary."""
    st.markdown("**기타 안의 주제 후보**")
    n = ctx.settings.text.candidate_min_items
    definition(
        f"'기타' 건에 {n}건 이상 나온 키워드를, 함께 나오는 키워드와 묶었습니다(건수 = 묶음의 말 중 하나가 나온 '기타' "
        "건수, 한 건은 한 묶음에만 셈). 주제로 추가하면 그 말들이 주제 사전에 들어가고 모든 건을 다시 분류합니다."
    )
    df = data.run(va.topic_candidates, ctx.scope, ctx.settings)
    if df.empty:
        st.info(f"'기타' 건에서 {n}건 이상 되풀이된 키워드가 없어 주제 후보가 없습니다.")
        return
    shown = df.assign(words=df["words"].map(", ".join))
    table(ko(shown), "기타_주제_후보", key="tr_candidates", kinds={"비중": "pct", "건수": "count"})
    if not _can_edit(ctx):
        st.caption("후보를 주제로 추가하는 일은 CCM 팀(관리자·분석 권한)이 합니다.")
        return
    existing = set(text.topics_of(ctx.settings))
    for i, row in enumerate(df.itertuples()):
        label = (
            f"'{row.topic}' 주제로 추가 ({', '.join(row.words)})"
            if row.topic not in existing
            else f"기존 주제 '{row.topic}'에 말 더하기 ({', '.join(row.words)})"
        )
        if st.button(label, key=f"tr_accept_{i}", icon=":material/add:"):
            new = text.add_topic(settings_path().read_text(encoding="utf-8"), row.topic, row.words)
            _save_text_settings(
                ctx,
                new,
                f"[text.topics] 주제 추가: {row.topic} = {', '.join(row.words)}",
                f"주제 '{row.topic}'을(를) 추가하고 모든 건을 다시 분류했습니다.",
            )


def boilerplate(ctx: Context) -> None:
    """What was cut from the texts as boilerplate, where it was found, and the team's edits of it."""
    cfg = ctx.settings.text
    definition(
        f"상용구 = 한 출처(적재한 파일 하나, 또는 접수채널 하나)의 서로 다른 글 중 {pct(cfg.boilerplate_share)} "
        "이상에 되풀이되는 조각(제목의 대괄호 머리말, '첨부 파일:' 같은 항목 이름, 인사·맺음말·서명)입니다. 적재할 때마다 "
        f"찾으며(서로 다른 글이 {cfg.boilerplate_min_texts}개 이상인 출처만), 키워드·주제 분석에서 뺍니다. "
        "'#'은 아무 숫자, '(값)'은 그 항목 뒤의 값까지를 뜻합니다."
    )
    if data.run(text.boilerplate_stale, ctx.settings):
        st.warning(
            "설정의 상용구 목록이 바뀌었습니다. 다음 분석(적재) 때 반영됩니다.",
            icon=":material/sync_problem:",
        )
        _analyse_button(ctx, "tr_bp_analyse")
    df = data.run(text.boilerplate_table, ctx.settings)
    if df.empty:
        st.info(
            "찾은 상용구가 없습니다. 출처마다 서로 다른 글이 충분히 쌓이면 되풀이되는 서식 문구를 찾아 여기에 보여 줍니다."
        )
    else:
        table(
            ko(df),
            "상용구",
            key="tr_bp",
            kinds={"비중": "pct", "나온 글 수": "count", "살펴본 글 수": "count"},
        )
    if not _can_edit(ctx):
        st.caption("상용구 목록은 CCM 팀(관리자·분석 권한)이 고칩니다.")
        return
    _boilerplate_edits(ctx, df)


def _boilerplate_edits(ctx: Context, df: pd.DataFrame) -> None:
    cut = sorted(set(df.loc[df["state"] != "유지(팀 결정)", "fragment"])) if not df.empty else []
    kept = sorted(set(df.loc[df["state"] == "유지(팀 결정)", "fragment"])) if not df.empty else []
    c1, c2 = st.columns(2)
    with c1:
        frag = st.selectbox(
            "빼지 않을 조각 (글에 남김)", cut, index=None, key="tr_bp_keep_pick", placeholder="상용구 선택"
        )
        if st.button("글에 남기기", key="tr_bp_keep", disabled=frag is None):
            new = text.keep_fragment(settings_path().read_text(encoding="utf-8"), frag)
            _save_text_settings(
                ctx,
                new,
                f"[text] 상용구에서 제외(글에 남김): {frag}",
                f"'{frag}'을(를) 글에 남기고 다시 분석했습니다.",
            )
        if kept:
            back = st.selectbox(
                "다시 뺄 조각", kept, index=None, key="tr_bp_cut_pick", placeholder="남긴 조각 선택"
            )
            if st.button("다시 빼기", key="tr_bp_recut", disabled=back is None):
                new = text.cut_fragment(settings_path().read_text(encoding="utf-8"), back)
                _save_text_settings(
                    ctx, new, f"[text] 상용구로 다시 뺌: {back}", f"'{back}'을(를) 다시 빼고 분석했습니다."
                )
    with c2:
        typed = st.text_input(
            "상용구 직접 추가", key="tr_bp_new", placeholder="예: 민원 처리 결과를 알려 드립니다"
        )
        if st.button("상용구로 추가", key="tr_bp_add", disabled=not typed.strip()):
            key = text.normalise(typed)
            new = text.cut_fragment(settings_path().read_text(encoding="utf-8"), key)
            _save_text_settings(
                ctx,
                new,
                f"[text] 상용구 직접 추가: {key}",
                f"'{key}'을(를) 상용구로 추가하고 다시 분석했습니다.",
            )


def _topic_line(trend: pd.DataFrame, title: str):
    fig = px.line(trend, x="month", y="items", color="topic", markers=True, labels=LABELS, title=title)
    voc_pages.month_axis(fig)
    return fig


def _prevention_scatter(df: pd.DataFrame):
    fig = px.scatter(
        df,
        x="frequency",
        y="severity",
        text="label",
        color="quadrant",
        size="score",
        labels=LABELS,
        title="경중도 × 발생빈도",
    )
    fig.add_vline(x=df["frequency"].mean(), line_dash="dot")
    fig.add_hline(y=df["severity"].mean(), line_dash="dot")
    fig.update_traces(textposition="top center")
    return fig


def prevention(ctx: Context) -> None:
    weights = ctx.settings.trends.severity
    definition(
        "경중도 × 발생빈도 (매뉴얼 §4.3.1): 발생빈도 = 주제가 나온 VOC 건수, 경중도 = 그 건들의 유형 가중치 평균 "
        f"({', '.join(f'{k} {v:g}' for k, v in weights.items())}; 설정 trends.severity, 0인 유형과 '기타'는 제외). "
        "두 축을 각 평균에서 나누어, 둘 다 평균 이상인 '개선 우선' 칸을 개선 후보로 봅니다."
    )
    by_fac = st.toggle("시설 × 주제로 보기", key="tr_prev_fac")
    df = data.run(va.prevention_matrix, ctx.scope, ctx.settings, by_fac)
    if df.empty:
        cov = data.run(va.text_coverage, ctx.scope)
        if not _not_analysed(ctx, cov, "경중도 × 발생빈도"):
            st.info(
                f"주제가 분류된 건이 없습니다 (기타 {cov['other']:,}건). '주제' 탭의 주제 후보를 보세요."
                if cov["topical"] == 0
                else "경중도가 0보다 큰 유형의 주제 분류 건이 없습니다.",
                icon=":material/info:",
            )
        return
    label = (df["facility"] + " · " + df["topic"]) if by_fac else df["topic"]
    chart(data.figure(_prevention_scatter, df.assign(label=label)), ko(df), "경중도_발생빈도", key="tr_prev")
    cand = df[df["candidate"]]
    st.markdown("**개선 후보 (발생빈도·경중도 모두 평균 이상)**")
    if cand.empty:
        st.info("개선 후보가 없습니다.")
    else:
        table(ko(cand.drop(columns=["candidate"])), "개선_후보", key="tr_prev_cand")
    ui_actions.from_trends(ctx, df, "경중도×빈도", "tr_act_prev")


def recurrence(ctx: Context) -> None:
    cfg = ctx.settings.trends
    definition(
        f"재발 = 같은 시설·같은 주제의 건이, 앞선 건이 처리완료된 뒤 {cfg.recurrence_days}일 안에 다시 "
        f"접수된 경우 (유형: {', '.join(cfg.recurrence_types)}; '기타' 주제 제외; 설정 trends). "
        "재발률 = 재발 건수 ÷ 조회 기간의 그 시설·주제 건수."
    )
    df = data.run(va.recurrences, ctx.scope, ctx.settings)
    if df.empty:
        cov = data.run(va.text_coverage, ctx.scope)
        if _not_analysed(ctx, cov, "재발"):
            return
        if cov["topical"] == 0:
            st.info(
                f"주제가 분류된 건이 없어 재발을 볼 수 없습니다 (기타 {cov['other']:,}건).",
                icon=":material/info:",
            )
        else:
            st.success("조회 기간에 재발한 시설·주제가 없습니다.", icon=":material/check_circle:")
        return
    top = df.head(20).assign(label=lambda d: d["facility"] + " · " + d["topic"])
    fig = data.figure(
        _hbar,
        top.iloc[::-1],
        "recurrences",
        "label",
        {**LABELS, "label": "시설 · 주제"},
        "재발 건수 (상위 20)",
    )
    chart(fig, ko(df), "재발", key="tr_recur")
    ui_actions.from_trends(ctx, df, "재발", "tr_act_rec")


def _hbar(df: pd.DataFrame, x: str, y: str, labels: dict, title: str):
    return px.bar(df, x=x, y=y, orientation="h", labels=labels, title=title)


def faq(ctx: Context) -> None:
    faq_type = ctx.settings.trends.faq_type
    definition(
        f"FAQ 후보 = 조회 기간 '{md(faq_type)}' 유형 VOC에서 가장 많이 반복된 주제. 비중 = 그 주제 건수 ÷ {md(faq_type)} 건수."
        + (" 질문 예시는 최근 제목입니다." if ctx.user.can_see_texts else "")
    )
    df = data.run(va.faq_candidates, ctx.scope, ctx.settings, ctx.user.can_see_texts)
    if df.empty:
        cov = data.run(va.text_coverage, ctx.scope, faq_type)
        if cov["items"] == 0:
            st.info(f"조회 기간에 '{md(faq_type)}' 유형 VOC가 없습니다.")
        elif not _not_analysed(ctx, cov, "FAQ 후보"):
            st.info(
                f"조회 기간 '{md(faq_type)}' {cov['items']:,}건 중 주제가 분류된 건이 없습니다 (기타 {cov['other']:,}건). "
                "'주제' 탭의 주제 후보를 보세요.",
                icon=":material/info:",
            )
        return
    table(ko(df), "FAQ_후보", key="tr_faq")


def main() -> None:
    ctx = setup("유형별 추이")
    if not voc_pages.heading(ctx, "유형별 추이", "추이를"):
        return
    if data.run(va.compliance_summary, ctx.scope)["received"] == 0:
        voc_pages.nothing_in_scope()
        return
    _show_flash()  # what the last edit of [text] did, above whichever tab the edit came from
    if data.run(text.topics_stale, ctx.settings):
        st.warning(
            "설정의 주제 사전이 바뀌었습니다. 주제 분류는 다음 VOC 적재 때 새 사전으로 다시 계산됩니다.",
            icon=":material/sync_problem:",
        )
        _analyse_button(ctx, "tr_retag")
    sections = {
        "건수 추이": counts,
        "급증": spikes,
        "키워드": keywords,
        "주제": topics,
        "경중도×빈도": prevention,
        "재발": recurrence,
        "FAQ 후보": faq,
        "상용구": boilerplate,
    }
    for tab, render in zip(st.tabs(list(sections)), sections.values()):
        with tab:
            render(ctx)


main()
