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


# ---------------------------------------------------------------- the per-report applicability memo
@pytest.mark.parametrize("meta", [
    {}, {"region": None}, {"region": {}}, {"region": "上海"}, {"region": []},
    {"format": "2021", "organ_kind": "government", "organ_level": "county", "year": 2024,
     "region": {"province": "上海市", "city": None, "county": "浦东新区"}},
    {"format": "2019", "year": True, "region": {"province": "江苏省"}},
    {"format": 2021, "year": 2024.0, "organ_level": "province", "region": {"province": "江苏省", "city": "南京市"}},
    {"year": 2020, "region": {"province": ["unhashable"]}},
])
def test_applicable_memo_keys_as_applies_to_decides(meta: dict[str, object]) -> None:
    """The memo (keyed by _meta_key, computed once per report) answers as applies_to does, and
    keeps apart what applies_to tells apart (True is not 1, 2024.0 is not 2024)."""
    from gipcheck.engine import default_pack_dirs, load_packs
    from gipcheck.engine.engine import _applicable, _meta_key, applies_to

    packs = load_packs(default_pack_dirs())
    for pack in packs:
        expected = [(r.id, m) for r in pack.rules for ok, m in [applies_to(r, meta)] if ok]
        for _ in range(2):  # the second time from the memo
            assert [(r.id, m) for r, m in _applicable(pack, meta, _meta_key(meta))] == expected
    other = {**meta, "year": 1} if meta.get("year") is True else {**meta, "year": True}
    assert _meta_key(meta) != _meta_key(other) or _meta_key(meta) is None
