"""Grammar-driven fuzzing of the rule language on the real documents of the five seeds.

A seeded random generator writes well-typed and ill-typed expressions (paths into the tables,
blank cells, huge numbers, bad dates, CJK and regex metacharacters, every operator and built-in,
quantifiers, aggregates, lets, ``??``, ``prev``). Every expression must either fail to compile
with a positioned :class:`LangError` or evaluate to a value / UNKNOWN / a typed rule error — never
an INTERNAL error or an escaping Python exception — and the fused fast paths must agree with the
general closures. Semantic laws (Kleene logic, coalescing, commutativity, blank cells naming
themselves) are checked on generated inputs too. Defects found this way have a regression test
below (``test_regression_*``).
"""

from __future__ import annotations

import math
import random
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import gipcheck.lang.compiler as comp
from gipcheck.lang import LangError, compile_expression, is_unknown

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the shared fast-path helpers beside this file
from fastpaths import compile_pair, same  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent.parent / "shared"
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))
pytestmark = pytest.mark.skipif(not SEEDS, reason=f"seed reports not found under {SHARED}")


def _load() -> list[dict[str, Any]]:
    from gipcheck.load import load_path

    return [load_path(p).document for p in SEEDS]


DOCS: list[dict[str, Any]] = _load() if SEEDS else []

# ------------------------------------------------------------------ the generator
COLS = ["natural_person", "commercial", "research", "nonprofit", "legal_service", "other_org", "total"]
ROWS = ["new", "carried_over", "results.granted", "results.withheld.state_secret", "results.other.other",
        "results.other.unpaid_fee", "results.total", "carry_forward", "results.unavailable.not_held"]
NUM_PATHS = ["active.fees.amount", "active.regulations.issued", "active.normative_documents.in_force",
             "review.reconsideration.total", "review.litigation_direct.upheld", "meta.year",
             "facts.requests_received.value", "facts.reconsiderations.value", "facts.lawsuits.value",
             "prev.requests.carry_forward.total", "prev.active.fees.amount", "prev.meta.year", "month(meta.published)",
             "day(meta.period.end)"]
TEXT_PATHS = ["meta.organ", "meta.title", "meta.published", "meta.format", "meta.region.city",
              "facts.requests_received.text", "meta.period.start", "prev.meta.organ"]
OBJ_PATHS = ["requests", "requests.new", "requests.results", "requests.results.withheld", "review",
             "review.reconsideration", "meta", "facts", "active", "prev.requests", "prev", "meta.region"]
INT_LITS = ["0", "1", "2", "7", "14", "2021", "999999999999999", "000000000000000000001", "100000"]
FLOAT_LITS = ["0.5", "0.1", "0.2", "180.338174", "3.0", "1.25", "0.000000001", "999999999999999.9"]
STR_LITS = ['"深州市"', '"信息处理费"', '"a.*b("', '"[("', '"\\\\d+"', '""', "'2024-02-30'", "'2024-02-29'",
            '"2021"', '"总计"', '"x\\"y"', '"（一）"', '"natural_person"', '"total"', '"/requests/new/total"']
REGEXES = ['"(19|20)[0-9]{2}年"', '"^\\\\s*无"', '"[一二三四五六]、"', '"政府信息"', '"\\\\d+件"', '"a|b"', '"."']
DATE_LITS = ["date(2024, 2, 29)", "date(2021, 12, 31)", 'date("2022-01-12")', "date(meta.published)",
             "date(2024, 2, 30)", 'date("2024-02-30")', "date(meta.year, 1, 1)", 'date("2021-13-01")']
CMP = ["==", "!=", "<", "<=", ">", ">="]


