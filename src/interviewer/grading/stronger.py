"""What a stronger answer would add, at the candidate's level: the rubric's gaps first, then the level's depth.

`what_would_add` works offline from a grade, the question and the candidate's own words, so every report has it
(an old log too). The same gaps and lines brief the grader model that writes "your answer, made stronger"
(`strengthen`, at grading time on the LLM path): one call per graded question, made after the score is final, so
the rewrite can never change it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from interviewer.bank.models import Question, Round, RubricItem
from interviewer.grading.models import GradePath, ItemGrade, ModelRewrite, QuestionGrade, Usage
from interviewer.grading.requests import AnswerRewriter, Gap, GraderBackend, RewriteRequest
from interviewer.prompts import prompt_path
from interviewer.text.normalize import Token, content_stems, find_phrase, phrase_key, tokens
from interviewer.text.redact import redact
from interviewer.text.screen import AnswerKind, strip_injections

LEVELS_FILE = "stronger_levels.yaml"
_DIGIT = re.compile(r"\d")  # a number as typed ("the simpler one" is not a number)
_UNGRADED_PATHS = (GradePath.guard, GradePath.offline, GradePath.offline_fallback)


@dataclass(frozen=True)
class Stronger:
    gaps: list[Gap]  # most important first
    beyond: list[str]  # what the level expects that the answers do not show

    def __bool__(self) -> bool:
        return bool(self.gaps or self.beyond)


@cache
def _level_additions() -> dict[str, list[dict[str, Any]]]:
    import yaml

    return yaml.safe_load(prompt_path(LEVELS_FILE).read_text(encoding="utf-8"))


def priority(item: ItemGrade) -> int:
    """How much an item's gap matters (the report's "work on these first" too): weight times how far below 2
    ("explained") it scored."""
    return item.weight * (2 - item.score)


def covering_lines(question: Question, item: RubricItem) -> tuple[str, ...]:
    """The strong-answer line that says the item best: most of its signals, then most words of its name."""
    if not question.rubric:  # items derived from a reference answer are its sentences already
        return ()
    name = content_stems(item.name) - content_stems(question.question)
    ranked = []
    for n, line in enumerate(question.strong_answer):
        found = tokens(line)
        signals = sum(1 for s in item.signals if find_phrase(found, phrase_key(s)) is not None)
        ranked.append((signals, len(name & content_stems(line)), -n, line))
    best = max(ranked, default=None)
    if best is None or (best[0] == 0 and best[1] < 2):
        return ()
    return (best[3],)


def rubric_gaps(question: Question, grade: QuestionGrade) -> list[Gap]:
    """The items scored 0 or 1, the most important first, each with the line(s) that cover it."""
    authored = {item.id: item for item in question.rubric}
    short = sorted((i for i in grade.items if i.score <= 1), key=lambda i: -priority(i))  # stable: rubric order
    return [
        Gap(i.item_id, i.name, i.score, i.weight, covering_lines(question, authored[i.item_id]))
        if i.item_id in authored
        else Gap(i.item_id, i.name, i.score, i.weight)
        for i in short
    ]


def _shows(entry: dict[str, Any], said: list[Token], text: str) -> bool:
    if entry.get("number") and _DIGIT.search(text):
        return True
    return any(find_phrase(said, phrase_key(phrase)) is not None for phrase in entry["shown_by"])


def level_gaps(level: str | None, question: Question, grade: QuestionGrade, answers: list[str]) -> list[str]:
    """What `level` expects beyond the rubric, for this kind of question, that the answers do not show and no
    rubric gap already asks for; nothing for an answer scored 3 on every item (it has the depth already) or one
    that was screened out (nothing to build on)."""
    if level is None or grade.kind is not AnswerKind.ok or all(i.score == 3 for i in grade.items):
        return []
    kind = "behavioral" if question.round is Round.behavioral else "technical"
    text = "\n\n".join(answers)
    said = tokens(text)
    authored = {item.id: item for item in question.rubric}
    gaps = [authored[g.item_id] for g in rubric_gaps(question, grade) if g.item_id in authored]
    asked = [tokens(" ".join([item.name, *item.signals])) for item in gaps]
    entries = [e for e in _level_additions().get(level, []) if e.get("rounds", "technical") == kind]
    # a gap item's own words say the line's idea already (its numbers are not the candidate's: no text given)
    return [e["adds"] for e in entries if not _shows(e, said, text) and not any(_shows(e, a, "") for a in asked)]


def what_would_add(question: Question, grade: QuestionGrade, answers: list[str], level: str | None) -> Stronger:
    return Stronger(rubric_gaps(question, grade), level_gaps(level, question, grade, answers))


def strengthen(
    question: Question, grade: QuestionGrade, answers: list[str], grader: GraderBackend, *, level: str | None
) -> tuple[QuestionGrade, list[Usage], list[str]]:
    """`grade` with the grader model's rewrite of the answer when it passed its checks, the call's usage, and notes
    on what was left out and why. No call offline, with the switch off, for a screened or offline-graded answer, or
    when there is nothing to add."""
    if not isinstance(grader, AnswerRewriter) or not grader.rewrites:
        return grade, [], []
    if grade.kind is not AnswerKind.ok or grade.path in _UNGRADED_PATHS:
        return grade, [], []
    advice = what_would_add(question, grade, answers, level)
    if not advice:
        return grade, [], []
    answer, _ = strip_injections("\n\n".join(a.strip() for a in answers if a.strip()))
    request = RewriteRequest(question, answer, level, advice.gaps, advice.beyond, mistakes=list(grade.red_flags))
    try:
        reply = grader.rewrite(request)
    except Exception as exc:  # a rewrite is extra: a provider failure leaves it out, never the grade
        return grade, [], [redact(f"the rewrite of the answer failed ({type(exc).__name__}: {exc}); left out")]
    notes = [redact(note) for note in reply.notes]
    if reply.text is None:
        return grade, reply.usage, notes
    rewrite = ModelRewrite(model=reply.model, text=redact(reply.text))
    return grade.model_copy(update={"rewrite": rewrite}), reply.usage, notes
