"""The bank: packs load into validated models; a malformed pack names file, question and field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from interviewer.bank.loader import BankError, load_bank
from tests.conftest import PACK


def write_pack(path: Path, mutate) -> Path:
    data = yaml.safe_load(PACK.read_text())
    mutate(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_test_pack_loads_with_version_and_hash(bank) -> None:
    assert set(bank.questions) == {
        "imbalanced-data",
        "cross-validation",
        "disagreement-story",
        "gradient-descent-reference",
    }
    assert bank.version.startswith("test-pack@1#")


def test_builtin_bank_loads() -> None:
    bank = load_bank()
    assert len(bank.questions) >= 20
    assert all(q.source for q in bank.questions.values())


def test_a_bad_weight_names_file_question_and_field(tmp_path: Path) -> None:
    def break_weight(data: dict) -> None:
        data["questions"][0]["rubric"][1]["weight"] = 9

    bad = write_pack(tmp_path / "mine.yaml", break_weight)
    with pytest.raises(BankError) as caught:
        load_bank([bad], include_default=False)
    message = str(caught.value)
    assert "mine.yaml" in message
    assert "question 'imbalanced-data'" in message
    assert "rubric[1].weight" in message


def test_a_follow_up_aimed_at_a_missing_item_is_rejected(tmp_path: Path) -> None:
    def break_target(data: dict) -> None:
        data["questions"][1]["follow_ups"][0]["targets"] = "no-such-item"

    bad = write_pack(tmp_path / "mine.yaml", break_target)
    with pytest.raises(BankError, match=r"question 'cross-validation'.*no-such-item"):
        load_bank([bad], include_default=False)


def test_a_question_without_rubric_or_reference_is_rejected(tmp_path: Path) -> None:
    def drop_reference(data: dict) -> None:
        del data["questions"][3]["reference_answer"]

    bad = write_pack(tmp_path / "mine.yaml", drop_reference)
    with pytest.raises(BankError, match=r"question 'gradient-descent-reference'.*rubric or a reference_answer"):
        load_bank([bad], include_default=False)


def test_duplicate_question_ids_across_packs_are_rejected(tmp_path: Path) -> None:
    def rename_pack(data: dict) -> None:
        data["pack"] = "another"

    copy = write_pack(tmp_path / "copy.yaml", rename_pack)
    with pytest.raises(BankError, match="duplicates the id"):
        load_bank([PACK, copy], include_default=False)


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("pack: x\nquestions: [\n")
    with pytest.raises(BankError, match=r"broken\.yaml: not valid YAML"):
        load_bank([bad], include_default=False)
