"""How `review` and `review progress` scale with the number of stored sessions.

Creates 10, 100 and 1,000 sessions (copies of a real example session, each with its own id, date and
item scores, written through the store), then times the commands as a user runs them: a subprocess
each, wall time. "cold" is the first `review` (it builds the history database) and the first `review
progress` (it replays the drill schedule and draws the charts into the cache), "warm" the median of three
later runs, each with its CPU time (less sensitive to a busy machine) beside it. Then the review
functions alone, in-process (imports done, database warm). Baselines: `interviewer --help` (the floor:
interpreter and CLI start-up) and parsing every transcript in-process (what `review` did before the
database, start-up not included).

    python bench/review_scale.py [--sizes 10 100 1000]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from interviewer.commands.review import list_sessions, show_progress
from interviewer.transcripts.events import Event, Graded, Started
from interviewer.transcripts.fold import Fold
from interviewer.transcripts.log import EventLog
from interviewer.transcripts.store import Store

EXAMPLES = Path(__file__).resolve().parents[1] / "transcripts"


def template() -> list[Event]:
    """The events of the example session with the most grades."""
    store = Store(EXAMPLES)
    return store.events(max(store.ids(), key=lambda i: len(store.load(i).grades)))


def fill(store: Store, count: int, seed: int = 0) -> None:
    """`count` sessions a day apart, item scores varied, question scores consistent with them: each an event log
    and its transcript view, as a session leaves them."""
    base, rng = template(), random.Random(seed)
    start = datetime(2025, 1, 1, 9, 0)
    store.root.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        events = [event.model_copy(deep=True) for event in base]
        when = start + timedelta(days=n // 3, hours=n % 3)
        started = events[0]
        assert isinstance(started, Started)
        started.id = f"{when:%Y%m%d-%H%M%S}-{n:04x}"
        started.created_at = when.isoformat(timespec="seconds") + "+00:00"
        for event in events:
            event.at += when.timestamp() - base[0].at  # each session's events on its own day
            if isinstance(event, Graded):
                grade = event.grade
                for item in grade.items:
                    item.score = rng.randint(0, 3)
                total = sum(i.weight for i in grade.items) or 1
                grade.raw_score = grade.score = round(100 * sum(i.weight * i.score for i in grade.items) / (3 * total))
        store.folder(started.id).mkdir()
        EventLog.create(store.events_path(started.id), events).close()
        store.save(Fold.of(events).record)


def run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one `interviewer ARGS` subprocess."""
    before, began = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run([sys.executable, "-m", "interviewer", *args], env=env, check=True, capture_output=True)
    wall, after = time.perf_counter() - began, resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_run(args: list[str], env: dict[str, str], times: int = 3) -> tuple[float, float]:
    runs = [run(args, env) for _ in range(times)]
    return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)


def in_process(command, root: Path) -> float:
    """Seconds for one call of a review function (modules already imported), its output discarded."""
    with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
        began = time.perf_counter()
        command(root)
        return time.perf_counter() - began


def parse_all(store: Store) -> float:
    began = time.perf_counter()
    records = [store.load(i) for i in store.ids()]
    assert records
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    sizes = parser.parse_args().sizes
    print("wall seconds (cpu seconds) per command, as a subprocess; in-process: the review function alone")
    header = ("sessions", "review cold", "review warm", "progress cold", "progress warm", "--help")
    header += ("in-proc review", "in-proc progress")
    print(" | ".join(header) + " | parse all (old review)")
    for size in sizes:
        with tempfile.TemporaryDirectory() as scratch:
            root = Path(scratch) / "transcripts"
            os.environ.update(INTERVIEWER_DATA_DIR=f"{scratch}/data", INTERVIEWER_CONFIG=f"{scratch}/c.toml")
            env = dict(os.environ, COLUMNS="200")
            fill(Store(root), size)
            listing = ["review", "--transcripts-dir", str(root)]
            progress = [*listing, "progress"]
            cells = [run(listing, env), median_run(listing, env), run(progress, env), median_run(progress, env)]
            cells.append(median_run(["--help"], env))
            row = [f"{size:>8}", *(f"{w:.2f} ({c:.2f})" for w, c in cells)]
            row += [f"{in_process(list_sessions, root):.3f}", f"{in_process(show_progress, root):.3f}"]
            row.append(f"{parse_all(Store(root)):.2f}")
            print(" | ".join(row), flush=True)


if __name__ == "__main__":
    main()
