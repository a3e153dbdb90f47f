"""The real program in a real process: import hygiene, piped sessions, kill -9 and resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests import answers
from tests.helpers import PACK_ARGS, blocks, sessions, transcript

LITELLM_PROBE = (
    "import sys, runpy; sys.argv = ['interviewer', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('interviewer', run_name='__main__')\n"
    "except SystemExit:\n"
    "    pass\n"
    "print('LITELLM_IMPORTED=' + str('litellm' in sys.modules), file=sys.stderr)\n"
    "print('WORDLLAMA_IMPORTED=' + str('wordllama' in sys.modules), file=sys.stderr)\n"
)


def interviewer(*args: str, input: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "interviewer", *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=120,
        env=env or os.environ.copy(),
    )


def probe_imports(*args: str, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", LITELLM_PROBE, *args], input=input, capture_output=True, text=True, timeout=120
    )


def test_help_does_not_import_litellm() -> None:
    result = probe_imports("--help")
    assert "start" in result.stdout
    assert "LITELLM_IMPORTED=False" in result.stderr


def test_help_review_and_bank_never_import_the_embedding_library(tmp_path: Path) -> None:
    for args in (["--help"], ["review", "--transcripts-dir", str(tmp_path)], ["bank", "list"], ["bank", "validate"]):
        result = probe_imports(*args)
        assert "WORDLLAMA_IMPORTED=False" in result.stderr, (args, result.stderr)


def test_offline_session_review_and_bank_never_import_litellm(tmp_path: Path) -> None:
    out = tmp_path / "t"
    session = probe_imports(
        "start",
        *PACK_ARGS,
        "--transcripts-dir",
        str(out),
        "-n",
        "1",
        "--topic",
        "optimization",
        input=blocks("The learning rate scales the step; too large diverges, too small is slow."),
    )
    assert "LITELLM_IMPORTED=False" in session.stderr, session.stderr
    assert sessions(out)
    for args in (["review", "--transcripts-dir", str(out)], ["bank", "list"], ["bank", "validate"]):
        assert "LITELLM_IMPORTED=False" in probe_imports(*args).stderr


def test_piped_session_runs_as_a_real_process(tmp_path: Path) -> None:
    out = tmp_path / "t"
    result = interviewer(
        "start",
        *PACK_ARGS,
        "--transcripts-dir",
        str(out),
        "-n",
        "3",
        "--seed",
        "2",
        input=blocks(*[answers.STRONG_IMBALANCE, answers.CV_ANSWER, answers.STORY] * 4),
    )
    assert result.returncode == 0, result.stderr
    [folder] = sessions(out)
    assert (folder / "report.md").exists()
    assert transcript(folder)["engine"]["status"] == "finished"


def _candidate_answers(folder: Path) -> list[str]:
    try:
        data = json.loads((folder / "transcript.json").read_text())
    except (OSError, ValueError):
        return []
    return [t["text"] for r in data["engine"]["runs"] for t in r["turns"] if t["role"] == "candidate"]


def _wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached before the timeout")


def test_sigkill_after_the_second_answer_loses_nothing_and_resume_finishes(tmp_path: Path) -> None:
    out = tmp_path / "t"
    first, second = answers.CV_ANSWER, answers.STRONG_IMBALANCE
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "interviewer",
            "start",
            *PACK_ARGS,
            "--transcripts-dir",
            str(out),
            "-n",
            "3",
            "--seed",
            "5",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(lambda: bool(sessions(out)))
        folder = sessions(out)[0]
        for n, text in enumerate([first, second], start=1):
            proc.stdin.write(text + "\n\n")
            proc.stdin.flush()
            _wait_for(lambda n=n: len(_candidate_answers(folder)) >= n)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert _candidate_answers(folder) == [first, second]

    resumed = interviewer(
        "resume",
        "--transcripts-dir",
        str(out),
        input=blocks(*[answers.STORY, answers.CV_ANSWER, answers.STRONG_IMBALANCE] * 4),
    )
    assert resumed.returncode == 0, resumed.stderr
    data = transcript(folder)
    assert data["engine"]["status"] == "finished"
    kept = _candidate_answers(folder)
    assert kept[:2] == [first, second]
    assert len(data["grades"]) == 3
    assert (folder / "report.md").exists()