class Gen:
    """Random expression text of a wanted type; ``bad`` is the chance to put a wrong type anywhere."""

    def __init__(self, seed: int, bad: float = 0.15, lets: dict[str, str] | None = None) -> None:
        self.rng = random.Random(seed)
        self.lets = lets or {}   # let name → kind
        self.bad = bad
        self.scope: list[tuple[str, str]] = []   # (name, kind) of bound names: col, row, block, num, text
        self.counter = 0

    def pick(self, xs: list[str]) -> str:
        return self.rng.choice(xs)

    def fresh(self, base: str) -> str:
        self.counter += 1
        return f"{base}{self.counter}"

    def bound(self, kind: str) -> list[str]:
        return [n for n, k in self.scope if k == kind]

    def of(self, kind: str, d: int) -> str:
        if self.rng.random() < self.bad:
            kind = self.pick(["num", "bool", "text", "date", "list", "obj"])
        return getattr(self, "g_" + kind)(d)

    def wrap(self, d: int, kind: str) -> str | None:
        """Forms of any type: if/then/else, ??, grouping."""
        r = self.rng.random()
        if d <= 0 or r > 0.12:
            return None
        if r < 0.05:
            return f"if {self.of('bool', d - 1)} then {self.of(kind, d - 1)} else {self.of(kind, d - 1)}"
        if r < 0.1:
            return f"({self.of(kind, d - 1)} ?? {self.of(kind, d - 1)})"
        return f"({self.of(kind, d - 1)})"

    def cell(self) -> str:
        cols, rows, blocks = self.bound("col"), self.bound("row"), self.bound("block")
        choices = [f"requests.{self.pick(ROWS)}.{self.pick(COLS)}"]
        if cols:
            choices.append(f"requests.{self.pick(ROWS)}[{self.pick(cols)}]")
        if rows:
            r = self.pick(rows)
            choices.append(f"{r}[{self.pick(cols)}]" if cols else f"{r}.{self.pick(COLS)}")
        if blocks:
            choices.append(f"review[{self.pick(blocks)}].total")
        return self.pick(choices)

    def g_num(self, d: int) -> str:
        w = self.wrap(d, "num")
        if w:
            return w
        r = self.rng.random()
        if d <= 0 or r < 0.35:
            leaf = self.rng.random()
            if leaf < 0.25:
                return self.pick(INT_LITS)
            if leaf < 0.35:
                return self.pick(FLOAT_LITS)
            if leaf < 0.7:
                return self.cell()
            if leaf < 0.75:
                return "null"
            if self.bound("num") and leaf < 0.85:
                return self.pick(self.bound("num"))
            return self.pick(NUM_PATHS)
        k = self.rng.randrange(16)
        n = d - 1
        if k <= 3:
            return f"{self.of('num', n)} {self.pick(['+', '-', '*', '/'])} {self.of('num', n)}"
        if k == 4:
            return f"-{self.of('num', n)}"
        if k == 5:
            return f"{self.pick(['abs', 'decimals'])}({self.of('num', n)})"
        if k == 6:
            return f"round({self.of('num', n)}, {self.pick(['0', '1', '2', '11', '-1', '0.5'])})"
        if k == 7:
            return f"{self.pick(['min', 'max'])}({self.of('num', n)}, {self.of('num', n)})"
        if k == 8:
            return f"{self.pick(['min', 'max', 'sum', 'count'])}({self.of('list', n)})"
        if k == 9:
            return self.gen_call(self.pick(["sum", "count", "max", "min"]), n)
        if k == 10:
            return f"len({self.of(self.pick(['text', 'list', 'obj']), n)})"
        if k == 11:
            return f"{self.pick(['year', 'month', 'day'])}({self.of('date', n)})"
        if k == 12:
            return f"{self.pick(['similarity', 'fuzzy_eq'])}({self.of('text', n)}, {self.of('text', n)})"
        if k == 13:
            return f"{self.of('date', n)} - {self.of('date', n)}"
        if k == 14:
            return f"len(keys({self.of('obj', n)}))"
        return self.let_form("num", n)

    def g_bool(self, d: int) -> str:
        w = self.wrap(d, "bool")
        if w:
            return w
        if d <= 0 or self.rng.random() < 0.2:
            return self.pick(["true", "false", "null", f"present({self.cell()})", f"{self.cell()} == null",
                              f"{self.cell()} >= 0", f"is_int({self.cell()})", "present(prev)"])
        k = self.rng.randrange(18)
        n = d - 1
        if k <= 2:
            return f"{self.of('num', n)} {self.pick(CMP)} {self.of('num', n)}"
        if k == 3:
            t = self.pick(["text", "date"])
            return f"{self.of(t, n)} {self.pick(CMP)} {self.of(t, n)}"
        if k == 4:
            return f"{self.of('bool', n)} {self.pick(['and', 'or'])} {self.of('bool', n)}"
        if k == 5:
            return f"not {self.of('bool', n)}"
        if k == 6:
            return f"{self.pick(['present', 'is_int', 'is_number', 'is_text'])}({self.of('num', n)})"
        if k == 7:
            return f"has({self.of('text', n)}, {self.pick(STR_LITS + ['[' + ', '.join(STR_LITS[:3]) + ']'])})"
        if k == 8:
            return f"matches({self.of('text', n)}, {self.pick(REGEXES) if self.rng.random() < 0.5 else self.regex()})"
        if k == 9:
            return f"{self.of('num', n)} ~= {self.of('num', n)}" + \
                (f" within {self.pick(['0', '0.01', '1', '-1', 'null'])}" if self.rng.random() < 0.3 else "")
        if k == 10:
            return f"{self.of(self.pick(['num', 'text']), n)} {self.pick(['in', 'not in'])} {self.of('list', n)}"
        if k in (11, 12, 13):
            return self.quantifier(n)
        if k == 14:
            return f"{self.of(self.pick(['num', 'text', 'obj']), n)} {self.pick(['==', '!='])} null"
        if k == 15:
            return f"{self.of('text', n)} in {self.of(self.pick(['text', 'obj']), n)}"
        if k == 16:
            return self.let_form("bool", n)
        return f"{self.of('list', n)} == {self.of('list', n)}"

    def regex(self) -> str:
        """A random (often broken, sometimes slow) regular expression literal."""
        pieces = [".", "a", "\\\\d", "\\\\w", "\\\\s", "[^,]", ",", "政", "件", "(", ")", "|", "*", "+", "?",
                  "{2,}", "{1,3}", "^", "$", "[0-9]", "(?:", "*?", "\\\\1"]
        return '"' + "".join(self.pick(pieces) for _ in range(self.rng.randrange(1, 9))) + '"'

    def quantifier(self, n: int) -> str:
        q = self.pick(["all", "any"])
        kind, coll = self.rng.choice([
            ("col", self.pick(["columns", "applicant_columns", '["total", "natural_person"]', "keys(requests.new)"])),
            ("row", self.pick(["rows(requests)", "detail_rows(requests.results)", "rows(requests.results.withheld)",
                               "rows(prev.requests)", "requests.results.withheld[*]"])),
            ("block", "review_blocks"),
            ("num", self.pick(["[1, 2, null]", "[]", "requests.new[*]", "[0.1, 0.2]"])),
            ("text", self.pick(["section_numbers()", "keys(requests)", "labels.requests"])),
        ])
        if self.rng.random() < self.bad:
            coll = self.pick(["meta.year", "meta.organ", "null", "requests.new.total", "date(2021, 1, 1)"])
        v = self.fresh({"col": "c", "row": "r", "block": "b", "num": "x", "text": "t"}[kind])
        self.scope.append((v, kind))
        try:
            body = self.of("bool", n)
        finally:
            self.scope.pop()
        return f"({q} {v} in {coll}: {body})"

    def gen_call(self, f: str, n: int) -> str:
        kind, coll = self.rng.choice([
            ("col", "columns"), ("col", "applicant_columns"), ("row", "rows(requests)"),
            ("row", "detail_rows(requests.results)"), ("num", "[1, null, 2.5]"), ("block", "review_blocks")])
        v = self.fresh({"col": "c", "row": "r", "block": "b", "num": "x"}[kind])
        self.scope.append((v, kind))
        try:
            elem = self.of("num", n)
            cond = f" if {self.of('bool', n)}" if self.rng.random() < 0.3 else ""
        finally:
            self.scope.pop()
        return f"{f}({elem} for {v} in {coll}{cond})"

    def let_form(self, kind: str, n: int) -> str:
        names = [name for name, k in self.lets.items() if k == kind or self.rng.random() < self.bad]
        return self.pick(names) if names else self.of(kind, n)

    def g_text(self, d: int) -> str:
        w = self.wrap(d, "text")
        if w:
            return w
        if d <= 0 or self.rng.random() < 0.4:
            choices = STR_LITS + TEXT_PATHS + [f"section({self.rng.randrange(0, 8)})"] + self.bound("text")
            cols = self.bound("col")
            if cols:
                choices.append(self.pick(cols))
            return self.pick(choices)
        k = self.rng.randrange(7)
        n = d - 1
        if k == 0:
            return f"{self.of('text', n)} + {self.of('text', n)}"
        if k == 1:
            return f"trim({self.of('text', n)})"
        if k == 2:
            return f"text({self.of(self.pick(['num', 'date', 'text']), n)})"
        if k == 3:
            return f"section_title({self.rng.randrange(0, 8)}{', prev' if self.rng.random() < 0.4 else ''})"
        if k == 4:
            return f"section({self.of('num', n)}{', prev' if self.rng.random() < 0.4 else ''})"
        if k == 5:
            return f"label({self.pick(STR_LITS + ['meta.organ'])})"
        return f"{self.of('list', n)}[{self.pick(['0', '1', '-1', '99'])}]"

    def g_date(self, d: int) -> str:
        w = self.wrap(d, "date")
        if w:
            return w
        if d <= 0 or self.rng.random() < 0.5:
            return self.pick(DATE_LITS + ["meta.published", "meta.period.end"])
        return f"{self.of('date', d - 1)} {self.pick(['+', '-'])} {self.of('num', d - 1)}"

    def g_list(self, d: int) -> str:
        w = self.wrap(d, "list")
        if w:
            return w
        if d <= 0 or self.rng.random() < 0.4:
            return self.pick(["columns", "applicant_columns", "review_blocks", "review_parts", "[]", "[1, null, 3]",
                              "[0.1, 0.2, 0.3]", '["深州", "a.*"]', "section_numbers()", "section_numbers(prev)",
                              "meta.cited", "requests.new[*]", "labels.requests", "[true, 1]"])
        k = self.rng.randrange(7)
        n = d - 1
        if k == 0:
            return f"[{', '.join(self.of(self.pick(['num', 'text']), n) for _ in range(self.rng.randrange(0, 4)))}]"
        if k == 1:
            return f"{self.pick(['sorted', 'distinct'])}({self.of('list', n)})"
        if k == 2:
            return f"keys({self.of('obj', n)})"
        if k == 3:
            return f"{self.pick(['rows', 'detail_rows'])}({self.of('obj', n)})"
        if k == 4:
            return f"{self.of('list', n)} + {self.of('list', n)}"
        if k == 5:
            return f"{self.of('obj', n)}[*]"
        return f"[{self.cell()}, {self.cell()}]"

    def g_obj(self, d: int) -> str:
        w = self.wrap(d, "obj")
        if w:
            return w
        rows = self.bound("row")
        if rows and self.rng.random() < 0.3:
            return self.pick(rows)
        if d > 0 and self.rng.random() < 0.3:
            key = self.pick(['"new"', '"results"', '"__class__"', "1", '"不存在"'] + self.bound("text"))
            return f"{self.of('obj', d - 1)}[{key}]"
        return self.pick(OBJ_PATHS)


