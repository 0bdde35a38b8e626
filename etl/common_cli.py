"""What every `python -m etl` command shares: the `--db` option, the settings for that database, and
one Korean line on stderr instead of a traceback when a command fails.

Exit codes of the failure line: 2 = the input, the database or a folder cannot be used (nothing
written); 1 = an unexpected error (the traceback only with the environment variable CCM_DEBUG=1).
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

import duckdb

from ccm import db
from ccm.db import DatabaseBusy
from ccm.settings import Settings, load_settings, os_reason
from etl.readers import ReadError

DB_HELP = "데이터베이스 경로 (기본: 설정 또는 CCM_DB)"
EXPECTED = (ReadError, DatabaseBusy, ValueError, OSError, duckdb.Error)
_HANGUL = re.compile(r"[가-힣]")


def add_db_argument(parser: argparse.ArgumentParser, dest: str = "db") -> None:
    """`--db PATH`; absent from the namespace unless given, so it may appear at several levels."""
    parser.add_argument("--db", dest=dest, metavar="PATH", default=argparse.SUPPRESS, help=DB_HELP)


def settings_and_db(args: argparse.Namespace, *, check_db: bool = True) -> tuple[Settings, Path]:
    """The settings (with the overlay of the chosen database) and the database path (`--db` or configured).

    check_db: refuse at once a path that is not a DuckDB database, before any input is read."""
    given = getattr(args, "db", None)
    settings = load_settings(db=Path(given).resolve()) if given else load_settings()
    path = Path(given) if given else settings.db_path
    if check_db:
        db.check_file(path)
    return settings, path


def os_user() -> str:
    """Who runs the command, for the load history: the operating system's login name."""
    try:
        return getpass.getuser() or "알 수 없음"
    except Exception:  # noqa: BLE001 - a service account may have no login name
        return "알 수 없음"


def run_command(run: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """`run(args)`, with any failure reported as one Korean line on stderr."""
    try:
        return run(args)
    except KeyboardInterrupt:
        print("중단했습니다.", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place that turns every failure into a line
        line, code = describe(exc)
        print(line, file=sys.stderr, flush=True)
        if os.environ.get("CCM_DEBUG"):
            traceback.print_exc()
        return code


def describe(exc: BaseException) -> tuple[str, int]:
    """(one Korean line, exit code) for a failure."""
    if not isinstance(exc, EXPECTED):
        return (
            "오류: 예상하지 못한 문제로 멈췄습니다. 환경변수 CCM_DEBUG=1 로 다시 실행하면 자세한 내용이 나옵니다.",
            1,
        )
    message = " ".join(str(exc).split())
    if _HANGUL.search(message):
        return f"오류: {message}", 2
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return f"오류: 파일이나 폴더를 사용할 수 없습니다{where} ({os_reason(exc)})", 2
    if isinstance(exc, duckdb.Error):
        return (
            "오류: 데이터베이스 작업에 실패했습니다. 데이터베이스 경로(--db)와 남은 디스크 공간을 확인하세요.",
            2,
        )
    return "오류: 값을 처리할 수 없습니다. 환경변수 CCM_DEBUG=1 로 다시 실행하면 자세한 내용이 나옵니다.", 2
