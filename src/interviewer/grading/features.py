"""Features of an (answer, reference) pair for the learned reference grader.

Each feature is deterministic and cheap once the texts' embeddings are cached: word overlap with the
reference (recall, precision, bigrams), how much of the answer only echoes the question, meaning
similarity from wordllama (whole texts, each reference clause aligned to its best answer clause, each
reference word to its closest answer word), polarity cues (negation on one side only, an antonym of a
reference word, an aligned clause whose negation differs) and lengths. `pair_features` is the one entry
point; `FEATURE_NAMES` orders its vector, which is what `data/reference_model.json` is fitted on.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING

from interviewer.text.normalize import STOPWORDS, tokens

if TYPE_CHECKING:
    import numpy as np

FEATURE_NAMES = (
    "recall",  # share of the reference's informative stems (not echoing the question) in the answer
    "recall_all",  # share of all the reference's content stems in the answer
    "precision",  # share of the answer's content stems found in the reference
    "bigram_recall",  # share of the reference's stem bigrams in the answer
    "echo",  # share of the answer's content stems that only repeat the question
    "novel",  # share of the answer's content stems in neither the question nor the reference
    "cos_whole",  # cosine of the whole answer to the whole reference
    "cos_question",  # cosine of the whole answer to the question
    "align_min",  # the worst-covered reference clause: its best cosine to an answer clause
    "align_mean",  # mean over reference clauses of their best cosine to an answer clause
    "align_back",  # mean over answer clauses of their best cosine to a reference clause
    "soft_recall",  # mean over informative reference words of their best cosine to an answer word
    "soft_precision",  # mean over the answer's content words of their best cosine to a reference word
    "negation_mismatch",  # negation in one text and not the other
    "aligned_negation_mismatch",  # negation differs between a reference clause and its best answer clause
    "antonym",  # the answer uses the opposite of a reference word and not the word itself
    "log_length",  # log of the answer's word count
    "length_ratio",  # log of answer words over reference words
    "reference_length",  # log of the reference's word count (longer references are harder to match fully)
    "question_length",  # log of the question's word count
    "hedge",  # the answer hedges or asks ("I think", "maybe", a question mark)
)

_NEGATION = re.compile(
    r"\b(not|no|never|none|nothing|nobody|neither|nor|cannot|without|isn't|aren't|doesn't|don't|didn't|won't|"
    r"wasn't|weren't|can't|couldn't|shouldn't|wouldn't|hasn't|haven't|fails? to|unable)\b|n't\b",
    re.IGNORECASE,
)
_HEDGE = re.compile(r"\b(i think|i guess|maybe|perhaps|probably|might|not sure|i believe)\b|\?", re.IGNORECASE)
_CLAUSE = re.compile(r"[^.;:!?\n,]+|[.;:!?\n,]+")
_CLAUSE_BREAK = re.compile(r"\s+(?:because|so that|so|but|which|whereas|while|since)\s+", re.IGNORECASE)

# Opposites in ordinary and technical writing, written as words and compared as stems.
_OPPOSITES = (
    ("increase", "decrease"),
    ("increase", "reduce"),
    ("more", "less"),
    ("more", "fewer"),
    ("higher", "lower"),
    ("high", "low"),
    ("larger", "smaller"),
    ("bigger", "smaller"),
    ("large", "small"),
    ("big", "small"),
    ("faster", "slower"),
    ("fast", "slow"),
    ("open", "closed"),
    ("open", "close"),
    ("complete", "incomplete"),
    ("connected", "disconnected"),
    ("same", "different"),
    ("equal", "unequal"),
    ("positive", "negative"),
    ("attract", "repel"),
    ("true", "false"),
    ("correct", "incorrect"),
    ("always", "never"),
    ("all", "none"),
    ("before", "after"),
    ("above", "below"),
    ("inside", "outside"),
    ("gain", "lose"),
    ("add", "remove"),
    ("hot", "cold"),
    ("warm", "cool"),
    ("strong", "weak"),
    ("heavy", "light"),
    ("on", "off"),
    ("yes", "no"),
    ("conductor", "insulator"),
    ("dense", "sparse"),
    ("overfit", "underfit"),
    ("train", "test"),
    ("parallel", "series"),
    ("stay", "go out"),
    ("lit", "unlit"),
)


@dataclass(frozen=True)
class Analysed:
    """One text, analysed once: its clauses (spans), content stems, content words and stem bigrams."""

    text: str
    clauses: tuple[tuple[int, int], ...]
    stems: frozenset[str]
    words: tuple[str, ...]
    bigrams: frozenset[tuple[str, str]]
    n_words: int
    negated: bool
    clause_negated: tuple[bool, ...]
    norms: frozenset[str]  # every stem, stopwords included (for opposites such as on/off)
    hedged: bool  # "I think", "maybe", a question mark


def clause_spans(text: str) -> list[tuple[int, int]]:
    """Spans of `text`'s clauses: split at punctuation and at connectives such as "because" and "but"."""
    spans = []
    for m in _CLAUSE.finditer(text):
        if not m.group(0).strip() or not any(c.isalnum() for c in m.group(0)):
            continue
        start = m.start()
        for brk in [*_CLAUSE_BREAK.finditer(m.group(0)), None]:
            end = m.start() + brk.start() if brk else m.end()
            piece = text[start:end]
            if piece.strip():
                lead = len(piece) - len(piece.lstrip())
                spans.append((start + lead, start + len(piece.rstrip())))
            if brk:
                start = m.start() + brk.end()
    return spans


_OPPOSITE_INDEX: dict[str, list[tuple[frozenset[str], frozenset[str]]]] = {}


