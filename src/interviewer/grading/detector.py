"""The offline rubric detector: which items an answer covers, how deeply, with verbatim quotes.

Scoring anchors (0-3), applied per rubric item from the distinct signals the answer hits:
  0  no signal of the item
  1  one signal, named only
  2  two signals, or one with an explanation ("because", "so that", ...) or a number in its sentence
  3  three or more signals with trade-off or specific language (numbers, "but", "latency", ...),
     or two signals whose sentences carry both an explanation and such language
A clause that says what the item looks for in other words (`grading/paraphrase.py`) counts as one
more signal (two such sentences at most), its sentence joining the ones checked for explanation and
depth. An item whose every evidence sentence only lists terms (`grading/clauses.py`) is named only (1).
An answer that, as a whole, clearly states what the question's strong answer says, by the learned
reference model at its own "clearly states" cut (`reference.whole_match`, fitted on SemEval train, not
on this bank), and states no known mistake (no red flag, no fact stated wrongly), scores 3 on every item it
touches on by the same model (at its "touches on" cut, against the item's name and strong-answer parts) and
does not only name: a strong answer in plain words
shares too few words with any one item for the checks above. One that as a whole only "states" it (the
middle cut) and states no known mistake scores each item it states at the model's level for that item,
quoted by the clause closest to it unless that clause is another credited item's evidence. An item found
only in other words (no signal, no claim) keeps that credit only when the model finds the answer touches on
it: static embeddings put a wrong statement on the item's topic close to the item.
A red flag that names the item caps it at 1; a clause stating the item's facts wrongly (its claims'
`wrong` forms, or its `holds` denied) scores it 0. A signal inside a negation does not count.

Items derived from a reference answer (a question with no rubric) are scored by the learned reference
grader instead (`grading/reference.py`), with the answer's closest clause as the quote.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field

from interviewer.bank.derived import effective_rubric, vocabulary
from interviewer.bank.models import Question, RedFlag, RubricItem
from interviewer.grading.claims import ClaimHit, find_claims
from interviewer.grading.clauses import Clause as AnswerClause
from interviewer.grading.clauses import keyword_list_share, names_only, split_clauses
from interviewer.grading.paraphrase import paraphrase_matches
from interviewer.grading.reference import (
    closest_clause,
    item_match,
    load_model,
    prepare,
    reference_verdicts,
    touches_on,
    whole_match,
)
from interviewer.text.normalize import content_stems, find_phrase, phrase_key, tokens
from interviewer.text.patterns import guarded
from interviewer.text.polarity import Clause, asserted, clauses, names_hazard
from interviewer.text.screen import Screen, screen_answer, strip_injections

_EXPLAIN = guarded(
    r"\b(because|since|so that|so we|which means|meaning|otherwise|in order to|that way|the reason|"
    r"this means|to avoid|to prevent|to make sure|which lets|which gives|helps?|ensures?|prevents?)\b",
    re.IGNORECASE,
)
_DEPTH = guarded(
    r"(\d|\b(trade-?offs?|but|however|whereas|instead|versus|vs|at the cost|cost|expensive|cheaper|latency|"
    r"throughput|memory|in production|p9\d|edge case|downside|risk|depends|alternatively|on the other hand|"
    r"i measured|we measured|i owned|i built|i decided)\b)",
    re.IGNORECASE,
)
_SPECIFIC = re.compile(r"\d")  # a number next to the idea: a measured, specific claim
MAX_QUOTE = 220
MAX_PARAPHRASE_SIGNALS = 2  # sentences said in other words that count towards an item's signals
KEYWORD_LIST_SHARE = 0.8  # an answer with this share of its words in bare term lists is a keyword list
Span = tuple[int, int]


@dataclass
class ItemMatch:
    item: RubricItem
    signals: list[str] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    score: int = 0
    quotes: list[str] = field(default_factory=list)
    capped_by: list[str] = field(default_factory=list)
    paraphrases: list[str] = field(default_factory=list)  # clauses that say the item in other words
    named_only: bool = False  # every evidence sentence only lists terms
    wrong: list[str] = field(default_factory=list)  # quotes of clauses stating the item's facts wrongly
    reason: str = ""  # set when the scorer explains the score itself (the reference grader)

    @property
    def covered(self) -> bool:
        return self.score > 0


@dataclass
class Detection:
    items: dict[str, ItemMatch]
    red_flags: list[RedFlag]
    keyword_list: bool = False  # the answer as a whole is a list of terms
    wrong_items: list[str] = field(default_factory=list)  # items whose facts a clause states wrongly

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


def _said(
    toks: list, phrase: str, text: str, parts: list[Clause], *, hazard_ok: bool = False, claim: bool = False
) -> Span | None:
    """The first occurrence of `phrase` that is not denied ("I avoid class weights"); with `hazard_ok`, a
    denied hazard counts too ("to avoid leakage" still names leakage); as a `claim`, not in a question."""
    key, rest = phrase_key(phrase), toks
    while (span := find_phrase(rest, key)) is not None:
        if (hazard_ok and names_hazard(phrase)) or asserted(text, span, phrase, parts, claim=claim):
            return span
        rest = [t for t in rest if t.start >= span[1]]
    return None


def _red_flags(
    question: Question, toks: list, present: set[str], text: str, parts: list[Clause], found: list[ClaimHit]
) -> list[RedFlag]:
    """Flags whose claims a clause asserts, or whose signals occur outside a negation ("never oversample ...");
    `present` are the norms of `toks` (a signal matches only where all its words occur)."""
    stated = {hit.owner for hit in found if hit.red_flag and hit.asserted}
    return [
        flag
        for flag in question.red_flags
        if flag.id in stated
        or any(
            present.issuperset(phrase_key(s)) and _said(toks, s, text, parts, claim=True) is not None
            for s in flag.signals
        )
    ]


def _add_claims(match: ItemMatch, found: list[ClaimHit], toks: list) -> bool:
    """Count what each clause asserting one of the item's claims says as a signal; True if any does
    (a clause stating the fact explains it, so the item scores at least 2)."""
    stated = False
    for hit in found:
        if hit.owner == match.item.id and not hit.red_flag and hit.asserted:
            stated = True
            inside = [t for t in toks if hit.clause[0] <= t.start < hit.clause[1]]
            span = find_phrase(inside, phrase_key(hit.said))
            if span is not None and hit.said not in match.signals and span not in match.spans:
                match.signals.append(hit.said)
                match.spans.append(span)
    return stated


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
    pieces = split_clauses(text)
    sentences = [c.sentence for c in pieces if c.whole_sentence]
    parts = clauses(text)
    found = find_claims(question, text, toks, parts)
    present = {t.norm for t in toks}  # a signal matches only where all its words occur: skip the others
    flags = _red_flags(question, toks, present, text, parts, found)
    wrong = {hit.owner: hit.clause for hit in found if not hit.asserted}
    capped = {flag.item: flag.id for flag in flags if flag.item}
    paraphrased = {} if derived else paraphrase_matches(question, pieces, toks)
    if not derived:
        prepare(question)
    verdicts = reference_verdicts(question, text, effective_rubric(question)) if derived else {}
    keyword_list = keyword_list_share(pieces) >= KEYWORD_LIST_SHARE
    items: dict[str, ItemMatch] = {}
    leads: dict[str, list[str]] = {}
    for item in effective_rubric(question):
        match = ItemMatch(item=item)
        leads[item.id] = [verdicts[item.id].quote] if derived and verdicts[item.id].quote else []
        for signal in item.signals:
            if not present.issuperset(phrase_key(signal)):
                continue
            span = _said(toks, signal, text, parts, hazard_ok=True)
            if span is not None and span not in match.spans:
                match.signals.append(signal)
                match.spans.append(span)
        stated = _add_claims(match, found, toks)
        hit_sentences = {_sentence_of(text, sentences, span) for span in match.spans}
        extra = [c for c in paraphrased.get(item.id, []) if c.sentence not in hit_sentences]
        if extra and not match.signals and not stated:
            extra = _backed(question, text, match, extra)
        other_sentences = list(dict.fromkeys(c.sentence for c in extra))[:MAX_PARAPHRASE_SIGNALS]
        match.paraphrases = [c.text for c in extra if c.sentence in other_sentences]
        evidence = sorted(hit_sentences | set(other_sentences))
        sentence_texts = [text[a:b] for a, b in evidence]
        if derived:
            verdict = verdicts[item.id]
            match.score, match.reason = verdict.score, verdict.reason
        else:
            match.score = _score(len(match.signals) + len(other_sentences), sentence_texts, text)
            match.score = max(match.score, 2) if stated else match.score
            match.named_only = bool(sentence_texts) and all(names_only(s) for s in sentence_texts)
            if match.named_only:
                match.score = min(match.score, 1)
        if item.id in capped and match.score > 1:
            match.score = 1
            match.capped_by.append(capped[item.id])
        if item.id in wrong:
            match.score = 0
            match.wrong.append(quote_around(text, wrong[item.id], wrong[item.id]))
        items[item.id] = match
    if not derived and not keyword_list:
        _credit_whole_answer(question, text, items, leads, mistaken=bool(flags or wrong))
    for item_id, match in items.items():
        match.quotes = _quotes(text, sentences, match, lead=leads[item_id])
    return Detection(items=items, red_flags=flags, keyword_list=keyword_list, wrong_items=sorted(wrong))


def _backed(question: Question, text: str, match: ItemMatch, extra: list[AnswerClause]) -> list[AnswerClause]:
    """An item found only in other words keeps those clauses when the learned model finds the answer touches on
    what the item says (its "touches on" cut); a clause on the item's topic that says something else about it
    ("since bias is always bad" for the definitions) earns nothing, and the reason says so."""
    backed, probability = touches_on(question, text, match.item.id)
    if backed:
        return extra
    match.reason = (
        f"Not credited: the answer is on this topic, but does not say what a strong answer says about it "
        f"(reference match {probability:.2f})."
    )
    return []


def _credit_whole_answer(
    question: Question, text: str, items: dict[str, ItemMatch], leads: dict[str, list[str]], *, mistaken: bool
) -> None:
    """Credit, from the learned model, what the answer says in its own words about items the checks above left
    open (not only named, stated wrongly or undermined by a red flag), in an answer that states no known mistake
    (`mistaken`: a red flag or a fact stated wrongly; static embeddings put a wrong statement close to the right
    one, so a fluent wrong answer can match the strong answer as a whole). One that as a whole clearly states
    the strong answer scores 3 on every item it touches on; one that as a whole states it (the model's middle
    cut) scores each item it states at the model's level for that item. An item with no evidence of its own is
    quoted by the answer's clause closest to it."""
    open_items = [m for m in items.values() if m.score < 3 and not (m.named_only or m.capped_by or m.wrong)]
    if not open_items or mistaken:
        return
    model = load_model()
    whole = whole_match(question, text)
    clearly = model.level(whole) == 3
    if model.level(whole) < 2:
        return
    matched = {m.item.id: item_match(question, text, m.item.id) for m in open_items}
    for match in sorted(open_items, key=lambda m: -matched[m.item.id][0]):
        own, reference = matched[match.item.id]
        level = model.level(own)
        score = 3 if clearly and level >= 1 else level if level >= 2 else 0
        if score <= match.score:
            continue
        lead = None if match.spans or match.paraphrases else closest_clause(text, reference)
        if lead is not None and not clearly and _backs_another(text, lead, match, items, leads):
            continue
        match.score = score
        match.reason = f"{'Explained with depth' if score == 3 else 'Explained'} in the answer's own words: " + (
            f"as a whole it says what a strong answer says (reference match {whole:.2f})."
            if clearly
            else f"it states what a strong answer says about this (reference match {own:.2f})."
        )
        if lead is not None:
            leads[match.item.id] = [lead]


