"""Paraphrase credit: which clauses of an answer say what a rubric item looks for, in any words.

Each authored rubric item is described by its name, the strong-answer parts that carry its signals
and its claims' wording; each red flag by its text, signals and claims. A clause matches an item when
its meaning (cosine of static wordllama embeddings, `grading/semantic.py`) is close to the item's
texts AND it shares content words with them (cosine alone tracks topic, not polarity) AND it does not
lean towards a red flag on the same item (more of the flag's distinctive words than the item's, or
closer in meaning when neither) AND it is not negated. The clause is the evidence, verbatim.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from interviewer.bank.derived import memo_per_question
from interviewer.bank.models import Claim, Question, RubricItem
from interviewer.grading.clauses import Clause
from interviewer.text.normalize import STOPWORDS, Token, content_stems, find_phrase, phrase_key, tokens
from interviewer.text.patterns import guarded
from interviewer.text.screen import split_sentences

if TYPE_CHECKING:
    import numpy as np

ALONE_SIMILARITY = 0.7  # cosine to the item's closest text that counts as the same meaning on its own
MATCH_SIMILARITY = 0.58  # cosine that counts when the clause shares a content word with the item
SUPPORTED_SIMILARITY = 0.45  # lower cosine that counts when the clause shares two content words with the item
FLAG_MARGIN = 0.03  # with no distinctive words either way, a clause this much closer to a red flag states it
MIN_CLAUSE_WORDS = 4

_NEGATED = guarded(
    r"\b(not|never|no|don't|dont|doesn't|isn't|aren't|avoid|avoids|instead of|rather than|without|wrong|"
    r"mistake|shouldn't|won't|can't|cannot)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ItemTexts:
    """What one rubric item (and the red flags that undermine it) say, embedded once per question."""

    item_id: str
    texts: list[str]
    stems: frozenset[str]  # content words of the item's texts that the question itself does not use
    flag_texts: list[str]
    item_only: frozenset[str]  # content words of the item's texts that its red flags never use
    flag_only: frozenset[str]  # and the other way round: the words that say the mistake
    # The item as one reference text for the learned model: its name and strong-answer parts. Not its claims'
    # phrase pairs nor the signal list: the model was fitted on reference sentences, and fragments appended to
    # them lowered the match of plain-words answers (strong answers >= 70 on the tune half: 9 -> 8 of 12).
    reference: str
    plain_reference: str  # the same from the plain-words outline's lines ("" when it has none for the item)


def _claim_texts(claims: list[Claim]) -> list[str]:
    return [f"{claim.about[0]} {holds}" for claim in claims for holds in claim.holds]


def _strong_parts(question: Question) -> list[tuple[str, int]]:
    """The strong answer's parts (sentences, and pieces between ";" or a dash), each with its line's index."""
    parts = []
    for n, line in enumerate(question.strong_answer):
        for start, end in split_sentences(line):
            pieces = re.split(r";|\s-\s|\s–\s", line[start:end])
            parts.extend((p.strip(" -"), n) for p in pieces if p.strip(" -"))
    return parts


def _item_texts(question: Question) -> list[ItemTexts]:
    parts = [(part, n, tokens(part)) for part, n in _strong_parts(question)]
    echo = content_stems(question.question)
    out = []
    for item in question.rubric:
        hits = [(text, n) for text, n, toks in parts if any(find_phrase(toks, phrase_key(s)) for s in item.signals)]
        related = [text for text, _ in hits]
        texts = [item.name, *related, *_claim_texts(item.claims), ", ".join(item.signals)]
        flags = [f for f in question.red_flags if f.item == item.id]
        flag_texts = [t for f in flags for t in (f.text, *f.signals, *_claim_texts(f.claims))]
        stems = frozenset(content_stems(" ".join([item.name, *related, *item.signals])) - echo)
        flag_stems = frozenset(content_stems(" ".join(flag_texts)))
        reference = ". ".join([item.name, *related])
        plain_lines = (
            [question.plain_answer[n] for n in dict.fromkeys(n for _, n in hits)] if question.plain_answer else []
        )
        plain = " ".join([f"{item.name}.", *plain_lines]) if plain_lines else ""
        out.append(
            ItemTexts(item.id, texts, stems, flag_texts, stems - flag_stems, flag_stems - stems, reference, plain)
        )
    return out


def item_texts(question: Question) -> list[ItemTexts]:
    """The texts each authored rubric item is compared with (memoised per question)."""
    return memo_per_question("paraphrase-texts", question, _item_texts)


@dataclass(frozen=True)
class Support:
    """How well one clause says what one item looks for."""

    similarity: float
    shared: int  # content words shared with the item's texts
    flag_similarity: float
    item_words: int  # content words only the item's texts use
    flag_words: int  # content words only its red flags use

    @property
    def states_flag(self) -> bool:
        """Closer to a red flag on the item than to the item: by its distinctive words, then by meaning."""
        if self.flag_words != self.item_words:
            return self.flag_words > self.item_words
        return self.flag_similarity > self.similarity + FLAG_MARGIN

    @property
    def matches(self) -> bool:
        if self.states_flag:
            return False
        if self.similarity >= ALONE_SIMILARITY or (self.similarity >= MATCH_SIMILARITY and self.shared >= 1):
            return True
        return self.similarity >= SUPPORTED_SIMILARITY and self.shared >= 2


_LEAST_SIMILARITY = min(ALONE_SIMILARITY, MATCH_SIMILARITY, SUPPORTED_SIMILARITY)  # below it nothing matches


@dataclass(frozen=True)
class _References:
    """One question's item texts embedded once, a row per distinct text, and which rows each item compares with."""

    described: list[ItemTexts]
    vectors: np.ndarray  # unit vectors, one row per distinct text
    item_rows: np.ndarray  # every item's text rows, item after item
    item_starts: np.ndarray  # where each item's rows begin in `item_rows`
    flag_rows: list[np.ndarray]  # per item, the rows of its red flags' texts


