"""Pack parsing with libyaml (yaml.CSafeLoader) against the pure-Python loader, and what it buys a command.

Prints, for the built-in bank: the in-process parse time of every pack with each loader, and the wall time
of offline `bank list` and a one-question offline `start` as real processes, with libyaml and with it
hidden (the pure loader is what a PyYAML built without libyaml uses; it was the only loader before).
Usage: .venv/bin/python bench/bank_load.py [runs]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

import yaml

from interviewer.bank.loader import PackLoader, UniqueKeys, default_pack_files

# Run the CLI in a child process; with "pure" as the first argument, libyaml is hidden before the import.
CHILD = (
    "import sys, runpy, yaml\n"
    "if sys.argv.pop(1) == 'pure':\n    del yaml.CSafeLoader\n"
    "sys.argv[0] = 'interviewer'\n"
    "try:\n    runpy.run_module('interviewer', run_name='__main__')\nexcept SystemExit:\n    pass\n"
)
ANSWER = "The learning rate scales each step; too large diverges, too small is slow.\n\n/quit\n"


class PureLoader(UniqueKeys, yaml.SafeLoader):
    pass


def parse_ms(loader: type, texts: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        for text in texts:
            yaml.load(text, Loader=loader)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def command_s(mode: str, args: list[str], runs: int, stdin: str | None = None) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", CHILD, mode, *args], input=stdin, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    os.environ["INTERVIEWER_CONFIG"] = os.devnull
    texts = [path.read_text(encoding="utf-8") for path in default_pack_files()]
    size = sum(len(t) for t in texts)
    print(f"built-in bank: {len(texts)} packs, {size / 1000:.0f} kB; libyaml present: {yaml.__with_libyaml__}")
    print(
        f"parse all packs: libyaml {parse_ms(PackLoader, texts, runs):.0f} ms, "
        f"pure loader (baseline) {parse_ms(PureLoader, texts, runs):.0f} ms (median of {runs})"
    )
    with tempfile.TemporaryDirectory() as tmp:
        start = ["start", "-n", "1", "--transcripts-dir", tmp]
        for name, args, stdin in (("bank list", ["bank", "list"], None), ("offline start -n 1", start, ANSWER)):
            fast, slow = command_s("c", args, runs, stdin), command_s("pure", args, runs, stdin)
            print(f"{name}: libyaml {fast:.2f} s, pure loader (baseline) {slow:.2f} s (median of {runs} processes)")


if __name__ == "__main__":
    main()
