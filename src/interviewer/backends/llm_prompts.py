"""Chat messages for the model calls, rendered from `prompts/`.

The interviewer sees the move the engine chose, the current question and this question's thread,
never the rubric, its signals or the strong answer. Candidate text always sits between two marker
lines whose tag is a hash of that text, so an answer cannot forge the closing marker.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from itertools import zip_longest

from interviewer.backends.base import GradeRequest, LineRequest, ThreadTurn
from interviewer.backends.chat import Messages
from interviewer.backends.offline import clarifying_facts
from interviewer.bank.derived import effective_rubric
from interviewer.bank.models import Example, Question, RubricItem
from interviewer.engine.actions import Move
from interviewer.limits import MAX_MODEL_ANSWER_CHARS
from interviewer.prompts import level_expectation, render

MAX_TURN_CHARS = 1500  # a pasted essay must not make interviewer prompts grow
MAX_PROMPT_EXAMPLES = 8  # marked answers shown to an LLM grader; a pack may mark dozens


def fence_for(*texts: str | None, label: str = "CANDIDATE TEXT") -> str:
    tag = hashlib.sha256("\n".join(t or "" for t in texts).encode()).hexdigest()[:10]
    return f"====={label} {tag}====="


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TURN_CHARS else text[:MAX_TURN_CHARS].rstrip() + " …"


def for_model(answer: str) -> str:
    """The answer as a model may see it: at most MAX_MODEL_ANSWER_CHARS, saying what was cut."""
    if len(answer) <= MAX_MODEL_ANSWER_CHARS:
        return answer
    return f"{answer[:MAX_MODEL_ANSWER_CHARS]} [… {len(answer) - MAX_MODEL_ANSWER_CHARS:,} more characters not shown]"


def interviewer_messages(request: LineRequest) -> Messages:
    action = request.action
    turns = [] if action.move is Move.close else request.thread  # closing needs no conversation
    thread = [ThreadTurn(role=t.role, text=_clip(t.text)) for t in turns]
    candidate = [t.text for t in thread if t.role == "candidate"]
    request_text = action.candidate_request and _clip(action.candidate_request)
    user = render(
        "interviewer_turn.j2",
        move=action.move.value,
        summary=request.summary,
        question=request.question.question,
        thread=thread,
        fence=fence_for(*candidate, request_text),
        follow_up_prompt=action.follow_up_prompt,
        hint=action.hint,
        candidate_request=request_text,
        early=action.ended_early,
        facts=[f.answer for f in clarifying_facts(request)],
    )
    return [
        {"role": "system", "content": render("interviewer_system.j2", level=request.level)},
        {"role": "user", "content": user},
    ]


def follow_up_messages(request: LineRequest) -> Messages:
    """A follow-up written from this question's thread, with the bank's follow-ups on the same item as examples."""
    action, question = request.action, request.question
    thread = [ThreadTurn(role=t.role, text=_clip(t.text)) for t in request.thread]
    examples = [action.follow_up_prompt or ""]
    examples += [f.prompt for f in question.follow_ups if f.targets == action.target_item and f.prompt not in examples]
    user = render(
        "follow_up.j2",
        question=question.question,
        thread=thread,
        fence=fence_for(*(t.text for t in thread if t.role == "candidate")),
        move=action.move.value,
        examples=examples,
    )
    return [
        {"role": "system", "content": render("interviewer_system.j2", level=request.level)},
        {"role": "user", "content": user},
    ]


def _some_examples(question: Question) -> list[Example]:
    """At most MAX_PROMPT_EXAMPLES of the question's marked answers, taking from both sides in turn."""
    sides = [[e for e in question.examples if e.accepted], [e for e in question.examples if not e.accepted]]
    mixed = [e for pair in zip_longest(*sides) for e in pair if e is not None]
    return mixed[:MAX_PROMPT_EXAMPLES]


def grader_messages(request: GradeRequest) -> Messages:
    question = request.question
    interviewer_lines = [t.text for t in request.thread if t.role == "interviewer"]
    reference = list(question.strong_answer) or [question.reference_answer or ""]
    examples = [e.model_copy(update={"answer": _clip(e.answer)}) for e in _some_examples(question)]
    answer = for_model(request.answer)
    user = render(
        "grader_user.j2",
        question=question.question,
        follow_ups=[_clip(line) for line in interviewer_lines[1:]],
        lines_fence=fence_for(*interviewer_lines[1:], label="INTERVIEWER LINES"),
        items=effective_rubric(question),
        red_flags=question.red_flags,
        reference=reference,
        examples=examples,
        examples_fence=fence_for(*(e.answer for e in examples), label="MARKED ANSWERS"),
        level=request.level,
        expectation=level_expectation(request.level) if request.level else None,
        fence=fence_for(answer),
        answer=answer,
    )
    return [{"role": "system", "content": render("grader_system.j2")}, {"role": "user", "content": user}]


def coverage_messages(question: Question, items: Sequence[RubricItem], answer: str) -> Messages:
    answer = for_model(answer)
    user = render("coverage.j2", question=question.question, items=items, fence=fence_for(answer), answer=answer)
    return [{"role": "user", "content": user}]


def reask_messages(messages: Messages, reply: str, error: str) -> Messages:
    """The same conversation, the rejected reply, and the validation error to fix."""
    fix = render("reask.j2", error=error)
    return [*messages, {"role": "assistant", "content": reply}, {"role": "user", "content": fix}]
