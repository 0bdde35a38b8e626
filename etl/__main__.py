"""Command line: python -m etl [--db PATH] {voc,survey,kpi,training,demo,users} ... [--db PATH]

Each command lives in its own module exposing `add_arguments(parser)` and `run(args) -> int`
(exit 0 = all loaded, 1 = some rows rejected, 2 = file unusable / nothing written). `--db` may come
before the command or after it (after wins). A failure is one Korean line on stderr, never a traceback
(etl/common_cli.py).
"""

from __future__ import annotations

import argparse
import sys

from etl import (
    actions_cli,
    common_cli,
    demo,
    kpi_cli,
    phone_cli,
    survey_cli,
    training_cli,
    users_cli,
    voc_cli,
)

COMMANDS = {
    "voc": (voc_cli, "VOC 내보내기 파일 적재"),
    "survey": (survey_cli, "고객만족도 설문 응답 파일 적재"),
    "kpi": (kpi_cli, "KPI 통합 문서(목표·실적) 적재"),
    "training": (training_cli, "교육 실적(개인별 교육이수 결과) 적재"),
    "phone": (phone_cli, "전화친절도 모니터링 결과 적재"),
    "actions": (actions_cli, "개선과제 서식 적재 (--template: 서식 만들기)"),
    "demo": (demo, "데모 데이터베이스 생성"),
    "users": (users_cli, "사용자 계정 관리"),
}


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")  # Korean messages on a Windows console
    parser = argparse.ArgumentParser(prog="python -m etl", description="CCM 대시보드 데이터 적재")
    common_cli.add_db_argument(parser, dest="db_before_command")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module, help_text) in COMMANDS.items():
        module.add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    args = parser.parse_args(argv)
    before = getattr(args, "db_before_command", None)
    if before and not getattr(args, "db", None):
        args.db = before
    return common_cli.run_command(COMMANDS[args.command][0].run, args)


if __name__ == "__main__":
    sys.exit(main())
