"""Quality checks on a bank beyond the schema: things that make a question weaker, not invalid."""

from __future__ import annotations

from itertools import combinations

from interviewer.bank.loader import Bank
from interviewer.text.normalize import content_stems, phrase_key

NEAR_DUPLICATE = 0.8  # Jaccard similarity of the questions' content words
MIN_TOTAL_WEIGHT, MAX_TOTAL_WEIGHT = 3, 20


def lint(bank: Bank) -> list[str]:
    problems: list[str] = []
    for q in bank.questions.values():
        where = f"{bank.origins[q.id].name}: question {q.id!r}"
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
    stems = {q.id: content_stems(q.question) for q in bank.questions.values()}
    for a, b in combinations(sorted(stems), 2):
        union = stems[a] | stems[b]
        if union and len(stems[a] & stems[b]) / len(union) >= NEAR_DUPLICATE:
            problems.append(f"questions {a!r} and {b!r} are near-duplicates")
    return problems
