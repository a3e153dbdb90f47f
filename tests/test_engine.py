"""The session engine: follow-up policy, caps, time budget, "I don't know" and candidate commands."""

from __future__ import annotations

import pytest

from interviewer.engine.actions import Move
from interviewer.engine.commands import Command, ParsedCommand, parse_command
from interviewer.engine.engine import Engine
from interviewer.engine.planner import PlanError, plan_questions
from interviewer.engine.policy import Assessment
from interviewer.engine.state import RunStatus, SessionStatus
from interviewer.grading.detector import detect
from interviewer.text.screen import AnswerKind
from tests import answers

T0 = 1_000.0


def make(bank, *ids: str, level: str = "mid", **kwargs) -> Engine:
    engine = Engine.new([bank.get(i) for i in ids], level=level, now=T0, **kwargs)
    engine.said("(question)", T0)
    return engine


def answer(engine: Engine, text: str, at: float = T0 + 30, kind: AnswerKind = AnswerKind.ok):
    detection = detect(engine.question, "\n\n".join([*engine.run.answers(), text]))
    flagged = {f.item for f in detection.red_flags if f.item}
    action = engine.answer(text, Assessment(detection.covered(), flagged), kind, at)
    if action.move not in (Move.close, Move.pause):
        engine.said(f"({action.move})", at)
    return action


def command(engine: Engine, text: str, at: float = T0 + 30):
    parsed = parse_command(text)
    assert parsed is not None
    action = engine.command(parsed, at)
    if action.move not in (Move.close, Move.pause):
        engine.said(f"({action.move})", at)
    return action


def test_first_action_asks_the_first_question(bank) -> None:
    engine = Engine.new([bank.get("imbalanced-data")], level="mid", now=T0)
    assert engine.pending.move is Move.ask
    assert (engine.pending.number, engine.pending.total) == (1, 1)


def test_probes_the_highest_weight_item_the_answer_missed(bank) -> None:
    engine = make(bank, "imbalanced-data")
    action = answer(engine, "I'd use class weights in the loss, or oversample the minority class.")
    # metrics (weight 3) and business-cost (weight 3) are missing; metrics comes first in the rubric
    assert action.move is Move.probe_gap
    assert action.target_item in {"metrics", "business-cost"}
    assert action.follow_up_prompt


def test_challenges_a_claim_that_matches_a_red_flag(bank) -> None:
    engine = make(bank, "imbalanced-data")
    action = answer(engine, answers.WRONG_IMBALANCE)
    assert action.move is Move.challenge
    assert action.follow_up_id == "leak-check"


def test_a_complete_answer_gets_a_deeper_follow_up_then_moves_on(bank) -> None:
    engine = make(bank, "imbalanced-data", "cross-validation")
    first = answer(engine, answers.STRONG_IMBALANCE)
    assert first.move in {Move.change_constraint, Move.go_deeper, Move.challenge}
    second = answer(engine, "With one in ten thousand I'd undersample negatives heavily and use focal loss.")
    assert second.move in {Move.change_constraint, Move.go_deeper, Move.challenge, Move.ask}


def test_follow_ups_are_capped_per_question(bank) -> None:
    engine = make(bank, "imbalanced-data", "cross-validation", max_follow_ups=1)
    assert answer(engine, "I'd use class weights.").move is Move.probe_gap
    nxt = answer(engine, "Maybe more class weights.")
    assert nxt.move is Move.ask
    assert nxt.completed == "imbalanced-data"
    assert nxt.transition


def test_time_budget_moves_on_without_follow_ups(bank) -> None:
    engine = make(bank, "imbalanced-data", "cross-validation")
    budget = bank.get("imbalanced-data").time_budget_s
    action = answer(engine, "I'd use class weights.", at=T0 + budget + 1)
    assert action.move is Move.ask
    assert action.question_id == "cross-validation"


def test_level_restricted_follow_ups_are_not_asked_of_juniors(bank) -> None:
    engine = make(bank, "imbalanced-data", level="junior", max_follow_ups=5)
    asked = []
    action = answer(engine, answers.STRONG_IMBALANCE)
    while action.move is not Move.close:
        asked.append(action.follow_up_id)
        action = answer(engine, answers.STRONG_IMBALANCE)
    assert "rarer-positives" not in asked


def test_dont_know_gets_a_nudge_then_moves_on(bank) -> None:
    engine = make(bank, "imbalanced-data", "cross-validation")
    nudge = answer(engine, answers.DONT_KNOW, kind=AnswerKind.dont_know)
    assert nudge.move is Move.nudge
    assert nudge.hint  # a different angle from the rubric item's hint
    moved = answer(engine, "Still no idea.", kind=AnswerKind.dont_know)
    assert moved.move is Move.ask
    assert moved.question_id == "cross-validation"


