"""Refit the marked-answers model (`src/interviewer/grading/data/example_model.json`) on SemEval train.

Each train answer is graded twice against its question's other train answers as marked examples (leave
one out: never itself): once against all of them, once against a random handful (0 to MAX_DRAWN accepted,
1 to MAX_DRAWN rejected, seeded by the answer's id). A pack may list a few marked answers or dozens:
weights fitted on dozens alone trust the top-three averages too much when there are only two or three,
weights fitted on a handful alone waste what dozens say. The matches come through
the product's own functions: `reference.marked_matches` for the examples, `reference.agreement` for each
reference answer. The features (`examples.example_features`) take the best reference as the first
accepted text, as a question with several references is graded by its best one. A standardised logistic
regression is fitted on them, and its cut points as `fit_reference.py` fits them.

Usage: .venv/bin/python bench/fit_examples.py [--csv PATH] [--out PATH] [--jobs J]   (needs the `bench` extra)
"""

from __future__ import annotations

import argparse
import os
import random
import zlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from fit_reference import C, cut_points, write_model
from semeval import (
    DEFAULT_CSV,
    MARKED,
    POSITIVE,
    Row,
    build_questions,
    examples_for,
    load_rows,
    marked_answers,
    set_marked,
)
from sklearn.linear_model import LogisticRegression

from interviewer.bank.models import Example
from interviewer.grading.examples import EXAMPLE_FEATURES, EXAMPLE_MODEL_PATH, example_features
from interviewer.grading.reference import agreement, marked_matches

MAX_DRAWN = 6


def handful(row: Row, examples: tuple[Example, ...]) -> tuple[Example, ...]:
    """A seeded random few of `examples`: up to MAX_DRAWN accepted and at least one rejected."""
    rng = random.Random(zlib.crc32(row.answer_id.encode()))
    sides: dict[bool, list[Example]] = {True: [], False: []}
    for example in examples:
        sides[example.accepted].append(example)
    for side in sides.values():
        rng.shuffle(side)
    return (*sides[True][: rng.randint(0, MAX_DRAWN)], *sides[False][: rng.randint(1, MAX_DRAWN)])


def features_of(row: Row) -> list[tuple[float, ...]]:
    """The answer's features against all its question's other train answers, then against a handful of them."""
    described = []
    every = examples_for(row, MARKED)
    for examples in (every, handful(row, every)):
        questions = build_questions(row, examples)
        marked = marked_matches(questions[0], row.answer)
        if marked.rejected:
            best_reference = max(agreement(q, row.answer, q.reference_answer or "") for q in questions)
            described.append(example_features((best_reference, *marked.accepted), marked.rejected))
    return described


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--out", type=Path, default=EXAMPLE_MODEL_PATH)
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args()

    rows = [row for row in load_rows(args.csv) if row.split == "train"]
    marked = marked_answers(rows)
    with ProcessPoolExecutor(max_workers=args.jobs, initializer=set_marked, initargs=(marked,)) as pool:
        described = list(pool.map(features_of, rows, chunksize=64))
    kept = [(row, x) for row, xs in zip(rows, described, strict=True) for x in xs]
    kept_rows = [row for row, _ in kept]
    x = np.asarray([x for _, x in kept])
    gold = np.asarray([row.label == POSITIVE for row in kept_rows])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=C, max_iter=5000).fit((x - mean) / scale, gold)
    answer_p = model.predict_proba((x - mean) / scale)[:, 1]
    cuts, train_metrics = cut_points(kept_rows, answer_p, gold)
    kind = "standardised logistic regression over interviewer.grading.examples.example_features"
    write_model(args.out, kind, EXAMPLE_FEATURES, model, mean, scale, cuts, train_metrics)


if __name__ == "__main__":
    main()
