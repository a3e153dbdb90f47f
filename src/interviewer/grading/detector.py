"""The offline rubric detector: which items an answer covers, how deeply, with verbatim quotes.

Scoring anchors (0-3), applied per rubric item from the distinct signals the answer hits:
  0  no signal of the item
  1  one signal, named only
  2  two signals, or one with an explanation ("because", "so that", ...) or a number in its sentence
  3  three or more signals with trade-off or specific language (numbers, "but", "latency", ...),
     or two signals whose sentences carry both an explanation and such language
A red flag that names the item caps it at 1.

Items derived from a reference answer (a question with no rubric) are scored by the learned reference
grader instead (`grading/reference.py`), with the answer's closest clause as the quote.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field

from interviewer.bank.derived import effective_rubric, vocabulary
from interviewer.bank.models import Question, RedFlag, RubricItem
from interviewer.grading.reference import reference_verdicts
from interviewer.text.normalize import find_phrase, phrase_key, tokens
from interviewer.text.screen import Screen, screen_answer, split_sentences, strip_injections

_EXPLAIN = re.compile(
    r"\b(because|since|so that|so we|which means|meaning|otherwise|in order to|that way|the reason|"
    r"this means|to avoid|to prevent|to make sure|which lets|which gives|helps?|ensures?|prevents?)\b",
    re.IGNORECASE,
)
_DEPTH = re.compile(
    r"(\d|\b(trade-?offs?|but|however|whereas|instead|versus|vs|at the cost|cost|expensive|cheaper|latency|"
    r"throughput|memory|in production|p9\d|edge case|downside|risk|depends|alternatively|on the other hand|"
    r"i measured|we measured|i owned|i built|i decided)\b)",
    re.IGNORECASE,
)
_SPECIFIC = re.compile(r"\d")  # a number next to the idea: a measured, specific claim
MAX_QUOTE = 220


@dataclass
class ItemMatch:
    item: RubricItem
    signals: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    score: int = 0
    quotes: list[str] = field(default_factory=list)
    capped_by: list[str] = field(default_factory=list)
    reason: str = ""  # set when the scorer explains the score itself (the reference grader)

    @property
    def covered(self) -> bool:
        return self.score > 0


@dataclass
class Detection:
    items: dict[str, ItemMatch]
    red_flags: list[RedFlag]

    def covered(self) -> set[str]:
        return {item_id for item_id, match in self.items.items() if match.covered}


def _sentence_of(text: str, sentences: list[tuple[int, int]], span: tuple[int, int]) -> tuple[int, int]:
    for start, end in sentences:
        if start <= span[0] < end:
            return start, end
    return span


def quote_around(text: str, sentence: tuple[int, int], span: tuple[int, int]) -> str:
    """A verbatim slice of `text`: the sentence holding `span`, trimmed to MAX_QUOTE characters."""
    start, end = sentence
    if end - start > MAX_QUOTE:
        middle = (span[0] + span[1]) // 2
        start = max(start, middle - MAX_QUOTE // 2)
        end = min(end, start + MAX_QUOTE)
        while start > sentence[0] and not text[start - 1].isspace():
            start += 1
        while end < sentence[1] and not text[end].isspace():
            end -= 1
    return text[start:end].strip()


def _score(signals: int, sentence_texts: list[str], whole: str) -> int:
    if signals == 0:
        return 0
    explained = any(_EXPLAIN.search(s) for s in sentence_texts)
    deep = any(_DEPTH.search(s) for s in sentence_texts)
    if signals >= 3 and (deep or explained or _DEPTH.search(whole)):
        return 3
    if signals >= 2:
        return 3 if deep and explained else 2
    return 2 if explained or _SPECIFIC.search(" ".join(sentence_texts)) else 1


_NEGATION = re.compile(
    r"\b(not|never|no|don't|dont|avoid|instead of|rather than|without|wrong to|mistake|shouldn't)\b", re.I
)


def _asserted(text: str, span: tuple[int, int]) -> bool:
    """False when the clause leading up to `span` negates it ("never oversample before the split")."""
    clause = re.split(r"[.;:!?,\n]", text[: span[0]])[-1]
    return not _NEGATION.search(clause)


def _red_flags(question: Question, toks: list, text: str) -> list[RedFlag]:
    hits = []
    for flag in question.red_flags:
        spans = [find_phrase(toks, phrase_key(s)) for s in flag.signals]
        if any(span is not None and _asserted(text, span) for span in spans):
            hits.append(flag)
    return hits


_RECENT: OrderedDict[tuple[int, str], tuple[Question, Detection]] = OrderedDict()
_RECENT_LIMIT = 64


def detect(question: Question, text: str) -> Detection:
    """What `text` covers of `question`'s rubric (memoised for the last few answers; treat as read-only)."""
    key = (id(question), text)
    hit = _RECENT.get(key)
    if hit is not None and hit[0] is question:
        _RECENT.move_to_end(key)
        return hit[1]
    detection = _detect(question, text)
    _RECENT[key] = (question, detection)
    if len(_RECENT) > _RECENT_LIMIT:
        _RECENT.popitem(last=False)
    return detection


def _detect(question: Question, text: str) -> Detection:
    derived = not question.rubric
    toks = tokens(text)
    sentences = split_sentences(text)
    flags = _red_flags(question, toks, text)
    capped = {flag.item: flag.id for flag in flags if flag.item}
    rubric = effective_rubric(question)
    verdicts = reference_verdicts(question, text, rubric) if derived else {}
    items: dict[str, ItemMatch] = {}
    for item in rubric:
        match = ItemMatch(item=item)
        for signal in item.signals:
            span = find_phrase(toks, phrase_key(signal))
            if span is not None and span not in match.spans:
                match.signals.append(signal)
                match.spans.append(span)
        hit_sentences = sorted({_sentence_of(text, sentences, span) for span in match.spans})
        sentence_texts = [text[a:b] for a, b in hit_sentences]
        if derived:
            verdict = verdicts[item.id]
            match.score, match.reason = verdict.score, verdict.reason
            match.quotes = [verdict.quote] if verdict.quote else []
        else:
            match.score = _score(len(match.signals), sentence_texts, text)
        if item.id in capped and match.score > 1:
            match.score = 1
            match.capped_by.append(capped[item.id])
        for span in match.spans:
            quote = quote_around(text, _sentence_of(text, sentences, span), span)
            if quote and quote not in match.quotes:
                match.quotes.append(quote)
            if len(match.quotes) == 2:
                break
        items[item.id] = match
    return Detection(items=items, red_flags=flags)


def screen_for(question: Question, text: str) -> Screen:
    """Screen an answer against this question's vocabulary and signals."""
    graded, _ = strip_injections(text)
    detection = detect(question, graded)
    return screen_answer(text, vocabulary(question), signal_hit=bool(detection.covered() or detection.red_flags))
