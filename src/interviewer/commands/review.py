"""`interviewer review`: past sessions, one report, progress by topic and rubric item, export.

The listing, progress and export read the history database (refreshed from the store first); a report is
read from the session itself.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from interviewer import config_file
from interviewer.exits import EXIT_ERROR, EXIT_OK
from interviewer.history import queries
from interviewer.history.db import database_path, open_history, remove_database
from interviewer.history.export import write_export
from interviewer.history.index import load_error, open_index, rebuild
from interviewer.printed import printed_command
from interviewer.text.safe import visible
from interviewer.transcripts.store import Store, StoreError
from interviewer.ui.console import make_console

LIST_LIMIT = 30  # sessions `review` lists unless asked for all
WEAKEST_SHOWN = 15
WIDE_LIST = 100  # columns from which `review` also shows the grader


def _store(transcripts_dir: Path | None) -> Store:
    return Store(config_file.transcripts_dir(transcripts_dir))


def _history(store: Store, console: Console) -> sqlite3.Connection:
    db, notes = open_index(store)
    for note in notes:
        console.print(Text.assemble(("Note: ", "yellow"), visible(note)))
    return db


def list_sessions(transcripts_dir: Path | None, limit: int | None = LIST_LIMIT) -> int:
    """The `limit` newest sessions (all when None), then every session that does not load, with the reason."""
    console = make_console()
    store = _store(transcripts_dir)
    db = _history(store, console)
    rows, broken, total = queries.sessions(db, limit), queries.broken_sessions(db), queries.session_count(db)
    if not rows and not broken:
        console.print(f"No sessions yet in {store.root.resolve()}. Start one with `interviewer start`.")
        return 0
    wide = console.width >= WIDE_LIST
    table = Table(title=f"Sessions in {escape(visible(str(store.root.resolve())))}", box=box.SIMPLE_HEAD)
    # The id is what `review show` and `resume` take: it never wraps or shortens; other columns give way.
    table.add_column("Session", no_wrap=True, min_width=max(len(r.id) for r in [*rows, *broken]))
    for column in ("Date (UTC)", "Round", "Done", "Score", "Status", *(["Grader"] if wide else [])):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r.id,
            (r.created_at or "")[:16].replace("T", " "),
            Text(visible(f"{r.round.replace('_', ' ')} · {r.level}")),
            f"{r.answered}/{r.planned}",
            "—" if r.overall is None else str(r.overall),
            r.status,
            *([Text(visible(r.grader))] if wide else []),
        )
    for r in broken:
        table.add_row(r.id, "—", "—", "—", "—", "broken", *(["—"] if wide else []))
    console.print(table)
    if total > len(rows):
        more = printed_command("review", "--all", transcripts_dir=store.root)
        console.print(f"The {len(rows)} newest of {total} sessions; all of them: {more}", markup=False)
    for r in broken:
        console.print(visible(f"{r.id} does not load: {r.error}"), markup=False)
    return 0


def show_session(session_id: str | None, transcripts_dir: Path | None) -> int:
    from rich.markdown import Markdown  # only here: markdown-it is slow to import

    from interviewer.transcripts.report import render_report

    console = make_console()
    store = _store(transcripts_dir)
    try:
        if session_id is None:
            latest = queries.sessions(_history(store, console), limit=1)
            if not latest:
                console.print("No sessions yet.")
                return EXIT_ERROR
            session_id = latest[0].id
        record = store.load(session_id)
    except (StoreError, ValueError, OSError) as exc:
        console.print(Text.assemble(("Error: ", "bold red"), visible(f"{session_id}: {load_error(exc)}")))
        return EXIT_ERROR
    path = store.report_path(record.id)
    markdown = path.read_text(encoding="utf-8", errors="replace") if path.exists() else render_report(record)
    console.print(Markdown(visible(markdown)))  # a report written by an older version may hold raw escapes
    return EXIT_OK


def _bank_paths() -> list[Path]:
    """The configured extra packs; `Settings` (pydantic, ~0.1 s to import) is read only when some are set."""
    if not config_file.is_set("bank_paths"):
        return []
    from interviewer.settings import load_settings

    return load_settings().bank_paths


def _progress_data(db: sqlite3.Connection):
    from datetime import UTC, datetime

    from interviewer.bank.files import BankError
    from interviewer.bank.outline import bank_outline
    from interviewer.practice.progress import progress_data

    try:
        bank = bank_outline(_bank_paths())
    except BankError:
        bank = {}  # then nothing is suggested to drill
    return progress_data(db, bank, datetime.now(UTC))


def show_progress(transcripts_dir: Path | None, html: Path | None = None) -> int:
    """Tables and terminal charts of the scores over time, item mastery and what to work on next (`html`: a page)."""
    from interviewer.practice.empty import no_history
    from interviewer.ui.progress_charts import html_page, terminal_charts

    console = make_console()
    store = _store(transcripts_dir)
    db = _history(store, console)
    by_topic = queries.topic_progress(db)
    if not by_topic:
        sessions, broken = queries.session_count(db), len(queries.broken_sessions(db))
        console.print(no_history(store.root, sessions, broken), markup=False, soft_wrap=True)
        return EXIT_ERROR if broken else EXIT_OK
    topics = Table(title="Progress by topic (oldest → newest, compared within one grader)")
    for column in ("Topic", "Grader", "Answers", "First", "Latest", "Average", "Trend"):
        topics.add_column(column)
    for topic in by_topic:
        topics.add_row(
            Text(visible(topic.topic)),
            Text(visible(topic.grader)),
            str(topic.count),
            str(topic.first),
            str(topic.latest),
            str(round(topic.average)),
            f"{topic.latest - topic.first:+d}",
        )
    console.print(topics)
    items = Table(title="Weakest rubric items (average 0-3, compared within one grader)")
    for column in ("Question", "Rubric item", "Grader", "Times graded", "Average", "Latest"):
        items.add_column(column)
    for item in queries.weakest_items(db, WEAKEST_SHOWN):
        items.add_row(
            item.question_id,
            Text(visible(item.name)),
            Text(visible(item.grader)),
            str(item.count),
            f"{item.average:.1f}",
            str(item.latest),
        )
    console.print(items)
    data = _progress_data(db)
    console.print(Text.from_ansi(terminal_charts(data, min(console.width, 100))))
    mastery = " · ".join(f"{count} {state}" for state, count in data.mastery.items())
    console.print(f"Rubric items: {mastery}", markup=False)
    if data.next_up:
        console.print("Work on next:", style="bold")
        for n, item in enumerate(data.next_up, start=1):
            console.print(visible(f"{n}. {item.name} — {item.question_id} ({item.why})"), markup=False, soft_wrap=True)
        drill = printed_command("drill", transcripts_dir=store.root)
        console.print(f"Drill them with: {drill}", markup=False, soft_wrap=True)
    if html is not None:
        try:
            html.write_text(html_page(data), encoding="utf-8")
        except OSError as exc:
            console.print(f"Error: cannot write {html}: {exc.strerror}", markup=False)
            return EXIT_ERROR
        console.print(f"Wrote {html}", markup=False)
    return 0


def export_history(fmt: str, out: Path | None, transcripts_dir: Path | None) -> int:
    """One row per rubric item grade, to `out` or stdout."""
    console = make_console(stderr=True)
    rows = queries.export_rows(_history(_store(transcripts_dir), console))
    if out is None:
        try:
            write_export(rows, sys.stdout, fmt)
            sys.stdout.flush()
        except BrokenPipeError:  # the reader stopped early (`| head`): not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    try:
        with out.open("w", encoding="utf-8", newline="") as handle:
            count = write_export(rows, handle, fmt)
    except OSError as exc:
        console.print(f"[bold red]Error:[/] cannot write {out}: {exc.strerror}")
        return 1
    console.print(f"Wrote {count} item grades to {out}", markup=False)
    return 0


def rebuild_history(transcripts_dir: Path | None) -> int:
    """Recreate the store's history database from its sessions."""
    console = make_console()
    store = _store(transcripts_dir)
    path = database_path(store.root)
    try:
        remove_database(path)
    except OSError as exc:
        console.print(f"[bold red]Error:[/] cannot remove {path}: {exc.strerror}")
        return 1
    db, problem = open_history(store.root)
    if problem:
        console.print(f"[yellow]Note:[/] {problem}", markup=True)
    result = rebuild(db, store)
    console.print(
        f"Indexed {result.indexed} sessions from {store.root.resolve()} ({result.broken} do not load) into {path}",
        markup=False,
    )
    return 0
