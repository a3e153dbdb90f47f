"""What `review` reads without pydantic agrees with the full settings; the bank outline agrees with the bank."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from interviewer import config_file
from interviewer.bank import loader
from interviewer.bank.files import BankError
from interviewer.bank.loader import load_bank
from interviewer.bank.outline import bank_outline, outline_of
from interviewer.settings import Settings, load_settings
from tests.helpers import PACK


def write_config(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    monkeypatch.setenv("INTERVIEWER_CONFIG", str(path))
    return path


def test_the_known_keys_are_the_settings_fields() -> None:
    expected = {
        name: tuple(field.annotation.model_fields)
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
        else None
        for name, field in Settings.model_fields.items()
    }
    assert expected == config_file.KEYS


@pytest.mark.parametrize(
    "source",
    ["default", "config file", "environment over the config file", "lower-case environment", "flag over both"],
)
def test_the_transcripts_folder_resolves_as_the_settings_resolve_it(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INTERVIEWER_TRANSCRIPTS_DIR")
    flag = None
    if source != "default":
        write_config(tmp_path, 'transcripts_dir = "from-config"\n', monkeypatch)
    if source.startswith("environment") or source == "flag over both":
        monkeypatch.setenv("INTERVIEWER_TRANSCRIPTS_DIR", str(tmp_path / "from-env"))
    if source == "lower-case environment":
        monkeypatch.setenv("interviewer_transcripts_dir", str(tmp_path / "from-lower-env"))
    if source == "flag over both":
        flag = tmp_path / "from-flag"
    assert config_file.transcripts_dir(flag) == load_settings(transcripts_dir=flag).transcripts_dir


def test_a_transcripts_folder_that_is_not_text_names_the_file_and_key(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("INTERVIEWER_TRANSCRIPTS_DIR")
    path = write_config(tmp_path, "transcripts_dir = 3\n", monkeypatch)
    with pytest.raises(config_file.SettingsError, match=f"{path}: transcripts_dir"):
        config_file.transcripts_dir()


def test_a_misspelt_key_is_warned_about_with_the_keys_that_exist(tmp_path, monkeypatch) -> None:
    path = write_config(tmp_path, 'levle = "senior"\n[grader]\nmodle = "x"\njobs = 2\n', monkeypatch)
    assert config_file.config_warnings() == [
        f"{path}: unknown key 'levle' is ignored (known: interviewer, grader, transcripts_dir, bank_paths, level, "
        "max_follow_ups)",
        f"{path}: unknown key 'grader.modle' is ignored (known in [grader]: model, api_base, temperature, "
        "max_tokens, timeout_s, retries, jobs, rewrite)",
    ]


def test_a_key_counts_as_set_from_the_environment_or_the_config_file(tmp_path, monkeypatch) -> None:
    assert not config_file.is_set("bank_paths")
    write_config(tmp_path, 'bank_paths = ["extra"]\n', monkeypatch)
    assert config_file.is_set("bank_paths")
    monkeypatch.setenv("INTERVIEWER_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("INTERVIEWER_BANK_PATHS", '["extra"]')
    assert config_file.is_set("bank_paths")


def test_the_outline_lists_every_question_with_its_rubric_item_ids() -> None:
    outline = bank_outline([PACK], include_default=False)
    assert outline == outline_of(load_bank([PACK], include_default=False).questions.values())
    assert outline["cross-validation"] == {"mechanics", "when-not"}


def test_a_second_outline_comes_from_the_cache_without_loading_the_bank(monkeypatch) -> None:
    first = bank_outline([PACK], include_default=False)

    def no_loading(*args, **kwargs):
        raise AssertionError("the bank was loaded")

    monkeypatch.setattr(loader, "load_bank", no_loading)
    assert bank_outline([PACK], include_default=False) == first


def test_an_edited_pack_is_a_new_outline(tmp_path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(PACK.read_text())
    before = bank_outline([pack], include_default=False)
    assert "when-not" in before["cross-validation"]
    pack.write_text(PACK.read_text().replace("when-not", "when-not-to"))
    after = bank_outline([pack], include_default=False)
    assert after["cross-validation"] == {"mechanics", "when-not-to"}


def test_an_outline_of_a_broken_bank_raises_as_loading_it_does(tmp_path) -> None:
    with pytest.raises(BankError, match="no such file"):
        bank_outline([tmp_path / "missing.yaml"], include_default=False)
