"""The config file read without pydantic: its path, its tables, the keys it may hold, and the transcripts folder.

`review` needs only the transcripts folder; resolving it here, with the same precedence as `Settings`
(the flag, else the environment, else the config file, else the default), keeps pydantic and pydantic-settings
(~0.15 s of imports) out of its start-up. `settings.py` validates everything else; a test keeps `KEYS`
equal to the `Settings` fields.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from interviewer.exits import UserError
from interviewer.paths import default_transcripts_dir

ENV_PREFIX = "INTERVIEWER_"
_MODEL_KEYS = ("model", "api_base", "temperature", "max_tokens", "timeout_s", "retries")
# Every key the config file may hold: a table's keys, or None for a plain value.
KEYS: dict[str, tuple[str, ...] | None] = {
    "interviewer": (*_MODEL_KEYS, "coverage"),
    "grader": (*_MODEL_KEYS, "jobs", "rewrite"),
    "transcripts_dir": None,
    "bank_paths": None,
    "level": None,
    "max_follow_ups": None,
}


class SettingsError(UserError):
    """A config file or setting that cannot be used; the message names the file (or source) and the key."""


def config_path() -> Path:
    """$INTERVIEWER_CONFIG, else config.toml in the user's config directory."""
    explicit = os.environ.get("INTERVIEWER_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    from platformdirs import user_config_path

    return user_config_path("interviewer") / "config.toml"


def read_config_file() -> dict[str, Any]:
    """The config file's tables ({} when there is none); malformed TOML is a SettingsError naming the file."""
    path = config_path()
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise SettingsError(f"{path}: cannot be read: {exc.strerror or exc}") from None


def config_warnings() -> list[str]:
    """One line per config-file key that does nothing (a misspelling such as `modle`), with the keys that exist."""
    path, lines = config_path(), []
    for key, value in read_config_file().items():
        if key not in KEYS:
            lines.append(f"{path}: unknown key {key!r} is ignored (known: {', '.join(KEYS)})")
            continue
        table = KEYS[key]
        if table is None or not isinstance(value, dict):
            continue
        for inner in value:
            if inner not in table:
                dotted, known = f"{key}.{inner}", ", ".join(table)
                lines.append(f"{path}: unknown key {dotted!r} is ignored (known in [{key}]: {known})")
    return lines


def _env(name: str) -> str | None:
    """$INTERVIEWER_<NAME>, the name matched case-insensitively as pydantic-settings does."""
    wanted = f"{ENV_PREFIX}{name}".upper()
    return next((value for key, value in os.environ.items() if key.upper() == wanted), None)


def is_set(key: str) -> bool:
    """Whether the environment or the config file sets top-level `key` (else `Settings` has its default)."""
    return _env(key) is not None or key in read_config_file()


def transcripts_dir(flag: Path | None = None) -> Path:
    """Where sessions are kept: the flag, else $INTERVIEWER_TRANSCRIPTS_DIR, else the config file's
    `transcripts_dir`, else the user data directory's `transcripts`, as `Settings.transcripts_dir` resolves it."""
    if flag is not None:
        return flag
    if (value := _env("TRANSCRIPTS_DIR")) is not None:
        return Path(value)
    configured = read_config_file().get("transcripts_dir")
    if configured is None:
        return default_transcripts_dir()
    if not isinstance(configured, str):
        raise SettingsError(f"{config_path()}: transcripts_dir: not a path (a string)")
    return Path(configured)
