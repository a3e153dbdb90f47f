"""Depth rules over the whole built-in bank, and every round preset runs offline end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.bank.lint import lint
from interviewer.bank.loader import load_bank
from interviewer.bank.models import Difficulty
from interviewer.bank.presets import presets
from tests.helpers import blocks, run_cli, sessions, transcript

BANK = load_bank()
SEED_FILES = {
    "000_a1636d1e6aa8de24.txt",
    "001_910c4a77be978310.txt",
    "002_eb2cc75215fc36fb.txt",
    "003_a7a0a37d05ba2006.txt",
    "004_01e529aff827f2ce.txt",
}
QUESTIONS = sorted(BANK.questions.values(), key=lambda q: q.id)
ANSWER = (
    "I'd start from the goal and a simple baseline, then check the data for leakage and label quality. "
    "I'd measure precision and recall on a held-out set, compare against the baseline, and watch latency. "
    "In production I'd monitor drift and retrain on a schedule, because the data changes over time."
)


def test_the_bank_holds_the_seed_questions() -> None:
    assert 90 <= len(BANK.questions) <= 200


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_each_question_meets_the_depth_rules(question) -> None:
    minimum_items = 2 if question.difficulty is Difficulty.easy else 3
    assert len(question.rubric) >= minimum_items
    assert all(len(item.signals) >= 3 for item in question.rubric)
    assert question.red_flags and all(flag.signals and flag.item for flag in question.red_flags)
    assert len(question.follow_ups) >= 2
    assert len(question.strong_answer) >= 2
    assert question.source in SEED_FILES or question.source == "original"
    assert question.levels and question.time_budget_s >= 60


def test_bank_lint_is_clean() -> None:
    assert lint(BANK) == []


@pytest.mark.parametrize("preset", sorted(presets()))
@pytest.mark.parametrize("level", ["junior", "senior"])
def test_every_preset_runs_offline_and_writes_transcripts(preset: str, level: str, tmp_path: Path) -> None:
    out = tmp_path / "t"
    result = run_cli(
        "start",
        "--round",
        preset,
        "--level",
        level,
        "--seed",
        "1",
        "--transcripts-dir",
        str(out),
        input=blocks(*[ANSWER] * 60),
    )
    assert result.exit_code == 0, result.output
    [folder] = sessions(out)
    data = transcript(folder)
    assert data["engine"]["status"] == "finished"
    assert len(data["grades"]) == len(data["engine"]["plan"])
    assert all(level in q["levels"] for q in data["questions"])
    assert (folder / "report.md").exists()
