"""The one shared, repeat-safe set-up every page calls first (also when opened by direct URL)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import streamlit as st

from ccm import voc_analytics as va
from ccm.period import KINDS, UNREGISTERED, Scope, period
from ccm.safe_text import md
from ccm.settings import Settings
from ui import auth, data, nav


@dataclass(frozen=True)
class Context:
    settings: Settings
    user: auth.User
    scope: Scope
    now: datetime


def setup(title: str, *, roles: tuple[str, ...] | None = None, filters: bool = True, wide: bool = True) -> Context:
    """Settings, login, role check and the shared sidebar filters; returns what the page needs."""
    try:
        st.set_page_config(page_title=f"{title} · CCM 대시보드", layout="wide" if wide else "centered")
    except st.errors.StreamlitAPIException:
        pass  # already set in this run (e.g. by the router)
    nav.ensure_navigation()
    settings = data.settings()
    user = auth.current_user()
    auth.require(user, roles)
    scope = _sidebar_filters(settings, user) if filters else _scope_from_state(settings, user)
    return Context(settings=settings, user=user, scope=scope, now=data.now_minute())


def _latest_month() -> date:
    from ccm.filters_support import latest_received

    latest = data.run(latest_received)
    d = latest or data.now_minute().date()
    return date(d.year, d.month, 1)


def _defaults() -> dict:
    m = _latest_month()
    return {"kind": "month", "year": m.year, "index": m.month, "start": m, "end": m, "depts": []}


def _state(key: str):
    full = f"flt_{key}"
    if full not in st.session_state:
        st.session_state[full] = _defaults()[key]
    return st.session_state[full]


def _widget(key: str) -> str:
    """Widget keys are page-local in Streamlit; copy the persistent value in before rendering."""
    wkey = f"_w_{key}"
    st.session_state[wkey] = _state(key)
    return wkey


def _keep(key: str) -> None:
    st.session_state[f"flt_{key}"] = st.session_state[f"_w_{key}"]


def _sidebar_filters(settings: Settings, user: auth.User) -> Scope:
    with st.sidebar:
        st.markdown("**조회 기간**")
        kind = st.selectbox("기간 단위", list(KINDS), format_func=KINDS.get, key=_widget("kind"),
                            on_change=_keep, args=("kind",))
        if kind == "custom":
            st.date_input("시작일", key=_widget("start"), on_change=_keep, args=("start",))
            st.date_input("종료일", key=_widget("end"), on_change=_keep, args=("end",))
        else:
            this_year = data.now_minute().year
            years = list(range(this_year, this_year - 10, -1))
            if _state("year") not in years:
                years.append(_state("year"))
            st.selectbox("연도", years, key=_widget("year"), on_change=_keep, args=("year",))
            options = {"month": range(1, 13), "quarter": range(1, 5), "half": range(1, 3)}.get(kind)
            if options is not None:
                if _state("index") not in options:
                    st.session_state["flt_index"] = 1
                fmt = {"month": "{}월", "quarter": "{}분기", "half": "{}반기"}[kind]
                labels = {"half": {1: "상반기", 2: "하반기"}}.get(kind, {})
                st.selectbox(KINDS[kind], list(options), key=_widget("index"), on_change=_keep,
                             args=("index",), format_func=lambda i: labels.get(i, fmt.format(i)))
        if user.role != "부서":
            registered = tuple(settings.departments)
            unregistered = data.run(va.unregistered_count, registered)
            options = list(registered) + ([UNREGISTERED] if unregistered else [])
            st.session_state["flt_depts"] = [d for d in _state("depts") if d in options]
            st.multiselect("부서", options, key=_widget("depts"), on_change=_keep, args=("depts",),
                           placeholder="전체 부서",
                           format_func=lambda d: f"{d} ({unregistered:,}건)" if d == UNREGISTERED else d,
                           help="미등록: 처리부서가 비어 있거나 설정의 부서 목록에 없는 건")
        else:
            st.caption(f"부서: {md(user.department)}")
    return _scope_from_state(settings, user)


def _scope_from_state(settings: Settings, user: auth.User) -> Scope:
    kind = _state("kind")
    if kind == "custom":
        start, end = _state("start"), _state("end")
        if end < start:
            start, end = end, start
        scope = period("custom", start.year, start=start, end=end)
    elif kind == "year":
        scope = period("year", _state("year"))
    else:
        scope = period(kind, _state("year"), _state("index"))
    depts: tuple[str, ...] | None = tuple(_state("depts")) or None
    if user.role == "부서":
        depts = (user.department or "",)
    return Scope(scope.start, scope.end, depts, scope.label, tuple(settings.departments))
