"""Commands printed for the user carry the options they need to work as printed."""

from __future__ import annotations

import shlex
from pathlib import Path

from interviewer.paths import default_transcripts_dir


def printed_command(*words: str, transcripts_dir: Path) -> str:
    """`interviewer WORDS`, with `--transcripts-dir X` after the first word when X is not the default folder.

    Right after the command (or group) is where both `resume` and `review`'s subcommands accept it.
    """
    first, *rest = words
    options = []
    if transcripts_dir.resolve() != default_transcripts_dir().resolve():
        options = ["--transcripts-dir", str(transcripts_dir.resolve())]
    return shlex.join(["interviewer", first, *options, *rest])
