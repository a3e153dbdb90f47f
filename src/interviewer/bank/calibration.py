"""Calibration sets: answers to bank questions with the 0-100 band an experienced interviewer would give.

Two sets, one YAML file per question each:
- `rubrics/calibration/*.yaml`: a strong, a partial and a weak answer (`label`), checked for ordering and bands;
- `rubrics/calibration/meaning/*.yaml`: six answer kinds that separate meaning from vocabulary (`kind`), each
  question in the `tune` or the `heldout` half (the held-out half is never tuned on);
- `rubrics/calibration/meaning_fresh/*.yaml`: the same format, other questions, all `heldout`, written blind
  (without reading the grader or its scores) after the grader had been developed against the first meaning set;
- `rubrics/calibration/meaning_fresh2/*.yaml`: twelve more questions written the same way a round later, after
  the whole-answer credit was designed. Its plain-words strong answers avoid jargon but not every everyday
  phrase that happens to be a rubric signal.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from interviewer.bank.loader import BankError
from interviewer.paths import rubrics_dir


class Label(StrEnum):
    """How good the answer is meant to be; the grader should order them strong > partial > weak."""

    strong = "strong"
    partial = "partial"
    weak = "weak"

    @property
    def rank(self) -> int:
        return ["weak", "partial", "strong"].index(self.value)


class _BandedAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    band: tuple[int, int] = Field(description="Inclusive 0-100 score range an experienced interviewer would give.")
    text: str = Field(min_length=1)

    @field_validator("band")
    @classmethod
    def _band_in_range(cls, band: tuple[int, int]) -> tuple[int, int]:
        lo, hi = band
        if not 0 <= lo <= hi <= 100:
            raise ValueError(f"band must satisfy 0 <= lo <= hi <= 100, got [{lo}, {hi}]")
        return band

    def hits(self, score: int) -> bool:
        return self.band[0] <= score <= self.band[1]

    def distance(self, score: int) -> int:
        """How far `score` lies outside the band (0 inside it)."""
        return max(self.band[0] - score, score - self.band[1], 0)


class CalibrationAnswer(_BandedAnswer):
    label: Label


class CalibrationSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    question: str = Field(min_length=1, description="Id of a bank question.")
    answers: list[CalibrationAnswer] = Field(min_length=1)


class Kind(StrEnum):
    """The six answers of the meaning set, each written to probe one way a grader can mistake words for meaning."""

    plain_strong = "plain_strong"  # strong, in plain words, with none of the question's rubric signals
    term_strong = "term_strong"  # strong, with the usual terms
    partial = "partial"  # about half of what is looked for, correctly
    red_flag = "red_flag"  # fluent, states one of the question's red flags (or swaps a fact) in ordinary words
    keyword_list = "keyword_list"  # the right terms as a bare list, no clauses
    confidently_wrong = "confidently_wrong"  # fluent and wrong throughout


# (better, worse): the grader must score the first strictly above the second on every question.
ORDER_CHECKS: tuple[tuple[Kind, Kind], ...] = (
    (Kind.plain_strong, Kind.partial),
    (Kind.term_strong, Kind.partial),
    (Kind.partial, Kind.confidently_wrong),
)


class Split(StrEnum):
    tune = "tune"
    heldout = "heldout"


class MeaningAnswer(_BandedAnswer):
    kind: Kind
    flag: str | None = Field(default=None, description="For a red_flag answer: id of the bank red flag it states.")

    @model_validator(mode="after")
    def _flag_only_on_red_flag(self) -> MeaningAnswer:
        if (self.kind is Kind.red_flag) != (self.flag is not None):
            raise ValueError("a red_flag answer names the red flag it states (flag: <id>); other kinds name none")
        return self


class Check(BaseModel):
    """One band or ordering check on one question's scores."""

    model_config = ConfigDict(frozen=True)

    name: str  # "band plain_strong" or "order plain_strong > partial"
    held: bool


class MeaningSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    question: str = Field(min_length=1, description="Id of a bank question.")
    split: Split
    answers: list[MeaningAnswer] = Field(min_length=len(Kind))

    @field_validator("answers")
    @classmethod
    def _one_of_each_kind(cls, answers: list[MeaningAnswer]) -> list[MeaningAnswer]:
        kinds = [a.kind for a in answers]
        missing = [k.value for k in Kind if k not in kinds]
        doubled = sorted({k.value for k in kinds if kinds.count(k) > 1})
        if missing or doubled:
            raise ValueError(f"needs exactly one answer of each kind; missing {missing}, repeated {doubled}")
        return answers

    def answer(self, kind: Kind) -> MeaningAnswer:
        return next(a for a in self.answers if a.kind is kind)

    def checks(self, scores: Mapping[Kind, int]) -> list[Check]:
        """Every band check (one per answer) and ordering check (ORDER_CHECKS) on `scores`, one per kind."""
        out = [Check(name=f"band {a.kind.value}", held=a.hits(scores[a.kind])) for a in self.answers]
        out += [
            Check(name=f"order {better.value} > {worse.value}", held=scores[better] > scores[worse])
            for better, worse in ORDER_CHECKS
        ]
        return out


class CalibrationError(BankError):
    """A calibration file that cannot be used; the message names the file and the field."""


def default_calibration_dir() -> Path:
    return rubrics_dir() / "calibration"


def default_meaning_dir() -> Path:
    return default_calibration_dir() / "meaning"


def fresh_meaning_dirs() -> list[Path]:
    """The blind held-out sets, in the order they were written: `meaning_fresh/`, `meaning_fresh2/`, ..."""
    return sorted(default_calibration_dir().glob("meaning_fresh*"), key=lambda p: (len(p.name), p.name))


def _field(loc: tuple[object, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


_Set = TypeVar("_Set", CalibrationSet, MeaningSet)


def _load_file(path: Path, model: type[_Set]) -> _Set:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CalibrationError(f"{path}: not valid YAML: {exc}") from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{path}: field {_field(tuple(e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise CalibrationError("\n".join(lines)) from None


def _load_dir(directory: Path, model: type[_Set]) -> list[_Set]:
    if not directory.is_dir():
        raise CalibrationError(f"{directory}: no such directory")
    sets, errors = [], []
    for path in sorted(directory.glob("*.yaml")):
        try:
            sets.append(_load_file(path, model))
        except CalibrationError as exc:
            errors.append(str(exc))
    if errors:
        raise CalibrationError("\n".join(errors))
    return sets


def load_calibration_file(path: Path) -> CalibrationSet:
    return _load_file(path, CalibrationSet)


def load_calibration(directory: Path | None = None) -> list[CalibrationSet]:
    """Every `*.yaml` calibration set in `directory` (default `rubrics/calibration/`), sorted by file name."""
    return _load_dir(directory or default_calibration_dir(), CalibrationSet)


def load_meaning_file(path: Path) -> MeaningSet:
    return _load_file(path, MeaningSet)


def load_meaning(directory: Path | None = None) -> list[MeaningSet]:
    """Every `*.yaml` meaning set in `directory` (default `rubrics/calibration/meaning/`), sorted by file name."""
    return _load_dir(directory or default_meaning_dir(), MeaningSet)
