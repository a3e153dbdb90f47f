"""Runs an interview: engine decisions, backend words, candidate input, grading, every step an event.

Each step is appended to the session's log (fsynced) and then applied through the fold, so the state
the interview goes on from is always the state a later `resume` rebuilds from the log.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from interviewer.backends.base import GraderBackend, InterviewerBackend, LineRequest, ThreadTurn
from interviewer.bank.models import Question
from interviewer.engine.actions import Action, Move
from interviewer.engine.commands import HELP_TEXT, parse_command
from interviewer.engine.engine import Engine
from interviewer.engine.state import QuestionRun, RunStatus
from interviewer.grading.assess import assess
from interviewer.grading.grade import grade_question
from interviewer.grading.models import QuestionGrade, Usage
from interviewer.grading.stronger import strengthen
from interviewer.prompts import render_line
from interviewer.transcripts.events import (
    Answered,
    Asked,
    CommandGiven,
    Event,
    Finished,
    Graded,
    Paused,
    Resumed,
    rubric_hash,
)
from interviewer.transcripts.fallback import keep_unsaved
from interviewer.transcripts.fold import Fold
from interviewer.transcripts.record import SessionRecord
from interviewer.transcripts.report import render_report
from interviewer.transcripts.store import SessionWriter, Store, StoreWriteError

if TYPE_CHECKING:  # the session drives whatever io it is given; the terminal is one of them
    from interviewer.ui.terminal import InterviewIO


class SaveFailed(StoreWriteError):
    """An event could not be saved; what it held was written to `fallback` (None if that failed too)."""

    def __init__(self, reason: str, fallback: Path | None) -> None:
        super().__init__(reason)
        self.fallback = fallback


def thread_of(run: QuestionRun) -> list[ThreadTurn]:
    return [ThreadTurn(role=t.role, text=t.text) for t in run.turns if t.command is None]


def grade_run(
    question: Question, run: QuestionRun, grader: GraderBackend, *, level: str | None = None
) -> tuple[QuestionGrade, list[Usage]]:
    """Grade a finished question's answers together (with the thread, the hints taken and a skip)."""
    return grade_question(
        question,
        run.answers(),
        grader,
        thread=thread_of(run),
        hints=run.charged_hints(),
        skipped=run.status is RunStatus.skipped,
        level=level,
    )


def graded(
    question: Question,
    grade: QuestionGrade,
    usage: list[Usage],
    *,
    at: float,
    reason: str,
    backend: str,
    notes: list[str] | None = None,
) -> Graded:
    """The event that records `grade`; `backend` is the grader in charge (a screened-out answer counts for it)."""
    return Graded(
        at=at,
        question_id=question.id,
        grader=grade.grader,
        path=grade.path,
        rubric_hash=rubric_hash(question),
        reason=reason,  # type: ignore[arg-type]
        grade=grade,
        usage=usage,
        backend=backend,
        notes=[f"{question.id}: {note}" for note in notes or []],
    )


def graded_event(
    question: Question, run: QuestionRun, grader: GraderBackend, *, at: float, reason: str, level: str | None = None
) -> Graded:
    """Grade a finished question's answers together, as the event that records the grade (and, on the LLM path,
    the grader's rewrite of the answer: grading/stronger.py; a regrade grades only)."""
    grade, usage = grade_run(question, run, grader, level=level)
    grade, rewrite_usage, notes = strengthen(question, grade, run.answers(), grader, level=level)
    return graded(question, grade, [*usage, *rewrite_usage], at=at, reason=reason, backend=grader.name, notes=notes)


