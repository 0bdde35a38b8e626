"""The one editable settings file (settings.toml) and the paths derived from it."""
from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SETTINGS = ROOT / "settings.toml"


@dataclass(frozen=True)
class Settings:
    """Parsed settings. Index like a dict (`settings["sla"]`); paths are resolved against ROOT."""

    raw: dict[str, Any]
    path: Path

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


def _resolve(p: str | os.PathLike[str]) -> Path:
    path = Path(p).expanduser()
    return path if path.is_absolute() else ROOT / path


def settings_path() -> Path:
    env = os.environ.get("CCM_SETTINGS")
    return _resolve(env) if env else DEFAULT_SETTINGS


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    p = Path(path) if path else settings_path()
    with open(p, "rb") as fh:
        raw = tomllib.load(fh)
    return Settings(raw=raw, path=p)
