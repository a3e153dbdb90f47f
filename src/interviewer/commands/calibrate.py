"""`interviewer calibrate`: how good is a grader? The labelled calibration sets graded through `run_batch`.

Every answer of the strong/partial/weak sets and of the meaning set is graded twice by the grader (the
second pass measures consistency) and once offline (agreement). Printed and saved: ordering checks held,
band hits, mean absolute error against the band centres, the share of item scores equal to the offline
grader's and equal across the two passes, tokens, cost and time. A run that the provider stops midway saves
what was graded, marked partial, and ends with its one-line error.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from interviewer.backends.offline import OfflineGrader
from interviewer.backends.registry import make_grader
from interviewer.bank.calibration import ORDER_CHECKS, fresh_meaning_dirs, load_calibration, load_meaning
from interviewer.bank.loader import Bank
from interviewer.batch import Entry, Outcome, Result, Tally, run_batch
from interviewer.paths import user_data_dir
from interviewer.settings import ModelSettings


@dataclass(frozen=True)
class Labelled:
    """One calibration answer: its band, and the group and rank its ordering checks compare it within."""

    entry: Entry
    band: tuple[int, int]
    group: str  # "<set>:<question>"
    rank: str  # label or kind


@dataclass
class Calibration:
    grader: str
    answers: int
    graded: int
    ordering_held: int
    ordering_checks: int
    band_hits: int
    mae: float | None  # against band centres
    offline_agreement: float | None  # share of item scores equal to the offline grader's
    consistency: float | None  # share of item scores equal across two passes
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    seconds: float
    partial: bool = False
    stopped: str | None = None  # run_batch's reason: "provider", "interrupted"
    error: str | None = None  # the provider's one line
    at: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))


def labelled_answers(bank: Bank) -> list[Labelled]:
    """Every answer of the calibration sets (bands, meaning, fresh meaning) whose question is in `bank`, from 1."""
    rows: list[tuple[str, str, str, str, tuple[int, int]]] = []
    for cset in load_calibration():
        rows += [("bands", cset.question, a.label.value, a.text, a.band) for a in cset.answers]
    for mset in [*load_meaning(), *(m for folder in fresh_meaning_dirs() for m in load_meaning(folder))]:
        rows += [("meaning", mset.question, a.kind.value, a.text, a.band) for a in mset.answers]
    out = []
    for name, question_id, rank, text, band in rows:
        if (question := bank.questions.get(question_id)) is None:
            continue
        entry = Entry(index=len(out) + 1, id=f"{name}:{question_id}:{rank}", question=question, answer=text)
        out.append(Labelled(entry, band, f"{name}:{question_id}", rank))
    return out


_BAND_ORDER = (("strong", "partial"), ("partial", "weak"))


def _ordering(labelled: Sequence[Labelled], scores: dict[int, int]) -> tuple[int, int]:
    """(held, checked): strong > partial > weak per question of the band set; ORDER_CHECKS in the meaning set."""
    by_group: dict[str, dict[str, int]] = {}
    for one in labelled:
        if one.entry.index in scores:
            by_group.setdefault(one.group, {})[one.rank] = scores[one.entry.index]
    held = checked = 0
    for group, ranks in by_group.items():
        pairs = _BAND_ORDER if group.startswith("bands:") else [(a.value, b.value) for a, b in ORDER_CHECKS]
        for better, worse in pairs:
            if better in ranks and worse in ranks:
                checked += 1
                held += ranks[better] > ranks[worse]
    return held, checked


def _item_scores(results: Sequence[Result]) -> dict[int, dict[str, int]]:
    return {r.entry.index: {i.item_id: i.score for i in r.grade.items} for r in results if r.grade is not None}


def _agreement(one: dict[int, dict[str, int]], two: dict[int, dict[str, int]]) -> float | None:
    pairs = [(s, two[i].get(item)) for i in one.keys() & two.keys() for item, s in one[i].items()]
    return round(sum(a == b for a, b in pairs) / len(pairs), 3) if pairs else None


def _spend(tallies: Sequence[Tally]) -> tuple[int, int, float | None]:
    costs = [t.cost for t in tallies if t.cost is not None]
    return (
        sum(t.prompt_tokens for t in tallies),
        sum(t.completion_tokens for t in tallies),
        round(sum(costs), 6) if costs else None,
    )


def summarize(
    grader: str, labelled: Sequence[Labelled], passes: Sequence[Outcome], offline: Outcome, seconds: float
) -> Calibration:
    """The calibration of `grader` from its passes (the first is scored) and the offline grader's results."""
    first = passes[0]
    scores = {r.entry.index: r.grade.score for r in first.results if r.grade is not None}
    bands = {one.entry.index: one.band for one in labelled}
    held, checked = _ordering(labelled, scores)
    errors = [abs(score - (bands[i][0] + bands[i][1]) / 2) for i, score in scores.items()]
    items = _item_scores(first.results)
    prompt, completion, cost = _spend([p.tally for p in passes])
    stopped = next((p for p in passes if p.stopped), None)
    return Calibration(
        grader=grader,
        answers=len(labelled),
        graded=len(scores),
        ordering_held=held,
        ordering_checks=checked,
        band_hits=sum(bands[i][0] <= s <= bands[i][1] for i, s in scores.items()),
        mae=round(sum(errors) / len(errors), 1) if errors else None,
        offline_agreement=_agreement(items, _item_scores(offline.results)),
        consistency=_agreement(items, _item_scores(passes[1].results)) if len(passes) > 1 else None,
        prompt_tokens=prompt,
        completion_tokens=completion,
        cost_usd=cost,
        seconds=round(seconds, 1),
        partial=stopped is not None,
        stopped=stopped.stopped if stopped else None,
        error=stopped.error if stopped else None,
    )


