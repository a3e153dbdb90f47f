"""The grading path's shortcuts compute exactly what the plain computations do."""

import re

import numpy as np
import pytest

from interviewer.grading.clauses import split_clauses
from interviewer.grading.semantic import _model, embed
from interviewer.text.patterns import guarded
from tests.answers import CV_ANSWER, STORY, STRONG_IMBALANCE, WRONG_IMBALANCE

AWKWARD_TEXTS = [
    "",
    " ",
    "two  spaces here",
    " leading space",
    "trailing space ",
    "a typed ▁ marker and a▁joined one",
    "the <s> and </s> and <unk> tokens typed out",
    "glued<s>special",
    "tab\tinside and new\nline",
    "naïve café, 日本語, emoji 😀 and a Kelvin sign \u212a",
    "ＦＵＬＬ－ＷＩＤＴＨ marks",
    "p99 < 200 ms, 12% fewer errors",
]


def test_embeddings_are_bit_for_bit_wordllamas_own() -> None:
    answers = [STRONG_IMBALANCE, WRONG_IMBALANCE, CV_ANSWER, STORY]
    texts = [c.text for a in answers for c in split_clauses(a)] + answers + AWKWARD_TEXTS
    with np.errstate(invalid="ignore"):  # wordllama divides the empty text's zero vector by its zero norm
        expected = np.nan_to_num(np.asarray(_model().embed(texts, norm=True), dtype=np.float32), nan=0.0)

    together, one_by_one = embed(texts), np.concatenate([embed([t]) for t in texts])

    assert together.view(np.uint32).tolist() == expected.view(np.uint32).tolist()
    assert one_by_one.view(np.uint32).tolist() == expected.view(np.uint32).tolist()


@pytest.mark.parametrize(
    ("pattern", "flags"),
    [
        (r"\b(because|since|so that|so we|helps?|in order to)\b", re.IGNORECASE),
        (r"(\d|\b(trade-?offs?|but|p9\d|i measured)\b)", re.IGNORECASE),
        (r"\b(?:not|never|avoid(?:s|ed)?)\b|n[’']t\b|\bcannot\b", re.IGNORECASE),
        (r"[,;:()\u2014]|\s-\s|\b(?:but|and\s+(?:i|we))\b", re.IGNORECASE),
        (r"k\w+", re.IGNORECASE),
        (r"\bu+m+\b|(?:ab)*c", 0),
        (r"\b(since | because)  # a verbose pattern ending in a comment", re.IGNORECASE | re.VERBOSE),
        (r"(^|[.!?]\s*)(i(['’]ll|\s+will)?\s+)?pass\b|\bno\s+idea\b", re.IGNORECASE),
        (r"x*y?z|a?", 0),
    ],
)
def test_a_guarded_pattern_finds_what_the_plain_one_finds(pattern: str, flags: int) -> None:
    texts = [
        STRONG_IMBALANCE,
        WRONG_IMBALANCE,
        "BECAUSE it Helps; I MEASURED p95, but NOT p99 - and I can't say. Don’t. Cannot!",
        "Pass. I'll pass on this one. No idea! xyz, xxz and z",
        "\u212aelvin and KILO, since  because, 2 trade-offs, uum, ummm, abab, ababc c",
        "",
    ]
    plain, fast = re.compile(pattern, flags), guarded(pattern, flags)

    for text in texts:
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]
        assert [m.span() for m in fast.finditer(text, 5, 40)] == [m.span() for m in plain.finditer(text, 5, 40)]
        assert fast.sub("#", text) == plain.sub("#", text)