def _opposite_index() -> dict[str, list[tuple[frozenset[str], frozenset[str]]]]:
    """Each opposite pair (both directions) as stem sets, indexed by a stem of the first side."""
    if not _OPPOSITE_INDEX:
        for one, other in _OPPOSITES:
            first, second = (frozenset(t.norm for t in tokens(w)) for w in (one, other))
            for word, opposite in ((first, second), (second, first)):
                _OPPOSITE_INDEX.setdefault(min(word), []).append((word, opposite))
    return _OPPOSITE_INDEX


@lru_cache(maxsize=32768)
def analyse(text: str) -> Analysed:
    toks = tokens(text)
    content = [t for t in toks if t.norm not in STOPWORDS and len(t.norm) > 2]
    norms = [t.norm for t in toks]
    clauses = tuple(clause_spans(text)) or ((0, len(text)),)
    return Analysed(
        text=text,
        clauses=clauses,
        stems=frozenset(t.norm for t in content),
        words=tuple(dict.fromkeys(text[t.start : t.end].lower() for t in content)),
        bigrams=frozenset(pairwise(norms)),
        n_words=len(toks),
        negated=bool(_NEGATION.search(text)),
        clause_negated=tuple(bool(_NEGATION.search(text[a:b])) for a, b in clauses),
        norms=frozenset(norms),
        hedged=bool(_HEDGE.search(text)),
    )


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _antonym(answer_norms: frozenset[str], ref_norms: frozenset[str]) -> float:
    """1 when the answer says the opposite of a reference word without also saying the word."""
    index = _opposite_index()
    for stem in ref_norms & index.keys():
        for word, opposite in index[stem]:
            said = word <= ref_norms and not opposite <= ref_norms
            if said and opposite <= answer_norms and not word <= answer_norms:
                return 1.0
    return 0.0


def _best_match(sims: np.ndarray, axis: int) -> np.ndarray:
    return sims.max(axis=axis) if sims.size else sims.sum(axis=axis)


def clause_texts(analysed: Analysed) -> list[str]:
    return [analysed.text[a:b] for a, b in analysed.clauses]


@dataclass(frozen=True)
class Vectors:
    """A text's embeddings: the whole text, each clause, each content word (rows in `Analysed` order)."""

    whole: np.ndarray
    clauses: np.ndarray
    words: np.ndarray


@lru_cache(maxsize=8192)
def vectors(text: str) -> Vectors:
    from interviewer.grading.semantic import embed_cached

    analysed = analyse(text)
    clauses = clause_texts(analysed)
    stacked = embed_cached([text or " ", *clauses, *analysed.words])
    return Vectors(stacked[0], stacked[1 : 1 + len(clauses)], stacked[1 + len(clauses) :])


def alignment(answer: str, reference: str) -> np.ndarray:
    """Cosine matrix: each reference clause (rows) against each answer clause (columns)."""
    return vectors(reference).clauses @ vectors(answer).clauses.T


def pair_features(answer: str, reference: str, question: str = "") -> np.ndarray:
    """The feature vector (ordered as FEATURE_NAMES) of `answer` judged against `reference` for `question`."""
    import numpy as np

    a, r, q = analyse(answer), analyse(reference), analyse(question)
    va, vr = vectors(answer), vectors(reference)
    informative = (r.stems - q.stems) or r.stems
    answer_only = a.stems - r.stems
    asked = set(q.words)
    ref_words = [n for n, w in enumerate(r.words) if w not in asked] or list(range(len(r.words)))
    v_answer, v_reference, v_question = va.whole, vr.whole, vectors(question).whole
    v_a_clauses, v_r_clauses, v_a_words, v_r_all_words = va.clauses, vr.clauses, va.words, vr.words

    clause_sims = v_r_clauses @ v_a_clauses.T
    best_for_ref = _best_match(clause_sims, 1)
    best_for_answer = _best_match(clause_sims, 0)
    best_clause = clause_sims.argmax(axis=1) if clause_sims.size else []
    aligned_mismatch = any(r.clause_negated[i] != a.clause_negated[j] for i, j in enumerate(best_clause))
    word_sims = v_r_all_words @ v_a_words.T if len(v_a_words) and len(v_r_all_words) else np.zeros((0, 0))
    no_question = not question.strip()
    values = (
        _share(len(informative & a.stems), len(informative)),
        _share(len(r.stems & a.stems), len(r.stems)),
        _share(len(a.stems & r.stems), len(a.stems)),
        _share(len(r.bigrams & a.bigrams), len(r.bigrams)),
        0.0 if no_question else _share(len(answer_only & q.stems), len(a.stems)),
        _share(len(answer_only - q.stems), len(a.stems)),
        float(v_answer @ v_reference),
        0.0 if no_question else float(v_answer @ v_question),
        float(best_for_ref.min()) if best_for_ref.size else 0.0,
        float(best_for_ref.mean()) if best_for_ref.size else 0.0,
        float(best_for_answer.mean()) if best_for_answer.size else 0.0,
        float(word_sims[ref_words].max(axis=1).mean()) if word_sims.size else 0.0,
        float(word_sims.max(axis=0).mean()) if word_sims.size else 0.0,
        float(a.negated != r.negated),
        float(aligned_mismatch),
        _antonym(a.norms, r.norms),
        math.log1p(a.n_words),
        math.log((a.n_words + 1) / (r.n_words + 1)),
        math.log1p(r.n_words),
        math.log1p(q.n_words),
        float(a.hedged),
    )
    return np.asarray(values, dtype=np.float64)