def calibrate(
    settings: ModelSettings,
    bank: Bank,
    *,
    jobs: int,
    limit: int | None = None,
    on_result: Callable[[Result, Tally], None] | None = None,
) -> Calibration:
    """Grade the labelled answers (the first `limit` of them) twice with `settings`' grader, once offline."""
    labelled = labelled_answers(bank)[:limit]
    entries = [one.entry for one in labelled]
    started = time.perf_counter()
    offline = run_batch(entries, lambda gate: OfflineGrader(), jobs=1)
    passes: list[Outcome] = []
    for _ in range(2):
        outcome = run_batch(entries, lambda gate: make_grader(settings, gate), jobs=jobs, on_result=on_result)
        passes.append(outcome)
        if outcome.stopped:
            break
    name = settings.model or "offline"
    return summarize(name, labelled, passes, offline, time.perf_counter() - started)


def results_path(grader: str) -> Path:
    return user_data_dir() / "calibration" / (re.sub(r"[^A-Za-z0-9._-]+", "_", grader) + ".json")


def save(result: Calibration) -> Path:
    path = results_path(result.grader)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(result), indent=2), encoding="utf-8")
    tmp.replace(path)
    return path


def last_calibration(grader: str) -> Calibration | None:
    """The saved calibration of `grader`, or None (never run, or unreadable)."""
    try:
        data: dict[str, Any] = json.loads(results_path(grader).read_text(encoding="utf-8"))
        return Calibration(**data)
    except (OSError, ValueError, TypeError):
        return None


def share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / whole:.0%})" if whole else "—"


def lines(result: Calibration) -> list[tuple[str, str]]:
    """(measure, value) rows, as printed by `calibrate` and summarized by `doctor`."""
    cost = f"${result.cost_usd:.4f}" if result.cost_usd is not None else "no price known"
    percent = lambda value: f"{value:.0%}" if value is not None else "—"  # noqa: E731
    return [
        ("ordering held", share(result.ordering_held, result.ordering_checks)),
        ("band hits", share(result.band_hits, result.graded)),
        ("MAE vs band centre", f"{result.mae} points" if result.mae is not None else "—"),
        ("agreement with offline", percent(result.offline_agreement) + " of item scores equal"),
        ("consistency (graded twice)", percent(result.consistency) + " of item scores equal"),
        ("tokens", f"{result.prompt_tokens:,} in / {result.completion_tokens:,} out · {cost}"),
        ("time", f"{result.seconds} s for {result.graded} of {result.answers} answers"),
    ]


def run(
    grader_model: str | None, api_base: str | None, *, as_json: bool, jobs: int | None, limit: int | None = None
) -> int:
    """The `calibrate` command: grade, print (a table or --json), save; exit 3 when the provider stopped it."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.table import Table

    from interviewer.bank.loader import BankError, load_bank
    from interviewer.config_file import SettingsError
    from interviewer.exits import EXIT_INTERRUPTED, EXIT_PROVIDER, EXIT_USAGE
    from interviewer.settings import load_settings

    console, err = Console(highlight=False), Console(stderr=True, highlight=False)
    try:
        settings = load_settings(grader={"model": grader_model, "api_base": api_base, "jobs": jobs})
        bank = load_bank(settings.bank_paths)
    except (SettingsError, BankError) as exc:
        err.print(f"Error: {exc}", markup=False)
        return EXIT_USAGE
    grader = settings.grader
    total = len(labelled_answers(bank)[:limit]) * 2
    progress = Progress(TextColumn("Calibrating"), BarColumn(), MofNCompleteColumn(), console=err, transient=True)
    task = progress.add_task("grade", total=total)
    with progress if err.is_terminal and not as_json else nullcontext():
        result = calibrate(grader, bank, jobs=grader.jobs, limit=limit, on_result=lambda r, t: progress.advance(task))
    path = save(result)
    if as_json:
        console.print_json(json.dumps(asdict(result)))
    else:
        table = Table(title=f"Calibration of {result.grader}" + (" (partial)" if result.partial else ""))
        table.add_column("Measure")
        table.add_column("Result")
        for name, value in lines(result):
            table.add_row(name, value)
        console.print(table)
        console.print(f"Saved to {path}", markup=False, soft_wrap=True)
    if result.stopped:
        why = result.error or result.stopped
        err.print(f"Stopped early: {why} (the partial result was saved)", markup=False, soft_wrap=True)
        return EXIT_PROVIDER if result.stopped == "provider" else EXIT_INTERRUPTED
    return 0
