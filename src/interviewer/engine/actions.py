"""What the engine tells the interviewer to do next: a move, never the words."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel


class Move(StrEnum):
    ask = "ask"  # ask the question (first time)
    probe_gap = "probe_gap"
    go_deeper = "go_deeper"
    challenge = "challenge"
    change_constraint = "change_constraint"
    ask_specifics = "ask_specifics"
    nudge = "nudge"  # after "I don't know" or an empty answer: a different angle
    redirect = "redirect"  # after gibberish or an off-topic answer
    clarify = "clarify"  # answer the candidate's clarifying question
    hint = "hint"
    repeat = "repeat"
    help = "help"
    pause = "pause"
    close = "close"


FOLLOW_UP_MOVES = frozenset(
    {Move.probe_gap, Move.go_deeper, Move.challenge, Move.change_constraint, Move.ask_specifics}
)


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
