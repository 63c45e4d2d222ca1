"""Numbers the prose states about what the tables count (``facts`` of the document).

Which phrasings produce which fact is data: ``rules/facts.yaml`` (and any province file of the
same shape). Every pattern runs on the normalised prose only (table cells removed); the first
occurrence in the text wins for each fact. Each fact carries its sentence and section number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from gipcheck.errors import ConfigError
from gipcheck.resources import cached_yaml

Span = tuple[int, int, "int | None"]
_MAX_SENT = 240
_START = itemgetter(0)
_SENT_END_RE = re.compile("[。;；\n]")
_LAST_END_RE = re.compile("(?s:.*)[。;；\n]")  # greedy: backs up to the last end


@dataclass(frozen=True)
class FactPatterns:
    facts: dict[str, tuple[re.Pattern[str], ...]]
    total: re.Pattern[str]
    part_units: frozenset[str]
    fees: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    # measure word -> its quantity (条 and 件 count items, 人 people, 次 times): a part counted in
    # another quantity than the total ends the list of parts
    unit_groups: dict[str, int] = field(default_factory=dict)


def default_fact_file() -> Path:
    from gipcheck.resources import rules_dir

    return rules_dir() / "facts.yaml"


def _compile(src: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(src)
    except re.error as e:
        raise ConfigError("FACT_PATTERN", f"事实短语规则有误（{where}）：{e}", f"bad fact pattern ({where}): {e}") from None


@cache
def load_patterns(extra_files: tuple[str, ...] = ()) -> FactPatterns:
    """Compile ``rules/facts.yaml`` plus ``extra_files`` (a province's own phrasings)."""
    facts: dict[str, list[re.Pattern[str]]] = {}
    fees: dict[str, list[re.Pattern[str]]] = {}
    total_src = r"(?P<n>\d+)\s*[,:。(\s]{0,2}$"
    units = "年|月|日|%"
    groups: list[str] = []
    for path in (str(default_fact_file()), *extra_files):
        try:
            # kept as JSON in the start-up cache: this runs at every start and in every batch worker
            data: Any = cached_yaml(Path(path).read_text(encoding="utf-8"), "facts",
                                    lambda got: type(got) is dict) or {}
            if not isinstance(data, dict):
                raise ValueError("not a mapping")
        except Exception as e:  # noqa: BLE001 - OSError, YAML errors, a list: a broken phrasing file
            raise ConfigError("FACT_FILE", f"无法读取事实短语文件 {path}：{e}", f"cannot read fact file {path}: {e}") from None
        for name, pats in (data.get("facts") or {}).items():
            for i, p in enumerate(pats or []):
                src = p["pattern"] if isinstance(p, dict) else str(p)
                facts.setdefault(name, []).append(_compile(src, f"{path}: facts.{name}[{i}]"))
        st = data.get("stated_totals") or {}
        if st.get("total"):
            total_src = st["total"]
        if st.get("units_after_part"):
            units = st["units_after_part"]
        if st.get("unit_groups"):
            groups = [str(g) for g in st["unit_groups"]]
        for name, pats in (data.get("fees") or {}).items():
            for i, p in enumerate(pats or []):
                fees.setdefault(name, []).append(_compile(str(p), f"{path}: fees.{name}[{i}]"))
    return FactPatterns(
        {k: tuple(v) for k, v in facts.items()},
        _compile(total_src, "stated_totals.total"),
        frozenset(units.split("|")),
        {k: tuple(v) for k, v in fees.items()},
        {w: i for i, g in enumerate(groups) for w in g.split("|") if w},
    )


def sentence_bounds(norm: str, a: int, b: int, s: int, e: int) -> tuple[int, int]:
    """The sentence around ``norm[s:e]``, clipped to the span ``[a, b)`` and a sane length."""
    stop = max(a, s - _MAX_SENT)
    lo = stop
    if s > stop:
        # the end of the last sentence end before s, in one call (not one rfind per end character)
        m = _LAST_END_RE.match(norm, stop, s)
        if m is not None:
            lo = m.end()
    hi = e
    stop = min(b, e + _MAX_SENT)
    if e < stop:
        m = _SENT_END_RE.search(norm, e, stop)
        hi = m.start() if m else stop
    if hi < b and norm[hi] == "。":
        hi += 1
    return lo, hi


_MAX_DIGITS = 15  # no count or amount a report states has more: a longer digit string is no number


def _number(s: str) -> int | float | None:
    """The number a pattern's ``n`` group matched (thousands commas allowed), or None when it is
    none a report could state (too long to be exact, not a number at all)."""
    s = s.replace(",", "")
    whole, _, frac = s.partition(".")
    if not whole.isdigit() or len(whole) > _MAX_DIGITS or (frac and not frac.isdigit()):
        return None
    return float(s) if frac or s.endswith(".") else int(whole)


_FAR = 1 << 20  # a width at least this large is unbounded (a `*` or `+` somewhere)


def _width(state: Any, item: Any) -> int:
    """The longest text the parsed item ``item`` can match (``_FAR`` or more when unbounded)."""
    from re import _parser  # type: ignore[attr-defined]

    return int(_parser.SubPattern(state, [item]).getwidth()[1])


def _required(items: Any, state: Any = None) -> tuple[frozenset[str], int] | None:
    """Literals of which every match of the parsed (sub)pattern ``items`` contains at least one,
    with the most text a match can hold before the first of them (``_FAR`` or more: unbounded),
    or None when no such set is known. Lookarounds and optional parts require nothing."""
    from re import _constants as C  # type: ignore[attr-defined]  # noqa: N812 - the parser opcodes

    if state is None:
        state = items.state
    choices: list[tuple[frozenset[str], int]] = []
    run: list[str] = []
    pre = 0  # the widest text the items before the current one can match
    run_pre = 0

    def close_run() -> None:
        if run:
            choices.append((frozenset(("".join(run),)), run_pre))
            run.clear()

    for item in items:
        op, av = item
        if op is C.LITERAL:
            if not run:
                run_pre = pre
            run.append(chr(av))
            pre += 1
            continue
        close_run()
        sub: tuple[frozenset[str], int] | None = None
        if op is C.SUBPATTERN:
            if not av[1] & re.IGNORECASE:
                sub = _required(av[-1], state)
        elif op is C.ATOMIC_GROUP:
            sub = _required(av, state)
        elif op is C.BRANCH:
            alts = [_required(alt, state) for alt in av[1]]
            if all(a is not None for a in alts):
                sub = (frozenset().union(*(a[0] for a in alts)),  # type: ignore[index]
                       max(a[1] for a in alts))  # type: ignore[index]
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT) and av[0] >= 1:
            sub = _required(av[2], state)  # (the first repetition holds one)
        if sub and sub[0]:
            choices.append((sub[0], pre + sub[1]))
        pre += _width(state, item)
    close_run()
    if not choices:
        return None
    # the most selective set: longest shortest literal, then fewest literals
    # (at equal length one with a bounded distance from the start: it bounds where a search starts)
    return max(choices, key=lambda c: (min(len(x) for x in c[0]), c[1] < _FAR, -len(c[0])))


