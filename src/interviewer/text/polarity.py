"""Clauses and negation scope: whether a phrase in an answer is asserted or denied.

A clause is a stretch of one sentence that makes one statement: sentences split on ";" and on
contrast words ("but", "whereas", "while", "although", "however", ...). Inside a clause a negation
cue ("not", "never", "no", "avoid", "without", "instead of", "unlike", "it's a mistake to" ...)
denies what follows it up to the next comma or linking word ("because", "so", "which", "and I" ...):
"I never oversample before the split" denies oversampling before the split, "I avoid class weights"
denies class weights. A cue inside the phrase itself ("no need for a TTL") is part of what is said.
A clause that calls what it describes a mistake ("scaling before the split would leak") denies it too.
"No matter" and avoiding a hazard ("to avoid leakage", "without overfitting") deny nothing; "not only
X but Y" denies X only as a claim (see `Clause.negates`). A question asserts nothing as a claim, and
neither does one asked inside a statement: after a colon in inverted order ("I'd check first: can the
same element be used twice, is there one answer") or after "ask whether" ("I'd ask whether it can be
used twice"), up to the next step ("and then", ", I ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from interviewer.text.patterns import guarded

_CONTRAST = re.compile(
    r";|\s[-\u2013\u2014]\s|,?\s+\b(?:but|whereas|while|whilst|although|though|however|yet)\b|"
    r"^\s*(?:but|whereas|while|although|though|however)\b",
    re.IGNORECASE,
)
_CUE = guarded(
    r"\b(?:not|never|no|nor|neither|none|nobody|nothing|without|unlike|instead\s+of|rather\s+than|no\s+longer|"
    r"avoid(?:s|ed|ing)?|mistake(?:n|s)?|myth|misconception|wrong\s+to|bad\s+idea|pitfall|trap)\b|n[’']t\b|\bcannot\b",
    re.IGNORECASE,
)
_NOT_A_CUE = guarded(
    r"\b(?:not\s+(?:only|just|merely|simply)|no\s+(?:matter|doubt)|(?:whether|or|if)\s+not|not\s+sure|"
    r"never\s+(?:mind|too))\b",
    re.IGNORECASE,
)
_AVOIDING = re.compile(r"\b(?:avoid(?:s|ed|ing)?|without|no)\b", re.IGNORECASE)
_HAZARD = re.compile(
    r"\W+(?:\w+\W+){0,2}?(?:leak\w*|overfit\w*|underfit\w*|drift\w*|noise|noisy|outages?|downtime|collisions?|"
    r"bottlenecks?|skew|contamination|bugs?|regressions?|stale\w*|duplicates?|cheating|look-?ahead|peek\w*|"
    r"spikes?|failures?|deadlocks?|race\s+conditions?|surprises?|overflows?|underflows?|nans?|"
    r"log\s+of\s+zero|divi\w+\s+by\s+zero|exploding|vanishing|full\s+(?:table\s+)?scans?|whole\s+table|scans?)\b",
    re.IGNORECASE,
)
_SCOPE_END = guarded(
    r"[,;:()\u2014]|\s-\s|\b(?:but|so|because|since|which|whereas|though|although|otherwise|until|unless|"
    r"and\s+(?:i|we|you|they|it|he|she|this|that)|then\s+(?:i|we))\b",
    re.IGNORECASE,
)
_ASKED = re.compile(
    r":\s*(?=(?:can|could|is|are|should|will|would|may)\s+(?:the|a|an|it|there|we|i|you|they|this|that|these|those)\b"
    r"|(?:do|does|did)\s+(?:we|i|you|they|it)\b)"
    r"|\b(?:ask|asks|asking|clarify|clarifying|confirm|confirming|wonder|wondering)\s+(?:them\s+|the\s+\w+\s+)?"
    r"(?=whether\b|if\b)",
    re.IGNORECASE,
)
_ASKED_END = re.compile(r",?\s+(?:and\s+)?then\b|,\s*(?:and\s+|so\s+)?(?:i|we)\b|\bbefore\b", re.IGNORECASE)
_FAULT = (
    r"mistake|mistaken|bug|pitfall|trap|anti-?pattern|cheating|bad\s+idea|leakage|leaking|flawed|invalid|"
    r"misleading|myth|misconception"
)
_FAULT_WORD = re.compile(rf"\b(?:{_FAULT}|leaks?)\b", re.IGNORECASE)
_DISAVOWS = guarded(
    rf"\b(?:(?:is|are|was|were|be|it[’']s|causes?|caused|introduces?|creates?)\s+(?:\w+\s+){{0,2}}?(?:{_FAULT})"
    r"|(?:would|will|can|could|it)\s+leak|leaks)\b",
    re.IGNORECASE,
)


_SENTENCE = re.compile(r"(?:[^.!?\n]|\.(?=\d))+[.!?]*")  # "0.95" does not end a sentence
_WORD_CHAR = re.compile(r"\w")


def _sentences(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in _SENTENCE.finditer(text):
        start, end = m.start(), m.end()
        while start < end and text[start].isspace():
            start += 1
        if _WORD_CHAR.search(text, start, end):
            spans.append((start, end))
    return spans


@dataclass(frozen=True)
class Clause:
    """One clause of an answer: its span and the spans its negation cues deny."""

    start: int
    end: int
    sentence: int  # index of the sentence it belongs to
    contrasted: bool = False  # begins at a contrast word ("..., but only on the training rows")
    denied: list[tuple[int, int, int, bool]] = field(default_factory=list)  # (cue, scope start, end, soft)
    asks: bool = False  # its sentence is a question ("can the same element be used twice?"): it asserts nothing

    def negates(
        self, span: tuple[int, int], *, phrase: str = "", own: tuple[int, int] | None = None, soft: bool = False
    ) -> bool:
        """Whether a cue of this clause denies what is said at `span`.

        When `phrase` (the words being looked for) itself says a negation ("no need for a TTL") or a
        fault ("misleading"), a cue
        inside `span`, or inside `own` (the phrase a concept is said with), is part of what is said.
        `soft` also counts "not only/just X" as denying X: right for claims ("generative AI is not just
        chatbots"), wrong for crediting a named idea ("not just accuracy but recall").
        """
        says_it = _CUE.search(phrase) or _FAULT_WORD.search(phrase)
        inside = [span, *([own] if own else [])] if says_it else []
        return any(
            (start <= span[0] < end or span[0] <= cue < span[1])  # before it, or slipped between its words
            and (soft or not is_soft)
            and not any(a <= cue < b for a, b in inside)
            for cue, start, end, is_soft in self.denied
        )


def _scope_end(text: str, start: int, limit: int) -> int:
    stop = _SCOPE_END.search(text, start, limit)
    return stop.start() if stop else limit


def _denials(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    denied = []
    cues = list(_CUE.finditer(text, start, end))
    ignored = [m.span() for m in _NOT_A_CUE.finditer(text, start, end)] if cues else []
    for cue in cues:
        soft = any(a <= cue.start() < b for a, b in ignored)
        if _AVOIDING.fullmatch(cue.group(0)) and _HAZARD.match(text, cue.end(), end):
            continue  # "to avoid leakage", "without overfitting": awareness of a hazard, not a denial
        denied.append((cue.start(), cue.end(), _scope_end(text, cue.end(), end), soft))
    for word in _DISAVOWS.finditer(text, start, end):
        segment_start = max([start, *(m.end() for m in _SCOPE_END.finditer(text, start, word.start()))])
        before = text[segment_start : word.start()]
        if _WORD_CHAR.search(before) and not _CUE.search(before[-25:]) and not _AVOIDING.search(before[-12:]):
            fault = _FAULT_WORD.search(text, word.start(), word.end())
            at = fault.start() if fault else word.start()
            denied.append((at, segment_start, word.start(), False))  # "scaling first would leak"
    return denied


def _contrast_pieces(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """(start, end, whether the piece follows a contrast word rather than a sentence start or ";")."""
    pieces, last, contrasted = [], start, False
    for m in _CONTRAST.finditer(text, start, end):
        if m.start() > last:
            pieces.append((last, m.start(), contrasted))
        last, contrasted = max(last, m.end()), ";" not in m.group(0)
    pieces.append((last, end, contrasted))
    return [(a, b, c) for a, b, c in pieces if _WORD_CHAR.search(text, a, b)]


def _asked_pieces(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """(start, end, whether the piece is a question asked inside a statement)."""
    asked = _ASKED.search(text, start, end)
    if asked is None:
        return [(start, end, False)]
    stop = _ASKED_END.search(text, asked.end(), end)
    pieces = [(start, asked.end(), False), (asked.end(), stop.start() if stop else end, True)]
    if stop:
        pieces += _asked_pieces(text, stop.start(), end)
    return [(a, b, q) for a, b, q in pieces if _WORD_CHAR.search(text, a, b)]


def clauses(text: str) -> list[Clause]:
    """The clauses of `text` in order, each with its negation scopes."""
    out = []
    for number, (s_start, s_end) in enumerate(_sentences(text)):
        asks = text[s_start:s_end].rstrip().endswith("?")
        for start, end, contrasted in _contrast_pieces(text, s_start, s_end):
            for a, b, asked in _asked_pieces(text, start, end):  # only the first piece follows the contrast word
                out.append(Clause(a, b, number, contrasted and a == start, _denials(text, a, b), asks or asked))
    return out


def asserted(
    text: str, span: tuple[int, int], phrase: str, parts: list[Clause] | None = None, *, claim: bool = False
) -> bool:
    """True unless the clause holding `span` (where `phrase` matched) denies it; as a `claim`, a question
    asserts nothing either (naming an idea in a question still mentions it)."""
    for clause in parts if parts is not None else clauses(text):
        if clause.start <= span[0] < clause.end:
            return not clause.negates(span, phrase=phrase) and not (claim and clause.asks)
    return True


def names_hazard(phrase: str) -> bool:
    """Whether `phrase` names a hazard (leakage, drift, ...): saying you avoid one still shows you know it."""
    return bool(_HAZARD.match(" " + phrase))
