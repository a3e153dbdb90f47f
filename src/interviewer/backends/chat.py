"""What the LLM backends need from a chat model: LLMClient over litellm, or an in-process fake (backends/fake.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from interviewer.backends.base import LineStream
from interviewer.grading.models import Usage

Messages = list[dict[str, str]]
Repair = Callable[[str], tuple[str, str] | None]  # the whole line -> (text to add, note) or None when it is fine


class ChatModel(Protocol):
    model: str

    def stream(self, messages: Messages, purpose: str, repair: Repair | None = None) -> LineStream: ...

    def complete(self, messages: Messages, purpose: str, fmt: dict[str, Any] | None = None) -> tuple[str, Usage]: ...
