"""Red flags on natural phrasings: how often each fires on its mistake, and falsely on its correct form.

Reads tests/data/red_flag_phrasings.yaml (the half the claims were tuned against) and
tests/data/red_flag_phrasings_heldout.yaml (never tuned against), and prints for each half the firing
rate on the `fires` phrasings and the false-fire rate on the `quiet` ones (any red flag of the question),
beside a baseline: the same detector with every claim removed (signals and negation scope only).
Usage: .venv/bin/python bench/red_flags.py [-v]
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from interviewer.bank.loader import load_bank
from interviewer.bank.models import Question
from interviewer.grading.detector import detect

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
HALVES = {"tuned": "red_flag_phrasings.yaml", "held-out": "red_flag_phrasings_heldout.yaml"}


def without_claims(question: Question) -> Question:
    return question.model_copy(
        update={
            "rubric": [i.model_copy(update={"claims": []}) for i in question.rubric],
            "red_flags": [f.model_copy(update={"claims": []}) for f in question.red_flags],
        }
    )


def rates(entries: list[dict], questions: dict[str, Question], verbose: bool) -> tuple[float, float]:
    fired = false = 0
    for entry in entries:
        question = questions[entry["question"]]
        hit = entry["flag"] in {f.id for f in detect(question, entry["fires"]).red_flags}
        quiet = [f.id for f in detect(question, entry["quiet"]).red_flags]
        fired += hit
        false += bool(quiet)
        if verbose and (not hit or quiet):
            print(f"  {entry['question']}/{entry['flag']}: fires={hit} quiet_fired={quiet}")
    return fired / len(entries), false / len(entries)


def main() -> None:
    verbose = "-v" in sys.argv
    bank = load_bank()
    ours = dict(bank.questions)
    baseline = {qid: without_claims(q) for qid, q in ours.items()}
    print(f"{'half':<9} {'n':>3}  {'fires':>6} {'false':>6}   baseline {'fires':>6} {'false':>6}")
    for half, name in HALVES.items():
        entries = yaml.safe_load((DATA / name).read_text())
        fire, false = rates(entries, ours, verbose)
        base_fire, base_false = rates(entries, baseline, False)
        ours_cols = f"{fire:>6.0%} {false:>6.0%}"
        print(f"{half:<9} {len(entries):>3}  {ours_cols}   {'':>8} {base_fire:>6.0%} {base_false:>6.0%}")


if __name__ == "__main__":
    main()
