"""Shared fixtures: a stable test pack, an isolated transcripts dir, config and environment."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import respx

from interviewer.bank.loader import Bank, load_bank

FIXTURES = Path(__file__).parent / "fixtures"
PACK = FIXTURES / "pack.yaml"


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for the run: its entries are found by content, so sharing them cannot leak state between tests."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_cache: Path) -> None:
    """No test reads the developer's config, cache or provider keys, or writes outside pytest's temporary folders."""
    for name in list(os.environ):
        if name.endswith("_API_KEY") or name.startswith("INTERVIEWER_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("INTERVIEWER_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("INTERVIEWER_TRANSCRIPTS_DIR", str(tmp_path / "transcripts"))
    monkeypatch.setenv("INTERVIEWER_DATA_DIR", str(tmp_path / "data"))  # the history database
    monkeypatch.setenv("INTERVIEWER_CACHE_DIR", str(shared_cache))
    monkeypatch.setenv("COLUMNS", "200")  # rich tables wide enough to read whole ids in assertions


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    """Provider HTTP mocked with respx; a request to anything not mocked fails the test."""
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as router:
        yield router


@pytest.fixture
def bank() -> Bank:
    return load_bank([PACK], include_default=False)


@pytest.fixture
def transcripts(tmp_path: Path) -> Path:
    return tmp_path / "transcripts"
