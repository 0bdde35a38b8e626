"""Database access for pages: short-lived connections and results cached per data version."""
from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import streamlit as st

from ccm import db
from ccm.settings import Settings, load_settings, settings_path

T = TypeVar("T")


def settings() -> Settings:
    return _settings_cached(str(settings_path()), _mtime(settings_path()))


@st.cache_resource(show_spinner=False, max_entries=4)
def _settings_cached(path: str, mtime: int) -> Settings:
    return load_settings(path)


def db_path() -> Path:
    return settings().db_path


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


def data_version() -> tuple:
    """Changes whenever any process writes the database or the settings (no connection needed)."""
    p = db_path()
    return (str(p), _mtime(p), _mtime(p.with_name(p.name + ".wal")), _mtime(settings_path()))


@contextmanager
def connection() -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection for one unit of work. Waits while a loader holds the lock, then releases it."""
    with st.spinner("다른 작업이 데이터를 저장하는 중입니다. 잠시 기다려 주세요…", show_time=True):
        con = db.connect(db_path(), wait_seconds=120)
    try:
        yield con
    finally:
        con.close()


def run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call a domain query `fn(con, *args, **kwargs)`, cached until the data or settings change.
    If a loader keeps the database locked past the wait, the page says so instead of a traceback."""
    try:
        return _cached(fn.__module__, fn.__qualname__, data_version(), args, tuple(sorted(kwargs.items())))
    except db.DatabaseBusy as exc:
        st.warning(f"{exc} (큰 파일을 적재하는 중일 수 있습니다. 적재가 끝나면 새 데이터가 보입니다.)", icon=":material/hourglass:")
        st.stop()


@st.cache_data(show_spinner=False, max_entries=1000)
def _cached(module: str, qualname: str, version: tuple, args: tuple, kwargs: tuple) -> Any:
    fn: Any = importlib.import_module(module)
    for part in qualname.split("."):
        fn = getattr(fn, part)
    with connection() as con:
        return fn(con, *args, **dict(kwargs))


def now_minute():
    from ccm.period import now

    return now().replace(second=0, microsecond=0)


def test_mode() -> bool:
    return os.environ.get("CCM_TEST") == "1"
