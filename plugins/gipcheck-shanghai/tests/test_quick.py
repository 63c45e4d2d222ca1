"""The quick first test of shanghai_score (gipcheck_shanghai.quick) against the searches it
replaced, on the corpus and on made-up texts and heads (cut characters, broken bytes, BOM, GB18030)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from gipcheck_shanghai import plugin, quick
from gipcheck_shanghai.layout import shanghai_score

# The searches the quick test replaced: the reference it must agree with.
_NAMED = re.compile(r"上海市|上海(?:科技|发布)")
_DISTRICT = re.compile("|".join(re.escape(d + "区") for d in quick.SHANGHAI_DISTRICTS))


def reference(text: str) -> bool:
    return (text.find("上海市政府信息公开规定", 0, 3000) >= 0 or _NAMED.search(text, 0, 400) is not None
            or _DISTRICT.search(text, 0, 400) is not None)


_PIECES = ("上海", "上海市", "上海科技", "上海发布", "上海市政府信息公开规定", "黄浦区", "浦东新区", "浦东新区区",
           "闵行区", "区", "海", "上", "市", "地区", "徐汇", "宝山区", "a", "1", "\n", "。", "政府信息公开", "年度报告")


def _texts(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        filler = "".join(rng.choice("的是了在区海上市年度工作abc 1\n") for _ in range(rng.randint(0, 500)))
        at = rng.choice((0, 380, 395, 397, 398, 399, 400, 401, 2990, 2995, 2999, 3000, rng.randint(0, 3200)))
        piece = rng.choice(_PIECES)
        text = (filler * (at // max(len(filler), 1) + 1))[:at] + piece + filler
        out.append(text)
    return out


def test_maybe_shanghai_matches_the_searches_it_replaced(corpus: Path) -> None:
    rng = random.Random(7)
    texts = _texts(rng, 3000)
    texts += [p.read_text(encoding="utf-8", errors="ignore") for p in sorted(corpus.glob("*.txt"))]
    seeds = corpus.parent / "seeds"
    texts += [p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*.txt"))]
    assert any(reference(t) for t in texts) and not all(reference(t) for t in texts)
    for t in texts:
        assert quick.maybe_shanghai(t) is reference(t), t[:80]


def _heads(rng: random.Random, n: int) -> list[bytes]:
    heads = []
    for text in _texts(rng, n):
        data = text.encode("utf-8")
        kind = rng.randrange(6)
        if kind == 1:  # broken bytes: dropped when decoding, joining what was around them
            for _ in range(rng.randint(1, 8)):
                i = rng.randrange(len(data) + 1)
                data = data[:i] + bytes([rng.choice((0x80, 0xbf, 0xe4, 0xe6, 0xff, 0xc3))]) + data[i:]
        elif kind == 2:
            data = b"\xef\xbb\xbf" + data
        elif kind == 3:
            data = text.encode("gb18030")
        elif kind == 4:  # a head cut inside a character, as the core cuts at 8192 bytes
            data = data[:rng.randint(0, len(data))]
        heads.append(data[:8192])
    return heads


def test_head_test_matches_decoding_the_whole_head(corpus: Path) -> None:
    rng = random.Random(11)
    heads = _heads(rng, 3000)
    heads += [p.read_bytes()[:8192] for p in sorted(corpus.iterdir()) if p.is_file()]
    heads += [p.read_bytes()[:8192] for p in sorted((corpus.parent / "seeds").glob("*.txt"))]
    # districts just before the 400th character, with 4-byte and broken characters before them
    for lead in ("\U0001f600" * 120, "\U0001f600" * 99, "a" * 396, "海" * 397):
        for junk in (b"", b"\xff" * 5):
            heads.append(junk + (lead + "黄浦区" + "x" * 2000).encode("utf-8") + junk)
    hits = 0
    for head in heads:
        want = reference(head.decode("utf-8-sig", errors="ignore"))
        hits += want
        assert quick.head_maybe_shanghai(head) is want, head[:60]
        assert plugin.sniff(head, "x.txt") == shanghai_score(head.decode("utf-8-sig", errors="ignore"))
    assert 0 < hits < len(heads)


@pytest.mark.parametrize("head", ["文本", None, 3])
def test_sniff_of_a_non_bytes_head_is_zero(head: object) -> None:
    assert plugin.sniff(head, "x.txt") == 0.0  # type: ignore[arg-type]
