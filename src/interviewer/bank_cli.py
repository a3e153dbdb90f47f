"""`interviewer bank ...`: list, show, validate packs, list round presets."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from interviewer.bank.loader import BankError, load_bank, pack_files
from interviewer.bank.presets import presets, resolve


def _console() -> Console:
    return Console(highlight=False)


def list_questions(round_name: str | None, level: str | None, extra: list[Path], builtin: bool) -> int:
    console = _console()
    try:
        bank = load_bank(extra, include_default=builtin)
        rounds = resolve(round_name).rounds if round_name else []
    except (BankError, KeyError) as exc:
        console.print(f"[bold red]Error:[/] {str(exc).strip(chr(39))}")
        return 2
    chosen = [
        q for q in bank.questions.values() if (not rounds or q.round in rounds) and (not level or level in q.levels)
    ]
    chosen.sort(key=lambda q: (q.round.value, q.difficulty.rank, q.id))
    table = Table(title=f"Question bank · {len(chosen)} questions", caption=f"bank {bank.version}", expand=True)
    table.add_column("Round", no_wrap=True)
    table.add_column("Diff.", no_wrap=True)
    table.add_column("Id", overflow="fold", ratio=2)
    table.add_column("Levels", no_wrap=True)
    table.add_column("Question", overflow="fold", ratio=5)
    for q in chosen:
        levels = "".join(level[0].upper() for level in q.levels)
        table.add_row(q.round.value.replace("_", " "), q.difficulty.value, q.id, levels, q.question)
    console.print(table)
    return 0


def show_question(question_id: str, extra: list[Path], builtin: bool) -> int:
    console = _console()
    try:
        q = load_bank(extra, include_default=builtin).get(question_id)
    except BankError as exc:
        console.print(f"[bold red]Error:[/] {exc}")
        return 2
    console.print(
        f"[bold]{q.id}[/] · {q.round.value} · {q.difficulty.value} · {', '.join(q.levels)} · "
        f"{q.time_budget_s}s · source {q.source or '—'}"
    )
    console.print(f"\n{q.question}\n", markup=False)
    table = Table(title="What they look for")
    for column in ("Item", "Weight", "Signals"):
        table.add_column(column, overflow="fold")
    for item in q.rubric:
        table.add_row(item.name, str(item.weight), ", ".join(item.signals))
    if q.rubric:
        console.print(table)
    for flag in q.red_flags:
        console.print(f"[red]Red flag:[/] {flag.text}", markup=True)
    for f in q.follow_ups:
        console.print(f"[cyan]Follow-up[/] {f.id} ({f.strategy.value} → {f.targets}): {f.prompt}")
    if q.strong_answer:
        console.print("\n[bold]Strong answer outline[/]")
        for line in q.strong_answer:
            console.print(f"  • {line}", markup=False)
    if q.reference_answer:
        console.print(f"\n[bold]Reference answer[/]\n{q.reference_answer}")
    return 0


def validate(paths: list[Path]) -> int:
    console = _console()
    try:
        bank = load_bank(paths, include_default=not paths)
    except BankError as exc:
        console.print(f"[bold red]Invalid bank[/]\n{exc}", markup=True)
        return 1
    from interviewer.bank.lint import lint

    problems = lint(bank)
    for problem in problems:
        console.print(f"[yellow]warning:[/] {problem}")
    files = len(pack_files(paths)) if paths else len(bank.files)
    console.print(f"[green]OK[/]: {len(bank.questions)} questions in {files} file(s); {len(problems)} warning(s).")
    return 0


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
    return 0
