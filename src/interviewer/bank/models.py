"""The question bank's data model: what a pack file in `rubrics/` may contain."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from interviewer.bank.levels import Level


class Round(StrEnum):
    """Round types of a real ML engineer loop."""

    technical_screen = "technical_screen"
    ml_concepts = "ml_concepts"
    ml_coding = "ml_coding"
    applied_ml = "applied_ml"
    system_design = "system_design"
    production_mlops = "production_mlops"
    behavioral = "behavioral"
    llm_engineering = "llm_engineering"
    backend_apis = "backend_apis"
    data_structures = "data_structures"
    senior_engineering = "senior_engineering"


class Difficulty(StrEnum):
    easy = "easy"
    medium = "medium"
    hard = "hard"

    @property
    def rank(self) -> int:
        return ["easy", "medium", "hard"].index(self.value)


class Strategy(StrEnum):
    """How a follow-up pushes on an answer (the engine's follow-up policy picks one)."""

    probe_gap = "probe_gap"
    go_deeper = "go_deeper"
    challenge = "challenge"
    change_constraint = "change_constraint"
    ask_specifics = "ask_specifics"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Claim(_Strict):
    """A fact as one clause states it: a concept and what is said about it.

    A clause asserts the claim when it mentions one of `about` and one of `holds`, not negated.
    `wrong` lists what a mistaken clause says about the same concept (a swapped or false fact):
    a clause with `about` and `wrong` (or with `holds` negated) states the mistake.
    """

    about: list[str] = Field(min_length=1, description="Names of the concept (any one may appear).")
    holds: list[str] = Field(min_length=1, description="Ways of saying what is true of it (any one).")
    wrong: list[str] = Field(default_factory=list, description="Ways of saying the mistaken version.")


class Fact(_Strict):
    """What an interviewer tells a candidate who asks (scale, latency budget, data size, ...)."""

    about: list[str] = Field(min_length=1, description="Words a clarifying question about it would use.")
    answer: str = Field(min_length=3)


class RubricItem(_Strict):
    """One thing the interviewer looks for, scored 0-3."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: str = Field(min_length=3, description="What they look for, as a short phrase.")
    weight: int = Field(ge=1, le=5)
    signals: list[str] = Field(
        min_length=1,
        description="Words or phrases whose presence shows the item is covered (offline detector).",
    )
    hint: str | None = Field(default=None, description="A nudge that points at the item without answering it.")
    claims: list[Claim] = Field(default_factory=list, description="Facts that, stated in a clause, show the item.")


class RedFlag(_Strict):
    """A mistake interviewers watch for; a matched red flag caps the item it hurts."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    text: str = Field(min_length=3)
    signals: list[str] = Field(default_factory=list)
    item: str | None = Field(default=None, description="The rubric item this mistake undermines.")
    claims: list[Claim] = Field(default_factory=list, description="The mistake stated as claims (their `holds`).")


class Example(_Strict):
    """An answer a person has already marked: the reference grader compares new answers with it."""

    answer: str = Field(min_length=1)
    accepted: bool = Field(description="True when the answer was marked correct, false when marked wrong.")


class FollowUp(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    strategy: Strategy
    targets: str = Field(description="Id of the rubric item this follow-up chases.")
    prompt: str = Field(min_length=8)
    levels: list[Level] = Field(default_factory=lambda: list(Level))


class Question(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    question: str = Field(min_length=10)
    round: Round
    topic: str = Field(min_length=2, description="Category used to mix questions and show progress.")
    difficulty: Difficulty
    levels: list[Level] = Field(min_length=1)
    time_budget_s: int = Field(ge=30, le=3600)
    rubric: list[RubricItem] = Field(default_factory=list)
    red_flags: list[RedFlag] = Field(default_factory=list)
    follow_ups: list[FollowUp] = Field(default_factory=list)
    strong_answer: list[str] = Field(default_factory=list, description="Outline of a strong answer.")
    plain_answer: list[str] = Field(
        default_factory=list, description="The strong-answer outline in everyday words, line for line."
    )
    reference_answer: str | None = None
    source: str | None = Field(default=None, description="Seed file the question comes from, or 'original'.")
    facts: list[Fact] = Field(default_factory=list, description="Answers to clarifying questions.")
    examples: list[Example] = Field(
        default_factory=list, description="Marked answers to a reference-only question (no rubric)."
    )

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        if not self.rubric and not self.reference_answer:
            raise ValueError("a question needs a rubric or a reference_answer")
        if self.plain_answer and len(self.plain_answer) != len(self.strong_answer):
            raise ValueError("plain_answer needs one line for each strong_answer line")
        if self.examples and (self.rubric or not self.reference_answer):
            raise ValueError("examples grade a question that has a reference_answer and no rubric")
        item_ids = [item.id for item in self.rubric]
        if len(set(item_ids)) != len(item_ids):
            raise ValueError("rubric item ids must be unique within a question")
        known = set(item_ids)
        for follow_up in self.follow_ups:
            if known and follow_up.targets not in known:
                raise ValueError(f"follow-up {follow_up.id!r} targets unknown rubric item {follow_up.targets!r}")
        for flag in self.red_flags:
            if flag.item is not None and flag.item not in known:
                raise ValueError(f"red flag {flag.id!r} names unknown rubric item {flag.item!r}")
        return self

    @property
    def total_weight(self) -> int:
        return sum(item.weight for item in self.rubric)

    def item(self, item_id: str) -> RubricItem:
        return next(item for item in self.rubric if item.id == item_id)


class Pack(_Strict):
    """One bank file: a named, versioned list of questions."""

    pack: str = Field(min_length=1)
    version: str = Field(default="1")
    description: str = ""
    questions: list[Question] = Field(min_length=1)
