"""The one editable settings file (settings.toml), an optional overlay beside the database, and the
paths derived from them.

Each section is a typed, frozen dataclass of ccm.settings_sections (`settings.sla.at_risk_share`,
`settings.calendar.extra_closures`, `settings.voc.types` …) whose field defaults are the only defaults;
values are checked when the file loads (Korean messages naming the file, key, value and why).

settings.toml holds facts (each dated one with its `source`) and product defaults. Values that only
make sense for one database — the demo's invented closure days — live in that database's overlay,
`<database name>.overlay.toml` in the database's folder (`python -m etl demo` writes it). Tables merge
key by key; any other value in the overlay replaces the one in settings.toml.
"""

from __future__ import annotations

import errno
import hashlib
import os
import pickle
import re
import secrets
import tomllib
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from ccm.settings_sections import (
    ActionSettings,
    AuthSettings,
    CalendarSettings,
    DatabaseSettings,
    KpiSettings,
    LimitSettings,
    MeetingSettings,
    OrganisationSettings,
    PcsiSettings,
    PhoneSettings,
    PrivacySettings,
    RankingSettings,
    ReportSettings,
    SlaSettings,
    TextSettings,
    TrainingSettings,
    TrendSettings,
    VocSettings,
    as_date,
    dated_override_errors,
    parse,
    rule_table_errors,
)

__all__ = [
    "Settings",
    "SettingsFileError",
    "load_settings",
    "settings_path",
    "overlay_path",
    "as_date",
    "dated_override_errors",
    "rule_table_errors",
    "settings_problems",
]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SETTINGS = ROOT / "settings.toml"
OVERLAY_SUFFIX = ".overlay.toml"


class SettingsFileError(ValueError):
    """settings.toml or an overlay cannot be used (message in Korean: which file, where, why)."""


def _section() -> Any:
    return field(init=False, repr=False, compare=False)


@dataclass(frozen=True)
class Settings:
    """Parsed settings: typed, frozen sections (`settings.sla.at_risk_share`) built from `raw` (the merged
    TOML, kept for the settings editor and the overlay merge); paths are resolved against ROOT.

    `problems` lists what is wrong (Korean); load_settings refuses a file with any. Built directly (or by
    `dataclasses.replace(settings, raw=...)`), a bad value keeps its default."""

    raw: dict[str, Any]
    path: Path
    overlay: Path | None = None  # the overlay merged into raw, if any
    database: DatabaseSettings = _section()
    organisation: OrganisationSettings = _section()
    calendar: CalendarSettings = _section()
    voc: VocSettings = _section()
    sla: SlaSettings = _section()
    privacy: PrivacySettings = _section()
    ranking: RankingSettings = _section()
    kpi: KpiSettings = _section()
    text: TextSettings = _section()
    trends: TrendSettings = _section()
    pcsi: PcsiSettings = _section()
    auth: AuthSettings = _section()
    meeting: MeetingSettings = _section()
    limits: LimitSettings = _section()
    report: ReportSettings = _section()
    phone: PhoneSettings = _section()
    training: TrainingSettings = _section()
    actions: ActionSettings = _section()
    problems: tuple[str, ...] = _section()

    def __post_init__(self) -> None:
        sections, problems = parse(self.raw)
        for name, value in sections.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "problems", tuple(problems))

    # Raw access: only tests and benchmarks that build an edited copy (replace(s, raw={**s.raw, ...})); the
    # application reads the typed sections (no settings.get / settings["…"] in ccm, etl, ui, pages).
    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)

    @cached_property
    def digest(self) -> str:
        """A cache key for these settings (ui.data)."""
        return hashlib.blake2b(pickle.dumps((self.raw, str(self.path), str(self.overlay)))).hexdigest()

    @property
    def complaint_types(self) -> tuple[str, ...]:
        """The VOC types counted as complaints (불만 비중, 최근 불만 주제, 보고서): [ranking] complaint_types."""
        return self.ranking.complaint_types

    @property
    def sla_rule_errors(self) -> list[str]:
        """What makes the [[sla.rules]] tables unusable (ccm.sla refuses to compute with them)."""
        return rule_table_errors(self.raw)

    @property
    def voc_types(self) -> tuple[str, ...]:
        """The standard VOC types ([voc.types]), in the file's order."""
        return tuple(self.voc.types)

    @property
    def db_path(self) -> Path:
        env = os.environ.get("CCM_DB")
        return _resolve(env or self.database.path)

    @property
    def secret_key_file(self) -> Path:
        env = os.environ.get("CCM_SECRET_KEY_FILE")
        if env:
            return _resolve(env)
        if self.database.secret_key_file:
            return _resolve(self.database.secret_key_file)
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
        return list(self.organisation.departments)

    @property
    def facilities(self) -> dict[str, str]:
        """Facility → responsible department."""
        return dict(self.organisation.facilities)

    def with_overlay(self, overlay: Path) -> Settings:
        """These settings with `overlay` merged on top (checked like settings.toml)."""
        merged = replace(self, raw=merge(self.raw, read_toml(overlay)), overlay=overlay)
        _refuse_problems(merged, overlay)
        return merged


def typed(settings: Settings | dict[str, Any]) -> Settings:
    """`settings`, or Settings built from plain TOML tables (tools and tests that hold a dict)."""
    return settings if isinstance(settings, Settings) else Settings(raw=settings, path=settings_path())


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


def write_copy(folder: Path, db: Path, base: Path = DEFAULT_SETTINGS) -> Path:
    """`base` copied to folder/settings.toml, pointing at database `db` and a secret key in `folder`
    (the tests' and benchmarks' isolated settings)."""
    text = base.read_text(encoding="utf-8")
    text = text.replace('path = "data/ccm.duckdb"', f'path = "{db.as_posix()}"', 1)
    text = text.replace(
        'secret_key_file = "data/secret.key"', f'secret_key_file = "{(folder / "secret.key").as_posix()}"', 1
    )
    path = folder / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def load_settings(
    path: str | os.PathLike[str] | None = None, *, db: str | os.PathLike[str] | None = None
) -> Settings:
    """settings.toml (or `path`) plus the overlay of database `db` (default: the configured database), if any.

    Raises SettingsFileError when a file cannot be read or a dated override has no `source`."""
    p = Path(path) if path else settings_path()
    settings = Settings(raw=read_toml(p), path=p)
    _refuse_problems(settings, p)
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
        out[key] = (
            merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
        )
    return out


# ---- validation ----------------------------------------------------------------------------------
def settings_problems(raw: dict[str, Any]) -> list[str]:
    """Every problem of a settings text's tables (Korean): the check the loader and the editor share."""
    return list(Settings(raw=raw, path=settings_path()).problems)


def _refuse_problems(settings: Settings, path: Path) -> None:
    if settings.problems:
        more = f" (그 밖에 {len(settings.problems) - 1}건)" if len(settings.problems) > 1 else ""
        raise SettingsFileError(f"설정 파일 {path.name}: {settings.problems[0]}{more}")


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, in Korean (from the error number)."""
    reasons = {
        errno.ENOENT: "파일이 없습니다",
        errno.EACCES: "권한이 없습니다",
        errno.EPERM: "권한이 없습니다",
        errno.EISDIR: "파일이 아니라 폴더입니다",
        errno.ENOTDIR: "경로 중간에 폴더가 아닌 것이 있습니다",
        errno.ENOSPC: "디스크 공간이 부족합니다",
        errno.EROFS: "읽기 전용 위치입니다",
    }
    return reasons.get(exc.errno, "입출력 오류")
