"""An answer cut into clauses, each a verbatim slice, and whether a stretch of it only names terms.

A clause is what a meaning check compares with a rubric item and what an evidence quote shows: a
sentence, or a part of a long sentence between commas, semicolons, colons or dashes. A sentence
that is a list of terms (comma- or line-separated, short pieces with no verb) is *named only*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from interviewer.text.normalize import contracted_is
from interviewer.text.screen import split_sentences

_PIECE = re.compile(r"[^,;:()\u2013\u2014]+|\s-\s")
_LIST_SEPARATORS = re.compile(r"[,;/|•·\n]|\s(?:and|or|plus)\s|\s-\s")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’+-]*")
MIN_PART_WORDS = 3  # a sentence part shorter than this is compared only as part of its sentence
MAX_TERM_WORDS = 4  # a verbless piece of at most this many words is a term, not an explanation
LONG_LIST_PIECES = 5  # a list this long tolerates one long piece in this many

# Words that make a piece a clause: pronouns, auxiliaries and modals, subordinators anywhere; and
# verbs opening a piece of three words or more, as in the notes candidates type ("fit the scaler on
# train", "split by time"; but "time-based split" and "cold start" stay terms).
_CLAUSE_WORD_LIST = """
i we you it they he she this that which who there is are was were be been being am has have had do
does did can could will would should must may might shall because so since if when then than while
whereas unless until means gives makes lets let's helps need needs keeps depends
"""
_IMPERATIVE_LIST = """
fit fits use uses split splits check checks compare compares train trains add adds drop drops remove
compute measure plot tune set pick choose keep avoid apply run monitor start try look sort store
return reduce increase prevent prevents cause causes causing fix fixes stop stops learn learns
memorize memorise memorizes memorises fail fails work works
"""
_CLAUSE_WORDS = frozenset(_CLAUSE_WORD_LIST.split())
_IMPERATIVES = frozenset(_IMPERATIVE_LIST.split())


@dataclass(frozen=True)
class Clause:
    start: int
    end: int
    text: str
    sentence: tuple[int, int]  # span of the sentence it belongs to
    named_only: bool  # the sentence only lists terms

    @property
    def whole_sentence(self) -> bool:
        return (self.start, self.end) == self.sentence


def _words(text: str) -> list[str]:
    if text.isascii():  # lowering first finds the same words (no ASCII letter turns into another kind)
        return _WORD.findall(text.lower())
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def _word_count(text: str) -> int:
    return len(_WORD.findall(text))


def _kind(piece: str) -> str:
    """What a list piece is: a "clause" (it has a pronoun, an auxiliary or a subordinator), "long" (a verb opening
    three words or more, or more words than a term: "add to cart", "false positive rate by group"), or a "term"."""
    words = _words(piece)
    if any(w in _CLAUSE_WORDS or w.endswith(("n't", "'re", "'ll")) or contracted_is(w) for w in words):
        return "clause"
    if (words and words[0] in _IMPERATIVES and len(words) >= 3) or len(words) > MAX_TERM_WORDS:
        return "long"
    return "term"


@lru_cache(maxsize=4096)  # asked of the same sentences by the clause split, the keyword-list share and each item
def names_only(sentence: str) -> bool:
    """True when `sentence` is a list of terms (or one bare term) rather than a statement. A list of five pieces
    or more stays a list with one piece in five that is not a term: longer ("false positive rate by group"), or
    a clause of a term's length ("push then pop", "He initialization", "did not cut")."""
    pieces = [p for p in _LIST_SEPARATORS.split(sentence) if p and p.strip(" .!?")]
    others = [(p, kind) for p in pieces if (kind := _kind(p)) != "term"]
    if not others:
        return True
    if len(pieces) < LONG_LIST_PIECES or len(others) > len(pieces) // LONG_LIST_PIECES:
        return False
    return all(kind == "long" or _word_count(p) <= MAX_TERM_WORDS for p, kind in others)


def split_clauses(text: str) -> list[Clause]:
    """Every sentence of `text`, then the parts of sentences that have several, in text order."""
    out: list[Clause] = []
    for start, end in split_sentences(text):
        sentence = text[start:end]
        listed = names_only(sentence)
        out.append(Clause(start, end, sentence, (start, end), listed))
        parts = [m for m in _PIECE.finditer(sentence) if _word_count(m.group(0)) >= MIN_PART_WORDS]
        if len(parts) < 2:
            continue
        for m in parts:
            a, b = start + m.start(), start + m.end()
            while a < b and not text[a].isalnum():
                a += 1
            while b > a and not (text[b - 1].isalnum() or text[b - 1] in ")%"):
                b -= 1
            out.append(Clause(a, b, text[a:b], (start, end), listed))
    return out


def keyword_list_share(clauses: list[Clause]) -> float:
    """Share of the words of an answer, cut by `split_clauses`, that sit in sentences which only name terms."""
    total = listed = 0
    for clause in clauses:
        if clause.whole_sentence:
            n = _word_count(clause.text)
            total += n
            listed += n if clause.named_only else 0
    return listed / total if total else 0.0
