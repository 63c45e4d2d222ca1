"""The few-lookups fast path of text._Locator.loc (newlines counted per position) against its
line-table path, on the seeds' and the corpus' own texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from gipcheck.errors import LoadError
from gipcheck.load import load_path
from gipcheck.load.text import _FEW_PROBES, _Locator

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _texts() -> list[str]:
    files = sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "corpus").glob("*.txt"))[:10]
    out = []
    for f in files:
        try:
            out.append(str(load_path(f).text))
        except LoadError:  # a layout that needs a plugin: its text is not read here
            continue
    return out


def _table_locator(text: str) -> _Locator:
    """A locator that has already built its line table: every lookup takes the general path."""
    loc = _Locator(text, None)
    loc._line_starts()
    return loc


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="../shared/seeds not present beside the checkout")
def test_fast_path_matches_line_table_on_real_texts() -> None:
    texts = _texts()
    assert texts
    for text in texts:
        # every line start, a position inside each line, each newline itself and the text's end
        positions, pos = [], 0
        for ln in text.split("\n"):
            positions += [pos, pos + len(ln) // 2, pos + len(ln)]
            pos += len(ln) + 1
        positions.append(len(text))
        general = _table_locator(text)
        for p in positions:
            fast = _Locator(text, None)  # a fresh locator: the lookup takes the counting path
            a, b = fast.loc(p, p + 3), general.loc(p, p + 3)
            assert fast._starts is None
            assert (a.line, a.col, a.text) == (b.line, b.col, b.text), p


def test_fast_path_then_table_and_edges() -> None:
    text = "一\r\n二三\n\n四五六\n"
    general = _table_locator(text)
    loc = _Locator(text, None)
    positions = [0, 1, 2, 3, 5, 6, 7, 8, 10, 11, len(text)] * 3
    for p in positions:
        a, b = loc.loc(p, p + 1), general.loc(p, p + 1)
        assert (a.line, a.col, a.text) == (b.line, b.col, b.text), p
    # past the few lookups the locator switches to its line table
    assert loc._starts is not None and len(positions) > _FEW_PROBES
    assert _Locator("", None).loc(0, 0).line == 1
