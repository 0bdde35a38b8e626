"""DuckDB access: one schema, short-lived connections, lock-aware opening.

DuckDB locks a database file per process. The dashboard and the CLI loaders therefore never keep a
connection open longer than one unit of work; `connect` waits (with back-off) while another process
holds the lock instead of failing.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ccm import schema

LOCK_MESSAGE = "Could not set lock"
_SCHEMA_LOCK = threading.Lock()  # two threads opening a new database must not both create the schema


class DatabaseBusy(RuntimeError):
    """Another process kept the database locked for longer than we were willing to wait."""


class DatabaseUnusable(ValueError):
    """The database path is a folder or a file that is not a DuckDB database (message in Korean)."""


DUCKDB_MAGIC = b"DUCK"  # bytes 8–11 of every DuckDB database file (after the header checksum)


def check_file(path: str | Path) -> None:
    """Refuse a path that holds something other than a DuckDB database; a missing file is fine (created)."""
    path = Path(path)
    if path.is_dir():
        raise DatabaseUnusable(f"데이터베이스 경로가 파일이 아니라 폴더입니다: {path}")
    if not path.exists():
        return
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
    except OSError:
        return  # unreadable here (e.g. held open by another process on Windows): DuckDB will say why
    if head[8:12] != DUCKDB_MAGIC:
        raise DatabaseUnusable(
            f"DuckDB 데이터베이스 파일이 아닙니다: {path} — 데이터베이스 경로(--db, CCM_DB 또는 "
            "설정 [database] path)를 확인하세요."
        )


def connect(path: str | Path, *, wait_seconds: float = 60.0) -> duckdb.DuckDBPyConnection:
    """Open the database (creating it and its schema if needed), waiting while it is locked."""
    path = Path(path)
    check_file(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    delay = 0.05
    while True:
        try:
            con = duckdb.connect(str(path))
            break
        except duckdb.IOException as exc:
            if LOCK_MESSAGE not in str(exc) or time.monotonic() >= deadline:
                if LOCK_MESSAGE in str(exc):
                    raise DatabaseBusy(
                        f"데이터베이스를 다른 작업이 사용 중입니다({path.name}). 잠시 후 다시 시도하세요."
                    ) from exc
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
    ensure_schema(con)
    return con


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: commit when the block ends, roll back on any exception."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
        con.execute("COMMIT")
    except BaseException:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass  # the failed COMMIT already ended the transaction
        raise


_sessions: dict[str, list[int]] = {}  # resolved path → [sessions opened so far, sessions open now]
_sessions_lock = threading.Lock()


@contextmanager
def session(path: str | Path, *, wait_seconds: float = 60.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection for one unit of work; closed (and the file lock released) afterwards."""
    key = str(Path(path).resolve())
    with _sessions_lock:
        counts = _sessions.setdefault(key, [0, 0])
        counts[0] += 1
        counts[1] += 1
    try:
        con = connect(path, wait_seconds=wait_seconds)
        try:
            yield con
        finally:
            con.close()
    finally:
        with _sessions_lock:
            counts[1] -= 1


@contextmanager
def sessions_held(path: str | Path) -> Iterator[int]:
    """Hold back new `session`s in this process while the block runs; yields how many are open on `path`."""
    with _sessions_lock:
        yield _sessions.get(str(Path(path).resolve()), (0, 0))[1]


def sessions_opened(path: str | Path) -> tuple[int, int]:
    """(sessions opened so far, sessions open now) on `path` in this process."""
    with _sessions_lock:
        opened, open_now = _sessions.get(str(Path(path).resolve()), (0, 0))
        return opened, open_now


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create or upgrade the schema, writing only when the code's DDL differs from the stored one.

    (Writing on every open would change the file and so invalidate every cached query result.)
    """
    statements = schema.ddl()
    digest = hashlib.sha256("\n;\n".join(statements).encode()).hexdigest()
    with _SCHEMA_LOCK:
        _apply_schema(con, statements, digest)


def _apply_schema(con: duckdb.DuckDBPyConnection, statements: list[str], digest: str) -> None:
    if not _has_schema_info(con):
        con.execute("CREATE TABLE IF NOT EXISTS schema_info (ddl_sha256 VARCHAR)")
    stored = con.execute("SELECT ddl_sha256 FROM schema_info").fetchall()  # all: no result left pending
    if stored and stored[0][0] == digest:
        return
    with transaction(con):
        for stmt in statements:
            con.execute(stmt)
        con.execute("DELETE FROM schema_info")
        con.execute("INSERT INTO schema_info VALUES (?)", [digest])


def _has_schema_info(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_info' AND schema_name = 'main'"
        ).fetchone()[0]
    )
