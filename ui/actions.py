"""개선과제 widgets shared by the register page and the trends page ('개선과제 만들기' from a matrix cell,
a recurrence group or the items of a topic)."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from ccm import actions as act
from ccm import voc_analytics as va
from ccm.db import DatabaseBusy
from ccm.safe_text import md
from ui import data
from ui.bootstrap import Context
from ui.components import link

FLASH = "act_flash"


def rules(ctx: Context) -> act.Rules:
    return act.rules_from(ctx.settings)


def may_create(ctx: Context) -> bool:
    return ctx.user.role in act.EDITORS


def departments_for(ctx: Context) -> list[str]:
    """The departments this user may give an action to: their own for 부서, every department otherwise."""
    if ctx.user.role == "부서":
        return [ctx.user.department] if ctx.user.department else []
    return list(ctx.settings.departments)


def save(ctx: Context, fn, *args, **kwargs):
    """Run a write of ccm.actions on the pooled connection; a refusal or a busy database is shown in
    Korean and None returned."""
    try:
        with data.connection() as con:
            return fn(con, ctx.user, rules(ctx), *args, **kwargs)
    except act.ActionError as exc:
        st.error(md(exc), icon=":material/block:")
    except DatabaseBusy as exc:
        st.error(f"{md(exc)} 저장하지 않았습니다.", icon=":material/error:")
    return None


def create_form(
    ctx: Context,
    key: str,
    *,
    title: str = "",
    topic: str | None = None,
    facility: str | None = None,
    voc_ids: tuple[str, ...] = (),
    origin: str = "직접 입력",
    flash_key: str = FLASH,
) -> int | None:
    """A form registering one action (status 발굴) for `topic`/`facility` with its triggering items."""
    depts = departments_for(ctx)
    default_dept = ctx.settings.facilities.get(facility or "", depts[0] if depts else None)
    with st.form(key, clear_on_submit=False):
        name = st.text_input("과제명", value=title, key=f"{key}_title")
        c1, c2 = st.columns(2)
        dept = c1.selectbox(
            "개선시행 부서",
            depts,
            index=depts.index(default_dept) if default_dept in depts else 0,
            key=f"{key}_dept",
        )
        due = c2.date_input(
            "완료 예정일",
            value=ctx.now.date() + timedelta(days=ctx.settings.actions.due_days),
            key=f"{key}_due",
        )
        cause = st.text_area("발생원인", key=f"{key}_cause", height=68)
        direction = st.text_area("개선방향", key=f"{key}_direction", height=68)
        target = " · ".join(x for x in (facility, topic) if x) or "없음(효과를 재지 않음)"
        st.caption(
            f"대상: {md(target)} · 관련 VOC {len(voc_ids):,}건이 과제에 연결됩니다. 진행 상태는 '{rules(ctx).statuses[0]}'로 "
            "시작합니다."
        )
        submitted = st.form_submit_button("개선과제 만들기", type="primary", icon=":material/add_task:")
    if not submitted:
        return None
    values = {
        "title": name,
        "department": dept,
        "due_date": due,
        "cause": cause,
        "direction": direction,
        "topic": topic,
        "facility": facility,
        "status": rules(ctx).statuses[0],
    }
    action_id = save(ctx, act.create, values, voc_ids, origin=origin, now=ctx.now)
    if action_id is not None:
        st.session_state[flash_key] = (
            f"개선과제 {action_id}번 '{name.strip()}'을(를) 만들었습니다 ({dept}). '개선과제' 화면에서 볼 수 있습니다."
        )
        st.rerun()
    return action_id


def from_trends(ctx: Context, cells: pd.DataFrame, origin: str, key: str) -> None:
    """'개선과제 만들기' under a table of facility × topic cells (the matrix or the recurrence groups):
    pick a cell, the scope's items of that cell become the action's triggering VOC."""
    if not may_create(ctx):
        return
    if cells.empty:
        return
    has_fac = "facility" in cells.columns
    options = list(range(len(cells)))

    def label(i: int) -> str:
        r = cells.iloc[i]
        where = f"{r['facility']} · " if has_fac else ""
        n = r.get("frequency", r.get("items", 0))
        return f"{where}{r['topic']} ({int(n):,}건)"

    with st.expander("개선과제 만들기", icon=":material/add_task:"):
        pick = st.selectbox(
            "과제로 만들 칸",
            options,
            index=None,
            format_func=label,
            key=f"{key}_pick",
            placeholder="시설 · 주제 선택" if has_fac else "주제 선택",
        )
        if pick is None:
            st.caption(
                "칸을 고르면 그 칸의 조회 기간 VOC를 관련 VOC로 묶어 개선과제를 만듭니다 (매뉴얼 §4.2.1-3⑥)."
            )
            return
        r = cells.iloc[pick]
        facility = r["facility"] if has_fac and r["facility"] in ctx.settings.facilities else None
        items = data.run(va.items_with_topic, ctx.scope, r["topic"], False, 200, facility)
        title = f"{facility + ' ' if facility else ''}{r['topic']} 개선"
        create_form(
            ctx,
            f"{key}_form_{pick}",
            title=title,
            topic=r["topic"],
            facility=facility,
            voc_ids=tuple(items["voc_id"]),
            origin=origin,
            flash_key="tr_flash",
        )


def from_items(
    ctx: Context, items: pd.DataFrame, topic: str, facility: str | None, key: str = "tr_act_items"
) -> None:
    """'선택한 VOC로 개선과제 만들기' under a list of items of one topic (and facility)."""
    if not may_create(ctx) or items.empty:
        return
    with st.expander("선택한 VOC로 개선과제 만들기", icon=":material/add_task:"):
        rows = {
            r.voc_id: f"{r.voc_id} · {r.received_at:%Y-%m-%d} · {r.facility or '시설 없음'} · {r.voc_type}"
            for r in items.itertuples()
        }
        picked = st.multiselect(
            "과제의 근거가 되는 VOC",
            list(rows),
            format_func=rows.get,
            key=f"{key}_pick",
            placeholder="접수번호 선택",
        )
        if not picked:
            st.caption(
                "VOC를 고르면 그 건들을 관련 VOC로 묶어 개선과제를 만듭니다 (대상: 이 주제"
                + (f" · {md(facility)})." if facility else ").")
            )
            return
        title = f"{facility + ' ' if facility else ''}{topic} 개선"
        create_form(
            ctx,
            f"{key}_form",
            title=title,
            topic=topic,
            facility=facility,
            voc_ids=tuple(picked),
            origin="선택한 VOC",
            flash_key="tr_flash",
        )


def show_flash(key: str = FLASH) -> None:
    message = st.session_state.pop(key, None)
    if message:
        st.success(md(message), icon=":material/check_circle:")
        if key != FLASH:
            link("actions", "개선과제 화면으로", ":material/task_alt:")
