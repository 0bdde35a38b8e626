"""The app's pages and its router.

`dashboard.py` routes with `route()`. A deep link on a fresh server runs a page *without*
dashboard.py (Streamlit's legacy pages/-folder mode, until the first st.navigation call in the
process); the bootstrap then calls `ensure_navigation()`, which installs the same navigation so the
sidebar and page links are the app's, not the file names.
"""

from __future__ import annotations

import threading

import streamlit as st

from ccm.settings import ROOT

_routing = threading.local()

SECTIONS: dict[str, list[tuple[str, str, str]]] = {  # section: [(url_path, title, icon)]
    "": [("overview", "개요", ":material/home:")],
    "VOC 분석": [
        ("sla", "처리기한 준수", ":material/timer:"),
        ("trends", "유형별 추이", ":material/trending_up:"),
        ("actions", "개선과제", ":material/task_alt:"),
    ],
    "성과": [
        ("kpi", "KPI 달성", ":material/flag:"),
        ("pcsi", "고객만족도(PCSI)", ":material/sentiment_satisfied:"),
        ("phone", "전화친절도", ":material/call:"),
        ("training", "교육 이수", ":material/school:"),
        ("ranking", "부서 평가·포상", ":material/military_tech:"),
    ],
    "보고": [
        ("report", "반기 VOC 보고서", ":material/description:"),
        ("meeting", "회의 화면", ":material/co_present:"),
    ],
    "데이터": [("upload", "데이터 올리기", ":material/upload:"), ("admin", "관리", ":material/settings:")],
}


ORGANISATION_WIDE = ("관리자", "분석", "열람")  # not for a department-only (부서) account
ACCESS: dict[str, tuple[str, ...]] = {  # url_path: the roles that may open it (other pages: every role)
    "report": ORGANISATION_WIDE,
    "meeting": ORGANISATION_WIDE,
    "upload": ("관리자", "분석", "부서"),
    "admin": ("관리자",),
}


def pages(role: str | None = None) -> dict[str, list[st.Page]]:
    """The app's pages; those `role` may not open are left out of the menu (their URL still answers,
    with the page's refusal). Signed out (`role` None), every page is left out: a deep link still
    reaches its page, which shows the login form."""

    def visibility(url: str) -> str:
        return "hidden" if role is None or (url in ACCESS and role not in ACCESS[url]) else "visible"

    return {
        section: [
            st.Page(
                ROOT / "pages" / f"{url}.py",
                title=title,
                icon=icon,
                url_path=url,
                default=url == "overview",
                visibility=visibility(url),
            )
            for url, title, icon in entries
        ]
        for section, entries in SECTIONS.items()
    }


def _role() -> str | None:
    from ui import auth

    return auth.session_role()


def position(role: str | None) -> str:
    """No menu at all for a signed-out visitor."""
    return "sidebar" if role is not None else "hidden"


def route() -> None:
    role = _role()
    page = st.navigation(pages(role), position=position(role), expanded=True)  # no English "View less"
    _routing.active = True
    try:
        page.run()
    finally:
        _routing.active = False


def ensure_navigation() -> None:
    """When a page runs in legacy pages/-folder mode (a deep link before any st.navigation call in
    this server process), install the app's navigation and restart the run through the router."""
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(_routing, "active", False) or not PagesManager.uses_pages_directory:
        return
    role = _role()
    nav = pages(role)
    st.navigation(nav, position=position(role), expanded=True)  # leaves legacy mode for the whole process
    wanted = st.context.url.rstrip("/").rsplit("/", 1)[-1].split("?")[0] if st.context.url else ""
    by_url = {
        url: page for section, entries in SECTIONS.items() for (url, _, _), page in zip(entries, nav[section])
    }
    st.switch_page(by_url.get(wanted, by_url["overview"]))
