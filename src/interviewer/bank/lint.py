"""Quality checks on a bank beyond the schema: things that make a question weaker, not invalid."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from interviewer.bank.facts import fact_problems
from interviewer.bank.loader import Bank
from interviewer.bank.models import Claim, Question
from interviewer.text.normalize import STOPWORDS, content_stems, find_phrase, phrase_key, tokens
from interviewer.text.polarity import clauses

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
        problems.extend(f"{where}: {problem}" for problem in claim_problems(q))
        problems.extend(f"{where}: {problem}" for problem in example_problems(q))
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


def example_problems(question: Question) -> list[str]:
    """Marked answers that contradict each other: the same words (as content stems) accepted and rejected."""
    first: dict[frozenset[str], str] = {}
    marks: dict[frozenset[str], set[bool]] = defaultdict(set)
    for example in question.examples:
        key = frozenset(content_stems(example.answer))
        first.setdefault(key, example.answer)
        marks[key].add(example.accepted)
    return [
        f"marked answer {first[key]!r} is both accepted and rejected" for key, seen in marks.items() if len(seen) == 2
    ]


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


def _said_plainly(about: str, phrase: str) -> bool:
    """Whether the clause "<about> <phrase>" reads as stating `phrase` of `about` (no negation swallows it)."""
    text = f"{about} {phrase}"
    toks, parts = tokens(text), clauses(text)
    said, subject = find_phrase(toks, phrase_key(phrase)), find_phrase(toks, phrase_key(about))
    if said is None or subject is None or len(parts) != 1:
        return False
    return not parts[0].negates(said, phrase=phrase) and not parts[0].negates(subject, phrase=phrase, own=said)


def _claim_problems(owner: str, claim: Claim, red_flag: bool) -> list[str]:
    problems = []
    for phrase in [*claim.about, *claim.holds, *claim.wrong]:
        if not phrase_key(phrase):
            problems.append(f"claim phrase {phrase!r} of {owner!r} can never match")
    for term in claim.about:
        if phrase_key(term) and set(phrase_key(term)) <= STOPWORDS:
            problems.append(f"claim about-term {term!r} of {owner!r} is only stopwords, so it matches almost anything")
    wrong = {phrase_key(w) for w in claim.wrong}
    for phrase in claim.holds:
        if phrase_key(phrase) and phrase_key(phrase) in wrong:
            problems.append(f"claim of {owner!r} lists {phrase!r} both as holding and as wrong")
    if red_flag and claim.wrong:
        problems.append(f"claim of red flag {owner!r} lists `wrong` phrases, which a red flag never uses")
    about = next((term for term in claim.about if phrase_key(term)), None)
    for phrase in [*claim.holds, *claim.wrong] if about else []:
        if phrase_key(phrase) and not _said_plainly(about, phrase):
            problems.append(f"claim phrase {phrase!r} of {owner!r} is unreachable: '{about} {phrase}' denies it")
    return problems


def claim_problems(question: Question) -> list[str]:
    """Claims that are malformed (empty or stopword terms, a phrase both holding and wrong) or unreachable."""
    owned = [(item.id, claim, False) for item in question.rubric for claim in item.claims]
    owned += [(flag.id, claim, True) for flag in question.red_flags for claim in flag.claims]
    return [problem for owner, claim, red_flag in owned for problem in _claim_problems(owner, claim, red_flag)]
