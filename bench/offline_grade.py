"""The offline grader's throughput, in a process that never imports litellm, as `grade --answers` runs offline.

Start-up first: the same 200 synthetic answers as bench/batch_grade.py (one per built-in bank question and
more, each its own text) graded through the batch runner with the offline grader, which loads wordllama and
embeds every rubric once. Then the rate after start-up, on answers it has never seen: every answer of the
labelled calibration sets (real answers of every kind and length, each its own text, so no memo keyed on
an answer's text helps), graded once in `--jobs` forked worker processes (what `grade --answers` does
offline), then once more in this process alone (its memos never saw them: the workers graded them). Wall
and CPU time (CPU is steadier on a busy machine; the workers' is counted once their pool has shut down),
and the full garbage collections that landed in each phase in this process. Baseline beside it: the
token-overlap score alone (what the meaning set's baseline grades with), on the same answers.
Usage: .venv/bin/python bench/offline_grade.py [--answers 200] [--jobs N]
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from calibration import token_overlap  # the meaning set's baseline grader
from llm_session import ANSWER

from interviewer.backends.registry import make_grader
from interviewer.bank.calibration import fresh_meaning_dirs, load_calibration, load_meaning
from interviewer.bank.loader import load_bank
from interviewer.bank.models import Question
from interviewer.batch import Entry, run_batch
from interviewer.settings import GraderModelSettings

OFFLINE = GraderModelSettings(model="offline")


def entries(count: int, bank: dict[str, Question]) -> list[Entry]:
    questions = [q for q in bank.values() if q.rubric]
    picked = [questions[i % len(questions)] for i in range(count)]
    texts = [  # each answer its own text, so no memo of an earlier answer flatters the offline grader's speed
        f"{ANSWER} Here I would focus on {' and '.join(s for i in q.rubric[:2] for s in i.signals[:1])}, "
        f"as in case {n} of the ones I worked on."
        for n, q in enumerate(picked, start=1)
    ]
    return [Entry(n, f"a{n}", q, text) for n, (q, text) in enumerate(zip(picked, texts, strict=True), start=1)]


def _cpu() -> float:
    """CPU seconds of this process and of its ended children (the worker processes, once their pool has shut down)."""
    own, children = os.times(), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.user + own.system + children.ru_utime + children.ru_stime


class FullCollections:
    """Counts the full (generation 2) garbage collections, and their seconds, while it is on."""

    def __init__(self) -> None:
        self.count, self.seconds, self._started = 0, 0.0, 0.0

    def _note(self, phase: str, info: dict) -> None:
        if info["generation"] == 2:
            if phase == "start":
                self._started = time.perf_counter()
            else:
                self.count += 1
                self.seconds += time.perf_counter() - self._started

    def __enter__(self) -> FullCollections:
        gc.callbacks.append(self._note)
        return self

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self._note)


def offline_phases(batch: list[Entry], unseen: list[Entry], jobs: int) -> list[str]:
    """One line for start-up (`batch`), one for the rate after it (`unseen`) in `jobs` forked worker processes (as
    `grade --answers` runs offline; CPU time is theirs and this one's), one for that rate in this process alone,
    one counting full collections (in this process)."""
    lines, collected = [], []
    for short, label, entries_, processes in (
        ("start-up", "start-up: loads wordllama, embeds every rubric, grades", batch, False),
        # forked before this process grades them: no memo of this process holds these answers in either phase
        ("processes", f"after start-up, in {jobs} worker processes, answers never seen", unseen, True),
        ("after", "after start-up, in this process, the same answers (never seen here)", unseen, False),
    ):
        with FullCollections() as collections:
            started, began = time.perf_counter(), _cpu()
            outcome = run_batch(
                entries_,
                lambda gate: make_grader(OFFLINE, gate=gate),
                jobs=jobs if processes else 1,
                processes=processes,
            )
            seconds, cpu = time.perf_counter() - started, _cpu() - began
        assert outcome.stopped is None and all(r.grade for r in outcome.results)
        collected.append(f"{short} {collections.count} ({collections.seconds:.2f} s)")
        lines.append(
            f"  offline grader, {label} {len(entries_)}: {len(entries_) / seconds:,.0f} answers/s ({seconds:.2f} s);"
            f" {len(entries_) / cpu:,.0f} answers per CPU second"
        )
    objects = len(gc.get_objects())
    lines.append(f"  full garbage collections (each scans all {objects:,} objects): {', '.join(collected)}")
    return lines


def calibration_answers(bank: dict[str, Question]) -> list[Entry]:
    """Every answer of the labelled calibration sets whose question is in the bank (bands, meaning, fresh)."""
    texts = [(c.question, a.text) for c in load_calibration() for a in c.answers]
    for folder in (None, *fresh_meaning_dirs()):
        texts += [(m.question, a.text) for m in load_meaning(folder) for a in m.answers]
    rows = [(bank[q], text) for q, text in texts if q in bank]
    return [Entry(n, f"c{n}", q, text) for n, (q, text) in enumerate(rows, start=1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=200, help="synthetic answers graded at start-up")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes for the last phase")
    args = parser.parse_args()
    os.environ["INTERVIEWER_CONFIG"] = os.devnull  # the bench's settings only, never the user's config
    bank = load_bank().questions  # one bank, as in one `grade --answers` run: its questions' derived data is reused
    batch, unseen = entries(args.answers, bank), calibration_answers(bank)
    assert not {e.answer for e in batch} & {e.answer for e in unseen}
    print(f"offline: {len(batch)} synthetic answers at start-up, then {len(unseen)} calibration answers")
    for line in offline_phases(batch, unseen, args.jobs):
        print(line)
    began = time.process_time()
    for entry in unseen:
        token_overlap(entry.question, entry.answer)
    print(f"  baseline, token overlap alone: {len(unseen) / (time.process_time() - began):,.0f} answers per CPU second")
    assert "litellm" not in sys.modules, "the offline grader imported litellm"


if __name__ == "__main__":
    main()
