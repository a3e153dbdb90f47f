"""The real program in a real process: import hygiene, piped sessions, kill -9 and resume."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

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
    "print('PYDANTIC_IMPORTED=' + str('pydantic' in sys.modules), file=sys.stderr)\n"
    "print('PLOTEXT_IMPORTED=' + str('plotext' in sys.modules), file=sys.stderr)\n"
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
    history = [["review", "--transcripts-dir", str(out), *more] for more in ([], ["progress"], ["export"])]
    for args in (
        *history,
        ["history", "rebuild", "--transcripts-dir", str(out)],
        ["bank", "list"],
        ["bank", "validate"],
    ):
        assert "LITELLM_IMPORTED=False" in probe_imports(*args).stderr


def test_a_warm_review_and_progress_import_neither_pydantic_nor_plotext(tmp_path: Path) -> None:
    """Once the history database, the bank outline and the charts are cached, listing and progress need no
    pydantic (nor typer's pydantic-based option conversion) and no plotting library: their start-up is the
    command line's own."""
    out = tmp_path / "t"
    session = interviewer(
        "start", *PACK_ARGS, "--transcripts-dir", str(out), "-n", "1", "--topic", "optimization",
        input=blocks("The learning rate scales the step; too large diverges, too small is slow."),
    )  # fmt: skip
    assert session.returncode == 0, session.stderr
    for args, shown in ((["review"], "Sessions in"), (["review", "progress"], "Progress by topic")):
        interviewer(*args, "--transcripts-dir", str(out))  # builds the index and the outline
        warm = probe_imports(*args, "--transcripts-dir", str(out))
        assert "PYDANTIC_IMPORTED=False" in warm.stderr and "PLOTEXT_IMPORTED=False" in warm.stderr, warm.stderr
        assert shown in warm.stdout, warm.stdout


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


def _events(folder: Path) -> list[dict]:
    """The complete lines of the session's log, as a crash leaves them."""
    try:
        data = (folder / "events.jsonl").read_bytes()
    except OSError:
        return []
    return [json.loads(line) for line in data[: data.rfind(b"\n") + 1].splitlines()]


def _candidate_answers(folder: Path) -> list[str]:
    return [e["text"] for e in _events(folder) if e["type"] == "answered"]


def _wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached before the timeout")


def _spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "interviewer", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _no_line_said_twice(data: dict) -> None:
    """Two interviewer turns in a row mean a line was recorded again after the crash."""
    for run in data["engine"]["runs"]:
        roles = [t["role"] for t in run["turns"]]
        assert ("interviewer", "interviewer") not in itertools.pairwise(roles), run["turns"]


@pytest.mark.parametrize("acknowledged", [0, 1, 2])
def test_sigkill_at_any_event_loses_no_acknowledged_answer_and_resume_finishes(
    tmp_path: Path, acknowledged: int
) -> None:
    """Killed after `acknowledged` answers are in the log, with the next one on its way: resume keeps them all."""
    out = tmp_path / "t"
    said = [answers.CV_ANSWER, answers.STRONG_IMBALANCE, answers.STORY]
    proc = _spawn("start", *PACK_ARGS, "--transcripts-dir", str(out), "-n", "3", "--seed", "5")
    try:
        _wait_for(lambda: bool(sessions(out)) and bool(_events(sessions(out)[0])))
        folder = sessions(out)[0]
        for n, text in enumerate(said[:acknowledged], start=1):
            proc.stdin.write(text + "\n\n")
            proc.stdin.flush()
            _wait_for(lambda n=n: len(_candidate_answers(folder)) >= n)
        proc.stdin.write(said[acknowledged] + "\n\n")  # in flight when the kill lands
        proc.stdin.flush()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    kept = _candidate_answers(folder)
    assert kept[:acknowledged] == said[:acknowledged]

    resumed = interviewer(
        "resume",
        "--transcripts-dir",
        str(out),
        input=blocks(*[answers.STORY, answers.CV_ANSWER, answers.STRONG_IMBALANCE] * 4),
    )
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "Traceback" not in resumed.stderr
    data = transcript(folder)
    assert data["engine"]["status"] == "finished"
    assert _candidate_answers(folder)[: len(kept)] == kept
    assert len(data["grades"]) == 3
    assert (folder / "report.md").exists()
    _no_line_said_twice(data)


def test_a_second_resume_of_an_open_session_is_refused_and_nothing_is_lost(tmp_path: Path) -> None:
    out = tmp_path / "t"
    paused = interviewer(
        "start", *PACK_ARGS, "--transcripts-dir", str(out), "-n", "2", "--seed", "5", input=blocks(answers.CV_ANSWER)
    )
    assert paused.returncode == 0, paused.stderr
    [folder] = sessions(out)
    first = _spawn("resume", folder.name, "--transcripts-dir", str(out))
    try:
        # the first one holds the session and waits for an answer: its repeat of the question is in the log
        _wait_for(lambda: [e["type"] for e in _events(folder)][-2:] == ["resumed", "asked"])
        before = (folder / "events.jsonl").read_bytes()
        second = interviewer(
            "resume", folder.name, "--transcripts-dir", str(out), input=blocks(answers.STORY, answers.STORY)
        )
        assert second.returncode == 1
        assert f"session {folder.name} is open elsewhere (pid {first.pid})" in second.stdout
        assert "Traceback" not in second.stderr
        assert (folder / "events.jsonl").read_bytes() == before
        more = [answers.STRONG_IMBALANCE, "After the split, only on the training data.", answers.STORY]
        stdout, stderr = first.communicate(blocks(*more * 3), timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, stdout + stderr
    kept = _candidate_answers(folder)
    assert kept[0] == answers.CV_ANSWER and kept[1] == answers.STRONG_IMBALANCE
    assert transcript(folder)["engine"]["status"] == "finished"
