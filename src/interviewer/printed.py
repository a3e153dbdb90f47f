"""Commands printed for the user carry the options they need to work as printed."""

from __future__ import annotations

import shlex
from pathlib import Path

from interviewer.paths import default_transcripts_dir


def printed_command(*words: str, transcripts_dir: Path, command_words: int = 1) -> str:
    """`interviewer WORDS`, with `--transcripts-dir X` after the first `command_words` words (the command, or
    the group, that takes the option: `resume`, `review` for its subcommands, `history rebuild`) when X is not
    the default folder."""
    command, rest = words[:command_words], words[command_words:]
    options = []
    if transcripts_dir.resolve() != default_transcripts_dir().resolve():
        options = ["--transcripts-dir", str(transcripts_dir.resolve())]
    return shlex.join(["interviewer", *command, *options, *rest])
