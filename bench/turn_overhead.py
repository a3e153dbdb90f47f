"""Engine overhead per turn: a scripted offline session, timing each answer-to-next-line step.

The offline backend does no model call, so what is measured is the engine, screening, coverage
detection, the durable save after each turn and background grading. Prints per-turn milliseconds and the
process's peak resident memory (bank, wordllama and the whole session: issue 8's budget is 200 MB).
Usage: .venv/bin/python bench/turn_overhead.py
"""

from __future__ import annotations

import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

from rich.console import Console

from interviewer.commands.interview import StartOptions, prepare_session

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

    def attach(self, interviewer, grader_name: str, engine) -> None:
        pass

    def wait_for_all(self, label: str, futures) -> None:
        for future in futures:
            future.result()


def main() -> None:
    os.environ["INTERVIEWER_CONFIG"] = os.devnull  # the bench's settings only, never the user's config
    io = ScriptedIO(answers=40)
    with tempfile.TemporaryDirectory() as tmp:
        session, _ = prepare_session(StartOptions(questions=6, seed=1, level="mid", transcripts_dir=Path(tmp)), io)
        started = time.perf_counter()
        record = session.run()
        total = time.perf_counter() - started
    turns = [m * 1000 for m in io.marks if m < 10]
    print(
        f"turns: {len(turns)}; per-turn overhead median {statistics.median(turns):.1f} ms, "
        f"max {max(turns):.1f} ms; whole 6-question session {total * 1000:.0f} ms "
        f"(grading wait at the end {record.timings.get('grading_wait_s', 0) * 1000:.1f} ms); "
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"  # Linux: kilobytes
    )


if __name__ == "__main__":
    main()
