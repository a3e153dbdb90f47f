"""Offline grader vs the calibration set: scores against the bands an experienced interviewer gave.

Prints, per question, each answer's offline score and band, then the totals: for how many questions the
scores keep strong > partial > weak, how many answers land inside their band, and how far the misses are.
Usage: .venv/bin/python bench/calibration.py [calibration-dir]
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from interviewer.backends.offline import OfflineGrader
from interviewer.bank.calibration import CalibrationSet, load_calibration
from interviewer.bank.loader import load_bank
from interviewer.grading.grade import grade_question


def ordered(scored: list[tuple[int, int]]) -> bool:
    """(label rank, score) pairs: every better-labelled answer scores strictly higher than every worse one."""
    return all(sa > sb for ra, sa in scored for rb, sb in scored if ra > rb)


def main() -> None:
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    bank = load_bank()
    sets: list[CalibrationSet] = load_calibration(directory)
    grader = OfflineGrader()
    in_order = hits = answers = 0
    misses: list[int] = []
    per_round: Counter[str] = Counter()
    for cal in sets:
        question = bank.get(cal.question)
        per_round[question.round.value] += 1
        scored, cells = [], []
        for answer in cal.answers:
            score = grade_question(question, [answer.text], grader)[0].score
            scored.append((answer.label.rank, score))
            answers += 1
            if answer.hits(score):
                hits += 1
                mark = "ok"
            else:
                misses.append(answer.distance(score))
                mark = f"MISS by {answer.distance(score)}"
            lo, hi = answer.band
            cells.append(f"{answer.label.value} {score:3d} [{lo},{hi}] {mark}")
        good = ordered(scored)
        in_order += good
        print(
            f"{cal.question:40s} {question.round.value:18s} {'order ok ' if good else 'ORDER BAD'} | "
            + " | ".join(cells)
        )
    print()
    print("sets per round: " + ", ".join(f"{r} {n}" for r, n in sorted(per_round.items())))
    print(f"ordering holds for {in_order}/{len(sets)} questions")
    print(f"band hits {hits}/{answers} answers ({100 * hits / answers:.1f}%)")
    mean_miss = sum(misses) / len(misses) if misses else 0.0
    print(f"mean absolute distance to the band for the {len(misses)} misses: {mean_miss:.1f} points")


if __name__ == "__main__":
    main()