LETS: list[dict[str, tuple[str, str]]] = [   # name → (text, kind)
    {},
    {"t": ("requests.new", "obj"), "k": ("requests.results.other.other.total ?? 0", "num")},
    {"m": ("active.fees.amount * 1", "num"), "p": ("present(prev) and prev.meta.year < meta.year", "bool"),
     "q": ("m > 100 or requests.results.other.other.total > 0", "bool")},
]


# ------------------------------------------------------------------ the invariant
ALLOWED_RUNTIME = {"TYPE", "BUDGET", "NOT_BOOLEAN", "TOO_DEEP"}
HANG = 5.0   # seconds: a hang detector (a hang runs for minutes), not a speed test


def _summary(o: Any) -> tuple[Any, ...]:
    ev = [(e.bindings, repr(e.left), repr(e.right), repr(e.diff), e.reads, e.op) for e in o.evidence]
    return (o.status, o.missing, o.reasons, ev, getattr(o.error, "code", None), o.reads)


def check_one(src: str, lets: dict[str, str] | None = None, fused: bool = True) -> str:
    """Compile and evaluate ``src`` on every seed (with and without prev); returns the outcome kinds."""
    lets = lets or {}
    try:
        compiled, plain = compile_pair(src, lets=lets) if fused else (compile_expression(src, lets=lets), None)
    except LangError as e:
        assert e.code and e.line is not None and e.col is not None and e.zh and e.en, (src, e)
        assert e.code != "INTERNAL", (src, e)
        e.render("zh")
        e.render("en")
        return "compile:" + e.code
    kinds = []
    for i, doc in enumerate(DOCS):
        prev = DOCS[i - 1] if i % 2 else None
        for record in (False, True):
            t = time.perf_counter()
            o = compiled.evaluate(doc, prev=prev, budget=20_000, shared={}, record=record)
            took = time.perf_counter() - t
            assert took < HANG, (src, took)
            assert o.status in ("pass", "fail", "unknown", "error"), (src, o)
            if o.status == "error":
                assert o.error.code in ALLOWED_RUNTIME, (src, o.error.code, o.error.en)
            if o.status == "unknown":
                assert is_unknown(o.value) and not o.evidence, (src, o)
            if plain is not None:
                p = plain.evaluate(doc, prev=prev, budget=20_000, shared={}, record=record)
                assert same(o.value, p.value), (src, o, p)
                assert _summary(o) == _summary(p), (src, _summary(o), _summary(p))
            kinds.append(o.status if o.status != "error" else o.error.code)
        # the engine's entry point agrees with evaluate()
        c = compiled.check(doc, prev=prev, budget=20_000, shared={})
        assert (c is None) == (compiled.evaluate(doc, prev=prev, budget=20_000).status == "pass"), src
    return ",".join(sorted(set(kinds)))


FUZZ_SEEDS = list(range(16))


@pytest.mark.parametrize("seed", FUZZ_SEEDS)
def test_generated_expressions_never_crash(seed: int) -> None:
    gen = Gen(seed)
    rng = random.Random(1000 + seed)
    for _ in range(25):
        lets = rng.choice(LETS)
        gen.lets = {name: kind for name, (_text, kind) in lets.items()}
        kind = rng.choice(["bool", "bool", "bool", "num", "text", "date", "list"])
        src = gen.of(kind, rng.randrange(1, 5))
        check_one(src, {name: text for name, (text, _kind) in lets.items()})


# ------------------------------------------------------------------ helpers for the laws
def _doc(i: int) -> dict[str, Any]:
    return DOCS[i % len(DOCS)]


def result(src: str, doc: Any, prev: Any = None) -> tuple[str, Any]:
    """('v', value) | ('u', missing pointers) | ('e', error code) | ('c', compile error code)."""
    try:
        c = compile_expression(src)
    except LangError as e:
        return "c", e.code
    o = c.evaluate(doc, prev=prev, budget=50_000)
    if o.status == "unknown":
        return "u", tuple(o.missing)
    if o.status == "error" and o.error.code != "NOT_BOOLEAN":
        return "e", o.error.code
    return "v", o.value


def _blank_ptrs(doc: Any) -> set[str]:
    out: set[str] = set()
    todo = [(doc, "")]
    while todo:
        o, p = todo.pop()
        if type(o) is dict:
            todo.extend((v, f"{p}/{k}") for k, v in o.items())
        elif o is None:
            out.add(p)
    return out


def _cell_ptr(path: str) -> str:
    return "/" + path.replace(".", "/")


CELL_PATHS = [f"requests.{r}.{c}" for r in ROWS for c in COLS] + \
    [f"review.{b}.{k}" for b in ("reconsideration", "litigation_direct") for k in ("upheld", "pending", "total")]


