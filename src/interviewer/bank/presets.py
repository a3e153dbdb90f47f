"""Round presets from `rubrics/presets.yaml`."""

from __future__ import annotations

from functools import cache

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from interviewer.bank.models import Round
from interviewer.paths import rubrics_dir


class Preset(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str
    rounds: list[Round] = Field(default_factory=list)  # empty: any round
    questions: int = 5
    loop: list[str] = Field(default_factory=list)  # names of presets run in turn
    questions_per_round: int = 2

    @model_validator(mode="after")
    def _one_kind(self) -> Preset:
        if self.loop and self.rounds:
            raise ValueError("a preset has either rounds or a loop, not both")
        return self


@cache
def presets() -> dict[str, Preset]:
    raw = yaml.safe_load((rubrics_dir() / "presets.yaml").read_text(encoding="utf-8"))["presets"]
    table = {name: Preset(name=name, **body) for name, body in raw.items()}
    for preset in table.values():
        unknown = [name for name in preset.loop if name not in table]
        if unknown:
            raise ValueError(f"rubrics/presets.yaml: preset {preset.name!r} loops over unknown {unknown}")
    return table


def resolve(name: str) -> Preset:
    """A preset by name; a bare round type works as a one-round preset."""
    table = presets()
    if name in table:
        return table[name]
    try:
        round_ = Round(name)
    except ValueError:
        known = ", ".join(sorted(table))
        raise KeyError(f"unknown round {name!r}; choose one of: {known}") from None
    return Preset(name=name, description=round_.value.replace("_", " "), rounds=[round_])
