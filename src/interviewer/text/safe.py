"""Untrusted text made safe to show: on a terminal (no escape sequences) and in Markdown (no structure).

Candidate answers, model output and pack text may carry terminal escape sequences (clear screen, window
title, OSC 8 links, OSC 52 clipboard writes), C1 controls, NUL bytes or bidi overrides. `visible`
removes whole escape sequences and shows every other control character as a visible placeholder;
newline and tab are kept. The exact text is kept only in the JSON transcript.
"""

from __future__ import annotations

import html
import re

# ESC-introduced sequences and their 8-bit (C1) forms: CSI, OSC/DCS/SOS/PM/APC strings (ended by BEL or
# ST), and two-character escapes. An unterminated string runs to the end of the text.
_ESCAPE = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?                        # CSI ... final byte
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?   # OSC, DCS, SOS, PM, APC
  | \x1b[ -/]*[0-~]                                          # two-character escapes (ESC 7, ESC c, ESC ( B)
    """,
    re.VERBOSE,
)
# Every control or format character a terminal or a bidi algorithm acts on, except newline and tab.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# An escape sequence cut at the end of a chunk: held back until the next chunk completes it.
_UNFINISHED = re.compile(r"\x1b(?:\[[0-?]*[ -/]*|[\]PX^_][^\x07\x1b]*\x1b?|[ -/]*)\Z")
MAX_HELD = 512  # characters of an unfinished sequence held back before it is shown as text


def _placeholder(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control pictures: ␀ ␇ ␛ ...
    if code == 0x7F:
        return "␡"
    return f"<U+{code:04X}>"


def visible(text: str) -> str:
    """`text` with escape sequences removed and other control characters shown as placeholders."""
    text = text.replace("\r\n", "\n")
    return _CONTROL.sub(_placeholder, _ESCAPE.sub("", text))


class StreamFilter:
    """`visible` for text that arrives in chunks: a sequence split across chunks is still removed."""

    def __init__(self) -> None:
        self._held = ""

    def feed(self, chunk: str) -> str:
        text = self._held + chunk
        cut = _UNFINISHED.search(text)
        if cut and len(text) - cut.start() <= MAX_HELD:
            text, self._held = text[: cut.start()], text[cut.start() :]
        else:
            self._held = ""
        return visible(text)

    def close(self) -> str:
        """What is still held back (an unfinished sequence at the very end is dropped)."""
        held, self._held = self._held, ""
        return visible(held)


_MD_INLINE = re.compile(r"([\\`*_\[\]|~])")
_MD_LINE_START = re.compile(r"^(\s*)(\d+(?=[.)])|)([#+=.)-])", re.MULTILINE)


def markdown_text(text: str) -> str:
    """Untrusted text as literal Markdown: no headings, lists, tables, code, links or HTML it could start."""
    escaped = html.escape(visible(text), quote=False)
    escaped = _MD_INLINE.sub(r"\\\1", escaped)
    return _MD_LINE_START.sub(r"\1\2\\\3", escaped)
