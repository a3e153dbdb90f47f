"""The evidence guard on the calibration answers: how often it rejects good grades, how much it stops inflation.

False rejections: every item the offline grader scores 2 or 3 on a labelled *strong* answer is a grade its
evidence supports by construction, so each one the guard re-scores is a false rejection. Inflation: a
fake grader scores every item 3 and quotes the answer's first six words; its mean score is printed with the
guard (`grade_question`) and with the old rule alone (a quote only has to occur in the answer), beside the
offline grader's own mean.

Usage: .venv/bin/python bench/guard.py [calibration-dir]
"""

from __future__ import annotations

import sys
from pathlib import Path

from interviewer.backends.base import GradeReply, GradeRequest
from interviewer.backends.offline import OfflineGrader, offline_item_scores
from interviewer.bank.calibration import Label, load_calibration
from interviewer.bank.derived import effective_rubric
from interviewer.bank.loader import load_bank
from interviewer.grading.grade import grade_question, weighted_score
from interviewer.grading.models import GradePath, ItemGrade, ItemScore
from interviewer.grading.support import supporting


class FirstWordsGrader:
    """Every item 3, quoting the answer's first six words."""

    name = "inflating"

    def grade(self, request: GradeRequest) -> GradeReply:
        quote = " ".join(request.answer.split()[:6])
        items = [ItemScore(item_id=i.id, evidence=[quote], score=3) for i in effective_rubric(request.question)]
        return GradeReply(items=items, path=GradePath.llm_json_schema)


def verbatim_only_score(question, answer: str) -> int:
    """What the inflating grader got before the guard: any quote found verbatim kept its 3."""
    quote = " ".join(answer.split()[:6])
    items = [
        ItemGrade(item_id=i.id, name=i.name, weight=i.weight, score=3 if quote in answer else 0, reason="")
        for i in effective_rubric(question)
    ]
    return weighted_score(items)


def main() -> None:
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    bank = load_bank()
    offline, inflating = OfflineGrader(), FirstWordsGrader()
    checked = rejected = 0
    totals = {"offline": 0, "guarded": 0, "verbatim": 0}
    answers = 0
    for cal in load_calibration(directory):
        question = bank.get(cal.question)
        rubric = {i.id: i for i in effective_rubric(question)}
        for answer in cal.answers:
            answers += 1
            if answer.label is Label.strong:
                for score in offline_item_scores(question, answer.text):
                    if score.score >= 2:
                        checked += 1
                        rejected += not supporting(question, rubric[score.item_id], answer.text, score.evidence)
            totals["offline"] += grade_question(question, [answer.text], offline)[0].score
            totals["guarded"] += grade_question(question, [answer.text], inflating)[0].score
            totals["verbatim"] += verbatim_only_score(question, answer.text)
    print(
        f"false rejections on strong answers: {rejected}/{checked} items scored 2-3 ({100 * rejected / checked:.1f}%)"
    )
    print(f"mean score over {answers} answers, fake grader scoring all 3 with the first six words as quote:")
    print(f"  offline grader           {totals['offline'] / answers:5.1f}")
    print(f"  fake grader, guarded     {totals['guarded'] / answers:5.1f}")
    print(f"  fake grader, quote-only  {totals['verbatim'] / answers:5.1f}  (baseline: the rule before the guard)")


if __name__ == "__main__":
    main()
