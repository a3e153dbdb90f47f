"""Recreate the example sessions in the repository's `transcripts/` folder.

Each example is a real offline session of the test pack (`tests/fixtures/pack.yaml`), run through the CLI
with scripted answers, so the folder always holds what the current code writes. Run from the repository
root: `python bench/make_examples.py`. `tests/test_history.py` checks the examples still load.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import answers  # noqa: E402  (realistic candidate answers, shared with the tests)

EXAMPLES = ROOT / "transcripts"
PACK = "tests/fixtures/pack.yaml"  # relative (the command runs in ROOT), so no machine's path is recorded
# (why the example exists, start options, everything typed in order; running out of input pauses the session)
SESSIONS = (
    (
        "a finished three-question session",
        ["-n", "3", "--seed", "1"],
        [answers.STRONG_IMBALANCE, answers.CV_ANSWER, answers.STORY] * 4,
    ),
    (
        "a finished session with a hint, an 'I don't know' and a wrong claim",
        ["-n", "2", "--seed", "2", "--topic", "evaluation"],
        ["/hint", answers.WRONG_IMBALANCE, answers.DONT_KNOW, answers.PARTIAL_IMBALANCE] + [answers.CV_ANSWER] * 4,
    ),
    ("a paused session, waiting for `resume`", ["-n", "3", "--seed", "3"], [answers.STORY]),
)


def make(options: list[str], typed: list[str], env: dict[str, str]) -> None:
    script = "\n\n".join(typed) + "\n"
    command = [sys.executable, "-m", "interviewer", "start", "--bank", PACK, "--no-builtin"]
    command += ["--transcripts-dir", "transcripts", *options]
    run = {"input": script, "text": True, "env": env, "cwd": ROOT, "capture_output": True, "timeout": 300}
    subprocess.run(command, check=True, **run)


def main() -> None:
    for folder in EXAMPLES.iterdir():
        if folder.is_dir():
            shutil.rmtree(folder)
    with tempfile.TemporaryDirectory() as scratch:
        env = {k: v for k, v in os.environ.items() if not k.startswith("INTERVIEWER_") and not k.endswith("_API_KEY")}
        env |= {"INTERVIEWER_CONFIG": f"{scratch}/config.toml", "INTERVIEWER_DATA_DIR": scratch}
        for why, options, typed in SESSIONS:
            make(options, typed, env)
            print(f"made {why}")
    print(f"{len(SESSIONS)} examples in {EXAMPLES}")


if __name__ == "__main__":
    main()
