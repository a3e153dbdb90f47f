"""`interviewer grade`: grade written answers without an interview, one or in batch."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table

from interviewer.backends.registry import make_grader
from interviewer.bank.loader import BankError, load_bank
from interviewer.grading.grade import grade_question
from interviewer.grading.models import QuestionGrade
from interviewer.settings import load_settings


class AnswerEntry(BaseModel):
    question: str
    answer: str


def _read_batch(path: Path) -> list[AnswerEntry]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    else:
        rows = yaml.safe_load(text)  # YAML is a superset of JSON
    if isinstance(rows, dict):
        rows = rows.get("answers", [])
    return [AnswerEntry.model_validate(row) for row in rows]


def run_grade(
    question_id: str | None,
    answer_file: Path | None,
    batch: Path | None,
    extra_banks: list[Path],
    builtin: bool,
    as_json: bool,
    grader_model: str | None,
) -> int:
    console = Console(highlight=False)
    err = Console(stderr=True, highlight=False)
    try:
        settings = load_settings(bank_paths=extra_banks or None, grader={"model": grader_model})
        bank = load_bank(settings.bank_paths, include_default=builtin)
        if batch is not None:
            entries = _read_batch(batch)
        elif question_id is not None:
            text = answer_file.read_text(encoding="utf-8") if answer_file else sys.stdin.read()
            entries = [AnswerEntry(question=question_id, answer=text)]
        else:
            err.print("[bold red]Error:[/] give --question ID (answer from --answer-file or stdin) or --answers FILE")
            return 2
        questions = [bank.get(e.question) for e in entries]
    except (BankError, ValidationError, OSError, yaml.YAMLError, json.JSONDecodeError) as exc:
        err.print(f"[bold red]Error:[/] {exc}")
        return 2
    grader = make_grader(settings.grader)
    grades: list[QuestionGrade] = []
    for entry, question in zip(entries, questions, strict=True):
        grade, _ = grade_question(question, [entry.answer], grader)
        grades.append(grade)
    if as_json:
        console.file.write(json.dumps([g.model_dump(mode="json") for g in grades], indent=2) + "\n")
        return 0
    for grade in grades:
        table = Table(title=f"{grade.question_id}: {grade.score}/100 ({grade.kind.value}, {grade.path.value})")
        for column in ("Rubric item", "Score", "Evidence", "Why"):
            table.add_column(column, overflow="fold")
        for item in grade.items:
            table.add_row(item.name, f"{item.score}/3", " · ".join(item.evidence) or "—", item.reason)
        console.print(table)
    return 0
