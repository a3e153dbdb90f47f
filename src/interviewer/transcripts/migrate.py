"""Sessions written by 0.1.0 (`transcript.json` with schema_version 1, no log) as events.

0.1.0 saved the engine's state whole, so the migration is lossless: a `started` event carrying that
state (every turn in it), one `graded` event per grade, and `finished` when it was. Its model
settings were never recorded beyond the model names, which become the recorded settings.
"""

from __future__ import annotations

import json
from datetime import datetime

from pydantic import ValidationError

from interviewer.engine.actions import Move
from interviewer.engine.state import SessionStatus
from interviewer.transcripts.events import Event, Finished, Graded, Started, rubric_hash
from interviewer.transcripts.log import LogError
from interviewer.transcripts.record import ModelRecord, RecordedSettings, SessionRecord

MIGRATED_FROM = "transcript.json schema_version 1 (interviewer 0.1.0)"


def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()


def _model(name: str) -> ModelRecord:
    return ModelRecord(model=None if name == "offline" else name)


def events_from_v1(text: str, name: str = "transcript.json") -> list[Event]:
    try:
        data = json.loads(text)
    except ValueError:
        raise LogError(f"{name} is not JSON (the file is corrupted)") from None
    version = data.get("schema_version") if isinstance(data, dict) else None
    if version != 1:
        raise LogError(f"{name} has schema_version {version!r} and no events.jsonl: not a session this version reads")
    try:
        record = SessionRecord.model_validate(data)
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise LogError(f"{name}: {'.'.join(str(p) for p in problem['loc'])}: {problem['msg']}") from None
    state = record.engine
    run = state.runs[min(state.current, len(state.runs) - 1)]
    pending = state.pending.move if state.pending else None
    state.spoken = (
        state.status is SessionStatus.active
        and pending not in (Move.pause, Move.close, None)
        and bool(run.turns)
        and run.turns[-1].role == "interviewer"
    )
    events: list[Event] = [
        Started(
            at=_epoch(record.created_at),
            id=record.id,
            app_version=record.app_version,
            created_at=record.created_at,
            options=record.options,
            engines=record.engines,
            settings=RecordedSettings(
                interviewer=_model(record.engines.interviewer), grader=_model(record.engines.grader), complete=False
            ),
            bank_version=record.bank_version,
            prompt_hashes=record.prompt_hashes,
            questions=record.questions,
            engine=state,
            usage=record.usage,
            notes=record.notes,
            migrated_from=MIGRATED_FROM,
        )
    ]
    at = _epoch(record.updated_at)
    for question_id, grade in record.grades.items():
        events.append(
            Graded(
                at=at,
                question_id=question_id,
                grader=grade.grader,
                path=grade.path,
                rubric_hash=rubric_hash(record.question(question_id)),
                reason="migrated",
                grade=grade,
            )
        )
    if record.finished_at:
        events.append(Finished(at=_epoch(record.finished_at), timings=record.timings))
    return events
