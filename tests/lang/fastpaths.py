"""What the fast-path tests share: an expression compiled with and without the fused paths, and
the parts of an outcome both must agree on."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import gipcheck.lang.compiler as comp
from gipcheck.lang.values import Unknown


def compile_pair(expr: str, functions: Mapping[str, Any] | None = None,
                 lets: Mapping[str, str] | None = None) -> tuple[Any, Any]:
    """``expr`` compiled with the fused paths (``comp.FUSE``) and without."""
    out = []
    for fuse in (True, False):
        saved = comp.FUSE
        comp.FUSE = fuse
        comp._CACHE.clear()
        try:
            out.append(comp.compile_expression(expr, functions=functions, lets=lets))
        finally:
            comp.FUSE = saved
            comp._CACHE.clear()
    return out[0], out[1]


def same(a: Any, b: Any) -> bool:
    if type(a) is Unknown or type(b) is Unknown:
        return type(a) is type(b)
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b) and type(a) is type(b)


def summary(o: Any) -> tuple[Any, ...]:
    ev = [(e.bindings, repr(e.left), repr(e.right), repr(e.diff), e.reads, e.op) for e in o.evidence]
    return (o.status, o.missing, o.reasons, ev, getattr(o.error, "code", None), o.steps, o.reads)


def check_pairs(pairs: list[tuple[Any, Any]], doc: Any, budget: int) -> list[tuple[Any, Any, Any]]:
    """Each (fused, plain) pair must agree on ``doc``: value and outcome, recording or not, and the
    engine's entry point (``check``: None for a pass) must pass exactly when the plain one does.
    Returns (fused, its check answer, the plain outcome) per pair, for a test's own further asserts."""
    out = []
    for fused, plain in pairs:
        for record in (False, True):
            a = fused.evaluate(doc, budget=budget, shared={}, record=record)
            b = plain.evaluate(doc, budget=budget, shared={}, record=record)
            assert same(a.value, b.value)
            assert summary(a) == summary(b)
        b = plain.evaluate(doc, budget=budget, shared={})
        c = fused.check(doc, None, budget, {})
        assert (c is None) == (b.status == "pass")
        out.append((fused, c, b))
    return out
