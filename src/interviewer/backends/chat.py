"""What the LLM backends need from a chat model: LLMClient over litellm, or an in-process fake (backends/fake.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from interviewer.backends.base import LineStream
from interviewer.grading.models import Usage

if TYPE_CHECKING:
    from interviewer.backends.llm import Structured

T = TypeVar("T")

Messages = list[dict[str, str]]
Repair = Callable[[str], tuple[str, str] | None]  # the whole line -> (text to add, note) or None when it is fine


class ChatModel(Protocol):
    model: str

    def stream(self, messages: Messages, purpose: str, repair: Repair | None = None) -> LineStream: ...

    def complete(self, messages: Messages, purpose: str, fmt: dict[str, Any] | None = None) -> tuple[str, Usage]: ...

    def structured(
        self, messages: Messages, output: type[T], purpose: str, check: Callable[[T], None], ids: list[str]
    ) -> Structured[T]: ...
