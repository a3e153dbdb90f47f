"""`interviewer grade`: grade written answers without an interview, one or a batch, through the batch runner.

What a person sees: an estimate of tokens and cost before a model batch, a progress bar on a terminal
(nothing extra on a pipe), each bad entry by its index, and one closing line that says what was done and,
when the run stopped early, why and how to continue. Results go to stdout (tables, or `--json`) and, with
`--out`, to a JSON Lines file as they complete.
"""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from interviewer.backends.registry import make_grader
from interviewer.bank.loader import BankError, load_bank
from interviewer.batch import (
    Entry,
    JsonlSink,
    Outcome,
    Result,
    Tally,
    Unreadable,
    entries_from_rows,
    pending,
    run_batch,
)
from interviewer.settings import GraderModelSettings, load_settings
from interviewer.text.safe import visible

EXIT_PROBLEMS = 1  # some entries could not be graded, or the run stopped at --max-cost
EXIT_USAGE = 2
EXIT_PROVIDER = 3
EXIT_INTERRUPTED = 130
JSON_LINES = (".jsonl", ".ndjson")


class InputError(Exception):
    """The answers file as a whole is unusable: one line naming the file."""


@dataclass
class GradeOptions:
    question: str | None = None
    answer_file: Path | None = None
    answers: Path | None = None
    bank: tuple[Path, ...] = ()
    builtin: bool = True
    as_json: bool = False
    grader_model: str | None = None
    api_base: str | None = None
    jobs: int | None = None
    out: Path | None = None
    max_cost: float | None = None
    strict: bool = False
    with_outline: bool = False


