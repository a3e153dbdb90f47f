"""Views of a question computed from its data: the rubric to grade against and its vocabulary.

Both are pure functions of the (immutable) question, so they are memoised per question object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from interviewer.bank.models import Question, RubricItem
from interviewer.text.normalize import STOPWORDS, content_stems, phrase_key, tokens
from interviewer.text.screen import split_sentences

T = TypeVar("T")
_MEMO: dict[tuple[str, int], tuple[Question, object]] = {}
_MEMO_LIMIT = 8192


def memo_per_question(kind: str, question: Question, compute: Callable[[Question], T]) -> T:
    """`compute(question)` once per question object (identity-checked, bounded)."""
    key = (kind, id(question))
    hit = _MEMO.get(key)
    if hit is not None and hit[0] is question:
        return hit[1]  # type: ignore[return-value]
    if len(_MEMO) >= _MEMO_LIMIT:
        _MEMO.clear()
    value = compute(question)
    _MEMO[key] = (question, value)
    return value


def _reference_keywords(sentence: str, question_stems: set[str]) -> list[str]:
    words = {sentence[t.start : t.end].lower() for t in tokens(sentence)}
    keywords = {
        w for w in words if len(w) > 2 and w not in STOPWORDS and any(p not in STOPWORDS for p in phrase_key(w))
    }
    # words that only echo the question say nothing about the answer; keep them if nothing else is left
    informative = {w for w in keywords if not set(phrase_key(w)) <= question_stems}
    return sorted(informative or keywords)


def _derive_rubric(question: Question) -> list[RubricItem]:
    if question.rubric:
        return list(question.rubric)
    reference = question.reference_answer or ""
    question_stems = content_stems(question.question)
    items = []
    for n, (start, end) in enumerate(split_sentences(reference), start=1):
        sentence = reference[start:end]
        keywords = _reference_keywords(sentence, question_stems)
        if keywords:
            items.append(RubricItem(id=f"ref-{n}", name=sentence.rstrip("."), weight=1, signals=keywords))
    return items


def effective_rubric(question: Question) -> list[RubricItem]:
    """The question's rubric, or one derived from its reference answer (a sentence an item)."""
    return list(memo_per_question("rubric", question, _derive_rubric))


def _vocabulary(question: Question) -> frozenset[str]:
    parts = [question.question, question.topic, question.reference_answer or "", *question.strong_answer]
    for item in effective_rubric(question):
        parts.extend([item.name, *item.signals])
    parts.extend(f.prompt for f in question.follow_ups)
    return frozenset(content_stems(" ".join(parts)))


def vocabulary(question: Question) -> frozenset[str]:
    """Content stems an on-topic answer is likely to share with the question."""
    return memo_per_question("vocabulary", question, _vocabulary)
