"""What the engine tells the interviewer to do next: a move, never the words."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

from interviewer.bank.models import Strategy

_ENGINE_MOVES = (
    "ask",  # ask the question (first time)
    "nudge",  # after "I don't know" or an empty answer: a different angle
    "redirect",  # after gibberish or an off-topic answer
    "clarify",  # answer the candidate's clarifying question
    "hint",
    "repeat",
    "help",
    "pause",
    "close",
)
# The follow-up moves *are* the bank's follow-up strategies (one source of truth); the engine adds its own.
Move = StrEnum("Move", [(s.name, s.value) for s in Strategy] + [(m, m) for m in _ENGINE_MOVES], module=__name__)
FOLLOW_UP_MOVES = frozenset(Move(s.value) for s in Strategy)


class Action(BaseModel):
    move: Move
    question_id: str | None = None
    number: int = 0  # 1-based position of the question in the plan
    total: int = 0
    follow_up_id: str | None = None
    follow_up_prompt: str | None = None
    target_item: str | None = None
    hint: str | None = None
    candidate_request: str | None = None  # the candidate's clarifying question
    repeat_text: str | None = None
    transition: bool = False  # first line of a new question after another one
    new_round: str | None = None  # in a loop: the round this question starts, after a break
    completed: str | None = None  # id of the question this move finished, to grade
    ended_early: bool = False  # on close: the candidate quit or time ran out
    reason: str = ""

    @property
    def expects_answer(self) -> bool:
        return self.move not in {Move.pause, Move.close, Move.help}