def read_rows(path: Path) -> list[Any]:
    """The entries of a batch file: a YAML/JSON list (or `answers: [...]`), or JSON Lines (.jsonl/.ndjson)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text (byte {exc.start})") from None
    if path.suffix.lower() in JSON_LINES:
        rows: Any = [_json_line(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    else:
        try:
            rows = yaml.safe_load(text)  # YAML is a superset of JSON
        except yaml.YAMLError as exc:
            raise InputError(f"{path} is not valid YAML or JSON: {str(exc).splitlines()[0]}") from None
        except RecursionError:
            raise InputError(f"{path} is nested too deeply to be a list of answers") from None
        if isinstance(rows, dict) and "answers" in rows:
            rows = rows["answers"]
    if not isinstance(rows, list) or not rows:
        found = {type(None): "an empty file", list: "an empty list", dict: "a mapping with no 'answers' list"}.get(
            type(rows), f"a single {type(rows).__name__} value"
        )
        raise InputError(
            f"{path} holds {found}: expected a list of {{question, answer}} entries (or one JSON object per line)"
        )
    return rows


def _json_line(number: int, line: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        return Unreadable(f"line {number} is not valid JSON ({exc.msg})")


def _entries(options: GradeOptions, questions: dict) -> list[Entry]:
    if options.answers is not None:
        return entries_from_rows(read_rows(options.answers), questions)
    if options.question is None:
        raise InputError("give --question ID (answer from --answer-file or stdin) or --answers FILE")
    source = options.answer_file.read_text(encoding="utf-8") if options.answer_file else sys.stdin.read()
    return entries_from_rows([{"question": options.question, "answer": source}], questions)


class RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:.1f}/s" if task.speed else "–/s")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun[:-1] + 'ies' if noun.endswith('y') else noun + 's'}"


def spend_summary(tally: Tally) -> str:
    tokens = tally.prompt_tokens + tally.completion_tokens
    cost = f" · ${tally.cost:.4f}" if tally.cost is not None else ""
    return f"{tokens:,} tokens{cost}" if tokens else ""


def estimate_spend(settings: GraderModelSettings, todo: list[Entry], err: Console, max_cost: float | None):
    """Print the batch's token and cost estimate; returns the per-entry cost estimate for --max-cost.
    Raises InputError when --max-cost is given and litellm has no price for the model."""
    from interviewer.backends.llm import grading_estimate

    estimates = {e.key: grading_estimate(settings, e.question, e.answer) for e in todo if e.question and not e.problem}
    prompt = sum(x.prompt_tokens for x in estimates.values())
    completion = sum(x.completion_tokens for x in estimates.values())
    costs = [x.cost_usd for x in estimates.values() if x.cost_usd is not None]
    known = len(costs) == len(estimates)
    cost = f"about ${sum(costs):.4f}" if known else f"cost unknown (litellm has no price for {settings.model})"
    err.print(
        f"Estimate for {_count(len(estimates), 'answer')} with {settings.model}: ~{prompt:,} prompt + "
        f"~{completion:,} completion tokens; {cost}. A re-asked reply costs more.",
        markup=False,
    )
    if max_cost is not None and not known:
        raise InputError(f"--max-cost cannot be enforced: litellm has no price for {settings.model}")
    return lambda entry: estimates[entry.key].cost_usd or 0.0


def _report_problem(err: Console, result: Result) -> None:
    if result.problem is not None:
        err.print(f"entry {result.entry.index} ({result.entry.id}): {result.problem}", markup=False, highlight=False)


def _closing(outcome: Outcome, options: GradeOptions, err: Console) -> int:
    tally = outcome.tally
    saved = f"; results in {options.out}" if options.out else ""
    spend = f" · {spend_summary(tally)}" if spend_summary(tally) else ""
    skipped = f" ({tally.skipped} already done)" if tally.skipped else ""
    waited = (
        f" · rate-limited {outcome.rate_limited}x, workers waited {outcome.waited_s:.0f} s in all"
        if outcome.rate_limited
        else ""
    )
    problems = f", {tally.problems} not gradable (listed above)" if tally.problems else ""
    err.print(f"Graded {tally.graded} of {tally.total}{skipped}{problems}{spend}{waited}{saved}", markup=False)
    again = (
        "run the same command again to continue"
        if options.out
        else "nothing was saved: add --out FILE to keep results and continue later"
    )
    left = tally.total - tally.done
    if outcome.stopped == "provider":
        err.print(f"Stopped: the grader's provider kept failing: {outcome.error}", markup=False)
        err.print(f"{_count(left, 'entry')} left; once it is fixed, {again}.", markup=False)
        return EXIT_PROVIDER
    if outcome.stopped == "max_cost":
        err.print(
            f"Stopped before --max-cost ${options.max_cost:g} would be passed; {_count(left, 'entry')} left "
            f"(raise --max-cost and {again}).",
            markup=False,
        )
        return EXIT_PROBLEMS
    if outcome.stopped == "interrupted":
        err.print(f"Interrupted after the requests in flight; {_count(left, 'entry')} left: {again}.", markup=False)
        return EXIT_INTERRUPTED
    return EXIT_PROBLEMS if tally.problems else 0


def _show(console: Console, outcome: Outcome, options: GradeOptions) -> None:
    if options.as_json:
        records = [r.record(with_outline=options.with_outline) for r in outcome.results]
        console.file.write(json.dumps(records, indent=2, ensure_ascii=False) + "\n")
        return
    for result in outcome.results:
        grade = result.grade
        if grade is None:
            continue
        title = f"{result.entry.index}. {grade.question_id}: {grade.score}/100 ({grade.kind.value}, {grade.path.value})"
        table = Table(title=Text(visible(title)))
        for column in ("Rubric item", "Score", "Evidence", "Why"):
            table.add_column(column, overflow="fold")
        for item in grade.items:  # pack text, the candidate's quotes and a model's reasons: shown as plain text
            cells = (item.name, f"{item.score}/3", " · ".join(item.evidence) or "—", item.reason)
            table.add_row(*(Text(visible(cell)) for cell in cells))
        console.print(table)
        outline = grade.strong_answer if options.with_outline else []
        for line in [
            *(f"Red flag: {flag}" for flag in grade.red_flags),
            *(f"Note: {cap}" for cap in grade.caps),
            *(f"• {part}" for part in outline),
        ]:
            console.print(Text(f"  {visible(line)}"))


def run_grade(options: GradeOptions) -> int:
    console = Console(highlight=False)
    err = Console(stderr=True, highlight=False)
    try:
        settings = load_settings(
            bank_paths=list(options.bank) or None,
            grader={"model": options.grader_model, "api_base": options.api_base, "jobs": options.jobs},
        )
        bank = load_bank(settings.bank_paths, include_default=options.builtin)
        entries = _entries(options, bank.questions)
    except (BankError, ValidationError, OSError, InputError) as exc:
        err.print(f"[bold red]Error:[/] {exc}", highlight=False)
        return EXIT_USAGE
    if options.strict and (bad := next((e for e in entries if e.problem), None)):
        err.print(f"entry {bad.index} ({bad.id}): {bad.problem}", markup=False)
        err.print(
            "--strict: nothing was graded; fix the entry, or run without --strict to grade the rest", markup=False
        )
        return EXIT_PROBLEMS
    grader_settings = settings.grader
    sink = JsonlSink(options.out, with_outline=options.with_outline) if options.out else None
    todo, _ = pending(entries, sink)
    estimate = None
    if not grader_settings.is_offline and todo:
        try:
            estimate = estimate_spend(grader_settings, todo, err, options.max_cost)
        except InputError as exc:
            err.print(f"[bold red]Error:[/] {exc}", highlight=False)
            return EXIT_USAGE
    progress = progress_bar(err, len(todo))
    task = progress.add_task("grading", total=len(todo), spend="") if progress else None

    def on_result(result: Result, tally: Tally) -> None:
        if progress is not None and task is not None:
            progress.update(task, advance=1, spend=spend_summary(tally))
        _report_problem(err, result)

    with progress or nullcontext():
        outcome = run_batch(
            entries,
            lambda gate: make_grader(grader_settings, gate=gate),
            jobs=grader_settings.jobs,
            sink=sink,
            on_result=on_result,
            max_cost=options.max_cost if estimate else None,
            estimate=estimate,
            processes=grader_settings.is_offline,  # CPU-bound, no provider: a worker process per core
        )
    _show(console, outcome, options)
    if options.answers is None and outcome.tally.graded == 1:
        return 0  # one answer graded: its table (or JSON) says it all
    return _closing(outcome, options, err)


def progress_bar(err: Console, total: int) -> Progress | None:
    """A progress bar on a terminal only, and only when there is more than one entry to grade."""
    if not err.is_terminal or total < 2:
        return None
    return Progress(
        TextColumn("Grading"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[spend]}"),
        console=err,
        transient=False,
    )
