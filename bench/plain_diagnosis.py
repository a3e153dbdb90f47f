"""Why strong answers in plain words score low offline: the stage that denies each item its credit.

Reads the meaning set's `tune` half only (the held-out half is never opened here) and, for every
plain_strong answer and every rubric item, prints the item's offline score and the first stage of
the offline detector that keeps it at 0 or 1:
  credited      the item scores 2 or 3;
  red-flag cap  a red flag detected on the item caps it at 1;
  wrong claim   a clause states the item's fact wrongly (score 0);
  names only    every evidence sentence only lists terms (at most 1);
  one sentence  one clause matches in other words but carries no explanation cue or number (1);
  eligibility   no eligible clause matches, but a clause left out (a negation word anywhere in it, or
                under MIN_CLAUSE_WORDS words) would pass the similarity test;
  flag lean     the clause closest to the item leans to a red flag on it (distinctive words or meaning);
  similarity    no clause reaches the cosine threshold for its number of shared content words
                (ALONE / MATCH / SUPPORTED_SIMILARITY in `grading/paraphrase.py`); the numbers are the
                closest clause's cosine, shared words and the threshold it needed.
Then, on the same half, how well the meaning check separates a plain strong answer's clauses from the
clauses of partial, red-flag and confidently wrong answers (AUC of the clause's best cosine to any
item, and of that cosine minus the clause's cosine to the question), beside the AUC of answer length
alone: a feature that tracks length separates the kinds of this set without judging meaning.

Usage: .venv/bin/python bench/plain_diagnosis.py [--clauses]   (--clauses: print the closest clause per item)
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass

from interviewer.bank.calibration import Kind, MeaningSet, Split, load_meaning
from interviewer.bank.loader import load_bank
from interviewer.bank.models import Question
from interviewer.grading.clauses import split_clauses
from interviewer.grading.detector import ItemMatch, detect
from interviewer.grading.paraphrase import (
    ALONE_SIMILARITY,
    MATCH_SIMILARITY,
    MIN_CLAUSE_WORDS,
    SUPPORTED_SIMILARITY,
    Support,
    eligible,
    item_texts,
)
from interviewer.grading.semantic import similarity
from interviewer.text.normalize import content_stems


def supports(question: Question, clauses: list[str]) -> dict[str, list[Support]]:
    """Every (item, clause) pair's `Support`, not only the pairs that match (`paraphrase.matching` skips the
    rest): what the diagnosis shows of a clause that fell short."""
    described = item_texts(question)
    if not clauses or not described:
        return {d.item_id: [] for d in described}
    stems = [content_stems(c) for c in clauses]
    table = {}
    for d in described:
        item, flags = similarity(clauses, d.texts), similarity(clauses, d.flag_texts) if d.flag_texts else None
        table[d.item_id] = [
            Support(
                similarity=float(item[row].max()),
                shared=len(stems[row] & d.stems),
                flag_similarity=float(flags[row].max()) if flags is not None else 0.0,
                item_words=len(stems[row] & d.item_only),
                flag_words=len(stems[row] & d.flag_only),
            )
            for row in range(len(clauses))
        ]
    return table


def needed(support: Support) -> float:
    """The cosine this clause needed to match, given the content words it shares with the item."""
    if support.shared >= 2:
        return SUPPORTED_SIMILARITY
    return MATCH_SIMILARITY if support.shared == 1 else ALONE_SIMILARITY


@dataclass(frozen=True)
class Row:
    item: str
    weight: int
    score: int
    stage: str
    numbers: str
    clause: str
    gap: float | None  # how far the closest clause's cosine falls short of its threshold


def _numbers(support: Support) -> str:
    return (
        f"cos {support.similarity:.2f} shared {support.shared} needs {needed(support):.2f} "
        f"flag-cos {support.flag_similarity:.2f}"
    )


def _passes_similarity(support: Support) -> bool:
    return support.similarity >= needed(support)


def _stage(match: ItemMatch, left_out: bool, closest: Support | None) -> str:
    if match.score >= 2:
        return "credited"
    if match.capped_by:
        return "red-flag cap"
    if match.wrong:
        return "wrong claim"
    if match.named_only:
        return "names only"
    if match.paraphrases:
        return "one sentence"
    if left_out:
        return "eligibility"
    if closest is not None and closest.states_flag and _passes_similarity(closest):
        return "flag lean"
    return "similarity"


def diagnose(question: Question, text: str) -> list[Row]:
    """One row per rubric item: its offline score, the stage that holds it back and the clause shown."""
    detection = detect(question, text)
    candidates = [c for c in split_clauses(text) if not c.named_only and len(c.text.split()) >= 2]
    table = supports(question, [c.text for c in candidates]) if candidates else {}
    rows = []
    for item in question.rubric:
        match = detection.items[item.id]
        scored = list(zip(table.get(item.id, []), candidates, strict=True))
        allowed = [(s, c) for s, c in scored if eligible(c)]
        left_out = [(s, c) for s, c in scored if not eligible(c) and _passes_similarity(s) and not s.states_flag]
        closest = max(allowed, key=lambda sc: sc[0].similarity) if allowed else None
        stage = _stage(match, bool(left_out), closest[0] if closest else None)
        shown = closest
        if stage == "one sentence":  # the clause that matched
            shown = next((sc for sc in allowed if sc[1].text == match.paraphrases[0]), closest)
        elif stage == "eligibility":  # the clause eligibility left out
            shown = max(left_out, key=lambda sc: sc[0].similarity)
        support, clause = shown if shown else (None, None)
        numbers = _numbers(support) if support else "no eligible clause"
        gap = needed(support) - support.similarity if support else None
        rows.append(Row(item.id, item.weight, match.score, stage, numbers, clause.text if clause else "", gap))
    return rows


def auc(positive: list[float], negative: list[float]) -> float:
    """Probability that a random positive value exceeds a random negative one (ties count half)."""
    if not positive or not negative:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in positive for n in negative)
    return wins / (len(positive) * len(negative))


def clause_scores(question: Question, text: str) -> tuple[list[float], list[float]]:
    """Per eligible clause: its best cosine to any item's texts, and that minus its cosine to the question."""
    clauses = [c.text for c in split_clauses(text) if eligible(c)]
    if not clauses or not question.rubric:
        return [], []
    table = supports(question, clauses)
    best = [max(row[i].similarity for row in table.values()) for i in range(len(clauses))]
    topic = similarity(clauses, [question.question])[:, 0].tolist()
    return best, [b - t for b, t in zip(best, topic, strict=True)]


