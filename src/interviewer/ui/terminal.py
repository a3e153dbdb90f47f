"""Terminal input and output: prompt_toolkit for typed answers, plain blocks when stdin is piped."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import IO, Protocol

from rich.console import Console

SUBMIT_HELP = "Enter on an empty line (or Alt+Enter) sends your answer · /help lists commands"


class InterviewIO(Protocol):
    console: Console

    def interviewer(self, chunks: Iterable[str]) -> str: ...

    def read_answer(self) -> str | None: ...

    def info(self, text: str) -> None: ...

    def round_break(self, next_round: str) -> None: ...


def _stream(console: Console, chunks: Iterable[str]) -> str:
    """Print interviewer text as it arrives; return all of it."""
    console.print("\n[bold cyan]Interviewer:[/] ", end="")
    parts: list[str] = []
    for chunk in chunks:
        parts.append(chunk)
        console.file.write(chunk)
        console.file.flush()
    console.file.write("\n")
    console.file.flush()
    return "".join(parts).strip()


class PipedIO:
    """Answers come from a stream, one per block of lines separated by a blank line."""

    def __init__(self, source: IO[str], console: Console) -> None:
        self.source = source
        self.console = console

    def interviewer(self, chunks: Iterable[str]) -> str:
        return _stream(self.console, chunks)

    def read_answer(self) -> str | None:
        lines: list[str] = []
        for line in self.source:
            if line.strip():
                lines.append(line.rstrip("\n"))
                if lines[0].lstrip().startswith("/"):
                    break
            elif lines:
                break
        if not lines:
            return None
        answer = "\n".join(lines).strip()
        self.console.print("[bold green]You:[/] ", end="")
        self.console.print(answer, markup=False, highlight=False)
        return answer

    def info(self, text: str) -> None:
        self.console.print(text, style="dim", markup=False, highlight=False)

    def round_break(self, next_round: str) -> None:
        self.console.rule(f"break · next: {next_round.replace('_', ' ')}")


class TerminalIO:
    """Multi-line answers typed at a prompt_toolkit prompt."""

    def __init__(self, console: Console) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.key_binding import KeyBindings

        self.console = console
        bindings = KeyBindings()

        @bindings.add("enter")
        def _enter(event) -> None:  # type: ignore[no-untyped-def]
            buffer = event.current_buffer
            text = buffer.text
            on_empty_line = buffer.document.current_line.strip() == "" and text.strip() != ""
            if text.strip().startswith("/") or on_empty_line:
                buffer.validate_and_handle()
            elif text.strip():
                buffer.insert_text("\n")

        @bindings.add("escape", "enter")
        def _send(event) -> None:  # type: ignore[no-untyped-def]
            if event.current_buffer.text.strip():
                event.current_buffer.validate_and_handle()

        self._session: PromptSession[str] = PromptSession(
            multiline=True, key_bindings=bindings, bottom_toolbar=SUBMIT_HELP, prompt_continuation="  "
        )

    def interviewer(self, chunks: Iterable[str]) -> str:
        return _stream(self.console, chunks)

    def read_answer(self) -> str | None:
        try:
            text = self._session.prompt("\nYou: ")
        except EOFError:
            return None
        return text.strip()

    def info(self, text: str) -> None:
        self.console.print(text, style="dim", markup=False, highlight=False)

    def round_break(self, next_round: str) -> None:
        self.console.rule(f"break · next: {next_round.replace('_', ' ')}")
        try:
            self._session.prompt("Press Enter when you're ready. ", multiline=False, bottom_toolbar=None)
        except EOFError:
            return


def make_io(console: Console) -> InterviewIO:
    if sys.stdin.isatty() and sys.stdout.isatty():
        return TerminalIO(console)
    return PipedIO(sys.stdin, console)
