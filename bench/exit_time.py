"""Seconds between the report being written and the process ending: litellm's teardown, before and after.

A 1-question session (`interviewer start -n 1`) with the model on bench/llm_session.py's mock provider
(http.server on 127.0.0.1, 50 ms per call), run as a subprocess, --runs times each way: through the
`interviewer` entry point (which skips the teardown once everything is durable, see fast_exit.py) and
through `app()` directly (the interpreter's normal exit, as before). Prints the median time from the
report's mtime to the process's end, and the median wall time of the whole command.
Usage: .venv/bin/python bench/exit_time.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from llm_session import ANSWER, MockProvider  # the same stub as the session benchmark

WAYS = {
    "entry point (fast exit)": [str(Path(sys.executable).with_name("interviewer"))],
    "app() (normal teardown)": [sys.executable, "-c", "from interviewer.cli import app; app()"],
}


def one_run(command: list[str], api_base: str) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "INTERVIEWER_CONFIG": os.devnull, "INTERVIEWER_TRANSCRIPTS_DIR": tmp}
        args = ["start", "-n", "1", "--seed", "1", "--model", "openai/bench-model", "--api-base", api_base]
        started = time.time()
        subprocess.run(
            [*command, *args], input=f"{ANSWER}\n\n" * 4, text=True, env=env, capture_output=True, check=True
        )
        ended = time.time()
        [report] = Path(tmp).glob("*/report.md")
        return ended - report.stat().st_mtime, ended - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    MockProvider.delay_s = 0.05
    server = ThreadingHTTPServer(("127.0.0.1", 0), MockProvider)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    api_base = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        for name, command in WAYS.items():
            runs = [one_run(command, api_base) for _ in range(args.runs)]
            after = statistics.median(r[0] for r in runs)
            wall = statistics.median(r[1] for r in runs)
            print(
                f"{name}: report written -> exit {after * 1000:.0f} ms; "
                f"whole command {wall:.2f} s (median of {len(runs)})"
            )
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
