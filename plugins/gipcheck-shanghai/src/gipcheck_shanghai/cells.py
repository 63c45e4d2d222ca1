"""Lines and cells of PDF-extracted report text: Markdown table rows, plain lines, page footers.

The Shanghai PDFs come out of their converter as a mix of Markdown table rows (``| a | b |``),
plain lines with space-separated words, captions (``## 表三：…``) and page footers (``— 4 —``).
This module turns each line into cells with their 1-based column, so that every value keeps the
place it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FULLWIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
FOOTER = re.compile(r"^\s*[—－\-–]{1,3}\s*\d{1,3}\s*[—－\-–]{1,3}\s*$")
MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
CAPTION = re.compile(r"^\s*#{1,6}\s*表[一二三四五六七八九十]")


@dataclass(frozen=True)
class Cell:
    """One cell: its text (stripped), the 1-based line and column where it starts."""

    text: str
    line: int
    col: int

    @property
    def is_number(self) -> bool:
        return number_of(self.text) is not None

    @property
    def is_empty(self) -> bool:
        return self.text == ""


def number_of(text: str) -> int | float | None:
    """The number a cell holds (``"1,295"`` → 1295, ``"０"`` → 0), or None when it is not a number."""
    t = text.strip().translate(_FULLWIDTH)
    if _GROUPED.match(t):
        t = t.replace(",", "")
    if not _NUMBER.match(t):
        return None
    return float(t) if "." in t else int(t)


def is_noise(text: str) -> bool:
    """Page footers, Markdown separators and captions carry no cell of the report."""
    return bool(FOOTER.match(text) or MD_SEPARATOR.match(text) or CAPTION.match(text)) or not text.strip()


def is_table_row(text: str) -> bool:
    return text.lstrip().startswith("|")


def cells_of(text: str, line_no: int) -> list[Cell]:
    """Split one line into cells: Markdown rows by ``|`` (empty cells kept: a blank is data),
    plain lines by white space."""
    cells: list[Cell] = []
    if is_table_row(text):
        body = text.rstrip()
        start = body.index("|") + 1
        end = len(body) - 1 if body.endswith("|") and len(body) > start else len(body)
        pos = start
        for part in body[start:end].split("|"):
            lead = len(part) - len(part.lstrip())
            cells.append(Cell(part.strip(), line_no, pos + lead + 1 if part.strip() else pos + 1))
            pos += len(part) + 1
        return cells
    for m in re.finditer(r"\S+", text):
        cells.append(Cell(m.group(0), line_no, m.start() + 1))
    return cells


def normalise_label(text: str) -> str:
    """Label text for keyword matching: no white space, half-width brackets and digits."""
    t = re.sub(r"\s+", "", text).translate(_FULLWIDTH)
    return t.replace("(", "（").replace(")", "）").replace("\"", "“")
