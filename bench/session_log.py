"""The event log's costs: one fsynced append, and loading a session by folding its log.

Baselines beside each: an atomic rewrite of the whole transcript.json (how 0.1.0 saved every turn),
and validating transcript.json alone (how 0.1.0 loaded a session).
Usage: .venv/bin/python bench/session_log.py
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from turn_overhead import ScriptedIO  # bench/ is on the path when this script runs

from interviewer.commands.interview import StartOptions, prepare_session
from interviewer.transcripts.events import Paused
from interviewer.transcripts.fold import fold
from interviewer.transcripts.record import SessionRecord
from interviewer.transcripts.store import Store, atomic_write

REPEAT = 30


def median_ms(action) -> float:
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    os.environ["INTERVIEWER_CONFIG"] = os.devnull
    with tempfile.TemporaryDirectory() as tmp:
        session, _ = prepare_session(
            StartOptions(questions=6, seed=1, level="mid", transcripts_dir=Path(tmp)), ScriptedIO(answers=40)
        )
        record = session.run()
        store = Store(Path(tmp))
        events = len(store.events(record.id))
        transcript = store.transcript_path(record.id)
        load = median_ms(lambda: store.load(record.id))  # the view is current: read, not folded
        refold = median_ms(lambda: fold(store.events(record.id)))
        parse = median_ms(lambda: SessionRecord.model_validate_json(transcript.read_text()))
        writer, _ = store.open(record.id)
        try:
            append = median_ms(lambda: writer.append(Paused(at=time.time())))
        finally:
            writer.close()
        rewrite = median_ms(lambda: atomic_write(transcript.with_name("copy.json"), transcript.read_text()))
        size_kb = transcript.stat().st_size // 1024
    print(
        f"6-question offline session, {events} events, transcript.json {size_kb} KB "
        f"(medians of {REPEAT}):\n"
        f"  save a step:  append one event + fsync {append:.2f} ms  (baseline: atomic rewrite of the transcript "
        f"{rewrite:.2f} ms)\n"
        f"  load:         Store.load {load:.1f} ms (transcript.json is current); replaying the log {refold:.1f} ms  "
        f"(baseline: validate transcript.json {parse:.1f} ms)"
    )


if __name__ == "__main__":
    main()
