"""Editing settings.toml from the app: parse with tomlkit (comments kept), validate, atomic save, and
apply (save → recompute stored deadlines when the calendar or SLA tables changed → restore the old file
if that fails → audit).

`validate(raw)` is the typed settings' check (ccm.settings.settings_problems: every section, the SLA rule
tables, sources of dated facts) plus the checks of modules not yet folded into the typed sections.
"""
from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import ParseError

from ccm.settings import settings_problems

VALIDATOR_MODULES = ["ccm.phone"]  # modules whose [section] is not yet a typed section of ccm.settings
RECOMPUTE_SECTIONS = ("calendar", "sla")  # changes here move VOC deadlines: recompute stored SLA columns


class SettingsError(ValueError):
    """The text is not valid TOML (message in Korean, with line and column)."""


def parse(text: str) -> dict[str, Any]:
    """TOML text → plain dict; raises SettingsError with the line and column of a syntax error."""
    try:
        return tomlkit.parse(text).unwrap()
    except ParseError as exc:
        raise SettingsError(f"TOML 문법 오류: {exc.line}행 {exc.col}열 ({exc})") from exc


def validate(raw: dict[str, Any]) -> list[str]:
    """Every problem found (Korean), empty when the settings are usable."""
    errors = settings_problems(raw)
    for name in VALIDATOR_MODULES:
        errors += list(importlib.import_module(name).validate_settings(raw))
    return errors


def check_text(text: str) -> tuple[dict[str, Any] | None, list[str]]:
    """Parse and validate: (raw, errors)."""
    try:
        raw = parse(text)
    except SettingsError as exc:
        return None, [str(exc)]
    return raw, validate(raw)


def changed_sections(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))


def needs_recompute(changed: list[str]) -> bool:
    return any(s in RECOMPUTE_SECTIONS for s in changed)


def save(path: Path, text: str) -> None:
    """Write atomically (temp file in the same folder, then replace) so no reader sees half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    os.replace(tmp, path)
