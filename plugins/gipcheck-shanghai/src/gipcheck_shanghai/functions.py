"""Rule-language functions of the Shanghai pack.

``stated_results(text, requests)`` reads the sentence in which Shanghai reports list the outcome
of the year's requests, each with its count and usually its share of all answered requests
("予以公开及部分公开 208 件（17.46%），不予公开 20 件（1.68%）…"), and sets each beside the
same figure computed from table 三.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

# Outcome words as Shanghai reports write them, longest first, with the table-三 rows they count.
_CATEGORIES: tuple[tuple[str, str], ...] = (
    ("予以公开及部分公开", "granted_or_partial"),
    ("同意公开", "granted"),
    ("予以公开", "granted"),
    ("部分公开", "partially_granted"),
    ("不予公开", "withheld"),
    ("无法提供", "unavailable"),
    ("不予处理", "not_processed"),
    ("其他处理", "other"),
)
_STATED_SOURCE = (
    "(?P<label>" + "|".join(w for w, _ in _CATEGORIES) + r")(?:答复|的|为|共)?\s*(?P<count>\d+)\s*件"
    r"(?:\s*[（(，,]\s*(?:占\s*)?(?P<pct>\d+(?:\.\d+)?)\s*[%％])?")


@cache
def _stated() -> re.Pattern[str]:
    """The pattern, compiled with the first Shanghai report checked (not at every run's start)."""
    return re.compile(_STATED_SOURCE)


_KEY = dict(_CATEGORIES)


def _total(row: Any) -> int | None:
    if not isinstance(row, dict):
        return None
    v = row.get("total")
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _sum_rows(group: Any) -> int | None:
    """Sum of the 总计 cells of a group's rows (or the group itself when it is one row)."""
    if not isinstance(group, dict):
        return None
    if "total" in group and not isinstance(group.get("total"), dict):
        return _total(group)
    values = [_total(r) for r in group.values()]
    if not values or any(v is None for v in values):
        return None
    return sum(v for v in values if v is not None)


def table_figure(requests: Any, key: str) -> int | None:
    """The table-三 figure a stated outcome speaks of (None when a cell is blank or absent)."""
    results = (requests or {}).get("results") if isinstance(requests, dict) else None
    if not isinstance(results, dict):
        return None
    if key == "granted_or_partial":
        a, b = _total(results.get("granted")), _total(results.get("partially_granted"))
        return None if a is None or b is None else a + b
    if key in ("granted", "partially_granted"):
        return _total(results.get(key))
    return _sum_rows(results.get(key))


def stated_results(text: Any, requests: Any) -> list[dict[str, Any]]:
    """Each outcome the prose states: ``{label, key, count, percent, table, share, text}``.

    ``table`` is the same figure from table 三; ``share`` is ``count`` as a percentage of
    (七)总计 (the answered requests, the base Shanghai reports use), null when unknown.
    """
    if not isinstance(text, str):
        return []
    results = requests.get("results") if isinstance(requests, dict) else None
    answered = _total(results.get("total")) if isinstance(results, dict) else None
    out: list[dict[str, Any]] = []
    for m in _stated().finditer(text):
        count = int(m.group("count"))
        pct = m.group("pct")
        out.append({
            "label": m.group("label"),
            "key": _KEY[m.group("label")],
            "count": count,
            "percent": (float(pct) if "." in pct else int(pct)) if pct else None,
            "table": table_figure(requests, _KEY[m.group("label")]),
            "share": (count * 100 / answered) if answered else None,
            "text": m.group(0),
        })
    return out
