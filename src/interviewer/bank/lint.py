"""Quality checks on a bank beyond the schema: things that make a question weaker, not invalid."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from interviewer.bank.facts import fact_problems
from interviewer.bank.loader import Bank
from interviewer.text.normalize import content_stems, phrase_key

NEAR_DUPLICATE = 0.8  # Jaccard similarity of the questions' content words
MAX_NEAR_DUPLICATES = 50  # pairs reported at most: a pack with more has a bigger problem than any one pair
MIN_TOTAL_WEIGHT, MAX_TOTAL_WEIGHT = 3, 20


def lint(bank: Bank) -> list[str]:
    problems: list[str] = []
    for q in bank.questions.values():
        where = f"{bank.origins[q.id].name}: question {q.id!r}"
        problems.extend(f"{where}: {problem}" for problem in fact_problems(q))
        targeted = {f.targets for f in q.follow_ups}
        for item in q.rubric:
            if item.id not in targeted:
                problems.append(f"{where}: rubric item {item.id!r} is targeted by no follow-up")
        for owner, signals in [(i.id, i.signals) for i in q.rubric] + [(f.id, f.signals) for f in q.red_flags]:
            for signal in signals:
                if not phrase_key(signal):
                    problems.append(f"{where}: signal {signal!r} of {owner!r} can never match")
        if q.rubric:
            weights = [i.weight for i in q.rubric]
            if max(weights) > 3 * min(weights) and len(weights) > 2:
                problems.append(f"{where}: weights {weights} are lopsided (largest over 3x the smallest)")
            if not MIN_TOTAL_WEIGHT <= sum(weights) <= MAX_TOTAL_WEIGHT:
                problems.append(
                    f"{where}: weights sum to {sum(weights)}, outside {MIN_TOTAL_WEIGHT}-{MAX_TOTAL_WEIGHT}"
                )
    problems.extend(
        f"questions {a!r} and {b!r} are near-duplicates"
        for a, b in near_duplicates({q.id: content_stems(q.question) for q in bank.questions.values()})
    )
    return problems


def near_duplicates(words: dict[str, set[str]], threshold: float = NEAR_DUPLICATE) -> list[tuple[str, str]]:
    """Pairs of ids whose word sets have Jaccard similarity >= threshold, at most MAX_NEAR_DUPLICATES of them.

    Prefix filtering (Chaudhuri et al. 2006) keeps this near-linear: with each set's words ordered rarest
    first, two sets that similar must share a word among the first |s| - ceil(threshold * |s|) + 1 of each,
    so only ids sharing a rare word are compared, never all pairs. The result is exact up to the cap."""
    frequency = Counter(word for ws in words.values() for word in ws)
    index: dict[str, list[str]] = defaultdict(list)
    found: list[tuple[str, str]] = []
    for qid in sorted(words, key=lambda q: len(words[q])):
        ordered = sorted(words[qid], key=lambda w: (frequency[w], w))
        prefix = ordered[: len(ordered) - math.ceil(threshold * len(ordered)) + 1] if ordered else []
        candidates = {other for word in prefix for other in index[word]}
        for other in sorted(candidates):
            union = words[qid] | words[other]
            if len(words[qid] & words[other]) >= threshold * len(union):
                found.append(tuple(sorted((other, qid))))  # type: ignore[arg-type]
                if len(found) >= MAX_NEAR_DUPLICATES:
                    return sorted(found)
        for word in prefix:
            index[word].append(qid)
    return sorted(found)
