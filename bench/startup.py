"""Startup cost: wall time of `interviewer --help` and whether it imports litellm.

Prints the median and best of N runs; compare with the ~2.5 s litellm import alone.
Usage: .venv/bin/python bench/startup.py [runs]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

PROBE = (
    "import sys, runpy; sys.argv=['interviewer','--help']\n"
    "try:\n runpy.run_module('interviewer', run_name='__main__')\nexcept SystemExit:\n pass\n"
    "print('litellm' in sys.modules, file=sys.stderr)"
)
LITELLM = "import os; os.environ['LITELLM_LOCAL_MODEL_COST_MAP']='True'; import litellm"


def timed(args: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, done.stderr.strip()


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    help_times = [timed([sys.executable, "-m", "interviewer", "--help"])[0] for _ in range(runs)]
    _, imported = timed([sys.executable, "-c", PROBE])
    bare = [timed([sys.executable, "-c", "pass"])[0] for _ in range(runs)]
    litellm = timed([sys.executable, "-c", LITELLM])[0]
    median, best = statistics.median(help_times) * 1000, min(help_times) * 1000
    print(f"interviewer --help: median {median:.0f} ms, best {best:.0f} ms over {runs} runs")
    print(f"python -c pass:     median {statistics.median(bare) * 1000:.0f} ms")
    print(f"--help imports litellm: {imported}")
    print(f"import litellm alone: {litellm * 1000:.0f} ms")


if __name__ == "__main__":
    main()
