"""Claims in an answer's clauses: which facts it states, and which it states wrongly.

A claim (`bank.models.Claim`) is a concept and what is said about it. In one clause:
  asserted  one `about` term and one `holds` phrase, neither denied ("L1 gives exact zeros");
  mistaken  an undenied `about` term with an undenied `wrong` phrase ("L1 only shrinks weights"),
            or with a denied `holds` phrase ("L1 does not give exact zeros"), or, for a rubric item, with
            a `holds` phrase whose direction word is turned round ("a higher learning rate" where the
            claim holds "lower") when the clause turns no other way.
A phrase belongs to the concept named nearest to it in the clause (a comma between them counts as
far), so "L2 drives weights to exactly zero, L1 shrinks smoothly" says "exactly zero" of L2 and
"shrinks" of L1. A clause that names no concept at all, after a contrast word, borrows the one named
in the clause before it ("I fit the scaler, but only on the training rows"). For a red flag, its
claims' `holds` are the mistake: an asserted red-flag claim raises the flag. A question ("can the
same element be used twice?") states nothing, and neither does a list of terms ("L1, sparse, L2"), and a
clause that names a mistake to say what it does ("tuning on the test set inflates the estimate") warns
against it: it raises no red flag and states no fact wrongly.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from interviewer.bank.derived import memo_per_question
from interviewer.bank.models import Claim, Question
from interviewer.text.normalize import SLACK, Token, find_phrase, phrase_key, tokens
from interviewer.text.polarity import Clause, clauses

Span = tuple[int, int]


@dataclass(frozen=True)
class ClaimHit:
    """A claim found in one clause of the answer."""

    owner: str  # the rubric item or red flag id the claim belongs to
    red_flag: bool
    asserted: bool  # True: the clause states the claim; False: it states the mistake
    clause: Span  # the clause, for a verbatim quote
    about: str  # the concept term that matched
    said: str  # the holds or wrong phrase that matched


@dataclass(frozen=True)
class _Owned:
    owner: str
    red_flag: bool
    claim: Claim
    reversed: tuple[str, ...] = ()  # a `holds` phrase with its one direction word turned round


# Direction words and their opposites. A rubric claim that holds "lower" of the learning rate is stated
# wrongly by "higher" said of it, when that is the clause's only direction word: "a lower rate for the
# backbone and a higher one for the head" turns two and is left alone.
_DIRECTIONS = (
    ("lower", "higher"),
    ("low", "high"),
    ("smaller", "larger"),
    ("small", "large"),
    ("fewer", "more"),
    ("less", "more"),
    ("earlier", "later"),
    ("before", "after"),
    ("increase", "decrease"),
    ("increases", "decreases"),
    ("faster", "slower"),
    ("shorter", "longer"),
)
_OPPOSITE: dict[str, list[str]] = {}
for _one, _other in _DIRECTIONS:
    _OPPOSITE.setdefault(_one, []).append(_other)
    _OPPOSITE.setdefault(_other, []).append(_one)
_DIRECTION_NORMS = frozenset(phrase_key(word)[0] for word in _OPPOSITE)


def _reversals(claim: Claim) -> tuple[str, ...]:
    """Each `holds` phrase with its only direction word replaced by an opposite, unless the claim says that too."""
    known = {phrase_key(p) for p in (*claim.holds, *claim.wrong)}
    out = []
    for phrase in claim.holds:
        words = phrase.split()
        turning = [n for n, word in enumerate(words) if word.lower() in _OPPOSITE]
        if len(turning) != 1:
            continue
        n = turning[0]
        for opposite in _OPPOSITE[words[n].lower()]:
            swapped = " ".join([*words[:n], opposite, *words[n + 1 :]])
            if phrase_key(swapped) not in known:
                known.add(phrase_key(swapped))
                out.append(swapped)
    return tuple(out)


def _claims_of(question: Question) -> tuple[list[_Owned], list[str], dict[str, list[int]]]:
    """Every claim of the question with its owner, the concept terms they are about (sorted), and for each term
    the positions of the claims about it."""
    owned = [_Owned(item.id, False, claim, _reversals(claim)) for item in question.rubric for claim in item.claims]
    owned += [_Owned(flag.id, True, claim) for flag in question.red_flags for claim in flag.claims]
    about: dict[str, list[int]] = {}
    for position, o in enumerate(owned):
        for term in o.claim.about:
            about.setdefault(term, []).append(position)
    return owned, sorted(about), about


def _first(toks: list[Token], phrase: str, present: set[str]) -> Span | None:
    """Where `phrase` occurs: its words in order, with at most SLACK others between (order carries meaning:
    "scale, then split" is not "split, then scale"). `present` holds the norms of `toks`, for a quick no."""
    needle = phrase_key(phrase)
    if not needle or not present.issuperset(needle):
        return None
    if len(needle) == 1:
        return find_phrase(toks, needle)
    for i, token in enumerate(toks):
        if token.norm != needle[0]:
            continue
        j, at = i, 1
        while at < len(needle) and j + 1 < len(toks) and j + 1 - i < len(needle) + SLACK:
            j += 1
            if toks[j].norm == needle[at]:
                at += 1
        if at == len(needle):
            return token.start, toks[j].end
    return None


def _distance(text: str, a: Span, b: Span) -> tuple[bool, int]:
    """How far apart two phrases are: across a comma counts as farther than any distance within one."""
    lo, hi = min(a[1], b[1]), max(a[0], b[0])
    return "," in text[lo:hi], max(0, hi - lo)


# What a mistake does, said after it in the same clause: the candidate names it to warn against it.
_WARNING = re.compile(
    r"\b(?:inflat\w*|leak\w*|overfits?|overfitting|over-?optimistic|optimistic|is a mistake|is wrong|cheat\w*|"
    r"contaminat\w*|invalidat\w*|bias(?:es|ed)? (?:the|your) (?:estimate|results?|numbers?|evaluation))\b",
    re.IGNORECASE,
)
# ... unless the consequence is said to shrink: "unfreeze everything, because there is less risk of overfitting"
# praises the mistake.
_LESSENED = re.compile(
    r"\b(?:less|lower|little|no|not|never|without|fewer|avoids?|avoiding|reduces?|reducing|prevents?|preventing|"
    r"minimi[sz]es?|cuts? down)\b(?:\W+\w+){0,3}\W*$|n't\W*$",
    re.IGNORECASE,
)
_THAN = re.compile(r"\bthan\s+(?:(?:a|an|the|with|using|in)\s+)?$", re.IGNORECASE)


def _compared(text: str, phrase: Span, subject: Span) -> bool:
    """Whether the concept is what a phrase before it is compared with: in "pre-norm trains more stably than
    post-norm", "more stably" is said of pre-norm."""
    return phrase[1] <= subject[0] and _THAN.search(text, max(0, subject[0] - 20), subject[0]) is not None


