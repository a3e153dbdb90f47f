"""Offline grader agreement with human grades on SemEval-2013 Task 7 (2-way: correct / incorrect).

Every SemEval question becomes in-memory bank `Question`s with no rubric and only a reference
answer, so the product derives the rubric from the reference (`effective_rubric`) exactly as it
does for a user's pack. A question listing several reference answers becomes one `Question` per
reference and an answer's score is its best score against any of them (the way a pack listing
alternative answers is graded). Every student answer goes through the real grading path,
`grade_question(question, [answer], OfflineGrader())`, screen included.

One decision threshold per corpus (score >= threshold means `correct`) is tuned on the `train`
split only, maximising weighted F1 there, then applied unchanged to the test splits
(SciEntsBank's threshold is also used for its unseen-domains split).

Beside it, a token-overlap baseline: the F1 of content-word overlap between the answer and its best
reference, with its own threshold tuned on train the same way. The reference grader's weights
(`bench/fit_reference.py`) are fitted on train only as well.

"+marked": the same questions graded again with the train answers of the same question as marked
example answers (`Question.examples`: accepted when labelled correct), the way a teacher's pack lists
answers already marked. Only the unseen-answers split has questions with train answers; a train answer is
graded without itself among the examples (leave one out), which is how its threshold is tuned. Its
baseline, "ovl+marked", is the overlap baseline with the accepted train answers as extra references.

Usage: .venv/bin/python bench/semeval.py [--limit N] [--jobs J] [--out scores.csv] [--profile N]
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import os
import pstats
import random
import re
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from interviewer.backends.offline import OfflineGrader
from interviewer.bank.models import Difficulty, Example, Level, Question, Round
from interviewer.grading.grade import grade_question
from interviewer.text.normalize import content_stems

BENCH_DIR = Path(__file__).resolve().parents[2] / "shared/benchmarks/semeval2013-task7-2way"
DEFAULT_CSV = BENCH_DIR / "semeval2013_task7_2way_flat.csv"
CORPORA = ("beetle", "sciEntsBank")
TEST_SPLITS = ("test-unseen-answers", "test-unseen-questions", "test-unseen-domains")
# Published weighted F1 (2-way) on unseen answers, from the benchmark's README (Riordan et al. 2017, Table 4).
PUBLISHED_BEST = {"beetle": 0.845, "sciEntsBank": 0.773}
PUBLISHED_RIORDAN = {"beetle": 0.790, "sciEntsBank": 0.712}
POSITIVE, NEGATIVE = "correct", "incorrect"
ROW_FORMAT = "{:<12} {:<22} {:>5} {:>6} {:>6} {:>8} {:>8} {:>10} {:>10} {:>8} {:>8}"
MARKED_SPLITS = ("train", "test-unseen-answers")


@dataclass(frozen=True)
class Row:
    corpus: str
    split: str
    question_id: str
    question: str
    references: tuple[str, ...]
    answer_id: str
    answer: str
    label: str


def load_rows(path: Path) -> list[Row]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [
            Row(
                corpus=r["corpus"],
                split=r["split"],
                question_id=r["question_id"],
                question=r["question"],
                references=tuple(ref.strip() for ref in r["reference_answers"].split(" ||| ") if ref.strip()),
                answer_id=r["answer_id"],
                answer=r["student_answer"],
                label=r["label_2way"],
            )
            for r in csv.DictReader(fh)
        ]


def limit_rows(rows: list[Row], limit: int | None, seed: int = 13) -> list[Row]:
    """At most `limit` rows per (corpus, split), a seeded sample kept in file order."""
    if not limit:
        return rows
    groups: dict[tuple[str, str], list[int]] = {}
    for n, row in enumerate(rows):
        groups.setdefault((row.corpus, row.split), []).append(n)
    rng = random.Random(seed)
    keep = sorted(n for idx in groups.values() for n in (idx if len(idx) <= limit else rng.sample(idx, limit)))
    return [rows[n] for n in keep]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-") or "q"


def build_questions(row: Row, examples: tuple[Example, ...] = ()) -> list[Question]:
    """One rubric-less bank Question per reference answer of the SemEval question."""
    return [
        Question(
            id=f"{_slug(row.corpus)}-{_slug(row.question_id)}-r{k}",
            question=row.question.ljust(10),  # two Beetle prompts ("Why?") are shorter than the bank's minimum
            round=Round.ml_concepts,
            topic=row.corpus,
            difficulty=Difficulty.easy,
            levels=list(Level),
            time_budget_s=120,
            reference_answer=reference,
            source="semeval2013-task7",
            examples=list(examples),
        )
        for k, reference in enumerate(row.references, start=1)
    ]


Marked = dict[tuple[str, str], list[tuple[str, Example]]]


def marked_answers(rows: list[Row]) -> Marked:
    """Each question's train answers as marked examples (with their answer ids), by (corpus, question id)."""
    marked: Marked = {}
    for row in rows:
        if row.split == "train":
            example = Example(answer=row.answer, accepted=row.label == POSITIVE)
            marked.setdefault((row.corpus, row.question_id), []).append((row.answer_id, example))
    return marked


