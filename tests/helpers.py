"""Helpers for driving the CLI in tests."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from interviewer.cli import app
from tests.conftest import PACK

PACK_ARGS = ["--bank", str(PACK), "--no-builtin"]


def blocks(*answers: str) -> str:
    """Answers as piped input: one block per answer, blank lines between."""
    return "\n\n".join(answers) + "\n"


def run_cli(*args: str, input: str | None = None):
    return CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)


def sessions(root: Path) -> list[Path]:
    return sorted(p.parent for p in root.glob("*/events.jsonl"))


def transcript(folder: Path) -> dict:
    return json.loads((folder / "transcript.json").read_text())
