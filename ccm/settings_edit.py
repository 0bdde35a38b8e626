"""Editing settings.toml from the app: parse with tomlkit (comments kept), validate, atomic save.

`validate(raw)` checks the shared sections; a module may add its own checks by exposing
`validate_settings(raw: dict) -> list[str]` (Korean messages) — listed in VALIDATOR_MODULES.
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

VALIDATOR_MODULES = ["ccm.settings", "ccm.sla", "ccm.calendar", "ccm.pcsi", "ccm.kpi", "ccm.ranking", "ccm.text", "ccm.voc"]
RECOMPUTE_SECTIONS = ("calendar", "sla")  # changes here move VOC deadlines: recompute stored SLA columns
COUNTING = ("hours", "days")
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
    for check in (_check_database, _check_organisation, _check_calendar, _check_sla, _check_auth):
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


def _check_sla(raw: dict) -> list[str]:
    sla = _section(raw, "sla")
    types = list((raw.get("voc") or {}).get("types") or {})
    errors = []
    share = sla.get("at_risk_share")
    if share is not None and not (isinstance(share, (int, float)) and 0 < share < 1):
        errors.append(f"[sla] at_risk_share = {share!r}: 0과 1 사이의 수여야 합니다.")
    rules = sla.get("rules")
    if not isinstance(rules, list) or not rules:
        return errors + ["[sla] rules(처리기한 표)가 하나 이상 있어야 합니다."]
    seen = set()
    for i, rule in enumerate(rules, start=1):
        where = f"[[sla.rules]] {i}번째 표"
        start = _as_date(rule.get("effective_from"))
        if start is None:
            errors.append(f"{where}: effective_from 은 날짜(YYYY-MM-DD)여야 합니다: {rule.get('effective_from')!r}")
        elif start in seen:
            errors.append(f"{where}: 시행일 {start} 인 표가 두 개입니다.")
        seen.add(start)
        days, counting = rule.get("days") or {}, rule.get("counting") or {}
        for t in types:
            if t not in days:
                errors.append(f"{where}: 유형 '{t}' 의 처리기한(days)이 없습니다.")
        for t, n in days.items():
            if types and t not in types:
                errors.append(f"{where}: days 의 '{t}' 는 [voc.types] 에 없는 유형입니다.")
            if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
                errors.append(f"{where}: '{t}' 처리기한 {n!r}: 1 이상의 정수(업무일)여야 합니다.")
        for t, c in counting.items():
            if c not in COUNTING:
                errors.append(f"{where}: '{t}' counting = {c!r}: \"hours\" 또는 \"days\" 여야 합니다.")
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