def examples_for(row: Row, marked: Marked) -> tuple[Example, ...]:
    """The marked answers of `row`'s question, leaving out `row` itself."""
    return tuple(ex for answer_id, ex in marked.get((row.corpus, row.question_id), []) if answer_id != row.answer_id)


_QUESTIONS: dict[tuple[str, str, bool], list[Question]] = {}
_GRADER = OfflineGrader()
MARKED: Marked = {}


def set_marked(marked: Marked) -> None:
    MARKED.clear()
    MARKED.update(marked)


def questions_for(row: Row, with_marked: bool = False) -> list[Question]:
    if with_marked and row.split == "train":  # leave one out: every train answer has its own examples
        return build_questions(row, examples_for(row, MARKED))
    key = (row.corpus, row.question_id, with_marked)
    if key not in _QUESTIONS:
        _QUESTIONS[key] = build_questions(row, examples_for(row, MARKED) if with_marked else ())
    return _QUESTIONS[key]


def score_row(row: Row, with_marked: bool = False) -> tuple[int, str, int]:
    """Best 0-100 score over the references, the screen's verdict for it, and which reference won."""
    best = (-1, "", 0)
    for k, question in enumerate(questions_for(row, with_marked), start=1):
        grade, _ = grade_question(question, [row.answer], _GRADER)
        if grade.score > best[0]:
            best = (grade.score, grade.kind.value, k)
    return best


def _score_marked(row: Row) -> tuple[int, str, int]:
    return score_row(row, with_marked=True)


def overlap_score(row: Row, extra: tuple[str, ...] = ()) -> float:
    """The baseline: best F1 of content-stem overlap between the answer and a reference (or an `extra` text)."""
    answer = content_stems(row.answer)
    best = 0.0
    for reference in (*row.references, *extra):
        ref = content_stems(reference)
        shared = len(answer & ref)
        if shared:
            best = max(best, 2 * shared / (len(answer) + len(ref)))
    return round(best, 3)


def score_all(rows: list[Row], jobs: int, marked: Marked, with_marked: bool = False) -> list[tuple[int, str, int]]:
    set_marked(marked)
    work = _score_marked if with_marked else score_row
    if jobs <= 1:
        return [work(row) for row in rows]
    # Group rows of one question together so each worker builds that question's Questions once.
    order = sorted(range(len(rows)), key=lambda n: (rows[n].corpus, rows[n].question_id))
    with ProcessPoolExecutor(max_workers=jobs, initializer=set_marked, initargs=(marked,)) as pool:
        scored = list(pool.map(work, [rows[n] for n in order], chunksize=64))
    out: list[tuple[int, str, int]] = [(0, "", 0)] * len(rows)
    for n, result in zip(order, scored, strict=True):
        out[n] = result
    return out


def weighted_f1(gold: list[str], pred: list[str]) -> float:
    """Per-class F1 averaged with weights equal to each class's support in `gold` (as sklearn's 'weighted')."""
    if not gold:
        return float("nan")
    support = Counter(gold)
    total = 0.0
    for label, count in support.items():
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != label and p == label)
        fn = count - tp
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        total += f1 * count
    return total / len(gold)


def predict(scores: list[float], threshold: float) -> list[str]:
    return [POSITIVE if s >= threshold else NEGATIVE for s in scores]


def tune_threshold(scores: list[float], gold: list[str]) -> tuple[float, float]:
    """The threshold maximising weighted F1 on these (train) answers, and that F1.

    Any threshold in (previous observed score, best observed score] predicts the same on train;
    the midpoint of that interval is returned so the choice does not lean towards either side.
    """
    candidates = sorted(set(scores) | {max(scores, default=0) + 1})
    f1s = [weighted_f1(gold, predict(scores, t)) for t in candidates]
    i = max(range(len(candidates)), key=lambda k: (f1s[k], -k))
    below = candidates[i - 1] if i > 0 else candidates[i] - 1
    return (below + candidates[i]) / 2, f1s[i]


