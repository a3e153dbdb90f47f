"""The session record: one JSON document, rewritten atomically after every turn."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field

from interviewer.bank.models import Question
from interviewer.engine.state import EngineState, RunStatus, SessionStatus
from interviewer.grading.models import QuestionGrade, Usage

SCHEMA_VERSION = 1


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


class SessionRecord(BaseModel):
    schema_version: int = SCHEMA_VERSION
    id: str
    app_version: str
    created_at: str = Field(default_factory=utc_now)
    updated_at: str = Field(default_factory=utc_now)
    finished_at: str | None = None
    options: SessionOptions
    engines: Engines
    prompt_hashes: dict[str, str]
    bank_version: str
    questions: list[Question]  # snapshot, so resume and review never depend on the bank changing
    engine: EngineState
    grades: dict[str, QuestionGrade] = Field(default_factory=dict)
    usage: list[Usage] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)

    @property
    def status(self) -> SessionStatus:
        return self.engine.status

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)

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
