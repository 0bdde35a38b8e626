"""python -m etl demo: a deterministic demo database built through the real loaders.

Each part (VOC, surveys, KPIs) lives in its own module exposing `build(db_path, settings, workdir)`;
export files are written to `workdir` and loaded with the same code a user's file goes through.
"""
from __future__ import annotations

import argparse
import importlib
import tempfile
from pathlib import Path

from ccm.settings import load_settings

PARTS = ["etl.demo_voc", "etl.demo_survey", "etl.demo_kpi"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="데이터베이스 경로 (기본: 설정 또는 CCM_DB)")
    parser.add_argument("--if-missing", action="store_true", help="데이터베이스가 이미 있으면 아무것도 하지 않음")
    parser.add_argument("--force", action="store_true", help="기존 데이터베이스를 지우고 새로 만듦")


def build(db_path: Path, settings=None, parts: list[str] | None = None) -> None:
    settings = settings or load_settings()
    with tempfile.TemporaryDirectory(prefix="ccm-demo-") as tmp:
        for name in parts or PARTS:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
                continue
            print(f"데모 데이터 생성: {name.rsplit('_', 1)[-1]}", flush=True)
            module.build(db_path, settings, Path(tmp))


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    db_path = Path(args.db) if args.db else settings.db_path
    if db_path.exists():
        if args.if_missing:
            print(f"데이터베이스가 이미 있습니다: {db_path}")
            return 0
        if not args.force:
            print(f"데이터베이스가 이미 있습니다: {db_path} (다시 만들려면 --force)")
            return 2
        db_path.unlink()
        db_path.with_name(db_path.name + ".wal").unlink(missing_ok=True)
    build(db_path, settings)
    print(f"데모 데이터베이스를 만들었습니다: {db_path}")
    return 0
