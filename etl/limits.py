"""What every read may not exceed, and the error a read raises: below etl.readers and etl.sandbox (both
use them; the sandbox runs readers in a child process, so neither may import the other for these)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from ccm.settings_sections import LimitSettings


class ReadError(Exception):
    """The file cannot be used at all; the message (Korean) says what and where."""


_DEFAULTS = LimitSettings()


@dataclass(frozen=True)
class Limits:
    """How big a file may be ([limits] in settings.toml; the defaults are far above a real export)."""

    file_mb: float = _DEFAULTS.file_mb
    rows: int = _DEFAULTS.rows
    columns: int = _DEFAULTS.columns
    cells: int = _DEFAULTS.cells
    unzipped_mb: float = _DEFAULTS.unzipped_mb
    zip_ratio: float = _DEFAULTS.zip_ratio
    memory_mb: float = _DEFAULTS.memory_mb
    seconds: float = _DEFAULTS.seconds

    @classmethod
    def from_settings(cls, settings) -> Limits:
        """[limits] of the settings (the typed section ccm.settings_sections.LimitSettings, checked at load)."""
        from ccm.settings import typed

        checked = typed(settings)
        wrong = [p for p in checked.problems if p.startswith("[limits]")]
        if wrong:
            raise ReadError(f"설정 파일 {wrong[0]}")
        return cls(**{f.name: getattr(checked.limits, f.name) for f in fields(cls)})

    def memory_text(self) -> str:
        gb = self.memory_mb / 1024
        return f"{gb:g} GB" if gb >= 1 else f"{self.memory_mb:g} MB"


_IN_FORCE: Limits | None = None


def use_limits(limits: Limits | None) -> None:
    """The limits every read of this process applies when the caller gives none (the parsing child)."""
    global _IN_FORCE
    _IN_FORCE = limits


def limits_in_force() -> Limits:
    """The limits set for this process, else [limits] of the current settings, else the defaults."""
    if _IN_FORCE is not None:
        return _IN_FORCE
    from ccm.settings import SettingsFileError, load_settings, settings_path

    try:
        settings = load_settings()
    except (SettingsFileError, OSError) as exc:
        if (
            isinstance(exc, SettingsFileError) and settings_path().is_file()
        ):  # a wrong value is said, not ignored
            raise ReadError(str(exc)) from None
        return Limits()
    return Limits.from_settings(settings)
