"""Sentences of an answer that address the grader instead of the interviewer, found and cut out.

Each sentence is matched after folding: NFKC (full-width and stylised letters), zero-width characters
dropped, and Cyrillic or Greek look-alike letters read as the Latin ones they imitate. Caught forms:
instructions to ignore the rubric or award marks, notes addressed to the grader or the system, "the
rubric has been updated", forged JSON grades, and the same requests in a few other languages. What
slips through still cannot raise a score: every 2 or 3 needs a quote that supports its item.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from interviewer.text.sentences import split_sentences

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_LOOK_ALIKES = str.maketrans(
    "аеорсухіјѕкмтнвгАЕОРСУХІЈЅКМТНВГοαειкνρτυχΟΑΕΙΚΝΡΤΥΧ",
    "aeopcyxijskmthbrAEOPCYXIJSKMTHBroaeikvptuxOAEIKNPTYX",
)

_ENGLISH = re.compile(
    r"""(
        \b(ignore|disregard|forget|override|bypass|skip)\b[^.!?\n]{0,40}\b(rubric|grading|criteria|guidelines|evidence)\b
      | \b(ignore|disregard|forget|override|bypass)\s+(all\s+|any\s+|the\s+|your\s+|these\s+)*(previous|prior|above|
            earlier|original|system)?\s*(instructions?|rules|prompts?)\b(?!\s+(in|inside|from|within|embedded)\b)
      | \b(give|award|assign|grant|mark|score)\b[^.!?\n]{0,25}\b(full|max|maximum|perfect|top|highest)\b[^.!?\n]{0,10}
            \b(marks?|scores?|points?|grades?|credit)\b
      | \b(score|grade|rate|mark)\b\s+(this|me|it|my\s+answer|every\s+item|all\s+items)\b[^.!?\n]{0,20}
            \b(3|three|100|10|perfect|full)\b
      | \byou\s+are\s+now\b | \bas\s+an?\s+(ai|language\s+model|grader)\b
      | \bsystem\s+(prompt|note|message)\s*: | \bsystem\s+override\b | \bnew\s+system\s+prompt\b
      | \bnew\s+instructions?\b
      | \b(note|message|instruction)s?\s+(to|for)\s+(the\s+)?(grader|evaluator|assessor|ai|model|llm|system)\b
      | \b(grader|evaluator|assessor)\s*(note|instructions?)\b | ^\s*[\[<(]?\s*(system|grader|assistant)\s*[\]>)]?\s*:
      | \b(rubric|grading\s+criteria|scoring\s+rules?)\b[^.!?\n]{0,20}\b(has|have|was|were|is)\s+(been\s+)?
            (updated|changed|replaced|revised|removed)\b
      | \b(updated|new|revised)\s+(rubric|grading\s+criteria|scoring\s+rules?)\b
      | "\s*(item_id|evidence|reasoning)\s*"\s*: | "\s*score\s*"\s*:\s*"?3\b    # a forged JSON grade
    )""",
    re.IGNORECASE | re.VERBOSE,
)

# The same requests in other languages (matched on the text before look-alike folding, so Cyrillic stays).
_OTHER_LANGUAGES = re.compile(
    r"""(
        \bignor(a|e|ez|iere|ieren|are)\b[^.!?\n]{0,40}\b(instrucciones|rúbrica|instructions|grille|anweisungen|
            bewertung|regeln|istruzioni|criteri)\b
      | \b(puntuaci[oó]n|nota|calificaci[oó]n)\s+(m[aá]xima|perfecta)\b | \bnote\s+maximale\b
      | \b(volle|maximale)\s+punktzahl\b | \bpunteggio\s+massimo\b
      | игнорир\w* | проигнорир\w* | максимальн\w*\s+балл | 忽略 | 满分 | 最高分 | 無視 | 満点
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def fold(text: str) -> str:
    """`text` as the letters it shows: NFKC, invisible characters dropped, look-alike letters made Latin."""
    return unicodedata.normalize("NFKC", text).translate(_INVISIBLE).translate(_LOOK_ALIKES)


# Every English form above needs one of these words (or a double quote, for forged JSON): a sentence with
# none of them is passed without running the large pattern, which most sentences of most answers are.
_TRIGGER_LIST = """
ignore disregard forget override bypass skip give award assign grant mark score grade rate now ai language
grader evaluator assessor system assistant instruction instructions note notes message messages rubric
grading scoring
"""
_TRIGGERS = frozenset(_TRIGGER_LIST.split())
_ASCII_WORD = re.compile(r"[a-z]+")


def addresses_grader(sentence: str) -> bool:
    """Whether `sentence` gives the grader instructions, in any of the caught forms."""
    if sentence.isascii():
        if '"' not in sentence and _TRIGGERS.isdisjoint(_ASCII_WORD.findall(sentence.lower())):
            return False
        return bool(_ENGLISH.search(sentence))
    plain = unicodedata.normalize("NFKC", sentence).translate(_INVISIBLE)
    return bool(_OTHER_LANGUAGES.search(plain) or _ENGLISH.search(fold(sentence)))


@lru_cache(maxsize=512)
def strip_injections(text: str) -> tuple[str, bool]:
    """Remove sentences that give the grader instructions; report whether any were found (memoised)."""
    kept, found = [], False
    for start, end in split_sentences(text):
        sentence = text[start:end]
        if addresses_grader(sentence):
            found = True
        else:
            kept.append(sentence)
    return (" ".join(kept) if found else text), found
