"""Marked answers: a reference-only question may list answers a person already marked right or wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from interviewer.backends.base import GradeRequest
from interviewer.backends.llm_prompts import MAX_PROMPT_EXAMPLES, grader_messages
from interviewer.backends.offline import OfflineGrader
from interviewer.bank.lint import example_problems
from interviewer.bank.loader import BankError, load_bank
from interviewer.bank.models import Example, Question
from interviewer.grading.grade import grade_question
from tests.conftest import PACK
from tests.helpers import run_cli
from tests.test_reference_grader import SCALER as SCALER_QUESTION

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ACCEPTED = [
    Example(
        answer="Only from the rows the model learns on; the other rows are scaled with those numbers.", accepted=True
    ),
    Example(answer="From the training data, never from the test data.", accepted=True),
]
REJECTED = [
    Example(answer="From all of the data, so the statistics are as stable as possible.", accepted=False),
    Example(answer="From the test set, because that is what the model is judged on.", accepted=False),
]
PLAIN_WORDS = "Only from the rows we learn on, and the other rows get scaled with those same numbers."
SCALER = SCALER_QUESTION.model_dump(exclude={"examples"})
WRONG_LIKE_A_REJECTED_ONE = (
    "From all of the data, so the statistics are as stable as possible, then reused on the test data."
)


def grade(text: str, examples: list[Example]):
    result, _ = grade_question(Question(**SCALER, examples=examples), [text], OfflineGrader())
    return result


def test_an_accepted_answer_lets_an_answer_in_its_words_score_where_the_reference_alone_does_not() -> None:
    assert grade(PLAIN_WORDS, []).score == 0
    lifted = grade(PLAIN_WORDS, ACCEPTED)
    assert lifted.score == 100
    assert "closest marked answer: accepted" in lifted.items[0].reason
    assert all(quote in PLAIN_WORDS for item in lifted.items for quote in item.evidence)


def test_a_wrong_answer_worded_like_a_rejected_one_loses_what_accepted_answers_alone_gave_it() -> None:
    assert grade(WRONG_LIKE_A_REJECTED_ONE, ACCEPTED).score > 0
    judged = grade(WRONG_LIKE_A_REJECTED_ONE, ACCEPTED + REJECTED)
    assert judged.score == 0
    assert "closest marked answer: rejected" in judged.items[0].reason


def test_a_question_without_marked_answers_grades_as_before() -> None:
    reference = SCALER["reference_answer"]
    assert grade(reference, []).model_dump() == grade(reference, []).model_dump()
    assert "marked answer" not in grade(reference, []).items[0].reason


def test_marked_answers_on_a_question_with_a_rubric_are_rejected_at_load(tmp_path: Path) -> None:
    data = yaml.safe_load(PACK.read_text())
    data["questions"][0]["examples"] = [{"answer": "Resample the training split only.", "accepted": True}]
    bad = tmp_path / "mine.yaml"
    bad.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(BankError, match=r"question 'imbalanced-data'.*examples grade a question"):
        load_bank([bad], include_default=False)


def test_bank_show_lists_the_marked_answers(tmp_path: Path) -> None:
    data = yaml.safe_load(PACK.read_text())
    reference = next(q for q in data["questions"] if q["id"] == "gradient-descent-reference")
    reference["examples"] = [
        {"answer": "Step against the gradient, a small step each time.", "accepted": True},
        {"answer": "Step along the gradient to climb the loss.", "accepted": False},
    ]
    pack = tmp_path / "mine.yaml"
    pack.write_text(yaml.safe_dump(data, sort_keys=False))
    shown = run_cli("bank", "show", "gradient-descent-reference", "--bank", str(pack), "--no-builtin")
    assert shown.exit_code == 0, shown.output
    assert "Marked answers" in shown.output
    assert "accepted: Step against the gradient" in shown.output
    assert "rejected: Step along the gradient" in shown.output


def test_an_llm_grader_sees_some_marked_answers_of_each_kind_fenced_as_data() -> None:
    many = [Example(answer=f"From the training rows only, version {n}.", accepted=True) for n in range(12)]
    question = Question(**SCALER, examples=[*many, *REJECTED])
    prompt = grader_messages(GradeRequest(question=question, answer=PLAIN_WORDS, thread=[]))[1]["content"]
    fence = next(line for line in prompt.splitlines() if line.startswith("=====MARKED ANSWERS"))
    inside = prompt.split(fence)[2]
    assert "rejected: From all of the data" in inside and "rejected: From the test set" in inside
    assert inside.count("accepted: ") == MAX_PROMPT_EXAMPLES - len(REJECTED)


def test_lint_reports_an_answer_marked_both_accepted_and_rejected() -> None:
    clash = Example(answer="From the training data, never from the test data!", accepted=False)
    problems = example_problems(Question(**SCALER, examples=[*ACCEPTED, clash]))
    assert problems == [
        "marked answer 'From the training data, never from the test data.' is both accepted and rejected"
    ]
    assert example_problems(Question(**SCALER, examples=[*ACCEPTED, *REJECTED])) == []
