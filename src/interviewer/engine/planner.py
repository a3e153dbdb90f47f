"""Choose the questions for an interview: filtered, categories mixed, easier to harder."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable

from interviewer.bank.models import Question, Round


class PlanError(ValueError):
    pass


def plan_questions(
    questions: Iterable[Question],
    *,
    rounds: list[Round] | None,
    level: str,
    count: int,
    topics: list[str] | None = None,
    seed: int | None = None,
) -> list[Question]:
    pool = [
        q
        for q in questions
        if (not rounds or q.round in rounds)
        and level in q.levels
        and (not topics or any(t.lower() in (q.topic.lower(), q.id.lower()) for t in topics))
    ]
    if not pool:
        wanted = ", ".join(r.value for r in rounds) if rounds else "any round"
        raise PlanError(f"no questions for {wanted} at level {level}" + (f" on {', '.join(topics)}" if topics else ""))
    rng = random.Random(seed)
    by_topic: dict[str, list[Question]] = defaultdict(list)
    for question in sorted(pool, key=lambda q: q.id):
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
) -> tuple[list[Question], list[str]]:
    """Questions for several rounds in turn, no question twice; returns the plan and each one's round."""
    pool = list(questions)
    plan: list[Question] = []
    segments: list[str] = []
    for name, rounds in stages:
        used = {q.id for q in plan}
        chosen = plan_questions(
            [q for q in pool if q.id not in used], rounds=rounds, level=level, count=per_round, topics=topics, seed=seed
        )
        plan.extend(chosen)
        segments.extend([name] * len(chosen))
    return plan, segments