def test_off_topic_answer_is_redirected(bank) -> None:
    engine = make(bank, "imbalanced-data")
    assert answer(engine, "I like football.", kind=AnswerKind.off_topic).move is Move.redirect


def test_hint_is_recorded_on_the_question(bank) -> None:
    engine = make(bank, "imbalanced-data")
    action = command(engine, "/hint")
    assert action.move is Move.hint
    assert action.hint == bank.get("imbalanced-data").item("metrics").hint
    assert engine.run.hints == 1


def test_repeat_repeats_the_last_question_line(bank) -> None:
    engine = Engine.new([bank.get("imbalanced-data")], level="mid", now=T0)
    engine.said("Question 1 of 1. Your positive class...", T0)
    action = command(engine, "/repeat")
    assert action.move is Move.repeat
    assert action.repeat_text == "Question 1 of 1. Your positive class..."


def test_clarify_carries_the_candidates_question(bank) -> None:
    engine = make(bank, "imbalanced-data")
    action = command(engine, "/clarify is this fraud or churn?")
    assert action.move is Move.clarify
    assert action.candidate_request == "is this fraud or churn?"


def test_skip_moves_on_and_marks_the_question_skipped(bank) -> None:
    engine = make(bank, "imbalanced-data", "cross-validation")
    action = command(engine, "/skip")
    assert action.move is Move.ask
    assert engine.state.runs[0].status is RunStatus.skipped


def test_pause_keeps_the_session_resumable(bank) -> None:
    engine = make(bank, "imbalanced-data")
    assert command(engine, "/pause").move is Move.pause
    assert engine.state.status is SessionStatus.paused
    assert engine.resume().move is Move.repeat
    assert engine.state.status is SessionStatus.active


def test_quit_closes_early_and_keeps_what_was_answered(bank) -> None:
    engine = make(bank, "imbalanced-data", "cross-validation")
    answer(engine, "I'd use class weights.")
    action = command(engine, "/quit")
    assert action.move is Move.close
    assert action.ended_early
    assert action.completed == "imbalanced-data"
    assert engine.state.runs[0].status is RunStatus.done
    assert engine.state.runs[1].status is RunStatus.pending


def test_help_and_unknown_commands_show_help(bank) -> None:
    engine = make(bank, "imbalanced-data")
    assert command(engine, "/help").move is Move.help
    assert command(engine, "/frobnicate").move is Move.help


def test_the_last_question_ends_with_a_close(bank) -> None:
    engine = make(bank, "cross-validation", max_follow_ups=0)
    action = answer(engine, answers.CV_ANSWER)
    assert action.move is Move.close
    assert not action.ended_early
    assert engine.finished


def test_session_time_limit_closes_after_the_current_question(bank) -> None:
    engine = make(bank, "cross-validation", "imbalanced-data", time_limit_s=60)
    action = answer(engine, answers.CV_ANSWER, at=T0 + 61)
    assert action.move is Move.close
    assert action.ended_early


def test_slash_text_inside_an_answer_is_not_a_command() -> None:
    assert parse_command("I'd divide precision / recall") is None
    assert parse_command("/clarify what scale?") == ParsedCommand(Command.clarify, "what scale?")


def test_plan_filters_by_round_and_level_and_orders_easy_to_hard(bank) -> None:
    plan = plan_questions(bank.questions.values(), rounds=None, level="mid", count=4, seed=3)
    assert [q.difficulty.rank for q in plan] == sorted(q.difficulty.rank for q in plan)
    assert {q.id for q in plan} == set(bank.questions)  # all four suit mid
    juniors = plan_questions(bank.questions.values(), rounds=None, level="senior", count=10, seed=3)
    assert "cross-validation" not in {q.id for q in juniors}


def test_plan_mixes_topics_before_repeating_one(bank) -> None:
    plan = plan_questions(bank.questions.values(), rounds=None, level="mid", count=3, seed=7)
    assert len({q.topic for q in plan}) == 3


def test_plan_with_no_match_says_why(bank) -> None:
    from interviewer.bank.models import Round

    with pytest.raises(PlanError, match="system_design"):
        plan_questions(bank.questions.values(), rounds=[Round.system_design], level="mid", count=2)


def test_a_hint_points_at_a_missing_item_the_bank_has_a_hint_for(bank) -> None:
    engine = make(bank, "cross-validation")  # "mechanics" comes first but only "when-not" has a hint
    action = command(engine, "/hint")
    assert action.target_item == "when-not"
    assert action.hint == "Would the same split work if the rows were ordered in time?"
