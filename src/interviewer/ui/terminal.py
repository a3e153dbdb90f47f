"""Terminal input and output: prompt_toolkit for typed answers, plain blocks when stdin is piped.

Everything shown here is untrusted text (answers, model output, pack text): it goes through
`text.safe.visible`, so no escape sequence reaches the terminal, and lines wrap at spaces."""

from __future__ import annotations

import contextlib
import io
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from typing import IO, TYPE_CHECKING, Any, Protocol

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from interviewer.backends.base import RESTART
from interviewer.engine.commands import unknown_command
from interviewer.limits import MAX_MODEL_ANSWER_CHARS
from interviewer.text.safe import StreamFilter, visible
from interviewer.ui.wrap import StreamWrapper

if TYPE_CHECKING:
    from interviewer.backends.base import InterviewerBackend
    from interviewer.engine.state import EngineState

SUBMIT_HELP = "Enter on an empty line (or Alt+Enter) sends your answer · /help lists commands"
INTERVIEWER = "Interviewer: "
YOU = "You: "
LONG_ANSWER = f"Long answer: the model sees the first {MAX_MODEL_ANSWER_CHARS:,} characters; the full answer is saved."


class InterviewIO(Protocol):
    console: Console

    def interviewer(self, chunks: Iterable[str]) -> str: ...

    def read_answer(self) -> str | None: ...

    def info(self, text: str) -> None: ...

    def round_break(self, next_round: str) -> None: ...

    def attach(self, interviewer: InterviewerBackend, grader_name: str, engine: EngineState) -> None: ...

    def wait_for_all(self, label: str, futures: list[Future[Any]]) -> None: ...


def clock_text(deadline: float | None, now: float) -> str | None:
    """What the bottom bar says about a session time limit: minutes:seconds left, or that time is up."""
    if deadline is None:
        return None
    left = int(deadline - now)
    return "time is up: this is the last answer" if left <= 0 else f"{left // 60}:{left % 60:02d} left"


class _Shared:
    """What piped and typed sessions show the same way."""

    console: Console
    waiting_for: str | None = None  # the model the first token comes from (None: offline, no wait)
    sends_to_model: bool = False
    deadline: float | None = None  # wall-clock end of a --time-limit session
    _told_long = False

    def wait_for_all(self, label: str, futures: list[Future[Any]]) -> None:
        """Wait for background work (grading), with a spinner and a count on a terminal; errors propagate."""
        if not futures:
            return
        if not self.console.is_terminal:
            for future in futures:
                future.result()
            return
        with self.console.status(f"{label} (0/{len(futures)} done)") as status:
            for done, future in enumerate(futures, start=1):
                future.result()
                status.update(f"{label} ({done}/{len(futures)} done)")

    def attach(self, interviewer: InterviewerBackend, grader_name: str, engine: EngineState) -> None:
        """What the session runs on: the model to name while waiting, the time limit to count down."""
        self.waiting_for = None if interviewer.offline else interviewer.name
        self.sends_to_model = not interviewer.offline or grader_name != "offline"
        if engine.time_limit_s:
            self.deadline = engine.started_at + engine.time_limit_s

    def interviewer(self, chunks: Iterable[str]) -> str:
        """Print interviewer text as it arrives, wrapped at spaces; return it (a restarted line: the retry)."""
        console = self.console
        iterator = iter(chunks)
        first = self._first(iterator)
        console.print()
        console.print(Text(INTERVIEWER, style="bold cyan"), end="")
        wrapper, safe = StreamWrapper(console.width, cell_len(INTERVIEWER)), StreamFilter()
        parts: list[str] = []
        for chunk in _prepend(first, iterator):
            parts.append(chunk)
            console.file.write(wrapper.feed(safe.feed(chunk)))
            console.file.flush()
        console.file.write(wrapper.feed(safe.close()) + wrapper.close() + "\n")
        console.file.flush()
        return "".join(parts).rpartition(RESTART)[2].strip()

    def _first(self, iterator: Iterator[str]) -> str | None:
        """The first chunk; a spinner names the model while it is awaited."""
        if self.waiting_for is None or not self.console.is_terminal:
            return next(iterator, None)
        with self.console.status(f"waiting for {visible(self.waiting_for)}…"):
            return next(iterator, None)

    def echo(self, answer: str) -> None:
        self.console.print(Text.assemble((YOU, "bold green"), visible(answer)))

    def after_answer(self, answer: str) -> None:
        if (name := unknown_command(answer)) is not None:
            self.console.print(Text(f"/{visible(name)} is not a command.", style="yellow"))
        if len(answer) > MAX_MODEL_ANSWER_CHARS and self.sends_to_model and not self._told_long:
            self._told_long = True
            self.info(LONG_ANSWER)

    def info(self, text: str) -> None:
        self.console.print(Text(visible(text), style="dim"))

    def _rule(self, next_round: str) -> None:
        self.console.rule(Text(f"break · next: {visible(next_round).replace('_', ' ')}"))


def _prepend(first: str | None, rest: Iterator[str]) -> Iterator[str]:
    if first is not None:
        yield first
        yield from rest


class PipedIO(_Shared):
    """Answers come from a stream, one per block of lines separated by a blank line."""

    def __init__(self, source: IO[str], console: Console) -> None:
        self.source = source
        self.console = console

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
        self.echo(answer)
        self.after_answer(answer)
        return answer

    def round_break(self, next_round: str) -> None:
        self._rule(next_round)


class TerminalIO(_Shared):
    """Multi-line answers typed at a prompt_toolkit prompt; the sent answer is shown again, word-wrapped."""

    def __init__(
        self, console: Console, *, input: Any = None, output: Any = None, clock: Callable[[], float] = time.time
    ):
        from prompt_toolkit import PromptSession
        from prompt_toolkit.key_binding import KeyBindings

        self.console = console
        self.clock = clock
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
            multiline=True,
            key_bindings=bindings,
            bottom_toolbar=self.bottom_bar,
            prompt_continuation="  ",
            erase_when_done=True,  # the answer is printed again below, wrapped at spaces
            refresh_interval=1.0,  # the clock in the bottom bar moves
            input=input,
            output=output,
        )
        # The break prompt has no answer bindings: Enter (or Alt+Enter) on an empty line continues.
        self._break: PromptSession[str] = PromptSession(input=input, output=output)

    def bottom_bar(self) -> str:
        """The help line, after the time left when the session has a time limit (first: 80 columns cut the end)."""
        clock = clock_text(self.deadline, self.clock())
        return f"{clock} · {SUBMIT_HELP}" if clock else SUBMIT_HELP

    def read_answer(self) -> str | None:
        try:
            text = self._session.prompt("\n" + YOU)
        except EOFError:
            return None
        answer = text.strip()
        self.console.print()
        self.echo(answer)
        self.after_answer(answer)
        return answer

    def round_break(self, next_round: str) -> None:
        self._rule(next_round)
        with contextlib.suppress(EOFError):
            self._break.prompt("Press Enter when you're ready. ")


def piped_stdin() -> IO[str]:
    """stdin as text that never fails to decode: invalid UTF-8 (any locale) becomes U+FFFD, the answer kept."""
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # already text (a test runner's stream)
        return sys.stdin
    return io.TextIOWrapper(buffer, encoding="utf-8", errors="replace")


def make_io(console: Console) -> InterviewIO:
    if sys.stdin.isatty() and sys.stdout.isatty():
        return TerminalIO(console)
    return PipedIO(piped_stdin(), console)
