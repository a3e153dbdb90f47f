"""Grade many answers: bounded concurrency, results in input order, resumable output, a cost guard.

The one entry point is `run_batch(entries, make_grader, jobs=..., sink=..., on_result=...)`:

- `entries`: `Entry` values, usually from `entries_from_rows` (which turns a malformed row, an unknown
  question id or an answer over the size cap into an entry carrying its `problem`);
- `grade_entry(entry, grader)`: how an entry is graded (default: its one answer against its question);
- `make_grader(gate)`: builds one grader per worker thread; every worker gets the same back-off
  `Gate`, so a 429 seen by one pauses all of them (pass it to `make_grader(settings, gate=gate)`);
- `sink`: where each result goes as it completes (`JsonlSink` appends and fsyncs one line per entry);
  entries the sink already holds are skipped, so running the same batch again continues it;
- `on_result(result, tally)`: called in the calling thread after each result (progress bars);
- `max_cost` with `estimate(entry) -> dollars`: no request is started that could take the spend past
  the limit (spent + the in-flight estimates + this one's);
- `stop`: an Event; set it (or press Ctrl-C) and the run ends after the requests in flight;
- `processes`: grade in up to `jobs` worker processes (at most one per core) instead of threads, for a grader
  that is CPU-bound and calls no provider (the offline grader: threads would share one interpreter lock).
  Workers are forked, so each starts with what this process already loaded (the bank, wordllama, every
  rubric embedded) and builds its own grader; they take entries up to 32 at a time (a task's round trip through
  the pool costs CPU) and ignore Ctrl-C, which this process handles as above.

A grader whose provider keeps failing (a BackendError after its retries) stops the run: that entry is
not recorded, everything completed is. A request the provider rejects (400) is recorded as that
entry's problem and the rest go on. Nothing here prints: the caller renders progress and messages.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from interviewer.backends.base import BackendError, GraderBackend, GradeReply, GradeRequest
from interviewer.backends.llm_errors import RequestRejected
from interviewer.backends.llm_pacing import Gate
from interviewer.bank.models import Question
from interviewer.grading.grade import grade_question
from interviewer.grading.models import QuestionGrade, Usage
from interviewer.limits import MAX_MODEL_ANSWER_CHARS


@dataclass(frozen=True)
class Entry:
    """One answer to grade; `index` is its position in the input, from 1."""

    index: int
    id: str
    question: Question | None
    answer: str
    problem: str | None = None  # why it cannot be graded (bad input); then it is reported, not graded

    @property
    def key(self) -> str:
        """Identifies this entry in a results file: index, id and the answer's hash (an edited answer is regraded)."""
        digest = hashlib.sha256(self.answer.encode("utf-8", "replace")).hexdigest()[:12]
        return f"{self.index}:{self.id}:{digest}"


@dataclass(frozen=True)
class Result:
    entry: Entry
    grade: QuestionGrade | None = None
    usage: list[Usage] = field(default_factory=list)
    problem: str | None = None

    @property
    def cost(self) -> float | None:
        costs = [u.cost_usd for u in self.usage if u.cost_usd is not None]
        return sum(costs) if costs else None

    def record(self, *, with_outline: bool = False) -> dict[str, Any]:
        """The result as one JSON object: index, id and key, then the grade's fields (or the problem)."""
        entry = self.entry
        data: dict[str, Any] = {"index": entry.index, "id": entry.id, "key": entry.key}
        if self.grade is None:
            return {**data, "question_id": entry.question.id if entry.question else None, "error": self.problem}
        grade = self.grade.model_dump(mode="json", exclude=None if with_outline else {"strong_answer"})
        return {**data, **grade, "usage": [u.model_dump(mode="json") for u in self.usage]}


@dataclass
class Tally:
    total: int  # entries this run grades or reports (skipped ones not counted)
    skipped: int = 0  # already in the sink from an earlier run
    done: int = 0
    graded: int = 0
    problems: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = None

    def add(self, result: Result) -> None:
        self.done += 1
        self.graded += result.grade is not None
        self.problems += result.grade is None
        self.prompt_tokens += sum(u.prompt_tokens for u in result.usage)
        self.completion_tokens += sum(u.completion_tokens for u in result.usage)
        if (cost := result.cost) is not None:
            self.cost = (self.cost or 0.0) + cost


@dataclass
class Outcome:
    results: list[Result]  # this run's, in input order
    tally: Tally
    stopped: str | None = None  # "interrupted", "max_cost" or "provider"; None when every entry was done
    error: str | None = None  # the provider's one line when it stopped the run
    rate_limited: int = 0  # 429s seen (each paused every worker)
    waited_s: float = 0.0  # seconds workers spent waiting for a rate limit, summed over workers


class Sink(Protocol):
    def done(self) -> set[str]:
        """Keys of the entries already recorded (skipped on this run)."""
        ...

    def write(self, result: Result) -> None: ...