def _firsts(items: Any) -> frozenset[str] | None:
    """The characters every match of the parsed (sub)pattern ``items`` starts with, when its first
    item decides them (literals, alternatives of literals, a class of literals); else None."""
    from re import _constants as C  # type: ignore[attr-defined]  # noqa: N812 - the parser opcodes

    if not len(items):
        return None
    op, av = items[0]
    if op is C.LITERAL:
        return frozenset(chr(av))
    if op is C.IN:
        if all(o is C.LITERAL for o, _ in av):
            return frozenset(chr(v) for _, v in av)
        return None
    if op is C.BRANCH:
        alts = [_firsts(alt) for alt in av[1]]
        return frozenset().union(*alts) if all(a is not None for a in alts) else None  # type: ignore[arg-type]
    if op is C.SUBPATTERN:
        return None if av[1] & re.IGNORECASE else _firsts(av[-1])
    if op is C.ATOMIC_GROUP:
        return _firsts(av)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT) and av[0] >= 1:
        return _firsts(av[2])
    return None  # an assertion, a category, an optional part…: unknown


_STOP = "。"  # the sentence end: most patterns cannot match across it (see ``_may_consume``)
_CATEGORIES = {"CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_SPACE": r"\s",
               "CATEGORY_NOT_SPACE": r"\S", "CATEGORY_WORD": r"\w", "CATEGORY_NOT_WORD": r"\W"}