_LIST_GAP = re.compile(r"[\s,;/&]*(?:(?:and|or)\b[\s,;/&]*)*", re.IGNORECASE)


def _listed(text: str, a: Span, b: Span) -> bool:
    """Whether two phrases are only items of a list ("ROC, TPR, FPR"): naming terms states nothing."""
    gap = text[min(a[1], b[1]) : max(a[0], b[0])]
    return bool(gap.strip()) and _LIST_GAP.fullmatch(gap) is not None


def _verdict(
    owned: _Owned, clause: Clause, toks: list[Token], present: set[str], subjects: dict[str, Span], text: str
) -> ClaimHit | None:
    about = [(term, subjects[term]) for term in owned.claim.about if term in subjects]
    if not about:
        return None
    mine = {phrase_key(term) for term, _ in about}

    def attributed(span: Span) -> tuple[str, Span] | None:
        """The concept this phrase is said of, if it is one of this claim's (terms inside the phrase are part of it)."""
        outside = {
            t: s for t, s in subjects.items() if not span[0] <= s[0] < span[1] and not _compared(text, span, s)
        } or subjects
        nearest = min(outside.items(), key=lambda kv: (_distance(text, kv[1], span), phrase_key(kv[0]) not in mine))
        if phrase_key(nearest[0]) not in mine:
            return None
        return next((term, s) for term, s in about if phrase_key(term) == phrase_key(nearest[0]))

    def found(phrases: list[str]) -> list[tuple[str, Span, tuple[str, Span]]]:
        out = []
        for phrase in phrases:
            span = _first(toks, phrase, present)
            subject = attributed(span) if span is not None else None
            if span is None or subject is None or _listed(text, subject[1], span):
                continue
            if not clause.negates(subject[1], phrase=phrase, own=span, soft=True):
                out.append((phrase, span, subject))
        return out

    def warned(span: Span, subject: Span) -> bool:
        """The clause names the mistake to warn of what it does ("tuning on the test set inflates the estimate")."""
        start = max(span[1], subject[1])
        warning = _WARNING.search(text, start, clause.end)
        return warning is not None and _LESSENED.search(text[start : warning.start()]) is None

    for phrase, span, subject in found(owned.claim.wrong):
        if not clause.negates(span, phrase=phrase, soft=True) and not owned.red_flag and not warned(span, subject[1]):
            return ClaimHit(owned.owner, False, False, (clause.start, clause.end), subject[0], phrase)
    for phrase, span, subject in found(owned.claim.holds):
        denied = clause.negates(span, phrase=phrase, soft=True)
        if not denied:
            if owned.red_flag and warned(span, subject[1]):
                continue
            return ClaimHit(owned.owner, owned.red_flag, True, (clause.start, clause.end), subject[0], phrase)
        if not owned.red_flag:
            return ClaimHit(owned.owner, False, False, (clause.start, clause.end), subject[0], phrase)
    if owned.reversed and len(present & _DIRECTION_NORMS) == 1:
        for phrase, span, subject in found(list(owned.reversed)):
            if not clause.negates(span, phrase=phrase, soft=True) and not warned(span, subject[1]):
                return ClaimHit(owned.owner, False, False, (clause.start, clause.end), subject[0], phrase)
    return None


