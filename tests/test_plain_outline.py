"""The plain-words outline: a question's strong answer said in everyday words, line for line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from interviewer.backends.offline import OfflineGrader
from interviewer.bank.loader import BankError, load_bank
from interviewer.grading.grade import grade_question
from tests.conftest import PACK
from tests.helpers import run_cli

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

BANK = load_bank()
PLAIN_CROSS_VALIDATION = (
    "You cut the data into, say, five equal chunks, and train five times, each time holding back a different chunk "
    "to score on and training on the other four, then average the five scores so the estimate does not hinge on one "
    "lucky cut. I would not shuffle like that when rows are ordered in time: there the model must only ever be scored "
    "on rows that come after everything it learned from. And when several rows belong to the same customer, all of a "
    "customer's rows have to land on the same side, or the model gets scored on people it has already seen."
)


def score(question, text: str) -> int:
    grade, _ = grade_question(question, [text], OfflineGrader())
    return grade.score


def test_every_bank_question_says_its_strong_answer_in_plain_words_too() -> None:
    missing = [q.id for q in BANK.questions.values() if q.strong_answer and not q.plain_answer]
    assert missing == []


def test_an_answer_in_everyday_words_is_credited_through_the_plain_outline() -> None:
    question = BANK.get("cross-validation")
    without = question.model_copy(update={"plain_answer": []})
    assert score(question, PLAIN_CROSS_VALIDATION) >= score(without, PLAIN_CROSS_VALIDATION) + 25


def test_a_plain_outline_of_another_length_than_the_strong_answer_is_rejected(tmp_path: Path) -> None:
    data = yaml.safe_load(PACK.read_text())
    question = next(q for q in data["questions"] if q.get("strong_answer"))
    question["plain_answer"] = ["Only one line, in everyday words, for a longer outline."] * (
        len(question["strong_answer"]) + 1
    )
    bad = tmp_path / "mine.yaml"
    bad.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(BankError, match=r"plain_answer needs one line for each strong_answer line"):
        load_bank([bad], include_default=False)


def test_bank_show_prints_the_plain_outline() -> None:
    shown = run_cli("bank", "show", "cross-validation")
    assert shown.exit_code == 0, shown.output
    assert "The same in plain words" in shown.output
    assert "Cut the rows into k equal chunks" in " ".join(shown.output.split())