class JsonlSink:
    """Results appended to a JSON Lines file, one per entry as it completes, each flushed and fsynced.

    A graded entry counts as done on a later run; a problem is reported again (the input may be fixed).
    A torn last line (a crash mid-write) is ignored and that entry is graded again."""

    def __init__(self, path: Path, *, with_outline: bool = False) -> None:
        self.path = path
        self.with_outline = with_outline
        self._lock = threading.Lock()

    def done(self) -> set[str]:
        if not self.path.exists():
            return set()
        keys = set()
        for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(row, dict) and "error" not in row and isinstance(row.get("key"), str):
                keys.add(row["key"])
        return keys

    def write(self, result: Result) -> None:
        line = json.dumps(result.record(with_outline=self.with_outline), ensure_ascii=False) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())


def entries_from_rows(rows: Sequence[Any], questions: dict[str, Question]) -> list[Entry]:
    """One entry per row of a batch file; a row that cannot be graded carries its problem."""
    return [_entry(index, row, questions) for index, row in enumerate(rows, start=1)]


@dataclass(frozen=True)
class Unreadable:
    """A row the input file could not even parse (a JSON Lines line that is not JSON)."""

    problem: str


def _entry(index: int, row: Any, questions: dict[str, Question]) -> Entry:
    if isinstance(row, Unreadable):
        return Entry(index, f"#{index}", None, "", row.problem)
    if not isinstance(row, dict):
        return Entry(index, f"#{index}", None, "", f"expected a mapping with question and answer, got {_kind(row)}")
    question_id, answer, given_id = row.get("question"), row.get("answer"), row.get("id")
    entry_id = str(given_id) if isinstance(given_id, str | int) and not isinstance(given_id, bool) else None
    entry_id = entry_id or (question_id if isinstance(question_id, str) else f"#{index}")
    if not isinstance(question_id, str) or not question_id:
        return Entry(index, entry_id, None, "", "no question id (the 'question' field)")
    if not isinstance(answer, str):
        found = "no 'answer' field" if answer is None else f"'answer' is {_kind(answer)}, not text"
        return Entry(index, entry_id, None, "", found)
    question = questions.get(question_id)
    if question is None:
        return Entry(index, entry_id, None, answer, f"no question with id {question_id!r} in the bank")
    if len(answer) > MAX_MODEL_ANSWER_CHARS:
        problem = f"the answer has {len(answer):,} characters, over the {MAX_MODEL_ANSWER_CHARS:,} limit"
        return Entry(index, entry_id, question, answer, problem)
    return Entry(index, entry_id, question, answer)


def _kind(value: Any) -> str:
    kinds = {str: "text", list: "a list", dict: "a mapping", bool: "true/false", int: "a number", float: "a number"}
    return "nothing" if value is None else kinds.get(type(value), type(value).__name__)


def pending(entries: Iterable[Entry], sink: Sink | None) -> tuple[list[Entry], int]:
    """The entries still to do, and how many the sink already holds."""
    done = sink.done() if sink is not None else set()
    todo = [e for e in entries if e.key not in done]
    return todo, len(done & {e.key for e in entries})


class _ProviderFailed(Exception):
    def __init__(self, error: BackendError) -> None:
        super().__init__(str(error))
        self.error = error


class _Watched:
    """A grader that remembers a provider failure (grade_question turns one into an offline grade)."""

    def __init__(self, inner: GraderBackend) -> None:
        self.inner = inner
        self.name = inner.name
        self.failure: BackendError | None = None

    def grade(self, request: GradeRequest) -> GradeReply:
        try:
            return self.inner.grade(request)
        except BackendError as exc:
            self.failure = exc
            raise


def grade_answer(entry: Entry, grader: GraderBackend) -> tuple[QuestionGrade, list[Usage]]:
    """How a batch entry is graded unless the caller says otherwise: its one answer against its question."""
    assert entry.question is not None
    return grade_question(entry.question, [entry.answer], grader)


GradeEntry = Callable[[Entry, GraderBackend], tuple[QuestionGrade, list[Usage]]]
_PER_TASK = 32  # entries a worker process grades per task: each round trip through the pool costs this process CPU
_WORKER: tuple[Sequence[Entry], GraderBackend, GradeEntry] | None = None  # a worker process's entries and grader


def _start_worker(entries: Sequence[Entry], make_grader: Callable[[Gate], GraderBackend], grade_entry, gate) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and waits for the work in flight
    global _WORKER
    _WORKER = (entries, make_grader(gate), grade_entry)


def _grade_in_worker(positions: tuple[int, ...]) -> list[tuple[QuestionGrade, list[Usage]]]:
    assert _WORKER is not None
    entries, grader, grade_entry = _WORKER
    return [grade_entry(entries[position], grader) for position in positions]


