"""The core's metadata and prose-fact readers, run over a Shanghai report's text and sections.

Kept in one place so that the plugin follows the core's API as it grows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

SHANGHAI_FACTS = str(Path(__file__).resolve().parent / "facts.yaml")


def facts_of(sections: list[tuple[int, str, list[int]]], fact_files: tuple[str, ...] = ()
             ) -> tuple[dict[str, Any], dict[str, tuple[int, str]]]:
    """``facts`` read by the core from the sections' prose (with Shanghai's phrasings added),
    and for each fact pointer the 0-based source line and the sentence it came from.

    ``sections`` holds ``(number, prose, line_of_each_character)``.
    """
    from gipcheck.load.facts import extract_facts, load_patterns
    from gipcheck.load.tables import normalize

    parts: list[str] = []
    spans: list[tuple[int, int, int | None]] = []
    owners: list[tuple[int, int, list[int]]] = []
    pos = 0
    for number, prose, where in sections:
        spans.append((pos, pos + len(prose), number))
        owners.append((pos, pos + len(prose), where))
        parts.append(prose)
        pos += len(prose) + 2
    text = "\n\n".join(parts)
    files = tuple(dict.fromkeys((SHANGHAI_FACTS, *fact_files)))
    facts, where = extract_facts(normalize(text), text, spans, load_patterns(files))
    lines: dict[str, tuple[int, str]] = {}
    for ptr, (start, end) in where.items():
        for a, b, line_of in owners:
            if a <= start < b:
                lines[ptr] = (line_of[start - a], text[start:end])
                break
    return facts, lines


def meta_of(text: str, body_start: int) -> tuple[dict[str, Any], dict[str, tuple[int, int]]]:
    """``meta`` as the core reads it from the text, and per meta pointer the (start, end)
    character offsets it came from. ``body_start`` is the offset of the first section heading."""
    from gipcheck.load.meta import extract_meta
    from gipcheck.load.tables import normalize

    return extract_meta(normalize(text), text, body_start, None)


def format_of(active_labels: list[str], request_labels: list[str], cited: list[str], year: int | None) -> str:
    """``meta.format`` decided by the core from the labels the tables carry."""
    from gipcheck.load.meta import detect_format

    return detect_format(active_labels, request_labels, " ".join(cited), year)
