"""python -m etl demo: a deterministic demo database built through the real loaders.

Each part (VOC, surveys, KPIs) lives in its own module exposing `build(db_path, settings, workdir)`;
export files are written to `workdir` and loaded with the same code a user's file goes through.
The demo's own invented values (etl/demo_settings.toml) are copied beside the database as its
settings overlay, so the dashboard on that database shows what the demo was built with.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path
from types import ModuleType

from ccm.settings import Settings, load_settings, overlay_path
from etl import common_cli

DEMO_SETTINGS = Path(__file__).with_name("demo_settings.toml")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    common_cli.add_db_argument(parser)
    parser.add_argument(
        "--if-missing", action="store_true", help="데이터베이스가 이미 있으면 아무것도 하지 않음"
    )
    parser.add_argument("--force", action="store_true", help="기존 데이터베이스를 지우고 새로 만듦")


def with_demo_overlay(db_path: Path, settings: Settings) -> Settings:
    """Write the demo overlay beside `db_path` and return `settings` with it applied."""
    target = overlay_path(db_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DEMO_SETTINGS, target)
    return settings.with_overlay(target)


def all_parts() -> list[ModuleType]:
    """The demo's parts, in build order (imported here: some load scipy, which `python -m etl --help` need not)."""
    from etl import demo_actions, demo_kpi, demo_phone, demo_survey, demo_training, demo_voc

    return [demo_voc, demo_survey, demo_kpi, demo_phone, demo_training, demo_actions]


def build(db_path: Path, settings: Settings | None = None, parts: list[ModuleType] | None = None) -> Settings:
    """Build the demo database; returns the settings it was built with (the demo overlay applied)."""
    settings = with_demo_overlay(Path(db_path), settings or load_settings(db=db_path))
    with tempfile.TemporaryDirectory(prefix="ccm-demo-") as tmp:
        for module in all_parts() if parts is None else parts:
            print(f"데모 데이터 생성: {module.__name__.rsplit('_', 1)[-1]}", flush=True)
            module.build(db_path, settings, Path(tmp))
    return settings


def run(args: argparse.Namespace) -> int:
    settings, db_path = common_cli.settings_and_db(args)  # never deletes a file that is not a database
    if db_path.exists():
        if args.if_missing:
            print(f"데이터베이스가 이미 있습니다: {db_path}")
            return 0
        if not args.force:
            print(f"데이터베이스가 이미 있습니다: {db_path} (다시 만들려면 --force)")
            return 2
        db_path.unlink()
        db_path.with_name(db_path.name + ".wal").unlink(missing_ok=True)
    overlay_path(db_path).unlink(missing_ok=True)
    build(db_path, load_settings(settings.path, db=db_path))
    print(f"데모 데이터베이스를 만들었습니다: {db_path} (데모 설정: {overlay_path(db_path).name})")
    return 0