def _may_consume(items: Any, ch: str, flags: int) -> bool | None:
    """Whether some match of the parsed (sub)pattern ``items`` may hold ``ch``, or None when unknown or
    when a match may look at the text after it (a lookahead, ``$``, ``\\b``, a back reference…)."""
    from re import _constants as C  # type: ignore[attr-defined]  # noqa: N812 - the parser opcodes

    code = ord(ch)
    for op, av in items:
        if op is C.LITERAL:
            hit: bool | None = av == code
        elif op is C.NOT_LITERAL or op is C.ANY:
            hit = True  # (conservative: any character but one, or but a newline)
        elif op is C.IN:
            hit = _in_class(av, code, ch, flags)
        elif op is C.SUBPATTERN:
            hit = None if av[1] & re.IGNORECASE else _may_consume(av[-1], ch, flags)
        elif op is C.ATOMIC_GROUP:
            hit = _may_consume(av, ch, flags)
        elif op is C.BRANCH:
            alts = [_may_consume(alt, ch, flags) for alt in av[1]]
            hit = None if None in alts else any(alts)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            hit = _may_consume(av[2], ch, flags)
        elif op in (C.ASSERT, C.ASSERT_NOT) and av[0] < 0:
            # a lookbehind reads only text before the place it is tested at (unless it holds a lookahead)
            hit = None if _may_consume(av[1], ch, flags) is None else False
        elif op is C.AT and av in (C.AT_BEGINNING, C.AT_BEGINNING_STRING, C.AT_BEGINNING_LINE):
            hit = False
        else:
            return None
        if hit is None or hit:
            return hit
    return False


def _in_class(av: Any, code: int, ch: str, flags: int) -> bool | None:
    """Whether the parsed character class ``av`` holds ``ch`` (None: unknown)."""
    from re import _constants as C  # type: ignore[attr-defined]  # noqa: N812 - the parser opcodes

    negate = False
    hit = False
    for op, v in av:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            hit = hit or v == code
        elif op is C.RANGE:
            hit = hit or v[0] <= code <= v[1]
        elif op is C.CATEGORY and str(v) in _CATEGORIES:
            hit = hit or re.match(_CATEGORIES[str(v)], ch, flags & re.ASCII) is not None
        else:
            return None
    return hit != negate


# A pattern ready to search: (the pattern, its shortest match, literals one of which every match
# contains or None, the most text a match holds before the first of them (``_FAR``: unbounded), the
# characters every match starts with when it does not start with a literal, or None, and whether a
# search may end at a ``_STOP``: no match holds one nor looks past its own end, and the engine does not
# find the pattern by a literal it starts with).
Entry = tuple[re.Pattern[str], int, "tuple[str, ...] | None", int, "tuple[str, ...] | None", bool]

# pattern id → (the pattern, its entry): hashing a compiled pattern hashes its whole code, so a
# plain cache costs more than the lookup saves; the entry holds the pattern, so its id stays its own
_PREFILTERS: dict[int, tuple[re.Pattern[str], Entry]] = {}


def _prefilter(p: re.Pattern[str]) -> Entry:
    hit = _PREFILTERS.get(id(p))
    if hit is not None and hit[0] is p:
        return hit[1]
    info = _prefilter_of(p)
    _PREFILTERS[id(p)] = (p, info)
    return info


