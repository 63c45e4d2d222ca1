"""The fast path of the metadata reader finds exactly what the plain search finds:
``meta._citations`` searches only the text before each 号; it is checked here against a full scan
on the seeds and corpus.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gipcheck.load import meta as M
from gipcheck.load.tables import normalize

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TEXTS = sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "corpus").glob("*.txt"))
pytestmark = pytest.mark.skipif(not TEXTS, reason="shared seeds/corpus not found beside the checkout")


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.name[:24])
def test_citations_match_a_full_scan(path: Path) -> None:
    norm = normalize(path.read_text(encoding="utf-8"))
    for text in (norm, norm.replace("号", " 〔2021〕 30号", 3), "令 第 3 号" + " " * 100 + "〔2019〕60号"):
        want = [m.span() for m in M._CITED.finditer(text, 0, text.rfind("号") + 1)]
        assert [m.span() for m in M._citations(text)] == want


def test_cited_pattern_reads_both_forms() -> None:
    spans = [(m.group(1), m.group(2), m.group(3)) for m in M._citations("依据国办公开办函〔2021〕30号和国务院令第711号")]
    assert spans == [("2021", "30", None), (None, None, "711")]
