"""Calibration sets: answers to bank questions with the 0-100 band an experienced interviewer would give.

One YAML file per question in `rubrics/calibration/`; used to check the offline grader's ordering and bands.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

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


class CalibrationAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: Label
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


class CalibrationSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    question: str = Field(min_length=1, description="Id of a bank question.")
    answers: list[CalibrationAnswer] = Field(min_length=1)


class CalibrationError(BankError):
    """A calibration file that cannot be used; the message names the file and the field."""


def default_calibration_dir() -> Path:
    return rubrics_dir() / "calibration"


def _field(loc: tuple[object, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def load_calibration_file(path: Path) -> CalibrationSet:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CalibrationError(f"{path}: not valid YAML: {exc}") from None
    try:
        return CalibrationSet.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{path}: field {_field(tuple(e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise CalibrationError("\n".join(lines)) from None


def load_calibration(directory: Path | None = None) -> list[CalibrationSet]:
    """Every `*.yaml` calibration set in `directory` (default `rubrics/calibration/`), sorted by file name."""
    directory = directory or default_calibration_dir()
    if not directory.is_dir():
        raise CalibrationError(f"{directory}: no such directory")
    sets, errors = [], []
    for path in sorted(directory.glob("*.yaml")):
        try:
            sets.append(load_calibration_file(path))
        except CalibrationError as exc:
            errors.append(str(exc))
    if errors:
        raise CalibrationError("\n".join(errors))
    return sets
