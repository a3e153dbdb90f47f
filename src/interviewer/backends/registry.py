"""Pick a backend from a model string: 'offline' (or nothing) is built in, anything else is litellm."""

from __future__ import annotations

from interviewer.backends.base import GraderBackend, InterviewerBackend
from interviewer.backends.llm_pacing import Gate
from interviewer.backends.offline import OfflineGrader, OfflineInterviewer
from interviewer.settings import ModelSettings


def make_interviewer(settings: ModelSettings) -> InterviewerBackend:
    if settings.is_offline:
        return OfflineInterviewer()
    from interviewer.backends.llm import LLMInterviewer

    return LLMInterviewer(settings)


def make_grader(settings: ModelSettings, gate: Gate | None = None) -> GraderBackend:
    """`gate`: the back-off gate shared by a batch's workers (one per grader otherwise)."""
    if settings.is_offline:
        return OfflineGrader()
    from interviewer.backends.llm import LLMGrader

    return LLMGrader(settings, gate=gate)
