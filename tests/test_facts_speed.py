"""The fact search's shortcuts (per-span literal checks, a start moved to ``pre`` before the first
literal, first-character starts, one-call sentence bounds) find exactly what a plain search finds:
every pattern over every span, in order, and the sentence by per-character rfind/regex.

The joined-prose search (``_Search`` over spans in text order: literals found once in the spans'
text joined, each pattern jumping to the span of its literal's next occurrence) finds exactly what
the plain search finds, and a whole extraction gives what the span-by-span path (``_first``) gives."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest

from gipcheck.load import facts
from gipcheck.load.facts import (
    FactPatterns,
    _first,
    _plan,
    _prefilter,
    _Search,
    extract_facts,
    load_patterns,
    sentence_bounds,
)
from gipcheck.load.tables import normalize

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
_END = re.compile("[。;；\n]")


def _plain_first(pats: Any, norm: str, spans: list[Any]) -> Any:
    """The reference: every pattern searched over every whole span, earliest in the first span."""
    for span in spans:
        best = None
        for p in pats:
            m = p.search(norm, span[0], span[1])
            if m and (best is None or m.start() < best.start()):
                best = m
        if best is not None:
            return best.span(), best.groupdict(), tuple(span[:3])
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
            _, need, lits, pre, _, _ = _prefilter(p)
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


# ---------------------------------------------------------------- the joined-prose search

def _noisy_texts() -> list[str]:
    seeds = sorted(SEEDS.glob("*.txt"))
    if not seeds:
        pytest.skip("../shared/seeds is not beside the checkout")
    rnd = random.Random(8)
    out = []
    for s in seeds:
        norm = normalize(s.read_text(encoding="utf-8"))
        noisy = list(norm)
        for _ in range(80):  # literals cut, moved, doubled and run together
            noisy[rnd.randrange(len(noisy))] = rnd.choice(
                ["", "。", "\n", "申请", "件", "1", "结转", "结转至", "转", "收到", "费", "通知", "处理费", "其中",
                 "处理费为0元", "收费为零"])
        out += [norm, "".join(noisy)]
    return out


def _spans(rnd: random.Random, n: int) -> list[tuple[int, int, int | None]]:
    """Spans in text order: some empty, some touching, sections 6 and others mixed."""
    cuts = sorted(rnd.choices(range(n + 1), k=rnd.choice([2, 4, 8, 14, 20])))
    pairs = list(zip(cuts, cuts[1:], strict=False))
    return [(a, b if rnd.random() < 0.8 else a, rnd.choice([None, 1, 2, 6, 6])) for a, b in pairs
            if rnd.random() < 0.7]


def test_joined_search_finds_what_a_plain_search_finds() -> None:
    pats = load_patterns()
    plan = _plan(pats)
    groups = [*plan.facts, *plan.fees.items()]
    rnd = random.Random(9)
    for norm in _noisy_texts():
        for _ in range(30):
            spans = _spans(rnd, len(norm))
            search = _Search(norm, spans, plan)
            assert search.joined
            # one memo shared by every search of a report, asked in a random order, on all the rows
            # or a sub-list of them (as the fees' section 六 first)
            for _ in range(3):
                for name, entries in rnd.sample(groups, len(groups)):
                    rows = search.rows if rnd.random() < 0.5 else [r for r in search.rows if rnd.random() < 0.6]
                    got = search.first(entries, rows)
                    want = _plain_first([e[0] for e in entries], norm, rows)
                    assert (None if got is None else (got[0].span(), got[0].groupdict(), got[1])) == want, name


# overlapping literals, literals at a bounded and an unbounded distance from the start, first-character
# sets, lookbehinds into the text before a span, `$` at a span's end, a pattern with no literal
_SMALL = ["结转", "结转至\\d", "转(?<=结转)", "a[^。]{0,3}?b", "(?:ab|ba)\\d", "b$", "(?:a|转)[ab]{0,2}1",
          "1\\s*$", "(?:至|a)+b", "[ab]1", "(?<=。)a", "ab|b", "\\d+", "a.*至", "a*", "\\d*$"]


def _joined_agrees_with_plain(rnd: random.Random, compiled: list[Any], norm: str) -> None:
    """Random groups of ``compiled`` over random spans of ``norm``: the joined search finds what a
    plain search of each span finds, in whole rows and in random sub-lists of them."""
    import re

    groups = {f"g{i}": tuple(rnd.sample(compiled, rnd.choice([1, 2, 3]))) for i in range(6)}
    plan = _plan(FactPatterns(groups, re.compile("x"), frozenset()))
    spans = _spans(rnd, len(norm))
    search = _Search(norm, spans, plan)
    for _ in range(2):
        for _name, entries in plan.facts:
            rows = search.rows if rnd.random() < 0.5 else [r for r in search.rows if rnd.random() < 0.6]
            got = search.first(entries, rows)
            want = _plain_first([e[0] for e in entries], norm, rows)
            assert (None if got is None else (got[0].span(), got[0].groupdict(), got[1])) == want, (
                norm, rows, [e[0].pattern for e in entries])


def test_joined_search_on_small_alphabets() -> None:
    """Random texts over a few characters: literals everywhere, running across span ends, ties."""
    import re

    rnd = random.Random(12)
    compiled = [re.compile(src) for src in _SMALL]
    for _ in range(300):
        norm = "".join(rnd.choice("ab结转至1 。") for _ in range(rnd.randrange(0, 120)))
        _joined_agrees_with_plain(rnd, compiled, norm)


def test_fee_groups_keep_the_order_of_section_six_first() -> None:
    plan = _plan(load_patterns())
    rnd = random.Random(10)
    for norm in _noisy_texts()[:4]:
        for _ in range(20):
            spans = _spans(rnd, len(norm))
            for given in (spans, spans[::-1]):  # in text order (joined prose), or not (span by span)
                search = _Search(norm, given, plan)
                assert search.joined or given is not spans
                six, rest = search.groups()
                want = sorted(given, key=lambda s: (s[2] != 6, s[0]))  # what _fees searched before
                assert [tuple(r[:3]) for r in six + rest] == want


def test_extraction_matches_the_span_by_span_path(monkeypatch: pytest.MonkeyPatch) -> None:
    pats = load_patterns()
    rnd = random.Random(11)
    cases = []
    for norm in _noisy_texts():
        cases.append((norm, [(0, len(norm), 1)]))
        cases += [(norm, _spans(rnd, len(norm))) for _ in range(15)]
    got = [extract_facts(norm, norm, spans, pats) for norm, spans in cases]
    monkeypatch.setattr(facts, "_ordered", lambda spans: False)  # every search span by span
    want = [extract_facts(norm, norm, spans, pats) for norm, spans in cases]
    assert got == want
    # (the fees and the stated totals were reached, not only the facts)
    assert sum(1 for f, _ in got if f.get("fees")) > 5
    assert sum(1 for f, _ in got if f.get("stated_totals")) > 5


# ---------------------------------------------------------------- the search cut at a _STOP

CORPUS = SEEDS.parent / "corpus"


def _loaded_cases() -> list[tuple[str, str, list[Any]]]:
    """(norm, text, spans) exactly as the loader hands them to extract_facts, for every seed and corpus
    text, and for damaged copies of them (sentence ends, literals and 其中 cut, moved and doubled)."""
    from gipcheck.errors import GipcheckError
    from gipcheck.load import load_bytes
    from gipcheck.load import text as text_mod

    files = sorted(SEEDS.glob("*.txt")) + sorted(CORPUS.glob("*.txt"))
    if not files:
        pytest.skip("../shared/seeds and ../shared/corpus are not beside the checkout")
    cases: list[tuple[str, str, list[Any]]] = []
    real = text_mod.extract_facts

    def spy(norm: str, text: str, spans: list[Any], pats: Any) -> Any:
        cases.append((norm, text, list(spans)))
        return real(norm, text, spans, pats)

    rnd = random.Random(13)
    bits = ["3 余人", "余件", "人", "-", "/", "", "。", "\n", "申请", "收到", "件", "1", "12", "其中", "共", "条", "处理费", "收费", "通知", "。其中3条、",
            "(", ")", "第", "余件"]
    text_mod.extract_facts = spy
    try:
        for f in files:
            raw = f.read_text(encoding="utf-8")
            variants = [raw]
            for _ in range(2):
                chars = list(raw)
                for _ in range(120):
                    chars[rnd.randrange(len(chars))] = rnd.choice(bits)
                variants.append("".join(chars))
            for v in variants:
                try:
                    load_bytes(v.encode(), f.name)
                except GipcheckError:
                    pass  # a damaged copy that is no report any more: nothing reached the facts
    finally:
        text_mod.extract_facts = real
    assert len(cases) > 2 * len(files)
    return cases


def test_extraction_matches_the_general_paths_on_loaded_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole extraction on what the loader hands over (seeds, corpus, damaged copies): the fast
    paths (joined prose, searches cut at a _STOP) against the general ones (span by span, whole-span
    searches)."""
    pats = load_patterns()
    cases = _loaded_cases()
    got = [extract_facts(norm, text, spans, pats) for norm, text, spans in cases]
    monkeypatch.setattr(facts, "_CUT_MIN", 0)  # the cut wherever it applies
    assert [extract_facts(norm, text, spans, pats) for norm, text, spans in cases] == got
    monkeypatch.setattr(facts, "_CUT_MIN", 1 << 30)  # never
    assert [extract_facts(norm, text, spans, pats) for norm, text, spans in cases] == got
    monkeypatch.setattr(facts, "_ordered", lambda spans: False)  # every search span by span
    assert [extract_facts(norm, text, spans, pats) for norm, text, spans in cases] == got
    assert sum(1 for f, _ in got if f.get("fees")) > 5
    assert sum(1 for f, _ in got if f.get("stated_totals")) > 5


