"""The document's shape as the compiler checks literal paths against it (from gipcheck.document.canon
and design/document.md). A subtree is a dict of child names, or ``ANY`` when the shape below is
open (lists, free-form objects)."""

from __future__ import annotations

from functools import cache
from typing import Any

from gipcheck.document import canon

ANY: Any = "*"          # anything below is allowed
LEAF: dict[str, Any] = {}   # a cell: nothing below

ROOTS = ("meta", "sections", "active", "requests", "review", "facts", "labels", "prev")


def _put(tree: dict[str, Any], dotted: str, leaf: Any) -> None:
    parts = dotted.split(".")
    node = tree
    for p in parts[:-1]:
        nxt = node.get(p)
        if nxt is None or nxt is LEAF or nxt is ANY:
            nxt = node[p] = {}
        node = nxt
    last = parts[-1]
    if isinstance(node.get(last), dict) and node[last] and isinstance(leaf, dict):
        node[last].update(leaf)       # a path that is both a row and a group (2019/2021 "other")
    else:
        node[last] = leaf


@cache
def document_shape() -> dict[str, Any]:
    """The tree of every path a rule may name below the document root."""
    fact = {"value": LEAF, "text": LEAF, "section": LEAF}
    meta = {name: LEAF for name in ("title", "organ", "organ_kind", "organ_level", "year", "published",
                                    "date_kind", "format")}
    meta["region"] = {"province": LEAF, "city": LEAF, "county": LEAF}
    meta["period"] = {"start": LEAF, "end": LEAF}
    meta["cited"] = ANY
    meta["source"] = {k: LEAF for k in ("path", "media_type", "encoding", "sha256", "loader")}

    requests: dict[str, Any] = {}
    cols = {c: LEAF for c in canon.REQUEST_COLUMNS}
    for row in (*canon.REQUEST_ROWS_2021, *canon.REQUEST_ROWS_2019):
        _put(requests, row.path.split(".", 1)[1], dict(cols))
    for group in canon.REQUEST_GROUPS:
        _put(requests, f"results.{group}.subtotal", dict(cols))   # optional subtotal rows
    requests["labels"] = ANY

    active: dict[str, Any] = {}
    for arow in (*canon.ACTIVE_ROWS_2021, *canon.ACTIVE_ROWS_2019):
        name = arow.path.split(".", 1)[1]
        node = active.setdefault(name, {})
        for cell, _label in arow.cells:
            node[cell] = LEAF
    active.setdefault("procurement", {})["amount_unit"] = LEAF
    active["labels"] = ANY

    review = {b: {c: LEAF for c in canon.REVIEW_COLUMNS} for b in canon.REVIEW_BLOCKS}
    review["labels"] = ANY

    facts: dict[str, Any] = {name: dict(fact) for name in canon.FACT_NAMES}
    facts["stated_totals"] = ANY
    facts["fees"] = {k: ANY for k in ("mentioned", "says_none", "notices_count", "notices_amount",
                                      "collected_amount")}
    return {"meta": meta, "sections": ANY, "active": active, "requests": requests, "review": review,
            "facts": facts, "labels": ANY}
