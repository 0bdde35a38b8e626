"""Database access for pages: a briefly pooled connection (cursor per query) and results cached per data version."""

from __future__ import annotations

import hashlib
import importlib
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import numpy as np
import pandas as pd
import streamlit as st

from ccm import db
from ccm.settings import Settings, load_settings, overlay_path, settings_path

T = TypeVar("T")


def settings() -> Settings:
    """settings.toml with its database's overlay; reloaded when either file changes."""
    path = settings_path()
    plain = _settings_cached(str(path), _mtime(path), 0)
    overlay = _mtime(overlay_path(plain.db_path))
    return _settings_cached(str(path), _mtime(path), overlay) if overlay else plain


_settings_memo: dict[tuple[str, int, int], Settings] = {}
_settings_lock = threading.Lock()


def _settings_cached(path: str, mtime: int, overlay_mtime: int) -> Settings:
    """A page asks for the settings dozens of times per run: a plain dict keeps that at a few
    microseconds (st.cache_resource's key hashing cost ~2 ms a call, for every session)."""
    key = (path, mtime, overlay_mtime)
    with _settings_lock:
        hit = _settings_memo.get(key)
    if hit is not None:
        return hit
    loaded = load_settings(path)
    with _settings_lock:
        if len(_settings_memo) >= 4:
            _settings_memo.clear()
        return _settings_memo.setdefault(key, loaded)


def clear_settings_memo() -> None:
    with _settings_lock:
        _settings_memo.clear()


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
    return (
        str(p),
        _mtime(p),
        _mtime(p.with_name(p.name + ".wal")),
        _mtime(settings_path()),
        _mtime(overlay_path(p)),
    )


@dataclass(eq=False)
class _Pooled:
    con: duckdb.DuckDBPyConnection
    users: int = 0
    timer: threading.Timer | None = None


_pool: dict[str, _Pooled] = {}
_pool_lock = threading.Lock()
_opens = 0


@contextmanager
def connection() -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor for one unit of work. Waits while a loader holds the lock. The process shares one
    connection per database file while queries run, closed (lock released) after a short idle time."""
    path, idle = str(db_path()), _idle_seconds()
    cur = None
    try:
        # Leaving the spinner sends a message, where Streamlit raises a rerun or stop the browser asked
        # for meanwhile: the cursor is released in `finally`, or the file would stay locked for good.
        with st.spinner("다른 작업이 데이터를 저장하는 중입니다. 잠시 기다려 주세요…", show_time=True):
            cur = _acquire(path)
        yield cur
    finally:
        if cur is not None:
            cur.close()
            _release(path, idle)


def _idle_seconds() -> float:
    return settings().database.pool_idle_seconds


def _acquire(path: str) -> duckdb.DuckDBPyConnection:
    global _opens
    with _pool_lock:
        entry = _pool.get(path)
        if entry is None:
            entry = _Pooled(db.connect(path, wait_seconds=120))
            _pool[path] = entry
            _opens += 1
        if entry.timer is not None:
            entry.timer.cancel()
            entry.timer = None
        cur = entry.con.cursor()
        entry.users += 1
        return cur


def _release(path: str, idle: float) -> None:
    with _pool_lock:
        entry = _pool.get(path)
        if entry is None:
            return
        entry.users -= 1
        if entry.users > 0:
            return
        if idle <= 0:
            _close(path, entry)
            return
        entry.timer = threading.Timer(idle, _close_if_idle, (path, entry))
        entry.timer.daemon = True
        entry.timer.start()


def _close_if_idle(path: str, entry: _Pooled) -> None:
    with _pool_lock:
        if _pool.get(path) is entry and entry.users == 0:
            _close(path, entry)


def _close(path: str, entry: _Pooled) -> None:
    del _pool[path]
    entry.con.close()


def close_pool() -> None:
    """Close the pooled connections nobody is using now (e.g. before handing the file to another process)."""
    with _pool_lock:
        for path, entry in list(_pool.items()):
            if entry.users == 0:
                if entry.timer is not None:
                    entry.timer.cancel()
                _close(path, entry)


def pool_state(path: str | Path) -> tuple[bool, int]:
    """(is a pooled connection to `path` open, connections opened by this process so far)."""
    with _pool_lock:
        return str(path) in _pool, _opens


def run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call a domain query `fn(con, *args, **kwargs)`, cached until the data or settings change.
    If a loader keeps the database locked past the wait, the page says so instead of a traceback."""
    try:
        return _cached(fn.__module__, fn.__qualname__, data_version(), args, tuple(sorted(kwargs.items())))
    except db.DatabaseBusy as exc:
        st.warning(
            f"{exc} (큰 파일을 적재하는 중일 수 있습니다. 적재가 끝나면 새 데이터가 보입니다.)",
            icon=":material/hourglass:",
        )
        st.stop()


