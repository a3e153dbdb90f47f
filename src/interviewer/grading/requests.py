"""What grading asks of a grader and what it gets back: the interface every grader backend implements.

Grading owns these types; backends import them (never the other way round).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

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
