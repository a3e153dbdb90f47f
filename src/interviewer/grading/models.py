"""What grading produces, per rubric item and per question."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from interviewer.text.delivery import DeliveryNotes
from interviewer.text.screen import AnswerKind


class GradePath(StrEnum):
    """Which route produced a grade; recorded in the transcript."""

    offline = "offline"
    guard = "guard"  # screened out before any grader (empty, don't know, gibberish, off topic, skipped)
    llm_json_schema = "llm_json_schema"
    llm_json_mode = "llm_json_mode"
    llm_extracted = "llm_extracted"
    llm_reasked = "llm_reasked"
    offline_fallback = "offline_fallback"


class ItemScore(BaseModel):
    """One rubric item as a grader returns it (before verification)."""

    item_id: str
    reasoning: str = ""
    evidence: list[str] = Field(default_factory=list)
    score: int = Field(ge=0, le=3)


class ItemGrade(BaseModel):
    item_id: str
    name: str
    weight: int
    score: int = Field(ge=0, le=3)
    evidence: list[str] = Field(default_factory=list)
    reason: str
    dropped_quotes: int = 0


class Usage(BaseModel):
    model: str
    purpose: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = None
    seconds: float = 0.0


class ModelRewrite(BaseModel):
    """The report's "your answer, made stronger": the grader model's rewrite of the answer. Shown, never scored."""

    model: str
    text: str


SCORE_CAP = "score capped at"  # how a note that lowered the whole score starts


class QuestionGrade(BaseModel):
    question_id: str
    kind: AnswerKind
    score: int = Field(ge=0, le=100)
    raw_score: int = Field(ge=0, le=100)
    hints_used: int = 0
    hint_penalty: int = 0
    skipped: bool = False
    items: list[ItemGrade]
    strengths: list[str]
    missing: list[str]
    red_flags: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    strong_answer: list[str] = Field(default_factory=list)
    delivery: DeliveryNotes | None = None
    grader: str
    path: GradePath
    provisional: bool = False  # the grader failed (provider error): graded offline, re-graded on resume
    notes: list[str] = Field(default_factory=list)
    rewrite: ModelRewrite | None = None  # made after the score, on the LLM path (grading/stronger.py)

    @property
    def caps(self) -> list[str]:
        """The notes that say why the score is below its items' average (a keyword list, a red flag)."""
        return [note for note in self.notes if note.startswith(SCORE_CAP)]
