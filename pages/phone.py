"""전화친절도: phone-courtesy monitoring scores by department and period with n, trend and the weakest
items; the template and (관리자/분석) the upload with a dry run before the load."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ccm import db, formats, palette, phone
from ccm.safe_text import md
from etl import phone as phone_etl
from etl import phone_template, sandbox
from etl.readers import Limits, ReadError
from ui import data
from ui.auth import audit_upload
from ui.bootstrap import setup
from ui.components import chart, definition, empty_state, headline, table

UPLOADERS = ("관리자", "분석")
DEF_SCORE = (
    "점수 = 통화마다 점검 항목 점수의 합계 ÷ 배점 합계 × 100 (100점 환산)의 평균. "
    "항목 득점률 = 항목 점수 ÷ 항목 배점의 평균. 가장 약한 항목 = 득점률이 가장 낮은 항목. "
    "점검 항목과 배점: {items} (설정 [phone] items)."
)
DEF_SMALL = "모니터링이 {n}건 미만인 부서·기간은 '표본 부족'으로 표시합니다(설정 [phone] min_n): 점수를 서로 비교하지 마세요."


def main() -> None:
    ctx = setup("전화친절도")
    st.title("전화친절도 모니터링")
    min_n = phone.min_n(ctx.settings)
    if not data.run(phone.has_data):
        empty_state(
            "아직 적재된 전화친절도 모니터링 결과가 없습니다. 아래에서 서식을 내려받아 채운 뒤 올리거나 "
            "`python -m etl phone 파일.xlsx` 로 적재하세요.",
            upload_hint=False,
        )
    else:
        _results(ctx, min_n)
    _template_and_upload(ctx)


def _results(ctx, min_n: int) -> None:
    total = data.run(phone.overall, ctx.scope)
    if total["n"] == 0:
        empty_state(
            f"{md(ctx.scope.label or '선택한 기간')}·선택한 부서에 모니터링 결과가 없습니다. 기간이나 부서 필터를 넓혀 "
            "보세요.",
            upload_hint=False,
        )
        return
    depts = data.run(phone.by_department, ctx.scope, min_n)
    items = data.run(phone.item_scores, ctx.scope, False)
    _answer(ctx, total, depts, items)
    items_text = ", ".join(f"{i.name} {i.max_score:g}점" for i in phone.checklist(ctx.settings))
    definition(DEF_SCORE.format(items=items_text) + " " + DEF_SMALL.format(n=min_n))
    st.subheader("부서별 점수")
    table(phone.to_display(depts, min_n), "전화친절도_부서별", key="phone_depts")
    _trend(ctx, min_n)
    st.subheader("항목별 득점률 (약한 항목부터)")
    table(
        phone.to_display(data.run(phone.item_scores, ctx.scope, True)), "전화친절도_항목별", key="phone_items"
    )
    st.subheader("평가자 구분별")
    table(
        phone.to_display(data.run(phone.by_evaluator_type, ctx.scope)),
        "전화친절도_평가자구분별",
        key="phone_types",
    )
    if ctx.user.role in UPLOADERS:
        with st.expander("통화별 결과 (평가자는 번호로만, 비고의 개인정보는 가려서 저장됨)"):
            table(
                phone.to_display(data.run(phone.calls, ctx.scope)),
                "전화친절도_통화별",
                key="phone_calls",
                audit=True,
            )


def _answer(ctx, total: dict, depts: pd.DataFrame, items: pd.DataFrame) -> None:
    prev = data.run(phone.overall, ctx.scope.previous())
    change = None if prev["score"] is None else total["score"] - prev["score"]
    c1, c2, c3 = st.columns(3)
    headline(
        f"{ctx.scope.label or '선택 기간'} 전화친절도",
        formats.score(total["score"]),
        where=c1,
        change=formats.score_change(change) if change is not None else None,
        against="직전 기간 대비",
        help="통화별 100점 환산 점수의 평균.",
    )
    c2.metric("모니터링 건수", formats.count(total["n"]), help=f"{total['departments']}개 부서")
    weakest = items.iloc[0] if not items.empty else None
    if weakest is not None:
        c3.metric("가장 약한 항목", str(weakest["item"]), help="항목 점수 ÷ 배점의 평균이 가장 낮은 항목")
        c3.caption(f"득점률 {formats.pct(weakest['pct'])}")
    judged = depts[~depts["small_n"]]
    lines = [
        f"**{md(ctx.scope.label or '선택 기간')} 전화친절도는 {formats.score(total['score'])}입니다"
        f"(모니터링 {total['n']:,}건).**"
    ]
    if weakest is not None:
        lines.append(
            f"가장 약한 항목은 **{md(weakest['item'])}**(득점률 {formats.pct(weakest['pct'])})입니다."
        )
    if len(judged) >= 2:
        low = judged.sort_values(["score", "department"]).iloc[0]
        lines.append(
            f"점수가 가장 낮은 부서는 {md(low['department'])} {formats.score(low['score'])}"
            f"(약한 항목 {md(low['weakest_item'])})입니다."
        )
    short = depts[depts["small_n"]]["department"].tolist()
    if short:
        lines.append(f"표본 부족: {md(', '.join(short))}.")
    st.markdown(" ".join(lines))


def _trend(ctx, min_n: int) -> None:
    st.subheader("추이")
    period = st.radio(
        "기간 단위", list(phone.PERIODS), format_func=phone.PERIODS.get, horizontal=True, key="phone_period"
    )
    window = ctx.scope.trailing(12)
    df = data.run(phone.scores, window, period, min_n)
    if df.empty:
        st.caption("추이를 그릴 모니터링 결과가 없습니다.")
        return
    fig = go.Figure()
    colours = palette.OTHER
    for i, (dept, g) in enumerate(df.groupby("department", sort=True)):
        fig.add_trace(
            go.Scatter(
                x=g["period"],
                y=g["score"],
                name=str(dept),
                mode="lines+markers",
                marker_symbol=["circle-open" if s else "circle" for s in g["small_n"]],
                line_color=colours[i % len(colours)],
            )
        )
    fig.update_layout(
        title=f"부서별 전화친절도 ({window.label}, 빈 점 = 표본 부족)",
        yaxis_title="점수",
        xaxis_title=phone.PERIODS[period],
        xaxis_type="category",
    )
    chart(fig, phone.to_display(df, min_n), "전화친절도_추이", key="phone_trend")


def _template_and_upload(ctx) -> None:
    st.subheader("서식과 올리기")
    st.download_button(
        "전화친절도 모니터링 서식 내려받기",
        lambda: phone_template.build(ctx.settings),
        "전화친절도_모니터링_서식.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="phone_template_dl",
        icon=":material/download:",
        on_click="ignore",
    )
    if ctx.user.role not in UPLOADERS:
        st.caption("모니터링 결과는 관리자·분석 권한 사용자가 올립니다.")
        return
    up = st.file_uploader(
        "모니터링 결과 파일 (.xlsx, .xls, .csv)", type=["xlsx", "xls", "csv"], key="phone_file"
    )
    if up is None:
        st.caption(
            "평가자 이름은 저장하지 않고 번호로 바꾸며, 비고 속 전화번호·이메일은 가려서 저장합니다. "
            "오류가 한 건이라도 있으면 아무것도 저장하지 않습니다."
        )
        return
    payload = up.getvalue()
    try:
        limits = Limits.from_settings(ctx.settings)
        parsed = sandbox.run(phone_etl.read, payload, up.name, ctx.settings, limits=limits, what=up.name)
        prep = phone_etl.prepare(parsed, ctx.settings)
    except (phone_etl.PhoneError, ReadError) as exc:
        st.error(f"적재할 수 없습니다: {md(exc)}", icon=":material/error:")
        return
    sha = phone_etl.file_sha256(payload)
    with db.session(ctx.settings.db_path) as con:
        plan = phone_etl.dry_run(con, prep, sha)
    _show_plan(plan, prep)
    ok = prep.rejects.empty and plan["repeats"] is None
    if st.button(
        "확인하고 적재",
        type="primary",
        key=f"phone_load_{sha[:8]}",
        icon=":material/upload:",
        disabled=not ok,
    ):
        with db.session(ctx.settings.db_path) as con:
            result = phone_etl.store(con, prep, sha, loaded_by=ctx.user.username)
        audit_upload("전화친절도", up.name, result.summary())
        st.success(md(result.summary()), icon=":material/check_circle:")


def _show_plan(plan: dict, prep: phone_etl.Prepared) -> None:
    st.markdown("**적재하면 바뀌는 내용**")
    period = (
        f"{formats.day(plan['first'])} ~ {formats.day(plan['last'])}" if plan["first"] else formats.MISSING
    )
    rows = [
        ("모니터링 건수", f"{plan['calls_before']:,}건", f"{plan['calls_before'] + plan['calls']:,}건"),
        ("이 파일의 통화", "", f"{plan['calls']:,}건 ({plan['departments']}개 부서, {period})"),
        ("이 파일의 평균 점수", "", formats.score(plan["score"])),
    ]
    st.table(pd.DataFrame(rows, columns=["항목", "지금", "적재 후"]).set_index("항목"))
    if plan["repeats"] is not None:
        st.info(
            f"같은 파일이 이미 적재되어 있습니다(적재 번호 {plan['repeats']}). 적재해도 바뀌는 것이 없습니다.",
            icon=":material/info:",
        )
    elif plan["overlap"][0]:
        st.warning(md(phone_etl.overlap_warning(*plan["overlap"])), icon=":material/warning:")
    for w in prep.warnings:
        st.warning(md(w), icon=":material/warning:")
    if not prep.rejects.empty:
        st.error(
            f"{len(prep.rejects)}건의 오류가 있어 적재할 수 없습니다. 고친 뒤 다시 올리세요.",
            icon=":material/error:",
        )
        table(prep.rejects, "전화친절도_적재_오류", key="phone_rejects")


main()
