"""Which reports are Jiangsu's, and the 国务院令 numbers a report cites."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from gipcheck.testing.pytest_plugin import GipcheckChecker

from gipcheck_jiangsu.region import _OCR, CITIES, PROVINCE, _names_in, cited_orders, locate


@pytest.mark.parametrize(("words", "city", "county"), [
    ("淮安市洪泽区人民政府2024年政府信息公开工作年度报告", "淮安市", "洪泽区"),
    ("洪泽区人民政府 2023 年政府信息公开工作年度报告", "淮安市", "洪泽区"),
    ("沭阳县人民政府", "宿迁市", "沭阳县"),
    ("沐阳县人民政府", "宿迁市", "沭阳县"),  # OCR reads 沭 as 沐
    ("淮安市人民政府", "淮安市", None),
    ("南京市鼓楼区人民政府", "南京市", "鼓楼区"),
    ("江苏省人民政府办公厅", None, None),
])
def test_jiangsu_organs(words: str, city: str | None, county: str | None) -> None:
    assert locate(words) == {"province": "江苏省", "city": city, "county": county}


@pytest.mark.parametrize("words", ["鼓楼区人民政府", "上海市科委", "福州市鼓楼区人民政府", "平潭综合实验区管委会"])
def test_not_jiangsu_or_ambiguous(words: str) -> None:
    assert locate(words) is None


def test_names_in_agrees_with_scanning_every_name(corpus: Path) -> None:
    """locate looks names up only where a 市/区/县 ends; scanning the text for every name (one ``in``
    each, as locate first did) finds the same set — so locate answers as it did."""
    import random

    rng = random.Random(7)
    all_names = {*CITIES, *(u for units in CITIES.values() for u in units)}
    names = [*all_names, *_OCR, PROVINCE]
    # pieces that make near misses: names cut short, their first or last characters, other provinces'
    pieces = [*names, *(n[:-1] for n in names), *(n[1:] for n in names), "市", "区", "县", "省",
              "人民政府", "福州市", "上海市", "县区", "市区", "  ", "\n", "2024年"]
    heads = [p.read_text(encoding="utf-8", errors="replace")[:300]
             for p in sorted((corpus.parent / "seeds").glob("*.txt"))]
    cases = 0
    for _ in range(4000):
        words = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        if heads and rng.random() < 0.3:
            words = rng.choice(heads) + words
        assert _names_in(words) == {n for n in all_names if n in words}, words
        cases += 1
    assert cases == 4000


def test_cited_orders() -> None:
    text = "根据《中华人民共和国政府信息公开条例》（国令第 711 号）…《条例》（国务院令第492号）"
    assert cited_orders(text) == ["国务院令第711号", "国务院令第492号"]


def test_region_option(make_gipcheck_checker: Callable[..., GipcheckChecker], corpus: Path) -> None:
    seeds = corpus.parent / "seeds"
    checker = make_gipcheck_checker(["jiangsu"], region="jiangsu", config={"region": "jiangsu"})
    unnamed = checker.load(seeds / "002_fef44fb29382a984.txt")  # 青云谱区商务局 names no province
    assert unnamed.document["meta"]["region"]["province"] == "江苏省"
    named = checker.load(seeds / "000_be94cdfbcf579bbe.txt")  # 太原市清徐县人民政府
    assert named.document["meta"]["region"]["province"] == "山西省"
    assert "JS_REGION_MISMATCH" in {n.code for n in named.notes}
