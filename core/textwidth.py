"""Display width of text in a terminal, so that carets line up under Chinese characters."""

from __future__ import annotations

import unicodedata


def char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    return sum(char_width(c) for c in text)


def caret_line(line: str, col: int) -> str:
    """Spaces up to character column ``col`` (1-based) of ``line``, then ``^``.

    Tabs are kept as tabs so the caret lines up whatever the tab width."""
    prefix = line[: max(col - 1, 0)]
    pad = "".join("\t" if c == "\t" else " " * char_width(c) for c in prefix)
    return pad + "^"
