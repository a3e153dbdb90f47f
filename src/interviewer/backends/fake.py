"""An in-process chat model driven by a function, for tests and benchmarks (like pydantic-ai's FunctionModel).

The function receives the messages and the call's purpose ("interviewer", "follow_up", "clarify", ...)
and returns the reply text; every call is kept in `calls`. It stands where LLMClient stands, so the
interviewer's prompts, validation and fallbacks run exactly as they do against a provider, without HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from interviewer.backends.chat import Messages, Repair
from interviewer.backends.llm import Structured, StructuredFailed, T
from interviewer.backends.llm_output import OutputInvalid, parse
from interviewer.grading.models import GradePath, Usage
from interviewer.tokens import count_messages, count_tokens

ModelFunction = Callable[[Messages, str], str]


@dataclass(frozen=True)
class Call:
    purpose: str
    messages: Messages

    @property
    def prompt(self) -> str:
        return "\n".join(m["content"] for m in self.messages)


@dataclass
class FunctionStream:
    """The function's reply streamed word by word; `repair` sees the whole line, as LLMLineStream does."""

    model: FunctionModel
    messages: Messages
    purpose: str
    repair: Repair | None = None
    usage: list[Usage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[str]:
        text, usage = self.model.complete(self.messages, self.purpose)
        self.usage.append(usage)
        yield from (word + " " for word in text.split())
        fix = self.repair(text) if self.repair is not None else None
        if fix is not None:
            addition, note = fix
            self.notes.append(f"{self.model.model} {note}")
            yield addition


class FunctionModel:
    def __init__(self, function: ModelFunction, model: str = "function/fake-model") -> None:
        self.function = function
        self.model = model
        self.calls: list[Call] = []

    def stream(self, messages: Messages, purpose: str, repair: Repair | None = None) -> FunctionStream:
        return FunctionStream(self, messages, purpose, repair)

    def complete(self, messages: Messages, purpose: str, fmt: dict[str, Any] | None = None) -> tuple[str, Usage]:
        self.calls.append(Call(purpose, messages))
        text = self.function(messages, purpose)
        usage = Usage(
            model=self.model,
            purpose=purpose,
            prompt_tokens=count_messages(messages, self.model),
            completion_tokens=count_tokens(text, self.model),
        )
        return text, usage

    def structured(
        self, messages: Messages, output: type[T], purpose: str, check: Callable[[T], None], ids: list[str]
    ) -> Structured[T]:
        """The function's reply validated as LLMClient validates it (no re-ask: a test scripts what it needs)."""
        text, usage = self.complete(messages, purpose)
        try:
            value, _ = parse(text, output, check)
        except OutputInvalid as exc:
            raise StructuredFailed(str(exc), [usage], []) from None
        return Structured(value, GradePath.llm_extracted, [usage])

    def purposes(self) -> list[str]:
        return [call.purpose for call in self.calls]
