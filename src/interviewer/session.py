"""Runs an interview: engine decisions, backend words, candidate input, grading, durable saves."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from interviewer.backends.base import GraderBackend, InterviewerBackend, LineRequest, ThreadTurn
from interviewer.engine.actions import Action, Move
from interviewer.engine.commands import HELP_TEXT, parse_command
from interviewer.engine.engine import Engine
from interviewer.engine.policy import Assessment
from interviewer.engine.state import QuestionRun, RunStatus
from interviewer.grading.detector import detect, screen_for
from interviewer.grading.grade import grade_question
from interviewer.grading.models import Usage
from interviewer.prompts import render_line
from interviewer.text.screen import AnswerKind
from interviewer.transcripts.record import SessionRecord, utc_now
from interviewer.transcripts.report import render_report
from interviewer.transcripts.store import Store
from interviewer.ui.terminal import InterviewIO


def thread_of(run: QuestionRun) -> list[ThreadTurn]:
    return [ThreadTurn(role=t.role, text=t.text) for t in run.turns if t.command is None]


class Session:
    def __init__(
        self,
        record: SessionRecord,
        interviewer: InterviewerBackend,
        grader: GraderBackend,
        store: Store,
        io: InterviewIO,
        *,
        clock: Callable[[], float] = time.time,
        grading_workers: int = 4,
    ) -> None:
        self.record = record
        self.engine = Engine(record.engine, {q.id: q for q in record.questions})
        self.interviewer = interviewer
        self.grader = grader
        self.store = store
        self.io = io
        self.clock = clock
        self._pool = ThreadPoolExecutor(max_workers=grading_workers, thread_name_prefix="grade")
        self._grading: dict[str, Future[None]] = {}
        # Grading threads write grades while the interview goes on: every change to the record and
        # every save happens under this lock, never around model calls or waiting for input.
        self._lock = threading.RLock()

    # -- the loop -------------------------------------------------------------------------------
    def run(self, *, resumed: bool = False) -> SessionRecord:
        """Run until the interview closes, pauses or input ends. Always leaves the record saved."""
        try:
            for question_id in self.record.completed_ids():
                self._schedule_grading(question_id)
            if not resumed:
                self.io.interviewer([self._greeting()])
            action = self.engine.resume() if resumed else self.engine.pending
            while True:
                self._speak(action)
                if action.move is Move.close:
                    return self.finish()
                if action.move is Move.pause:
                    return self.record
                text = self.io.read_answer()
                if text is None:  # input ended: keep everything, resume later
                    with self._lock:
                        self.engine.pause()
                        self._save()
                    return self.record
                action = self._take(text)
        finally:
            self._pool.shutdown(wait=True)
            self._save()

    def _save(self) -> None:
        with self._lock:
            self.store.save(self.record)

    def _speak(self, action: Action) -> None:
        if action.completed:
            self._schedule_grading(action.completed)
        if action.new_round:
            self.io.round_break(action.new_round)
        if action.move is Move.help:
            text = "Commands: " + " · ".join(f"/{c.value}: {h}" for c, h in HELP_TEXT.items())
            self.io.info(text)
        else:
            run = self.engine.run
            question = self.engine.question
            request = LineRequest(
                action=action,
                question=question,
                thread=thread_of(run),
                summary=self._summary(),
                level=self.record.options.level,
            )
            stream = self.interviewer.say(request)
            text = self.io.interviewer(stream)
            with self._lock:
                self.record.usage.extend(stream.usage)
                self.record.notes.extend(f"{question.id}: {note}" for note in stream.notes)
        with self._lock:
            self.engine.said(text, self.clock())
            self._save()

    def _take(self, text: str) -> Action:
        now = self.clock()
        parsed = parse_command(text)
        if parsed is not None:
            with self._lock:
                action = self.engine.command(parsed, now)
                self._save()
            return action
        question = self.engine.question
        all_answers = "\n\n".join([*self.engine.run.answers(), text])
        screen = screen_for(question, text)
        covered: set[str] = set()
        flagged: set[str] = set()
        wrong: set[str] = set()
        usage: list[Usage] = []
        notes: list[str] = []
        if screen.kind is AnswerKind.ok:
            detection = detect(question, all_answers)
            try:
                covered, usage = self.interviewer.covered_items(question, all_answers)
            except Exception as exc:  # coverage only steers follow-ups: fall back, never lose the answer
                covered = detection.covered()
                notes.append(f"coverage for {question.id} fell back to offline: {type(exc).__name__}")
            flagged = {f.item for f in detection.red_flags if f.item}
            wrong = set(detection.wrong_items)
        with self._lock:
            self.record.usage.extend(usage)
            self.record.notes.extend(notes)
            action = self.engine.answer(text, Assessment(covered, flagged, wrong), screen.kind, now)
            self._save()
        return action

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
    def _schedule_grading(self, question_id: str) -> None:
        """Grade a finished question in the background, once per run; a provisional grade is redone."""
        done = self.record.grades.get(question_id)
        if question_id in self._grading or (done is not None and not done.provisional):
            return
        run = next(r for r in self.record.engine.runs if r.question_id == question_id)
        self._grading[question_id] = self._pool.submit(self._grade, run)

    def _grade(self, run: QuestionRun) -> None:
        grade, usage = grade_question(
            self.record.question(run.question_id),
            run.answers(),
            self.grader,
            thread=thread_of(run),
            hints=run.hints,
            skipped=run.status is RunStatus.skipped,
        )
        with self._lock:
            self.record.grades[run.question_id] = grade
            self.record.usage.extend(usage)
            self._save()

    def finish(self) -> SessionRecord:
        """Wait for outstanding grades, then write the final transcript and the report."""
        started = time.perf_counter()
        for question_id in self.record.completed_ids():
            self._schedule_grading(question_id)
        for future in list(self._grading.values()):
            future.result()
        with self._lock:
            self.record.timings["grading_wait_s"] = round(time.perf_counter() - started, 3)
            self.record.finished_at = utc_now()
            self._save()
            self.store.save_report(self.record, render_report(self.record))
        return self.record
