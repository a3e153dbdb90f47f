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
from dataclasses import dataclass

from interviewer.bank.derived import memo_per_question
from interviewer.bank.models import Claim, Question, RubricItem
from interviewer.grading.clauses import Clause, split_clauses
from interviewer.text.normalize import STOPWORDS, Token, content_stems, find_phrase, phrase_key, tokens
from interviewer.text.screen import split_sentences

ALONE_SIMILARITY = 0.7  # cosine to the item's closest text that counts as the same meaning on its own
MATCH_SIMILARITY = 0.58  # cosine that counts when the clause shares a content word with the item
SUPPORTED_SIMILARITY = 0.45  # lower cosine that counts when the clause shares two content words with the item
FLAG_MARGIN = 0.03  # with no distinctive words either way, a clause this much closer to a red flag states it
MIN_CLAUSE_WORDS = 4

_NEGATED = re.compile(
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


def _claim_texts(claims: list[Claim]) -> list[str]:
    return [f"{claim.about[0]} {holds}" for claim in claims for holds in claim.holds]


def _strong_parts(question: Question) -> list[str]:
    parts = []
    for line in question.strong_answer:
        for start, end in split_sentences(line):
            parts.extend(p.strip(" -") for p in re.split(r";|\s-\s|\s–\s", line[start:end]) if p.strip(" -"))
    return parts


def _item_texts(question: Question) -> list[ItemTexts]:
    parts = [(part, tokens(part)) for part in _strong_parts(question)]
    echo = content_stems(question.question)
    out = []
    for item in question.rubric:
        related = [text for text, toks in parts if any(find_phrase(toks, phrase_key(s)) for s in item.signals)]
        texts = [item.name, *related, *_claim_texts(item.claims), ", ".join(item.signals)]
        flags = [f for f in question.red_flags if f.item == item.id]
        flag_texts = [t for f in flags for t in (f.text, *f.signals, *_claim_texts(f.claims))]
        stems = frozenset(content_stems(" ".join([item.name, *related, *item.signals])) - echo)
        flag_stems = frozenset(content_stems(" ".join(flag_texts)))
        out.append(ItemTexts(item.id, texts, stems, flag_texts, stems - flag_stems, flag_stems - stems))
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


def _matrix(rows: list[str], cols: list[str]):
    from interviewer.grading.semantic import embed, embed_cached

    return embed(rows) @ embed_cached(cols).T


def supports(question: Question, clauses: list[str], stems: list[set[str]] | None = None) -> dict[str, list[Support]]:
    """For every authored item, one `Support` per clause (clause order kept); `stems` their content stems."""
    described = item_texts(question)
    if not clauses or not described:
        return {d.item_id: [] for d in described}
    every = sorted({t for d in described for t in (*d.texts, *d.flag_texts)})
    index = {t: i for i, t in enumerate(every)}
    sims = _matrix(clauses, every)
    stems = stems if stems is not None else [content_stems(c) for c in clauses]
    out: dict[str, list[Support]] = {}
    for d in described:
        best = sims[:, [index[t] for t in d.texts]].max(axis=1).tolist()  # per clause, its closest item text
        flag_cols = [index[t] for t in d.flag_texts]
        best_flag = sims[:, flag_cols].max(axis=1).tolist() if flag_cols else [0.0] * len(clauses)
        out[d.item_id] = [
            Support(
                similarity=best[row],
                shared=len(stems[row] & d.stems),
                flag_similarity=best_flag[row],
                item_words=len(stems[row] & d.item_only),
                flag_words=len(stems[row] & d.flag_only),
            )
            for row in range(len(clauses))
        ]
    return out


def eligible(clause: Clause) -> bool:
    """Clauses that can earn paraphrase credit: statements of a few words, not negated, not bare terms."""
    return not clause.named_only and len(clause.text.split()) >= MIN_CLAUSE_WORDS and not _NEGATED.search(clause.text)


def _clause_stems(toks: list[Token], clauses: list[Clause]) -> list[set[str]]:
    """Each clause's content stems, from the one tokenisation of the whole answer."""
    starts = [t.start for t in toks]
    out = []
    for clause in clauses:
        lo, hi = bisect_left(starts, clause.start), bisect_left(starts, clause.end)
        out.append({t.norm for t in toks[lo:hi] if t.norm not in STOPWORDS and len(t.norm) > 2})
    return out


def paraphrase_matches(question: Question, text: str, toks: list[Token]) -> dict[str, list[Clause]]:
    """The clauses of `text` (tokenised as `toks`) that match each authored rubric item in meaning (best first)."""
    clauses = [c for c in split_clauses(text) if eligible(c)]
    found: dict[str, list[Clause]] = {}
    if not clauses or not question.rubric:
        return found
    table = supports(question, [c.text for c in clauses], _clause_stems(toks, clauses))
    for item_id, row in table.items():
        hits = sorted((s.similarity, i) for i, s in enumerate(row) if s.matches)
        if hits:
            found[item_id] = [clauses[i] for _, i in reversed(hits)]
    return found


def relates(question: Question, item: RubricItem, clause: str) -> bool:
    """Whether `clause` (a quote's sentence) says what `item` looks for, by the same meaning check."""
    table = supports(question, [clause])
    row = table.get(item.id)
    return bool(row) and row[0].matches
