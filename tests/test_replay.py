"""Exact replay: each answered event records the move the engine chose, and a replay follows it.

A session resumed after the follow-up policy changed goes on exactly as it was recorded; a log from before
moves were recorded still folds, by asking today's policy.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interviewer.engine import engine as engine_module
from interviewer.transcripts.events import Answered, CommandGiven
from interviewer.transcripts.fold import fold
from interviewer.transcripts.store import Store
from tests import answers
from tests.helpers import PACK_ARGS, blocks, run_cli, sessions, transcript


def events(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]


def start(transcripts: Path, *said: str) -> Path:
    args = ["--transcripts-dir", str(transcripts), "--seed", "1", "-n", "2", "--topic", "evaluation"]
    result = run_cli("start", *PACK_ARGS, *args, input=blocks(*said))
    assert result.exit_code == 0, result.output
    [folder] = sessions(transcripts)
    return folder


def never_follow_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """A policy change: after any answer, move on to the next question."""
    monkeypatch.setattr(engine_module, "decide", lambda *args, **kwargs: None)


def without_decisions(log: list) -> list:
    return [e.model_copy(update={"decided": None}) if isinstance(e, Answered | CommandGiven) else e for e in log]


def test_each_answer_records_the_move_chosen_after_it(transcripts: Path) -> None:
    folder = start(transcripts, answers.CV_ANSWER, "Five or ten folds.", answers.STRONG_IMBALANCE, "Threshold.")
    log = events(folder)
    followed = [(e, log[n + 1]) for n, e in enumerate(log[:-1]) if e["type"] == "answered"]
    assert followed and all(answered["decided"] is not None for answered, _ in followed)
    probes = [a["decided"] for a, _ in followed if a["decided"]["move"] not in ("ask", "close")]
    assert probes and all(p["target_item"] for p in probes)  # what the follow-up goes after is recorded too
    for answered, after in followed:
        if after["type"] == "asked":
            assert after["action"] == answered["decided"]


def test_a_session_resumed_after_a_policy_change_continues_as_recorded(
    transcripts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = start(transcripts, answers.CV_ANSWER)  # input ends at the follow-up: paused mid-question
    store = Store(transcripts)
    recorded = fold(store.events(folder.name))
    [answered] = [e for e in store.events(folder.name) if isinstance(e, Answered)]
    assert answered.decided is not None and answered.decided.move not in ("ask", "close")
    assert recorded.engine.current == 0

    never_follow_up(monkeypatch)
    assert fold(store.events(folder.name)).engine == recorded.engine
    assert fold(without_decisions(store.events(folder.name))).engine != recorded.engine  # what replay used to do

    said = [answers.CV_ANSWER, answers.STRONG_IMBALANCE, "Threshold."]
    result = run_cli("resume", folder.name, "--transcripts-dir", str(transcripts), input=blocks(*said))
    assert result.exit_code == 0, result.output
    first_run = transcript(folder)["engine"]["runs"][0]
    assert first_run["turns"][2]["move"] == answered.decided.move  # the recorded follow-up stays in its run
    assert [t["text"] for t in first_run["turns"] if t["role"] == "candidate"] == [answers.CV_ANSWER] * 2
    assert [r["status"] for r in transcript(folder)["engine"]["runs"]] == ["done", "done"]


def test_a_log_from_before_moves_were_recorded_still_folds_with_todays_policy(transcripts: Path) -> None:
    folder = start(transcripts, answers.CV_ANSWER, "Five or ten folds.", answers.STRONG_IMBALANCE, "Threshold.")
    log = Store(transcripts).events(folder.name)
    assert fold(without_decisions(log)).engine == fold(log).engine


def test_a_hint_and_a_skip_replay_as_recorded_after_the_hint_rules_change(
    transcripts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = start(transcripts, "/hint", answers.CV_ANSWER, "/skip", "/hint")
    store = Store(transcripts)
    log = store.events(folder.name)
    commands = [e for e in log if isinstance(e, CommandGiven)]
    assert [(c.command, c.decided and c.decided.move) for c in commands] == [
        ("hint", "hint"),
        ("skip", "ask"),
        ("hint", "hint"),
    ]
    assert all(c.decided and c.decided.target_item for c in commands if c.command == "hint")
    recorded = fold(log)

    monkeypatch.setattr(engine_module.Engine, "_top_missing", lambda self: None)  # hints no longer aim anywhere
    assert fold(log) == recorded
    assert fold(without_decisions(log)).engine.runs[0].hinted_items == [""]  # what replay used to do
