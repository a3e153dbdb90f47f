"""`interviewer bank ...`: list, show, validate packs, list round presets."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from interviewer.bank.loader import Bank, BankError, load_bank, pack_files
from interviewer.bank.models import Question
from interviewer.bank.presets import presets, resolve
from interviewer.exits import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from interviewer.text.plural import plural
from interviewer.text.safe import visible
from interviewer.ui.console import make_console

WIDE_TABLE = 110  # columns from which `bank list` is a table; narrower terminals get a list, ids whole


def _console() -> Console:
    return make_console()


def _error(console: Console, message: str) -> None:
    console.print(Text.assemble(("Error: ", "bold red"), visible(message)))


def list_questions(round_name: str | None, level: str | None, extra: list[Path], builtin: bool) -> int:
    console = _console()
    try:
        bank = load_bank(extra, include_default=builtin)
        rounds = resolve(round_name).rounds if round_name else []
    except BankError as exc:
        _error(console, str(exc))
        return EXIT_ERROR
    except KeyError as exc:
        _error(console, str(exc).strip("'\""))
        return EXIT_USAGE
    chosen = [
        q for q in bank.questions.values() if (not rounds or q.round in rounds) and (not level or level in q.levels)
    ]
    chosen.sort(key=lambda q: (q.round.value, q.difficulty.rank, q.id))
    title = f"Question bank · {plural(len(chosen), 'question')}"
    if console.width >= WIDE_TABLE:
        console.print(_question_table(chosen, title, bank.version))
    else:
        _question_list(console, chosen, title, bank.version)
    return EXIT_OK


def _levels(q: Question) -> str:
    return "".join(level[0].upper() for level in q.levels)


def _question_table(chosen: list[Question], title: str, version: str) -> Table:
    table = Table(title=title, caption=f"bank {visible(version)}", expand=True)
    table.add_column("Round", no_wrap=True)
    table.add_column("Diff.", no_wrap=True)
    table.add_column("Id", no_wrap=True, min_width=max((len(q.id) for q in chosen), default=2))
    table.add_column("Levels", no_wrap=True)
    table.add_column("Question", ratio=1)
    for q in chosen:
        table.add_row(q.round.value.replace("_", " "), q.difficulty.value, q.id, _levels(q), Text(visible(q.question)))
    return table


def _question_list(console: Console, chosen: list[Question], title: str, version: str) -> None:
    """The narrow-terminal layout: a heading per round, each id whole on its own line, the question below."""
    console.print(Text(title, style="bold"))
    current = None
    for q in chosen:
        if q.round != current:
            current = q.round
            console.print(Text(f"\n{q.round.value.replace('_', ' ')}", style="bold underline"))
        console.print(Text.assemble((q.id, "bold"), f"  {q.difficulty.value} · {_levels(q)}"))
        console.print(Padding(Text(visible(q.question)), (0, 0, 0, 4)))
    console.print(Text(f"\nbank {visible(version)}", style="dim"))


def show_question(question_id: str, extra: list[Path], builtin: bool) -> int:
    console = _console()
    try:
        q = load_bank(extra, include_default=builtin).get(question_id)
    except BankError as exc:
        _error(console, str(exc))
        return EXIT_ERROR
    console.print(
        Text.assemble(
            (q.id, "bold"),
            f" · {q.round.value} · {q.difficulty.value} · {', '.join(q.levels)} · {q.time_budget_s}s · "
            f"source {visible(q.source or '—')}",
        )
    )
    console.print(Text(f"\n{visible(q.question)}\n"))
    table = Table(title="What they look for")
    for column in ("Item", "Weight", "Signals"):
        table.add_column(column)
    for item in q.rubric:
        table.add_row(Text(visible(item.name)), str(item.weight), Text(visible(", ".join(item.signals))))
    if q.rubric:
        console.print(table)
    for flag in q.red_flags:
        console.print(Text.assemble(("Red flag: ", "red"), visible(flag.text)))
    for f in q.follow_ups:
        console.print(
            Text.assemble(("Follow-up ", "cyan"), f"{f.id} ({f.strategy.value} → {f.targets}): {visible(f.prompt)}")
        )
    if q.strong_answer:
        console.print(Text("\nStrong answer outline", style="bold"))
        for line in q.strong_answer:
            console.print(Text(f"  • {visible(line)}"))
    if q.plain_answer:
        console.print(Text("\nThe same in plain words", style="bold"))
        for line in q.plain_answer:
            console.print(Text(f"  • {visible(line)}"))
    if q.reference_answer:
        console.print(Text("\nReference answer", style="bold"))
        console.print(Text(visible(q.reference_answer)))
    if q.examples:
        console.print(Text("\nMarked answers", style="bold"))
        for example in q.examples:
            mark = ("accepted: ", "green") if example.accepted else ("rejected: ", "red")
            console.print(Text.assemble("  ", mark, visible(example.answer)))
    return EXIT_OK


def _builtin_clashes(bank: Bank) -> list[str]:
    """Ids in checked packs that the built-in bank also uses: such a pack loads only with --no-builtin."""
    builtin = load_bank()
    return [
        f"{bank.origins[qid]}: question {qid!r}: the built-in bank uses this id too "
        f"({builtin.origins[qid].name}): rename it, or use the pack only with --no-builtin"
        for qid in sorted(bank.questions.keys() & builtin.questions.keys())
        if bank.origins[qid].resolve() != builtin.origins[qid].resolve()
    ]


def validate(paths: list[Path]) -> int:
    console = _console()
    try:
        bank = load_bank(paths, include_default=not paths)
        clashes = _builtin_clashes(bank) if paths else []
    except BankError as exc:
        console.print(Text("Invalid bank", style="bold red"))
        console.print(Text(visible(str(exc))))
        return EXIT_ERROR
    from interviewer.bank.lint import lint

    problems = clashes + lint(bank)
    for problem in problems:
        console.print(Text.assemble(("warning: ", "yellow"), visible(problem)))
    files = len(pack_files(paths)) if paths else len(bank.files)
    console.print(
        Text.assemble(
            ("OK", "green"),
            f": {plural(len(bank.questions), 'question')} in {plural(files, 'file')}; "
            f"{plural(len(problems), 'warning')}.",
        )
    )
    return EXIT_OK


def list_rounds() -> int:
    console = _console()
    table = Table(title="Round presets")
    for column in ("Preset", "What", "Draws from", "Questions"):
        table.add_column(column)
    for preset in presets().values():
        source = " → ".join(preset.loop) if preset.loop else (", ".join(preset.rounds) or "any round")
        count = f"{preset.questions_per_round} per round" if preset.loop else str(preset.questions)
        table.add_row(preset.name, preset.description, source, count)
    console.print(table)
    return EXIT_OK
