"""The interview state machine: ask, listen, decide the follow-up, move on, close. No I/O.

The caller drives it: `pending` is what the interviewer must say now; after saying it the caller
calls `said`; a candidate's input goes to `answer` (with an Assessment computed outside) or to
`command`. Every call that changes state returns the next Action. Time comes in as `now`.
"""

from __future__ import annotations

from interviewer.bank.models import Question
from interviewer.engine.actions import FOLLOW_UP_MOVES, Action, Move
from interviewer.engine.commands import Command, ParsedCommand
from interviewer.engine.policy import Assessment, decide
from interviewer.engine.state import EngineState, QuestionRun, RunStatus, SessionStatus, TurnRecord
from interviewer.text.screen import AnswerKind

MAX_STALLS = 2  # "I don't know" (or empty/off-topic) answers before moving on


class Engine:
    def __init__(self, state: EngineState, questions: dict[str, Question]) -> None:
        self.state = state
        self.questions = questions

    @classmethod
    def new(
        cls,
        plan: list[Question],
        *,
        level: str,
        now: float,
        max_follow_ups: int = 2,
        time_limit_s: int | None = None,
        segments: list[str] | None = None,
        focus: dict[str, list[str]] | None = None,
    ) -> Engine:
        if not plan:
            raise ValueError("an interview needs at least one question")
        if segments is not None and len(segments) != len(plan):
            raise ValueError("segments must name the round of every planned question")
        state = EngineState(
            plan=[q.id for q in plan],
            segments=segments or [],
            level=level,
            max_follow_ups=max_follow_ups,
            time_limit_s=time_limit_s,
            started_at=now,
            runs=[QuestionRun(question_id=q.id) for q in plan],
            focus=focus or {},
        )
        engine = cls(state, {q.id: q for q in plan})
        state.pending = engine._ask(0, transition=False)
        return engine

    # -- reading ---------------------------------------------------------------------------
    @property
    def pending(self) -> Action:
        assert self.state.pending is not None
        return self.state.pending

    @property
    def finished(self) -> bool:
        return self.state.status is SessionStatus.finished

    @property
    def run(self) -> QuestionRun:
        return self.state.runs[min(self.state.current, len(self.state.runs) - 1)]

    @property
    def question(self) -> Question:
        return self.questions[self.run.question_id]

    def completed_runs(self) -> list[QuestionRun]:
        return [r for r in self.state.runs if r.status in (RunStatus.done, RunStatus.skipped)]

    def spoken_line(self) -> str | None:
        """The pending action's words when they were already said (and not answered yet)."""
        if not self.state.spoken or not self.run.turns or self.run.turns[-1].role != "interviewer":
            return None
        return self.run.turns[-1].text

    def last_interviewer_line(self) -> str:
        for turn in reversed(self.run.turns):
            if turn.role == "interviewer" and turn.move not in (Move.help, Move.hint, Move.clarify):
                return turn.text
        return self.question.question

    # -- transitions -------------------------------------------------------------------------
    def said(self, text: str, now: float) -> None:
        """Record that the interviewer said `text` for the pending action."""
        action = self.pending
        if action.move in (Move.close, Move.pause):
            return
        run = self.run
        if action.move is Move.ask:
            run.status = RunStatus.active
            run.asked_at = now
        if action.move in FOLLOW_UP_MOVES and action.follow_up_id:
            run.follow_ups_asked.append(action.follow_up_id)
        run.turns.append(
            TurnRecord(role="interviewer", text=text, at=now, move=action.move, follow_up_id=action.follow_up_id)
        )
        self.state.spoken = True

    def answer(
        self, text: str, assessment: Assessment, kind: AnswerKind, now: float, decided: Action | None = None
    ) -> Action:
        """Record the answer and choose the next move; `decided`: the move chosen when it was recorded (a replay)."""
        run, question = self.run, self.question
        run.turns.append(TurnRecord(role="candidate", text=text, at=now, kind=kind))
        run.covered = sorted(set(run.covered) | assessment.covered)
        if kind is not AnswerKind.ok:
            run.stalls += 1
        if decided is not None:
            return self._follow(decided, now)
        if kind is not AnswerKind.ok:
            if run.stalls >= MAX_STALLS or self._out_of_time(now):
                return self._set(self._move_on(now, reason=f"{kind.value} answer again: moving on"))
            move = Move.nudge if kind in (AnswerKind.dont_know, AnswerKind.empty) else Move.redirect
            target = self._top_missing()
            return self._set(
                self._action(move, target_item=target, hint=self._hint_for(target), reason=f"{kind.value} answer")
            )
        decision = decide(
            question,
            run,
            assessment,
            level=self.state.level,
            max_follow_ups=self.state.max_follow_ups,
            elapsed_s=now - (run.asked_at or now),
            last_answer=text,
            focus=self._focus(),
        )
        if decision is None or self._session_out_of_time(now):
            return self._set(self._move_on(now, reason="follow-ups done or budget spent"))
        follow_up = decision.follow_up
        return self._set(
            self._action(
                decision.move,
                follow_up_id=follow_up.id if follow_up else None,
                follow_up_prompt=follow_up.prompt if follow_up else None,
                target_item=follow_up.targets if follow_up else None,
                reason=decision.reason,
            )
        )

    def command(self, parsed: ParsedCommand, now: float, decided: Action | None = None) -> Action:
        """Carry out a command; `decided`: the move chosen for a /hint or /skip when it was recorded (a replay)."""
        run = self.run
        run.turns.append(
            TurnRecord(
                role="candidate",
                text=f"/{parsed.command.value} {parsed.argument}".strip(),
                at=now,
                command=parsed.command.value,
            )
        )
        match parsed.command:
            case Command.hint:
                run.hints += 1
                action = decided or self._hint_action()
                run.hinted_items.append(action.target_item or "")
                return self._set(action)
            case Command.skip if decided is not None:
                return self._follow(decided, now, skipped=True)
            case Command.repeat:
                return self._set(self._action(Move.repeat, repeat_text=self.last_interviewer_line()))
            case Command.clarify:
                return self._set(self._action(Move.clarify, candidate_request=parsed.argument or "(no question)"))
            case Command.skip:
                return self._set(self._move_on(now, reason="candidate skipped", skipped=True))
            case Command.pause:
                return self.pause()
            case Command.quit:
                return self._set(self._close(now, early=True))
            case _:
                return self._set(self._action(Move.help))

    def pause(self) -> Action:
        """Stop here, resumable: on /pause, or when the candidate's input ends."""
        self.state.status = SessionStatus.paused
        return self._set(self._action(Move.pause))

    def resume(self) -> Action:
        """After a reload: continue where the session stopped."""
        if self.state.status is SessionStatus.paused:
            self.state.status = SessionStatus.active
        pending = self.pending
        if pending.move in (Move.pause, Move.help):
            return self._set(self._action(Move.repeat, repeat_text=self.last_interviewer_line()))
        return pending

    # -- helpers ---------------------------------------------------------------------------
    def _hint_action(self) -> Action:
        target = self._top_missing()
        return self._action(Move.hint, target_item=target, hint=self._hint_for(target))

    def _follow(self, decided: Action, now: float, *, skipped: bool = False) -> Action:
        """Carry out a move chosen earlier, whatever today's policy would choose: moving on, closing or a follow-up."""
        if decided.move in (Move.ask, Move.close):
            self._finish_run(now, skipped=skipped)
        if decided.move is Move.ask:
            if not 0 < decided.number <= len(self.state.plan):
                raise ValueError(f"the recorded next question, number {decided.number}, is not in the plan")
            self.state.current = decided.number - 1
        elif decided.move is Move.close:
            self.state.status = SessionStatus.finished
            self.state.ended_early = decided.ended_early
        return self._set(decided)

    def _set(self, action: Action) -> Action:
        self.state.pending = action
        self.state.spoken = False
        return action

    def _action(self, move: Move, **fields: object) -> Action:
        return Action(
            move=move,
            question_id=self.run.question_id,
            number=self.state.current + 1,
            total=len(self.state.plan),
            **fields,  # type: ignore[arg-type]
        )

    def _ask(self, index: int, *, transition: bool, completed: str | None = None) -> Action:
        segments = self.state.segments
        new_round = segments[index] if segments and index > 0 and segments[index] != segments[index - 1] else None
        self.state.current = index
        return self._action(
            Move.ask, transition=transition, completed=completed, new_round=new_round, reason="next question"
        )

    def _focus(self) -> frozenset[str]:
        return frozenset(self.state.focus.get(self.run.question_id, ()))

    def _top_missing(self) -> str | None:
        """The highest-weight uncovered item (a drilled one first), preferring one the bank has a hint for."""
        covered, focus = set(self.run.covered), self._focus()
        missing = sorted(
            (i for i in self.question.rubric if i.id not in covered),
            key=lambda i: (i.id not in focus, i.hint is None, -i.weight),
        )
        return missing[0].id if missing else None

    def _hint_for(self, item_id: str | None) -> str | None:
        return self.question.item(item_id).hint if item_id else None

    def _out_of_time(self, now: float) -> bool:
        run = self.run
        return run.asked_at is not None and now - run.asked_at >= self.question.time_budget_s

    def _session_out_of_time(self, now: float) -> bool:
        limit = self.state.time_limit_s
        return limit is not None and now - self.state.started_at >= limit

    def _finish_run(self, now: float, *, skipped: bool) -> str:
        run = self.run
        run.status = RunStatus.skipped if skipped and not run.answers() else RunStatus.done
        run.finished_at = now
        return run.question_id

    def _move_on(self, now: float, *, reason: str, skipped: bool = False) -> Action:
        completed = self._finish_run(now, skipped=skipped)
        nxt = self.state.current + 1
        if nxt >= len(self.state.plan) or self._session_out_of_time(now):
            return self._close(now, early=False, completed=completed, already_finished=True)
        action = self._ask(nxt, transition=True, completed=completed)
        return action.model_copy(update={"reason": reason})

    def _close(
        self, now: float, *, early: bool, completed: str | None = None, already_finished: bool = False
    ) -> Action:
        if not already_finished and self.run.status is RunStatus.active:
            completed = self._finish_run(now, skipped=True)
        self.state.status = SessionStatus.finished
        self.state.ended_early = early or self.state.current + 1 < len(self.state.plan)
        return self._action(
            Move.close, completed=completed, ended_early=self.state.ended_early, reason="interview over"
        )