def test_which_patterns_may_be_cut_at_a_stop() -> None:
    def cut(src: str) -> bool:
        return _prefilter(re.compile(src))[5]

    # led by a class or alternatives, holding a literal, never a 。, looking at no text after the match
    assert cut(r"(?:共|合计)[^,。;；\d]{0,16}?申请\s*(?P<n>\d+)\s*件")
    assert cut(r"[ab]1(?<=\d)x") and cut(r"(?:收费|缴费)通知[^。;；]{0,20}?金额")
    assert cut(r"(?:a|b)c(?<=[^。]c)")  # a lookbehind reads only what is before
    assert not cut(r"结转[^,]{0,10}件")  # led by one literal: the engine scans for it fast anyway
    assert not cut(r"(?:a|b)[^,]{0,10}件")  # [^,] holds 。
    assert not cut(r"(?:a|b).{0,10}件") and not cut(r"(?:a|b)\D件") and not cut(r"(?:a|b)\W件")
    assert not cut(r"(?:a|b)c(?=d)") and not cut(r"(?:a|b)c(?!d)")  # a lookahead reads past the match
    assert not cut(r"(?:a|b)c$") and not cut(r"(?:a|b)c\b") and not cut(r"(?:a|b)c\Z")
    assert not cut(r"(?:a|b)c(?<=(?=。)c)")  # a lookahead inside a lookbehind
    assert not cut(r"(?P<x>a|b)c(?P=x)")  # a back reference
    assert not cut(r"(?:a|b)[。]") and not cut(r"(?:a|b)[\u3000-\u303f]")  # a range holding 。
    assert not cut(r"(?i:a|b)c")
    assert not cut(r"\d+")  # no literal


# patterns the cut applies to (led by alternatives or a class, with a literal, without 。) and some it
# does not, over texts full of 。 and literals
_CUTS = ["(?:a|b)[^,;。]{0,6}至\\d", "(?:a|b)[^,;]{0,6}至\\d", "[ab]1", "(?:ab|ba)\\d*b", "(?:转|b)(?<=。转)[ab]{0,3}1", "(?:a|至)+b",
         "(?:a|b)[^;。]{0,3}(?:1|结转)", "(?:1|b)\\s*a", "(?:a|b).{0,2}1", "(?:a|b)[ab]{0,2}$", "[ab](?=1)"]


def test_cut_searches_on_small_alphabets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Random texts over a few characters (。 often), every search cut wherever it applies: the joined
    search finds what a plain search finds."""
    monkeypatch.setattr(facts, "_CUT_MIN", 0)
    rnd = random.Random(14)
    compiled = [re.compile(src) for src in _CUTS]
    assert sum(_prefilter(p)[5] for p in compiled) >= 6
    for _ in range(400):
        norm = "".join(rnd.choice("ab结转至1 。。") for _ in range(rnd.randrange(0, 300)))
        _joined_agrees_with_plain(rnd, compiled, norm)
