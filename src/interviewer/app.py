"""`start` and `resume`: build a session from settings, run it, print where everything went."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from interviewer import __version__
from interviewer.backends.base import BackendError
from interviewer.backends.registry import make_grader, make_interviewer
from interviewer.bank.loader import Bank, BankError, load_bank
from interviewer.bank.models import Level, Question
from interviewer.bank.presets import Preset, resolve
from interviewer.engine.engine import Engine
from interviewer.engine.planner import PlanError, plan_loop, plan_questions
from interviewer.engine.state import SessionStatus
from interviewer.prompts import prompt_hashes
from interviewer.session import Session
from interviewer.settings import Settings, load_settings
from interviewer.transcripts.record import Engines, SessionOptions, SessionRecord
from interviewer.transcripts.store import Store, StoreError, new_session_id
from interviewer.ui.terminal import InterviewIO, make_io

EXIT_INTERRUPTED = 130
EXIT_PROVIDER = 3


@dataclass
class StartOptions:
    round: str = "mixed"
    level: str | None = None
    questions: int | None = None
    time_limit: float | None = None
    topics: list[str] = field(default_factory=list)
    seed: int | None = None
    bank: list[Path] = field(default_factory=list)
    builtin_bank: bool = True
    transcripts_dir: Path | None = None
    model: str | None = None
    grader_model: str | None = None
    api_base: str | None = None


def _console() -> Console:
    return Console(highlight=False)


def _error(console: Console, message: str) -> int:
    console.print(f"[bold red]Error:[/] {message}", markup=True)
    return 2


def settings_for(options: StartOptions) -> Settings:
    model_flags = {"model": options.model, "api_base": options.api_base}
    grader_flags = {"model": options.grader_model or options.model, "api_base": options.api_base}
    return load_settings(
        level=options.level,
        transcripts_dir=options.transcripts_dir,
        bank_paths=options.bank or None,
        interviewer=model_flags,
        grader=grader_flags,
    )


def _plan(bank: Bank, preset: Preset, level: str, options: StartOptions) -> tuple[list[Question], list[str] | None]:
    if preset.loop:
        return plan_loop(
            bank.questions.values(),
            [(name, resolve(name).rounds) for name in preset.loop],
            level=level,
            per_round=options.questions or preset.questions_per_round,
            topics=options.topics or None,
            seed=options.seed,
        )
    plan = plan_questions(
        bank.questions.values(),
        rounds=preset.rounds,
        level=level,
        count=options.questions or preset.questions,
        topics=options.topics or None,
        seed=options.seed,
    )
    return plan, None


def prepare_session(options: StartOptions, io: InterviewIO) -> tuple[Session, Preset]:
    """A new, saved session ready to run. Raises BankError, PlanError, KeyError or ValueError."""
    settings = settings_for(options)
    bank = load_bank(settings.bank_paths, include_default=options.builtin_bank)
    preset = resolve(options.round)
    level = Level(settings.level).value
    plan, segments = _plan(bank, preset, level, options)
    interviewer = make_interviewer(settings.interviewer)
    grader = make_grader(settings.grader)
    engine = Engine.new(
        plan,
        level=level,
        now=time.time(),
        max_follow_ups=settings.max_follow_ups,
        time_limit_s=round(options.time_limit * 60) if options.time_limit else None,
        segments=segments,
    )
    record = SessionRecord(
        id=new_session_id(),
        app_version=__version__,
        options=SessionOptions(
            round=preset.name,
            level=level,
            count=len(plan),
            seed=options.seed,
            topics=options.topics,
            bank_paths=[str(p) for p in settings.bank_paths],
            time_limit_min=options.time_limit,
        ),
        engines=Engines(interviewer=interviewer.name, grader=grader.name, offline=interviewer.offline),
        prompt_hashes=prompt_hashes(),
        bank_version=bank.version,
        questions=plan,
        engine=engine.state,
    )
    store = Store(settings.transcripts_dir)
    store.save(record)
    return Session(record, interviewer, grader, store, io), preset


def start_session(options: StartOptions) -> int:
    console = _console()
    try:
        session, preset = prepare_session(options, make_io(console))
    except (BankError, PlanError, KeyError, ValueError) as exc:
        return _error(console, str(exc).strip("'\""))
    record, store = session.record, session.store
    console.print(
        f"[bold]interviewer[/] · {preset.description} · {record.options.level} · {len(record.questions)} questions"
        + (f" in {len(preset.loop)} rounds" if preset.loop else "")
        + "\n"
        f"[dim]Interviewer: {record.engines.interviewer} · Grader: {record.engines.grader} · "
        f"Saving to {store.folder(record.id).resolve()}[/]"
    )
    return _run(session, console, resumed=False)


def resume_session(session_id: str | None, transcripts_dir: Path | None) -> int:
    console = _console()
    settings = load_settings(transcripts_dir=transcripts_dir)
    store = Store(settings.transcripts_dir)
    try:
        record = store.load(session_id) if session_id else store.latest_unfinished()
    except StoreError as exc:
        return _error(console, str(exc))
    if record is None:
        return _error(console, f"no unfinished session in {store.root.resolve()}; start one with `interviewer start`")
    interviewer = make_interviewer(settings.interviewer.model_copy(update={"model": _model_of(record, "interviewer")}))
    grader = make_grader(settings.grader.model_copy(update={"model": _model_of(record, "grader")}))
    session = Session(record, interviewer, grader, store, make_io(console))
    if record.status is SessionStatus.finished:
        if not store.report_path(record.id).exists():
            session.finish()
            return _summary(console, session, store)
        return _error(console, f"session {record.id} is already finished; see `interviewer review show {record.id}`")
    answered = sum(len(r.answers()) for r in record.engine.runs)
    console.print(
        f"[bold]Resuming[/] {record.id} · {answered} answers kept · saving to {store.folder(record.id).resolve()}"
    )
    return _run(session, console, resumed=True)


def _model_of(record: SessionRecord, role: str) -> str | None:
    name = getattr(record.engines, role)
    return None if name == "offline" else name


def _run(session: Session, console: Console, *, resumed: bool) -> int:
    store = session.store
    session.interviewer.warm()
    try:
        record = session.run(resumed=resumed)
    except BackendError as exc:
        console.print(
            f"\n[bold red]Model provider problem:[/] {exc}\nEvery answer so far is saved. Once it is fixed, "
            f"continue with [bold]interviewer resume {session.record.id}[/]"
        )
        return EXIT_PROVIDER
    except KeyboardInterrupt:
        console.print(
            f"\n[yellow]Interrupted.[/] Every answer so far is saved. Continue with "
            f"[bold]interviewer resume {session.record.id}[/]"
        )
        return EXIT_INTERRUPTED
    if record.status is not SessionStatus.finished:
        console.print(f"\nSaved. Continue with [bold]interviewer resume {record.id}[/]")
        return 0
    return _summary(console, session, store)


def _summary(console: Console, session: Session, store: Store) -> int:
    record = session.record
    table = Table(title="Your scores", show_lines=False)
    table.add_column("#", justify="right")
    table.add_column("Question")
    table.add_column("Score", justify="right")
    table.add_column("Missing or thin")
    for n, question_id in enumerate(record.completed_ids(), start=1):
        grade = record.grades[question_id]
        table.add_row(str(n), question_id, f"{grade.score}/100", "; ".join(grade.missing[:2]) or "—")
    console.print(table)
    overall = record.overall_score()
    prompt_tokens, completion_tokens, cost = record.token_totals()
    cost_text = f" · cost ${cost:.4f}" if cost is not None else ""
    console.print(f"Overall: [bold]{overall if overall is not None else '—'}/100[/]")
    if fell_back := ", ".join(q for q, g in record.grades.items() if g.provisional):
        console.print(f"[yellow]Graded offline:[/] the grader's provider failed for {fell_back} (see transcript.json)")
    if prompt_tokens or completion_tokens:
        console.print(f"Tokens: {prompt_tokens} in / {completion_tokens} out{cost_text}")
    console.print(
        f"Transcript: {store.transcript_path(record.id).resolve()}\n"
        f"Report:     {store.report_path(record.id).resolve()}\n"
        f"Read it with: interviewer review show {record.id}"
    )
    return 0
