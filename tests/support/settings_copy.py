"""The tests' isolated settings file: the baseline copied into a test's folder, pointing at its database."""

from __future__ import annotations

from pathlib import Path

from ccm.settings import write_copy

# The settings file the tests start from: their own copy, so that saving the live settings.toml from the
# admin page never changes a test run (tests/test_settings_typed.py keeps its keys equal to the shipped file's).
BASELINE = Path(__file__).with_name("settings.toml")


def write_settings(folder: Path, db: Path) -> Path:
    return write_copy(folder, db, BASELINE)
