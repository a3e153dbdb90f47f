"""Sentence spans of a text (a line break ends a sentence too), so quotes stay verbatim slices."""

from __future__ import annotations

import re

# A stop between two characters that are not spaces ("np.triu", "1.5 volts") is inside a word, not an end.
_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?](?=[^\s.!?]))+[.!?]*")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences (or lines) of `text`, trimmed of surrounding space."""
    spans = []
    for m in _SENTENCE.finditer(text):
        start, end = m.start(), m.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans
