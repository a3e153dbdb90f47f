"""Engine overhead per turn: a scripted offline session, timing each answer-to-next-line step.

The offline backend does no model call, so what is measured is the engine, screening, coverage
detection, the durable save after each turn and background grading. Prints per-turn milliseconds.
Usage: .venv/bin/python bench/turn_overhead.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console

from interviewer.app import StartOptions, settings_for
from interviewer.backends.offline import OfflineGrader, OfflineInterviewer
from interviewer.bank.loader import load_bank
from interviewer.engine.engine import Engine
from interviewer.engine.planner import plan_questions
from interviewer.prompts import prompt_hashes
from interviewer.session import Session
from interviewer.transcripts.record import Engines, SessionOptions, SessionRecord
from interviewer.transcripts.store import Store

ANSWER = (
    "I'd start with a simple baseline, check the data for leakage, then compare precision and recall on a held "
    "out set. The trade-off is latency versus accuracy, so I'd measure p99 latency too, because in production "
    "that is what users feel. I owned the evaluation harness and cut error by 12 percent."
)


class ScriptedIO:
    def __init__(self, answers: int) -> None:
        self.left = answers
        self.marks: list[float] = []
        self.console = Console(file=open("/dev/null", "w"))  # noqa: SIM115

    def interviewer(self, chunks) -> str:
        text = "".join(chunks)
        if self.marks:
            self.marks[-1] = time.perf_counter() - self.marks[-1]
        return text

    def read_answer(self) -> str | None:
        if self.left == 0:
            return None
        self.left -= 1
        self.marks.append(time.perf_counter())
        return ANSWER

    def info(self, text: str) -> None:
        pass


def main() -> None:
    bank = load_bank()
    plan = plan_questions(bank.questions.values(), rounds=None, level="mid", count=6, seed=1)
    engine = Engine.new(plan, level="mid", now=time.time())
    record = SessionRecord(
        id="bench",
        app_version="bench",
        options=SessionOptions(round="mixed", level="mid", count=6),
        engines=Engines(interviewer="offline", grader="offline", offline=True),
        prompt_hashes=prompt_hashes(),
        bank_version=bank.version,
        questions=plan,
        engine=engine.state,
    )
    io = ScriptedIO(answers=40)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp))
        started = time.perf_counter()
        Session(record, OfflineInterviewer(), OfflineGrader(), store, io).run()
        total = time.perf_counter() - started
    turns = [m * 1000 for m in io.marks if m < 10]
    settings_for(StartOptions())  # settings merge cost is part of start-up, not of a turn
    print(
        f"turns: {len(turns)}; per-turn overhead median {statistics.median(turns):.1f} ms, "
        f"max {max(turns):.1f} ms; whole 6-question session {total * 1000:.0f} ms "
        f"(grading wait at the end {record.timings.get('grading_wait_s', 0) * 1000:.1f} ms)"
    )


if __name__ == "__main__":
    main()
