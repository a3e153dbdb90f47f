"""Which questions a drill asks: the ones whose rubric items are due, then the weakest, and what each aims at."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from interviewer.bank.outline import Outline
from interviewer.practice.schedule import ItemSchedule

DEFAULT_DRILL_QUESTIONS = 3


@dataclass(frozen=True)
class DrillQuestion:
    question_id: str
    focus: list[ItemSchedule]  # the items the follow-ups aim at: the due ones, or else the weakest
    items: list[ItemSchedule]  # every scheduled item of the question


@dataclass(frozen=True)
class DrillPlan:
    chosen: list[DrillQuestion]
    later: list[ItemSchedule]  # scheduled items not drilled now, soonest due first
    removed: list[str]  # question ids with a schedule that are no longer in the bank (skipped)

    def focus(self) -> dict[str, list[str]]:
        return {d.question_id: [i.item_id for i in d.focus] for d in self.chosen}


def _focus(items: list[ItemSchedule], now: datetime) -> list[ItemSchedule]:
    due = [i for i in items if i.is_due(now)]
    if due:
        return sorted(due, key=lambda i: (i.last_score, i.due))
    weakest = min(i.last_score for i in items)
    return [i for i in items if i.last_score == weakest]


def _urgency(items: list[ItemSchedule], now: datetime) -> tuple:
    """Questions with due items first (the weakest due item, then the longest overdue), then the weakest."""
    due = [i for i in items if i.is_due(now)]
    if due:
        return (0, min(i.last_score for i in due), min(i.due for i in due))
    return (1, min(i.last_score for i in items), min(i.due for i in items))


def plan_drill(schedule: Iterable[ItemSchedule], bank: Outline, *, now: datetime, count: int) -> DrillPlan:
    """`bank`: the rubric item ids of each question in the bank (`bank_outline`, `outline_of`)."""
    by_question: dict[str, list[ItemSchedule]] = defaultdict(list)
    for item in schedule:
        by_question[item.question_id].append(item)
    removed = sorted(q for q in by_question if q not in bank)
    for question_id in removed:
        del by_question[question_id]
    # an item dropped from a question's rubric is no longer asked about: it is left out like a removed question
    for question_id, items in list(by_question.items()):
        by_question[question_id] = [i for i in items if i.item_id in bank[question_id]]
        if not by_question[question_id]:
            del by_question[question_id]
    ranked = sorted(by_question, key=lambda q: (_urgency(by_question[q], now), q))[:count]
    chosen = [DrillQuestion(q, _focus(by_question[q], now), by_question[q]) for q in ranked]
    drilled = {(d.question_id, i.item_id) for d in chosen for i in d.focus}
    later = sorted(
        (i for items in by_question.values() for i in items if (i.question_id, i.item_id) not in drilled),
        key=lambda i: (i.due, i.question_id, i.item_id),
    )
    return DrillPlan(chosen, later, removed)
