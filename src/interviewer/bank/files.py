"""Which files make up the bank, and the digest of the code that reads them: no pydantic, no YAML."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from interviewer import __version__
from interviewer import cache as parsed
from interviewer.paths import rubrics_dir


class BankError(Exception):
    """A pack that cannot be used; the message names file, question id and field."""


def default_pack_files() -> list[Path]:
    return sorted((rubrics_dir() / "packs").glob("*.yaml"))


def pack_files(paths: Iterable[Path]) -> list[Path]:
    """Expand directories into their *.yaml files (recursively), keep files as given."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.y*ml") if p.suffix in {".yaml", ".yml"}))
        elif path.exists():
            files.append(path)
        else:
            raise BankError(f"{path}: no such file or directory")
    return files


@cache
def reader_digest() -> str:
    """What anything derived from a pack depends on besides its text: this version and the bank package's code."""
    sources = sorted(Path(__file__).parent.glob("*.py"))
    return parsed.cache_key(__version__, *(source.read_bytes() for source in sources))
