"""The deeper bank (issue 10, point 3): enough questions per round, hard ones everywhere, original ones fully built.

The general depth rules (items, signals, red flags, follow-ups, outline) are in test_bank_depth.py; these add
what questions written beyond the seeds must carry: claims on red flags, facts for clarifying questions in
the design rounds, a follow-up that only a more senior candidate gets, and a reachable claim vocabulary.
"""

from __future__ import annotations

from collections import Counter

import pytest

from interviewer.bank.loader import load_bank
from interviewer.bank.models import Difficulty, Level, Question, Round
from interviewer.text.normalize import phrase_key

BANK = load_bank()
ORIGINAL = sorted((q for q in BANK.questions.values() if q.source == "original"), key=lambda q: q.id)
DESIGN_ROUNDS = {Round.system_design, Round.applied_ml, Round.production_mlops}
AT_LEAST = {Round.system_design: 20, Round.behavioral: 12, Round.ml_coding: 10, Round.llm_engineering: 8}


def test_each_round_type_holds_the_questions_a_real_loop_draws_on() -> None:
    per_round = Counter(q.round for q in BANK.questions.values())
    assert {r: per_round[r] for r, n in AT_LEAST.items() if per_round[r] < n} == {}


def test_every_round_type_has_hard_questions_for_a_senior_round() -> None:
    hard = Counter(q.round for q in BANK.questions.values() if q.difficulty is Difficulty.hard)
    assert {r.value: hard[r] for r in Round if hard[r] < 3} == {}


def test_original_questions_live_in_the_deep_packs() -> None:
    assert ORIGINAL, "no original questions in the bank"
    assert [q.id for q in ORIGINAL if not BANK.origins[q.id].name.startswith("deep-")] == []


@pytest.mark.parametrize("question", ORIGINAL, ids=lambda q: q.id)
def test_an_original_question_states_its_mistakes_as_claims(question: Question) -> None:
    assert all(flag.claims for flag in question.red_flags)
    assert any(item.claims for item in question.rubric)


@pytest.mark.parametrize("question", ORIGINAL, ids=lambda q: q.id)
def test_every_claim_phrase_can_match_an_answer(question: Question) -> None:
    claims = [c for item in question.rubric for c in item.claims] + [c for f in question.red_flags for c in f.claims]
    phrases = [p for c in claims for p in (*c.about, *c.holds, *c.wrong)]
    assert [p for p in phrases if not phrase_key(p)] == []


@pytest.mark.parametrize("question", [q for q in ORIGINAL if q.round in DESIGN_ROUNDS], ids=lambda q: q.id)
def test_a_design_question_has_facts_for_clarifying_questions(question: Question) -> None:
    assert len(question.facts) >= 3
    about = {word for fact in question.facts for word in fact.about}
    assert about & {"scale", "latency", "traffic", "volume", "users", "data"}, question.id


@pytest.mark.parametrize("question", ORIGINAL, ids=lambda q: q.id)
def test_a_more_senior_candidate_gets_a_follow_up_the_most_junior_level_does_not(question: Question) -> None:
    lowest = min(question.levels, key=list(Level).index)
    assert any(lowest not in f.levels for f in question.follow_ups)


def test_hard_questions_are_not_offered_to_juniors_alone() -> None:
    assert [q.id for q in ORIGINAL if q.difficulty is Difficulty.hard and q.levels == [Level.junior]] == []
