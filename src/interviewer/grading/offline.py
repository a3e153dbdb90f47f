"""The offline item scorer: rubric-driven 0-3 scores with their quotes, from the detector alone."""

from __future__ import annotations

from interviewer.bank.models import Question
from interviewer.grading.detector import ItemMatch, detect
from interviewer.grading.models import ItemScore

OFFLINE_NAME = "offline"
_ANCHOR_WORDS = {0: "not covered", 1: "named only", 2: "explained", 3: "explained with depth"}


def _reasoning(match: ItemMatch) -> str:
    if match.wrong:
        return f"Stated wrongly, so not credited: '{match.wrong[0]}'"
    if match.reason:
        reason = match.reason
    elif not match.score:
        return "Not mentioned."
    else:
        named = ", ".join(f"'{s}'" for s in match.signals[:4])
        said = [f"mentions {named}"] if match.signals else []
        said += ["says it in other words"] if match.paraphrases else []
        reason = f"{_ANCHOR_WORDS[match.score].capitalize()}: {' and '.join(said)}."
    if match.named_only:
        reason += " Only listed as a term, not explained."
    if match.capped_by:
        reason += f" Capped at 1 by red flag: {', '.join(match.capped_by)}."
    return reason


def offline_item_scores(question: Question, answer: str) -> list[ItemScore]:
    detection = detect(question, answer)
    return [
        ItemScore(item_id=item_id, reasoning=_reasoning(m), evidence=m.quotes, score=m.score)
        for item_id, m in detection.items.items()
    ]
