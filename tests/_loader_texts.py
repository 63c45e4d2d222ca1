"""The normalised text every loader (text, Markdown, HTML, Word, PDF) hands to the parser, for the
seeds, the corpus and the examples: the inputs of the differential tests of the parser's shortcuts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def loader_texts() -> list[str]:
    """The normalised text every loader hands to find_headings (text, Markdown, HTML, Word, PDF)."""
    import gipcheck.load.text as T
    from gipcheck.errors import LoadError
    from gipcheck.load import load_path

    files = [f for d in (SHARED / "seeds", SHARED / "corpus", ROOT / "examples") if d.is_dir()
             for f in sorted(d.iterdir()) if f.is_file() and f.name not in ("SOURCES.md", "README.md")]
    if not files:
        pytest.skip("../shared (seeds, corpus) is not beside the checkout")
    got: list[str] = []
    orig = T.find_headings

    def spy(norm: str) -> Any:
        got.append(norm)
        return orig(norm)

    T.find_headings = spy
    try:
        for f in files:
            try:
                load_path(f)
            except LoadError:
                pass  # (the text was read before the loader gave up)
    finally:
        T.find_headings = orig
    return got

