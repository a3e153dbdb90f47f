"""The built-in offline engine: deterministic phrasing from the bank and rubric-driven grading."""

from __future__ import annotations

from typing import Any

from interviewer.backends.base import LineRequest, TextStream
from interviewer.bank.facts import matching_facts
from interviewer.bank.models import Fact, Question
from interviewer.engine.actions import FOLLOW_UP_MOVES, Move
from interviewer.grading.detector import detect
from interviewer.grading.models import GradePath, Usage
from interviewer.grading.offline import OFFLINE_NAME, offline_item_scores
from interviewer.grading.requests import GradeReply, GradeRequest
from interviewer.prompts import pick_line, render_line


def clarifying_facts(request: LineRequest) -> list[Fact]:
    """The question's facts a /clarify request asks about (none for any other move)."""
    if request.action.move is not Move.clarify:
        return []
    return matching_facts(request.question, request.action.candidate_request or "")


class OfflineInterviewer:
    name = OFFLINE_NAME
    offline = True
    description = "the built-in offline engine (deterministic; my follow-ups come straight from the question bank)"

    def warm(self) -> None:
        from interviewer.grading.semantic import warm_up

        warm_up()  # every answer is assessed by meaning

    def say(self, request: LineRequest) -> TextStream:
        action, question = request.action, request.question
        move = action.move
        if move in FOLLOW_UP_MOVES:
            return TextStream(render_line("follow_up", follow_up_prompt=action.follow_up_prompt))
        variables: dict[str, Any] = {
            "question": question.question,
            "number": action.number,
            "total": action.total,
            "transition": pick_line("transitions", question.id, action.number) if action.transition else None,
            "new_round": action.new_round.replace("_", " ") if action.new_round else None,
            "hint": action.hint,
            "repeat_text": action.repeat_text,
            "early": action.ended_early,
            "facts": [f.answer for f in clarifying_facts(request)],
        }
        return TextStream(render_line(move.value, **variables))

    def covered_items(self, question: Question, answer: str) -> tuple[set[str], list[Usage]]:
        return detect(question, answer).covered(), []


class OfflineGrader:
    name = OFFLINE_NAME

    def grade(self, request: GradeRequest) -> GradeReply:
        return GradeReply(items=offline_item_scores(request.question, request.answer), path=GradePath.offline)
