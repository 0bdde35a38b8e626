"""Real-browser fixtures: one `streamlit run dashboard.py` per module on a free loopback port, Debian chromium
through Playwright, and helpers that wait for Streamlit to finish each run."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ccm import auth, db
from ccm.settings import ROOT, load_settings
from tests.support.constants import NOW
from tests.support.settings_copy import write_settings

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
USERS = {  # username: (role, department, password)
    "admin": ("관리자", None, "admin-password-1"),
    "analyst": ("분석", None, "analyst-password-1"),
    "viewer": ("열람", None, "viewer-password-1"),
    "dept": ("부서", "관광사업팀", "dept-password-12"),
}


@dataclass(frozen=True)
class Server:
    url: str
    db_path: Path
    settings_path: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("streamlit did not become healthy")


@pytest.fixture(scope="module")
def server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A fresh server on a copy of the demo database with one user per role (no page visited yet)."""
    if not CHROMIUM.exists():
        pytest.skip(
            "/usr/bin/chromium is not installed (apt-get install chromium fonts-noto-cjk; .ci/run does it)"
        )
    folder = tmp_path_factory.mktemp("browser")
    db_path = folder / "ccm.duckdb"
    shutil.copy(demo_db, db_path)
    shutil.copy(demo_db.parent / "secret.key", folder / "secret.key")
    settings_path = write_settings(folder, db_path)
    settings = load_settings(settings_path)
    with db.session(db_path) as con:
        for name, (role, dept, password) in USERS.items():
            auth.create_user(con, name, role, dept, password, settings=settings, by="pytest")
    port = _free_port()
    env = {
        **os.environ,
        "CCM_SETTINGS": str(settings_path),
        "CCM_DB": str(db_path),
        "CCM_SECRET_KEY_FILE": str(folder / "secret.key"),
        "CCM_NOW": NOW,
    }
    env.pop("CCM_TEST", None)
    log = (folder / "server.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "dashboard.py",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield Server(url, db_path, settings_path)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser(server: Server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _fresh_page(browser):
    context = browser.new_context(
        viewport={"width": 1400, "height": 1400}, locale="ko-KR", accept_downloads=True
    )
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    yield pg
    context.close()


@pytest.fixture
def page(browser):
    """A fresh browser context (no Streamlit session, no cookies) per test."""
    yield from _fresh_page(browser)


@pytest.fixture
def other_page(browser):
    """A second fresh context beside `page`: another user's session on the same server."""
    yield from _fresh_page(browser)


def settle(page) -> None:
    """Wait until Streamlit has finished the run the last action triggered and nothing is loading."""
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-test-script-state='notRunning']", state="attached")
    page.wait_for_function("document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0")
    page.wait_for_selector("[data-test-script-state='notRunning']", state="attached")


def open_url(page, server: Server, path: str = "") -> None:
    page.goto(f"{server.url}/{path}")
    settle(page)


def login(page, username: str) -> None:
    page.get_by_label("사용자 이름").fill(username)
    page.get_by_label("비밀번호").fill(USERS[username][2])
    page.get_by_role("button", name="로그인").click()
    page.get_by_role("button", name="로그아웃").or_(page.locator("[data-testid='stAlert']")).first.wait_for()
    settle(page)


def nav_to(page, title: str) -> None:
    """Click a page in the sidebar navigation (expanding a collapsed sidebar or a shortened list first)."""
    expand = page.get_by_test_id("stExpandSidebarButton")
    if expand.count() and expand.is_visible():
        expand.click()
    more = page.get_by_test_id("stSidebarNavViewButton")
    if more.count() and more.is_visible() and "more" in more.inner_text().lower():
        more.click()
    page.locator("[data-testid='stSidebarNav'] a").filter(has=page.get_by_text(title, exact=True)).click()
    settle(page)


def session_cookie(page) -> dict | None:
    """The dashboard's sign-in cookie in the page's browser context (None when there is none)."""
    from ui.auth import COOKIE

    return next((c for c in page.context.cookies() if c["name"] == COOKIE), None)


def main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