def _prefilter_of(p: re.Pattern[str]) -> Entry:
    """The entry of a pattern, so that spans that cannot match are skipped without running it and a
    search starts at the first place a match can. (p, 0, None, _FAR, None, False) when unknown."""
    try:
        from re import _parser  # type: ignore[attr-defined]

        if p.flags & (re.IGNORECASE | re.VERBOSE):
            return p, 0, None, _FAR, None, False
        tree = _parser.parse(p.pattern, p.flags)
        req = _required(tree)
        need = int(tree.getwidth()[0])
        firsts = _firsts(tree) if need > 0 else None
        # (a pattern that starts with a literal is scanned for it by the regex engine itself)
        starts = tuple(sorted(firsts)) if firsts and len(firsts) > 1 else None
        # (a pattern led by one literal is scanned for it fast by the engine: a cut saves little there)
        cut = (firsts is None or len(firsts) > 1) and _may_consume(tree, _STOP, p.flags) is False
        if req is None:
            return p, need, None, _FAR, starts, False
        return p, need, tuple(sorted(req[0])), min(req[1], _FAR), starts, cut
    except Exception:  # private parser API changed: no prefilter, same results
        return p, 0, None, _FAR, None, False


@dataclass(frozen=True)
class _Plan:
    facts: tuple[tuple[str, tuple[Entry, ...]], ...]
    fees: dict[str, tuple[Entry, ...]]
    need: int  # the shortest match of any pattern: a shorter span holds no fact
    joinable: bool = True  # no literal holds _SEP: they can be found in the spans' text joined by it


# FactPatterns id → (it, its plan), for the same reason as _PREFILTERS
_PLANS: dict[int, tuple[FactPatterns, _Plan]] = {}


def _plan(patterns: FactPatterns) -> _Plan:
    hit = _PLANS.get(id(patterns))
    if hit is not None and hit[0] is patterns:
        return hit[1]
    facts = tuple((name, tuple(_prefilter(p) for p in pats)) for name, pats in patterns.facts.items())
    fees = {name: tuple(_prefilter(p) for p in pats) for name, pats in patterns.fees.items()}
    needs = [e[1] for _, es in facts for e in es] + [e[1] for es in fees.values() for e in es]
    lits = [lit for es in (*(es for _, es in facts), *fees.values()) for e in es for lit in e[2] or ()]
    plan = _Plan(facts, fees, min(needs, default=0), all(_SEP not in lit for lit in lits))
    _PLANS[id(patterns)] = (patterns, plan)
    return plan


_SCAN_MIN = 32  # a shorter span is searched whole (the finds cost more than the scan they save)
# a search of a pattern scanned by its first characters (the engine tests each one against a class)
# ends at the first _STOP after its last literal only over a longer span: below, the rfind and
# find cost more than the scan they save (and a literal-led scan is cheap at any length)
_CUT_MIN = 120


def _search_starts(p: re.Pattern[str], starts: tuple[str, ...], find: Any, norm: str, a: int,
                   b: int) -> re.Match[str] | None:
    """``p.search(norm, a, b)`` for a pattern whose every match starts with one of ``starts``: no
    match starts before the first of them, so the search starts there (str.find skips the text
    before it, where the engine would test every character against the class of first characters;
    the engine's lookbehinds and anchors see the whole text whatever the start)."""
    at = b
    for ch in starts:
        i = find(ch, a, at)
        if i >= 0:
            at = i
    return None if at >= b else p.search(norm, at, b)


def _first(entries: Sequence[Entry], norm: str, spans: Sequence[Span],
           firsts: dict[tuple[str, int, int], int]) -> tuple[re.Match[str], Span] | None:
    """The first match of any of ``entries`` in ``spans`` (in their order): the earliest in the
    first span where one matches, the earlier pattern on a tie. ``firsts`` remembers, for one text,
    where a literal first occurs in a span (-1: nowhere)."""
    best: tuple[re.Match[str], Span] | None = None
    find = norm.find
    for span in spans:
        a, b, _ = span
        for p, need, lits, pre, starts, _ in entries:
            if b - a < need:
                continue  # too short for any match of p
            at = a
            if lits is not None:
                q = b
                for lit in lits:
                    key = (lit, a, b)
                    i = firsts.get(key)
                    if i is None:
                        i = firsts[key] = find(lit, a, b)
                    if 0 <= i < q:
                        q = i
                if q == b:
                    continue  # none of the literals every match holds is in the span
                # every match holds one of them at most `pre` after its start, so none starts before
                # q - pre; the engine sees the same text (and lookbehinds) from a later start
                if q - pre > at:
                    at = q - pre
            if starts is not None and b - at > _SCAN_MIN and pre >= _FAR:
                # (with a literal within `pre` of every start the search starts near a match: the finds
                # that would skip a few more characters cost more than the engine's test of them)
                m = _search_starts(p, starts, find, norm, at, b)
            else:
                m = p.search(norm, at, b)
            if m and (best is None or m.start() < best[0].start()):
                best = (m, span)
        if best is not None:
            break  # spans are in text order: an earlier span's match is first
    return best


