"""Database access for pages: a briefly pooled connection (cursor per query) and results cached per data version."""

from __future__ import annotations

import functools
import hashlib
import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from ccm import db
from ccm.settings import Settings, load_settings, overlay_path, settings_path
from ui.memo import Shared, key_of, private_copy

T = TypeVar("T")


def settings() -> Settings:
    """settings.toml with its database's overlay; reloaded when either file changes."""
    return _state()[0]


def _state() -> tuple[Settings, tuple]:
    """The settings and the data version, from one look at the files (a page asks for both dozens of
    times per run)."""
    file = _settings_file(os.environ.get("CCM_SETTINGS"))
    file_mtime = _mtime(file)
    plain = _settings_cached(file, file_mtime, 0)
    overlay_mtime = _mtime(_companions(plain.db_path)[1])
    current = _settings_cached(file, file_mtime, overlay_mtime) if overlay_mtime else plain
    db_file = current.db_path
    wal, overlay = _companions(db_file)
    return current, (str(db_file), _mtime(db_file), _mtime(wal), file_mtime, _mtime(overlay))


@functools.lru_cache(maxsize=16)
def _settings_file(env: str | None) -> str:
    return str(settings_path())


@functools.lru_cache(maxsize=16)
def _companions(db_file: Path) -> tuple[str, str]:
    """(its write-ahead log, its settings overlay)."""
    return str(db_file.with_name(db_file.name + ".wal")), str(overlay_path(db_file))


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


def _mtime(path: str | Path) -> int:
    try:
        return os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return 0


def data_version() -> tuple:
    """Changes whenever any process writes the database or the settings (no connection needed)."""
    return _state()[1]


_aliases: OrderedDict[tuple, tuple] = OrderedDict()  # data version → the content version it holds
_pending: dict[str, tuple] = {}  # database → its content version while a content-neutral write runs
_aliases_lock = threading.Lock()
_bookkeeping_lock = threading.Lock()


def content_version() -> tuple:
    """The data version, except that a write of sign-in and audit bookkeeping alone (`bookkeeping`) or a
    checkpoint keeps the version it came after: a colleague signing in does not empty everybody's
    shared results."""
    with _aliases_lock:
        version = data_version()
        pending = _pending.get(version[0])
        return pending if pending is not None else _aliases.get(version, version)