# ------------------------------------------------------------------ Kleene logic
def _bool_exprs(seed: int, n: int) -> list[str]:
    gen = Gen(seed, bad=0.0)
    rng = random.Random(seed)
    return [gen.g_bool(rng.randrange(0, 3)) for _ in range(n)]


def _truth(r: tuple[str, Any]) -> Any:
    if r[0] == "u":
        return "U"
    if r[0] == "v" and type(r[1]) is bool:
        return r[1]
    return None   # an error or a non-boolean: the laws do not speak about it


@pytest.mark.parametrize("seed", range(6))
def test_kleene_laws_on_generated_conditions(seed: int) -> None:
    exprs = _bool_exprs(300 + seed, 12)
    rng = random.Random(seed)
    for _ in range(14):
        a, b = rng.choice(exprs), rng.choice(exprs)
        doc, prev = _doc(seed + rng.randrange(5)), rng.choice([None, _doc(seed + 1)])
        ra, rb = result(f"({a})", doc, prev), result(f"({b})", doc, prev)
        ta, tb = _truth(ra), _truth(rb)
        if ta is None or tb is None:
            continue
        got_and = result(f"({a}) and ({b})", doc, prev)
        got_or = result(f"({a}) or ({b})", doc, prev)
        want_and = False if False in (ta, tb) else (True if (ta, tb) == (True, True) else "U")
        want_or = True if True in (ta, tb) else (False if (ta, tb) == (False, False) else "U")
        assert _truth(got_and) == want_and, (a, b, ra, rb, got_and)
        assert _truth(got_or) == want_or, (a, b, ra, rb, got_or)
        # an UNKNOWN result names the missing cells of the unknown operands, no more, no fewer
        unknown_parts = set().union(*(set(r[1]) for r in (ra, rb) if r[0] == "u"))
        for got in (got_and, got_or):
            if got[0] == "u":
                assert set(got[1]) == unknown_parts, (a, b, got, ra, rb)
        # De Morgan and double negation, missing cells included
        assert result(f"not (({a}) and ({b}))", doc, prev) == result(f"(not ({a})) or (not ({b}))", doc, prev), (a, b)
        assert result(f"not (({a}) or ({b}))", doc, prev) == result(f"(not ({a})) and (not ({b}))", doc, prev), (a, b)
        assert result(f"not not ({a})", doc, prev) == ra, a
        # `x ?? y` is x whenever x is known
        if ra[0] == "v":
            assert result(f"({a}) ?? ({b})", doc, prev) == ra, (a, b)
            assert result(f"({a}) ?? null", doc, prev) == ra, a


def test_coalesce_is_left_value_when_known() -> None:
    gen = Gen(77, bad=0.0)
    rng = random.Random(77)
    checked = 0
    for _ in range(60):
        a, b = gen.g_num(rng.randrange(0, 3)), gen.g_num(rng.randrange(0, 2))
        doc = _doc(rng.randrange(5))
        ra = result(f"({a})", doc)
        got = result(f"({a}) ?? ({b})", doc)
        if ra[0] == "v":
            checked += 1
            assert got[0] == "v" and (got[1] == ra[1] or (got[1] != got[1] and ra[1] != ra[1])), (a, b, ra, got)
        elif ra[0] == "u":
            assert got == result(f"({b})", doc), (a, b)
    assert checked > 10


# ------------------------------------------------------------------ arithmetic on counts
def test_plus_and_times_commute_on_counts() -> None:
    rng = random.Random(5)
    for i in range(80):
        doc = _doc(i)
        a, b = rng.choice(CELL_PATHS), rng.choice(CELL_PATHS + INT_LITS)
        for op in ("+", "*"):
            left = result(f"{a} {op} {b}", doc)
            right = result(f"{b} {op} {a}", doc)
            assert left[0] == right[0] and (left[1] == right[1]), (a, op, b, left, right)
            if left[0] == "u":   # the blank operands name themselves
                assert set(left[1]) == {_cell_ptr(x) for x in (a, b) if _cell_ptr(x) in _blank_ptrs(doc)}


def test_missing_cells_are_exactly_the_blank_cells_read() -> None:
    """Arithmetic and comparisons over cells of the seeds (001 has blank rows): an UNKNOWN result
    names exactly the blank cells among those it read."""
    rng = random.Random(11)
    blank_doc = next((d for d in DOCS if any(p.startswith("/requests/") for p in _blank_ptrs(d))), None)
    if blank_doc is None:
        pytest.skip("no seed has a blank table cell")
    blanks = {p for p in _blank_ptrs(blank_doc) if p.startswith(("/requests/", "/review/"))}
    paths = [p for p in CELL_PATHS] + [p[1:].replace("/", ".") for p in sorted(blanks)][:10]
    for _ in range(120):
        cells = [rng.choice(paths) for _ in range(rng.randrange(1, 5))]
        ops = [rng.choice(["+", "-", "*"]) for _ in cells[1:]]
        text = cells[0] + "".join(f" {o} {c}" for o, c in zip(ops, cells[1:], strict=True))
        src = f"{text} {rng.choice(CMP)} {rng.randrange(0, 30)}"
        got = result(src, blank_doc)
        want = {_cell_ptr(c) for c in cells} & blanks
        if want:
            assert got == ("u", tuple(sorted(want))), (src, got)
        else:
            assert got[0] == "v" and type(got[1]) is bool, (src, got)


def test_sum_over_a_column_with_one_blank_cell_names_it() -> None:
    import copy

    rng = random.Random(3)
    base = DOCS[0]
    rows = [r for r in ROWS if r.startswith("results.") and r != "results.total"]
    for _ in range(12):
        doc = copy.deepcopy(base)
        row, col = rng.choice(rows), rng.choice(COLS)
        node = doc["requests"]
        for k in row.split("."):
            node = node[k]
        node[col] = None
        ptr = _cell_ptr(f"requests.{row}.{col}")
        assert result(f"sum(r.{col} for r in detail_rows(requests.results)) >= 0", doc) == ("u", (ptr,))
        # the whole-table check (a fused fast path) names the same cell, or fails on another column
        rule = "all c in columns: requests.results.total[c] == sum(r[c] for r in detail_rows(requests.results))"
        fused, plain = compile_pair(rule)
        for rec in (False, True):
            a = fused.evaluate(doc, record=rec)
            b = plain.evaluate(doc, record=rec)
            assert _summary(a) == _summary(b), (ptr, _summary(a), _summary(b))
            assert a.status == "fail" or a.missing == [ptr], (ptr, a)


