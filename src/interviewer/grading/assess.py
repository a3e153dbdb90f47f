"""One assessment per answer: screening, coverage and red flags computed once, saved with the turn.

The session computes it when an answer arrives; the follow-up policy, the event log and the grader
all start from it instead of screening and matching the same text again. Coverage counts what the
candidate said in other words (paraphrase credit), so a follow-up never re-asks it.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from interviewer.bank.models import Question
from interviewer.grading.detector import detect, screen_for
from interviewer.text.screen import AnswerKind, strip_injections

ASSESSOR_VERSION = "6"  # 3: items credited from the whole answer (the learned reference model); 4: its middle
# rung, and other-words credit gated by the same model; 5: marked answers, a mistake praised ("less risk of
# overfitting") is no warning; 6: a question asked inside a statement states nothing, and an answer that states
# a known mistake earns no credit from the answer as a whole


class AnswerAssessment(BaseModel):
    """What the offline assessor found in one answer, read together with the earlier answers to its question."""

    version: str = ASSESSOR_VERSION
    kind: AnswerKind  # screening of this answer alone (against the line it answers)
    flags: list[str] = Field(default_factory=list)  # e.g. instructions_to_grader_removed
    covered: list[str] = Field(default_factory=list)  # item ids covered so far, in any words
    item_scores: dict[str, int] = Field(default_factory=dict)  # offline 0-3 per item, over all answers so far
    red_flags: list[str] = Field(default_factory=list)  # red-flag ids stated so far
    red_flag_items: list[str] = Field(default_factory=list)  # items those red flags undermine
    wrong_items: list[str] = Field(default_factory=list)  # items whose facts were stated wrongly (claims)
    named_only_items: list[str] = Field(default_factory=list)  # items only named in bare term lists
    keyword_list: bool = False  # the answers so far, as a whole, are a list of terms

    @property
    def gradable(self) -> bool:
        return self.kind is AnswerKind.ok


def assess(
    question: Question, answer: str, *, earlier: list[str] | None = None, asked: str | None = None
) -> AnswerAssessment:
    """Assess `answer` to `question`; `earlier` are the answers already given to it, `asked` the line it answers."""
    screen = screen_for(question, answer, asked)
    said = [*(earlier or []), *([answer] if screen.kind is AnswerKind.ok else [])]
    if not said:
        return AnswerAssessment(kind=screen.kind, flags=list(screen.flags))
    joined, _ = strip_injections("\n\n".join(said))
    detection = detect(question, joined)
    return AnswerAssessment(
        kind=screen.kind,
        flags=list(screen.flags),
        covered=sorted(detection.covered()),
        item_scores={item_id: m.score for item_id, m in detection.items.items()},
        red_flags=[f.id for f in detection.red_flags],
        red_flag_items=sorted({f.item for f in detection.red_flags if f.item}),
        named_only_items=sorted(i for i, m in detection.items.items() if m.named_only),
        keyword_list=detection.keyword_list,
        wrong_items=list(detection.wrong_items),
    )
