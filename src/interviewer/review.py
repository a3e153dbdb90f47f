"""`interviewer review`: past sessions, one report, progress by topic and rubric item."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from rich import box
from rich.markdown import Markdown
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from interviewer.exits import EXIT_ERROR, EXIT_OK
from interviewer.settings import load_settings
from interviewer.text.safe import visible
from interviewer.transcripts.report import render_report
from interviewer.transcripts.store import Store, StoreError
from interviewer.ui.console import make_console

WIDE_LIST = 100  # columns from which `review` also shows the grader


def _store(transcripts_dir: Path | None) -> Store:
    return Store(load_settings(transcripts_dir=transcripts_dir).transcripts_dir)


def list_sessions(transcripts_dir: Path | None) -> int:
    console = make_console()
    store = _store(transcripts_dir)
    records = store.all()
    if not records:
        console.print(f"No sessions yet in {store.root.resolve()}. Start one with `interviewer start`.")
        return 0
    wide = console.width >= WIDE_LIST
    table = Table(title=f"Sessions in {visible(str(store.root.resolve()))}", box=box.SIMPLE_HEAD)
    # The id is what `review show` and `resume` take: it never wraps or shortens; other columns give way.
    table.add_column("Session", no_wrap=True, min_width=max(len(r.id) for r in records))
    for column in ("Date (UTC)", "Round", "Done", "Score", "Status", *(["Grader"] if wide else [])):
        table.add_column(column)
    for r in sorted(records, key=lambda r: r.created_at, reverse=True):
        overall = r.overall_score()
        table.add_row(
            r.id,
            r.created_at[:16].replace("T", " "),
            Text(visible(f"{r.options.round.replace('_', ' ')} · {r.options.level}")),
            f"{len(r.completed_ids())}/{len(r.engine.plan)}",
            "—" if overall is None else str(overall),
            r.status.value,
            *([visible(r.engines.grader)] if wide else []),
        )
    console.print(table)
    return 0


def show_session(session_id: str | None, transcripts_dir: Path | None) -> int:
    console = make_console()
    store = _store(transcripts_dir)
    try:
        if session_id is None:
            records = store.all()
            if not records:
                console.print("No sessions yet.")
                return EXIT_ERROR
            record = max(records, key=lambda r: r.created_at)
        else:
            record = store.load(session_id)
    except StoreError as exc:
        console.print(f"[bold red]Error:[/] {escape(visible(str(exc)))}")
        return EXIT_ERROR
    path = store.report_path(record.id)
    markdown = path.read_text(encoding="utf-8", errors="replace") if path.exists() else render_report(record)
    console.print(Markdown(visible(markdown)))  # a report written by an older version may hold raw escapes
    return EXIT_OK


def show_progress(transcripts_dir: Path | None) -> int:
    console = make_console()
    records = sorted(_store(transcripts_dir).all(), key=lambda r: r.created_at)
    by_topic: dict[str, list[tuple[str, int]]] = defaultdict(list)
    by_item: dict[str, list[int]] = defaultdict(list)
    for record in records:
        day = record.created_at[:10]
        for question_id, grade in record.grades.items():
            by_topic[record.question(question_id).topic].append((day, grade.score))
            for item in grade.items:
                by_item[item.name].append(item.score)
    if not by_topic:
        console.print("No graded answers yet.")
        return 0
    topics = Table(title="Progress by topic (oldest → newest)")
    for column in ("Topic", "Answers", "First", "Latest", "Average", "Trend"):
        topics.add_column(column)
    for topic, scores in sorted(by_topic.items()):
        values = [s for _, s in scores]
        trend = values[-1] - values[0]
        topics.add_row(
            Text(visible(topic)),
            str(len(values)),
            str(values[0]),
            str(values[-1]),
            str(round(sum(values) / len(values))),
            f"{trend:+d}",
        )
    console.print(topics)
    items = Table(title="Weakest rubric items (average 0-3)")
    for column in ("Rubric item", "Times graded", "Average"):
        items.add_column(column)
    weakest = sorted(by_item.items(), key=lambda kv: sum(kv[1]) / len(kv[1]))[:15]
    for name, scores in weakest:
        items.add_row(Text(visible(name)), str(len(scores)), f"{sum(scores) / len(scores):.1f}")
    console.print(items)
    return 0
