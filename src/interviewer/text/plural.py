"""Counts in words: "1 question", "3 questions"."""

from __future__ import annotations


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`count` and the noun, singular for exactly one; `nouns` when the plural is not noun + "s"."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"