def _references(question: Question) -> _References:
    import numpy as np

    from interviewer.grading.semantic import embed

    described = item_texts(question)
    every = sorted({t for d in described for t in (*d.texts, *d.flag_texts)})
    index = {t: i for i, t in enumerate(every)}

    def rows(texts: list[str]) -> np.ndarray:
        return np.array([index[t] for t in texts], dtype=np.intp)

    starts = np.cumsum([0, *(len(d.texts) for d in described[:-1])], dtype=np.intp)
    item_rows = np.concatenate([rows(d.texts) for d in described])
    return _References(described, embed(every), item_rows, starts, [rows(d.flag_texts) for d in described])


def matching(
    question: Question, clauses: list[str], stems: Callable[[int], set[str]] | None = None
) -> dict[str, list[tuple[float, int]]]:
    """For every authored item, the clauses that say what it looks for, as (similarity, clause index) in clause
    order; `stems(i)` gives clause i's content stems when the caller has them at hand."""
    described = item_texts(question)
    if not clauses or not described:
        return {d.item_id: [] for d in described}
    import numpy as np

    from interviewer.grading.semantic import embed

    refs = memo_per_question("paraphrase-references", question, _references)
    sims = embed(clauses) @ refs.vectors.T
    best = np.maximum.reduceat(sims[:, refs.item_rows], refs.item_starts, axis=1)  # clause x item: closest text
    out: dict[str, list[tuple[float, int]]] = {d.item_id: [] for d in described}
    # compared as the Python floats `Support` holds; a clause below the lowest threshold matches nothing
    for row, k in zip(*np.nonzero(best.astype(np.float64) >= _LEAST_SIMILARITY), strict=True):
        d, flag_rows = refs.described[k], refs.flag_rows[k]
        words = stems(row) if stems is not None else content_stems(clauses[row])
        similarity = float(best[row, k])
        support = Support(
            similarity=similarity,
            shared=len(words & d.stems),
            flag_similarity=float(sims[row, flag_rows].max()) if len(flag_rows) else 0.0,
            item_words=len(words & d.item_only),
            flag_words=len(words & d.flag_only),
        )
        if support.matches:
            out[d.item_id].append((similarity, int(row)))
    return out


def eligible(clause: Clause) -> bool:
    """Clauses that can earn paraphrase credit: statements of a few words, not negated, not bare terms."""
    return not clause.named_only and len(clause.text.split()) >= MIN_CLAUSE_WORDS and not _NEGATED.search(clause.text)


def _stems_of(toks: list[Token], clauses: list[Clause]) -> Callable[[int], set[str]]:
    """Clause i's content stems, from the one tokenisation of the whole answer."""
    starts = [t.start for t in toks]

    def stems(i: int) -> set[str]:
        lo, hi = bisect_left(starts, clauses[i].start), bisect_left(starts, clauses[i].end)
        return {t.norm for t in toks[lo:hi] if t.norm not in STOPWORDS and len(t.norm) > 2}

    return stems


def paraphrase_matches(question: Question, parts: list[Clause], toks: list[Token]) -> dict[str, list[Clause]]:
    """The clauses of an answer (its `split_clauses`, tokenised as `toks`) that match each authored rubric item in
    meaning (best first)."""
    clauses = [c for c in parts if eligible(c)]
    found: dict[str, list[Clause]] = {}
    if not clauses or not question.rubric:
        return found
    for item_id, hits in matching(question, [c.text for c in clauses], _stems_of(toks, clauses)).items():
        if hits:
            found[item_id] = [clauses[i] for _, i in sorted(hits, reverse=True)]
    return found


def relates(question: Question, item: RubricItem, clause: str) -> bool:
    """Whether `clause` (a quote's sentence) says what `item` looks for, by the same meaning check."""
    return bool(matching(question, [clause]).get(item.id))
