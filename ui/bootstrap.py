"""The one shared, repeat-safe set-up every page calls first (also when opened by direct URL)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import streamlit as st

from ccm import voc_analytics as va
from ccm.period import KINDS, MONTHS_OF, UNREGISTERED, Scope, index_of, last_complete, period, running_note
from ccm.safe_text import md
from ccm.settings import Settings
from ui import auth, data, nav


@dataclass(frozen=True)
class Context:
    settings: Settings
    user: auth.User
    scope: Scope
    now: datetime

    @property
    def running(self) -> str:
        """'진행 중 (25일째)' while the selected period is still running, else ''."""
        return running_note(self.scope, self.now.date())

    @property
    def period_label(self) -> str:
        """The selected period as a page states it: '2026년 11월 · 진행 중 (25일째)' or '2026년 10월'."""
        return " · ".join(p for p in (self.scope.label, self.running) if p)


PERIOD_KEYS = ("kind", "year", "index", "start", "end")


def setup(
    title: str,
    *,
    roles: tuple[str, ...] | None = None,
    filters: bool = True,
    wide: bool = True,
    period_kind: str = "month",
) -> Context:
    """Settings, login, role check and the shared sidebar filters; returns what the page needs.
    Until the user picks a period, a page opens on the last complete period of `period_kind` (month;
    the ranking page a year); once picked, the period follows the user from page to page."""
    try:
        st.set_page_config(page_title=f"{title} · CCM 대시보드", layout="wide" if wide else "centered")
    except st.errors.StreamlitAPIException:
        pass  # already set in this run (e.g. by the router)
    nav.ensure_navigation()
    settings = data.settings()
    user = auth.current_user()
    auth.require(user, roles)
    _apply_defaults(period_kind)
    scope = _sidebar_filters(settings, user) if filters else _scope_from_state(settings, user)
    return Context(settings=settings, user=user, scope=scope, now=data.now_minute())


def _latest_day() -> date | None:
    from ccm.filters_support import latest_received

    latest = data.run(latest_received)
    return None if latest is None else (latest.date() if isinstance(latest, datetime) else latest)


def _defaults(kind: str) -> dict:
    """The last complete period of `kind` (by today, or the period of the latest data if it ends earlier)."""
    scope = last_complete(kind if kind in MONTHS_OF else "month", data.now_minute().date(), _latest_day())
    return {
        "kind": kind,
        "year": scope.start.year,
        "index": index_of(kind, scope.start) if kind in MONTHS_OF else 1,
        "start": scope.start,
        "end": scope.end - timedelta(days=1),
        "depts": [],
    }


def _apply_defaults(kind: str) -> None:
    """Write the page's default period unless the user (or a link) chose one; `flt_auto` marks a period
    that is only a default, so the next page may replace it with its own."""
    ss = st.session_state
    chosen = ss.get("flt_auto") is None and any(f"flt_{k}" in ss for k in PERIOD_KEYS)
    if not chosen and ss.get("flt_auto") != kind:
        defaults = _defaults(kind)
        for k in PERIOD_KEYS:
            ss[f"flt_{k}"] = defaults[k]
        ss["flt_auto"] = kind
    elif any(f"flt_{k}" not in ss for k in PERIOD_KEYS):
        defaults = _defaults(ss.get("flt_kind", kind))
        for k in PERIOD_KEYS:
            ss.setdefault(f"flt_{k}", defaults[k])
    ss.setdefault("flt_depts", [])


def _state(key: str):
    return st.session_state[f"flt_{key}"]


def _widget(key: str) -> str:
    """Widget keys are page-local in Streamlit; copy the persistent value in before rendering."""
    wkey = f"_w_{key}"
    st.session_state[wkey] = _state(key)
    return wkey


def _keep(key: str) -> None:
    st.session_state[f"flt_{key}"] = st.session_state[f"_w_{key}"]
    if key in PERIOD_KEYS:
        st.session_state.pop("flt_auto", None)


def _sidebar_filters(settings: Settings, user: auth.User) -> Scope:
    with st.sidebar:
        st.markdown("**조회 기간**")
        kind = st.selectbox(
            "기간 단위",
            list(KINDS),
            format_func=KINDS.get,
            key=_widget("kind"),
            on_change=_keep,
            args=("kind",),
        )
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
                now = data.now_minute().date()
                year = _state("year")
                running = {i for i in options if running_note(period(kind, year, i), now)}
                st.selectbox(
                    KINDS[kind],
                    list(options),
                    key=_widget("index"),
                    on_change=_keep,
                    args=("index",),
                    format_func=lambda i: (
                        labels.get(i, fmt.format(i)) + (" (진행 중)" if i in running else "")
                    ),
                )
        if user.role != "부서":
            registered = tuple(settings.departments)
            unregistered = data.run(va.unregistered_count, registered)
            options = list(registered) + ([UNREGISTERED] if unregistered else [])
            st.session_state["flt_depts"] = [d for d in _state("depts") if d in options]
            st.multiselect(
                "부서",
                options,
                key=_widget("depts"),
                on_change=_keep,
                args=("depts",),
                placeholder="전체 부서",
                format_func=lambda d: f"{d} ({unregistered:,}건)" if d == UNREGISTERED else d,
                help="미등록: 처리부서가 비어 있거나 설정의 부서 목록에 없는 건",
            )
        else:
            st.caption(f"부서: {md(user.department)}")
        scope = _scope_from_state(settings, user)
        st.caption(_period_state(scope, data.now_minute().date()))
    return scope


def _period_state(scope: Scope, today: date) -> str:
    """The sidebar's line under the period: running (with its day count), not started, or complete."""
    note = running_note(scope, today)
    if note:
        return f"{scope.label} · {note}"
    return f"{scope.label} · 아직 시작 전" if scope.start > today else f"{scope.label} · 마감된 기간"


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
    return Scope(scope.start, scope.end, depts, scope.label, tuple(settings.departments), kind)
