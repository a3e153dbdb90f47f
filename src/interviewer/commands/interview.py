"""`start` and `resume`: build a session from settings, run it, print where everything went."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from interviewer import __version__
from interviewer.backends.base import BackendError, GraderBackend, InterviewerBackend
from interviewer.backends.registry import make_grader, make_interviewer
from interviewer.bank.loader import Bank, BankError, load_bank
from interviewer.bank.models import Level, Question
from interviewer.bank.presets import Preset, resolve
from interviewer.commands.preflight import preflight
from interviewer.engine.engine import Engine
from interviewer.engine.planner import History, PlanError, plan_loop, plan_questions
from interviewer.engine.state import SessionStatus
from interviewer.exits import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_PROVIDER, EXIT_USAGE
from interviewer.history import queries
from interviewer.history.index import open_index
from interviewer.printed import printed_command
from interviewer.prompts import prompt_hashes
from interviewer.session import Session
from interviewer.settings import ModelSettings, Settings, load_settings
from interviewer.text.plural import plural
from interviewer.text.redact import mask_url
from interviewer.text.safe import visible
from interviewer.transcripts.events import SettingsChanged, Started
from interviewer.transcripts.fold import Fold
from interviewer.transcripts.lock import SessionBusy
from interviewer.transcripts.record import (
    Engines,
    ModelRecord,
    RecordedSettings,
    SessionOptions,
    SessionRecord,
    utc_now,
)
from interviewer.transcripts.store import SessionWriter, Store, StoreError
from interviewer.ui.console import make_console
from interviewer.ui.terminal import InterviewIO, make_io

M = TypeVar("M", bound=ModelSettings)


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
    repeat: bool = False  # allow questions asked in the last sessions
    focus_weak: bool = False  # fill the round from the weakest topics first
    question_ids: list[str] = field(default_factory=list)  # a drill: exactly these questions, in this order
    focus: dict[str, list[str]] = field(default_factory=dict)  # a drill: the rubric items to aim follow-ups at


DRILL = Preset(name="drill", description="drill on the rubric items due for practice")
RECENT_SESSIONS = 3  # `start` avoids the questions of this many newest sessions unless --repeat
WEAK_TOPICS = 3  # `--focus weak` draws from this many weakest topics first


def _console() -> Console:
    return make_console()


def _error(console: Console, message: str, code: int = EXIT_ERROR) -> int:
    console.print(Text.assemble(("Error: ", "bold red"), visible(message)), soft_wrap=True)  # literal, one line
    return code


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


def candidate_history(store: Store, options: StartOptions) -> History:
    """What the history database says the planner should avoid or favour."""
    if options.repeat and not options.focus_weak:
        return History()
    db, _ = open_index(store)  # a database that cannot be used falls back to memory: the planner then knows nothing
    try:
        recent = frozenset() if options.repeat else frozenset(queries.recent_question_ids(db, RECENT_SESSIONS))
        weak = tuple(queries.weakest_topics(db, WEAK_TOPICS)) if options.focus_weak else ()
    finally:
        db.close()
    return History(recent=recent, weak_topics=weak)


def _plan(
    bank: Bank, preset: Preset, level: str, options: StartOptions, history: History
) -> tuple[list[Question], list[str] | None]:
    if options.question_ids:
        return [bank.questions[q] for q in options.question_ids], None
    if preset.loop:
        return plan_loop(
            bank.questions.values(),
            [(name, resolve(name).rounds) for name in preset.loop],
            level=level,
            per_round=options.questions or preset.questions_per_round,
            topics=options.topics or None,
            seed=options.seed,
            history=history,
        )
    plan = plan_questions(
        bank.questions.values(),
        rounds=preset.rounds,
        level=level,
        count=options.questions or preset.questions,
        topics=options.topics or None,
        seed=options.seed,
        history=history,
    )
    return plan, None


class PreflightError(Exception):
    """The configured model cannot work as set up (missing key, local server down): nothing was created."""


def recorded_settings(settings: Settings) -> RecordedSettings:
    def record(model: ModelSettings) -> ModelRecord:
        values = model.model_dump(include=set(ModelRecord.model_fields))
        return ModelRecord(**{**values, "api_base": mask_url(model.api_base)})

    return RecordedSettings(interviewer=record(settings.interviewer), grader=record(settings.grader))


def _restore(current: M, recorded: ModelRecord, *, complete: bool) -> M:
    """`current` with the recorded values put back (a masked api_base keeps the configured one it masks)."""
    values = recorded.model_dump() if complete else {"model": recorded.model}
    nullable = {"model", "api_base", "temperature", "max_tokens"}
    update = {k: v for k, v in values.items() if k in type(current).model_fields and (v is not None or k in nullable)}
    if recorded.api_base and recorded.api_base == mask_url(current.api_base):
        update["api_base"] = current.api_base
    return current.model_copy(update=update)


def resumed_settings(settings: Settings, record: SessionRecord, switch: StartOptions) -> Settings:
    """The recorded settings of `record`, then the switches given to `resume` (same meaning as for `start`)."""
    recorded = record.settings
    interviewer = _restore(settings.interviewer, recorded.interviewer, complete=recorded.complete)
    grader = _restore(settings.grader, recorded.grader, complete=recorded.complete)
    if switch.model is not None:
        interviewer = interviewer.model_copy(update={"model": switch.model})
        grader = grader.model_copy(update={"model": switch.grader_model or switch.model})
    elif switch.grader_model is not None:
        grader = grader.model_copy(update={"model": switch.grader_model})
    if switch.api_base is not None:
        interviewer = interviewer.model_copy(update={"api_base": switch.api_base})
        grader = grader.model_copy(update={"api_base": switch.api_base})
    return settings.model_copy(update={"interviewer": interviewer, "grader": grader})


def check_models(*models: ModelSettings) -> None:
    if problem := preflight(*models):
        raise PreflightError(problem)


def prepare_session(options: StartOptions, io: InterviewIO) -> tuple[Session, Preset]:
    """A new session, its `started` event saved, ready to run.

    Raises BankError, PlanError, KeyError, ValueError, PreflightError or StoreError."""
    settings = settings_for(options)
    bank = load_bank(settings.bank_paths, include_default=options.builtin_bank)
    preset = DRILL if options.question_ids else resolve(options.round)
    level = Level(settings.level).value
    store = Store(settings.transcripts_dir)
    history = History() if options.question_ids else candidate_history(store, options)
    plan, segments = _plan(bank, preset, level, options, history)
    check_models(settings.interviewer, settings.grader)
    interviewer = make_interviewer(settings.interviewer)
    grader = make_grader(settings.grader)
    now = time.time()
    engine = Engine.new(
        plan,
        level=level,
        now=now,
        max_follow_ups=settings.max_follow_ups,
        time_limit_s=round(options.time_limit * 60) if options.time_limit else None,
        segments=segments,
        focus=options.focus,
    )

    def started(session_id: str) -> Started:
        return Started(
            at=now,
            id=session_id,
            app_version=__version__,
            created_at=utc_now(),
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
            settings=recorded_settings(settings),
            prompt_hashes=prompt_hashes(),
            bank_version=bank.version,
            bank_hash=bank.digest,
            questions=plan,
            engine=engine.state,
        )

    writer, first = store.create(started)
    return Session(Fold(first), writer, interviewer, grader, store, io), preset


def start_session(options: StartOptions) -> int:
    console = _console()
    try:
        session, preset = prepare_session(options, make_io(console))
    except PreflightError as exc:
        console.print(f"[bold red]Cannot start:[/] {escape(str(exc))}\nNo session was created.", markup=True)
        return EXIT_PROVIDER
    except StoreError as exc:
        return _error(console, str(exc), EXIT_ERROR)
    except BankError as exc:
        return _error(console, str(exc))
    except (PlanError, KeyError, ValueError) as exc:  # an unknown round, level or topic on the command line
        return _error(console, str(exc).strip("'\""), EXIT_USAGE)
    record, store = session.record, session.store
    console.print(
        f"[bold]interviewer[/] · {preset.description} · {record.options.level} · "
        f"{plural(len(record.questions), 'question')}"
        + (f" in {len(preset.loop)} rounds" if preset.loop else "")
        + "\n"
        f"[dim]Interviewer: {record.engines.interviewer} · Grader: {record.engines.grader} · "
        f"Saving to {store.folder(record.id).resolve()}[/]"
    )
    return _run(session, console, resumed=False)


def _open(store: Store, session_id: str | None) -> tuple[SessionWriter, Fold]:
    if session_id is None:
        latest = store.latest_unfinished()
        if latest is None:
            raise StoreError(f"no unfinished session in {store.root.resolve()}; start one with `interviewer start`")
        session_id = latest.id
    return store.open(session_id)


def resume_session(session_id: str | None, transcripts_dir: Path | None, switch: StartOptions | None = None) -> int:
    """Continue a session with its recorded settings (or the ones `switch` names, recorded as an event)."""
    console = _console()
    settings = load_settings(transcripts_dir=transcripts_dir)
    store = Store(settings.transcripts_dir)
    try:
        writer, fold = _open(store, session_id)
    except (StoreError, SessionBusy) as exc:
        return _error(console, str(exc), EXIT_ERROR)
    record = fold.record
    session_settings = resumed_settings(settings, record, switch or StartOptions())
    try:
        check_models(session_settings.interviewer, session_settings.grader)
        interviewer = make_interviewer(session_settings.interviewer)
        grader = make_grader(session_settings.grader)
    except (PreflightError, ValueError) as exc:
        writer.close()
        console.print(f"[bold red]Cannot resume:[/] {exc}\nNothing was changed.", markup=True)
        return EXIT_PROVIDER
    session = Session(fold, writer, interviewer, grader, store, make_io(console))
    finished = record.status is SessionStatus.finished
    to_grade = [q for q in record.completed_ids() if q not in record.grades or record.grades[q].provisional]
    if finished and not to_grade and store.report_path(record.id).exists():
        session.close()
        return _error(
            console, f"session {record.id} is already finished; see `{_command(store, 'review', 'show', record.id)}`"
        )
    try:
        _record_switch(session, interviewer, grader, recorded_settings(session_settings))
        if finished:
            if to_grade:
                console.print(f"[bold]Grading again[/] {len(to_grade)} answer(s) of {record.id}: {', '.join(to_grade)}")
            session.finish()
            session.close()
            return _summary(console, session, store)
    except StoreError as exc:
        session.close()
        return _saving_failed(console, exc)
    answered = sum(len(r.answers()) for r in record.engine.runs)
    console.print(
        f"[bold]Resuming[/] {record.id} · {answered} answers kept · {record.engines.interviewer} · "
        f"saving to {store.folder(record.id).resolve()}"
    )
    return _run(session, console, resumed=True)


def _record_switch(
    session: Session, interviewer: InterviewerBackend, grader: GraderBackend, settings: RecordedSettings
) -> None:
    engines = Engines(interviewer=interviewer.name, grader=grader.name, offline=interviewer.offline)
    record = session.record
    if engines != record.engines or settings != record.settings:
        session.emit(SettingsChanged(at=session.clock(), engines=engines, settings=settings))


def _command(store: Store, *words: str) -> str:
    """A command to print for the user that works as printed (markup-escaped)."""
    return escape(printed_command(*words, transcripts_dir=store.root))


def _saving_failed(console: Console, exc: StoreError) -> int:
    fallback = getattr(exc, "fallback", None)
    kept = f"\nYour last answer was not saved in the session; it is in {fallback}" if fallback else ""
    return _error(console, f"{exc}{kept}", EXIT_ERROR)


def _run(session: Session, console: Console, *, resumed: bool) -> int:
    store = session.store
    session.interviewer.warm()
    session.io.attach(session.interviewer, session.grader.name, session.record.engine)
    try:
        record = session.run(resumed=resumed)
    except BackendError as exc:
        console.print(
            f"\n[bold red]Model provider problem:[/] {exc}\nEvery answer so far is saved. Once it is fixed, "
            f"continue with [bold]{_command(store, 'resume', session.record.id)}[/]",
            soft_wrap=True,
        )
        return EXIT_PROVIDER
    except StoreError as exc:
        return _saving_failed(console, exc)
    except KeyboardInterrupt:
        console.print(
            f"\n[yellow]Interrupted.[/] Every answer so far is saved. Continue with "
            f"[bold]{_command(store, 'resume', session.record.id)}[/]",
            soft_wrap=True,
        )
        return EXIT_INTERRUPTED
    if record.status is not SessionStatus.finished:
        console.print(
            f"\nSaved in {escape(str(store.folder(record.id).resolve()))}. "
            f"Continue with [bold]{_command(store, 'resume', record.id)}[/]",
            soft_wrap=True,
        )
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
        table.add_row(str(n), question_id, f"{grade.score}/100", Text(visible("; ".join(grade.missing[:2]) or "—")))
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
        f"Read it with: {_command(store, 'review', 'show', record.id)}",
        soft_wrap=True,  # paths and commands stay whole, to copy and paste
    )
    return 0
