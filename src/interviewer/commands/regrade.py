"""`interviewer regrade`: grade stored answers again with today's bank and grader, as new `graded` events.

Every finished question of the sessions named goes through the batch runner, as `grade --answers` does:
`grader.jobs` requests at a time with one back-off gate, a progress bar on a terminal, a bad entry reported
by itself. Each grade is appended to its session's log as it arrives (a session is locked from its first new
grade to its last, then its views are written again), so a provider that keeps failing midway stops the run
with everything graded so far kept, and one line saying so. The earlier grades stay in the log; the report
shows the latest grade with the previous one beside it.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from interviewer.backends.base import GraderBackend
from interviewer.backends.registry import make_grader
from interviewer.bank.loader import BankError, load_bank
from interviewer.bank.models import Question
from interviewer.batch import Entry, Outcome, Result, Tally, run_batch
from interviewer.commands.grade import InputError, estimate_spend, progress_bar, spend_summary
from interviewer.commands.interview import (
    EXIT_ERROR,
    EXIT_PROVIDER,
    PreflightError,
    StartOptions,
    check_models,
    resumed_settings,
)
from interviewer.engine.state import QuestionRun
from interviewer.exits import EXIT_INTERRUPTED, EXIT_USAGE
from interviewer.grading.models import QuestionGrade, Usage
from interviewer.printed import printed_command
from interviewer.session import grade_run, graded
from interviewer.settings import GraderModelSettings, Settings, load_settings
from interviewer.text.plural import plural
from interviewer.transcripts.events import rubric_hash
from interviewer.transcripts.fold import Fold
from interviewer.transcripts.lock import SessionBusy
from interviewer.transcripts.record import SessionRecord
from interviewer.transcripts.store import SessionWriter, Store, StoreError


@dataclass(frozen=True)
class Answer:
    """One finished question of a stored session, to grade again."""

    session_id: str
    question: Question  # today's version when the bank still has it, else the session's snapshot
    run: QuestionRun
    level: str
    before: QuestionGrade | None


@dataclass
class _Open:
    writer: SessionWriter
    fold: Fold
    left: int  # answers of this session not written yet


@dataclass
class Regrade:
    """How the batch runner grades a stored answer (`grade`), and its sink: each new grade appended to its
    session's log (`write`), the session's views written after its last one.

    A session is opened (locked) at its first result; one that cannot be opened or written is skipped with
    its reason, and the rest go on."""

    store: Store
    answers: dict[str, Answer]  # by entry key
    say: Callable[[str], None]
    skipped: dict[str, str] = field(default_factory=dict)  # session id -> why
    touched: set[str] = field(default_factory=set)  # sessions given a new grade
    written: int = 0
    _backends: dict[str, str] = field(default_factory=dict)  # entry key -> the grader in charge of it
    _open: dict[str, _Open] = field(default_factory=dict)
    _count: Counter[str] = field(default_factory=Counter)  # answers to write per session

    def __post_init__(self) -> None:
        self._count.update(answer.session_id for answer in self.answers.values())

    def grade(self, entry: Entry, grader: GraderBackend) -> tuple[QuestionGrade, list[Usage]]:
        answer = self.answers[entry.key]
        self._backends[entry.key] = grader.name
        return grade_run(answer.question, answer.run, grader, level=answer.level)

    def done(self) -> set[str]:
        return set()  # a regrade grades everything asked for again

    def write(self, result: Result) -> None:
        answer = self.answers[result.entry.key]
        session = self._session(answer.session_id)
        if session is None:
            return
        if result.grade is not None:
            event = graded(
                answer.question,
                result.grade,
                result.usage,
                at=time.time(),
                reason="regrade",
                backend=self._backends[result.entry.key],
            )
            try:
                session.writer.append(event)
            except StoreError as exc:
                self._skip(answer.session_id, str(exc))
                return
            session.fold.apply(event)
            self.written += 1
            self.touched.add(answer.session_id)
            was = f"{answer.before.score}/100 ({answer.before.grader}) → " if answer.before else ""
            grade = result.grade
            self.say(f"  {answer.session_id} {answer.question.id}: {was}{grade.score}/100 ({grade.grader})")
        session.left -= 1
        if session.left == 0:
            self._finish(answer.session_id)

    def close(self) -> None:
        """Write the views of the sessions still open (a run that stopped early) and let go of them."""
        for session_id in list(self._open):
            self._finish(session_id)

    def _session(self, session_id: str) -> _Open | None:
        if session_id in self.skipped:
            return None
        if session_id not in self._open:
            try:
                writer, fold = self.store.open(session_id)
            except (StoreError, SessionBusy) as exc:
                self._skip(session_id, str(exc))
                return None
            self._open[session_id] = _Open(writer, fold, self._count[session_id])
        return self._open[session_id]

    def _skip(self, session_id: str, why: str) -> None:
        self.skipped[session_id] = why
        self.say(f"Skipped {session_id}: {why}")
        if (session := self._open.pop(session_id, None)) is not None:
            session.writer.close()

    def _finish(self, session_id: str) -> None:
        from interviewer.transcripts.report import render_report  # markdown rendering: only once a grade is in

        session = self._open.pop(session_id)
        try:
            record = session.fold.record
            self.store.save(record)
            if record.finished_at or self.store.report_path(session_id).exists():
                self.store.save_report(record, render_report(record))
        except StoreError as exc:
            self.skipped[session_id] = str(exc)
            self.say(f"Not saved {session_id}: {exc}")
        finally:
            session.writer.close()


class _Bank:
    """Today's questions for a session's packs, each set of packs loaded once."""

    def __init__(self) -> None:
        self._loaded: dict[tuple[str, ...], dict[str, Question]] = {}

    def questions(self, record: SessionRecord) -> dict[str, Question]:
        packs = tuple(p for p in record.options.bank_paths if Path(p).exists())
        if packs not in self._loaded:
            try:
                self._loaded[packs] = load_bank([Path(p) for p in packs], include_default=True).questions
            except BankError:
                self._loaded[packs] = {}
        return self._loaded[packs]


def answers_of(record: SessionRecord, today: dict[str, Question]) -> list[Answer]:
    runs = {run.question_id: run for run in record.engine.runs}
    return [
        Answer(
            record.id,
            today.get(question_id, record.question(question_id)),
            runs[question_id],
            record.options.level,
            record.grades.get(question_id),
        )
        for question_id in record.completed_ids()
    ]


def already_regraded(record: SessionRecord, answer: Answer, grader: str) -> bool:
    """Its latest grade is a regrade by `grader` against today's rubric that did not fall back: what
    `--pending` skips, so a run that stopped midway continues where it stopped."""
    history = record.grade_history(answer.question.id)
    if not history:
        return False
    grade, stamp = history[-1]
    current = stamp.reason == "regrade" and stamp.grader == grader and not grade.provisional
    return current and stamp.rubric_hash == rubric_hash(answer.question)


def _closing(outcomes: list[Outcome], regrade: Regrade, total: int, console: Console, max_cost: float | None) -> int:
    """One line: how many answers got a new grade, and when the run stopped early, why (the new grades stay)."""
    tally = Tally(total=total)
    for outcome in outcomes:
        for result in outcome.results:
            tally.add(result)
    spend = f" · {spend_summary(tally)}" if spend_summary(tally) else ""
    sessions = plural(len(regrade.touched), "session")
    done = f"regraded {plural(regrade.written, 'answer')} of {total} in {sessions}{spend}"
    stopped = next((o for o in outcomes if o.stopped), None)
    if stopped is None:
        console.print(done[0].upper() + done[1:], markup=False, soft_wrap=True)
        return EXIT_ERROR if regrade.skipped or tally.problems else 0
    why = "interrupted"
    if stopped.stopped == "provider":
        why = "the grader's provider kept failing"
    elif stopped.stopped == "max_cost":
        why = f"before --max-cost ${max_cost:g} would be passed"
    error = f" ({stopped.error})" if stopped.error else ""
    console.print(f"Stopped, {why}{error}: {done}; the new grades are kept.", markup=False, soft_wrap=True)
    return {"provider": EXIT_PROVIDER, "max_cost": EXIT_ERROR}.get(stopped.stopped or "", EXIT_INTERRUPTED)


def _batches(
    records: list[SessionRecord], settings: Settings, grader_model: str | None, pending: bool
) -> tuple[list[tuple[GraderModelSettings, list[Answer]]], int]:
    """The answers to grade, in session order, in one batch per grader (the recorded one, or --grader-model);
    and how many `pending` left out as already regraded."""
    bank, batches, names, current = _Bank(), {}, {}, 0
    for record in records:
        grader = resumed_settings(settings, record, StartOptions(grader_model=grader_model)).grader
        key, answers = grader.model_dump_json(), answers_of(record, bank.questions(record))
        if pending:
            name = names.setdefault(key, make_grader(grader).name)
            todo = [a for a in answers if not already_regraded(record, a, name)]
            current, answers = current + len(answers) - len(todo), todo
        batches.setdefault(key, (grader, []))[1].extend(answers)
    return [batch for batch in batches.values() if batch[1]], current


def regrade_sessions(
    refs: list[str],
    all_sessions: bool,
    grader_model: str | None,
    transcripts_dir: Path | None,
    pending: bool = False,
    max_cost: float | None = None,
) -> int:
    console = Console(highlight=False)

    def say(line: str) -> None:
        console.print(line, markup=False)  # ids and model text: never read as markup

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
    records, unreadable = [], []
    for session_id in ids:
        try:
            store.check_free(session_id)  # a session open elsewhere now would only have its new grades dropped
            records.append(store.load(session_id))
        except (StoreError, SessionBusy) as exc:
            unreadable.append(session_id)
            say(f"Skipped {session_id}: {exc}")
    batches, current = _batches(records, settings, grader_model, pending)
    if current:
        say(f"Left out {plural(current, 'answer')} already regraded by this grader against today's rubric.")
    try:
        check_models(*(grader for grader, _ in batches))
    except PreflightError as exc:
        console.print(f"[bold red]Cannot regrade:[/] {exc}")
        return EXIT_PROVIDER
    answers: dict[str, Answer] = {}
    plan: list[tuple[GraderModelSettings, list[Entry], Callable[[Entry], float] | None]] = []
    for grader, batch in batches:
        entries = [
            Entry(len(answers) + n, f"{a.session_id} {a.question.id}", a.question, "\n\n".join(a.run.answers()))
            for n, a in enumerate(batch, 1)
        ]
        answers.update((entry.key, answer) for entry, answer in zip(entries, batch, strict=True))
        try:
            estimate = None if grader.is_offline else estimate_spend(grader, entries, console, max_cost)
        except InputError as exc:
            console.print(f"[bold red]Error:[/] {exc}", highlight=False)
            return EXIT_USAGE
        plan.append((grader, entries, estimate))
    regrade = Regrade(store, answers, say)
    progress = progress_bar(console, len(answers))
    task = progress.add_task("regrading", total=len(answers), spend="") if progress else None

    def on_result(result: Result, tally: Tally) -> None:
        if progress is not None and task is not None:
            progress.update(task, advance=1, spend=spend_summary(tally))
        if result.problem is not None:
            say(f"{result.entry.id}: {result.problem}")

    outcomes: list[Outcome] = []
    with progress or nullcontext():
        try:
            for grader, entries, estimate in plan:
                spent = sum(o.tally.cost or 0.0 for o in outcomes)  # one budget for the whole run
                outcome = run_batch(
                    entries,
                    lambda gate, grader=grader: make_grader(grader, gate=gate),
                    jobs=grader.jobs,
                    grade_entry=regrade.grade,
                    sink=regrade,
                    on_result=on_result,
                    max_cost=None if max_cost is None or estimate is None else max_cost - spent,
                    estimate=estimate,
                )
                outcomes.append(outcome)
                if outcome.stopped:
                    break
        finally:
            regrade.close()
    code = _closing(outcomes, regrade, len(answers), console, max_cost)
    if any(outcome.stopped for outcome in outcomes):
        words = [*(["--all"] if all_sessions else refs), *(["--grader-model", grader_model] if grader_model else [])]
        again = printed_command("regrade", *words, "--pending", transcripts_dir=store.root)
        console.print(f"To grade the rest: {again}", markup=False, soft_wrap=True)
    return code or (EXIT_ERROR if unreadable else 0)
