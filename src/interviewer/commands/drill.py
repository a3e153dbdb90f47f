"""`interviewer drill`: the rubric items due for practice, shown (`--plan`) or asked as a short session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from interviewer.bank.loader import BankError, load_bank
from interviewer.bank.outline import outline_of
from interviewer.commands.interview import StartOptions, settings_for, start_session
from interviewer.exits import EXIT_ERROR, EXIT_OK
from interviewer.history import queries
from interviewer.history.index import open_index
from interviewer.practice.empty import no_history
from interviewer.practice.plan import DrillPlan, plan_drill
from interviewer.practice.schedule import ItemSchedule, build_schedule
from interviewer.text.plural import plural
from interviewer.text.safe import visible
from interviewer.transcripts.store import Store
from interviewer.ui.console import make_console

LATER_SHOWN = 8  # items `drill --plan` lists under "Later"; the rest are counted


def due_in(when: datetime, now: datetime) -> str:
    """`now`, or how long until `when`, in the largest whole unit."""
    left = when - now
    if left <= timedelta(0):
        return "now"
    for unit, size in (("day", 86400), ("h", 3600), ("min", 60)):
        if left.total_seconds() >= size:
            amount = int(left.total_seconds() // size)
            return f"in {plural(amount, unit) if unit == 'day' else f'{amount} {unit}'}"
    return "in under a minute"


def _item_row(item: ItemSchedule, now: datetime) -> list[Text | str]:
    return [item.question_id, Text(visible(item.name)), item.why(), due_in(item.due, now)]


def show_plan(console: Console, plan: DrillPlan, now: datetime) -> None:
    if plan.chosen:
        due = sum(i.is_due(now) for d in plan.chosen for i in d.focus)
        title = f"Next drill: {plural(due, 'item')} due now" if due else "Next drill: nothing is due, the weakest items"
        table = Table(title=title, box=box.SIMPLE_HEAD)
        for column in ("Question", "Rubric item", "Why", "Due"):
            table.add_column(column)
        for drill in plan.chosen:
            for item in drill.focus:
                table.add_row(*_item_row(item, now))
        console.print(table)
    else:
        console.print("Nothing to drill: every question you were graded on has left the bank.")
    if plan.later:
        table = Table(title="Later (soonest first)", box=box.SIMPLE_HEAD)
        for column in ("Question", "Rubric item", "Why", "Due"):
            table.add_column(column)
        for item in plan.later[:LATER_SHOWN]:
            table.add_row(*_item_row(item, now))
        console.print(table)
        if rest := plan.later[LATER_SHOWN:]:
            console.print(f"…and {plural(len(rest), 'more item')}, the last due {due_in(rest[-1].due, now)}.")
    if plan.removed:
        console.print(Text(visible(f"Skipped (no longer in the bank, schedule kept): {', '.join(plan.removed)}")))


def run_drill(options: StartOptions, *, count: int, plan_only: bool, now: datetime | None = None) -> int:
    console = make_console()
    settings = settings_for(options)
    store = Store(settings.transcripts_dir)
    db, notes = open_index(store)
    for note in notes:
        console.print(Text.assemble(("Note: ", "yellow"), visible(note)))
    reviews = queries.item_reviews(db)
    if not reviews:
        sessions, broken = queries.session_count(db), len(queries.broken_sessions(db))
        console.print(no_history(store.root, sessions, broken), markup=False, soft_wrap=True)
        return EXIT_ERROR
    try:
        bank = load_bank(settings.bank_paths, include_default=options.builtin_bank)
    except BankError as exc:
        console.print(Text.assemble(("Error: ", "bold red"), visible(str(exc))))
        return EXIT_ERROR
    now = now or datetime.now(UTC)
    plan = plan_drill(build_schedule(reviews).values(), outline_of(bank.questions.values()), now=now, count=count)
    if plan_only or not plan.chosen:
        show_plan(console, plan, now)
        return EXIT_OK if plan_only else EXIT_ERROR
    for drill in plan.chosen:
        aims = ", ".join(f"{i.name} ({i.why()})" for i in drill.focus)
        console.print(Text(visible(f"Drilling {drill.question_id}: {aims}")))
    options.question_ids = [d.question_id for d in plan.chosen]
    options.focus = plan.focus()
    return start_session(options)
