"""The one way commands make a rich Console: plain text (no ANSI at all) under NO_COLOR or when piped."""

from __future__ import annotations

import os

from rich.console import Console


def make_console(*, stderr: bool = False) -> Console:
    """Colour and styles on a terminal; none when NO_COLOR is set (https://no-color.org) or not a terminal."""
    plain = bool(os.environ.get("NO_COLOR"))
    return Console(stderr=stderr, highlight=False, color_system=None if plain else "auto")
