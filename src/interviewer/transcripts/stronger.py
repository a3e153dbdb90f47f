"""The report's coaching on one answer: what a stronger answer would add at the candidate's level, and the
grader model's "your answer, made stronger" when the grade carries one. Every untrusted text is escaped."""

from __future__ import annotations

from interviewer.bank.models import Question
from interviewer.grading.models import QuestionGrade
from interviewer.grading.stronger import what_would_add
from interviewer.text.safe import markdown_text

DETAILED_GAPS = 3  # gaps shown with their strong-answer line; the rest are named


def _inline(text: str) -> str:
    return markdown_text(" ".join(text.split()))


def _would_add(question: Question, grade: QuestionGrade, answers: list[str], level: str | None) -> list[str]:
    advice = what_would_add(question, grade, answers, level)
    if not advice:
        return []
    at = f", at {_inline(level)} level" if level else ""
    out = [f"**What a stronger answer would add{at}:**", ""]
    shown: set[str] = set()  # two items may share a strong-answer line: it is quoted once
    for n, gap in enumerate(advice.gaps[:DETAILED_GAPS], start=1):
        lines = " ".join(_inline(line) for line in gap.lines if line not in shown)
        shown.update(gap.lines)
        out.append(f"{n}. **{_inline(gap.name)}** (scored {gap.score}/3)" + (f": {lines}" if lines else ""))
    if rest := advice.gaps[DETAILED_GAPS:]:
        out.append(f"{DETAILED_GAPS + 1}. Then: " + "; ".join(_inline(gap.name) for gap in rest) + ".")
    if advice.beyond:
        who = f"A {_inline(level)} answer" if level else "It"
        out.extend(["", f"{who} would also cover: " + "; ".join(_inline(b) for b in advice.beyond) + "."])
    out.append("")
    return out


def _made_stronger(grade: QuestionGrade) -> list[str]:
    rewrite = grade.rewrite
    if rewrite is None:
        return []
    quoted = "\n> ".join(markdown_text(line) for line in rewrite.text.strip().splitlines())
    return [
        f"**Your answer, made stronger** (written by the model {_inline(rewrite.model)}, not by you; not graded):",
        "",
        f"> {quoted}",
        "",
    ]


def coaching(question: Question, grade: QuestionGrade, answers: list[str], level: str | None) -> list[str]:
    """Report lines for one graded question; none for an answer with nothing to add."""
    return [*_would_add(question, grade, answers, level), *_made_stronger(grade)]
