"""Refit the learned reference grader (`src/interviewer/grading/data/reference_model.json`) on SemEval train.

Only the `train` split of SemEval-2013 Task 7 (2-way) is read. Each student answer is paired with
every reference answer of its question and described by `features.pair_features`; an answer is
correct when it matches at least one reference, so the fit alternates (multiple-instance style):
pick each answer's best-matching reference by the current model, refit a standardised logistic
regression on those pairs, repeat. The item cut points are fitted on train too: an item reaches 2
("states the reference") at the probability that maximises weighted F1 over both corpora; 1 and 3 sit
at the lowest and highest of the two corpora's own best cut points (at least SPREAD away from it), so a
pack whose answers run differently still finds its decision boundary on a level.

Usage: .venv/bin/python bench/fit_reference.py [--csv PATH] [--out PATH]   (needs the `bench` extra)
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from semeval import CORPORA, DEFAULT_CSV, POSITIVE, load_rows
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from interviewer.grading.features import FEATURE_NAMES, pair_features
from interviewer.grading.reference import MODEL_PATH

ROUNDS = 3  # pick best references, refit; the picks settle after two or three rounds
C = 1.0  # inverse L2 strength; group 5-fold CV by question on train preferred all features at C=1
SPREAD = 0.05  # the smallest gap between neighbouring cut points


def pair_matrix(rows) -> tuple[np.ndarray, list[list[int]]]:
    """Features of every (answer, reference) pair, and for each answer the indices of its pairs."""
    features, groups = [], []
    for row in rows:
        groups.append(list(range(len(features), len(features) + len(row.references))))
        features.extend(pair_features(row.answer, ref, row.question) for ref in row.references)
    return np.asarray(features), groups


def best_pairs(scores: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    return np.asarray([max(group, key=lambda i: scores[i]) for group in groups])


def tune_cut(probabilities: np.ndarray, gold: np.ndarray) -> tuple[float, float]:
    """The probability threshold with the best weighted F1 on these answers, and that F1."""
    candidates = np.unique(np.round(probabilities, 3))
    f1s = [f1_score(gold, probabilities >= t, average="weighted") for t in candidates]
    best = int(np.argmax(f1s))
    return float(candidates[best]), float(f1s[best])


def fit(x: np.ndarray, groups: list[list[int]], gold: np.ndarray):
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    start = z[:, FEATURE_NAMES.index("recall_all")] + z[:, FEATURE_NAMES.index("cos_whole")]
    picks = best_pairs(start, groups)
    for _ in range(ROUNDS):
        model = LogisticRegression(C=C, max_iter=5000).fit(z[picks], gold)
        probabilities = model.predict_proba(z)[:, 1]
        picks = best_pairs(probabilities, groups)
    return model, mean, scale, probabilities[picks]


def cut_points(rows, answer_p: np.ndarray, gold: np.ndarray) -> tuple[list[float], dict]:
    """Item cut points fitted on these train answers (see the module docstring), and the train metrics."""
    cut, f1 = tune_cut(answer_p, gold)
    train_metrics = {"all": {"n": len(rows), "cut": round(cut, 4), "weighted_f1": round(f1, 4)}}
    for corpus in CORPORA:
        mask = np.asarray([row.corpus == corpus for row in rows])
        own_cut, own_f1 = tune_cut(answer_p[mask], gold[mask])
        corpus_f1 = f1_score(gold[mask], answer_p[mask] >= cut, average="weighted")
        train_metrics[corpus] = {
            "n": int(mask.sum()),
            "weighted_f1": round(float(corpus_f1), 4),
            "own_cut": round(own_cut, 4),
            "weighted_f1_at_own_cut": round(own_f1, 4),
        }
    own_cuts = [train_metrics[corpus]["own_cut"] for corpus in CORPORA]
    return [min([*own_cuts, cut - SPREAD]), cut, max([*own_cuts, cut + SPREAD])], train_metrics


def write_model(out: Path, kind: str, names, model, mean, scale, cuts, train_metrics) -> None:
    """Write the fitted standardised logistic regression as `logistic.load_logistic` reads it; print its weights."""
    payload = {
        "version": f"semeval-train-lr-{datetime.now(UTC):%Y%m%d}",
        "kind": kind,
        "trained_on": "SemEval-2013 Task 7 2-way, train split only (Beetle + SciEntsBank)",
        "features": list(names),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "weights": [round(float(v), 6) for v in model.coef_[0]],
        "bias": round(float(model.intercept_[0]), 6),
        "cuts": [round(c, 4) for c in cuts],
        "train_metrics": train_metrics,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}: cuts {payload['cuts']}, train {json.dumps(train_metrics)}")
    for name, weight in sorted(zip(names, model.coef_[0], strict=True), key=lambda p: -abs(p[1])):
        print(f"  {name:<28} {weight:+.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args()

    rows = [row for row in load_rows(args.csv) if row.split == "train"]
    x, groups = pair_matrix(rows)
    gold = np.asarray([row.label == POSITIVE for row in rows])
    model, mean, scale, answer_p = fit(x, groups, gold)
    cuts, train_metrics = cut_points(rows, answer_p, gold)
    kind = "standardised logistic regression over interviewer.grading.features.pair_features"
    write_model(args.out, kind, FEATURE_NAMES, model, mean, scale, cuts, train_metrics)


if __name__ == "__main__":
    main()
