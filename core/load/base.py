"""What every loader returns: the document, where each value came from, and what it noticed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Location:
    """Where one filled JSON pointer came from in the source.

    ``line``/``col`` are 1-based positions in the decoded text the loader read (for Word and PDF,
    in the loader's linearised text); ``text`` is the raw cell or sentence text. ``recovered`` marks
    a cell whose value was inferred (e.g. a digit string split with the table's own sums), so its
    arithmetic checks are not independent evidence. Format loaders add ``page`` (PDF), ``x``/``y``,
    or ``where`` (e.g. "表格2 第3行 第4格" for Word).
    """

    line: int | None
    col: int | None
    text: str
    recovered: bool = False
    page: int | None = None
    where: str | None = None
    extra: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"line": self.line, "col": self.col, "text": self.text}
        if self.recovered:
            d["recovered"] = True
        if self.page is not None:
            d["page"] = self.page
        if self.where is not None:
            d["where"] = self.where
        if self.extra:
            d.update(self.extra)
        return d


@dataclass
class Note:
    """Something the loader wants a person to know: a row it could not find, a digit string it
    could not split unambiguously, a truncated table. ``level`` is ``info``/``warning``/``error``."""

    code: str
    zh: str
    en: str
    pointer: str | None = None
    line: int | None = None
    level: str = "warning"

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"code": self.code, "level": self.level, "zh": self.zh, "en": self.en}
        if self.pointer:
            d["pointer"] = self.pointer
        if self.line is not None:
            d["line"] = self.line
        return d


@dataclass
class LoadedReport:
    """The result of loading one file: the canonical document (plain JSON data, see
    ``shared/design/document.md``), ``locations`` (JSON pointer → :class:`Location`), loader
    ``notes``, and the decoded ``text`` the locations refer to (used by reporters)."""

    document: dict[str, Any]
    locations: dict[str, Location] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)
    text: str | None = None

    @property
    def incomplete(self) -> bool:
        return any(n.level == "error" for n in self.notes)
