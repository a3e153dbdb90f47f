"""Word wrapping for text that is written as it streams in: lines break at spaces, never mid-word."""

from __future__ import annotations

from rich.cells import cell_len


class StreamWrapper:
    """Feed chunks, get text to write with newlines inserted at spaces so no line exceeds `width`.

    A word is held back until the space (or newline) after it arrives, then placed on the current line
    or the next; a single word wider than the line is folded, as it has to be."""

    def __init__(self, width: int, column: int = 0) -> None:
        self.width = max(width, 10)
        self.column = column  # cells already on the current line
        self._word = ""
        self._space = ""

    def feed(self, text: str) -> str:
        out: list[str] = []
        for char in text:
            if char == "\n":
                out.append(self._place_word())
                out.append("\n")
                self.column, self._space = 0, ""
            elif char in " \t":
                out.append(self._place_word())
                self._space += char
            else:
                self._word += char
                if cell_len(self._word) >= self.width:
                    out.append(self._place_word())
        return "".join(out)

    def close(self) -> str:
        """The last word, once the stream has ended."""
        return self._place_word()

    def _place_word(self) -> str:
        word, space = self._word, self._space
        if not word:
            return ""
        self._word, self._space = "", ""
        length = cell_len(word)
        if self.column and self.column + cell_len(space) + length > self.width:
            self.column = length
            return "\n" + word
        self.column += cell_len(space) + length
        return space + word
