"""The compiled schema check's inline fast paths (members and list items whose simple leaf schema
takes a value's type outright, the object type folded into the object predicate, table rows
tested integer-first) must agree with ``jsonschema`` wherever an odd value lands: every leaf and
every container of a real seed document, replaced in turn by each odd value."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from gipcheck.validate import SchemaValidator, load_schema, schema_format
from gipcheck.validate.validator import to_pointer

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
ODD = [True, 1.5, -1, "x", "2025-02-30", None, ["x", 1], {"number": 1}]


def _doc() -> dict[str, Any]:
    from gipcheck.load import load_path

    files = sorted(SEEDS.glob("*.txt"))
    if not files:
        pytest.skip("../shared/seeds is not beside the checkout")
    return load_path(files[1]).document


def _paths(v: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path] if path else []
    if isinstance(v, dict):
        for k, x in v.items():
            out.extend(_paths(x, (*path, k)))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            out.extend(_paths(x, (*path, i)))
    return out


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for p in path[:-1]:
        doc = doc[p]
    return doc


def test_every_odd_value_everywhere_as_jsonschema_says() -> None:
    base = _doc()
    schema = load_schema(schema_format(base))
    fast = SchemaValidator(schema)
    ref = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    paths = [p for p in _paths(base) if p[0] != "meta" or p[:2] != ("meta", "format")]
    # one cell per table row is enough for the rows (they share one schema); every other place
    seen_rows: set[tuple[Any, ...]] = set()
    chosen = []
    for p in paths:
        kind: tuple[Any, ...] | None = None
        if p[0] in ("requests", "active", "review") and len(p) >= 3:
            kind = p[:-1]   # a table row: one cell of it
        elif any(type(x) is int for x in p):
            kind = tuple("#" if type(x) is int else x for x in p)   # the first list element of each kind
        if kind is not None:
            if kind in seen_rows:
                continue
            seen_rows.add(kind)
        chosen.append(p)
    assert any(p[0] == "sections" for p in chosen) and any(p[:2] == ("meta", "source") for p in chosen)
    checked = 0
    doc = copy.deepcopy(base)
    for p in chosen:
        parent = _parent(doc, p)
        was = parent[p[-1]]
        for value in ODD:
            parent[p[-1]] = value   # in place, put back below
            want = {(to_pointer(e.absolute_path), str(e.validator)) for e in ref.iter_errors(doc)}
            got = {(to_pointer(e.path), e.keyword) for e in fast.raw_errors(doc)}
            assert fast.is_valid(doc) == (not want), (p, value)
            assert got == want, (p, value)
            checked += 1
        parent[p[-1]] = was
    assert checked > 200
