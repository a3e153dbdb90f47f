"""Paraphrase credit reads negation by its scope: what a clause denies earns nothing, the rest still counts.

A negation word anywhere in a clause used to shut the whole clause out of paraphrase credit, so a plain answer
that set one alternative aside ("instead of picking a number") lost the idea it stated beside it.
"""

from __future__ import annotations

import pytest

from interviewer.backends.offline import OfflineGrader
from interviewer.bank.loader import Bank, load_bank
from interviewer.grading.grade import grade_question
from interviewer.grading.models import ItemGrade
from interviewer.grading.paraphrase import asserted_clauses


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank()


def graded_item(bank: Bank, question_id: str, answer: str, item_id: str) -> ItemGrade:
    grade = grade_question(bank.get(question_id), [answer], OfflineGrader())[0]
    return next(i for i in grade.items if i.item_id == item_id)


def test_an_idea_stated_beside_what_it_sets_aside_earns_paraphrase_credit(bank: Bank) -> None:
    answer = (
        "I set the refit cadence by measuring how quickly quality erodes with model age instead of picking a number."
    )
    item = graded_item(bank, "retraining-strategy", answer, "evidence-for-cadence")
    assert item.score >= 1
    assert item.evidence == [answer]  # the evidence is still the whole clause, verbatim


def test_a_denied_statement_earns_no_paraphrase_credit(bank: Bank) -> None:
    answer = "I would never measure how quickly quality erodes with model age to set the refit cadence."
    assert graded_item(bank, "retraining-strategy", answer, "evidence-for-cadence").score == 0


def test_the_subject_of_a_denied_statement_is_not_left_behind_to_match() -> None:
    answer = "The average error over resampled training sets does not break into bias squared plus variance."
    assert asserted_clauses(answer) == []


def test_what_a_clause_sets_aside_is_cut_from_what_it_asserts() -> None:
    answer = "The ingestion job filled the missing column with zeros instead of failing loudly."
    [part] = asserted_clauses(answer)
    assert part.text == "The ingestion job filled the missing column with zeros"
    assert part.clause.text == answer  # the evidence stays verbatim
