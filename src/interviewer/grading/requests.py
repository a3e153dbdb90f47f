"""What grading asks of a grader and what it gets back: the interface every grader backend implements.

Grading owns these types; backends import them (never the other way round).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from interviewer.bank.models import Question
from interviewer.grading.models import GradePath, ItemScore, Usage


@dataclass(frozen=True)
class ThreadTurn:
    role: str  # "interviewer" or "candidate"
    text: str


@dataclass(frozen=True)
class GradeRequest:
    question: Question
    answer: str  # the candidate's answers to the question and its follow-ups, joined
    thread: list[ThreadTurn]
    level: str | None = None  # the candidate's level: the grader is told what it expects


@dataclass
class GradeReply:
    items: list[ItemScore]
    path: GradePath
    usage: list[Usage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class GraderBackend(Protocol):
    name: str

    def grade(self, request: GradeRequest) -> GradeReply: ...


@dataclass(frozen=True)
class Gap:
    """A rubric item the answer missed or only named, with the bank's strong-answer line(s) that cover it."""

    item_id: str
    name: str
    score: int
    weight: int
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class RewriteRequest:
    """What the model needs to rewrite an answer: the answer (screened), what it missed, what the level adds."""

    question: Question
    answer: str
    level: str | None
    gaps: list[Gap]
    beyond: list[str]  # what the level expects that the answer does not show
    mistakes: list[str] = field(default_factory=list)  # the red flags the answer raised, to correct


@dataclass
class RewriteReply:
    text: str | None  # None: the model's rewrite failed a check (the notes say why)
    model: str
    usage: list[Usage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@runtime_checkable
class AnswerRewriter(Protocol):
    """A grader that can also write "your answer, made stronger" (the LLM grader; the offline one cannot)."""

    name: str
    rewrites: bool  # the config switch: grader.rewrite

    def rewrite(self, request: RewriteRequest) -> RewriteReply: ...
