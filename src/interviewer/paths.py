"""Where things live: shipped data (package data in a wheel, the repository root in a checkout) and user data."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """`prompts` or `rubrics`: from the installed wheel if present, else from the checkout."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parents[1] / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find the {name}/ directory next to the interviewer package")


def prompts_dir() -> Path:
    return data_dir("prompts")


def rubrics_dir() -> Path:
    return data_dir("rubrics")


def user_data_dir() -> Path:
    """$INTERVIEWER_DATA_DIR, else the user data directory (e.g. ~/.local/share/interviewer)."""
    explicit = os.environ.get("INTERVIEWER_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser()
    from platformdirs import user_data_path

    return user_data_path("interviewer")


def user_cache_dir() -> Path:
    """$INTERVIEWER_CACHE_DIR, else `cache` in $INTERVIEWER_DATA_DIR, else the user cache directory."""
    if explicit := os.environ.get("INTERVIEWER_CACHE_DIR"):
        return Path(explicit).expanduser()
    if data := os.environ.get("INTERVIEWER_DATA_DIR"):
        return Path(data).expanduser() / "cache"
    from platformdirs import user_cache_path

    return user_cache_path("interviewer")


def default_transcripts_dir() -> Path:
    return user_data_dir() / "transcripts"
