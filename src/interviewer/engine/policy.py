"""The follow-up policy: after each answer, what the interviewer does next.

Order of preference, within the caps (follow-ups per question, time budget per question):
  1. challenge a claim the answer made that matches a red flag or states an item's fact wrongly;
  2. probe the highest-weight rubric item not yet covered;
  3. for behavioural questions told as "we" with no numbers, ask for specifics;
  4. with no gap left to probe, go deeper, change a constraint or ask for specifics;
  5. otherwise move on.
Only authored follow-ups are used, so an offline interview asks exactly what the bank says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from interviewer.bank.models import FollowUp, Question, Round, Strategy
from interviewer.engine.actions import Move
from interviewer.engine.state import QuestionRun

_DEEPER_ORDER = (Strategy.go_deeper, Strategy.change_constraint, Strategy.ask_specifics, Strategy.challenge)


@dataclass(frozen=True)
class Assessment:
    """What the engine knows about the latest answer (computed outside the engine)."""

    covered: set[str]
    red_flag_items: set[str] = field(default_factory=set)
    wrong_items: set[str] = field(default_factory=set)  # items whose facts the answer stated wrongly (claims)


@dataclass(frozen=True)
class Decision:
    move: Move
    follow_up: FollowUp | None
    reason: str


def _available(question: Question, run: QuestionRun, level: str) -> list[FollowUp]:
    return [f for f in question.follow_ups if f.id not in run.follow_ups_asked and level in f.levels]


def _vague_ownership(answer: str) -> bool:
    words = re.findall(r"[a-z']+", answer.lower())
    we, i = words.count("we") + words.count("our"), words.count("i") + words.count("my")
    return we > i or not re.search(r"\d", answer)


def decide(
    question: Question,
    run: QuestionRun,
    assessment: Assessment,
    *,
    level: str,
    max_follow_ups: int,
    elapsed_s: float,
    last_answer: str,
    focus: frozenset[str] = frozenset(),
) -> Decision | None:
    """The next follow-up, or None to move on; gaps in `focus` (the items a drill aims at) come first."""
    if len(run.follow_ups_asked) >= max_follow_ups:
        return None
    if elapsed_s >= question.time_budget_s:
        return None
    options = _available(question, run, level)
    covered = set(run.covered) | assessment.covered

    disputed = assessment.red_flag_items | assessment.wrong_items
    for follow_up in options:
        if follow_up.strategy is Strategy.challenge and follow_up.targets in disputed:
            return Decision(Move.challenge, follow_up, f"answer stated a mistake on {follow_up.targets}")

    missing = sorted((i for i in question.rubric if i.id not in covered), key=lambda i: (i.id not in focus, -i.weight))
    for item in missing:
        targeting = [f for f in options if f.targets == item.id]
        targeting.sort(key=lambda f: f.strategy is not Strategy.probe_gap)
        if targeting:
            chosen = targeting[0]
            gap = "drilled item" if item.id in focus else "highest-weight gap"
            return Decision(Move(chosen.strategy), chosen, f"{gap}: {item.id}")

    if question.round is Round.behavioral and _vague_ownership(last_answer):
        for follow_up in options:
            if follow_up.strategy is Strategy.ask_specifics:
                return Decision(Move.ask_specifics, follow_up, "ownership told as 'we' or without numbers")

    for strategy in _DEEPER_ORDER:
        for follow_up in options:
            if follow_up.strategy is strategy:
                return Decision(Move(strategy), follow_up, "no gap left to probe: push further")
    return None
