"""The report's "your answer, made stronger": the grader model rewrites the answer, and the reply is checked.

Model output is untrusted. A rewrite is kept only when it is a spoken answer to the question: not empty, at most
MAX_REWRITE_CHARS, not a refusal, not a rubric or JSON dump, not advice addressed to the reader, and not the
candidate's answer echoed back (it adds at least MIN_NEW_WORDS content words and keeps a share of theirs).
Otherwise it is left out and the transcript notes why.
"""

from __future__ import annotations

import re

from interviewer.backends.chat import ChatModel, Messages
from interviewer.backends.llm_prompts import fence_for, for_model
from interviewer.bank.models import Question
from interviewer.grading.requests import RewriteReply, RewriteRequest
from interviewer.prompts import level_expectation, render
from interviewer.text.normalize import content_stems, phrase_key

REWRITE_WORDS = 220  # what the prompt asks for: about 90 s spoken
MAX_REWRITE_CHARS = 2400  # about 400 words: more is a speech, not an answer
MIN_NEW_WORDS = 3  # content words a rewrite must add to the candidate's answer
MIN_KEPT_SHARE = 0.25  # share of the answer's content words a rewrite keeps (it rewrites *their* answer)
_REFUSAL = re.compile(
    r"^\W*(?:i'?m sorry|i am sorry|sorry|i can(?:'|no)?t|i can not|i won'?t|i'?m (?:not able|unable)|"
    r"i am (?:not able|unable))\b|\bas an ai\b",
    re.IGNORECASE,
)
_DUMP = re.compile(
    r"""
    ^\s*[{\[]                                        # a JSON object or list
  | "(?:item_id|score|items|evidence)"\s*:           # grader JSON keys
  | ```                                              # a code block
  | \(weight\ \d\)                                  # the rubric, as the grader prompt shows it
  | (?:\bscored?|:)\s*[0-3]\s*/\s*3\b                # item scores
    """,
    re.IGNORECASE | re.VERBOSE,
)
_RUBRIC = re.compile(r"\brubrics?\b", re.IGNORECASE)
_TO_READER = re.compile(
    r"\b(?:your (?:answer|response|original|points?)|the candidate|here(?:'s| is) your|"
    r"(?:stronger|improved|rewritten|revised|better) (?:answer|version)|"
    r"you (?:should|could|might want to|need to) (?:mention|add|include|explain|talk about|say)|"
    r"consider (?:mentioning|adding|explaining)|note:|tip:)",
    re.IGNORECASE,
)


def rewrite_messages(request: RewriteRequest) -> Messages:
    answer = for_model(request.answer)
    user = render(
        "rewrite.j2",
        question=request.question.question,
        level=request.level,
        expectation=level_expectation(request.level) if request.level else None,
        fence=fence_for(answer),
        answer=answer,
        gaps=request.gaps,
        beyond=request.beyond,
        mistakes=request.mistakes,
        words=REWRITE_WORDS,
    )
    return [{"role": "user", "content": user}]


def _dumps_rubric(text: str, question: Question) -> bool:
    said = f" {' '.join(phrase_key(text))} "
    # an id said as a label ("edge-cases: ..."); a bare id may be prose ("point-in-time features")
    ids = sum(1 for item in question.rubric if re.search(rf"\b{re.escape(item.id)}\s*[:=(]", text) and "-" in item.id)
    names = sum(1 for item in question.rubric if f" {' '.join(phrase_key(item.name))} " in said)
    own = " ".join([question.question, *question.strong_answer, *(s for i in question.rubric for s in i.signals)])
    rubric = _RUBRIC.search(text) is not None and _RUBRIC.search(own) is None  # unless the question is about one
    return bool(_DUMP.search(text)) or rubric or ids > 0 or names >= 2


def rewrite_problem(text: str, request: RewriteRequest) -> str | None:
    """Why `text` cannot be shown as the rewrite of the answer in `request`, or None when it can."""
    text = text.strip().replace("’", "'")
    if not text:
        return "it was empty"
    if len(text) > MAX_REWRITE_CHARS:
        return f"it was {len(text):,} characters long (at most {MAX_REWRITE_CHARS:,})"
    if _REFUSAL.search(text):
        return "it refused"
    if _dumps_rubric(text, request.question):
        return "it listed the rubric or JSON instead of an answer"
    if match := _TO_READER.search(text):
        return f"it addressed the reader ({match.group(0)!r}) instead of answering"
    theirs, ours = content_stems(request.answer), content_stems(text)
    if len(ours - theirs) < MIN_NEW_WORDS:
        return "it only repeated the answer"
    if theirs and len(theirs & ours) < MIN_KEPT_SHARE * len(theirs):
        return "it dropped the candidate's own points"
    return None


def rewrite_answer(client: ChatModel, request: RewriteRequest) -> RewriteReply:
    """One model call; the reply kept only when it passes `rewrite_problem`."""
    text, usage = client.complete(rewrite_messages(request), "rewrite")
    why = rewrite_problem(text, request)
    if why is not None:
        return RewriteReply(None, client.model, [usage], [f"{client.model} wrote a rewrite that was left out: {why}"])
    return RewriteReply(text.strip(), client.model, [usage])
