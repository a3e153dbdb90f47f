"""The `interviewer` command line. Heavy modules are imported inside commands, so --help stays fast."""

from __future__ import annotations

import io
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from interviewer.exits import EPILOG, EXIT_ERROR, EXIT_OK, UserError

# bank.models.Level's values, spelled out so `--help` need not import pydantic (a test keeps them equal)
LEVELS = ("junior", "mid", "senior")


def _level(value: str | None) -> str | None:
    if value is not None and value not in LEVELS:
        raise typer.BadParameter(f"{value!r} is not a level; use one of {', '.join(LEVELS)}")
    return value


LEVEL_METAVAR = "[" + "|".join(LEVELS) + "]"

app = typer.Typer(
    name="interviewer",
    help="Mock Machine Learning Engineer interviews in the terminal: asked, followed up, graded.",
    epilog=EPILOG,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
bank_app = typer.Typer(help="Browse and check the question bank.", no_args_is_help=True)
config_app = typer.Typer(help="Show the effective configuration.", no_args_is_help=True)
review_app = typer.Typer(help="Review past sessions: list, show one, progress over time, export.")
history_app = typer.Typer(help="The history database that indexes the sessions.", no_args_is_help=True)
app.add_typer(bank_app, name="bank")
app.add_typer(config_app, name="config")
app.add_typer(review_app, name="review")
app.add_typer(history_app, name="history")

BankOpt = Annotated[
    list[Path] | None, typer.Option("--bank", help="Extra pack file or folder (repeatable).", show_default=False)
]
NoBuiltinOpt = Annotated[bool, typer.Option("--no-builtin", help="Use only the --bank packs, not the built-in bank.")]
DirOpt = Annotated[Path | None, typer.Option("--transcripts-dir", help="Where sessions are saved.", show_default=False)]
LevelOpt = Annotated[
    str | None, typer.Option("--level", "-l", callback=_level, metavar=LEVEL_METAVAR, help="Interview level.")
]
ModelOpt = Annotated[str | None, typer.Option("--model", help="Interviewer model (litellm string).")]
GraderModelOpt = Annotated[str | None, typer.Option("--grader-model", help="Grader model.")]
ApiBaseOpt = Annotated[str | None, typer.Option("--api-base", help="Base URL of an OpenAI-compatible server.")]


class Focus(StrEnum):
    weak = "weak"


class ExportFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


def _fail(message: str, code: int = EXIT_ERROR) -> typer.Exit:
    from rich.text import Text

    from interviewer.text.safe import visible
    from interviewer.ui.console import make_console

    make_console(stderr=True).print(Text.assemble(("Error: ", "bold red"), visible(message)))
    return typer.Exit(code)


def _version(value: bool) -> None:
    if not value:
        return
    from interviewer import __version__
    from interviewer.bank.loader import BankError, load_bank

    try:
        bank = f"bank {load_bank().version}"
    except BankError as exc:
        bank = f"bank unreadable: {str(exc).splitlines()[0]}"
    typer.echo(f"interviewer {__version__} · {bank}")
    raise typer.Exit(EXIT_OK)


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Mock Machine Learning Engineer interviews in the terminal: asked, followed up, graded."""
    from rich.text import Text

    from interviewer.config_file import config_warnings
    from interviewer.ui.console import make_console

    for warning in config_warnings():
        make_console(stderr=True).print(Text.assemble(("warning: ", "yellow"), warning))


@app.command()
def start(
    round: Annotated[
        str, typer.Option("--round", "-r", help="Round preset or round type (see `bank rounds`).")
    ] = "mixed",
    level: LevelOpt = None,
    questions: Annotated[int | None, typer.Option("--questions", "-n", min=1, help="Number of questions.")] = None,
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="Minutes for the whole session.")] = None,
    topic: Annotated[list[str] | None, typer.Option("--topic", "-t", help="Only these topics (repeatable).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed for question choice.")] = None,
    repeat: Annotated[
        bool, typer.Option("--repeat", help="Allow questions asked in your last 3 sessions (avoided by default).")
    ] = False,
    focus: Annotated[
        Focus | None, typer.Option("--focus", help="weak: fill the round from your weakest topics first.")
    ] = None,
    bank: BankOpt = None,
    no_builtin: NoBuiltinOpt = False,
    transcripts_dir: DirOpt = None,
    model: ModelOpt = None,
    grader_model: GraderModelOpt = None,
    api_base: ApiBaseOpt = None,
) -> None:
    """Start a new mock interview."""
    from interviewer.commands.interview import StartOptions, start_session

    code = start_session(
        StartOptions(
            round=round,
            level=level,
            questions=questions,
            time_limit=time_limit,
            topics=topic or [],
            seed=seed,
            repeat=repeat,
            focus_weak=focus is Focus.weak,
            bank=bank or [],
            builtin_bank=not no_builtin,
            transcripts_dir=transcripts_dir,
            model=model,
            grader_model=grader_model,
            api_base=api_base,
        )
    )
    raise typer.Exit(code)


@app.command()
def drill(
    count: Annotated[int, typer.Option("--questions", "-n", min=1, help="Number of questions.")] = 3,
    plan: Annotated[
        bool, typer.Option("--plan", help="Show what is due and why, and when the rest is; ask nothing.")
    ] = False,
    level: LevelOpt = None,
    bank: BankOpt = None,
    no_builtin: NoBuiltinOpt = False,
    transcripts_dir: DirOpt = None,
    model: ModelOpt = None,
    grader_model: GraderModelOpt = None,
    api_base: ApiBaseOpt = None,
) -> None:
    """Practise the rubric items you scored lowest, when they come due (spaced repetition per item)."""
    from interviewer.commands.drill import run_drill
    from interviewer.commands.interview import StartOptions

    options = StartOptions(
        level=level,
        bank=bank or [],
        builtin_bank=not no_builtin,
        transcripts_dir=transcripts_dir,
        model=model,
        grader_model=grader_model,
        api_base=api_base,
    )
    raise typer.Exit(run_drill(options, count=count, plan_only=plan))


@app.command()
def resume(
    session_id: Annotated[str | None, typer.Argument(help="Session id (default: the latest unfinished).")] = None,
    transcripts_dir: DirOpt = None,
    model: Annotated[
        str | None, typer.Option("--model", help="Switch the interviewer model ('offline' included).")
    ] = None,
    grader_model: Annotated[str | None, typer.Option("--grader-model", help="Switch the grader model.")] = None,
    api_base: Annotated[str | None, typer.Option("--api-base", help="Switch the OpenAI-compatible server.")] = None,
) -> None:
    """Continue a session with the settings it was started with (or switch them); re-grade fallback grades."""
    from interviewer.commands.interview import StartOptions, resume_session

    switch = StartOptions(model=model, grader_model=grader_model, api_base=api_base)
    raise typer.Exit(resume_session(session_id, transcripts_dir, switch))


@app.command()
def regrade(
    session_ids: Annotated[
        list[str] | None, typer.Argument(help="Session ids or prefixes.", show_default=False)
    ] = None,
    all_sessions: Annotated[bool, typer.Option("--all", help="Every session in the store.")] = False,
    grader_model: Annotated[
        str | None, typer.Option("--grader-model", help="Grade with this model (default: the recorded grader).")
    ] = None,
    pending: Annotated[
        bool,
        typer.Option(
            "--pending", help="Leave out answers already regraded by this grader against today's rubric (continue)."
        ),
    ] = False,
    max_cost: Annotated[
        float | None, typer.Option("--max-cost", min=0, help="Stop before the estimated spend passes this many $.")
    ] = None,
    transcripts_dir: DirOpt = None,
) -> None:
    """Grade stored answers again with the current bank and grader; the report shows old and new grades."""
    from interviewer.commands.regrade import regrade_sessions

    code = regrade_sessions(session_ids or [], all_sessions, grader_model, transcripts_dir, pending, max_cost)
    raise typer.Exit(code)


@app.command()
def grade(
    question: Annotated[str | None, typer.Option("--question", "-q", help="Question id to grade against.")] = None,
    answer_file: Annotated[
        Path | None, typer.Option("--answer-file", "-f", help="The answer text (default: stdin).")
    ] = None,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            help="Batch: YAML/JSON list of {question, answer, id?} (or .jsonl/.ndjson).",
            show_default=False,
        ),
    ] = None,
    bank: BankOpt = None,
    no_builtin: NoBuiltinOpt = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    grader_model: Annotated[str | None, typer.Option("--grader-model", help="Grader model.")] = None,
    api_base: Annotated[str | None, typer.Option("--api-base", help="Grader's OpenAI-compatible server.")] = None,
    jobs: Annotated[
        int | None, typer.Option("--jobs", "-j", min=1, max=64, help="Grading requests at a time (grader.jobs).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Append each result to this JSONL file; rerun to continue.")
    ] = None,
    max_cost: Annotated[
        float | None, typer.Option("--max-cost", min=0, help="Stop before the estimated spend passes this many $.")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Grade nothing if any entry is bad.")] = False,
    with_outline: Annotated[bool, typer.Option("--with-outline", help="Include the strong-answer outline.")] = False,
) -> None:
    """Grade written answers without an interview (one from a file or stdin, or a batch)."""
    from interviewer.commands.grade import GradeOptions, run_grade

    options = GradeOptions(
        question, answer_file, answers, tuple(bank or []), not no_builtin, as_json, grader_model, api_base,
        jobs, out, max_cost, strict, with_outline,
    )  # fmt: skip
    raise typer.Exit(run_grade(options))


@app.command()
def doctor(
    model: Annotated[str | None, typer.Option("--model", help="Check this interviewer model instead.")] = None,
    grader_model: Annotated[str | None, typer.Option("--grader-model", help="Check this grader model.")] = None,
    api_base: Annotated[str | None, typer.Option("--api-base", help="Base URL of an OpenAI-compatible server.")] = None,
) -> None:
    """Check the configured models: key present, endpoint reachable, a one-token call."""
    from interviewer.commands.doctor import run
    from interviewer.commands.interview import StartOptions, settings_for

    raise typer.Exit(run(settings_for(StartOptions(model=model, grader_model=grader_model, api_base=api_base))))


@app.command()
def calibrate(
    grader_model: Annotated[str | None, typer.Option("--grader-model", help="Grader model to calibrate.")] = None,
    api_base: Annotated[str | None, typer.Option("--api-base", help="Grader's OpenAI-compatible server.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, max=64, help="Requests at a time.")] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Only the first N answers (a quick check).")
    ] = None,
) -> None:
    """Measure a grader on the labelled calibration sets: ordering, bands, error, agreement, consistency."""
    from interviewer.commands.calibrate import run

    raise typer.Exit(run(grader_model, api_base, as_json=as_json, jobs=jobs, limit=limit))


@review_app.callback(invoke_without_command=True)
def review(
    ctx: typer.Context,
    transcripts_dir: DirOpt = None,
    all_sessions: Annotated[bool, typer.Option("--all", help="List every session, not only the newest.")] = False,
) -> None:
    """List past sessions (or use `review show ID`, `review progress`, `review export`)."""
    ctx.obj = transcripts_dir
    if ctx.invoked_subcommand is None:
        from interviewer.commands.review import LIST_LIMIT, list_sessions

        raise typer.Exit(list_sessions(transcripts_dir, None if all_sessions else LIST_LIMIT))


@review_app.command("show")
def review_show(
    ctx: typer.Context,
    session_id: Annotated[str | None, typer.Argument(help="Session id or prefix (default: latest).")] = None,
    transcripts_dir: DirOpt = None,
) -> None:
    """Show one session's report."""
    from interviewer.commands.review import show_session

    raise typer.Exit(show_session(session_id, transcripts_dir or ctx.obj))


@review_app.command("progress")
def review_progress(
    ctx: typer.Context,
    transcripts_dir: DirOpt = None,
    html: Annotated[
        Path | None,
        typer.Option("--html", help="Also write the charts as one self-contained page.", show_default=False),
    ] = None,
) -> None:
    """Scores by topic and by rubric item over time, as tables and charts; item mastery; what to work on next."""
    from interviewer.commands.review import show_progress

    raise typer.Exit(show_progress(transcripts_dir or ctx.obj, html))


@review_app.command("export")
def review_export(
    ctx: typer.Context,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv or jsonl.")] = ExportFormat.csv,
    out: Annotated[Path | None, typer.Option("--out", help="File to write (default: stdout).")] = None,
) -> None:
    """Write every rubric item grade (one row each) for other tools."""
    from interviewer.commands.review import export_history

    raise typer.Exit(export_history(fmt.value, out, ctx.obj))


@history_app.command("rebuild")
def history_rebuild(transcripts_dir: DirOpt = None) -> None:
    """Recreate the history database from the sessions (they stay the source of truth)."""
    from interviewer.commands.review import rebuild_history

    raise typer.Exit(rebuild_history(transcripts_dir))


@bank_app.command("list")
def bank_list(
    round: Annotated[str | None, typer.Option("--round", "-r", help="Only this round preset or type.")] = None,
    level: Annotated[
        str | None,
        typer.Option("--level", "-l", callback=_level, metavar=LEVEL_METAVAR, help="Only questions for this level."),
    ] = None,
    bank: BankOpt = None,
    no_builtin: NoBuiltinOpt = False,
) -> None:
    """List questions by round and difficulty."""
    from interviewer.commands.bank import list_questions

    raise typer.Exit(list_questions(round, level, bank or [], not no_builtin))


@bank_app.command("show")
def bank_show(question_id: str, bank: BankOpt = None, no_builtin: NoBuiltinOpt = False) -> None:
    """Show one question with its rubric, follow-ups and strong-answer outline."""
    from interviewer.commands.bank import show_question

    raise typer.Exit(show_question(question_id, bank or [], not no_builtin))


@bank_app.command("validate")
def bank_validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Pack files or folders (default: the bank).")] = None,
) -> None:
    """Check packs: schema errors name the file, question and field."""
    from interviewer.commands.bank import validate

    raise typer.Exit(validate(paths or []))


@bank_app.command("rounds")
def bank_rounds() -> None:
    """List the round presets."""
    from interviewer.commands.bank import list_rounds

    raise typer.Exit(list_rounds())


@config_app.command("show")
def config_show() -> None:
    """Print the merged configuration (keys masked) and where the config file lives."""
    from interviewer.commands.config import show

    raise typer.Exit(show())


def main() -> None:
    from interviewer.fast_exit import run

    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show "·" or "→" gets "?", not a traceback
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    run(_app)  # skips litellm's ~1 s teardown once everything is written (see fast_exit)


def _app() -> None:
    try:
        app()
    except UserError as exc:  # a config file or setting no command can run with
        raise SystemExit(_fail(str(exc)).exit_code) from None
