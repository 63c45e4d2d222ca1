"""Compare a loaded document with the hand-verified expected values (exact, blank is not zero)."""

from __future__ import annotations

from typing import Any


def differences(expected: Any, got: Any, path: str = "") -> list[str]:
    """Every place where ``got`` differs from ``expected``: a missing field, a different value,
    or a number where a blank (None) is expected and the reverse."""
    out: list[str] = []
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [f"{path}: expected an object, got {got!r}"]
        for k, v in expected.items():
            if k not in got:
                out.append(f"{path}.{k}: missing")
            else:
                out += differences(v, got[k], f"{path}.{k}")
        return out
    if (expected is None) != (got is None) or expected != got or isinstance(got, bool):
        out.append(f"{path}: expected {expected!r}, got {got!r}")
    return out


def table_differences(expected_doc: dict[str, Any], doc: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for part in ("active", "requests", "review"):
        out += differences(expected_doc[part], doc.get(part), part)
    for k in ("organ", "year"):
        if expected_doc["meta"].get(k) != doc.get("meta", {}).get(k):
            out.append(f"meta.{k}: expected {expected_doc['meta'].get(k)!r}, got {doc.get('meta', {}).get(k)!r}")
    return out
