"""Which of a question's facts a clarifying question asks about, and whether its facts are well-formed.

A fact answers a request when every content word of one of its `about` entries appears in the request,
compared as the project normalizer's stems ("latencies" asks about "latency", "labelled" about "labels"),
a compound counting for the word it starts with ("dataset" asks about "data").
"""

from __future__ import annotations

from interviewer.bank.models import Fact, Question, Round
from interviewer.text.normalize import content_stems

# Rounds whose questions set a scene with numbers a candidate may ask for (scale, latency, data size).
FACT_ROUNDS = frozenset({Round.system_design, Round.applied_ml, Round.production_mlops})


MIN_COMPOUND_HEAD = 4  # characters a word needs to count as the head of a compound ("data" in "dataset")


def _asks_about(asked: set[str], about: str) -> bool:
    stems = content_stems(about)
    return bool(stems) and all(
        any(word == stem or (len(stem) >= MIN_COMPOUND_HEAD and word.startswith(stem)) for word in asked)
        for stem in stems
    )


def matching_facts(question: Question, request: str) -> list[Fact]:
    asked = content_stems(request)
    return [fact for fact in question.facts if any(_asks_about(asked, about) for about in fact.about)]


def fact_problems(question: Question) -> list[str]:
    """What makes a question's facts unusable for /clarify (empty when they are fine)."""
    problems = []
    if question.round in FACT_ROUNDS and not question.facts:
        problems.append(f"a {question.round.value.replace('_', ' ')} question has no facts for /clarify")
    seen: dict[frozenset[str], int] = {}
    for n, fact in enumerate(question.facts, start=1):
        for about in fact.about:
            stems = frozenset(content_stems(about))
            if not stems:
                problems.append(f"fact {n}: about word {about!r} can never match a request")
            elif stems in seen and seen[stems] != n:
                problems.append(f"fact {n}: about word {about!r} is also fact {seen[stems]}'s")
            else:
                seen[stems] = n
    return problems
