"""Shared fixtures: a stable test pack, an isolated transcripts dir and config, a fixed clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.bank.loader import Bank, load_bank

FIXTURES = Path(__file__).parent / "fixtures"
PACK = FIXTURES / "pack.yaml"


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's config or provider keys, or writes outside tmp_path."""
    monkeypatch.setenv("INTERVIEWER_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("INTERVIEWER_TRANSCRIPTS_DIR", str(tmp_path / "transcripts"))
    for name in list(__import__("os").environ):
        if name.endswith("_API_KEY") or (name.startswith("INTERVIEWER_") and name not in {
            "INTERVIEWER_CONFIG", "INTERVIEWER_TRANSCRIPTS_DIR"}):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def bank() -> Bank:
    return load_bank([PACK], include_default=False)


@pytest.fixture
def transcripts(tmp_path: Path) -> Path:
    return tmp_path / "transcripts"
