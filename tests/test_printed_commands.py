"""Every command printed for the user works exactly as printed, wherever the sessions are kept."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from tests import answers
from tests.helpers import PACK_ARGS, blocks, run_cli, sessions

FULL = [answers.STRONG_IMBALANCE, answers.CV_ANSWER, answers.STORY] * 4


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    """Long paths stay on one line, so a printed command can be read back whole."""
    monkeypatch.setenv("COLUMNS", "1000")


def _printed(output: str, after: str) -> list[str]:
    """The command printed after `after`, as the words a shell would pass."""
    line = next(line for line in output.splitlines() if after in line)
    return shlex.split(line.split(after, 1)[1].strip().rstrip("."))


def test_a_paused_session_prints_a_resume_command_that_finds_it(tmp_path: Path):
    elsewhere = tmp_path / "my sessions"
    first = run_cli(
        "start", *PACK_ARGS, "--transcripts-dir", str(elsewhere), "-n", "2", input=blocks(answers.CV_ANSWER)
    )
    command = _printed(first.output, "Continue with")
    [folder] = sessions(elsewhere)
    assert command == ["interviewer", "resume", "--transcripts-dir", str(elsewhere), folder.name]
    assert f"Saved in {folder}" in first.output

    resumed = run_cli(*command[1:], input=blocks(*FULL))
    assert resumed.exit_code == 0, resumed.output
    shown = _printed(resumed.output, "Read it with:")
    assert shown == ["interviewer", "review", "--transcripts-dir", str(elsewhere), "show", folder.name]
    report = run_cli(*shown[1:])
    assert report.exit_code == 0 and "Traceback" not in report.output


def test_in_the_default_folder_the_printed_commands_need_no_option(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("INTERVIEWER_TRANSCRIPTS_DIR")
    result = run_cli("start", *PACK_ARGS, "-n", "2", input=blocks(*FULL))
    [folder] = sessions(tmp_path / "data" / "transcripts")
    assert f"Saving to {folder}" in result.output
    assert _printed(result.output, "Read it with:") == ["interviewer", "review", "show", folder.name]


def test_the_printed_history_rebuild_runs_on_the_folder_it_names(tmp_path: Path):
    elsewhere = tmp_path / "my sessions"
    assert run_cli("start", *PACK_ARGS, "--transcripts-dir", str(elsewhere), "-n", "1", input="/skip\n").exit_code == 0
    [folder] = sessions(elsewhere)
    (folder / "events.jsonl").write_text("")  # indexed as broken: nothing graded to draw
    progress = run_cli("review", "--transcripts-dir", str(elsewhere), "progress")
    command = [word.strip("`") for word in _printed(progress.output, "if that is wrong, run")]
    assert command == ["interviewer", "history", "rebuild", "--transcripts-dir", str(elsewhere)]
    rebuilt = run_cli(*command[1:])
    assert "Traceback" not in rebuilt.output and str(elsewhere) in rebuilt.output, rebuilt.output
