"""Views of a question computed from its data: the rubric to grade against and its vocabulary."""

from __future__ import annotations

from interviewer.bank.models import Question, RubricItem
from interviewer.text.normalize import STOPWORDS, content_stems, tokens
from interviewer.text.screen import split_sentences


def effective_rubric(question: Question) -> list[RubricItem]:
    """The question's rubric, or one derived from its reference answer (a sentence an item)."""
    if question.rubric:
        return list(question.rubric)
    reference = question.reference_answer or ""
    items = []
    for n, (start, end) in enumerate(split_sentences(reference), start=1):
        sentence = reference[start:end]
        words = [reference[t.start : t.end] for t in tokens(sentence)]
        keywords = sorted({w.lower() for w in words if w.lower() not in STOPWORDS and len(w) > 3})
        if keywords:
            items.append(RubricItem(id=f"ref-{n}", name=sentence.rstrip("."), weight=1, signals=keywords))
    return items


def vocabulary(question: Question) -> set[str]:
    """Content stems an on-topic answer is likely to share with the question."""
    parts = [question.question, question.topic, question.reference_answer or "", *question.strong_answer]
    for item in effective_rubric(question):
        parts.extend([item.name, *item.signals])
    parts.extend(f.prompt for f in question.follow_ups)
    return content_stems(" ".join(parts))
