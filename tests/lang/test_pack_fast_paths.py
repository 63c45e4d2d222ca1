"""Fast paths added for the whole-pack run must not change a single outcome: each expression is
compiled with the fused paths (``gipcheck.lang.compiler.FUSE``) and without, and both must give the
same value, status, evidence, reads and step count on odd documents and tight budgets. The literal
comparisons and ``in`` on a list are checked against the same test written the other way round.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gipcheck.lang.compiler as comp
from gipcheck.engine.functions import _VERDICTS, engine_functions, unofficial_labels
from gipcheck.lang.values import Unknown

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the shared fast-path helpers beside this file
from fastpaths import check_pairs, compile_pair, same, summary  # noqa: E402

FUNCS = engine_functions()
EXPRS = [
    # all k in keys(X): P(X[k]) — the cells are X's own values
    "all r in keys(active): r == \"labels\" or (all k in keys(active[r]): present(active[r][k]))",
    "all r in keys(active): all k in keys(active[r]): not present(active[r][k]) or active[r][k] >= 0",
    "all k in keys(active.licensing): is_int(active.licensing[k])",
    # any x in C: has(x, […]) and has(f(x), […]) with a plugin function
    # (a static path binds pointers and takes the general loop; a computed list does not)
    'any l in labels.active: has(l, ["勾稽", "第一项", "x"])',
    'any l in (labels.active ?? []): has(l, ["勾稽", "第一项", "x"])',
    'any l in labels.active + labels.notes: has(l, ["第二十条第(九)项", "政府集中采购"])',
    'any l in (labels.active ?? []): has(norm_label(l), ["第二十条第(九)项", "政府集中采购", "a b"])',
    'not (any l in (labels.active ?? []): has(norm_label(l), ["x"]))',
]
TEXT = st.one_of(
    st.sampled_from(["第二十条第（九）项", "政府集中采购", "本年制发件数", "勾稽关系", "x", "", "a b", "ａ ｂ"]),
    st.text(alphabet="第一项勾稽x ab（）()", max_size=6),
    st.text(alphabet="xy", min_size=60, max_size=300),   # long enough for has() to charge steps
)
LABEL = st.one_of(TEXT, TEXT, TEXT, st.none(), st.sampled_from([1, 2.5, True, ["x"]]))
CELL = st.one_of(st.integers(-2, 6), st.integers(-2, 6), st.none(),
                 st.sampled_from([1.0, 2.5, -0.0, math.nan, "3", True, False, [1], {"a": 1}]))


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    def block() -> Any:
        if not draw(st.integers(0, 10)):
            return draw(st.sampled_from([None, 3, [1], "x"]))
        return {k: draw(CELL) for k in draw(st.lists(st.sampled_from(["issued", "repealed", "in_force", "decisions"]),
                                                      unique=True, max_size=4))}

    active: dict[str, Any] = {b: block() for b in draw(st.lists(
        st.sampled_from(["regulations", "normative_documents", "licensing", "punishment", "labels"]),
        unique=True, max_size=5))}
    labels: dict[str, Any] = {}
    for t in ("active", "notes"):
        if draw(st.integers(0, 6)):
            labels[t] = draw(st.lists(LABEL, max_size=8)) if draw(st.integers(0, 8)) else draw(st.sampled_from([None, "x"]))
    return {"active": active, "labels": labels}


PAIRS = [compile_pair(e, FUNCS) for e in EXPRS]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents(), st.sampled_from([100_000, 8, 30, 60]))
def test_fast_paths_change_no_outcome(doc: dict[str, Any], budget: int) -> None:
    for _fused, c, b in check_pairs(PAIRS, doc, budget):
        if c is not None:
            assert c.status == b.status and getattr(c.error, "code", None) == getattr(b.error, "code", None)


EDGE_LABELS = [
    ["x" * 100, "政府集中采购"],          # a long text before the match: has() charges steps for it
    ["y" * 250, "x", "政府集中采购"],
    ["勾稽", None, "政府集中采购"],
    ["a", 1, "勾稽"],
    ["第二十条第（九）项", "x" * 90],       # matches only once normalised
    ["a\0b", "勾稽"],                       # a separator inside a label
    ["x", "政府集中\0采购", "勾稽关系"],
]


def test_fast_paths_on_edge_labels() -> None:
    for labels in EDGE_LABELS:
        for budget in (100_000, 20, 12, 9):
            doc = {"labels": {"active": labels, "notes": ["勾稽关系"]}}
            for fused, plain in PAIRS:
                a = fused.evaluate(doc, budget=budget, shared={})
                b = plain.evaluate(doc, budget=budget, shared={})
                assert same(a.value, b.value) and summary(a) == summary(b), (labels, budget)


def test_fast_paths_are_taken() -> None:
    """On a clean document the fused paths run (else the speed-up is gone)."""
    fused, plain = PAIRS[0]
    assert fused._fn is not plain._fn
    doc = {"active": {"licensing": {"decisions": 3}}, "labels": {"active": ["勾稽关系"]}}
    assert fused.check(doc, None, 100_000, {}) is None
    any_fused, any_plain = PAIRS[4]
    assert any_fused.evaluate(doc).value is True and any_plain.evaluate(doc).value is True


VALUES = st.one_of(st.integers(-3, 3), st.sampled_from([1.0, 2.5, math.nan, "1", "a", "", True, False, None, [1], [1, 2]]),
                   st.lists(st.integers(0, 2), min_size=16, max_size=20))
LITERALS = {"1": 1, "0": 0, "2.5": 2.5, '"1"': "1", '"a"': "a", '""': "", "true": True, "false": False}


@settings(max_examples=200, deadline=None)
@given(VALUES, st.sampled_from(sorted(LITERALS)), st.sampled_from(["==", "!="]))
def test_literal_comparison_matches_the_general_one(x: Any, lit: str, op: str) -> None:
    """``x == 1`` (a literal on the right has a closure of its own) agrees with ``x == y`` where
    ``y`` holds the same value, steps and evidence included."""
    doc = {"facts": {"requests_new": x, "lawsuits": LITERALS[lit]}}
    for record in (False, True):
        fast = comp.compile_expression(f"facts.requests_new {op} {lit}").evaluate(doc, record=record)
        ref = comp.compile_expression(f"facts.requests_new {op} facts.lawsuits").evaluate(doc, record=record)
        assert fast.status == ref.status and same(fast.value, ref.value) and fast.steps == ref.steps
        assert [(repr(e.left), repr(e.right), e.op) for e in fast.evidence] == \
            [(repr(e.left), repr(e.right), e.op) for e in ref.evidence]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([1, 2, 0, -1, "1", "a", 1.0, True]),
       st.lists(st.sampled_from([1, 2, 3, 1.0, True, False, "1", "a", None]), max_size=6))
def test_in_list_matches_the_language_equality(x: Any, xs: list[Any]) -> None:
    """``x in xs`` is true exactly when some element equals x by the language's ``==``."""
    doc = {"facts": {"requests_new": x, "lawsuits": xs}}
    got = comp.compile_expression("facts.requests_new in facts.lawsuits").evaluate(doc).value
    eq = comp.compile_expression("facts.requests_new == facts.lawsuits")
    each = [eq.evaluate({"facts": {"requests_new": x, "lawsuits": e}}).value for e in xs]
    if any(v is True for v in each):
        assert got is True
    elif any(type(v) is Unknown for v in each):
        assert type(got) is Unknown
    else:
        assert got is False


def test_unofficial_labels_fast_path_matches_the_loop() -> None:
    labels = ["（五）不予处理", "(五)不予以处理", "行政复议", "(五)不予以处理", "", "第二十条(六)项", "自然人"]
    mixed = [*labels, 3, None]   # not all texts: the plain loop
    _VERDICTS.clear()
    got = unofficial_labels(labels, "requests", "2021")
    _VERDICTS.clear()
    assert got == unofficial_labels(mixed, "requests", "2021")
    # each once, in report order; [label, None] takes the plain loop
    assert got == [x for x in dict.fromkeys(labels) if unofficial_labels([x, None], "requests", "2021")]
    assert "(五)不予以处理" in got and "（五）不予处理" not in got
