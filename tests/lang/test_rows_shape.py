"""rows() of a table 三 laid out exactly as a template skips the walk (functions._shaped_rows): it
must give the very rows, pointers and order the walk gives (functions._rows, its oracle), and
rows()/detail_rows() of the sub-tables taken from it must match those found without it, on the
seeds, the corpus, the examples and templates damaged in every way a walk could notice.
"""

from __future__ import annotations

import copy
import functools
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gipcheck.lang.functions as fx
import gipcheck.lang.runtime as rt
from gipcheck.document import canon
from gipcheck.lang.runtime import Ctx

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"


def _template(fmt: str, value: Any = 0) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for spec in canon.request_rows(fmt):
        node = doc
        keys = spec.path.split(".")[1:]
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        node[keys[-1]] = {c: value for c in canon.REQUEST_COLUMNS}
    return doc


@functools.cache
def _loaded_tables() -> list[dict[str, Any]]:
    from gipcheck.load import load_path

    files = sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "corpus").glob("*"))
    files += sorted((REPO / "examples").rglob("*.txt")) + sorted((REPO / "examples").rglob("*.json"))
    out = []
    for f in files:
        if f.name == "SOURCES.md" or f.is_dir():
            continue
        try:
            doc = load_path(f).document
        except Exception:  # a file no loader takes has no table to compare
            continue
        if isinstance(doc, dict) and isinstance(doc.get("requests"), dict):
            out.append(doc["requests"])
    return out


def _walk(obj: Any, ptr: str) -> tuple[list[Any], list[Any]]:
    r = fx._rows(obj, ptr)
    return list(r), list(r.ptrs or [])


def _same_rows(a: Any, b: Any) -> bool:
    # the same objects (not equal copies), the same pointers, the same order
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True)) and a.ptrs == b.ptrs


def assert_shape_agrees(obj: Any, ptr: str = "/requests") -> bool:
    """The fast answer, when there is one, is the walk's; returns whether there was one."""
    got = fx._shaped_rows(obj, ptr) if type(obj) is dict else None
    if got is None:
        return False
    rows, ptrs = _walk(obj, ptr)
    assert len(got[0]) == len(rows)
    assert all(x is y for x, y in zip(got[0], rows, strict=True))
    assert got[0].ptrs == ptrs
    return True


def _ctx(shared: dict[Any, Any] | None) -> Any:
    c = Ctx.blank()
    c.shared = shared
    return c


def assert_rows_calls_agree(requests: Any, ptr: str = "/requests") -> None:
    """rows() and detail_rows() of the table and its sub-tables, through the engine's cache, with
    the template path and without it (the walk's answers)."""
    subs = [(requests, ptr)]
    if type(requests) is dict:
        for k, v in requests.items():
            subs.append((v, f"{ptr}/{k}"))
            if type(v) is dict:
                subs.extend((w, f"{ptr}/{k}/{j}") for j, w in v.items())
    answers = []
    for shape_ptrs in (fx._SHAPE_PTRS, frozenset()):
        saved = fx._SHAPE_PTRS
        fx._SHAPE_PTRS = shape_ptrs
        try:
            sh: dict[Any, Any] = {}
            got = []
            for obj, p in subs:
                got.append(fx.f_rows(_ctx(sh), [obj], [p]))
                got.append(fx.f_detail_rows(_ctx(sh), [obj], [p]))
            got.append(fx.f_rows(_ctx(None), [requests], [ptr]))
            answers.append(got)
            for key, pre in sh.items():   # every table the cells were handed on to: its own cells
                if key[0] == "rowvals":
                    want = rt._cells_of(pre[0], pre[1])
                    assert key[1] == id(pre[0]) and pre[1] == list(canon.REQUEST_COLUMNS)
                    assert len(pre[2]) == len(want) and all(x is y for x, y in zip(pre[2], want, strict=True))
                    assert pre[3] == set(map(type, want))
        finally:
            fx._SHAPE_PTRS = saved
    fast, slow = answers
    assert len(fast) == len(slow)
    for a, b in zip(fast, slow, strict=True):
        assert _same_rows(a, b)
    assert_cells_agree(requests, ptr)


def assert_cells_agree(requests: Any, ptr: str) -> None:
    """The cells rows() hands on (rows × columns and their types) are those read cell by cell."""
    sh: dict[Any, Any] = {}
    rows = fx.f_rows(_ctx(sh), [requests], [ptr])
    pre = sh.get(("rowvals", id(rows)))
    if pre is not None:
        cols = list(canon.REQUEST_COLUMNS)
        want = rt._cells_of(rows, cols)
        assert pre[0] is rows and pre[1] == cols
        assert len(pre[2]) == len(want) and all(x is y for x, y in zip(pre[2], want, strict=True))
        assert pre[3] == set(map(type, want))
        got = rt._row_cells(_ctx(sh), rows, cols)
        assert got is pre[2] and rt._types(got) == set(map(type, want))


def test_templates_take_the_fast_path() -> None:
    for fmt in ("2021", "2019"):
        t = _template(fmt)
        assert assert_shape_agrees(t)
        assert assert_shape_agrees(t, "prev:/requests")
        assert_rows_calls_agree(t)
        assert_rows_calls_agree(t, "prev:/requests")


def test_loaded_documents_agree() -> None:
    tables = _loaded_tables()
    if not tables:
        pytest.skip("no seeds or corpus beside the checkout (../shared)")
    taken = 0
    for t in tables:
        taken += assert_shape_agrees(t)
        assert_rows_calls_agree(t)
    assert taken >= 5   # the seeds at least are laid out as the template


