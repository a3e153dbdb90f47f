"""The engine's persistent state: plain pydantic data, saved after every turn."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from interviewer.engine.actions import Action
from interviewer.text.screen import AnswerKind


class RunStatus(StrEnum):
    pending = "pending"
    active = "active"
    done = "done"
    skipped = "skipped"


class SessionStatus(StrEnum):
    active = "active"
    paused = "paused"
    finished = "finished"


class TurnRecord(BaseModel):
    role: str  # interviewer | candidate
    text: str
    at: float
    move: str | None = None
    follow_up_id: str | None = None
    command: str | None = None
    kind: AnswerKind | None = None


class QuestionRun(BaseModel):
    question_id: str
    status: RunStatus = RunStatus.pending
    asked_at: float | None = None
    finished_at: float | None = None
    turns: list[TurnRecord] = Field(default_factory=list)
    follow_ups_asked: list[str] = Field(default_factory=list)
    covered: list[str] = Field(default_factory=list)
    hints: int = 0
    hinted_items: list[str] = Field(default_factory=list)  # the item each hint pointed at ("" for none)
    stalls: int = 0  # don't-know, empty, gibberish or off-topic answers so far

    def charged_hints(self) -> int:
        """Hints that cost score: one per item hinted at, so a hint asked twice for the same item is charged once."""
        return len(set(self.hinted_items)) if self.hinted_items else self.hints

    def answers(self) -> list[str]:
        return [t.text for t in self.turns if t.role == "candidate" and t.command is None]


class EngineState(BaseModel):
    plan: list[str]
    segments: list[str] = Field(default_factory=list)  # round name of each planned question (loops)
    level: str
    max_follow_ups: int = 2
    time_limit_s: int | None = None
    started_at: float
    current: int = 0
    status: SessionStatus = SessionStatus.active
    ended_early: bool = False
    runs: list[QuestionRun]
    focus: dict[str, list[str]] = Field(default_factory=dict)  # question id -> rubric items a drill aims at
    pending: Action | None = None
    spoken: bool = False  # the pending action was said: after a crash, resume shows it again instead of re-asking
