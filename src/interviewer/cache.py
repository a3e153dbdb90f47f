"""Derived data that is slow to compute, kept as JSON in the user cache folder and found by content.

An entry's key is a digest of everything it was derived from (a pack file's bytes and the code that reads
it, say), so an entry never goes stale: a changed input is a new key. A missing, unreadable or corrupt
entry is a miss, and a folder that cannot be written only costs the speed-up. Whoever reads an entry
validates it as it would validate the original.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from interviewer.paths import user_cache_dir

KEEP = 200  # entries kept per kind; the oldest go when a write passes it
T = TypeVar("T")


def cache_key(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)  # lengths, so ("ab", "c") and ("a", "bc") differ
    return digest.hexdigest()


def package_code(package: str) -> list[bytes]:
    """The source files of an installed package (for a key), found without importing it."""
    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.origin is not None, f"{package} is a dependency"
    return [source.read_bytes() for source in sorted(Path(spec.origin).parent.rglob("*.py"))]


def through(kind: str, key: str, compute: Callable[[], T], *, dump: Callable[[T], str], load: Callable[[str], T]) -> T:
    """The entry under `key` as `load` reads it back, else `compute()`, stored as `dump` writes it. `load`
    validates: a ValueError, KeyError or TypeError from it marks a damaged entry, computed and written again."""
    if (text := read(kind, key)) is not None:
        try:
            return load(text)
        except (ValueError, KeyError, TypeError):
            pass
    value = compute()
    write(kind, key, dump(value))
    return value


def _entry(kind: str, key: str) -> Path:
    return user_cache_dir() / kind / f"{key}.json"


def read(kind: str, key: str) -> str | None:
    try:
        return _entry(kind, key).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def write(kind: str, key: str, text: str) -> None:
    """Store `text` under `key` (atomically: a reader sees the whole entry or none); errors are ignored."""
    path = _entry(kind, key)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, path)
        except OSError:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(path.parent)


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
    for old in entries[:-KEEP]:
        old.unlink(missing_ok=True)