_SEP = "\0"  # joins the spans' text in ``_Search.prose``: no literal holds it, so none runs across two


def _ordered(spans: Sequence[Span]) -> bool:
    """Whether ``spans`` are in text order without overlap (what ``_Search`` needs for its prose)."""
    end = -1
    for a, b, _ in spans:
        if a < end or b < a:
            return False
        end = b
    return True


# a span as _Search holds it: (start, end, section, start in the prose, end in the prose)
Row = tuple[int, int, "int | None", int, int]


class _Search:
    """``_first`` over one report's live spans, all searches sharing one memo of where literals are.

    When the spans are in text order, their text joined by ``_SEP`` (``prose``) is where literals
    are found: one find looks past every span that lacks it (and past the tables between spans), and
    a pattern jumps to the span of its literal's next occurrence instead of visiting each span.
    Otherwise (spans from elsewhere, a literal holding ``_SEP``) ``_first`` does it span by span."""

    def __init__(self, norm: str, live: list[Span], plan: _Plan) -> None:
        self.norm = norm
        self.need = plan.need
        self.firsts: dict[tuple[str, int, int], int] = {}
        # literal → [(prose position, its first occurrence at or after it, or -1)]
        self.occ: dict[str, list[tuple[int, int]]] = {}
        # (literal, a row's start in the prose) → its last occurrence in that row, or -1
        self.lasts: dict[tuple[str, int], int] = {}
        self.joined = plan.joinable and _ordered(live)
        if self.joined:
            rows: list[Row] = []
            at = 0
            for a, b, sec in live:
                rows.append((a, b, sec, at, at + b - a))
                at += b - a + 1
            self.rows: list[Any] = rows
            self.prose = _SEP.join([norm[a:b] for a, b, _ in live])
        else:
            self.rows = live
            self.prose = ""

    def groups(self) -> tuple[list[Any], list[Any]]:
        """The rows of section 六, then the others, each in text order (where the fee statement is looked for)."""
        rows = self.rows if self.joined else sorted(self.rows, key=_START)
        return [r for r in rows if r[2] == 6], [r for r in rows if r[2] != 6]

    def first(self, entries: Sequence[Entry], rows: list[Any]) -> tuple[re.Match[str], Span] | None:
        """``_first(entries, norm, spans of rows)``: rows are ``self.rows`` or a sub-list of them."""
        if not rows:
            return None
        if not self.joined:
            return _first(entries, self.norm, rows, self.firsts)
        norm = self.norm
        occ = self.occ
        lasts = self.lasts
        find = self.prose.find
        rfind = self.prose.rfind
        best: re.Match[str] | None = None
        best_k = len(rows) - 1  # a later pattern's match counts only in a row up to the best one's
        for p, need, lits, pre, starts, cut in entries:
            k = 0
            x = rows[0][3]
            while True:
                if lits is None:
                    q = x  # no literal to jump by: each row up to the best one in turn, as _first visits them
                else:
                    q = -1  # the next occurrence in the prose at or after x of a literal every match holds
                    for lit in lits:
                        known = occ.get(lit)
                        if known is None:
                            i = find(lit, x)
                            occ[lit] = [(x, i)]
                        else:
                            for f, i in known:
                                if f <= x and (i < 0 or x <= i):
                                    break  # (the first occurrence at or after f is the first at or after x)
                            else:
                                i = find(lit, x)
                                known.append((x, i))
                        if i >= 0 and (q < 0 or i < q):
                            q = i
                if q < 0:
                    break  # in no later row
                # the row q lies in or before (no literal starts on a separator, so `<` finds the row
                # `<=` would; and a row start x, even of an empty row, stays in that row)
                while rows[k][4] < q:
                    k += 1
                    if k > best_k:
                        break
                if k > best_k:
                    break
                a, b, _, pa, pb = rows[k]
                if q < pa:  # in a span that is not one of the rows: look on from this row
                    x = pa
                    continue
                if b - a >= need:
                    # the search _first makes in this span: q - pa + a is where its literals occur first
                    at = q - pa + a - pre
                    if at < a:
                        at = a
                    end = b
                    if cut and b - at > _CUT_MIN:
                        # every match holds a literal, so starts at or before the last one in the span, and
                        # cannot run over a _STOP: it ends by the first _STOP after that literal, and the
                        # engine finds the same first match in the text cut there (it never looks past it)
                        last = q
                        for lit in lits:  # type: ignore[union-attr]  # (a cut implies literals)
                            key = (lit, pa)
                            j = lasts.get(key)
                            if j is None:
                                j = lasts[key] = rfind(lit, pa, pb)
                            if j > last:
                                last = j
                        j = norm.find(_STOP, last - pa + a, b)
                        if j >= 0:
                            end = j
                    if starts is not None and end - at > _SCAN_MIN and pre >= _FAR:
                        m = _search_starts(p, starts, norm.find, norm, at, end)
                    else:
                        m = p.search(norm, at, end)
                    if m:
                        if best is None or k < best_k or m.start() < best.start():
                            best, best_k = m, k
                        break
                x = pb
                k += 1
                if k > best_k:
                    break
        if best is None:
            return None
        r = rows[best_k]
        return best, (r[0], r[1], r[2])


