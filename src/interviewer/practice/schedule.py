"""The drill schedule: every (question, rubric item) ever graded, as an FSRS card replayed from its grades.

The card states are replayed from the history database's grades, so they are always consistent with the
sessions. A replay costs about 40 µs a review in FSRS, so its result is cached under a digest of the grades
it was replayed from (and of this code and FSRS's): a new grade is a new replay, never a stale schedule.
An item score maps to a rating: 0 again, 1 hard, 2 good, 3 easy; a question answered after a hint, or
skipped, rates all its items "again".
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from interviewer import cache
from interviewer.history import queries
from interviewer.history.queries import ItemReview

if TYPE_CHECKING:
    from fsrs import Rating, Scheduler

SOLID_STABILITY_DAYS = 7.0  # an item FSRS expects to be recalled a week on is "solid"


def rating(score: int, *, hinted: bool, skipped: bool) -> Rating:
    """The FSRS rating of one item grade (0-3)."""
    from fsrs import Rating  # FSRS is imported to replay grades only: a cached schedule needs none of it

    return Rating.Again if hinted or skipped else (Rating.Again, Rating.Hard, Rating.Good, Rating.Easy)[score]


@dataclass(frozen=True)
class ItemSchedule:
    question_id: str
    item_id: str
    name: str  # the item's latest display name
    due: datetime  # from the FSRS card the grades were replayed into
    stability: float | None  # the card's: days over which FSRS expects the item to be recalled
    reviews: int
    last_score: int
    last_hinted: bool
    last_skipped: bool

    def is_due(self, now: datetime) -> bool:
        return self.due <= now

    def mastery(self, now: datetime) -> str:
        """due, learning (not due, but its memory is short) or solid (FSRS stability of a week or more)."""
        if self.is_due(now):
            return "due"
        return "solid" if (self.stability or 0.0) >= SOLID_STABILITY_DAYS else "learning"

    def why(self) -> str:
        """Why it is scheduled as it is, in a few words."""
        if self.last_skipped:
            return "skipped last time"
        hint = " after a hint" if self.last_hinted else ""
        return f"last scored {self.last_score}/3{hint}"


def _scheduler() -> Scheduler:
    """FSRS without minute-long learning steps (practice sessions are hours or days apart), and without fuzz:
    the same history always gives the same schedule. "Again" on a new item brings it back the next day."""
    from fsrs import Scheduler

    return Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def _when(text: str) -> datetime:
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@functools.cache
def _replayer_digest() -> str:
    """This code and FSRS's, found without importing FSRS (a cached schedule does not need it)."""
    return cache.cache_key(Path(__file__).read_bytes(), *cache.package_code("fsrs"))


def build_schedule(reviews: Iterable[ItemReview]) -> dict[tuple[str, str], ItemSchedule]:
    """One schedule per (question id, item id), from its grades in time order (from the cache when replayed before)."""
    reviews = list(reviews)
    key = cache.cache_key(_replayer_digest(), json.dumps(reviews))  # tuples: dumped as lists, quickly
    return cache.through("schedules", key, lambda: _replay(reviews), dump=_to_json, load=_from_json)


def history_schedule(db: sqlite3.Connection) -> dict[tuple[str, str], ItemSchedule]:
    """`build_schedule` of the database's item reviews. Cached under the database's content token too, so an
    unchanged history is not read grade by grade (thousands of rows) only to find its schedule in the cache."""
    # the reviews also depend on the query that reads them: its code is part of the key
    key = cache.cache_key(_replayer_digest(), Path(queries.__file__).read_bytes(), queries.content_token(db))
    replayed = lambda: build_schedule(queries.item_reviews(db))  # noqa: E731
    return cache.through("history-schedules", key, replayed, dump=_to_json, load=_from_json)


def _to_json(schedules: dict[tuple[str, str], ItemSchedule]) -> str:
    return json.dumps([{**asdict(s), "due": s.due.isoformat()} for s in schedules.values()])


def _from_json(text: str) -> dict[tuple[str, str], ItemSchedule]:
    schedules = [ItemSchedule(**{**entry, "due": datetime.fromisoformat(entry["due"])}) for entry in json.loads(text)]
    return {(s.question_id, s.item_id): s for s in schedules}


def _replay(reviews: list[ItemReview]) -> dict[tuple[str, str], ItemSchedule]:
    from fsrs import Card

    scheduler = _scheduler()
    cards: dict[tuple[str, str], Card] = {}
    schedules: dict[tuple[str, str], ItemSchedule] = {}
    for review in reviews:
        key = (review.question_id, review.item_id)
        previous = schedules.get(key)
        card = cards.get(key) or Card(card_id=len(cards) + 1)  # an id: Card() sleeps 1 ms to make one
        grade = rating(review.score, hinted=review.hints > 0, skipped=review.skipped)
        card, _ = scheduler.review_card(card, grade, review_datetime=_when(review.graded_at))
        cards[key] = card
        schedules[key] = ItemSchedule(
            question_id=review.question_id,
            item_id=review.item_id,
            name=review.item_name,
            due=card.due,
            stability=card.stability,
            reviews=(previous.reviews if previous else 0) + 1,
            last_score=review.score,
            last_hinted=review.hints > 0,
            last_skipped=review.skipped,
        )
    return schedules
