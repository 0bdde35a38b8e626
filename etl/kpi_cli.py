"""python -m etl kpi FILE [--db PATH] [--user NAME]: load a KPI workbook (definitions + monthly actuals), all or nothing.

Exit codes: 0 = loaded; 1 = rows rejected (each named by sheet, row and column), nothing stored;
2 = the file cannot be used (not found, not a workbook, a sheet or a required column missing), nothing stored.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from etl import common_cli, kpi


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="KPI 통합 문서(.xlsx/.xls): 'KPI정의'·'월별실적' 시트")
    common_cli.add_db_argument(parser)
    parser.add_argument("--user", help="적재한 사람 (적재 이력에 기록; 기본: 운영체제 사용자)")


def run(args: argparse.Namespace) -> int:
    settings, db_path = common_cli.settings_and_db(args)
    path = Path(args.file)
    if not path.exists():
        print(f"파일이 없습니다: {path}")
        return 2
    result = kpi.load(path, db_path, settings, loaded_by=args.user or common_cli.os_user())
    print(result.message)
    if not result.rejects.empty:
        print(result.rejects.to_string(index=False))
    return result.exit_code
