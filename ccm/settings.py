"""The one editable settings file (settings.toml), an optional overlay beside the database, and the
paths derived from them.

settings.toml holds facts (each dated one with its `source`) and product defaults. Values that only
make sense for one database — the demo's invented closure days — live in that database's overlay,
`<database name>.overlay.toml` in the database's folder (`python -m etl demo` writes it). Tables merge
key by key; any other value in the overlay replaces the one in settings.toml.
"""
from __future__ import annotations

import errno
import os
import re
import secrets
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SETTINGS = ROOT / "settings.toml"
OVERLAY_SUFFIX = ".overlay.toml"


class SettingsFileError(ValueError):
    """settings.toml or an overlay cannot be used (message in Korean: which file, where, why)."""


@dataclass(frozen=True)
class Settings:
    """Parsed settings. Index like a dict (`settings["sla"]`); paths are resolved against ROOT."""

    raw: dict[str, Any]
    path: Path
    overlay: Path | None = None  # the overlay merged into raw, if any

    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)

    @property
    def db_path(self) -> Path:
        env = os.environ.get("CCM_DB")
        return _resolve(env or self.raw["database"]["path"])

    @property
    def secret_key_file(self) -> Path:
        env = os.environ.get("CCM_SECRET_KEY_FILE")
        if env:
            return _resolve(env)
        configured = self.raw["database"].get("secret_key_file")
        if configured:
            return _resolve(configured)
        return self.db_path.with_suffix(".key")

    def secret_key(self) -> bytes:
        """The key for keyed hashes of personal data; generated on first use, never committed."""
        path = self.secret_key_file
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(secrets.token_hex(32), encoding="ascii")
            try:
                os.replace(tmp, path)  # atomic on POSIX and Windows
            except OSError:
                tmp.unlink(missing_ok=True)
        return bytes.fromhex(path.read_text(encoding="ascii").strip())

    @property
    def departments(self) -> list[str]:
        return list(self.raw["organisation"]["departments"])

    @property
    def facilities(self) -> dict[str, str]:
        """Facility → responsible department."""
        return dict(self.raw["organisation"]["facilities"])

    def with_overlay(self, overlay: Path) -> Settings:
        """These settings with `overlay` merged on top (checked like settings.toml)."""
        raw = merge(self.raw, read_toml(overlay))
        _refuse_unsourced(raw, overlay)
        return replace(self, raw=raw, overlay=overlay)


def _resolve(p: str | os.PathLike[str]) -> Path:
    path = Path(p).expanduser()
    return path if path.is_absolute() else ROOT / path


def settings_path() -> Path:
    env = os.environ.get("CCM_SETTINGS")
    return _resolve(env) if env else DEFAULT_SETTINGS


def overlay_path(db_path: str | os.PathLike[str]) -> Path:
    """The overlay that belongs to a database: data/ccm.duckdb → data/ccm.overlay.toml."""
    p = Path(db_path)
    return p.with_name(p.stem + OVERLAY_SUFFIX)


def load_settings(path: str | os.PathLike[str] | None = None, *, db: str | os.PathLike[str] | None = None) -> Settings:
    """settings.toml (or `path`) plus the overlay of database `db` (default: the configured database), if any.

    Raises SettingsFileError when a file cannot be read or a dated override has no `source`."""
    p = Path(path) if path else settings_path()
    raw = read_toml(p)
    _refuse_unsourced(raw, p)
    settings = Settings(raw=raw, path=p)
    overlay = overlay_path(db if db is not None else settings.db_path)
    return settings.with_overlay(overlay) if overlay.is_file() else settings


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise SettingsFileError(f"설정 파일을 읽을 수 없습니다: {path} ({os_reason(exc)})") from exc
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"line (\d+), column (\d+)", str(exc))
        at = f"{where[1]}행 {where[2]}열" if where else "위치 모름"
        raise SettingsFileError(f"설정 파일 {path.name}: TOML 문법 오류({at})") from exc
    except UnicodeDecodeError as exc:
        raise SettingsFileError(f"설정 파일 {path.name}: UTF-8 글자가 아닌 부분이 있습니다") from exc


def merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; anything else in `top` replaces the value in `base`."""
    out = dict(base)
    for key, value in top.items():
        out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


# ---- facts carry their source ---------------------------------------------------------------------
def dated_override_errors(raw: dict[str, Any]) -> list[str]:
    """Every dated entry (closure day, working day, SLA table, yearly peer average) without a `source`."""
    cal = raw.get("calendar") if isinstance(raw.get("calendar"), dict) else {}
    errors = []
    for key, label in (("extra_closures", "휴무일"), ("working_days", "근무일")):
        for entry in cal.get(key) or []:
            if not _has_source(entry):
                what = f"{entry.get('date')} {entry.get('name', '')}".strip() if isinstance(entry, dict) else str(entry)
                errors.append(f"[calendar] {key} 의 {label} '{what}' 에 근거(source)가 없습니다: "
                              f"{{ date = \"…\", name = \"…\", source = \"근거 문서·결재\" }} 로 적으세요.")
    rules = (raw.get("sla") or {}).get("rules") if isinstance(raw.get("sla"), dict) else None
    for i, rule in enumerate(rules if isinstance(rules, list) else [], start=1):
        if not _has_source(rule):
            errors.append(f"[[sla.rules]] {i}번째 표(시행일 {rule.get('effective_from') if isinstance(rule, dict) else '?'})"
                          " 에 근거(source)가 없습니다.")
    peer = (raw.get("pcsi") or {}).get("peer_average") if isinstance(raw.get("pcsi"), dict) else None
    if isinstance(peer, dict) and any(str(k).isdigit() for k in peer) and not _has_source(peer):
        errors.append("[pcsi.peer_average] 연도별 비교 집단 평균에 근거(source)가 없습니다.")
    return errors


validate_settings = dated_override_errors  # the in-app settings editor's hook (ccm.settings_edit)


def _has_source(entry: Any) -> bool:
    return isinstance(entry, dict) and isinstance(entry.get("source"), str) and bool(entry["source"].strip())


def _refuse_unsourced(raw: dict[str, Any], path: Path) -> None:
    from ccm.sla import rule_table_errors  # the one SLA rule-table check (the editor and recompute run it too)

    errors = dated_override_errors(raw) + rule_table_errors(raw)
    if errors:
        more = f" (그 밖에 {len(errors) - 1}건)" if len(errors) > 1 else ""
        raise SettingsFileError(f"설정 파일 {path.name}: {errors[0]}{more}")


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, in Korean (from the error number)."""
    reasons = {errno.ENOENT: "파일이 없습니다", errno.EACCES: "권한이 없습니다", errno.EPERM: "권한이 없습니다",
               errno.EISDIR: "파일이 아니라 폴더입니다", errno.ENOTDIR: "경로 중간에 폴더가 아닌 것이 있습니다",
               errno.ENOSPC: "디스크 공간이 부족합니다", errno.EROFS: "읽기 전용 위치입니다"}
    return reasons.get(exc.errno, "입출력 오류")