def print_separation(bank, sets: list[MeaningSet]) -> None:
    cosine: dict[Kind, list[float]] = {k: [] for k in Kind}
    margin: dict[Kind, list[float]] = {k: [] for k in Kind}
    words: dict[Kind, list[float]] = {k: [] for k in Kind}
    for s in sets:
        question = bank.get(s.question)
        for kind in Kind:
            text = s.answer(kind).text
            best, over_topic = clause_scores(question, text)
            cosine[kind] += best
            margin[kind] += over_topic
            words[kind].append(len(text.split()))
    others = (Kind.partial, Kind.red_flag, Kind.confidently_wrong)
    print("\nseparation, plain_strong vs each kind (AUC; 0.5 = no separation), tune half")
    print(f"{'':44s}" + "".join(f"{k.value:>19s}" for k in others))
    for label, values in (
        ("clause: best cosine to an item", cosine),
        ("clause: that cosine minus cosine to question", margin),
        ("answer: word count alone", words),
    ):
        print(f"{label:44s}" + "".join(f"{auc(values[Kind.plain_strong], values[k]):>19.2f}" for k in others))
    print("mean words per answer: " + ", ".join(f"{k.value} {sum(words[k]) / len(words[k]):.0f}" for k in Kind))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clauses", action="store_true", help="print the closest eligible clause per item")
    args = parser.parse_args()
    bank = load_bank()
    sets = [s for s in load_meaning() if s.split is Split.tune]
    stages: Counter[str] = Counter()
    weights: Counter[str] = Counter()
    gaps: list[float] = []
    print(f"tune half, plain_strong answers ({len(sets)} questions); min clause words {MIN_CLAUSE_WORDS}")
    print(f"{'question':34s} {'item':24s} {'w':>2s} {'score':>5s}  {'stage':13s} numbers (of the clause shown)")
    for s in sets:
        for row in diagnose(bank.get(s.question), s.answer(Kind.plain_strong).text):
            stages[row.stage] += 1
            if row.stage == "similarity" and row.gap is not None:
                gaps.append(row.gap)
            weights[row.stage] += row.weight
            where = f"{s.question[:34]:34s} {row.item[:24]:24s} {row.weight:>2d} {row.score:>5d}"
            print(f"{where}  {row.stage:13s} {row.numbers}")
            if args.clauses and row.clause:
                print(f"{'':67s}| {row.clause[:100]}")
    total = sum(stages.values())
    if gaps:
        gaps.sort()
        median = gaps[len(gaps) // 2]
        print(f"\nsimilarity stage, {len(gaps)} items: the closest clause's cosine falls short of its threshold")
        print(f"by {median:.2f} (median; range {gaps[0]:.2f}-{gaps[-1]:.2f})")
    print("\nitems per stage: " + ", ".join(f"{k} {v}/{total} (weight {weights[k]})" for k, v in stages.most_common()))
    print_separation(bank, sets)


if __name__ == "__main__":
    main()
