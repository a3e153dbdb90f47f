"""Whether an evidence quote supports the rubric item it is offered for, whichever grader offered it.

A quote supports an item when the sentence of the answer it comes from states one of the item's
signals or says what the item looks for in other words, by the same meaning check the
offline grader credits (`grading/paraphrase.py`), with the learned model's "touches on" for the answer and the
item where only other words back it. Merely occurring in the answer is not enough.
Whether the sentence states the item's fact the right way round is the claims check's job: its
verdict reaches every grade through the red-flag and wrong-fact caps of the assessment.
"""

from __future__ import annotations

from functools import lru_cache

from interviewer.bank.models import Question, RubricItem
from interviewer.grading.clauses import names_only, split_clauses
from interviewer.grading.paraphrase import eligible, matching
from interviewer.grading.reference import touches_on
from interviewer.text.normalize import find_phrase, phrase_key, tokens
from interviewer.text.screen import split_sentences


def quote_sentences(answer: str, quote: str) -> list[str]:
    """The sentences of `answer` that the first verbatim occurrence of `quote` overlaps."""
    at = answer.find(quote)
    if at < 0 or not quote:
        return []
    end = at + len(quote)
    return [answer[a:b] for a, b in split_sentences(answer) if a < end and b > at]


_sentence_tokens = lru_cache(maxsize=1024)(tokens)  # the guard checks one sentence against several items


def _states_signal(item: RubricItem, sentence: str) -> bool:
    toks = _sentence_tokens(sentence)
    return any(find_phrase(toks, phrase_key(signal)) is not None for signal in item.signals)


def _says_in_other_words(question: Question, item: RubricItem, sentence: str) -> bool:
    if not any(i.id == item.id for i in question.rubric):
        return False  # derived items (reference answers) are judged by their words only
    clauses = [c.text for c in split_clauses(sentence) if eligible(c)]
    if not clauses:
        return False
    return bool(matching(question, clauses)[item.id])


def supporting(question: Question, item: RubricItem, answer: str, quotes: list[str]) -> list[str]:
    """The quotes (verbatim in `answer`) whose sentence supports `item`. Support in other words alone also needs
    the answer to touch on the item by the learned model, as the offline grader's credit does."""
    kept = []
    backed: bool | None = None  # asked once, and only when a quote has no signal of the item
    for quote in quotes:
        sentences = quote_sentences(answer, quote)
        if any(_states_signal(item, s) for s in sentences):
            kept.append(quote)
        elif any(_says_in_other_words(question, item, s) for s in sentences):
            if backed is None:
                backed = touches_on(question, answer, item.id)[0]
            if backed:
                kept.append(quote)
    return kept


def only_named(answer: str, quotes: list[str]) -> bool:
    """True when every sentence the quotes come from only lists terms (at most 'named only')."""
    sentences = [s for q in quotes for s in quote_sentences(answer, q)]
    return bool(sentences) and all(names_only(s) for s in sentences)
