"""What gets installed is bounded in pyproject.toml and pinned, with hashes, in requirements.lock."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
LOCK = (ROOT / "requirements.lock").read_text()
PINNED = {
    canonicalize_name(m.group(1)): m.group(2) for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==(\S+)", LOCK, re.MULTILINE)
}


def _requirements(*extras: str) -> list[Requirement]:
    lines = list(PROJECT["dependencies"])
    for extra in extras:
        lines += PROJECT["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


def test_every_runtime_dependency_has_an_upper_bound_on_its_version() -> None:
    unbounded = [str(r) for r in _requirements() if not any(s.operator in ("<", "<=", "==", "~=") for s in r.specifier)]
    assert unbounded == []


def test_the_lock_pins_every_dependency_the_ci_installs_within_its_bounds() -> None:
    for requirement in _requirements("test", "e2e"):
        name = canonicalize_name(requirement.name)
        assert name in PINNED, f"{name} is not in requirements.lock: refresh it (see the README)"
        assert requirement.specifier.contains(PINNED[name], prereleases=True), f"{name}=={PINNED[name]}"


def test_every_pin_in_the_lock_carries_a_hash() -> None:
    entries = re.split(r"\n(?=[A-Za-z0-9_.\-]+==)", LOCK.split("\n", 2)[-1])
    unhashed = [e.split()[0] for e in entries if "==" in e.split("\n")[0] and "--hash=sha256:" not in e]
    assert unhashed == []
