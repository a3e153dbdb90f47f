"""A model-written follow-up is untrusted: it is checked before anyone sees it, and the authored one is used
when it fails.

A follow-up passes when it asks exactly one question, under MAX_FOLLOW_UP_CHARS, with no feedback or praise,
no hint, nothing quoted that the candidate did not say, and no rubric words the candidate did not use
first (a signal or the name of any rubric item: saying them would tell the candidate what is scored).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from interviewer.bank.models import Question
from interviewer.text.normalize import find_phrase, phrase_key, tokens

MAX_FOLLOW_UP_CHARS = 300  # about 50 spoken words: one question, not a speech
_FEEDBACK = re.compile(
    r"\b(great|excellent|perfect|nice|well done|good (?:answer|point|job|start)|exactly|correct|that's right|"
    r"spot on|not quite|you missed|you forgot|i like|love that|impressive|wrong)\b",
    re.IGNORECASE,
)
_HINT = re.compile(
    r"\b(hint|you (?:could|might|should|may want to)|consider|have you (?:thought|considered)|try (?:using|adding))\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[\"“]([^\"”]{3,})[\"”]")


def _said(phrase: str, said: list) -> bool:
    key = phrase_key(phrase)
    return bool(key) and find_phrase(said, key) is not None


def _leaked(question: Question, reply: str, candidate: str) -> str | None:
    """The first rubric signal or item name in `reply` that the candidate's words do not contain."""
    in_reply, in_answer = tokens(reply), tokens(candidate)
    for item in question.rubric:
        for phrase in [item.name, *item.signals]:
            if _said(phrase, in_reply) and not _said(phrase, in_answer):
                return phrase
    return None


def _normal(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def problem(reply: str, question: Question, candidate: Iterable[str]) -> str | None:
    """Why `reply` cannot be shown as the follow-up, or None when it can."""
    text = reply.strip()
    said = "\n".join(candidate)
    if not text:
        return "it was empty"
    if len(text) > MAX_FOLLOW_UP_CHARS:
        return f"it was {len(text)} characters long (at most {MAX_FOLLOW_UP_CHARS})"
    if (asked := text.count("?")) != 1:
        return f"it asked {asked} questions, not one"
    if match := _FEEDBACK.search(text):
        return f"it gave feedback ({match.group(0)!r})"
    if match := _HINT.search(text):
        return f"it gave a hint ({match.group(0)!r})"
    for quote in _QUOTED.findall(text):
        if _normal(quote) not in _normal(said):
            return f"it quoted words the candidate did not say ({quote!r})"
    if leaked := _leaked(question, text, said):
        return f"it named what the rubric looks for ({leaked!r})"
    return None