def _mutations(base: dict[str, Any]) -> list[dict[str, Any]]:
    out = []

    def paths(node: Any, at: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
        ps = [at]
        if type(node) is dict:
            for k, v in node.items():
                if type(v) is dict:
                    ps.extend(paths(v, (*at, k)))
        return ps

    def at(doc: Any, p: tuple[str, ...]) -> Any:
        for k in p:
            doc = doc[k]
        return doc

    for p in paths(base):
        for change in ("drop", "extra_row", "extra_table", "labels", "none", "int", "list", "nested",
                       "empty", "no_columns", "plain_value", "blank_cells", "odd_key"):
            d = copy.deepcopy(base)
            node = at(d, p)
            if change == "drop" and p:
                del at(d, p[:-1])[p[-1]]
            elif change == "extra_row":
                node["zz_extra"] = {"natural_person": 1, "total": 1}
            elif change == "extra_table":
                node["zz_table"] = {"a": {"total": 1}}
            elif change == "labels":
                node["labels"] = {"total": 1}
            elif change in ("none", "int", "list") and p:
                at(d, p[:-1])[p[-1]] = {"none": None, "int": 3, "list": [1]}[change]
            elif change == "nested":
                node["natural_person"] = {"x": 1}
            elif change == "empty" and p:
                at(d, p[:-1])[p[-1]] = {}
            elif change == "no_columns":
                for c in canon.REQUEST_COLUMNS:
                    node.pop(c, None)
                node["note"] = "x"
            elif change == "plain_value":
                node["note"] = "x"
            elif change == "blank_cells":
                for c in list(node):
                    if type(node[c]) is not dict:
                        node[c] = None
            elif change == "odd_key":
                node[3] = {"total": 1}
            else:
                continue
            out.append(d)
    return out


@pytest.mark.parametrize("fmt", ["2021", "2019"])
def test_damaged_templates_agree(fmt: str) -> None:
    for d in _mutations(_template(fmt)):
        assert_shape_agrees(d)
        assert_rows_calls_agree(d)


EXPRS = [
    "all r in rows(requests): all c in columns: not present(r[c]) or (is_int(r[c]) and r[c] >= 0)",
    "all r in rows(requests): all c in columns: present(r[c])",
    "all r in rows(requests): all c in columns: is_int(r[c]) and r[c] <= 3",
    "all c in columns: requests.results.total[c] == sum(r[c] for r in detail_rows(requests.results))",
    "all r in rows(requests): r.total == sum(r[c] for c in applicant_columns)",
    "len(rows(requests)) == 25",
]


_COMPILED: list[Any] = []


def _rule_outcomes(doc: dict[str, Any], shape: bool) -> list[Any]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))   # the shared fast-path helpers
    from fastpaths import compile_pair, summary

    if not _COMPILED:
        _COMPILED.extend(c for e in EXPRS for c in compile_pair(e))
    saved = fx._SHAPE_PTRS
    fx._SHAPE_PTRS = fx._SHAPE_PTRS if shape else frozenset()
    try:
        out = []
        sh: dict[Any, Any] = {}   # one per document, shared by the rules as the engine does
        for c in _COMPILED:
            for record in (False, True):
                o = c.evaluate(doc, shared=sh, record=record)
                out.append((repr(o.value), summary(o)))
                o = c.evaluate(doc, shared={}, record=record)
                out.append((repr(o.value), summary(o)))
        return out
    finally:
        fx._SHAPE_PTRS = saved


def test_rules_over_shaped_rows_agree() -> None:
    docs = [{"requests": _template(fmt, v)} for fmt in ("2021", "2019") for v in (0, 2, None, -1, 1.5)]
    docs += [{"requests": m} for m in _mutations(_template("2021", 1))[::5]]
    docs += [{"requests": t} for t in _loaded_tables()]
    for d in docs:
        assert _rule_outcomes(d, True) == _rule_outcomes(d, False)


def test_a_2019_table_is_not_taken_for_a_2021_one() -> None:
    t = _template("2019")
    got = fx._shaped_rows(t, "/requests")
    assert got is not None and len(got[0]) == 23
    assert len(fx._shaped_rows(_template("2021"), "/requests")[0]) == 25   # type: ignore[index]


CELL = st.one_of(st.integers(-1, 5), st.none(), st.sampled_from([1.5, "3", True, [1], {"a": 1}]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["2021", "2019"]), st.data())
def test_random_tables_agree(fmt: str, data: st.DataObject) -> None:
    def cell() -> Any:   # a fresh object: no cycle through a sample drawn twice
        return copy.deepcopy(data.draw(CELL))

    t = _template(fmt)
    rows = [s.path.split(".")[1:] for s in canon.request_rows(fmt)]
    for _ in range(data.draw(st.integers(0, 4))):
        keys = data.draw(st.sampled_from(rows))
        node = t
        for k in keys[:-1]:
            node = node.get(k) if type(node) is dict else None
        if type(node) is not dict:
            continue
        what = data.draw(st.integers(0, 3))
        if what == 0:
            node.pop(keys[-1], None)
        elif what == 1 and type(node.get(keys[-1])) is dict:
            node[keys[-1]][data.draw(st.sampled_from([*canon.REQUEST_COLUMNS, "x"]))] = cell()
        elif what == 2:
            node[keys[-1]] = cell()
        else:
            node[data.draw(st.sampled_from(["labels", "x", "total"]))] = cell()
    t = json.loads(json.dumps(t)) if data.draw(st.booleans()) else t   # fresh objects, same layout
    assert_shape_agrees(t)
    assert_rows_calls_agree(t)
