"""python -m etl actions FILE [--db PATH] [--user NAME]: load a 개선과제 workbook, all or nothing.

Exit codes: 0 = loaded; 1 = rows rejected (each named by file, row, column and value), nothing stored;
2 = the file cannot be used (not found, not a workbook, 과제명/개선시행 부서 column missing), nothing stored.
`python -m etl actions --template OUT.xlsx` writes the template (with the registered actions) instead.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from ccm import actions as act
from ccm import db, text
from ccm.period import Scope, now
from etl import actions, common_cli


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="개선과제 서식 (.xlsx) — --template 이면 만들 서식 파일 경로")
    common_cli.add_db_argument(parser)
    parser.add_argument("--user", help="적재한 사람 (감사 기록·적재 이력; 기본: 운영체제 사용자)")
    parser.add_argument("--template", action="store_true", help="적재하지 않고 서식(.xlsx)을 FILE 에 씁니다")


def run(args: argparse.Namespace) -> int:
    settings, db_path = common_cli.settings_and_db(args, check_db=not args.template)
    path = Path(args.file)
    if args.template:
        rows = None
        if db_path.exists():
            with db.session(db_path) as con:
                rows = act.register(con, Scope(date(1, 1, 1), date(9999, 12, 31)), now())
        path.write_bytes(actions.build_template(settings, tuple(text.topics_of(settings)), rows))
        print(f"개선과제 서식을 만들었습니다: {path}")
        return 0
    if not path.is_file():
        print(f"파일이 없습니다: {path}")
        return 2
    user = actions.CommandLine(username=args.user or common_cli.os_user())
    result = actions.load(path, db_path, settings, user)
    print(result.message)
    if not result.rejects.empty:
        print(result.rejects.to_string(index=False))
    return 0 if result.ok else 1 if not result.rejects.empty else 2
