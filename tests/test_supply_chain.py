"""What gets installed is bounded in pyproject.toml and pinned, with hashes, in requirements.lock."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
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


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-pip.lock"])
def test_every_pin_in_a_lock_carries_a_hash(lock: str) -> None:
    text = (ROOT / lock).read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9_.\-]+==)", text)
    pins = [e for e in entries if re.match(r"[A-Za-z0-9_.\-]+==", e)]
    assert pins, f"{lock} pins nothing"
    assert [e.split()[0] for e in pins if "--hash=sha256:" not in e] == []


def test_the_ci_runs_the_readme_test_command_which_installs_the_pinned_pip_before_the_lock() -> None:
    command = next(line for line in (ROOT / "README.md").read_text().splitlines() if line.endswith("/pytest"))
    assert command in (ROOT / ".ci/run").read_text().splitlines()
    assert command.index("-r requirements-pip.lock") < command.index("-r requirements.lock")
