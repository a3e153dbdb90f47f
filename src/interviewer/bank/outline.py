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


def _read(text: str) -> dict[str, list[str]]:
    data = json.loads(text)
    if not isinstance(data, dict) or not all(
        isinstance(items, list) and all(isinstance(item, str) for item in items) for items in data.values()
    ):
        raise ValueError("not an outline")
    return data


def bank_outline(extra: Iterable[Path] = (), *, include_default: bool = True) -> Outline:
    """The outline of the bank `load_bank(extra, include_default=...)` loads; raises BankError as it does."""
    extra = list(extra)
    files = (default_pack_files() if include_default else []) + pack_files(extra)
    key = parsed.cache_key(reader_digest(), *(path.read_bytes() for path in files))

    def loaded() -> dict[str, list[str]]:
        from interviewer.bank.loader import load_bank

        questions = load_bank(extra, include_default=include_default).questions.values()
        return {question: sorted(items) for question, items in outline_of(questions).items()}

    data = parsed.through("outlines", key, loaded, dump=json.dumps, load=_read)
    return {question: frozenset(items) for question, items in data.items()}
