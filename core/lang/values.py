"""Runtime values of the rule language: UNKNOWN, evidence and the outcome of one evaluation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class Unknown:
    """A value that could not be computed because cells were blank or absent.

    ``missing`` holds the JSON pointers responsible, ``reasons`` other causes (division by
    zero …). Every Unknown compares equal to the singleton ``UNKNOWN``; test with
    ``is_unknown(v)`` or ``v == UNKNOWN``.
    """

    __slots__ = ("missing", "reasons")

    def __init__(self, missing: frozenset[str] = frozenset(), reasons: frozenset[str] = frozenset()) -> None:
        self.missing = missing
        self.reasons = reasons

    def __eq__(self, other: object) -> bool:
        return type(other) is Unknown

    def __hash__(self) -> int:
        return 0x5EED

    def __bool__(self) -> bool:
        # Python truthiness of UNKNOWN would silently mean "false": refuse it.
        raise TypeError("UNKNOWN has no truth value; test is_unknown(v)")

    def __repr__(self) -> str:
        if not self.missing and not self.reasons:
            return "UNKNOWN"
        return f"UNKNOWN({', '.join(sorted(self.missing | self.reasons))})"


UNKNOWN = Unknown()


def is_unknown(value: Any) -> bool:
    return type(value) is Unknown


def merge_unknown(*values: Any) -> Unknown:
    """One Unknown carrying the missing pointers and reasons of all Unknowns among ``values``."""
    missing: frozenset[str] = frozenset()
    reasons: frozenset[str] = frozenset()
    for v in values:
        if type(v) is Unknown:
            missing = missing | v.missing
            reasons = reasons | v.reasons
    return Unknown(missing, reasons)


class PList(list):
    """A list of document values that remembers the JSON pointer of each element."""

    __slots__ = ("ptrs",)

    def __init__(self, items: Any = (), ptrs: list[str | None] | None = None) -> None:
        super().__init__(items)
        self.ptrs = ptrs


@dataclass
class Evidence:
    """What decided a failing (part of a) rule.

    ``bindings`` maps each quantifier variable to its value (a column/block name, or the JSON
    pointer of a row object); ``left``/``right``/``op`` describe the deciding comparison and
    ``diff`` is left − right when both are numbers (for ``~=`` also ``tolerance``); ``reads`` are
    the JSON pointers of every document value read while evaluating the failing part.
    """

    bindings: dict[str, Any] = field(default_factory=dict)
    left: Any = None
    right: Any = None
    diff: Any = None
    reads: list[str] = field(default_factory=list)
    op: str | None = None
    tolerance: float | None = None

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"bindings": dict(self.bindings), "left": _jsonable(self.left),
                             "right": _jsonable(self.right), "diff": _jsonable(self.diff),
                             "reads": list(self.reads), "op": self.op}
        if self.tolerance is not None:
            d["tolerance"] = self.tolerance
        return d


def _jsonable(v: Any) -> Any:
    if type(v) is Unknown:
        return None
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


class Outcome:
    """The result of evaluating one compiled expression on one document.

    ``status`` is ``pass`` | ``fail`` | ``unknown`` | ``error``; ``value`` the final value
    (``UNKNOWN`` itself when unknown); ``missing`` sorted JSON pointers that made it UNKNOWN;
    ``reasons`` other causes of UNKNOWN; ``evidence`` a list of :class:`Evidence` (for ``fail``);
    ``error`` a :class:`~gipcheck.lang.errors.LangError` (for ``error``); ``reads`` every pointer
    read; ``steps`` the budget used.
    """

    __slots__ = ("status", "value", "missing", "reasons", "evidence", "error", "reads", "steps")

    def __init__(self, status: str, value: Any, missing: list[str], reasons: list[str],
                 evidence: list[Evidence], error: Any, reads: list[str], steps: int) -> None:
        self.status = status
        self.value = value
        self.missing = missing
        self.reasons = reasons
        self.evidence = evidence
        self.error = error
        self.reads = reads
        self.steps = steps

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    def __repr__(self) -> str:
        extra = f" missing={self.missing}" if self.missing else ""
        if self.error is not None:
            extra += f" error={self.error.code}"
        return f"<Outcome {self.status} value={self.value!r}{extra}>"
