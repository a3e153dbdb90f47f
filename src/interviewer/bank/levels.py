"""The candidate levels a question is written for: an enum alone, so settings can name it without the bank's models."""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    junior = "junior"
    mid = "mid"
    senior = "senior"
