"""Shared fixtures: an isolated settings file and database per test, the demo database once per run,
and `app_test` to run a real page with streamlit.testing's AppTest."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ccm.settings import ROOT, Settings, load_settings, overlay_path
from tests.support.accounts import sign_in
from tests.support.constants import NOW
from tests.support.settings_copy import write_settings
from ui import data

pytest_plugins = [
    "tests.support.live_browser"
]  # the browser tests' fixtures: server, browser, page, other_page


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings pointing at a fresh database in tmp_path; CCM_* variables set for the app and CLI."""
    db = tmp_path / "ccm.duckdb"
    path = write_settings(tmp_path, db)
    # No pooled dashboard connection in AppTest tests: a test may open the file in another mode right after
    # a page ran (the pool is tested in test_coexistence.py and used by the browser tests' server).
    path.write_text(
        re.sub(
            r"pool_idle_seconds = [0-9.]+", "pool_idle_seconds = 0", path.read_text(encoding="utf-8"), count=1
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("CCM_SETTINGS", str(path))
    monkeypatch.setenv("CCM_DB", str(db))
    monkeypatch.setenv("CCM_SECRET_KEY_FILE", str(tmp_path / "secret.key"))
    monkeypatch.setenv("CCM_NOW", NOW)
    monkeypatch.setenv("CCM_TEST", "1")
    return load_settings(path)


@pytest.fixture
def db_path(env: Settings) -> Path:
    return env.db_path


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, built once per test run through the real loaders (with the demo's settings
    overlay written beside it, as `python -m etl demo` does). Copy it before writing."""
    from etl import demo

    folder = tmp_path_factory.mktemp("demo")
    db = folder / "demo.duckdb"
    mp = pytest.MonkeyPatch()
    mp.setenv("CCM_SECRET_KEY_FILE", str(folder / "secret.key"))
    mp.setenv("CCM_NOW", NOW)
    try:
        settings = load_settings(write_settings(folder, db))
        demo.build(db, settings)
    finally:
        mp.undo()
    return db


@pytest.fixture
def demo_env(env: Settings, demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Like `env`, but the database is a private copy of the demo database, with its settings overlay."""
    shutil.copy(demo_db, env.db_path)
    shutil.copy(demo_db.parent / "secret.key", Path(env.secret_key_file))
    shutil.copy(overlay_path(demo_db), overlay_path(env.db_path))
    return load_settings(env.path)


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    _clear_caches()
    yield
    _clear_caches()


def _clear_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()
    data.clear_caches()


@pytest.fixture
def app_test(env: Settings) -> Callable[..., AppTest]:
    """Factory: app_test("pages/sla.py", role="분석", department=None) → an AppTest, not yet run.

    Signs in as a user of the given role (the only supported way for page tests to get a user): the
    account is created in the test database and the session is marked signed in exactly as the login
    form does (tests/support/accounts.py). A 부서 user without a department gets the first configured one.
    """

    def make(page: str, *, role: str = "관리자", department: str | None = None) -> AppTest:
        at = AppTest.from_file(str(ROOT / page), default_timeout=30)
        sign_in(at, env, role, department)
        return at

    return make


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that needs the demo database (directly or through demo_env or the browser server) is `slow`."""
    for item in items:
        if "demo_db" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
