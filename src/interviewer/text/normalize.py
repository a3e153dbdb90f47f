"""Tokenising with character spans, light stemming and synonyms, so signals match real answers.

Every token keeps the span of the original text it came from, which is how evidence quotes stay
verbatim: a quote is always a slice of what the candidate typed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?|%")

# Phrases folded into one canonical token before matching (applied to answers and signals alike).
_PHRASES: dict[tuple[str, ...], str] = {
    ("area", "under", "the", "curve"): "auc",
    ("area", "under", "curve"): "auc",
    ("k", "fold"): "kfold",
    ("data", "set"): "dataset",
    ("hyper", "parameter"): "hyperparameter",
    ("back", "propagation"): "backpropagation",
    ("f1", "score"): "f1",
    ("f", "1"): "f1",
    ("l1", "regularization"): "l1",
    ("l2", "regularization"): "l2",
    ("a", "b", "test"): "abtest",
    ("ab", "test"): "abtest",
    ("machine", "learning"): "ml",
    ("learning", "rate"): "lr",
    ("time", "series"): "timeseries",
    ("feature", "store"): "featurestore",
    ("pre", "process"): "preprocess",
    ("real", "time"): "realtime",
    ("on", "line"): "online",
    ("off", "line"): "offline",
    ("per", "cent"): "%",
    ("percent",): "%",
    ("false", "positive", "rate"): "fpr",
    ("true", "positive", "rate"): "tpr",
    ("mean", "squared", "error"): "mse",
    ("root", "mean", "squared", "error"): "rmse",
    ("gradient", "boosted", "tree"): "gbdt",
    ("gradient", "boosting"): "gbdt",
    ("xgboost",): "gbdt",
    ("lightgbm",): "gbdt",
    ("backprop",): "backpropagation",
    ("dont",): "do not",
    ("cannot",): "can not",
}

_WORD_SYNONYMS: dict[str, str] = {
    "labelled": "label",
    "modelling": "model",
    "modeling": "model",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "ten": "10",
    "hundred": "100",
    "thousand": "1000",
    "million": "1000000",
    "millisecond": "ms",
    "milliseconds": "ms",
    "vs": "versus",
    "tradeoff": "trade off",
    "tradeoffs": "trade off",
}

_MAX_PHRASE = max(len(k) for k in _PHRASES)


class Token(NamedTuple):
    """A normalised word and the span of the text it came from (a tuple: an answer has hundreds)."""

    norm: str
    start: int
    end: int


def _british_to_american(word: str) -> str:
    for british, american in (("isation", "ization"), ("ising", "izing"), ("ised", "ized"), ("ise", "ize")):
        if word.endswith(british) and len(word) > len(british) + 2:
            return word[: -len(british)] + american
    return word


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """A deliberately small stemmer: plurals, -ing/-ed/-ly, -ization, final -e, doubled consonants."""
    word = _british_to_american(word.lower().replace("’", "'"))
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ization"):
        word = word[:-7] + "ize"
    elif word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "ches", "shes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    stripped = False
    for suffix in ("ing", "ed", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            stripped = True
            break
    if stripped and len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiousl":
        word = word[:-1]
    if stripped and word.endswith("ll") and len(word) > 4:
        word = word[:-1]
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    if word.endswith("y") and len(word) > 4:
        word = word[:-1] + "i"
    return word


_PHRASE_INDEX: dict[tuple[str, ...], tuple[str, ...]] = {}
_PHRASE_FIRST: set[str] = set()


_IRREGULAR_NOT = {"can't": "can", "won't": "will", "shan't": "shall"}
_CONTRACTED = {"'re": "are", "'ve": "have", "'ll": "will", "'d": "would", "'m": "am"}
_IS_BEFORE = frozenset({"it", "that", "there", "what", "here", "he", "she", "who", "where", "how", "this"})


def contracted_is(word: str) -> bool:
    """ "it's", "that's": a contracted "is"; not "Occam's" (a possessive). `word` lower-case, straight apostrophe."""
    return word.endswith("'s") and word[:-2] in _IS_BEFORE


def _expand(word: str) -> list[str]:
    """Contractions as their words: "didn't" -> did not, "it's" -> it is, "we've" -> we have."""
    if "'" not in word:  # most words: nothing to expand
        return [word]
    if word in _IRREGULAR_NOT:
        return [_IRREGULAR_NOT[word], "not"]
    if word.endswith("n't"):
        return [word[:-3], "not"]
    for suffix, full in _CONTRACTED.items():
        if word.endswith(suffix):
            return [word[: -len(suffix)], full]
    if contracted_is(word):
        return [word[:-2], "is"]
    return [word]


def _raw_tokens(text: str) -> list[tuple[str, int, int]]:
    plain = text.isascii()  # then lowering the whole text keeps every offset, and there is no ’ to fold
    source = text.lower() if plain else text
    out = []
    for m in _TOKEN.finditer(source):
        word = m.group() if plain else m.group().lower().replace("’", "'")
        start, end = m.span()
        if "'" in word:
            out.extend((part, start, end) for part in _expand(word))
        else:
            out.append((word, start, end))
    return out


def _build_phrase_index() -> None:
    for words, canonical in _PHRASES.items():
        _PHRASE_INDEX[tuple(stem(w) for w in words)] = tuple(stem(p) for p in canonical.split())
    _PHRASE_FIRST.update(key[0] for key in _PHRASE_INDEX)


_build_phrase_index()


def tokens(text: str) -> list[Token]:
    """Normalised tokens of `text`, each with the character span it covers in `text`."""
    return list(_tokens(text))  # a copy: the caller may change its list, never the memo


@lru_cache(maxsize=256)  # an answer is tokenised by the screen, the detector and the claims: once is enough
def _tokens(text: str) -> tuple[Token, ...]:
    raw = _raw_tokens(text)
    stems = [stem(w) for w, _, _ in raw]
    out: list[Token] = []
    i = 0
    while i < len(raw):
        sizes = range(min(_MAX_PHRASE, len(raw) - i), 0, -1) if stems[i] in _PHRASE_FIRST else ()
        for size in sizes:
            canonical = _PHRASE_INDEX.get(tuple(stems[i : i + size]))
            if canonical is not None:
                start, end = raw[i][1], raw[i + size - 1][2]
                out.extend(Token(part, start, end) for part in canonical)
                i += size
                break
        else:
            word, start, end = raw[i]
            synonym = _WORD_SYNONYMS.get(word)
            if synonym:
                out.extend(Token(stem(part), start, end) for part in synonym.split())
            else:
                out.append(Token(stems[i], start, end))
            i += 1
    return tuple(out)


@lru_cache(maxsize=20_000)
def phrase_key(phrase: str) -> tuple[str, ...]:
    """The normalised token sequence a signal phrase must match."""
    return tuple(t.norm for t in tokens(phrase))


SLACK = 2  # extra words a multi-word signal may have between or around its own, in any order


def find_phrase(haystack: list[Token], needle: tuple[str, ...]) -> tuple[int, int] | None:
    """Character span where `needle` occurs in `haystack`, or None.

    An exact run of tokens matches first; failing that, a multi-word signal matches when all its
    words appear, in any order, within a window of its length plus SLACK ("XGBoost can also handle
    missing values" matches "xgboost handles missing").
    """
    n = len(needle)
    if n == 0:
        return None
    norms = [t.norm for t in haystack]
    first, i = needle[0], -1
    try:
        while (i := norms.index(first, i + 1)) <= len(norms) - n:
            if n == 1 or tuple(norms[i : i + n]) == needle:
                return haystack[i].start, haystack[i + n - 1].end
    except ValueError:  # no (further) occurrence of the first word
        pass
    if n == 1:
        return None
    wanted = set(needle)
    width = n + SLACK
    for i, norm in enumerate(norms):
        if norm not in wanted:
            continue
        window = norms[i : i + width]
        if wanted.issubset(window):
            last = max(j for j, w in enumerate(window) if w in wanted)
            return haystack[i].start, haystack[i + last].end
    return None


STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "also",
        "like",
        "really",
        "well",
        "yeah",
        "okay",
        "ok",
        "um",
        "uh",
        "would",
        "then",
        "maybe",
        "get",
        "got",
        "one",
        "thing",
        "things",
        "lot",
        "kind",
        "sort",
        "actually",
        "basically",
        "probably",
        "might",
        "much",
        "many",
        "way",
        "use",
        "used",
        "using",
        "make",
        "making",
    ]
)


def content_stems(text: str) -> set[str]:
    """Stems of the words that carry meaning (stopwords and very short words dropped)."""
    return {t.norm for t in tokens(text) if t.norm not in STOPWORDS and len(t.norm) > 2}