def extract_facts(norm: str, text: str, spans: list[Span], patterns: FactPatterns
                  ) -> tuple[dict[str, Any], dict[str, tuple[int, int]]]:
    """Return ``facts`` and, for each fact pointer, the (start, end) of its source sentence."""
    facts: dict[str, Any] = {}
    where: dict[str, tuple[int, int]] = {}
    plan = _plan(patterns)
    # a span shorter than every pattern's shortest match holds no fact (table gaps: "\n", " |\n")
    live = [s for s in spans if s[1] - s[0] >= plan.need]
    search = _Search(norm, live, plan)
    rows = search.rows
    for name, entries in plan.facts:
        hit = search.first(entries, rows)
        if hit is None:
            continue
        m, (a, b, sec) = hit
        value = _number(m.group("n"))
        if value is None:
            continue  # a digit string too long to be a count (hostile or garbled text): not a fact
        lo, hi = sentence_bounds(norm, a, b, m.start(), m.end())
        facts[name] = {"value": value, "text": text[lo:hi].strip(), "section": sec}
        where["/facts/" + name] = (m.start("n"), m.end("n"))
    totals = _stated_totals(norm, text, spans, patterns)
    if totals:
        facts["stated_totals"] = [t for t, _ in totals]
        for i, (_, pos) in enumerate(totals):
            where[f"/facts/stated_totals/{i}"] = pos
    fees = _fees(norm, text, plan.fees, where, search)
    if fees:
        facts["fees"] = fees
    return facts, where


_PART = re.compile(r"\d+(?:\.\d+)?")
_PART_END = re.compile("[。\n]")
_PART_END_PAREN = re.compile("[。\n)]")


def _unit(norm: str, end: int) -> str:
    """The measure word just after a number ending at ``end`` ("294 篇" -> 篇, "300余件" -> 件)."""
    u = norm[end:end + 3].lstrip()
    return u[1:2] if u[:1] == "余" else u[:1]


MAX_STATED_TOTALS = 300  # "其中" sentences examined per report


