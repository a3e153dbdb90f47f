"""A short hash of what a question's answers are graded against, so grades under a changed rubric stay apart."""

from __future__ import annotations

import hashlib
import json

from interviewer.bank.models import Question


def rubric_hash(question: Question) -> str:
    graded_against = question.model_dump(mode="json", include={"rubric", "red_flags", "reference_answer"})
    canonical = json.dumps(graded_against, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]