class Session:
    def __init__(
        self,
        fold: Fold,
        writer: SessionWriter,
        interviewer: InterviewerBackend,
        grader: GraderBackend,
        store: Store,
        io: InterviewIO,
        *,
        clock: Callable[[], float] = time.time,
        grading_workers: int = 4,
    ) -> None:
        self.fold = fold
        self.writer = writer
        self.interviewer = interviewer
        self.grader = grader
        self.store = store
        self.io = io
        self.clock = clock
        self._pool = ThreadPoolExecutor(max_workers=grading_workers, thread_name_prefix="grade")
        self._grading: dict[str, Future[None]] = {}
        # Grading threads append grades while the interview goes on: every append and fold happens
        # under this lock, never around model calls or waiting for input.
        self._lock = threading.RLock()
        self._failed: SaveFailed | None = None
        self._closed = False

    @property
    def record(self) -> SessionRecord:
        return self.fold.record

    @property
    def engine(self) -> Engine:
        return self.fold.engine

    # -- the loop -------------------------------------------------------------------------------
    def run(self, *, resumed: bool = False) -> SessionRecord:
        """Run until the interview closes, pauses or input ends. Leaves the log closed and the views written."""
        try:
            self.regrade_provisional()
            if resumed:
                self.emit(Resumed(at=self.clock()))
            else:
                self.io.interviewer([self._greeting()])
            action = self.engine.pending
            repeat = self.engine.spoken_line() if resumed else None
            while True:
                if repeat is not None:  # said before the crash and in the log: show it again, record nothing
                    self.io.interviewer([repeat])
                    repeat = None
                else:
                    self._speak(action)
                if action.move is Move.close:
                    return self.finish()
                if action.move is Move.pause:
                    return self.record
                text = self.io.read_answer()
                if text is None:  # input ended: keep everything, resume later
                    self.emit(Paused(at=self.clock()))
                    return self.record
                action = self._take(text)
        finally:
            self._pool.shutdown(wait=True)
            self.close()

    def close(self) -> None:
        """Write the transcript view and let go of the session (its lock and log). Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._failed is None:
                self.store.save(self.record)
        finally:
            self.writer.close()

    def emit(self, event: Event, *, unsaved: str | None = None) -> None:
        """Append `event` to the log, then fold it in. On a failed write, `unsaved` goes to a fallback file."""
        with self._lock:
            try:
                self.writer.append(event)
            except StoreWriteError as exc:
                fallback = keep_unsaved(self.record.id, event.type, unsaved) if unsaved else None
                self._failed = SaveFailed(str(exc), fallback)
                raise self._failed from exc
            self.fold.apply(event)

    def _speak(self, action: Action) -> None:
        if action.completed:
            self._schedule_grading(action.completed)
        if action.new_round:
            self.io.round_break(action.new_round)
        usage: list[Usage] = []
        notes: list[str] = []
        if action.move is Move.help:
            text = "Commands: " + " · ".join(f"/{c.value}: {h}" for c, h in HELP_TEXT.items())
            self.io.info(text)
        else:
            question = self.engine.question
            request = LineRequest(
                action=action,
                question=question,
                thread=thread_of(self.engine.run),
                summary=self._summary(),
                level=self.record.options.level,
            )
            stream = self.interviewer.say(request)
            text = self.io.interviewer(stream)
            usage = list(stream.usage)
            notes = [f"{question.id}: {note}" for note in stream.notes]
        self.emit(Asked(at=self.clock(), text=text, action=action, usage=usage, notes=notes))

    def _take(self, text: str) -> Action:
        now = self.clock()
        text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")  # undecodable input: kept, marked
        parsed = parse_command(text)
        if parsed is not None:
            event = CommandGiven(at=now, command=parsed.command.value, argument=parsed.argument)
            self.emit(self.fold.with_decision(event), unsaved=text)
            return self.engine.pending
        question, run = self.engine.question, self.engine.run
        earlier = run.answers()
        assessment = assess(question, text, earlier=earlier, asked=self.engine.last_interviewer_line())
        covered: set[str] = set(assessment.covered)
        usage: list[Usage] = []
        notes: list[str] = []
        if assessment.gradable and not self.interviewer.offline:
            try:
                covered, usage = self.interviewer.covered_items(question, "\n\n".join([*earlier, text]))
            except Exception as exc:  # coverage only steers follow-ups: fall back, never lose the answer
                notes.append(f"coverage for {question.id} fell back to offline: {type(exc).__name__}")
        event = Answered(at=now, text=text, covered=sorted(covered), assessment=assessment, usage=usage, notes=notes)
        self.emit(self.fold.with_decision(event), unsaved=text)
        return self.engine.pending

    def _greeting(self) -> str:
        return render_line(
            "intro",
            round_name=self.record.options.round.replace("_", " "),
            level=self.record.options.level,
            total=len(self.engine.state.plan),
            engine=self.interviewer.description,
        )

    def _summary(self) -> str:
        state = self.engine.state
        done = len(self.engine.completed_runs())
        return f"Question {state.current + 1} of {len(state.plan)}; {done} finished; level {state.level}."

    # -- grading --------------------------------------------------------------------------------
    def regrade_provisional(self) -> None:
        """Grade again, in the background, what was not graded or fell back to offline (provisional)."""
        for question_id in self.record.completed_ids():
            self._schedule_grading(question_id)

    def _schedule_grading(self, question_id: str) -> None:
        """Grade a finished question in the background, once per run; a provisional grade is redone."""
        done = self.record.grades.get(question_id)
        if question_id in self._grading or (done is not None and not done.provisional):
            return
        run = next(r for r in self.record.engine.runs if r.question_id == question_id)
        self._grading[question_id] = self._pool.submit(self._grade, run, "session" if done is None else "resume")

    def _grade(self, run: QuestionRun, reason: str) -> None:
        question = self.record.question(run.question_id)
        level = self.record.options.level
        event = graded_event(question, run, self.grader, at=self.clock(), reason=reason, level=level)
        self.emit(event)

    def finish(self) -> SessionRecord:
        """Wait for outstanding grades, then record the end and write the transcript and the report."""
        started = time.perf_counter()
        self.regrade_provisional()
        self.io.wait_for_all("Grading your answers", list(self._grading.values()))
        wait = round(time.perf_counter() - started, 3)
        if self.record.finished_at is None:
            self.emit(Finished(at=self.clock(), timings={"grading_wait_s": wait}))
        with self._lock:
            self.store.save(self.record)
            self.store.save_report(self.record, render_report(self.record))
        return self.record
