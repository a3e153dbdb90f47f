"""The session record: what the fold of a session's event log gives, and the `transcript.json` view of it."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field

from interviewer.bank.models import Question
from interviewer.engine.state import EngineState, RunStatus, SessionStatus
from interviewer.grading.models import QuestionGrade, Usage

SCHEMA_VERSION = 3  # 1: 0.1.0, the record saved whole; 2: a view folded from events.jsonl; 3: with grade_stamps


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SessionOptions(BaseModel):
    round: str
    level: str
    count: int
    seed: int | None = None
    topics: list[str] = Field(default_factory=list)
    bank_paths: list[str] = Field(default_factory=list)
    time_limit_min: float | None = None


class Engines(BaseModel):
    interviewer: str
    grader: str
    offline: bool


class ModelRecord(BaseModel):
    """The model settings a session ran with (never a key: keys stay in the environment)."""

    model: str | None = None
    api_base: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    timeout_s: float | None = None
    retries: int | None = None
    coverage: str | None = None
    rewrite: bool | None = None


class RecordedSettings(BaseModel):
    """Every setting that shapes how the session goes on, so `resume` continues with the same ones."""

    interviewer: ModelRecord = Field(default_factory=ModelRecord)
    grader: ModelRecord = Field(default_factory=ModelRecord)
    complete: bool = True  # False for sessions from 0.1.0, which recorded only the model names


class GradeStamp(BaseModel):
    """When, why and by whom one grade was made: one per `graded` event."""

    at: float
    reason: str
    rubric_hash: str
    grader: str  # who the grade counts for: a screened-out answer's grade counts for the grader in charge


class SessionRecord(BaseModel):
    schema_version: int = SCHEMA_VERSION
    id: str
    app_version: str
    created_at: str = Field(default_factory=utc_now)
    updated_at: str = Field(default_factory=utc_now)
    finished_at: str | None = None
    options: SessionOptions
    engines: Engines
    settings: RecordedSettings = Field(default_factory=RecordedSettings)
    prompt_hashes: dict[str, str]
    bank_version: str
    questions: list[Question]  # snapshot, so resume and review never depend on the bank changing
    engine: EngineState
    grades: dict[str, QuestionGrade] = Field(default_factory=dict)  # the latest grade of each question
    earlier_grades: dict[str, list[QuestionGrade]] = Field(default_factory=dict)  # replaced grades, oldest first
    rubric_hashes: dict[str, str] = Field(default_factory=dict)  # the rubric each latest grade was made against
    # per question, one stamp per grade, oldest first: those of `earlier_grades`, then the latest grade's
    grade_stamps: dict[str, list[GradeStamp]] = Field(default_factory=dict)
    usage: list[Usage] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)
    log_bytes: int | None = None  # size of the events.jsonl this view was folded from: while equal, it is current

    @property
    def status(self) -> SessionStatus:
        return self.engine.status

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)

    def previous_grade(self, question_id: str) -> QuestionGrade | None:
        earlier = self.earlier_grades.get(question_id)
        return earlier[-1] if earlier else None

    def grade_history(self, question_id: str) -> list[tuple[QuestionGrade, GradeStamp]]:
        """Every grade of the question with its stamp, oldest first (the last is the latest)."""
        grades = [
            *self.earlier_grades.get(question_id, []),
            *([self.grades[question_id]] if question_id in self.grades else []),
        ]
        stamps = self.grade_stamps.get(question_id, [])
        if len(stamps) != len(grades):
            raise ValueError(f"{question_id} has {len(grades)} grades but {len(stamps)} grade stamps")
        return list(zip(grades, stamps, strict=True))

    def provisional_ids(self) -> list[str]:
        return [qid for qid in self.completed_ids() if qid in self.grades and self.grades[qid].provisional]

    def completed_ids(self) -> list[str]:
        return [r.question_id for r in self.engine.runs if r.status in (RunStatus.done, RunStatus.skipped)]

    def overall_score(self) -> int | None:
        scores = [self.grades[qid].score for qid in self.completed_ids() if qid in self.grades]
        return round(sum(scores) / len(scores)) if scores else None

    def token_totals(self) -> tuple[int, int, float | None]:
        prompt = sum(u.prompt_tokens for u in self.usage)
        completion = sum(u.completion_tokens for u in self.usage)
        costs = [u.cost_usd for u in self.usage if u.cost_usd is not None]
        return prompt, completion, (sum(costs) if costs else None)
