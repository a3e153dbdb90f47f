"""What `review progress` draws: scores over time, item mastery from the schedule, and what to work on next."""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from interviewer.bank.outline import Outline
from interviewer.history import queries
from interviewer.practice.plan import plan_drill
from interviewer.practice.schedule import history_schedule

MASTERY = ("due", "learning", "solid")
NEXT_UP = 3


@dataclass(frozen=True)
class NextItem:
    name: str
    question_id: str
    why: str


@dataclass(frozen=True)
class ProgressData:
    labels: list[str]  # one per graded session, oldest first: its date
    overall: list[int | None]
    topics: dict[str, list[int | None]]  # per session, None where the topic was not asked
    mastery: dict[str, int]  # rubric items due, learning, solid
    next_up: list[NextItem]


def progress_data(db: sqlite3.Connection, bank: Outline, now: datetime) -> ProgressData:
    scores = queries.session_scores(db)
    names = sorted({topic for s in scores for topic in s.topics})
    schedule = history_schedule(db)
    counts = Counter(item.mastery(now) for item in schedule.values())
    plan = plan_drill(schedule.values(), bank, now=now, count=NEXT_UP)
    return ProgressData(
        labels=[s.created_at[5:16].replace("T", " ") for s in scores],
        overall=[s.overall for s in scores],
        topics={name: [s.topics.get(name) for s in scores] for name in names},
        mastery={state: counts.get(state, 0) for state in MASTERY},
        next_up=[NextItem(d.focus[0].name, d.question_id, d.focus[0].why()) for d in plan.chosen],
    )
