"""Commands a candidate can type instead of an answer."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Command(StrEnum):
    hint = "hint"
    repeat = "repeat"
    clarify = "clarify"
    skip = "skip"
    pause = "pause"
    quit = "quit"
    help = "help"


HELP_TEXT = {
    Command.hint: "a nudge in the right direction (recorded; costs 10 points on this question)",
    Command.repeat: "hear the last question again",
    Command.clarify: "/clarify <your question>: ask about scope or assumptions",
    Command.skip: "skip this question (scored 0)",
    Command.pause: "save and quit; `interviewer resume` continues later",
    Command.quit: "end the interview now and grade what you answered",
    Command.help: "show these commands",
}


@dataclass(frozen=True)
class ParsedCommand:
    command: Command
    argument: str = ""


def unknown_command(text: str) -> str | None:
    """The name typed when `text` is a /command that does not exist (it is answered with the help)."""
    stripped = text.strip()
    if not stripped.startswith("/"):
        return None
    name = stripped[1:].partition(" ")[0]
    return None if name.lower() in Command.__members__ else name


def parse_command(text: str) -> ParsedCommand | None:
    """A ParsedCommand when `text` is a /command, else None (it is an answer)."""
    stripped = text.strip()
    if not stripped.startswith("/"):
        return None
    name, _, argument = stripped[1:].partition(" ")
    try:
        return ParsedCommand(Command(name.lower()), argument.strip())
    except ValueError:
        return ParsedCommand(Command.help, stripped)
