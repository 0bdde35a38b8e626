"""개선과제: the register (manual §4.3.2-4), the measured effect of completed actions, the CCO's list,
new actions, changes of status and the Excel template. All figures come from ccm.actions."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ccm import actions as act
from ccm import formats, palette, text
from ccm.safe_text import md
from etl import actions as act_etl
from ui import actions as ui_act
from ui import data
from ui.auth import audit_upload
from ui.bootstrap import Context, setup
from ui.components import XLSX, chart, definition, empty_state, headline, table

LABELS = act.LABELS
REGISTER_COLS = [
    "action_id",
    "title",
    "department",
    "status",
    "topic",
    "facility",
    "due_date",
    "completed_on",
    "days_overdue",
    "customer_told",
    "voc_items",
    "cause",
    "direction",
    "schedule",
    "origin",
    "updated_at",
]
EFFECT_COLS = [
    "action_id",
    "title",
    "department",
    "topic",
    "facility",
    "completed_on",
    "before_items",
    "after_items",
    "change",
    "change_rate",
    "p_value",
    "ratio_low",
    "ratio_high",
    "before_complaint_share",
    "after_complaint_share",
    "complaint_share_change",
    "before_recurrences",
    "after_recurrences",
    "verdict",
    "reason",
]
VERDICT_COLOUR = {
    "개선됨": palette.MET,
    "변화 없음": palette.NEUTRAL,
    "악화": palette.OVERDUE,
    "판단 보류": palette.STATUS["실적 없음"],
}


def ko(df: pd.DataFrame) -> pd.DataFrame:
    return df.rename(columns=LABELS)


def overview(ctx: Context) -> dict:
    counts = data.run(act.status_counts, ctx.scope, ctx.now)
    cols = st.columns(4)
    headline("전체 과제", formats.count(counts["total"]), where=cols[0])
    headline("진행 중", formats.count(counts["open"]), where=cols[1])
    headline("기한 초과", formats.count(counts["overdue"]), where=cols[2])
    headline("완료", formats.count(counts["completed"]), where=cols[3])
    definition(
        "진행 중 = 아직 완료일이 없는 과제, 기한 초과 = 완료 예정일이 지났는데 완료하지 않은 과제, 완료 = '완료' 또는 "
        "'효과 확인' 단계(완료일이 있는 과제). 조회 기간과 관계없이 선택한 부서의 모든 과제를 셉니다."
    )
    return counts


def register_tab(ctx: Context) -> None:
    in_period = st.toggle(
        f"조회 기간({ctx.scope.label})에 진행한 과제만",
        key="act_in_period",
        help="조회 기간 끝 전에 등록했고, 기간 시작 전에 완료하지 않은 과제",
    )
    df = data.run(act.register, ctx.scope, ctx.now, in_period)
    statuses = st.multiselect(
        "진행 상태", list(ui_act.rules(ctx).statuses), key="act_status_pick", placeholder="모든 단계"
    )
    if statuses:
        df = df[df["status"].isin(statuses)]
    if df.empty:
        st.info(
            "조건에 맞는 개선과제가 없습니다. 부서·기간·진행 상태 선택을 바꿔 보세요.", icon=":material/info:"
        )
        return
    table(ko(df[REGISTER_COLS]), "개선과제_목록", key="act_register", kinds={"과제번호": "id"})
    definition(
        "초과 일수 = 오늘 − 완료 예정일 (완료하지 않은 과제만). 관련 VOC 건수 = 과제를 만들 때 연결한 VOC(발굴 근거) 수. "
        "고객 피드백 = 개선 결과를 고객에게 알렸는지(매뉴얼 §4.3.2-4)."
    )
    pick = st.selectbox(
        "과제를 고르면 관련 VOC를 보여 줍니다",
        df["action_id"].tolist(),
        index=None,
        key="act_pick",
        format_func=lambda i: f"{i}번 {df.loc[df['action_id'] == i, 'title'].iloc[0]}",
        placeholder="과제 선택",
    )
    if pick is not None:
        items = data.run(act.linked_items, ctx.scope, int(pick), ctx.user.can_see_texts)
        if items.empty:
            st.info("이 과제에 연결된 VOC가 없습니다.")
        else:
            table(ko(items.rename(columns={"title": "title_v"})), f"개선과제_{pick}_관련VOC", key="act_items")


def effect_tab(ctx: Context) -> None:
    rules = ui_act.rules(ctx)
    definition(
        f"효과 = 완료한 과제의 대상 주제·시설 VOC를 완료일 전 {rules.window_days}일과 완료일 다음 날부터 {rules.window_days}일"
        "(같은 길이, 완료일 자체는 빼고)로 비교합니다(설정 actions.effect_window_days). 완료 전·후 건수 = 그 기간에 접수된 대상 VOC "
        "건수, 증감률 = (후 − 전) ÷ 전. 유의확률 = 같은 길이 두 기간의 건수를 포아송 건수로 보고 '변화가 없다면 후 건수는 "
        "이항분포(전+후, ½)'로 계산한 정확검정의 양측 확률. 건수 비 하한·상한 = 후 ÷ 전 건수 비의 95% 구간."
    )
    definition(
        f"판정: 유의확률 {rules.alpha} 미만이고 줄면 '개선됨', 늘면 '악화', 그 밖은 '변화 없음'. 전후 합계가 {rules.min_items}건 "
        "미만이거나, 완료 후 기간이 아직 끝나지 않았거나(관찰 중), 대상 주제·시설이 없으면 '판단 보류'(설정 actions). "
        f"불만 비중 = 대상 VOC 중 {', '.join(rules.complaint_types)} 유형의 비율. 재발 = 같은 시설·주제의 앞선 건이 처리완료된 뒤 "
        f"{rules.recurrence_days}일 안에 다시 접수된 건(유형별 추이 화면과 같은 정의). 계절 차이는 보정하지 않습니다."
    )
    df = data.run(act.effect, ctx.scope, ctx.now, rules)
    if df.empty:
        st.info("완료한 개선과제가 없어 효과를 잴 과제가 없습니다.", icon=":material/info:")
        return
    shown = df[EFFECT_COLS].assign(
        p_value=df["p_value"].round(3),
        ratio_low=df["ratio_low"].round(2),
        ratio_high=df["ratio_high"].round(2),
    )
    chart(
        data.figure(_effect_bars, shown),
        ko(shown),
        "개선과제_효과",
        key="act_effect",
        kinds={
            "과제번호": "id",
            "증감률": "pct",
            "완료 전 불만 비중": "pct",
            "완료 후 불만 비중": "pct",
            "불만 비중 변화": "pp",
            "유의확률": "num",
            "건수 비 하한": "num",
            "건수 비 상한": "num",
        },
    )


def _effect_bars(df: pd.DataFrame):
    labels = df["action_id"].astype(str) + "번 " + df["title"].str.slice(0, 18)
    fig = go.Figure(
        [
            go.Bar(name="완료 전", x=labels, y=df["before_items"], marker_color=palette.PREVIOUS),
            go.Bar(
                name="완료 후",
                x=labels,
                y=df["after_items"],
                marker_color=[VERDICT_COLOUR.get(v, palette.NEUTRAL) for v in df["verdict"]],
                text=df["verdict"],
                textposition="outside",
            ),
        ]
    )
    fig.update_layout(
        barmode="group",
        showlegend=False,
        yaxis_title="건수",
        xaxis_title="개선과제",
        title="완료 전(옅은 회색)·후(판정 색) 같은 길이 기간의 대상 VOC 건수 — 막대 위: 효과 판정",
    )
    return fig


def cco_tab(ctx: Context) -> None:
    definition(
        "CCO 점검 목록: 완료 예정일이 지났는데 완료하지 않은 과제(기한 초과)와, 완료 후 관찰 기간이 끝났는데 효과를 "
        "보이지 못한 과제(변화 없음·악화·건수 부족 또는 대상 없음으로 판단 보류; 효과 미확인)."
    )
    df = act.cco_from(
        data.run(act.register, ctx.scope, ctx.now),
        data.run(act.effect, ctx.scope, ctx.now, ui_act.rules(ctx)),
    )
    if df.empty:
        st.success("기한을 넘긴 과제도, 효과를 보이지 못한 과제도 없습니다.", icon=":material/check_circle:")
        return
    table(ko(df), "개선과제_CCO_점검", key="act_cco", kinds={"과제번호": "id"})


def edit_tab(ctx: Context) -> None:
    if not ui_act.may_create(ctx):
        st.caption("열람 권한은 개선과제를 볼 수만 있습니다.")
        return
    st.markdown("**새 개선과제**")
    ui_act.create_form(ctx, "act_new")
    st.markdown("**진행 상태·내용 고치기**")
    df = data.run(act.register, ctx.scope, ctx.now)
    df = df[[act.can_edit(ctx.user, d) for d in df["department"]]] if not df.empty else df
    if df.empty:
        st.info("고칠 수 있는 과제가 없습니다.")
        return
    pick = st.selectbox(
        "고칠 과제",
        df["action_id"].tolist(),
        index=None,
        key="act_edit_pick",
        placeholder="과제 선택",
        format_func=lambda i: f"{i}번 {df.loc[df['action_id'] == i, 'title'].iloc[0]}",
    )
    if pick is not None:
        _edit_form(ctx, df[df["action_id"] == pick].iloc[0])


def _edit_form(ctx: Context, row: pd.Series) -> None:
    rules = ui_act.rules(ctx)
    statuses = list(rules.statuses)
    now_at = statuses.index(row["status"]) if row["status"] in statuses else 0
    allowed = statuses if ctx.user.role == "관리자" else statuses[now_at:]
    if ctx.user.role not in act.TEAM:
        allowed = [s for s in allowed if s != rules.checked or s == row["status"]]
    key = f"act_edit_{row['action_id']}"
    with st.form(key):
        status = st.selectbox(
            "진행 상태",
            allowed,
            index=allowed.index(row["status"]) if row["status"] in allowed else 0,
            help="앞으로만 바꿀 수 있습니다(되돌리기는 관리자). '효과 확인'은 CCM 주관부서가 정합니다.",
        )
        c1, c2 = st.columns(2)
        due = c1.date_input(
            "완료 예정일", value=None if pd.isna(row["due_date"]) else pd.Timestamp(row["due_date"]).date()
        )
        done = c2.date_input(
            "완료일 (완료로 올릴 때, 비우면 오늘)",
            value=None if pd.isna(row["completed_on"]) else pd.Timestamp(row["completed_on"]).date(),
        )
        schedule = st.text_input("세부 일정", value=row["schedule"] or "")
        cause = st.text_area("발생원인", value=row["cause"] or "", height=68)
        direction = st.text_area("개선방향", value=row["direction"] or "", height=68)
        told = st.checkbox("개선 결과를 고객에게 알림 (고객 피드백)", value=bool(row["customer_told"]))
        submitted = st.form_submit_button("저장", type="primary")
    if submitted:
        changes = {
            "status": status,
            "due_date": due,
            "completed_on": done,
            "schedule": schedule,
            "cause": cause,
            "direction": direction,
            "customer_told": told,
        }
        changed = ui_act.save(ctx, act.update, int(row["action_id"]), changes, now=ctx.now)
        if changed is not None:
            st.session_state[ui_act.FLASH] = (
                f"과제 {row['action_id']}번: {', '.join(changed)}을(를) 고쳤습니다."
                if changed
                else "바뀐 내용이 없습니다."
            )
            st.rerun()


def excel_tab(ctx: Context) -> None:
    st.markdown(
        "**개선과제 서식(Excel)** — 한 행이 한 과제입니다. 같은 과제명·부서가 있으면 그 과제를 고칩니다. "
        "오류가 한 건이라도 있으면 아무것도 저장하지 않습니다."
    )
    own = (ctx.user.department or "",) if ctx.user.role == "부서" else None
    reg = data.run(act.register, ctx.scope, ctx.now)
    topics = tuple(text.topics_of(ctx.settings))
    st.download_button(
        "개선과제 서식 내려받기 (등록된 과제 채움)",
        lambda: act_etl.build_template(ctx.settings, topics, reg, own),
        "개선과제_서식.xlsx",
        XLSX,
        key="act_template",
        icon=":material/download:",
        on_click="ignore",
    )
    if not ui_act.may_create(ctx):
        st.caption("열람 권한은 서식을 올릴 수 없습니다.")
        return
    up = st.file_uploader("개선과제 서식(.xlsx)", type=["xlsx", "xls"], key="act_upload")
    if up is not None and st.button("적재하기", key="act_load", type="primary"):
        try:
            with st.spinner("개선과제 서식을 검사하고 저장하는 중…"):
                result = act_etl.load(
                    up.getvalue(), data.db_path(), ctx.settings, ctx.user, file_name=up.name, now=ctx.now
                )
        except act_etl.ReadError as exc:
            st.error(md(exc), icon=":material/error:")
            return
        audit_upload("개선과제", up.name, result.message)
        st.session_state["act_upload_result"] = result
    result = st.session_state.get("act_upload_result")
    if result is not None:
        (st.success if result.ok else st.error)(md(result.message))
        if not result.rejects.empty:
            table(result.rejects, "개선과제_적재_오류", key="act_rejects")


def main() -> None:
    ctx = setup("개선과제")
    st.title("개선과제")
    depts = f" · 부서: {', '.join(ctx.scope.departments)}" if ctx.scope.departments else ""
    st.caption(md(f"VOC에서 찾은 개선과제(매뉴얼 §4.2.1-3⑥, §4.3.2-4)와 완료 뒤의 효과{depts}"))
    ui_act.show_flash()
    counts = overview(ctx)
    if counts["total"] == 0:
        empty_state(
            "아직 개선과제가 없습니다. '유형별 추이' 화면의 경중도×빈도·재발 탭에서 칸을 골라 만들거나, 아래 "
            "'새 과제·고치기' 또는 'Excel 서식' 탭에서 만드세요.",
            upload_hint=False,
        )
    sections = {
        "과제 목록": register_tab,
        "효과": effect_tab,
        "CCO 점검": cco_tab,
        "새 과제·고치기": edit_tab,
        "Excel 서식": excel_tab,
    }
    for tab, render in zip(st.tabs(list(sections)), sections.values()):
        with tab:
            if counts["total"] == 0 and render in (register_tab, effect_tab, cco_tab):
                st.info("표시할 개선과제가 없습니다.")
                continue
            render(ctx)


main()