def _stated_totals(norm: str, text: str, spans: list[Span], patterns: FactPatterns
                   ) -> list[tuple[dict[str, Any], tuple[int, int]]]:
    out: list[tuple[dict[str, Any], tuple[int, int]]] = []
    seen = 0
    for a, b, sec in spans:
        p = norm.find("其中", a, b)
        while p >= 0:
            seen += 1
            if seen > MAX_STATED_TOTALS:  # a real report has a handful; bounded work on hostile text
                return out
            window_start = max(a, p - 24)
            m = patterns.total.search(norm, window_start, p)
            if m and not (m.start("n") > 0 and norm[m.start("n") - 1].isdigit()):
                opened_paren = norm[m.end("n"):p].rstrip().endswith("(")
                stop = min(b, p + 400)
                em = (_PART_END_PAREN if opened_paren else _PART_END).search(norm, p + 2, stop)
                q = em.start() if em else max(stop, p + 2)
                parts: list[int | float] = []
                groups = patterns.unit_groups
                total_group = groups.get(_unit(norm, m.end("n")), -1) if groups else -1
                for pm in _PART.finditer(norm, p + 2, q):
                    after = norm[pm.end():pm.end() + 2].lstrip()
                    before = norm[pm.start() - 1] if pm.start() > 0 else ""
                    if (after[:1] in patterns.part_units) or before == "第" or after[:1] in ("-", "/"):
                        continue
                    if total_group >= 0 and groups.get(_unit(norm, pm.end()), total_group) != total_group:
                        break  # "1640 篇，其中原创 294 篇，关注人数 1016823 人": the parts ended before the people
                    v = _number(pm.group(0))
                    if v is None:
                        parts = []  # a part no report could state: not a stated total
                        break
                    parts.append(v)
                total = _number(m.group("n"))
                if len(parts) == 1 and total is not None and parts[0] <= total:
                    parts = []  # one subset ("其中原创 294 篇") is not a breakdown: only one beyond the total says anything
                if parts and total is not None:
                    acc: int | float = 0
                    for i, v in enumerate(parts):
                        acc += v
                        if acc == total and i + 1 < len(parts):
                            parts = parts[:i + 1]
                            break
                    lo, _ = sentence_bounds(norm, a, b, m.start("n"), m.end("n"))
                    hi = q + 1 if q < b else q
                    out.append(({"total": total, "parts": parts, "text": text[lo:hi].strip(), "section": sec},
                                (m.start("n"), m.end("n"))))
            p = norm.find("其中", p + 2, b)
    return out


def _fees(norm: str, text: str, pats: dict[str, tuple[Entry, ...]], where: dict[str, tuple[int, int]],
          search: _Search) -> dict[str, Any]:
    if not pats:
        return {}
    # the fee statement belongs in section 六; prefer it, then the rest of the prose
    groups = search.groups()

    def first_of(key: str) -> tuple[re.Match[str], Span] | None:
        entries = pats.get(key, ())
        for g in groups:
            hit = search.first(entries, g)
            if hit is not None:
                return hit  # a match in section 六 comes before any elsewhere
        return None

    mention = first_of("mentioned")
    if mention is None:
        return {}
    fees: dict[str, Any] = {}

    def put(key: str, value: Any, m: re.Match[str], span: Span) -> None:
        a, b, sec = span
        lo, hi = sentence_bounds(norm, a, b, m.start(), m.end())
        fees[key] = {"value": value, "text": text[lo:hi].strip(), "section": sec}
        where["/facts/fees/" + key] = (m.start(), m.end())

    put("mentioned", True, mention[0], mention[1])
    hit = first_of("says_none")
    put("says_none", hit is not None, *(hit or mention))
    hit = first_of("all_zero")
    if hit is not None:
        for key in ("notices_count", "notices_amount", "collected_amount"):
            put(key, 0, *hit)
    for key in ("notices_count", "notices_amount", "collected_amount"):
        if key in fees:
            continue
        hit = first_of(key)
        if hit is None:
            continue
        m = hit[0]
        value = _number(m.group("n"))
        if value is None:
            continue  # not a number a report could state
        if "unit" in m.re.groupindex and m.group("unit") == "万元":
            value = value * 10000
            value = int(value) if float(value).is_integer() else value
        put(key, value, *hit)
    return fees
