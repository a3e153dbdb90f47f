"""The one small interface every model backend implements.

An interviewer backend turns the engine's chosen move into words (streamed) and reports which
rubric items an answer covered; a grader backend scores an answer against the rubric. Provider
differences stop here: the engine and the grading code never branch on which backend it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from interviewer.bank.models import Question
from interviewer.engine.actions import Action
from interviewer.grading.models import Usage
from interviewer.grading.requests import GraderBackend, GradeReply, GradeRequest, ThreadTurn

# Grading owns its request types and the grader interface (re-exported here for the backends).
__all__ = [
    "BackendError",
    "GradeReply",
    "GradeRequest",
    "GraderBackend",
    "InterviewerBackend",
    "LineRequest",
    "LineStream",
    "TextStream",
    "ThreadTurn",
]


class BackendError(Exception):
    """A provider problem the user must fix (bad key, unknown model, server down after retries).

    The message is one line a person can act on; the session is saved before it is shown.
    """


@dataclass(frozen=True)
class LineRequest:
    """Everything needed to phrase one interviewer turn: the move, not the whole session."""

    action: Action
    question: Question
    thread: list[ThreadTurn]
    summary: str
    level: str


RESTART = " … "  # what a stream yields when it broke midway and starts the line again


class LineStream(Protocol):
    """Interviewer text as it arrives; `usage` and `notes` are filled once the stream is exhausted."""

    usage: list[Usage]
    notes: list[str]  # what went differently (a retried stream, an empty reply replaced), for the transcript

    def __iter__(self) -> Iterator[str]: ...


class InterviewerBackend(Protocol):
    name: str
    offline: bool
    description: str  # how the interviewer introduces its engine, e.g. "the built-in offline engine"

    def warm(self) -> None:
        """Start any slow set-up (imports, connections) in the background; must return at once."""
        ...

    def say(self, request: LineRequest) -> LineStream: ...

    def covered_items(self, question: Question, answer: str) -> tuple[set[str], list[Usage]]: ...


@dataclass
class TextStream:
    """A LineStream over text that is already complete (offline phrasing, replays)."""

    text: str
    usage: list[Usage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[str]:
        yield self.text
