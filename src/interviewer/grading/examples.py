"""Marked answers as evidence: a reference-only question may list answers a person marked right or wrong.

The learned reference model (`reference.py`) gives the probability that a new answer says what a text
says; each marked answer is such a text. Accepted answers are more references: the best match over the
reference and them is what the answer is judged on. Rejected answers are counter-evidence, which a second
logistic model fitted on SemEval train weighs (`data/example_model.json`, refitted by
`bench/fit_examples.py`): its features are the best and top-three matches on each side and how many
marked answers each side has.
Without rejected answers there is nothing to weigh, and the first model's cut points apply unchanged.
The second model also reads a weak resemblance to every accepted answer as evidence against: on SemEval
train, letting it lower only answers closer to a rejected answer than to any accepted one lost 1.3-1.4
points of weighted F1, so it decides alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from interviewer.grading.logistic import LogisticModel, load_logistic

EXAMPLE_MODEL_PATH = Path(__file__).parent / "data" / "example_model.json"
EXAMPLE_FEATURES = (
    "best_accepted",
    "top_accepted",
    "best_rejected",
    "top_rejected",
    "accepted_count",
    "rejected_count",
)
TOP = 3  # the "top" features average this many best matches


@lru_cache(maxsize=1)
def load_example_model(path: Path = EXAMPLE_MODEL_PATH) -> LogisticModel:
    return load_logistic(path, EXAMPLE_FEATURES)


def _top(values: Sequence[float]) -> float:
    best = sorted(values, reverse=True)[:TOP]
    return sum(best) / len(best) if best else 0.0


def example_features(accepted: Sequence[float], rejected: Sequence[float]) -> tuple[float, ...]:
    """The second model's features from the matches to accepted texts (reference first) and rejected ones."""
    counts = (math.log1p(len(accepted)), math.log1p(len(rejected)))  # a pack may mark two answers or dozens
    return (max(accepted, default=0.0), _top(accepted), max(rejected, default=0.0), _top(rejected), *counts)


@dataclass(frozen=True)
class MarkedMatches:
    """How well one answer matches each marked answer of its question."""

    accepted: tuple[float, ...]
    rejected: tuple[float, ...]

    def judge(self, reference_match: float, base: LogisticModel) -> tuple[float, int]:
        """The probability and 0-3 level for a part of the reference the answer matches by `reference_match`."""
        accepted = (reference_match, *self.accepted)
        if not self.rejected:
            best = max(accepted)
            return best, base.level(best)
        model = load_example_model()
        probability = model.probability(example_features(accepted, self.rejected))
        return probability, model.level(probability)

    def closest(self) -> tuple[bool, float] | None:
        """Whether the closest marked answer was accepted, and how close it is; None without any."""
        sides = [(True, p) for p in self.accepted] + [(False, p) for p in self.rejected]
        return max(sides, key=lambda side: side[1]) if sides else None
