"""python -m etl survey FILE [--db PATH] [--spec FILE] [--survey NAME] [--year N] [--wave W]

Exit codes: 0 = loaded (or unchanged), 1 = loaded but the answers contradict the declared scale
(values outside it were not scored, or nobody used its top value; reported), 2 = file unusable,
nothing written.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from ccm import db
from etl import common_cli, survey


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="응답자 원자료 파일 (.xlsx, .xls, .csv)")
    common_cli.add_db_argument(parser)
    parser.add_argument("--spec", help="설문 명세 TOML 파일 (기본: etl/specs/pcsi_default.toml)")
    parser.add_argument("--survey", help="설문 이름 (명세의 survey 대신)")
    parser.add_argument("--year", type=int, help="조사 연도 (명세의 year 대신)")
    parser.add_argument("--wave", help="차수 (예: 상반기)")
    parser.add_argument("--user", help="적재한 사람 (적재 이력에 기록; 기본: 운영체제 사용자)")


def run(args: argparse.Namespace) -> int:
    settings, db_path = common_cli.settings_and_db(args)
    if not Path(args.file).is_file():
        print(f"적재하지 않았습니다: 파일이 없습니다({args.file}).")
        return 2
    try:
        spec = survey.load_spec(args.spec)
        overrides = {
            k: v for k, v in (("survey", args.survey), ("year", args.year), ("wave", args.wave)) if v
        }
        spec = replace(spec, **overrides)
        with db.session(db_path) as con:
            result = survey.load(
                con, Path(args.file), spec, settings, loaded_by=args.user or common_cli.os_user()
            )
    except survey.SurveyError as exc:
        print(f"적재하지 않았습니다: {exc}")
        return 2
    print(result.summary())
    for w in result.report.get("warnings", []):
        print(f"  주의: {w}")
    doubtful = result.report.get("invalid") or result.report.get("scale_mismatch")
    return 1 if doubtful and result.status != "unchanged" else 0