def _backs_another(
    text: str, clause: str, match: ItemMatch, items: dict[str, ItemMatch], leads: dict[str, list[str]]
) -> bool:
    """Whether `clause` is already the evidence of another credited item (holds one of its signals, or overlaps
    a clause that says it in other words): the closest clause to an item is then often about that other one."""
    start = text.find(clause)
    end = start + len(clause)
    for other in items.values():
        if other is match or other.score < 2:
            continue
        if any(start <= a < end for a, _ in other.spans):
            return True
        for said in [*other.paraphrases, *leads[other.item.id]]:
            at = text.find(said)
            if at < end and start < at + len(said):
                return True
    return False


def _quotes(
    text: str, sentences: list[tuple[int, int]], match: ItemMatch, *, lead: list[str], limit: int = 2
) -> list[str]:
    """Verbatim evidence: `lead` (the reference grader's aligned clause), the sentences holding the item's
    signals, then its clauses in other words."""
    quotes: list[str] = list(lead)
    for span in match.spans:
        quote = quote_around(text, _sentence_of(text, sentences, span), span)
        if quote and quote not in quotes:
            quotes.append(quote)
    for clause in match.paraphrases:
        if clause not in quotes and not any(clause in q for q in quotes):
            quotes.append(clause[:MAX_QUOTE].strip())
    return quotes[:limit]


def screen_for(question: Question, text: str, asked: str | None = None) -> Screen:
    """Screen an answer against this question's vocabulary and signals, and the follow-up line it answers."""
    graded, _ = strip_injections(text)
    detection = detect(question, graded)
    hit = bool(detection.covered() or detection.red_flags)
    related = None if hit or not graded.strip() else _relatedness(question, graded, asked)
    return screen_answer(
        text, vocabulary(question), signal_hit=hit, asked=content_stems(asked or ""), relatedness=related
    )


def _relatedness(question: Question, text: str, asked: str | None) -> float:
    """Meaning similarity of `text` to the question, the line asked and the rubric items' names."""
    from interviewer.grading.semantic import similarity

    references = [question.question, *(item.name for item in effective_rubric(question)), *([asked] if asked else [])]
    return float(similarity([text], references).max())
