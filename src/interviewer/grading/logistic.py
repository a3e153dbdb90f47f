"""A standardised logistic regression shipped as JSON: the form of every fitted model the grader uses."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LogisticModel:
    """Weights over standardised features; `cuts` are the probabilities where items reach 1, 2 and 3."""

    version: str
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    cuts: tuple[float, float, float]

    def probability(self, features: Sequence[float]) -> float:
        z = self.bias + sum(
            w * (x - m) / s for w, x, m, s in zip(self.weights, features, self.mean, self.scale, strict=True)
        )
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

    def level(self, probability: float) -> int:
        return sum(probability >= cut for cut in self.cuts)


def load_logistic(path: Path, features: Sequence[str]) -> LogisticModel:
    """The model in `path`; refuses one fitted on other features than the code computes."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["features"]) != tuple(features):
        raise ValueError(f"{path}: fitted on features {data['features']}, the code computes {list(features)}")
    return LogisticModel(
        version=data["version"],
        mean=tuple(data["mean"]),
        scale=tuple(data["scale"]),
        weights=tuple(data["weights"]),
        bias=float(data["bias"]),
        cuts=tuple(data["cuts"]),
    )
