"""Grade one question: start from its assessment, ask the grader, check every score's evidence, aggregate in code.

Whichever grader scored it, an item keeps a 2 or 3 only with a quote, verbatim in the answer, whose
sentence supports that item (`grading/support.py`); otherwise it is re-scored to what the offline
evidence supports, and the grade's notes say why. Caps found in code (red flags, facts stated wrongly,
items only named in a term list, an answer that is a keyword list, an answer that states one of the
question's red flags) apply to every grader.
"""

from __future__ import annotations

from interviewer.bank.derived import effective_rubric
from interviewer.bank.models import Question, Round, RubricItem
from interviewer.grading.assess import AnswerAssessment, assess
from interviewer.grading.models import SCORE_CAP, GradePath, ItemGrade, ItemScore, QuestionGrade, Usage
from interviewer.grading.offline import OFFLINE_NAME, offline_item_scores
from interviewer.grading.requests import GraderBackend, GradeReply, GradeRequest, ThreadTurn
from interviewer.grading.support import only_named, supporting
from interviewer.text.delivery import analyse
from interviewer.text.screen import AnswerKind, strip_injections

HINT_PENALTY = 10  # points off the question's 0-100 score per hint taken
KEYWORD_LIST_CAP = 30  # the most a bare list of terms can score, out of 100
RED_FLAG_CAP = 40  # the most an answer that states one of the question's red flags can score, out of 100
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


def _supported(
    question: Question, answer: str, item: RubricItem, raw: ItemScore, offline: ItemScore, capped: set[str]
) -> tuple[int, list[str], int, list[str]]:
    """The item's score, evidence and dropped-quote count after every check, and notes on what changed."""
    notes: list[str] = []
    evidence, dropped = verify_quotes(answer, raw.evidence)
    score = raw.score
    if score > 0 and not evidence:
        score = min(score, offline.score)
        evidence, _ = verify_quotes(answer, offline.evidence)
        if score > 0 and not evidence:
            score = 0
        notes.append(f"re-scored to {score}: no quote found verbatim in the answer")
    if score >= 2 and (score, raw.evidence) != (offline.score, offline.evidence):  # offline's own: checked by design
        backed = supporting(question, item, answer, evidence)
        if not backed:
            kept = min(score, offline.score)
            evidence, _ = verify_quotes(answer, offline.evidence)
            if kept < score:
                notes.append(f"re-scored to {kept}: no quote supports this item")
            else:  # the offline grader credits as much, from the answer as a whole: its quote stands in
                notes.append("quoted with the offline evidence: the grader's quotes do not support this item")
            score = kept
        elif only_named(answer, backed):
            score = 1
            evidence = backed
            notes.append("re-scored to 1: the quotes only name terms")
        else:
            evidence = backed + [q for q in evidence if q not in backed]
    if item.id in capped and score > 1:
        score = 1
        notes.append("capped at 1: the answer states a mistake about it")
    return score, evidence, dropped, notes


def _verified_items(
    question: Question, answer: str, scores: list[ItemScore], capped: set[str] = frozenset()
) -> tuple[list[ItemGrade], list[str]]:
    """Match grader scores to rubric items and hold each to its evidence and to the caps found in code."""
    by_id = {s.item_id: s for s in scores}
    offline = {s.item_id: s for s in offline_item_scores(question, answer)}
    grades, notes = [], []
    for item in effective_rubric(question):
        raw = by_id.get(item.id)
        if raw is None:
            raw = offline[item.id]
            notes.append(f"{item.id}: grader returned no score; offline score used")
        score, evidence, dropped, changes = _supported(question, answer, item, raw, offline[item.id], capped)
        reason = raw.reasoning or "No reason given."
        if changes:
            reason = f"{reason} ({'; '.join(changes)})"
            notes.extend(f"{item.id}: {change}" for change in changes)
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
    assessment: AnswerAssessment | None = None,
    level: str | None = None,
) -> tuple[QuestionGrade, list[Usage]]:
    """Grade the answers to a question and its follow-ups together.

    `assessment` is the session's assessment of the latest answer (read with the earlier ones); without
    it the joined answers are assessed here. Either way nothing is screened twice.
    """
    text = "\n\n".join(a.strip() for a in answers if a.strip())
    assessment = assessment or assess(question, text)
    gradable = assessment.gradable or bool(assessment.covered)
    graded_text, _ = strip_injections(text)
    delivery = analyse(answers[0], behavioral=question.round is Round.behavioral) if text else None
    usage: list[Usage] = []
    notes: list[str] = []
    if skipped or not gradable:
        kind = AnswerKind.empty if skipped and not text else assessment.kind
        reason = "Skipped." if skipped and not text else _KIND_REASON.get(kind, "Not gradable.")
        items = [
            ItemGrade(item_id=i.id, name=i.name, weight=i.weight, score=0, reason=reason)
            for i in effective_rubric(question)
        ]
        path, grader_name, provisional = GradePath.guard, "guard", False
    else:
        provisional = False
        try:
            reply = grader.grade(GradeRequest(question=question, answer=graded_text, thread=thread or [], level=level))
        except Exception as exc:  # a grader failure must never lose the grade
            provisional = True
            reply = GradeReply(
                items=offline_item_scores(question, graded_text),
                path=GradePath.offline_fallback,
                notes=[f"grader failed ({type(exc).__name__}: {exc}); graded offline"],
            )
        usage, notes = reply.usage, list(reply.notes)
        capped = {*assessment.red_flag_items, *assessment.wrong_items}
        items, verify_notes = _verified_items(question, graded_text, reply.items, capped)
        notes.extend(verify_notes)
        kind, path = AnswerKind.ok, reply.path
        grader_name = OFFLINE_NAME if path in (GradePath.offline, GradePath.offline_fallback) else grader.name
    raw = weighted_score(items)
    caps = (
        (assessment.keyword_list, KEYWORD_LIST_CAP, "the answer lists terms without explaining them"),
        (bool(assessment.red_flags), RED_FLAG_CAP, "the answer states a red flag (a mistake interviewers look for)"),
    )
    for applies, cap, why in caps if kind is AnswerKind.ok else ():
        if applies and raw > cap:
            raw = cap
            notes.append(f"{SCORE_CAP} {cap}: {why}")
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
        red_flags=[f.text for f in question.red_flags if f.id in assessment.red_flags] if kind is AnswerKind.ok else [],
        flags=list(assessment.flags),
        strong_answer=list(question.strong_answer)
        or ([question.reference_answer] if question.reference_answer else []),
        delivery=delivery,
        grader=grader_name,
        path=path,
        provisional=provisional,
        notes=notes,
    )
    return grade, usage
