"""Editing settings.toml from the app: parse with tomlkit (comments kept), validate, atomic save, and
apply (save → recompute stored deadlines when the calendar or SLA tables changed → restore the old file
if that fails → audit).

`validate(raw)` is the typed settings' check (ccm.settings.settings_problems: every section, the SLA rule
tables, sources of dated facts) plus the checks of modules not yet folded into the typed sections.
"""

from __future__ import annotations

import importlib
import os
import tomllib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import tomlkit
from tomlkit.exceptions import ParseError

from ccm import audit, sla
from ccm.db import DatabaseBusy
from ccm.settings import load_settings, settings_problems

VALIDATOR_MODULES = [
    "ccm.phone",
    "ccm.training",
]  # modules whose [section] is not yet a typed section of ccm.settings
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


# ---- apply: save → recompute deadlines → restore on failure → audit -------------------------------
@dataclass(frozen=True)
class Applied:
    """What `apply_settings` did: `saved`, the changed sections, the VOC rows recomputed (None: no
    recompute needed), and otherwise why nothing was saved (`errors`, Korean) or `unchanged`."""

    saved: bool
    changed: tuple[str, ...] = ()
    recomputed: int | None = None
    errors: tuple[str, ...] = ()
    unchanged: bool = False

    @property
    def message(self) -> str:
        """The sentence shown after a save."""
        extra = (
            f" VOC {self.recomputed:,}건의 처리기한을 다시 계산했습니다."
            if self.recomputed is not None
            else ""
        )
        return f"설정을 저장했습니다 (바뀐 구역: {', '.join(self.changed) or '주석·서식'}).{extra}"


def review(current: str, text: str) -> tuple[list[str], list[str]]:
    """(problems, changed sections) of `text` against the file's `current` text (not the overlay on it)."""
    raw, errors = check_text(text)
    return errors, ([] if raw is None else changed_sections(tomllib.loads(current), raw))


def apply_settings(
    path: Path,
    text: str,
    connect: Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]],
    user: str,
    *,
    base: str | None = None,
) -> Applied:
    """Save `text` as the settings file `path` if it is valid; when [calendar] or [sla] changed, recompute
    the stored deadlines (ccm.sla.recompute) in the same connection; put the old file back if that fails,
    so settings and stored deadlines never disagree; audit the save. `base`: the file's text when editing
    began — refused if the file changed since. `connect()` opens the connection (waits for a loader)."""
    current = path.read_text(encoding="utf-8")
    if base is not None and base != current:
        return Applied(
            False,
            errors=(
                "편집을 시작한 뒤 다른 곳에서 설정 파일이 바뀌었습니다. 덮어쓰지 않도록 저장하지 않았습니다. "
                "'파일에서 다시 불러오기'로 최신 내용을 불러와 다시 고치세요.",
            ),
        )
    errors, changed = review(current, text)
    if errors:
        return Applied(False, errors=tuple(errors))
    if not changed and text == current:
        return Applied(False, unchanged=True)
    try:
        with connect() as con:
            return _save_and_recompute(con, path, text, current, tuple(changed), user)
    except DatabaseBusy as exc:
        return Applied(False, tuple(changed), errors=(f"{exc} 설정은 저장하지 않았습니다.",))


def _save_and_recompute(
    con: duckdb.DuckDBPyConnection, path: Path, text: str, old: str, changed: tuple[str, ...], user: str
) -> Applied:
    save(path, text)
    try:
        recomputed = (
            sla.recompute(con, load_settings(path), by=user) if needs_recompute(list(changed)) else None
        )
    except Exception as exc:  # whatever stopped the recompute, the old file comes back  # noqa: BLE001
        save(path, old)
        return Applied(
            False, changed, errors=(f"처리기한을 다시 계산하지 못해 설정을 저장하지 않았습니다: {exc}",)
        )
    audit.record(con, user, "settings", f"바뀐 구역: {', '.join(changed) or '(주석·서식)'}")
    return Applied(True, changed, recomputed)
