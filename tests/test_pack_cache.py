"""A pack read before comes from the cache, and the cache can never serve a pack other than the file's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from interviewer.bank.loader import load_bank, load_pack
from tests.conftest import PACK


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("INTERVIEWER_CACHE_DIR", str(folder))
    return folder


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / "packs").glob("*.json"))


def test_a_pack_read_twice_is_the_same_pack_the_second_time_from_the_cache(own_cache: Path) -> None:
    first = load_pack(PACK)
    assert len(_entries(own_cache)) == 1
    assert load_pack(PACK) == first


def test_the_whole_built_in_bank_survives_the_round_trip_through_the_cache(own_cache: Path) -> None:
    fresh = load_bank()
    cached = load_bank()
    assert cached.questions == fresh.questions and cached.digest == fresh.digest


def test_an_edited_pack_is_read_again_not_served_stale(own_cache: Path, tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    shutil.copy(PACK, pack)
    first = load_pack(pack).questions[0].question
    pack.write_text(pack.read_text().replace(first, "Which metrics stay honest when positives are rare, and why?"))
    assert load_pack(pack).questions[0].question == "Which metrics stay honest when positives are rare, and why?"
    assert len(_entries(own_cache)) == 2


def test_a_damaged_cache_entry_is_ignored_and_written_again(own_cache: Path) -> None:
    expected = load_pack(PACK)
    (entry,) = _entries(own_cache)
    entry.write_text('{"pack": "forged", "questions": [')
    assert load_pack(PACK) == expected
    assert entry.read_text().startswith('{"pack":"') and "forged" not in entry.read_text()


def test_a_cache_folder_that_cannot_be_written_costs_only_the_speed_up(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("INTERVIEWER_CACHE_DIR", str(blocker))
    assert load_pack(PACK).questions