def profile(rows: list[Row], n: int) -> None:
    sample = rows[:n]
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    grades = sum(len(questions_for(row)) for row in sample)
    for row in sample:
        score_row(row)
    profiler.disable()
    elapsed = time.perf_counter() - start
    print(f"profile: {len(sample)} answers, {grades} grade_question calls, {elapsed:.2f}s")
    buf = io.StringIO()
    stats = pstats.Stats(profiler, stream=buf)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)
    print(buf.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--limit", type=int, default=None, help="at most N answers per corpus and split")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes")
    parser.add_argument("--out", type=Path, default=None, help="write per-answer scores and predictions here")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile N answers and exit")
    parser.add_argument("--no-marked", dest="marked", action="store_false", help="skip the +marked columns")
    args = parser.parse_args()

    rows = limit_rows(load_rows(args.csv), args.limit)
    if args.profile:
        profile(rows, args.profile)
        return

    marked = marked_answers(rows)
    start = time.perf_counter()
    results = score_all(rows, args.jobs, marked)
    elapsed = time.perf_counter() - start
    grades = sum(len(row.references) for row in rows)
    scores = [s for s, _, _ in results]
    overlaps = {n: overlap_score(row) for n, row in enumerate(rows)}
    in_marked = [n for n, row in enumerate(rows) if row.split in MARKED_SPLITS] if args.marked else []
    marked_results = score_all([rows[n] for n in in_marked], args.jobs, marked, with_marked=True)
    marked_scores = {n: score for n, (score, _, _) in zip(in_marked, marked_results, strict=True)}
    accepted = {n: tuple(e.answer for e in examples_for(rows[n], marked) if e.accepted) for n in in_marked}
    marked_overlaps = {n: overlap_score(rows[n], accepted[n]) for n in in_marked}

    def select(corpus: str, split: str) -> list[int]:
        return [n for n, row in enumerate(rows) if row.corpus == corpus and row.split == split]

    def tuned_f1(values: dict[int, float], train: list[int], idx: list[int]) -> str:
        """Weighted F1 on `idx` at the threshold tuned on `train`; "-" where the values do not cover them."""
        if not all(n in values for n in (*train, *idx)):
            return "-"
        threshold, _ = tune_threshold([values[n] for n in train], [rows[n].label for n in train])
        return f"{weighted_f1([rows[n].label for n in idx], predict([values[n] for n in idx], threshold)):.3f}"

    print("SemEval-2013 Task 7, 2-way: offline grader (grade_question + OfflineGrader), weighted F1")
    header = ("corpus", "split", "n", "thr", "F1", "overlap", "+marked", "ovl+marked", "always-inc", "best pub")
    print(ROW_FORMAT.format(*header, "Riordan"))
    predictions: dict[int, str] = {}
    for corpus in CORPORA:
        train = select(corpus, "train")
        threshold, _ = tune_threshold([scores[n] for n in train], [rows[n].label for n in train])
        for split in ("train", *TEST_SPLITS):
            idx = select(corpus, split)
            if not idx:
                continue
            gold = [rows[n].label for n in idx]
            pred = predict([scores[n] for n in idx], threshold)
            predictions.update(zip(idx, pred, strict=True))
            f1 = weighted_f1(gold, pred)
            baseline = weighted_f1(gold, [NEGATIVE] * len(gold))
            ua = split == "test-unseen-answers"
            best = f"{PUBLISHED_BEST[corpus]:.3f}" if ua else "-"
            riordan = f"{PUBLISHED_RIORDAN[corpus]:.3f}" if ua else "-"
            name = f"{split} (tuned)" if split == "train" else split
            cells = (f"{threshold:.1f}", f"{f1:.3f}", tuned_f1(overlaps, train, idx))
            cells += (tuned_f1(marked_scores, train, idx), tuned_f1(marked_overlaps, train, idx))
            print(ROW_FORMAT.format(corpus, name, len(idx), *cells, f"{baseline:.3f}", best, riordan))
    kinds = Counter(kind for _, kind, _ in results)
    print(f"screen verdicts (best reference): {dict(kinds)}")
    print(
        f"runtime: {elapsed:.1f}s for {len(rows)} answers ({grades} grade_question calls, one per reference), "
        f"{len(rows) / elapsed:.0f} answers/s, {grades / elapsed:.0f} grades/s, jobs={args.jobs}"
    )

    if args.out:
        with args.out.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            header = ["corpus", "split", "question_id", "answer_id", "label", "score", "kind", "best_ref", "pred"]
            writer.writerow([*header, "score_marked"])
            for n, (row, (score, kind, ref)) in enumerate(zip(rows, results, strict=True)):
                row_cells = [row.corpus, row.split, row.question_id, row.answer_id, row.label, score, kind, ref]
                writer.writerow([*row_cells, predictions[n], marked_scores.get(n, "")])


if __name__ == "__main__":
    main()
