"""The bank's outline: each question id with its rubric item ids, all that `review progress` needs of it.

Reading the outline from the cache skips YAML, pydantic and the bank models (~0.2 s of start-up); a miss
loads the bank as every other command does and writes the outline for next time.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from interviewer import cache as parsed
from interviewer.bank.files import default_pack_files, pack_files, reader_digest

if TYPE_CHECKING:
    from interviewer.bank.models import Question

Outline = dict[str, frozenset[str]]  # question id -> its rubric item ids


def outline_of(questions: Iterable[Question]) -> Outline:
    return {q.id: frozenset(item.id for item in q.rubric) for q in questions}


def _valid(data: object) -> bool:
    return isinstance(data, dict) and all(
        isinstance(items, list) and all(isinstance(item, str) for item in items) for items in data.values()
    )


def bank_outline(extra: Iterable[Path] = (), *, include_default: bool = True) -> Outline:
    """The outline of the bank `load_bank(extra, include_default=...)` loads; raises BankError as it does."""
    extra = list(extra)
    files = (default_pack_files() if include_default else []) + pack_files(extra)
    key = parsed.cache_key(reader_digest(), *(path.read_bytes() for path in files))
    if (cached := parsed.read("outlines", key)) is not None:
        try:
            data = json.loads(cached)
        except ValueError:
            data = None  # a damaged entry: the bank is loaded, and the entry written again
        if _valid(data):
            return {question: frozenset(items) for question, items in data.items()}
    from interviewer.bank.loader import load_bank

    questions = load_bank(extra, include_default=include_default).questions
    data = {q.id: [item.id for item in q.rubric] for q in questions.values()}
    parsed.write("outlines", key, json.dumps(data))
    return {question: frozenset(items) for question, items in data.items()}
