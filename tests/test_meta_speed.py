"""The metadata reader's shortcuts find exactly what the plain search finds.

``meta._kv_matches`` looks only at the colons a header key can stand before; the reference is
``_KV.finditer`` over the whole window. ``gazetteer._starting`` finds the names an organ starts
with by their first character; the reference is the earlier look-up by every name length (kept
here), and ``_unit``'s stop-character test is ``any(...)``. Inputs: the seeds, the corpus and the
examples as every loader linearises them, and damaged/random variants.
"""

from __future__ import annotations

import random
from typing import Any

from gipcheck.document import gazetteer as G
from gipcheck.load import meta as M


def _spans(ms: Any) -> list[tuple[Any, ...]]:
    return [(m.regs, m.groups()) for m in ms]


_KV_PIECES = [*M._KV_KEYS, ":", " :", "  :", ": |", "|", "\n", " ", "\u3000", "发布", "信息", "2024-01-17",
              "某某局", "x" * 70, "生成日期:", "来源 :", "信息来源:", "发布日期 : |"]


def test_kv_matches_are_the_full_scan(loader_texts: list[str]) -> None:
    rnd = random.Random(11)
    for norm in loader_texts:
        for end in (len(norm), min(len(norm), 600), min(len(norm), 37)):
            assert _spans(M._kv_matches(norm, end)) == _spans(M._KV.finditer(norm, 0, end))
        chars = list(norm[:800])
        for _ in range(3):
            for _ in range(30):
                chars[rnd.randrange(len(chars))] = rnd.choice(_KV_PIECES)
            bad = "".join(chars)
            for end in (len(bad), rnd.randrange(len(bad) + 1)):
                assert _spans(M._kv_matches(bad, end)) == _spans(M._KV.finditer(bad, 0, end))


def test_kv_matches_on_random_text() -> None:
    rnd = random.Random(12)
    for _ in range(3000):
        text = "".join(rnd.choice(_KV_PIECES) for _ in range(rnd.randrange(1, 25)))
        end = rnd.randrange(len(text) + 1)
        assert _spans(M._kv_matches(text, end)) == _spans(M._KV.finditer(text, 0, end))


def test_a_key_cut_by_the_previous_value_is_read_as_finditer_reads_it() -> None:
    # the 80-character value stops inside "发布日期": its "日期" is the next key, not "发布日期"
    text = "来源:" + "x" * 78 + "发布日期:2024-01-02"
    got = [(m.group(1), m.group(2)) for m in M._kv_matches(text, len(text))]
    assert got == [("来源", "x" * 78 + "发布"), ("日期", "2024-01-02")]
    assert got == [(m.group(1), m.group(2)) for m in M._KV.finditer(text)]


# ---------------------------------------------------------------- the gazetteer look-ups
def _old_starting(rest: str, table: dict[str, Any]) -> list[str]:
    """The reference: every prefix length of the table's names, looked up, in table order."""
    index = {k: i for i, k in enumerate(table)}
    found = [k for k in {rest[:n] for n in {len(k) for k in table} if n <= len(rest)} if k in index]
    return sorted(found, key=index.__getitem__)


def _organ_names() -> list[str]:
    g = G.gazetteer()
    rnd = random.Random(13)
    names = [*g.provinces, *g.short, *g.city_province, *g.county_city]
    tails = ["人民政府", "人民政府办公室", "教育局", "街道办事处", "乡人民政府", "镇", "区", "县", "市", "自治州", ""]
    out = ["国务院办公厅", "中国某局", "", " ", "某某省某某市某某县人民政府", "青云谱区商务局", "南京市江宁区 人民政府"]
    for _ in range(1500):
        parts = [rnd.choice(names) for _ in range(rnd.randrange(0, 3))]
        out.append("".join(parts) + rnd.choice(tails))
    out += [n[:k] for n in names[:60] for k in range(len(n) + 1)]
    return out


def test_starting_finds_what_every_length_finds() -> None:
    g = G.gazetteer()
    for table, index in zip((g.provinces, g.short, g.city_province), G._prefix_index(), strict=True):
        for name in _organ_names():
            assert G._starting(name, index) == _old_starting(name, table)


def test_unit_stop_characters() -> None:
    for name in _organ_names():
        for rx in (G._COUNTY, G._TOWN):
            m = rx.match(name)
            want = None if not m or any(ch in G._STOP for ch in m.group(0)[:-1]) else m.group(0)
            assert G._unit(rx, name) == want


def test_classify_organ_reads_levels_and_regions() -> None:
    assert G.classify_organ("太原市清徐县人民政府") == (
        "government", "county", {"province": "山西省", "city": "太原市", "county": "清徐县"})
    assert G.classify_organ("湖州市政务服务管理办公室")[1:] == (
        "prefecture", {"province": "浙江省", "city": "湖州市", "county": None})

