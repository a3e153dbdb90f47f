"""The events a session's log is made of, one JSON object per line of `events.jsonl`.

Every event carries `v` (the log format version), `type`, `at` (the session clock, epoch seconds) and
the token use and notes it produced. The log is append-only: a later `graded` event for a question
replaces the earlier grade in the fold, and the earlier one stays in the log and in the report.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter

from interviewer.bank.derived import effective_rubric
from interviewer.bank.models import Question
from interviewer.engine.actions import Action
from interviewer.engine.state import EngineState
from interviewer.grading.assess import AnswerAssessment
from interviewer.grading.models import GradePath, QuestionGrade, Usage
from interviewer.transcripts.record import Engines, RecordedSettings, SessionOptions

EVENT_VERSION = 1


class _Event(BaseModel):
    v: int = EVENT_VERSION
    at: float
    usage: list[Usage] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class Started(_Event):
    """Everything that shapes the session, and the engine's first state (the question snapshot included)."""

    type: Literal["started"] = "started"
    id: str
    app_version: str
    created_at: str
    options: SessionOptions
    engines: Engines
    settings: RecordedSettings
    bank_version: str
    bank_hash: str = ""
    prompt_hashes: dict[str, str]
    questions: list[Question]
    engine: EngineState
    migrated_from: str | None = None  # set when the log was made from an older transcript


class Asked(_Event):
    """The interviewer said `text` for `action` (its move, follow-up id and target item)."""

    type: Literal["asked"] = "asked"
    text: str
    action: Action


class Answered(_Event):
    """The candidate's exact text, the one assessment of it, the coverage that steered the follow-up, and the
    move the engine chose next (so a replay continues as recorded whatever the policy is by then)."""

    type: Literal["answered"] = "answered"
    text: str
    covered: list[str] = Field(default_factory=list)
    assessment: AnswerAssessment
    decided: Action | None = None  # None in older logs: the fold then asks today's policy


class CommandGiven(_Event):
    """A command the candidate typed, and the move the engine chose for it (a /hint's target and where a /skip
    went are replayed as recorded)."""

    type: Literal["command"] = "command"
    command: str
    argument: str = ""
    decided: Action | None = None  # None in older logs: the fold then works it out again


class Graded(_Event):
    type: Literal["graded"] = "graded"
    question_id: str
    grader: str
    path: GradePath
    rubric_hash: str
    reason: Literal["session", "resume", "regrade", "migrated"] = "session"
    grade: QuestionGrade
    backend: str | None = None  # the grader in charge (None in older logs); a screened-out answer counts for it


class SettingsChanged(_Event):
    type: Literal["settings_changed"] = "settings_changed"
    engines: Engines
    settings: RecordedSettings


class Paused(_Event):
    type: Literal["paused"] = "paused"


class Resumed(_Event):
    type: Literal["resumed"] = "resumed"


class Finished(_Event):
    type: Literal["finished"] = "finished"
    timings: dict[str, float] = Field(default_factory=dict)


Event = Annotated[
    Started | Asked | Answered | CommandGiven | Graded | SettingsChanged | Paused | Resumed | Finished,
    Field(discriminator="type"),
]
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)


def rubric_hash(question: Question) -> str:
    """Identifies the rubric a grade was made against: grades with the same hash are comparable."""
    items = [item.model_dump(mode="json") for item in effective_rubric(question)]
    flags = [flag.model_dump(mode="json") for flag in question.red_flags]
    blob = json.dumps({"items": items, "red_flags": flags}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]
