"""Batch grading wall time against a local OpenAI-compatible stub with a fixed delay per call.

The stub is bench/llm_session.py's mock provider (http.server on 127.0.0.1, valid grader JSON), here
with 1 s per call; it is shut down when the runs end and, whatever happens, after --deadline seconds.
The same N answers (built-in bank questions, on-topic answers) are graded through the batch runner
at each --jobs value; at jobs 1 only --serial answers are measured and the time is extrapolated
(said so in the output). Then the offline grader's throughput on the same answers, for comparison, as
bench/offline_grade.py measures it (that bench runs it where litellm is never imported: here a full garbage
collection also scans litellm's objects and costs a few tenths of a second in whichever run it lands).
Usage: .venv/bin/python bench/batch_grade.py [--answers 200] [--jobs 1 4 16] [--serial 20] [--delay-ms 1000]
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from llm_session import MockProvider  # the same stub as the session benchmark
from offline_grade import calibration_answers, entries, offline_phases  # the offline grader's phases

from interviewer.backends.llm import litellm
from interviewer.backends.registry import make_grader
from interviewer.bank.loader import load_bank
from interviewer.batch import Entry, run_batch
from interviewer.settings import GraderModelSettings

MODEL = "openai/bench-model"


def timed(batch: list[Entry], settings: GraderModelSettings, jobs: int) -> tuple[float, int, float]:
    """Wall seconds, answers graded by the model, and this process's CPU seconds (steadier on a busy machine)."""
    started, cpu = time.perf_counter(), time.process_time()
    outcome = run_batch(batch, lambda gate: make_grader(settings, gate=gate), jobs=jobs)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert outcome.stopped is None, outcome.error
    by_model = sum(1 for r in outcome.results if r.grade is not None and r.grade.path.value.startswith("llm"))
    return seconds, by_model, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=200)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--serial", type=int, default=20, help="answers measured at jobs 1 (then extrapolated)")
    parser.add_argument("--delay-ms", type=float, default=1000.0)
    parser.add_argument("--deadline", type=float, default=600.0, help="the stub stops after this many seconds")
    args = parser.parse_args()
    os.environ["INTERVIEWER_CONFIG"] = os.devnull  # the bench's settings only, never the user's config
    MockProvider.delay_s = args.delay_ms / 1000
    server = ThreadingHTTPServer(("127.0.0.1", 0), MockProvider)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    watchdog = threading.Timer(args.deadline, server.shutdown)
    watchdog.daemon = True
    watchdog.start()
    api_base = f"http://127.0.0.1:{server.server_address[1]}/v1"
    settings = GraderModelSettings(model=MODEL, api_base=api_base, timeout_s=30, retries=1)
    litellm()
    bank = load_bank().questions
    batch = entries(args.answers, bank)
    timed(batch[:1], settings, 1)  # warm-up, not counted: litellm's first call loads its lazy modules
    print(
        f"stub {api_base}: {args.delay_ms:.0f} ms per call; {len(batch)} answers to "
        f"{len({e.question.id for e in batch if e.question})} questions"
    )
    walls: dict[int, float] = {}
    try:
        for jobs in args.jobs:
            measured = batch[: args.serial] if jobs == 1 else batch
            seconds, by_model, _ = timed(measured, settings, jobs)
            wall = seconds * len(batch) / len(measured)
            walls[jobs] = wall
            how = (
                f"measured {len(measured)}, extrapolated to {len(batch)}" if len(measured) < len(batch) else "measured"
            )
            print(
                f"  jobs {jobs:>2}: {wall:6.1f} s for {len(batch)} answers ({how}; {by_model}/{len(measured)} graded "
                f"by the model), {len(batch) / wall:5.1f} answers/s"
            )
    finally:
        server.shutdown()
        watchdog.cancel()
    if 1 in walls:
        for jobs in (j for j in args.jobs if j != 1):
            print(f"  speed-up at jobs {jobs}: {walls[1] / walls[jobs]:.1f}x over jobs 1")
    print("  (offline, in a process that has imported litellm too:)")
    for line in offline_phases(batch, calibration_answers(bank), os.cpu_count() or 1):
        print(line)


if __name__ == "__main__":
    main()
