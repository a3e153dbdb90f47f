"""`interviewer regrade`: grade stored answers again with today's bank and grader, as new `graded` events.

The earlier grades stay in the log; the report shows the latest grade with the previous one beside it.
Sessions are graded one after another, one question at a time (a simple loop: no concurrency yet).
"""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console

from interviewer.backends.registry import make_grader
from interviewer.bank.loader import BankError, load_bank
from interviewer.bank.models import Question
from interviewer.commands.interview import (
    EXIT_ERROR,
    EXIT_PROVIDER,
    PreflightError,
    StartOptions,
    check_models,
    resumed_settings,
)
from interviewer.session import graded_event
from interviewer.settings import Settings, load_settings
from interviewer.transcripts.lock import SessionBusy
from interviewer.transcripts.record import SessionRecord
from interviewer.transcripts.report import render_report
from interviewer.transcripts.store import Store, StoreError


def _current_questions(record: SessionRecord) -> dict[str, Question]:
    """Today's version of the session's questions (built-in bank and the packs it used, if still there)."""
    packs = [Path(p) for p in record.options.bank_paths if Path(p).exists()]
    try:
        return load_bank(packs, include_default=True).questions
    except BankError:
        return {}


def _regrade(store: Store, session_id: str, settings: Settings, grader_model: str | None, console: Console) -> None:
    writer, fold = store.open(session_id)
    try:
        record = fold.record
        grader_settings = resumed_settings(settings, record, StartOptions(grader_model=grader_model)).grader
        check_models(grader_settings)
        grader = make_grader(grader_settings)
        current = _current_questions(record)
        console.print(f"[bold]{session_id}[/] · grader {grader.name}")
        for question_id in record.completed_ids():
            question = current.get(question_id, record.question(question_id))
            run = next(r for r in record.engine.runs if r.question_id == question_id)
            before = record.grades.get(question_id)
            event = graded_event(question, run, grader, at=time.time(), reason="regrade", level=record.options.level)
            writer.append(event)
            fold.apply(event)
            was = f"{before.score}/100 ({before.grader}) → " if before else ""
            console.print(f"  {question_id}: {was}{event.grade.score}/100 ({event.grade.grader})", markup=False)
        store.save(record)
        if record.finished_at or store.report_path(session_id).exists():
            store.save_report(record, render_report(record))
    finally:
        writer.close()


def regrade_sessions(
    refs: list[str], all_sessions: bool, grader_model: str | None, transcripts_dir: Path | None
) -> int:
    console = Console(highlight=False)
    if all_sessions == bool(refs):
        console.print("[bold red]Error:[/] name the sessions to regrade, or give --all (not both)")
        return 2
    settings = load_settings(transcripts_dir=transcripts_dir)
    store = Store(settings.transcripts_dir)
    try:
        ids = store.ids() if all_sessions else [store.resolve(ref) for ref in refs]
    except StoreError as exc:
        console.print(f"[bold red]Error:[/] {exc}", markup=True, highlight=False)
        return EXIT_ERROR
    if not ids:
        console.print(f"No sessions in {store.root.resolve()}.")
        return 0
    failed = 0
    for session_id in ids:
        try:
            _regrade(store, session_id, settings, grader_model, console)
        except PreflightError as exc:
            console.print(f"[bold red]Cannot regrade:[/] {exc}")
            return EXIT_PROVIDER
        except (StoreError, SessionBusy) as exc:
            console.print("[bold red]Skipped:[/] ", end="")
            console.print(str(exc), markup=False)
            failed += 1
    return EXIT_ERROR if failed else 0
