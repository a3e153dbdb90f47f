"""Question choice that knows the candidate: recent questions avoided, weak topics first, levels and rounds kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.bank.loader import load_bank
from interviewer.bank.models import Difficulty, Round
from interviewer.bank.presets import resolve
from interviewer.engine.planner import History, plan_questions
from tests.helpers import PACK_ARGS, blocks, run_cli, sessions, transcript

SEEDS = range(8)


@pytest.fixture(scope="module")
def real_bank():
    return load_bank()


def _ids(plan) -> list[str]:
    return [q.id for q in plan]


def test_questions_from_the_last_sessions_are_left_out_while_others_fit(bank) -> None:
    recent = frozenset({"imbalanced-data", "cross-validation"})
    plan = plan_questions(bank.questions.values(), rounds=None, level="mid", count=2, seed=1, history=History(recent))
    assert set(_ids(plan)) == {"disagreement-story", "gradient-descent-reference"}


def test_recent_questions_come_back_only_when_nothing_else_is_left(bank) -> None:
    recent = frozenset({"imbalanced-data", "cross-validation", "disagreement-story"})
    plan = plan_questions(bank.questions.values(), rounds=None, level="mid", count=2, seed=1, history=History(recent))
    assert "gradient-descent-reference" in _ids(plan) and len(plan) == 2


def test_focus_weak_fills_the_round_from_the_weakest_topics_first(bank) -> None:
    weak = History(weak_topics=("collaboration", "optimization"))
    for seed in SEEDS:
        plan = plan_questions(bank.questions.values(), rounds=None, level="mid", count=2, seed=seed, history=weak)
        assert {q.topic for q in plan} == {"collaboration", "optimization"}


@pytest.mark.parametrize("seed", SEEDS)
def test_a_senior_round_of_five_includes_a_hard_question(real_bank, seed: int) -> None:
    rounds = resolve("ml_concepts").rounds
    plan = plan_questions(real_bank.questions.values(), rounds=rounds, level="senior", count=5, seed=seed)
    assert len(plan) == 5
    assert any(q.difficulty is Difficulty.hard for q in plan)
    assert plan[-1].difficulty is Difficulty.hard  # still easier to harder


@pytest.mark.parametrize("seed", SEEDS)
def test_a_junior_round_is_not_made_of_hard_questions(real_bank, seed: int) -> None:
    for preset in ("mixed", "system_design", "ml_concepts"):
        rounds = resolve(preset).rounds
        plan = plan_questions(real_bank.questions.values(), rounds=rounds, level="junior", count=3, seed=seed)
        assert not any(q.difficulty is Difficulty.hard for q in plan), (preset, _ids(plan))


@pytest.mark.parametrize("seed", SEEDS)
def test_a_mixed_round_asks_no_backend_or_frontend_question_and_a_preset_draws_its_own_round_first(
    real_bank, seed: int
) -> None:
    mixed = plan_questions(real_bank.questions.values(), rounds=[], level="mid", count=5, seed=seed)
    assert not any(q.round is Round.backend_apis for q in mixed)
    screen = plan_questions(
        real_bank.questions.values(), rounds=resolve("technical_screen").rounds, level="mid", count=3, seed=seed
    )
    assert all(q.round is Round.technical_screen for q in screen)


def test_backend_questions_are_asked_when_their_round_is(real_bank) -> None:
    plan = plan_questions(real_bank.questions.values(), rounds=[Round.backend_apis], level="mid", count=3, seed=1)
    assert all(q.round is Round.backend_apis for q in plan)


# -- through `start`, on a history made by earlier sessions ---------------------------------------------------


def _start(transcripts: Path, *args: str) -> list[str]:
    before = set(sessions(transcripts))
    result = run_cli("start", *PACK_ARGS, "--transcripts-dir", str(transcripts), *args, input=blocks(*["/skip"] * 4))
    assert result.exit_code == 0, result.output
    [folder] = set(sessions(transcripts)) - before
    return [q["id"] for q in transcript(folder)["questions"]]


def test_start_does_not_repeat_a_question_from_the_last_session_unless_asked(transcripts: Path) -> None:
    first = _start(transcripts, "-n", "2", "--seed", "1")
    second = _start(transcripts, "-n", "2", "--seed", "1")
    assert not set(first) & set(second)
    assert _start(transcripts, "-n", "2", "--seed", "1", "--repeat") == first


def test_start_focus_weak_asks_about_the_topic_scored_lowest(transcripts: Path) -> None:
    _start(transcripts, "-n", "1", "--topic", "collaboration")  # skipped: collaboration scores 0
    assert _start(transcripts, "-n", "1", "--seed", "0", "--repeat") != ["disagreement-story"]
    assert _start(transcripts, "-n", "1", "--seed", "0", "--repeat", "--focus", "weak") == ["disagreement-story"]
