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
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from fsrs import Card, Rating, Scheduler

from interviewer import cache
from interviewer.history.queries import ItemReview

_RATINGS = (Rating.Again, Rating.Hard, Rating.Good, Rating.Easy)
SOLID_STABILITY_DAYS = 7.0  # an item FSRS expects to be recalled a week on is "solid"


def rating(score: int, *, hinted: bool, skipped: bool) -> Rating:
    """The FSRS rating of one item grade (0-3)."""
    return Rating.Again if hinted or skipped else _RATINGS[score]


@dataclass(frozen=True)
class ItemSchedule:
    question_id: str
    item_id: str
    name: str  # the item's latest display name
    card: Card
    reviews: int
    last_score: int
    last_hinted: bool
    last_skipped: bool

    @property
    def due(self) -> datetime:
        return self.card.due

    def is_due(self, now: datetime) -> bool:
        return self.card.due <= now

    def mastery(self, now: datetime) -> str:
        """due, learning (not due, but its memory is short) or solid (FSRS stability of a week or more)."""
        if self.is_due(now):
            return "due"
        return "solid" if (self.card.stability or 0.0) >= SOLID_STABILITY_DAYS else "learning"

    def why(self) -> str:
        """Why it is scheduled as it is, in a few words."""
        if self.last_skipped:
            return "skipped last time"
        hint = " after a hint" if self.last_hinted else ""
        return f"last scored {self.last_score}/3{hint}"


def _scheduler() -> Scheduler:
    """FSRS without minute-long learning steps (practice sessions are hours or days apart), and without fuzz:
    the same history always gives the same schedule. "Again" on a new item brings it back the next day."""
    return Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def _when(text: str) -> datetime:
    when = datetime.fromisoformat(text)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@functools.cache
def _replayer_digest() -> str:
    return cache.cache_key(Path(__file__).read_bytes(), Path(sys.modules[Scheduler.__module__].__file__).read_bytes())


def build_schedule(reviews: Iterable[ItemReview]) -> dict[tuple[str, str], ItemSchedule]:
    """One schedule per (question id, item id), from its grades in time order (from the cache when replayed before)."""
    reviews = list(reviews)
    key = cache.cache_key(_replayer_digest(), "\n".join(map(repr, reviews)))
    if (cached := cache.read("schedules", key)) is not None:
        try:
            return _from_json(cached)
        except (ValueError, KeyError, TypeError):
            pass  # a damaged entry: replay, and the entry is written again
    cards = _replay(reviews)
    cache.write("schedules", key, json.dumps([{**asdict(s), "card": s.card.to_dict()} for s in cards.values()]))
    return cards


def _from_json(text: str) -> dict[tuple[str, str], ItemSchedule]:
    schedules = [ItemSchedule(**{**entry, "card": Card.from_dict(entry["card"])}) for entry in json.loads(text)]
    return {(s.question_id, s.item_id): s for s in schedules}


def _replay(reviews: list[ItemReview]) -> dict[tuple[str, str], ItemSchedule]:
    scheduler = _scheduler()
    cards: dict[tuple[str, str], ItemSchedule] = {}
    for review in reviews:
        key = (review.question_id, review.item_id)
        previous = cards.get(key)
        card = previous.card if previous else Card(card_id=len(cards) + 1)  # an id: Card() sleeps 1 ms to make one
        grade = rating(review.score, hinted=review.hints > 0, skipped=review.skipped)
        card, _ = scheduler.review_card(card, grade, review_datetime=_when(review.graded_at))
        cards[key] = ItemSchedule(
            question_id=review.question_id,
            item_id=review.item_id,
            name=review.item_name,
            card=card,
            reviews=(previous.reviews if previous else 0) + 1,
            last_score=review.score,
            last_hinted=review.hints > 0,
            last_skipped=review.skipped,
        )
    return cards
