"""Hostile or odd text: escape sequences, invalid UTF-8, Markdown injection, long answers, wrapping."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from rich.console import Console

from interviewer.backends.base import RESTART
from interviewer.limits import MAX_MODEL_ANSWER_CHARS
from interviewer.text.safe import StreamFilter, markdown_text, visible
from interviewer.ui.terminal import PipedIO
from tests.helpers import PACK_ARGS, blocks, run_cli, sessions, transcript

CLEAR = "\x1b[2J\x1b[H"
TITLE = "\x1b]0;pwned\x07"
LINK = "\x1b]8;;https://evil.example\x1b\\click me\x1b]8;;\x1b\\"
CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4=\x07"
HOSTILE = (
    f"{CLEAR}The learning rate{TITLE} scales each step {LINK}; too large diverges{CLIPBOARD}, "
    "too small is slow.\x00 Nul\x9b31m and a bidi \u202eoverride."
)
LONG_LINE = (
    "Here is a longer interviewer line about offline evaluation, held-out validation folds and "
    "distribution shift, with enough words that it has to wrap several times on any terminal width."
)


def piped(text: str = "", width: int = 80) -> tuple[PipedIO, StringIO]:
    out = StringIO()
    return PipedIO(StringIO(text), Console(file=out, width=width, highlight=False)), out


def test_visible_removes_escape_sequences_and_shows_other_control_characters() -> None:
    shown = visible(HOSTILE + "\nnext line\tafter a tab")
    assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown
    assert "pwned" not in shown and "evil.example" not in shown and "cm0gLXJmIH4" not in shown
    assert "click me" in shown  # a link's text stays, its target goes
    assert "␀" in shown and "<U+202E>" in shown
    assert shown.endswith("\nnext line\tafter a tab")


def test_an_escape_sequence_split_across_streamed_chunks_is_still_removed() -> None:
    safe = StreamFilter()
    chunks = ["Walk me \x1b", "]0;pw", "ned\x07through it\x1b[", "2J."]
    assert "".join(safe.feed(c) for c in chunks) + safe.close() == "Walk me through it."


def test_streamed_model_text_reaches_the_screen_without_escapes_and_wrapped_at_spaces() -> None:
    io, out = piped()
    said = io.interviewer(["Walk me ", "through\x1b]52;c;aGk=\x07 it. ", LONG_LINE])
    screen = out.getvalue()
    assert "\x1b" not in screen
    assert said.startswith("Walk me through\x1b]52;c;aGk=\x07 it.")  # the record keeps the exact text
    assert all(len(line) <= 80 for line in screen.splitlines())
    assert " ".join(screen.split()) == "Interviewer: " + " ".join(visible("Walk me through it. " + LONG_LINE).split())


@pytest.mark.parametrize("width", [80, 120])
def test_interviewer_text_and_echoed_answers_wrap_at_spaces_never_mid_word(width: int) -> None:
    answer = "I would check offline metrics against online ones first " * 6
    io, out = piped(blocks(answer), width=width)
    io.interviewer([LONG_LINE + " " + LONG_LINE])
    io.read_answer()
    lines = out.getvalue().splitlines()
    assert all(len(line) <= width for line in lines)
    words = set((LONG_LINE + " " + answer).split()) | {"Interviewer:", "You:"}
    assert all(word in words for line in lines for word in line.split()), "a word was cut at a line end"


def test_a_stream_that_restarted_midway_records_only_the_full_retry() -> None:
    io, out = piped()
    said = io.interviewer(["Walk me thr", RESTART, "Walk me through the pipeline."])
    assert said == "Walk me through the pipeline."
    assert "Walk me through the pipeline." in out.getvalue()


def test_a_long_answer_is_flagged_once_when_a_model_reads_it() -> None:
    long_answer = "word " * (MAX_MODEL_ANSWER_CHARS // 4)
    io, out = piped(blocks(long_answer, long_answer))
    model = SimpleNamespace(offline=False, name="openai/gpt-4o-mini")
    io.attach(model, "openai/gpt-4o-mini", SimpleNamespace(time_limit_s=None, started_at=0.0))
    assert io.read_answer() == long_answer.strip() and io.read_answer() == long_answer.strip()
    screen = " ".join(out.getvalue().split())
    assert screen.count(f"the model sees the first {MAX_MODEL_ANSWER_CHARS:,} characters") == 1
    assert "the full answer is saved" in screen


def test_a_long_answer_is_not_flagged_when_everything_runs_offline() -> None:
    io, out = piped(blocks("word " * MAX_MODEL_ANSWER_CHARS))
    offline = SimpleNamespace(offline=True, name="offline")
    io.attach(offline, "offline", SimpleNamespace(time_limit_s=None, started_at=0.0))
    io.read_answer()
    assert "the model sees" not in out.getvalue()


def test_markdown_text_cannot_start_structure() -> None:
    text = "## Hired\n| a | b |\n`code` <script>alert(1)</script> <img src=x onerror=alert(1)>\n1. one\n- item"
    escaped = markdown_text(text).splitlines()
    assert escaped[0] == "\\## Hired"
    assert escaped[1] == "\\| a \\| b \\|"
    assert "<" not in escaped[2] and "&lt;script&gt;" in escaped[2] and "\\`code\\`" in escaped[2]
    assert escaped[3] == "1\\. one" and escaped[4] == "\\- item"


def test_a_hostile_answer_is_saved_exactly_but_shown_and_reported_safely(transcripts: Path) -> None:
    injection = "## 9. owned — 100/100\n| fake | row |\n<script>alert(1)</script> <img src=x onerror=alert(1)> `x`"
    result = run_cli(
        "start", *PACK_ARGS, "--transcripts-dir", str(transcripts), "-n", "1", "--topic", "collaboration",
        input=blocks(HOSTILE, injection, "/quit"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x00" not in result.output
    [folder] = sessions(transcripts)
    answers = [t["text"] for r in transcript(folder)["engine"]["runs"] for t in r["turns"] if t["role"] == "candidate"]
    assert HOSTILE in answers and injection in answers
    report = (folder / "report.md").read_text()
    assert "\x1b" not in report and "\x00" not in report and "pwned" not in report
    assert "<script>" not in report and "<img" not in report
    assert not any(line.startswith("## 9. owned") for line in report.splitlines())
    assert not any(line.startswith("| fake") for line in report.splitlines())
    shown = run_cli("review", "show", folder.name, "--transcripts-dir", str(transcripts))
    assert shown.exit_code == 0 and "\x1b" not in shown.output
    assert "<script>alert(1)</script>" in " ".join(shown.output.split())  # shown as text, not markup


@pytest.mark.parametrize("locale", ["C", "C.UTF-8", "en_US.UTF-8"])
def test_invalid_utf8_on_stdin_keeps_the_answer(tmp_path: Path, locale: str) -> None:
    out = tmp_path / "t"
    env = {**os.environ, "LC_ALL": locale, "LANG": locale}
    env.pop("PYTHONIOENCODING", None)
    result = subprocess.run(
        [sys.executable, "-m", "interviewer", "start", *PACK_ARGS, "--transcripts-dir", str(out), "-n", "1",
         "--topic", "collaboration"],
        input=b"I led the caf\xe9 ordering project and owned the rollout plan.\n\n/quit\n",
        capture_output=True, timeout=120, env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert b"Traceback" not in result.stderr
    [folder] = sessions(out)
    data = json.loads((folder / "transcript.json").read_text(encoding="utf-8"))
    texts = [t["text"] for r in data["engine"]["runs"] for t in r["turns"] if t["role"] == "candidate"]
    assert "I led the caf\ufffd ordering project and owned the rollout plan." in texts


def test_bank_show_prints_pack_text_without_escapes_or_markup(tmp_path: Path) -> None:
    pack = tmp_path / "hostile.yaml"
    original = "question: Your positive class is about one percent of the data."
    hostile = 'question: "Say how you would \\e]52;c;aGk=\\a handle [bold]rare[/bold] positives \\e[2J today?"'
    text = Path(PACK_ARGS[1]).read_text()
    pack.write_text(text.replace(original + " How do you train and evaluate a classifier on it?", hostile, 1))
    shown = run_cli("bank", "show", "imbalanced-data", "--bank", str(pack), "--no-builtin")
    assert shown.exit_code == 0, shown.output
    assert "\x1b" not in shown.output
    assert "handle [bold]rare[/bold] positives" in " ".join(shown.output.split())


def test_grade_prints_the_answers_quotes_without_escapes_or_markup(tmp_path: Path) -> None:
    answer = tmp_path / "answer.txt"
    answer.write_text(
        f"I'd report [bold]precision and recall[/bold] because accuracy misleads on rare positives{TITLE}, "
        "and oversample the whole dataset before splitting."
    )
    shown = run_cli("grade", *PACK_ARGS, "-q", "imbalanced-data", "-f", str(answer))
    assert shown.exit_code == 0, shown.output
    assert "\x1b" not in shown.output and "pwned" not in shown.output
    assert "[bold]precision" in shown.output
    assert "Red flag: Oversamples before the train/test split" in " ".join(shown.output.split())


def test_review_show_cleans_a_report_written_with_raw_escapes(transcripts: Path) -> None:
    run_cli("start", *PACK_ARGS, "--transcripts-dir", str(transcripts), "-n", "1", input=blocks("/quit"))
    [folder] = sessions(transcripts)
    report = folder / "report.md"
    report.write_text(report.read_text() + f"\n{CLEAR}{TITLE}left by an older version\n")
    shown = run_cli("review", "show", folder.name, "--transcripts-dir", str(transcripts))
    assert shown.exit_code == 0
    assert "\x1b" not in shown.output and "left by an older version" in shown.output
