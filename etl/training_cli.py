"""python -m etl training FILE [--db PATH] [--user NAME]: load a training-record file (교육 실적), all or nothing.

Exit codes: 0 = loaded; 1 = rows rejected (each named by file, row, column and value), nothing stored;
2 = the file cannot be used (not found, unreadable, a required column missing), nothing stored.
`python -m etl training --template OUT.xlsx` writes the empty template with its dropdowns instead.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from etl import common_cli, training, training_template


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file", help="교육 실적 파일 (.xlsx, .xls, .csv) — --template 이면 만들 서식 파일 경로"
    )
    common_cli.add_db_argument(parser)
    parser.add_argument("--user", help="적재한 사람 (적재 이력에 기록; 기본: 운영체제 사용자)")
    parser.add_argument(
        "--template", action="store_true", help="적재하지 않고 빈 서식(.xlsx)을 FILE 에 씁니다"
    )


def run(args: argparse.Namespace) -> int:
    settings, db_path = common_cli.settings_and_db(args, check_db=not args.template)
    path = Path(args.file)
    if args.template:
        path.write_bytes(training_template.build(settings))
        print(f"교육 실적 서식을 만들었습니다: {path}")
        return 0
    if not path.is_file():
        print(f"파일이 없습니다: {path}")
        return 2
    result = training.load(path, db_path, settings, loaded_by=args.user or common_cli.os_user())
    print(result.message)
    if not result.rejects.empty:
        print(result.rejects.to_string(index=False))
    return result.exit_code