# ------------------------------------------------------------------ money at its stated precision
@pytest.mark.parametrize("seed", range(3))
def test_money_equal_at_stated_precision(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(40):
        decimals = rng.randrange(0, 7)
        value = round(rng.uniform(0, 100_000), decimals)
        doc = {"active": {"fees": {"amount": value}}}
        for shown in range(decimals + 1):    # the same money written less precisely
            lit = f"{value:.{shown}f}"
            assert result(f"active.fees.amount ~= {lit}", doc) == ("v", True), (value, lit)
            assert result(f"{lit} ~= active.fees.amount", doc) == ("v", True), (value, lit)
        # off by more than the two half-units: not equal
        written = len(repr(value).split(".")[1].rstrip("0")) if "." in repr(value) else 0   # 1.50 is stored 1.5
        far = f"{value + 2 * 10.0 ** -written:.{written}f}"
        assert result(f"active.fees.amount ~= {far}", doc) == ("v", False), (value, far)
    # the seeds' own money: equal to itself as written, and counts compare exactly
    for doc in DOCS:
        amount = ((doc.get("active") or {}).get("fees") or {}).get("amount")
        if type(amount) in (int, float):
            assert result(f"active.fees.amount ~= {amount!r}", doc) == ("v", True)
            assert result(f"active.fees.amount == {amount!r}", doc) == ("v", True)
        total = doc["requests"]["new"]["total"]
        if type(total) is int:
            assert result(f"requests.new.total == {total + 1}", doc) == ("v", False)


# ------------------------------------------------------------------ regressions found by the fuzzer
def _seed_with_blank_row() -> dict[str, Any]:
    doc = next((d for d in DOCS if d["requests"]["results"].get("other", {}).get("other", {}).get("total", 0) is None),
               None)
    if doc is None:
        pytest.skip("no seed leaves requests.results.other.other blank")
    return doc


def test_regression_date_shift_out_of_range_is_a_type_error() -> None:
    # was: OverflowError escaping compile_expression, and INTERNAL at run time
    with pytest.raises(LangError) as e:
        compile_expression("date(2024, 1, 1) + 999999999999999 == date(2024, 1, 1)")
    assert e.value.code == "TYPE" and (e.value.line, e.value.col) == (1, 1)
    with pytest.raises(LangError) as e:
        compile_expression("date(9999, 12, 31) + 1 > date(2024, 1, 1)")
    assert e.value.code == "TYPE"
    for src in ("date(2024, 1, 1) + meta.year * 999999999 > date(2024, 1, 1)",
                "date(2024, 1, 1) - meta.year * 999999999999 < date(2024, 1, 1)"):
        o = compile_expression(src).evaluate(DOCS[0])
        assert o.status == "error" and o.error.code == "TYPE", (src, o)
    assert result("date(2024, 2, 28) + 1 == date(2024, 2, 29)", DOCS[0]) == ("v", True)


def test_regression_min_max_of_a_date_and_a_number_is_a_type_error() -> None:
    # was: TypeError escaping compile_expression, and INTERNAL at run time
    with pytest.raises(LangError) as e:
        compile_expression("min(date(2024, 1, 1), 1) == 1")
    assert e.value.code == "TYPE"
    for src in ("max(date(2024, 1, 1), meta.year) == 1", "min([meta.year, date(meta.published)]) == 1"):
        o = compile_expression(src).evaluate(DOCS[1])
        assert o.status == "error" and o.error.code == "TYPE", (src, o)
    assert result("max(date(2024, 1, 1), date(meta.published)) == date(2024, 1, 1)", DOCS[1]) == ("v", True)


@pytest.mark.parametrize("pattern", [".*.*Z", ".*,.*Z", "\\\\w+\\\\w+$", "a*a*a*a*a*b", "收到.*件.*申请", "(x.*)(y.*)",
                                     "(a|b.*)c.*", ".*\\\\d+.*Z", "a.*?b.*?c"])
def test_regression_regex_with_sequential_repeats_is_refused(pattern: str) -> None:
    # was: accepted, and `matches(section(1), ".*.*Z")` ran for minutes on a long section (49 s on
    # 86 characters of "a" for a*a*a*a*a*a*b, folded while the rule loaded)
    src = f'matches(section(1), "{pattern}")'
    t = time.perf_counter()
    with pytest.raises(LangError) as e:
        compile_expression(src)
    assert e.value.code == "BAD_REGEX" and (e.value.line, e.value.col) == (1, 21)
    assert "[^" in (e.value.hint_en or "")
    assert time.perf_counter() - t < HANG
    with pytest.raises(LangError):
        compile_expression(f'matches("{"a" * 90}", "{pattern}")')


@pytest.mark.parametrize("pattern", ["^\\\\s*无[。.．]?\\\\s*$", "(19|20)[0-9][0-9]年", "[0-9]+(,[0-9]{3})*件",
                                     "\\\\s*\\\\S+\\\\s*", "收到[^件]*件", "x*y*", "(?m)^[一二三]、", "^.*Z", "\\\\d+件",
                                     "\\\\w+件", "x.*y"])
def test_safe_regexes_are_still_accepted(pattern: str) -> None:
    doc = {"sections": [{"number": 1, "title": "t", "text": "一、共收到申请 1,234件\n" * 400}]}
    o = compile_expression(f'matches(section(1), "{pattern}") or true').evaluate(doc)
    assert o.status == "pass"


@pytest.mark.parametrize("src", ["all r in rows(requests): sum(r[c] for c in [[1], 2]) > 0",
                                 "present(requests[keys(requests)])",
                                 "all r in rows(requests): r[keys(r)] > 0",
                                 "all c in [1.5]: requests.new[c] > 0",
                                 "any r in rows(requests): any c in [[1]]: present(r[c])",
                                 "requests.new[date(meta.period.end)] == 1"])
def test_regression_a_list_or_number_as_an_index_is_a_type_error(src: str) -> None:
    # was: INTERNAL (unhashable list), or UNKNOWN naming pointers like "/requests/new/['new', …]"
    for doc in DOCS[:2]:
        for rec in (False, True):
            o = compile_expression(src).evaluate(doc, record=rec)
            assert o.status == "error" and o.error.code == "TYPE", (src, o)
            assert "index" in o.error.en
    assert result("all c in columns: requests.new[c] >= 0", DOCS[0]) == ("v", True)


def test_regression_distinct_and_sorted_keep_true_apart_from_one() -> None:
    # was: distinct([1, true]) gave [1] (Python's True == 1); sorted([true, 0]) ordered them as numbers
    assert result("distinct([1, true, 1.0, false, 0]) == [1, true, false, 0]", DOCS[0]) == ("v", True)
    assert result("sorted([true, 0]) == [0]", DOCS[0]) == ("c", "TYPE")
    assert result("len(distinct([requests.new.total, true])) == 2", DOCS[0]) == ("v", True)


def test_regression_list_equality_is_element_wise_and_three_valued() -> None:
    # was: [true] == [1] true and [blank] == [1] false / [blank] == [blank] true (Python list ==)
    doc = _seed_with_blank_row()
    blank = "/requests/results/other/other/total"
    assert result("[true] == [1]", doc) == ("v", False)
    assert result("[1] == [1.0]", doc) == ("v", True)
    assert result("[requests.results.other.other.total] == [1]", doc) == ("u", (blank,))
    assert result("[requests.results.other.other.total] != [1]", doc) == ("u", (blank,))
    assert result("[requests.results.other.other.total, 1] == [1, 2]", doc) == ("v", False)
    assert result("[meta.published] == [date(meta.published)]", doc) == ("v", True)
    assert result("keys(requests.new) == columns", doc) == ("v", True)
    # [*] lists of two blank rows: not "equal" (each blank names itself)
    got = result("requests.results.other.other[*] == requests.results.other.unpaid_fee[*]", doc)
    assert got[0] == "u" and blank in got[1] and "/requests/results/other/unpaid_fee/total" in got[1]
    assert result("requests.new[*] == requests.new[*]", doc) == ("v", True)


# ------------------------------------------------------------------ fused fast paths on mutated seeds
PREDICATES = ["present(r[c])", "not present(r[c])", "is_int(r[c]) and r[c] >= {k}", "r[c] {op} {k}",
              "not present(r[c]) or (is_int(r[c]) and r[c] >= {k})", "present(r[c]) or r[c] > {k}",
              "r[c] <= r.total", "r[c] == null", "r[c] != null"]
FUSED_SHAPES = [
    "all r in {rows}: all c in {cols}: {pred}",
    "all r in {rows}: r.total == sum(r[c] for c in applicant_columns)",
    "all c in {cols}: requests.results.total[c] == sum(r[c] for r in detail_rows(requests.results))",
    "all b in review_blocks: all c in review_columns: {bpred}",
    "all c in {cols}: {cpred}",
    "all r in {rows}: any c in {cols}: {pred}",
    "all c in {cols}: sum(r[c] for r in {rows}) >= {k}",
    "all r in {rows}: sum(r[c] for c in {cols}) <= r.total",
]
MUTANTS = [None, None, -1, 2.5, "3", True, 0.0, float("nan"), "drop", 10**6]


def _fused_rule(rng: random.Random) -> str:
    k = rng.choice(["0", "1", "-1", "100"])
    pred = rng.choice(PREDICATES).format(k=k, op=rng.choice(["<", "<=", ">", ">="]))
    bpred = pred.replace("r[c]", "review[b][c]").replace("r.total", "review[b].total")
    cpred = rng.choice([pred.replace("r[c]", "requests.new[c]").replace("r.total", "requests.new.total"),
                        "present(requests.results.other.other[c])", "requests.carry_forward[c] >= 0"])
    return rng.choice(FUSED_SHAPES).format(
        rows=rng.choice(["rows(requests)", "detail_rows(requests.results)", "rows(requests.results.withheld)",
                         "requests.results.withheld[*]", "rows(prev.requests)"]),
        cols=rng.choice(["columns", "applicant_columns", '["total", "natural_person"]']),
        pred=pred, bpred=bpred, cpred=cpred, k=k)


def _mutate(doc: dict[str, Any], rng: random.Random, n: int) -> dict[str, Any]:
    import copy

    doc = copy.deepcopy(doc)
    for _ in range(n):
        table = rng.choice(["requests", "requests", "review"])
        node: Any = doc.get(table)
        while type(node) is dict and node and any(type(v) is dict for v in node.values()):
            node = node[rng.choice([k for k, v in node.items() if type(v) is dict])]
        if type(node) is not dict or not node:
            continue
        key = rng.choice(list(node))
        m = rng.choice(MUTANTS)
        if m == "drop":
            del node[key]
        else:
            node[key] = m
    return doc


@pytest.mark.parametrize("seed", range(8))
def test_fused_paths_agree_with_general_on_mutated_seeds(seed: int) -> None:
    rng = random.Random(seed)
    rules = [_fused_rule(rng) for _ in range(6)]
    pairs = [(r, *compile_pair(r)) for r in rules]
    for i in range(6):
        doc = _mutate(_doc(seed + i), rng, rng.choice([0, 1, 1, 3]))
        prev = _mutate(_doc(seed + i + 1), rng, 1) if i % 2 else None
        budget = rng.choice([100_000, 100_000, 300, 60])
        for src, fused, plain in pairs:
            for rec in (False, True):
                a = fused.evaluate(doc, prev=prev, budget=budget, shared={}, record=rec)
                b = plain.evaluate(doc, prev=prev, budget=budget, shared={}, record=rec)
                assert same(a.value, b.value), (src, a, b)
                assert _summary(a) == _summary(b) and a.steps == b.steps, (src, _summary(a), _summary(b))
                if a.status == "error":
                    assert a.error.code in ALLOWED_RUNTIME, (src, a.error.en)
            # the engine's cache shared across rules of one document changes nothing either
            shared: dict[Any, Any] = {}
            c1 = fused.check(doc, prev=prev, budget=budget, shared=shared)
            c2 = plain.check(doc, prev=prev, budget=budget, shared=shared)
            assert (c1 is None) == (c2 is None), src
            if c1 is not None and c2 is not None:
                assert _summary(c1) == _summary(c2), src


def test_regression_section_number_and_date_parts_must_be_whole_numbers() -> None:
    # was: section(present(x)) read section 1 (true == 1 as a key) and section_title(meta.organ) was
    # silently absent, though the literal forms are load-time TYPE errors; date(y, 2.5, 1) was 1 February
    for src in ("section(present(meta.year)) == \"\"", "section_title(meta.organ) == \"x\"",
                "date(meta.year, 2.5, 1) == date(2021, 2, 1)"):
        o = compile_expression(src).evaluate(DOCS[1])
        assert o.status == "error" and o.error.code == "TYPE", (src, o)
    assert result("date(2024, 2.5, 1) == date(2024, 2, 1)", DOCS[1]) == ("c", "TYPE")
    assert result("date(meta.year, 2.0, 1) == date(2021, 2, 1)", DOCS[1]) == ("v", True)
    assert result("section(meta.year - 2020) == section(1)", DOCS[1]) == ("v", True)


def test_regression_coalesce_of_blanks_names_every_blank_cell() -> None:
    # was: `a ?? b` with both blank named only b, and `a ?? null` named nothing at all
    doc = _seed_with_blank_row()
    a, b = "/requests/results/other/other/total", "/requests/results/other/unpaid_fee/total"
    src_a, src_b = "requests.results.other.other.total", "requests.results.other.unpaid_fee.total"
    assert result(f"{src_a} ?? {src_b} > 0", doc) == ("u", (a, b))
    assert result(f"{src_a} ?? null > 0", doc) == ("u", (a,))
    assert result(f"null ?? {src_b} > 0", doc) == ("u", (b,))
    assert result(f"({src_a} ?? 1) > 0", doc) == ("v", True)
    assert result(f"({src_a} ?? requests.new.total) == requests.new.total", doc) == ("v", True)


LONG_LIST = "[meta.year, " + ", ".join(str(i) for i in range(600)) + "]"   # not folded: it reads the document
LONG_TEXT = '"' + "政府信息公开工作" * 900 + '" + text(meta.year)'
LONG_NEEDLES = "[text(meta.year) + \"Z\"" + ', "xq"' * 600 + "]"


@pytest.mark.parametrize("body", ["len(distinct(L)) > 0", "len(sorted(L)) > 0", "max(L) > 0", "count(L) > 0",
                                  "sum(L) > 0", "x in L", "x not in L or true", "L == L", "L != []",
                                  "similarity(T, T) > 0", "fuzzy_eq(T, T) > 0", 'matches(T, "Z$") or true',
                                  "not has(T, N)", "not has(T, [" + ", ".join(f'"q{i}"' for i in range(40)) + "])"])
def test_regression_work_on_long_lists_and_texts_is_charged_to_the_budget(body: str) -> None:
    # was: a quantifier calling these on a let-bound long list or text paid one step per call:
    # `all x in L: len(distinct(L)) > 0` ran for 9 minutes inside its budget, `not has(T, N)` 37 s
    lets = {"L": LONG_LIST, "T": LONG_TEXT, "N": LONG_NEEDLES}
    once = compile_expression(body.replace("x in L", "meta.year in L").replace("x not", "meta.year not"), lets=lets)
    o = once.evaluate(DOCS[0])
    assert o.steps >= 600 // 16, (body, o.steps)      # one call: charged by the length of what it reads
    o = compile_expression(f"all x in L: {body}", lets=lets).evaluate(DOCS[0], budget=20_000)
    assert o.status == "error" and o.error.code == "BUDGET", (body, o)
    # lists and texts of a report's size cost what they did
    small = compile_expression("all n in [1, 2, 3, 4, 5, 6]: n in section_numbers()").evaluate(DOCS[0])
    assert small.status == "pass" and small.steps < 100


def test_regression_column_sums_over_a_table_without_rows() -> None:
    # was: INTERNAL "object of type 'NoneType' has no len()" from the fused column-sum path when
    # detail_rows() found no rows (its pointer list came back None) and a total was not an integer
    rule = "all c in columns: requests.results.total[c] == sum(r[c] for r in detail_rows(requests.results))"
    fused, plain = compile_pair(rule)
    for doc in ({"requests": {"results": {"total": {"natural_person": "5"}}}},
                {"requests": {"results": {"total": {"natural_person": {"x": 1}}, "granted": {"total": [1]}}}}):
        for rec in (False, True):
            a, b = fused.evaluate(doc, record=rec), plain.evaluate(doc, record=rec)
            assert a.status == "fail" and _summary(a) == _summary(b), (doc, a, a.error and a.error.en)


WEIRD_DOCS: list[Any] = [
    None, [], "x", 3, {}, {"requests": []}, {"requests": {"new": "x"}}, {"meta": None}, {"sections": {"a": 1}},
    {"sections": [None, 1, {"number": [1]}, {"number": {"a": 1}, "title": 5, "text": ["x"]}, {"number": math.nan}]},
    {"requests": {"new": {"total": [1]}, "results": {"total": {"natural_person": {"x": 1}}}}},
    {"review": {"reconsideration": []}, "meta": {"published": "2024-02-30", "year": "2021"}},
    {"active": {"fees": {"amount": math.inf}}, "meta": {"year": True}}, {"labels": 5, "facts": []},
    {"meta": {"cited": None, "title": 1}, "sections": [{"number": 1, "text": None, "title": None}]},
]


def test_pack_rules_and_generated_expressions_survive_odd_documents() -> None:
    """Documents a plugin or the library API might hand over (wrong types, NaN, inf, lists where
    objects belong, mutated seeds): every bundled rule and generated expression ends in an outcome,
    never an escaping exception or an INTERNAL error."""
    from gipcheck.engine import default_pack_dirs, load_packs

    rng = random.Random(9)
    exprs = [r.compiled for p in load_packs(default_pack_dirs()) for r in p.rules]
    gen = Gen(9, 0.2)
    for _ in range(30):
        try:
            exprs.append(compile_expression(gen.of("bool", 3)))
        except LangError:
            pass
    docs = WEIRD_DOCS + [_mutate(d, rng, 6) for d in DOCS]
    for c in exprs:
        for d in docs:
            prev = rng.choice(docs)
            for rec in (False, True):
                o = c.evaluate(d, prev=prev, record=rec, shared={} if rec else None)
                assert o.status != "error" or o.error.code in ALLOWED_RUNTIME, (c.source, o.error.en, d)
            c.check(d, prev=prev, shared={})
            c.compute(d, prev=prev)


@pytest.mark.parametrize("flat", [
    [["NUMBER", "2", 1, 13], ["NUMBER", "1", 1, 17], ["add", 2]],      # tokens where expressions belong
    [["NUMBER", "2", 1, 13], ["bogus", 1]],                             # a rule the grammar has not
    [["NAME", "meta", 1, 1], ["number", 1]],                            # a number that is a name
    [["NUMBER", "2", 1, 13], ["number", 1], ["add", 1]],                # one operand short
    [["NUMBER", "2", 1, 13], ["number", 1], ["__init__", 1]],
])
def test_regression_doctored_cache_entry_is_ignored(flat: list[Any], tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # was: a cache entry whose tokens sit in the text but whose tree the parser never makes crashed
    # compile_expression (AttributeError / IndexError / ValueError) instead of being ignored
    import json

    from gipcheck.lang import astcache

    monkeypatch.setenv("GIPCHECK_CACHE_DIR", str(tmp_path))
    src = "meta.year + 2 > 1"
    comp.tree_store.cache_clear()
    comp._CACHE.clear()
    try:
        store = comp.tree_store()
        store.recording = 1
        compile_expression(src)
        comp.save_tree_cache()
        (path,) = tmp_path.glob("ast-*.json")
        data = json.loads(path.read_text(encoding="utf-8"))
        data["entries"][src] = flat
        path.write_text(json.dumps(data), encoding="utf-8")
        comp.tree_store.cache_clear()
        comp._CACHE.clear()
        assert comp.tree_store().get(src) is None
        assert compile_expression(src).evaluate({"meta": {"year": 2021}}).status == "pass"
    finally:
        comp.tree_store.cache_clear()
        comp._CACHE.clear()
    # every tree the parser makes still passes the check (else the cache would never hit)
    for s in [src, *(Gen(i, 0.2).of("bool", 4) for i in range(40)), "[]", "f()", "x ~= y within 1",
              "sum(x for x in y if z)", 'all c in columns: requests.new[c] >= 0 and "a" in [1, -b[*]]']:
        try:
            tree = astcache.from_lark(comp.get_parser().parse(s))
        except Exception:  # noqa: BLE001 - a generated text may not parse; only parsed trees matter here
            continue
        assert astcache.decode(astcache.encode(tree), s) is not None, s


def test_generator_reaches_every_builtin_and_operator() -> None:
    """The fuzzing above is only as good as its reach: every built-in and operator must occur."""
    from gipcheck.lang.functions import BUILTINS

    texts = []
    for seed in FUZZ_SEEDS:
        gen = Gen(seed)
        rng = random.Random(1000 + seed)
        for _ in range(25):
            lets = rng.choice(LETS)
            gen.lets = {name: kind for name, (_text, kind) in lets.items()}
            texts.append(gen.of(rng.choice(["bool", "bool", "bool", "num", "text", "date", "list"]), rng.randrange(1, 5)))
    big = " ".join(texts)
    missing = [f for f in BUILTINS if f + "(" not in big]
    missing += [op for op in (" + ", " - ", " * ", " / ", " ?? ", " ~= ", " within ", " not in ", " in ", " and ", " or ",
                              "not ", " == ", " != ", " < ", " <= ", " > ", " >= ", "[*]", "if ", "all ", "any ", "prev",
                              " for ", "null") if op not in big]
    assert not missing, missing


def test_regression_plugin_results_become_plain_values_or_a_plugin_error() -> None:
    # was: a plugin returning a set made distinct() fail with INTERNAL (unhashable), a huge int made
    # text() fail with INTERNAL (Python's 4300-digit limit), an IntEnum 3 was not equal to 3
    import datetime as dt
    import decimal
    import enum

    from gipcheck.lang.functions import FunctionSpec

    class Level(enum.IntEnum):
        THREE = 3

    def run(value: Any, src: str) -> str:
        fns = {"plug": FunctionSpec(lambda _x, v=value: v, 1, 1)}
        o = compile_expression(src, functions=fns).evaluate({})
        return o.status if o.status != "error" else o.error.code

    for odd in ({1, 2}, decimal.Decimal("1.5"), b"x", 10 ** 5000, object()):
        for src in ("plug(1) == 3", 'text(plug(1)) == "x"', "distinct(plug(1)) == []", "all x in plug(1): x > 0"):
            assert run(odd, src) == "PLUGIN", (odd, src)
    assert run(Level.THREE, "plug(1) == 3") == "pass"
    assert run((1, 2), "plug(1) == [1, 2]") == "pass"
    assert run(dt.datetime(2024, 1, 2, 3, 4), "plug(1) == date(2024, 1, 2)") == "pass"
    assert run(None, "plug(1) == 3") == "unknown"
    assert run([{1}, {1}], "len(distinct(plug(1))) == 2") == "pass"


def test_every_builtin_over_a_missing_value_is_unknown() -> None:
    """Functions over a missing value give UNKNOWN naming it (docs/language.md, Values) — checked
    for every built-in (present() excepted: it is never UNKNOWN)."""
    from gipcheck.lang.functions import BUILTINS

    second = {"has": '"x"', "matches": '"x"', "similarity": '"x"', "fuzzy_eq": '"x"', "round": "1"}
    for name in BUILTINS:
        if name == "present":
            continue
        for miss, ptr in (("prev.meta.cited", "prev:/meta/cited"), ("prev.meta.year", "prev:/meta/year"),
                          ("requests.new.total", "/requests/new/total")):
            args = [miss] + ([second[name]] if name in second else []) + (["1", "1"] if name == "date" else [])
            if name == "section_numbers":
                args, ptr = ["prev"], "prev:"
            src = f"{name}({', '.join(args)}) == 1"
            assert result(src, {"requests": {"new": {}}}) == ("u", (ptr,)), src


def test_regression_sum_of_a_missing_list_is_unknown() -> None:
    # was: TYPE "sum() needs a list, got UNKNOWN" (count, min and max gave UNKNOWN)
    assert result("sum(prev.requests.new[*]) > 0", DOCS[0]) == ("u", ("prev:/requests/new",))
    assert result("sum(x for x in prev.meta.cited) > 0", DOCS[0]) == ("u", ("prev:/meta/cited",))
    assert result("sum(null) > 0", DOCS[0]) == ("u", ())
    assert result("sum(prev.requests.new[*]) == requests.new.total", DOCS[0], prev=DOCS[0]) == ("v", False)


def test_regression_a_name_looked_up_in_a_list_is_a_type_error() -> None:
    # was: UNKNOWN with the reason "no value" (and TYPE only by accident inside sum(): the sum of a
    # missing list); a list has no names: x[*].total is not a projection
    doc = DOCS[0]
    for src in ("requests.results.withheld[*].state_secret == 1", "sum(requests.results.withheld[*].state_secret) > 0",
                "all r in [requests.new[*]]: r.total > 0"):
        o = compile_expression(src).evaluate(doc)
        assert o.status == "error" and o.error.code == "TYPE", (src, o)
    assert result("sum(r.total for r in requests.results.withheld[*]) >= 0", doc) == ("v", True)
    assert result("requests.new[*][0] == requests.new.natural_person", doc) == ("v", True)


@pytest.mark.parametrize("pattern", [".*Z", "[\\\\s\\\\S]*?\\\\s.件", "[^,]*,", "(?s).*Z", "\\\\S+件", "(.*Z)"])
def test_regression_regex_with_a_broad_leading_repeat_is_refused(pattern: str) -> None:
    # was: accepted; search() restarts the leading repeat at every character: [\s\S]*?\s.件 took
    # 0.3 s per call on 3,300 characters (the square of the length on a longer section)
    with pytest.raises(LangError) as e:
        compile_expression(f'matches(section(1), "{pattern}")')
    assert e.value.code == "BAD_REGEX" and "leading" in (e.value.hint_en or "")


def test_regression_text_of_a_computed_number_has_no_float_noise() -> None:
    # was: text(0.1 + 0.2) == "0.30000000000000004" and text(0.0000001) == "1e-07", though decimals()
    # reads computed values without float noise (docs/language.md)
    doc = {"active": {"fees": {"amount": 0.1}}, "meta": {"year": 2021}}
    assert result('text(0.1 + 0.2) == "0.3"', doc) == ("v", True)
    assert result('text(active.fees.amount + 0.2) == "0.3"', doc) == ("v", True)
    assert result('text(active.fees.amount / 1000000) == "0.0000001"', doc) == ("v", True)
    assert result('text(180.338174) == "180.338174"', doc) == ("v", True)
    assert result('text(meta.year) == "2021"', doc) == ("v", True)
    assert result('text(2.50) == "2.5"', doc) == ("v", True)
