"""Choose the questions for an interview: filtered, categories mixed, easier to harder.

What the candidate's history says comes in as plain data (`History`): questions asked in their last sessions
are left for when nothing else fits, and `--focus weak` puts the weakest topics first. Within that, a round
draws from its own (first) round type before the others it allows, a senior round of three or more holds a
hard question, and a junior round takes hard ones only when nothing else is left.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from interviewer.bank.models import Difficulty, Question, Round


class PlanError(ValueError):
    pass


# Not ML engineering: a mixed round leaves them out unless a topic asks for them.
ASKED_BY_NAME_ONLY = frozenset({Round.backend_apis})
SENIOR_HARD_FROM = 3  # a senior round of this many questions includes a hard one


@dataclass(frozen=True)
class History:
    """What the planner knows about the candidate."""

    recent: frozenset[str] = frozenset()  # question ids asked in the last sessions (avoided)
    weak_topics: tuple[str, ...] = ()  # weakest first; questions on them come first (`--focus weak`)


def _mixed(questions: list[Question], count: int, rng: random.Random) -> list[Question]:
    """Up to `count` questions, one per topic before any topic gets a second."""
    by_topic: dict[str, list[Question]] = defaultdict(list)
    for question in sorted(questions, key=lambda q: q.id):
        by_topic[question.topic].append(question)
    groups = list(by_topic.values())
    for group in groups:
        rng.shuffle(group)
    rng.shuffle(groups)
    picked: list[Question] = []
    while len(picked) < count and any(groups):
        for group in groups:
            if group and len(picked) < count:
                picked.append(group.pop())
    return picked


def _in_round(question: Question, rounds: list[Round] | None, topics: list[str] | None) -> bool:
    if rounds:
        return question.round in rounds
    return bool(topics) or question.round not in ASKED_BY_NAME_ONLY


def _tier(question: Question, rounds: list[Round] | None, level: str, history: History) -> tuple[int, int, int, int]:
    weak = history.weak_topics
    return (
        question.id in history.recent,
        weak.index(question.topic) if question.topic in weak else len(weak),
        bool(rounds) and question.round is not rounds[0],
        level == "junior" and question.difficulty is Difficulty.hard,
    )


def _with_a_hard_one(picked: list[Question], pool: list[Question], tiers: dict[str, tuple]) -> list[Question]:
    """`picked` with its least preferred question swapped for the most preferred hard one, if it has none."""
    if any(q.difficulty is Difficulty.hard for q in picked):
        return picked
    chosen = {q.id for q in picked}
    hard = [q for q in pool if q.difficulty is Difficulty.hard and q.id not in chosen]
    if not hard:
        return picked
    best = min(hard, key=lambda q: (tiers[q.id], q.id))
    return [*picked[:-1], best]


def plan_questions(
    questions: Iterable[Question],
    *,
    rounds: list[Round] | None,
    level: str,
    count: int,
    topics: list[str] | None = None,
    seed: int | None = None,
    history: History | None = None,
) -> list[Question]:
    history = history or History()
    pool = [
        q
        for q in questions
        if _in_round(q, rounds, topics)
        and level in q.levels
        and (not topics or any(t.lower() in (q.topic.lower(), q.id.lower()) for t in topics))
    ]
    if not pool:
        wanted = ", ".join(r.value for r in rounds) if rounds else "any round"
        raise PlanError(f"no questions for {wanted} at level {level}" + (f" on {', '.join(topics)}" if topics else ""))
    rng = random.Random(seed)
    tiers = {q.id: _tier(q, rounds, level, history) for q in pool}
    picked: list[Question] = []
    for tier in sorted(set(tiers.values())):
        picked += _mixed([q for q in pool if tiers[q.id] == tier], count - len(picked), rng)
        if len(picked) >= count:
            break
    if level == "senior" and count >= SENIOR_HARD_FROM:
        picked = _with_a_hard_one(picked, pool, tiers)
    order = {q.id: i for i, q in enumerate(picked)}
    return sorted(picked, key=lambda q: (q.difficulty.rank, order[q.id]))


def plan_loop(
    questions: Iterable[Question],
    stages: list[tuple[str, list[Round]]],
    *,
    level: str,
    per_round: int,
    topics: list[str] | None = None,
    seed: int | None = None,
    history: History | None = None,
) -> tuple[list[Question], list[str]]:
    """Questions for several rounds in turn, no question twice; returns the plan and each one's round."""
    pool = list(questions)
    plan: list[Question] = []
    segments: list[str] = []
    for name, rounds in stages:
        used = {q.id for q in plan}
        chosen = plan_questions(
            [q for q in pool if q.id not in used],
            rounds=rounds,
            level=level,
            count=per_round,
            topics=topics,
            seed=seed,
            history=history,
        )
        plan.extend(chosen)
        segments.extend([name] * len(chosen))
    return plan, segments