_digests: dict[int, tuple[weakref.ref, str]] = {}
_digests_lock = threading.RLock()  # the weakref callback may run inside the lock (garbage collection)


def settings_digest(s: Settings) -> str:
    """A cache key for a Settings object, computed once per object: hashing the whole settings on
    every cached call cost more than a page's queries once ten sessions share the server."""
    with _digests_lock:
        hit = _digests.get(id(s))
        if hit is not None and hit[0]() is s:
            return hit[1]
        digest, key = s.digest, id(s)
        _digests[key] = (weakref.ref(s, lambda _, k=key: _digests.pop(k, None)), digest)
        return digest


def frame_digest(df: pd.DataFrame) -> str:
    """A cache key for a DataFrame argument from its content (columns, dtypes, attrs, index, values).
    Streamlit's own DataFrame hashing took ~5 ms per small frame on every rerun; pickled bytes are not
    canonical (equal Arrow-backed frames pickle differently)."""
    h = hashlib.blake2b(
        repr((list(map(str, df.columns)), list(map(str, df.dtypes)), df.attrs)).encode(), digest_size=20
    )
    h.update(_values_bytes(df.index.to_numpy()))
    for i in range(df.shape[1]):
        h.update(b"\x1e" + _values_bytes(df.iloc[:, i].to_numpy()))
    return h.hexdigest()


def _values_bytes(a: Any) -> bytes:
    if getattr(a, "dtype", None) is not None and a.dtype.kind in "biufcmM":
        return str(a.dtype).encode() + np.ascontiguousarray(a).tobytes()
    return "\x1f".join(map(repr, list(a))).encode("utf-8", "surrogatepass")


HASH_FUNCS = {Settings: settings_digest, pd.DataFrame: frame_digest}


@st.cache_data(show_spinner=False, max_entries=1000, hash_funcs=HASH_FUNCS)
def _cached(module: str, qualname: str, version: tuple, args: tuple, kwargs: tuple) -> Any:
    fn: Any = importlib.import_module(module)
    for part in qualname.split("."):
        fn = getattr(fn, part)
    with connection() as con:
        return fn(con, *args, **dict(kwargs))


def figure(build: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`build(*args, **kwargs)` → a plotly figure, built once per data version and arguments and shared
    by every session (building a figure costs more than drawing it; ten sessions would build it ten
    times per rerun). `build` is a module-level function that only uses its arguments; the figure
    comes back finished (`ui.figures.finish_figure`) and must not be changed."""
    code = getattr(build, "__code__", None)
    where = f"{code.co_filename if code else build.__module__}:{build.__qualname__}"
    return _figure(where, data_version(), args, tuple(sorted(kwargs.items())), build)


@st.cache_resource(show_spinner=False, max_entries=300, hash_funcs=HASH_FUNCS)
def _figure(where: str, version: tuple, args: tuple, kwargs: tuple, _build: Callable[..., Any]) -> Any:
    from ui.figures import shared_figure

    return shared_figure(_build(*args, **dict(kwargs)))


def now_minute():
    from ccm.period import now

    return now().replace(second=0, microsecond=0)
