"""The fact search's shortcuts (per-span literal checks, a start moved to ``pre`` before the first
literal, first-character starts, one-call sentence bounds) find exactly what a plain search finds:
every pattern over every span, in order, and the sentence by per-character rfind/regex."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest

from gipcheck.load.facts import _first, _prefilter, load_patterns, sentence_bounds
from gipcheck.load.tables import normalize

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
_END = re.compile("[。;；\n]")


def _plain_first(pats: Any, norm: str, spans: list[tuple[int, int, Any]]) -> Any:
    """The reference: every pattern searched over every whole span, earliest in the first span."""
    for span in spans:
        best = None
        for p in pats:
            m = p.search(norm, span[0], span[1])
            if m and (best is None or m.start() < best.start()):
                best = m
        if best is not None:
            return best.span(), best.groupdict(), span
    return None


def _plain_bounds(norm: str, a: int, b: int, s: int, e: int) -> tuple[int, int]:
    stop = max(a, s - 240)
    last = max(norm.rfind(ch, stop, s) for ch in "。;；\n")
    lo = last + 1 if last >= 0 else stop
    stop = min(b, e + 240)
    m = _END.search(norm, e, stop) if e < stop else None
    hi = (m.start() if m else stop) if e < stop else e
    return lo, hi + 1 if hi < b and norm[hi] == "。" else hi


def _texts() -> list[str]:
    seeds = sorted(SEEDS.glob("*.txt"))
    if not seeds:
        pytest.skip("../shared/seeds is not beside the checkout")
    return [normalize(s.read_text(encoding="utf-8")) for s in seeds]


def test_search_shortcuts_find_what_a_plain_search_finds() -> None:
    pats = load_patterns()
    groups = [*pats.facts.values(), *pats.fees.values()]
    rnd = random.Random(6)
    for norm in _texts():
        noisy = list(norm)
        for _ in range(60):  # literals and first characters cut, moved and doubled
            noisy[rnd.randrange(len(noisy))] = rnd.choice(["", "。", "\n", "申请", "件", "1", "结转", "收到", "费"])
        for text in (norm, "".join(noisy)):
            n = len(text)
            for _ in range(40):
                cuts = sorted(rnd.sample(range(n + 1), min(n + 1, rnd.choice([2, 4, 8, 12]))))
                spans = [(a, b, i) for i, (a, b) in enumerate(zip(cuts, cuts[1:], strict=False)) if b > a and rnd.random() < 0.8]
                firsts: dict[tuple[str, int, int], int] = {}  # shared across patterns, as in one text
                for pats_of in groups:
                    got = _first([_prefilter(p) for p in pats_of], text, spans, firsts)
                    want = _plain_first(pats_of, text, spans)
                    assert (None if got is None else (got[0].span(), got[0].groupdict(), got[1])) == want


def test_a_match_never_starts_further_than_pre_before_its_literal() -> None:
    """The bound the search start relies on, checked on every match in the seeds."""
    pats = load_patterns()
    for norm in _texts():
        for p in [q for g in (*pats.facts.values(), *pats.fees.values()) for q in g]:
            _, need, lits, pre, _ = _prefilter(p)
            for m in p.finditer(norm):
                assert m.end() - m.start() >= need
                if lits is not None:
                    assert any(0 <= m.group(0).find(lit) <= pre for lit in lits), (p.pattern, m.group(0))


def test_sentence_bounds_match_the_per_character_search() -> None:
    rnd = random.Random(7)
    for norm in _texts():
        n = len(norm)
        for _ in range(300):
            a, b = sorted(rnd.sample(range(n + 1), 2))
            s = rnd.randrange(a, b + 1)
            e = rnd.randrange(s, b + 1)
            assert sentence_bounds(norm, a, b, s, e) == _plain_bounds(norm, a, b, s, e)
