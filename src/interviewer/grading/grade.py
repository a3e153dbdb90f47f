"""Grade one question: screen, ask the grader, verify every quote, aggregate in code."""

from __future__ import annotations

from interviewer.bank.derived import effective_rubric
from interviewer.bank.models import Question, Round
from interviewer.grading.detector import detect, screen_for
from interviewer.grading.models import GradePath, ItemGrade, ItemScore, QuestionGrade, Usage
from interviewer.grading.offline import OFFLINE_NAME, offline_item_scores
from interviewer.grading.requests import GraderBackend, GradeReply, GradeRequest, ThreadTurn
from interviewer.text.delivery import analyse
from interviewer.text.screen import AnswerKind

HINT_PENALTY = 10  # points off the question's 0-100 score per hint taken
_KIND_REASON = {
    AnswerKind.empty: "No answer to grade.",
    AnswerKind.dont_know: "The candidate said they did not know.",
    AnswerKind.gibberish: "The answer is not readable text.",
    AnswerKind.off_topic: "The answer does not address the question.",
}


def weighted_score(items: list[ItemGrade]) -> int:
    """0-100 from the 0-3 item scores, weighted by each item's weight."""
    total = sum(i.weight for i in items)
    if total == 0:
        return 0
    return round(100 * sum(i.weight * i.score for i in items) / (3 * total))


def verify_quotes(candidate_text: str, quotes: list[str]) -> tuple[list[str], int]:
    """Keep the quotes that appear verbatim in the candidate's text; count the dropped ones."""
    kept = [q.strip() for q in quotes if q.strip() and q.strip() in candidate_text]
    return kept, len(quotes) - len(kept)


def _verified_items(question: Question, answer: str, scores: list[ItemScore]) -> tuple[list[ItemGrade], list[str]]:
    """Match grader scores to rubric items, drop unverifiable quotes, re-score items left without any."""
    by_id = {s.item_id: s for s in scores}
    offline = {s.item_id: s for s in offline_item_scores(question, answer)}
    grades, notes = [], []
    for item in effective_rubric(question):
        raw = by_id.get(item.id)
        if raw is None:
            raw = offline[item.id]
            notes.append(f"{item.id}: grader returned no score; offline score used")
        evidence, dropped = verify_quotes(answer, raw.evidence)
        score, reason = raw.score, raw.reasoning or "No reason given."
        if score > 0 and not evidence:
            fallback = offline[item.id]
            score = min(score, fallback.score)
            evidence, _ = verify_quotes(answer, fallback.evidence)
            if score > 0 and not evidence:
                score = 0
            reason = f"{reason} (re-scored to {score}: no quote found verbatim in the answer)"
            notes.append(f"{item.id}: quotes not found verbatim; re-scored to {score}")
        grades.append(
            ItemGrade(
                item_id=item.id,
                name=item.name,
                weight=item.weight,
                score=score,
                evidence=evidence,
                reason=reason,
                dropped_quotes=dropped,
            )
        )
    return grades, notes


def grade_question(
    question: Question,
    answers: list[str],
    grader: GraderBackend,
    *,
    thread: list[ThreadTurn] | None = None,
    hints: int = 0,
    skipped: bool = False,
    level: str | None = None,
) -> tuple[QuestionGrade, list[Usage]]:
    """Grade the answers to a question and its follow-ups together."""
    text = "\n\n".join(a.strip() for a in answers if a.strip())
    screen = screen_for(question, text)
    delivery = analyse(answers[0], behavioral=question.round is Round.behavioral) if text else None
    usage: list[Usage] = []
    notes: list[str] = []
    if skipped or not screen.gradable:
        kind = AnswerKind.empty if skipped and not text else screen.kind
        reason = "Skipped." if skipped and not text else _KIND_REASON.get(kind, "Not gradable.")
        items = [
            ItemGrade(item_id=i.id, name=i.name, weight=i.weight, score=0, reason=reason)
            for i in effective_rubric(question)
        ]
        path, grader_name, provisional = GradePath.guard, "guard", False
    else:
        provisional = False
        try:
            reply = grader.grade(
                GradeRequest(question=question, answer=screen.graded_text, thread=thread or [], level=level)
            )
        except Exception as exc:  # a grader failure must never lose the grade
            provisional = True
            reply = GradeReply(
                items=offline_item_scores(question, screen.graded_text),
                path=GradePath.offline_fallback,
                notes=[f"grader failed ({type(exc).__name__}: {exc}); graded offline"],
            )
        usage, notes = reply.usage, list(reply.notes)
        items, verify_notes = _verified_items(question, screen.graded_text, reply.items)
        notes.extend(verify_notes)
        kind, path = AnswerKind.ok, reply.path
        grader_name = OFFLINE_NAME if path in (GradePath.offline, GradePath.offline_fallback) else grader.name
    raw = weighted_score(items)
    penalty = min(raw, HINT_PENALTY * hints)
    grade = QuestionGrade(
        question_id=question.id,
        kind=kind,
        score=raw - penalty,
        raw_score=raw,
        hints_used=hints,
        hint_penalty=penalty,
        skipped=skipped,
        items=items,
        strengths=[i.name for i in items if i.score >= 2],
        missing=[i.name for i in items if i.score <= 1],
        red_flags=[f.text for f in detect(question, screen.graded_text).red_flags] if kind is AnswerKind.ok else [],
        flags=list(screen.flags),
        strong_answer=list(question.strong_answer)
        or ([question.reference_answer] if question.reference_answer else []),
        delivery=delivery,
        grader=grader_name,
        path=path,
        provisional=provisional,
        notes=notes,
    )
    return grade, usage