@contextmanager
def bookkeeping() -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor for writes to sign-in and audit bookkeeping only (sessions, login attempts, the audit
    log, a password hash's upgrade), which no page's figures read. If nothing else in this process
    could write meanwhile (no other writing cursor or `ccm.db.session` open, none opened), the new file
    stamps keep the content version of the old ones; other processes cannot write while the cursor is
    held (DuckDB locks the file per process). Queries of bookkeeping tables use `run_current`."""
    path = str(db_path())
    with _bookkeeping_lock, connection() as con:
        quiet = _quiet_mark(path)
        with _content_neutral(data_version(), lambda: quiet is not None and _quiet_mark(path) == quiet):
            yield con  # a refused sign-in raises after writing its attempt: still bookkeeping


@contextmanager
def _content_neutral(before: tuple, alone: Callable[[], bool]) -> Iterator[None]:
    """Around a write that changes no content: meanwhile `content_version` stays at `before`'s, and
    afterwards the new stamps keep it if `alone()` (no other writer could have run)."""
    with _aliases_lock:
        content = _aliases.get(before, before)
        _pending[before[0]] = content
    try:
        yield
    finally:
        after = data_version()  # stamps first, then the check: a writer starting later is not in them
        same = after != before and alone()
        with _aliases_lock:
            _pending.pop(before[0], None)
            if same:
                _aliases[after] = content
                while len(_aliases) > 256:
                    _aliases.popitem(last=False)


def _quiet_mark(path: str) -> tuple | None:
    """What tells that no other writer ran in this process: None while one may be running now."""
    with _pool_lock:
        opened, open_now = db.sessions_opened(path)
        if open_now or _writers.get(path, 0) != 1:  # the one writer is the bookkeeping cursor itself
            return None
        return (_writers_seen, opened)


@dataclass(eq=False)
class _Pooled:
    con: duckdb.DuckDBPyConnection
    users: int = 0
    timer: threading.Timer | None = None


_pool: dict[str, _Pooled] = {}
_pool_lock = threading.Lock()
_opens = 0
_writers: dict[str, int] = {}  # path → cursors now in use that may write
_writers_seen = 0  # cursors that may write, handed out so far (and pooled connections opened)


@contextmanager
def connection(*, reading: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor for one unit of work. Waits while a loader holds the lock. The process shares one
    connection per database file while queries run, closed (lock released) after a short idle time.
    `reading`: the work only reads (the shared queries of `run`); any other cursor may write."""
    path, idle = str(db_path()), _idle_seconds()
    cur = None
    try:
        # Leaving the spinner sends a message, where Streamlit raises a rerun or stop the browser asked
        # for meanwhile: the cursor is released in `finally`, or the file would stay locked for good.
        with st.spinner("다른 작업이 데이터를 저장하는 중입니다. 잠시 기다려 주세요…", show_time=True):
            cur = _acquire(path, reading)
        yield cur
    finally:
        if cur is not None:
            cur.close()
            _release(path, idle, reading)


def _idle_seconds() -> float:
    return settings().database.pool_idle_seconds


def _acquire(path: str, reading: bool) -> duckdb.DuckDBPyConnection:
    global _opens, _writers_seen
    with _pool_lock:
        entry = _pool.get(path)
        if entry is None:
            _writers_seen += 1  # opening may write (a schema upgrade)
            entry = _Pooled(db.connect(path, wait_seconds=120))
            _pool[path] = entry
            _opens += 1
        if entry.timer is not None:
            entry.timer.cancel()
            entry.timer = None
        cur = entry.con.cursor()
        entry.users += 1
        if not reading:
            _writers_seen += 1
            _writers[path] = _writers.get(path, 0) + 1
        return cur


def _release(path: str, idle: float, reading: bool) -> None:
    with _pool_lock:
        if not reading:
            _writers[path] -= 1
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
    """Close a pooled connection nobody uses (the pool lock held). Closing would write the log into the
    file (a checkpoint), new file stamps for the same content: done first, while no other writer can run
    (none in the pool, new `ccm.db.session`s held back, other processes locked out), so the stamps keep
    their content version."""
    del _pool[path]
    try:
        with db.sessions_held(path) as open_now:
            if open_now == 0 and path == str(db_path()):
                with _content_neutral(data_version(), lambda: True):
                    entry.con.execute("CHECKPOINT")
    except duckdb.Error:
        pass  # closing checkpoints anyway; the version then changes
    finally:
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
    """Call a domain query `fn(con, *args, **kwargs)`, shared by every session until the data or settings
    change (`ui.memo`: the caller gets its own copy). If a loader keeps the database locked past the
    wait, the page says so instead of a traceback."""
    return _run(_results, content_version(), fn, args, kwargs)


def run_current(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`run` for queries of the bookkeeping tables (sessions, accounts, the audit log): shared until any
    write, sign-ins included."""
    return _run(_bookkeeping_results, data_version(), fn, args, kwargs)


def _run(cache: Shared, version: tuple, fn: Callable[..., T], args: tuple, kwargs: dict) -> T:
    key = (fn.__module__, fn.__qualname__, version, _key(args), _key(kwargs))
    try:
        return private_copy(cache.get(key, lambda: _query(fn, args, kwargs), version=version))
    except db.DatabaseBusy as exc:
        st.warning(
            f"{exc} (큰 파일을 적재하는 중일 수 있습니다. 적재가 끝나면 새 데이터가 보입니다.)",
            icon=":material/hourglass:",
        )
        st.stop()


def _query(fn: Callable[..., T], args: tuple, kwargs: dict) -> T:
    with connection(reading=True) as con:
        return fn(con, *args, **kwargs)


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
    """A cache key for a DataFrame from its content (columns, dtypes, attrs, index, values), exact:
    numbers and times by their bytes, Arrow-backed columns by their buffers, other values by repr."""
    h = hashlib.blake2b(
        repr((list(map(str, df.columns)), list(map(str, df.dtypes)), df.attrs, len(df))).encode(),
        digest_size=20,
    )
    _update(h, df.index.array)
    for i in range(df.shape[1]):
        h.update(b"\x1e")
        _update(h, df.iloc[:, i].array)
    return h.hexdigest()


def _update(h: Any, values: Any) -> None:
    chunked = getattr(values, "_pa_array", None)  # pandas' Arrow-backed arrays (the str dtype among them)
    if isinstance(chunked, pa.ChunkedArray):
        whole = chunked.combine_chunks() if chunked.num_chunks != 1 else chunked.chunk(0)
        if whole.offset:
            whole = pa.concat_arrays([whole])  # buffers starting at the first value
        h.update(f"{whole.type}:{len(whole)}:{whole.null_count}".encode())
        for buffer in whole.buffers():
            h.update(b"\x1d" if buffer is None else memoryview(buffer))
        return
    array = np.asarray(values) if not isinstance(values, np.ndarray) else values
    if array.dtype.kind in "biufcmM":
        h.update(str(array.dtype).encode() + np.ascontiguousarray(array).tobytes())
    else:
        h.update("\x1f".join(map(repr, array.tolist())).encode("utf-8", "surrogatepass"))


DIGESTS: dict[type, Callable[[Any], str]] = {Settings: settings_digest, pd.DataFrame: frame_digest}
_results = Shared(max_entries=1000)  # by content version
_bookkeeping_results = Shared(max_entries=200)  # by data version (`run_current`)
_figures = Shared(max_entries=300)


def _key(value: Any) -> Any:
    return key_of(value, DIGESTS)


def clear_caches() -> None:
    """Forget every shared result and figure (tests; after restoring a database file in place)."""
    _results.clear()
    _bookkeeping_results.clear()
    _figures.clear()
    with _aliases_lock:
        _aliases.clear()
    clear_settings_memo()


def figure(build: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`build(*args, **kwargs)` → a plotly figure, built once per data version and arguments and shared
    by every session (building a figure costs more than drawing it; ten sessions would build it ten
    times per rerun). `build` is a module-level function that only uses its arguments; the figure
    comes back finished (`ui.figures.finish_figure`) and must not be changed."""
    from ui.figures import shared_figure

    code = getattr(build, "__code__", None)
    where = f"{code.co_filename if code else build.__module__}:{build.__qualname__}"
    version = content_version()
    key = (where, version, _key(args), _key(kwargs))
    return _figures.get(key, lambda: shared_figure(build(*args, **kwargs)), version=version)


def now_minute():
    from ccm.period import now

    return now().replace(second=0, microsecond=0)
