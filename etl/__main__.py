"""Command line: python -m etl {voc,survey,kpi,demo,users} ...

Each command lives in its own module exposing `add_arguments(parser)` and `run(args) -> int`
(exit 0 = all loaded, 1 = some rows rejected, 2 = file unusable / nothing written).
"""
from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = {
    "voc": ("etl.voc_cli", "VOC 내보내기 파일 적재"),
    "survey": ("etl.survey_cli", "고객만족도 설문 응답 파일 적재"),
    "kpi": ("etl.kpi_cli", "KPI 통합 문서(목표·실적) 적재"),
    "demo": ("etl.demo", "데모 데이터베이스 생성"),
    "users": ("etl.users_cli", "사용자 계정 관리"),
}


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")  # Korean messages on a Windows console
    parser = argparse.ArgumentParser(prog="python -m etl", description="CCM 대시보드 데이터 적재")
    sub = parser.add_subparsers(dest="command", required=True)
    modules = {}
    for name, (module_name, help_text) in COMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        modules[name] = module
        module.add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    args = parser.parse_args(argv)
    return modules[args.command].run(args)


if __name__ == "__main__":
    sys.exit(main())
