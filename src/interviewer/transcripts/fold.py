"""The fold: a session's events replayed through the engine into the SessionRecord every view reads.

The running session applies each event through this same fold right after appending it, so what the
candidate sees, what a later `resume` rebuilds and what `review` shows are one computation. A replay
follows the moves the log recorded (what was asked, what the engine chose after each answer), never a
policy changed since; only a log from before moves were recorded asks today's policy.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from interviewer.engine.commands import Command, ParsedCommand
from interviewer.engine.engine import Engine
from interviewer.engine.policy import Assessment
from interviewer.grading.models import GradePath
from interviewer.transcripts.events import (
    Answered,
    Asked,
    CommandGiven,
    Event,
    Finished,
    Graded,
    Paused,
    Resumed,
    SettingsChanged,
    Started,
)
from interviewer.transcripts.record import GradeStamp, SessionRecord


def iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds")


def _assessment(event: Answered) -> Assessment:
    found = event.assessment
    return Assessment(set(event.covered), set(found.red_flag_items), set(found.wrong_items))


def _parsed(event: CommandGiven) -> ParsedCommand:
    return ParsedCommand(Command(event.command), event.argument)


def _counts_for(event: Graded, record: SessionRecord) -> str:
    """The grader a grade is compared under: a screened-out answer scores 0 whoever grades, so it counts for the
    grader in charge (the session's grader in logs that did not record it)."""
    if event.path is GradePath.guard:
        return event.backend or record.engines.grader
    return event.grader


class Fold:
    """Takes over the `started` event's engine state and advances it with every event applied."""

    def __init__(self, started: Started) -> None:
        self.record = SessionRecord(
            id=started.id,
            app_version=started.app_version,
            created_at=started.created_at,
            updated_at=iso(started.at),
            options=started.options,
            engines=started.engines,
            settings=started.settings,
            prompt_hashes=started.prompt_hashes,
            bank_version=started.bank_version,
            questions=started.questions,
            engine=started.engine.model_copy(deep=True),  # the fold advances its own copy: the events stay as read
            usage=list(started.usage),
            notes=list(started.notes),
        )
        self.engine = Engine(self.record.engine, {q.id: q for q in self.record.questions})

    @classmethod
    def of(cls, events: Iterable[Event]) -> Fold:
        stream = iter(events)
        started = next(stream)
        assert isinstance(started, Started), "a log begins with its 'started' event"
        fold = cls(started)
        for event in stream:
            fold.apply(event)
        return fold

    def with_decision(self, event: Answered | CommandGiven) -> Answered | CommandGiven:
        """`event` with the move the engine chooses after it (today's policy, tried on a copy of the state)."""
        trial = Engine(self.record.engine.model_copy(deep=True), self.engine.questions)
        if isinstance(event, Answered):
            decided = trial.answer(event.text, _assessment(event), event.assessment.kind, event.at)
        else:
            decided = trial.command(_parsed(event), event.at)
        return event.model_copy(update={"decided": decided})

    def apply(self, event: Event) -> None:
        record, engine = self.record, self.engine
        match event:
            case Asked():
                engine.state.pending = event.action  # the log, not today's policy, says what was asked
                engine.said(event.text, event.at)
            case Answered():
                engine.answer(event.text, _assessment(event), event.assessment.kind, event.at, event.decided)
            case CommandGiven():
                engine.command(_parsed(event), event.at, event.decided)
            case Graded():
                if (previous := record.grades.get(event.question_id)) is not None:
                    record.earlier_grades.setdefault(event.question_id, []).append(previous)
                record.grades[event.question_id] = event.grade
                record.rubric_hashes[event.question_id] = event.rubric_hash
                stamp = GradeStamp(
                    at=event.at, reason=event.reason, rubric_hash=event.rubric_hash, grader=_counts_for(event, record)
                )
                record.grade_stamps.setdefault(event.question_id, []).append(stamp)
            case SettingsChanged():
                record.engines, record.settings = event.engines, event.settings
            case Paused():
                engine.pause()
            case Resumed():
                engine.resume()
            case Finished():
                record.finished_at = iso(event.at)
                record.timings.update(event.timings)
            case Started():
                raise ValueError("a session has one 'started' event")
        record.usage.extend(event.usage)
        record.notes.extend(event.notes)
        record.updated_at = iso(event.at)


def fold(events: Iterable[Event]) -> SessionRecord:
    return Fold.of(events).record
