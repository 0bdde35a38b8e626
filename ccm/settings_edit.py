"""Editing settings.toml from the app: parse with tomlkit (comments kept), validate, atomic save.

`validate(raw)` checks the shared sections; a module may add its own checks by exposing
`validate_settings(raw: dict) -> list[str]` (Korean messages) — listed in VALIDATOR_MODULES. The SLA
rule tables are checked by `ccm.sla.validate_settings`, the same check the settings loader and
`ccm.sla.recompute` run.
"""
from __future__ import annotations

import importlib
import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import ParseError

VALIDATOR_MODULES = ["ccm.settings", "ccm.sla", "ccm.calendar", "ccm.pcsi", "ccm.kpi", "ccm.ranking", "ccm.text", "ccm.voc", "ccm.phone",
                     "etl.readers"]
RECOMPUTE_SECTIONS = ("calendar", "sla")  # changes here move VOC deadlines: recompute stored SLA columns
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


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
    errors: list[str] = []
    for check in (_check_database, _check_organisation, _check_calendar, _check_auth):
        try:
            errors += check(raw)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            errors.append(f"{check.__name__[7:]} 구역을 읽을 수 없습니다: {exc!r}")
    for name in VALIDATOR_MODULES:
        try:
            fn = getattr(importlib.import_module(name), "validate_settings", None)
        except ImportError:
            continue
        if fn is not None:
            errors += list(fn(raw))
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


# ---- checks -------------------------------------------------------------------------------------
def _section(raw: dict, name: str) -> dict:
    value = raw.get(name)
    if not isinstance(value, dict):
        raise KeyError(f"[{name}] 구역이 없습니다")
    return value


def _check_database(raw: dict) -> list[str]:
    path = _section(raw, "database").get("path")
    return [] if isinstance(path, str) and path.strip() else ["[database] path 는 비어 있지 않은 문자열이어야 합니다."]


def _check_organisation(raw: dict) -> list[str]:
    org = _section(raw, "organisation")
    depts = org.get("departments")
    if not isinstance(depts, list) or not depts or not all(isinstance(d, str) and d.strip() for d in depts):
        return ["[organisation] departments 는 부서 이름(문자열)의 목록이어야 하고 비어 있으면 안 됩니다."]
    errors = []
    dupes = sorted({d for d in depts if depts.count(d) > 1})
    if dupes:
        errors.append(f"[organisation] departments 에 같은 부서가 두 번 있습니다: {', '.join(dupes)}")
    if org.get("ccm_department") and org["ccm_department"] not in depts:
        errors.append(f"[organisation] ccm_department '{org['ccm_department']}' 가 departments 에 없습니다.")
    for table in ("facilities", "department_aliases"):
        for key, dept in (org.get(table) or {}).items():
            if dept not in depts:
                errors.append(f"[organisation.{table}] '{key}' → '{dept}': departments 에 없는 부서입니다.")
    return errors


def _check_calendar(raw: dict) -> list[str]:
    cal = _section(raw, "calendar")
    errors = []
    times = {}
    for key in ("work_start", "work_end", "break_start", "break_end"):
        value = cal.get(key)
        if not isinstance(value, str) or not _HHMM.match(value):
            errors.append(f"[calendar] {key} = {value!r}: 'HH:MM' 형식(예: \"09:00\")이어야 합니다.")
        else:
            times[key] = value
    if len(times) == 4 and not (times["work_start"] <= times["break_start"] <= times["break_end"] <= times["work_end"]
                                and times["work_start"] < times["work_end"]):
        errors.append("[calendar] 시각 순서는 work_start ≤ break_start ≤ break_end ≤ work_end 여야 합니다.")
    for key in ("extra_closures", "working_days"):
        for i, entry in enumerate(cal.get(key) or [], start=1):
            if not isinstance(entry, dict) or _as_date(entry.get("date")) is None:
                errors.append(f"[calendar] {key} {i}번째 항목 {entry!r}: {{ date = \"YYYY-MM-DD\", name = \"...\", source = \"근거\" }} 형식이어야 합니다.")
    return errors


def _check_auth(raw: dict) -> list[str]:
    from ccm.auth import DEFAULTS

    section = raw.get("auth") or {}
    return [f"[auth] {k} = {section[k]!r}: 1 이상의 정수여야 합니다." for k in DEFAULTS
            if k in section and (isinstance(section[k], bool) or not isinstance(section[k], int) or section[k] < 1)]


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None