def _process_pool(
    jobs: int, todo: Sequence[Entry], make_grader: Callable[[Gate], GraderBackend], grade_entry: GradeEntry, gate: Gate
) -> ProcessPoolExecutor | None:
    """Forked worker processes, one per core at most; None where fork is not available (then threads grade)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    workers = max(1, min(jobs, os.cpu_count() or 1, len(todo)))
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(todo, make_grader, grade_entry, gate),
    )


def run_batch(
    entries: Sequence[Entry],
    make_grader: Callable[[Gate], GraderBackend],
    *,
    jobs: int,
    grade_entry: GradeEntry = grade_answer,
    sink: Sink | None = None,
    on_result: Callable[[Result, Tally], None] | None = None,
    max_cost: float | None = None,
    estimate: Callable[[Entry], float] | None = None,
    stop: threading.Event | None = None,
    gate: Gate | None = None,
    processes: bool = False,
) -> Outcome:
    """Grade `entries` `jobs` at a time (see the module docstring)."""
    if max_cost is not None and estimate is None:
        raise ValueError("max_cost needs an estimate of each entry's cost")
    todo, skipped = pending(entries, sink)
    tally = Tally(total=len(todo), skipped=skipped)
    outcome = Outcome(results=[], tally=tally)
    gate = gate or Gate()
    stop = stop or threading.Event()
    local = threading.local()

    def grade(entry: Entry) -> Result:
        if not hasattr(local, "grader"):
            local.grader = _Watched(make_grader(gate))
        grader: _Watched = local.grader
        grader.failure = None
        grade, usage = grade_entry(entry, grader)
        if isinstance(grader.failure, RequestRejected):
            return Result(entry, usage=usage, problem=f"the provider rejected this entry: {grader.failure}")
        if grader.failure is not None:
            raise _ProviderFailed(grader.failure)
        return Result(entry, grade, usage)

    def finish(result: Result) -> None:
        outcome.results.append(result)
        tally.add(result)
        if sink is not None:
            sink.write(result)
        if on_result is not None:
            on_result(result, tally)

    in_flight: dict[Future, float] = {}  # each future's cost estimate
    entries_of: dict[Future, list[Entry]] = {}  # futures of worker processes, which return the grades alone
    queue = enumerate(todo)  # with each entry's position, by which a worker process finds its copy

    def affordable(entry: Entry, queued: float) -> bool:
        if max_cost is None or estimate is None:
            return True
        observed = (tally.cost or 0.0) / tally.graded if tally.graded else 0.0
        projected = (tally.cost or 0.0) + sum(in_flight.values()) + queued + max(estimate(entry), observed)
        return projected <= max_cost

    def take(size: int) -> tuple[list[tuple[int, Entry]], float]:
        """Up to `size` entries to grade next, with their positions, and their estimated cost; entries with a problem
        are recorded as they pass, and none is taken that the cost limit cannot afford (the run then stops)."""
        taken: list[tuple[int, Entry]] = []
        cost = 0.0
        while len(taken) < size and not stop.is_set():
            position, entry = next(queue, (-1, None))
            if entry is None:
                break
            if entry.problem is not None:
                finish(Result(entry, problem=entry.problem))
                continue
            if not affordable(entry, cost):
                outcome.stopped = "max_cost"
                stop.set()
                break
            taken.append((position, entry))
            cost += estimate(entry) if estimate else 0.0
        return taken, cost

    def submit(pool: Executor) -> None:
        while len(in_flight) < depth:
            taken, cost = take(per_task)
            if not taken:
                return
            if isinstance(pool, ProcessPoolExecutor):
                future = pool.submit(_grade_in_worker, tuple(position for position, _ in taken))
                entries_of[future] = [entry for _, entry in taken]
            else:
                future = pool.submit(grade, taken[0][1])
            in_flight[future] = cost

    def collect(done: Iterable[Future]) -> None:
        for future in done:
            in_flight.pop(future)
            try:
                if future in entries_of:
                    for entry, graded in zip(entries_of.pop(future), future.result(), strict=True):
                        finish(Result(entry, *graded))
                else:
                    finish(future.result())
            except _ProviderFailed as exc:
                if outcome.stopped != "provider":
                    outcome.stopped, outcome.error = "provider", str(exc.error)
                stop.set()

    workers = _process_pool(jobs, todo, make_grader, grade_entry, gate) if processes and todo else None
    # Worker processes take entries a few at a time and each keeps a second task queued: with one entry apiece,
    # every worker sat idle while this process collected its grade and handed it the next (a fifth of the rate).
    depth = jobs * 2 if workers else jobs
    per_task = max(1, min(_PER_TASK, len(todo) // depth)) if workers else 1  # a small batch still reaches every worker
    with workers or ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="grade") as pool:
        try:
            submit(pool)
            while in_flight:
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                collect(done)
                submit(pool)
        except KeyboardInterrupt:
            outcome.stopped = outcome.stopped or "interrupted"
            stop.set()
            collect(wait(in_flight).done)  # the requests in flight finish and are kept
    if stop.is_set() and outcome.stopped is None and tally.done < tally.total:
        outcome.stopped = "interrupted"
    outcome.results.sort(key=lambda r: r.entry.index)
    outcome.rate_limited, outcome.waited_s = gate.holds, gate.waited_s
    return outcome
