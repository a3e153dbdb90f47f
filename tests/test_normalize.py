"""Signal matching sees through the ways people phrase the same idea."""

from __future__ import annotations

import pytest

from interviewer.text.normalize import find_phrase, phrase_key, tokens
from interviewer.text.sentences import split_sentences


def matches(text: str, signal: str) -> bool:
    return find_phrase(tokens(text), phrase_key(signal)) is not None


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("I'd oversample the minority class", "oversampling"),
        ("regularisation with an L2 penalty", "regularization"),
        ("k-fold cross-validation", "k fold"),
        ("we ran an A/B test for two weeks", "ab test"),
        ("the area under the curve was 0.91", "auc"),
        ("it's missing for new users", "it is missing"),
        ("we didn't have labels", "did not have labels"),
        ("one percent of transactions", "1 percent"),
        ("XGBoost can also handle missing values", "xgboost handles missing"),
        ("labelled data", "labeled data"),
    ],
)
def test_variants_of_a_signal_match(text: str, signal: str) -> None:
    assert matches(text, signal)


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("it uses a B-tree index", "ab test"),
        ("missing values are handled later by a different team that owns XGBoost", "xgboost handles missing"),
        ("precision matters", "precision recall curve"),
    ],
)
def test_unrelated_wording_does_not_match(text: str, signal: str) -> None:
    assert not matches(text, signal)


def test_every_token_keeps_the_span_it_came_from() -> None:
    text = "We didn't use the PR-AUC."
    for token in tokens(text):
        assert text[token.start : token.end].strip()


def test_a_stop_inside_a_word_or_number_does_not_end_a_sentence() -> None:
    text = "Build the mask with np.triu and fill it with -inf. The reading was 1.5 volts! Why?"
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "Build the mask with np.triu and fill it with -inf.",
        "The reading was 1.5 volts!",
        "Why?",
    ]
