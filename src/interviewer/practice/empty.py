"""What `drill` and `review progress` say when the history has nothing to work from."""

from __future__ import annotations

from pathlib import Path

from interviewer.printed import printed_command
from interviewer.text.plural import plural
from interviewer.text.safe import visible


def no_history(root: Path, sessions: int, broken: int) -> str:
    """One line: run a first session, or (sessions there but nothing graded indexed) rebuild the history."""
    where = visible(str(root.resolve()))
    if not sessions and not broken:
        return f"No history yet in {where}: run a first session with `interviewer start`."
    rebuild = printed_command("history", "rebuild", transcripts_dir=root, command_words=2)
    return (
        f"The history in {where} has no graded answers ({plural(sessions, 'session')} loaded, {broken} broken);"
        f" if that is wrong, run `{rebuild}`."
    )