def find_claims(
    question: Question, text: str, toks: list[Token] | None = None, parts: list[Clause] | None = None
) -> list[ClaimHit]:
    """Every claim of `question` (rubric items and red flags) that a clause of `text` states or states wrongly.

    `toks` and `parts` are `text`'s tokens and clauses when the caller has them already."""
    owned, terms, claims_about = memo_per_question("claims", question, _claims_of)
    if not owned:
        return []
    toks = toks if toks is not None else tokens(text)
    said = {t.norm for t in toks}
    terms = [term for term in terms if said.issuperset(phrase_key(term))]  # a term no clause can name: skipped
    hits: list[ClaimHit] = []
    carried: tuple[int, dict[str, Span]] = (-1, {})
    starts = [t.start for t in toks]
    for clause in parts if parts is not None else clauses(text):
        if clause.asks:
            continue
        inside = toks[bisect_left(starts, clause.start) : bisect_left(starts, clause.end)]
        present = {t.norm for t in inside}
        subjects = {term: span for term in terms if (span := _first(inside, term, present)) is not None}
        if subjects:
            carried = (clause.sentence, subjects)
        elif clause.contrasted and carried[0] == clause.sentence:
            subjects = {term: (clause.start, clause.start) for term in carried[1]}
        for position in sorted({p for term in subjects for p in claims_about[term]}):  # claims about a named concept
            hit = _verdict(owned[position], clause, inside, present, subjects, text)
            if hit is not None:
                hits.append(hit)
    return hits
