"""Compile a JSON Schema (draft 2020-12 subset) into specialised closures.

A cached ``jsonschema`` validator costs ~1.5 ms per report document; the pipeline budget is
0.5 ms for everything. So each subschema becomes a :class:`Node` with two entry points:

* ``ok(instance) -> bool`` — a fast, exact predicate (no error objects, no paths);
* ``errors(instance, path, out)`` — the detailed walk, run only when ``ok`` said no. It mirrors
  ``jsonschema``'s keyword-by-keyword semantics so that both report the same failing locations
  (the differential tests in ``tests/test_validate.py`` hold it to that).

Only the keywords listed in :data:`SUPPORTED` are compiled; a schema using anything else raises
:class:`Unsupported` and the caller falls back to ``jsonschema``. No source code is generated.
"""

from __future__ import annotations

import datetime as _dt
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Keywords that carry no assertion (pure annotations), accepted anywhere.
ANNOTATIONS = frozenset({
    "$schema", "$id", "$comment", "$defs", "definitions", "title", "description", "examples", "default",
    "deprecated", "readOnly", "writeOnly", "$anchor",
})
ASSERTIONS = frozenset({
    "type", "properties", "required", "additionalProperties", "patternProperties", "items", "minimum",
    "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum", "const", "$ref", "anyOf", "oneOf", "allOf",
    "not", "pattern", "format", "minItems", "maxItems", "minLength", "maxLength",
    "contains", "uniqueItems", "minProperties", "propertyNames",
})
SUPPORTED = ANNOTATIONS | ASSERTIONS
SUPPORTED_FORMATS = frozenset({"date"})

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_NoneType = type(None)


class Unsupported(Exception):
    """The schema uses a keyword (or keyword value) this compiler does not implement."""


@dataclass(frozen=True)
class RawError:
    """One failed assertion: instance ``path`` (tuple of keys/indexes), the ``keyword``, the
    subschema it belongs to, the offending ``instance`` and, for ``required`` /
    ``additionalProperties``, the member ``names`` concerned."""

    path: tuple[Any, ...]
    keyword: str
    schema: Any
    instance: Any
    names: tuple[str, ...] = ()


# ---------------------------------------------------------------- JSON data-model predicates
# These follow jsonschema's draft 2020-12 type checker exactly (bool is never a number; a float
# with no fractional part is an integer; subclasses count).

def is_integer(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    return isinstance(v, int) or (isinstance(v, float) and v.is_integer())


def is_number(v: Any) -> bool:
    return not isinstance(v, bool) and isinstance(v, numbers.Number)


TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": is_integer,
    "number": is_number,
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


def _unbool(v: Any) -> Any:
    # keep True/1 and False/0 apart, as jsonschema's ``equal`` does
    if v is True:
        return ("__bool__", True)
    if v is False:
        return ("__bool__", False)
    return v


def json_equal(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if isinstance(a, str) or isinstance(b, str):
        return bool(a == b)
    if isinstance(a, Sequence) and isinstance(b, Sequence):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return bool(_unbool(a) == _unbool(b))


def is_date(v: Any) -> bool:
    if not isinstance(v, str):
        return True
    if not _DATE_RE.fullmatch(v):
        return False
    try:
        _dt.date.fromisoformat(v)
    except ValueError:
        return False
    return True


# Python types that are accepted outright for each JSON type (exact ``type(v)`` match); anything
# else goes through the full test above.
_EXACT: dict[str, tuple[type, ...]] = {
    "null": (_NoneType,), "boolean": (bool,), "integer": (int,), "number": (int, float),
    "string": (str,), "object": (dict,), "array": (list,),
}


def _type_predicate(types: list[str]) -> Callable[[Any], bool]:
    exact = frozenset(t for name in types for t in _EXACT[name])
    tests = tuple(TYPE_TESTS[t] for t in types)
    if len(tests) == 1:
        only = tests[0]
        return lambda v: type(v) in exact or only(v)

    def type_ok(v: Any) -> bool:
        if type(v) in exact:
            return True
        for t in tests:
            if t(v):
                return True
        return False

    return type_ok


def _conjunction(preds: list[Callable[[Any], bool]]) -> Callable[[Any], bool]:
    if not preds:
        return _always
    if len(preds) == 1:
        return preds[0]
    if len(preds) == 2:
        a, b = preds
        return lambda v: a(v) and b(v)
    ps = tuple(preds)

    def all_ok(v: Any) -> bool:
        for p in ps:
            if not p(v):
                return False
        return True

    return all_ok


_SCALAR_KEYWORDS = frozenset({"type", "minimum", "maximum", "enum", "const", "pattern", "format",
                              "minLength", "maxLength", "exclusiveMinimum", "exclusiveMaximum"})


def _fused_scalar(s: dict[str, Any], exact: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """One closure for a scalar schema: exact-type ints, strings and None that need no more than
    a bounds test are decided inline; everything else goes to the keyword-by-keyword ``exact``."""
    types = {s["type"]} if isinstance(s["type"], str) else set(s["type"])
    valued = bool({"enum", "const"} & s.keys())
    int_ok = not valued and bool({"integer", "number"} & types) and not ({"exclusiveMinimum", "exclusiveMaximum"} & s.keys())
    lo, hi = s.get("minimum"), s.get("maximum")
    str_ok = not valued and "string" in types and not ({"pattern", "format", "minLength", "maxLength"} & s.keys())
    none_ok = not valued and "null" in types

    def leaf_ok(v: Any) -> bool:
        t = type(v)
        if t is int and int_ok:
            return (lo is None or v >= lo) and (hi is None or v <= hi)
        if t is str and str_ok:
            return True
        if v is None and none_ok:
            return True
        return exact(v)

    return leaf_ok


Collector = Callable[[Any, tuple[Any, ...], list["RawError"]], None]


def _assertion(keyword: str, ok: Callable[[Any], bool], schema: Any) -> Collector:
    """The detailed check of a one-place assertion: one error at the instance when ``ok`` fails."""
    def collect(v: Any, p: tuple[Any, ...], out: list[RawError]) -> None:
        if not ok(v):
            out.append(RawError(p, keyword, schema, v))

    return collect


# ---------------------------------------------------------------- nodes

def _always(_v: Any) -> bool:
    return True


def _never(_v: Any) -> bool:
    return False


class Node:
    """A compiled subschema. ``ok`` is filled in by the compiler; ``errors`` walks keywords."""

    __slots__ = ("schema", "ok", "checks", "leaf")

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self.ok: Callable[[Any], bool] = _always
        # (keyword, collector) pairs in schema order; collector(instance, path, out)
        self.checks: list[tuple[str, Callable[[Any, tuple[Any, ...], list[RawError]], None]]] = []
        # set for a "simple leaf" (type/min/max only): (python fast types, minimum or None)
        self.leaf: tuple[frozenset[type], Any] | None = None

    def errors(self, instance: Any, path: tuple[Any, ...], out: list[RawError]) -> None:
        if self.ok(instance):
            return
        for _kw, collect in self.checks:
            collect(instance, path, out)


class _Lazy:
    """Stands in for a node still being compiled (a recursive ``$ref``)."""

    __slots__ = ("node",)

    def __init__(self) -> None:
        self.node: Node | None = None

    def ok(self, v: Any) -> bool:
        assert self.node is not None
        return self.node.ok(v)

    def errors(self, v: Any, path: tuple[Any, ...], out: list[RawError]) -> None:
        assert self.node is not None
        self.node.errors(v, path, out)


class Compiler:
    """Compiles one root schema; ``compile()`` returns the root :class:`Node`."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self._memo: dict[int, Node | _Lazy] = {}
        self._type_pred: dict[int, Callable[[Any], bool]] = {}  # the ``type`` predicate of each schema

    def compile(self) -> Node:
        node = self._node(self.root)
        assert isinstance(node, Node)
        return node

    # -------------------------------------------------------- helpers
    def _resolve(self, ref: Any) -> Any:
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise Unsupported(f"$ref {ref!r}: only local references are supported")
        target = self.root
        frag = ref[1:]
        if frag and not frag.startswith("/"):
            raise Unsupported(f"$ref {ref!r}: anchors are not supported")
        for part in frag.split("/")[1:] if frag else []:
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(target, dict) and part in target:
                target = target[part]
            elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
                target = target[int(part)]
            else:
                raise Unsupported(f"$ref {ref!r} does not resolve")
        return target

    def _node(self, schema: Any) -> Node | _Lazy:
        key = id(schema)
        if key in self._memo:
            return self._memo[key]
        lazy = _Lazy()
        self._memo[key] = lazy
        node = self._build(schema)
        lazy.node = node
        self._memo[key] = node
        return node

    # -------------------------------------------------------- building
    def _build(self, schema: Any) -> Node:
        node = Node(schema)
        if schema is True:
            return node
        if schema is False:
            node.ok = _never
            node.checks.append(("false", lambda v, p, out: out.append(RawError(p, "false", schema, v))))
            return node
        if not isinstance(schema, dict):
            raise Unsupported(f"schema must be an object or a boolean, not {type(schema).__name__}")
        for kw in schema:
            if kw not in SUPPORTED and not kw.startswith("x-"):
                raise Unsupported(f"keyword {kw!r}")
        if "format" in schema and schema["format"] not in SUPPORTED_FORMATS:
            raise Unsupported(f"format {schema['format']!r}")

        preds: list[Callable[[Any], bool]] = []

        # -- $ref: an annotation-only wrapper around a reference is the referenced node itself
        ref_node: Node | _Lazy | None = None
        if "$ref" in schema:
            ref_node = self._node(self._resolve(schema["$ref"]))
            rn = ref_node

            def ref_ok(v: Any, rn: Node | _Lazy = rn) -> bool:
                return rn.ok(v)

            preds.append(ref_ok)
            node.checks.append(("$ref", rn.errors))

        self._scalar_keywords(schema, node, preds)
        self._object_keywords(schema, node, preds)
        self._array_keywords(schema, node, preds)
        self._combinators(schema, node, preds)
        self._collection_keywords(schema, node, preds)

        asserting = [k for k in schema if k in ASSERTIONS]
        if asserting == ["$ref"] and isinstance(ref_node, Node):
            node.ok = ref_node.ok
            node.leaf = ref_node.leaf
        elif set(asserting) and set(asserting) <= _SCALAR_KEYWORDS and "type" in schema:
            node.ok = _fused_scalar(schema, _conjunction(preds))
        else:
            node.ok = _conjunction(preds)
        return node

    def _scalar_keywords(self, s: dict[str, Any], node: Node, preds: list[Callable[[Any], bool]]) -> None:
        if "type" in s:
            types = [s["type"]] if isinstance(s["type"], str) else list(s["type"])
            for t in types:
                if t not in TYPE_TESTS:
                    raise Unsupported(f"type {t!r}")
            type_ok = _type_predicate(types)
            self._type_pred[id(s)] = type_ok

            preds.append(type_ok)
            node.checks.append(("type", _assertion("type", type_ok, s)))

        for kw, bad in (
            ("minimum", lambda v, b: v < b),
            ("maximum", lambda v, b: v > b),
            ("exclusiveMinimum", lambda v, b: v <= b),
            ("exclusiveMaximum", lambda v, b: v >= b),
        ):
            if kw in s:
                bound = s[kw]
                if not is_number(bound):
                    raise Unsupported(f"{kw} must be a number")

                def bound_ok(v: Any, bound: Any = bound, bad: Callable[[Any, Any], bool] = bad) -> bool:
                    return not (is_number(v) and bad(v, bound))

                preds.append(bound_ok)
                node.checks.append((kw, _assertion(kw, bound_ok, s)))

        if "enum" in s:
            options = list(s["enum"])
            str_options = frozenset(o for o in options if isinstance(o, str))
            only_simple = all(o is None or isinstance(o, str) for o in options)
            has_none = any(o is None for o in options)

            def enum_ok(v: Any) -> bool:
                if type(v) is str and only_simple:
                    return v in str_options
                if v is None and has_none:
                    return True
                return any(json_equal(o, v) for o in options)

            preds.append(enum_ok)
            node.checks.append(("enum", _assertion("enum", enum_ok, s)))

        if "const" in s:
            c = s["const"]

            def const_ok(v: Any) -> bool:
                return json_equal(v, c)

            preds.append(const_ok)
            node.checks.append(("const", _assertion("const", const_ok, s)))

        if "pattern" in s:
            rx = re.compile(s["pattern"])

            def pattern_ok(v: Any) -> bool:
                return not isinstance(v, str) or rx.search(v) is not None

            preds.append(pattern_ok)
            node.checks.append(("pattern", _assertion("pattern", pattern_ok, s)))

        if s.get("format") == "date":
            preds.append(is_date)
            node.checks.append(("format", _assertion("format", is_date, s)))

        for kw, attr in (("minLength", "min"), ("maxLength", "max")):
            if kw in s:
                n = s[kw]

                def len_ok(v: Any, n: int = n, attr: str = attr) -> bool:
                    if not isinstance(v, str):
                        return True
                    return len(v) >= n if attr == "min" else len(v) <= n

                preds.append(len_ok)
                node.checks.append((kw, _assertion(kw, len_ok, s)))

        # A "simple leaf" (only type ⊆ {integer, number, string, null} and an optional minimum) is
        # inlined by its parent object: its common values are accepted without a function call.
        kws = {k for k in s if k in ASSERTIONS}
        if "type" in s and kws <= {"type", "minimum"}:
            type_names = {s["type"]} if isinstance(s["type"], str) else set(s["type"])
            fast: set[type] = set()
            if "null" in type_names:
                fast.add(_NoneType)
            if "string" in type_names:
                fast.add(str)
            if "integer" in type_names or "number" in type_names:
                fast.add(int)
            if "number" in type_names:
                fast.add(float)
            if type_names <= {"null", "string", "integer", "number"}:
                node.leaf = (frozenset(fast), s.get("minimum"))

    def _object_keywords(self, s: dict[str, Any], node: Node, preds: list[Callable[[Any], bool]]) -> None:
        if not ({"properties", "required", "additionalProperties", "patternProperties"} & s.keys()):
            return
        props: dict[str, Node | _Lazy] = {k: self._node(v) for k, v in (s.get("properties") or {}).items()}
        required = list(s.get("required") or [])
        req_set = frozenset(required)
        patterns = [(re.compile(pat), self._node(sub)) for pat, sub in (s.get("patternProperties") or {}).items()]
        pattern_join = re.compile("|".join(s.get("patternProperties") or {})) if patterns else None
        additional = s.get("additionalProperties", True)
        add_node = None if additional is True or additional is False else self._node(additional)
        closed = additional is False
        allowed = frozenset(props)

        def is_extra(k: str) -> bool:
            return k not in props and not (pattern_join is not None and pattern_join.search(k))

        # ---- fast predicate, specialised
        leaf_specs = {k: n.leaf for k, n in props.items() if isinstance(n, Node)}
        homogeneous = (
            closed and not patterns and props and len(set(leaf_specs.values())) == 1
            and len(leaf_specs) == len(props) and next(iter(leaf_specs.values())) is not None
        )
        prop_ok = {k: n.ok for k, n in props.items()}
        # when ``type`` is exactly object (or object|null) the type test is folded into the object
        # predicate: one call instead of two (a non-object then fails it, null passes with "null")
        type_kw = s.get("type")
        type_set = {type_kw} if isinstance(type_kw, str) else set(type_kw or ())
        fold = type_set in ({"object"}, {"object", "null"}) and bool(preds) \
            and preds[-1] is self._type_pred.get(id(s))
        nondict = (not fold, "null" in type_set)
        if homogeneous:
            fast_types, minimum = next(iter(leaf_specs.values()))  # type: ignore[misc]
            any_ok = next(iter(props.values())).ok
            obj_ok: Callable[[Any], bool]
            if fast_types == frozenset({_NoneType, int}) and minimum is not None and not req_set:
                obj_ok = _cells(minimum, any_ok, allowed, nondict)
            else:
                obj_ok = _homogeneous(fast_types, minimum, any_ok, req_set, allowed, nondict)
        else:
            obj_ok = _heterogeneous(req_set, closed, patterns, allowed, prop_ok, add_node, leaf_specs, nondict)
        if fold:
            preds.pop()
        preds.append(obj_ok)

        # ---- detailed collectors, in jsonschema's keyword semantics
        if "properties" in s:
            def props_errors(o: Any, p: tuple[Any, ...], out: list[RawError]) -> None:
                if isinstance(o, dict):
                    for k, n in props.items():
                        if k in o:
                            n.errors(o[k], (*p, k), out)
            node.checks.append(("properties", props_errors))
        if "required" in s:
            def req_errors(o: Any, p: tuple[Any, ...], out: list[RawError]) -> None:
                if isinstance(o, dict):
                    missing = tuple(k for k in required if k not in o)
                    if missing:
                        out.append(RawError(p, "required", s, o, missing))
            node.checks.append(("required", req_errors))
        if patterns:
            def pat_errors(o: Any, p: tuple[Any, ...], out: list[RawError]) -> None:
                if isinstance(o, dict):
                    for rx, pn in patterns:
                        for k, v in o.items():
                            if rx.search(k):
                                pn.errors(v, (*p, k), out)
            node.checks.append(("patternProperties", pat_errors))
        if "additionalProperties" in s and additional is not True:
            def add_errors(o: Any, p: tuple[Any, ...], out: list[RawError]) -> None:
                if not isinstance(o, dict):
                    return
                extras = [k for k in o if is_extra(k)]
                if not extras:
                    return
                if add_node is not None:
                    for k in extras:
                        add_node.errors(o[k], (*p, k), out)
                else:
                    out.append(RawError(p, "additionalProperties", s, o, tuple(sorted(map(str, extras)))))
            node.checks.append(("additionalProperties", add_errors))

    def _array_keywords(self, s: dict[str, Any], node: Node, preds: list[Callable[[Any], bool]]) -> None:
        if "items" in s:
            if isinstance(s["items"], list):
                raise Unsupported("items as a list (use prefixItems)")
            item = self._node(s["items"])

            spec = item.leaf if isinstance(item, Node) else None
            # the types the item's simple leaf schema takes with no test (a minimum tests numbers)
            outright: frozenset[type] = frozenset() if spec is None else \
                spec[0] if spec[1] is None else spec[0] - {int, float}

            def items_ok(v: Any) -> bool:
                if not isinstance(v, list):
                    return True
                ok = item.ok
                for x in v:
                    if type(x) in outright:
                        continue
                    if not ok(x):
                        return False
                return True

            def items_errors(v: Any, p: tuple[Any, ...], out: list[RawError]) -> None:
                if isinstance(v, list):
                    for i, x in enumerate(v):
                        item.errors(x, (*p, i), out)

            preds.append(items_ok)
            node.checks.append(("items", items_errors))
        for kw in ("minItems", "maxItems"):
            if kw in s:
                n = s[kw]

                def count_ok(v: Any, n: int = n, kw: str = kw) -> bool:
                    if not isinstance(v, list):
                        return True
                    return len(v) >= n if kw == "minItems" else len(v) <= n

                preds.append(count_ok)
                node.checks.append((kw, _assertion(kw, count_ok, s)))

    def _combinators(self, s: dict[str, Any], node: Node, preds: list[Callable[[Any], bool]]) -> None:
        if "allOf" in s:
            subs = [self._node(x) for x in s["allOf"]]
            preds.append(lambda v: all(n.ok(v) for n in subs))

            def all_errors(v: Any, p: tuple[Any, ...], out: list[RawError]) -> None:
                for n in subs:
                    n.errors(v, p, out)
            node.checks.append(("allOf", all_errors))
        if "anyOf" in s:
            subs_any = [self._node(x) for x in s["anyOf"]]

            def any_ok(v: Any) -> bool:
                return any(n.ok(v) for n in subs_any)

            preds.append(any_ok)
            node.checks.append(("anyOf", _assertion("anyOf", any_ok, s)))
        if "oneOf" in s:
            subs_one = [self._node(x) for x in s["oneOf"]]

            def one_ok(v: Any) -> bool:
                return sum(1 for n in subs_one if n.ok(v)) == 1

            preds.append(one_ok)
            node.checks.append(("oneOf", _assertion("oneOf", one_ok, s)))
        if "not" in s:
            sub_not = self._node(s["not"])

            def not_ok(v: Any) -> bool:
                return not sub_not.ok(v)

            preds.append(not_ok)
            node.checks.append(("not", _assertion("not", not_ok, s)))


    def _collection_keywords(self, s: dict[str, Any], node: Node, preds: list[Callable[[Any], bool]]) -> None:
        """contains, uniqueItems, minProperties, propertyNames (used by the rule-file schemas)."""
        if "contains" in s:
            sub = self._node(s["contains"])

            def contains_ok(v: Any) -> bool:
                return not isinstance(v, list) or any(sub.ok(x) for x in v)

            preds.append(contains_ok)
            node.checks.append(("contains", _assertion("contains", contains_ok, s)))
        if s.get("uniqueItems") is True:
            def unique_ok(v: Any) -> bool:
                if not isinstance(v, list):
                    return True
                return not any(json_equal(a, b) for i, a in enumerate(v) for b in v[i + 1:])

            preds.append(unique_ok)
            node.checks.append(("uniqueItems", _assertion("uniqueItems", unique_ok, s)))
        if "minProperties" in s:
            least = s["minProperties"]

            def minprops_ok(v: Any) -> bool:
                return not isinstance(v, dict) or len(v) >= least

            preds.append(minprops_ok)
            node.checks.append(("minProperties", _assertion("minProperties", minprops_ok, s)))
        if "propertyNames" in s:
            names = self._node(s["propertyNames"])

            def names_ok(v: Any) -> bool:
                return not isinstance(v, dict) or all(names.ok(k) for k in v)

            def names_errors(v: Any, p: tuple[Any, ...], out: list[RawError]) -> None:
                if isinstance(v, dict):
                    for k in v:
                        names.errors(k, p, out)   # jsonschema reports a bad name at the object itself

            preds.append(names_ok)
            node.checks.append(("propertyNames", names_errors))


def _cells(minimum: Any, any_ok: Callable[[Any], bool], allowed: frozenset[str],
           nondict: tuple[bool, bool] = (True, False)) -> Callable[[Any], bool]:
    """Object predicate for a table row: every member blank or an integer ≥ ``minimum`` (the
    overwhelmingly common case is decided inline, anything else by the member's own predicate)."""
    untyped, accept_none = nondict

    def obj_ok(o: Any) -> bool:
        if not isinstance(o, dict):
            # True without a type; with "type": "object" (or ["object", "null"]) folded in, as typed_obj_ok
            return untyped or (accept_none and o is None)
        if not o.keys() <= allowed:
            return False
        for v in o.values():
            if type(v) is int:   # most cells: tested first
                if v >= minimum:
                    continue
            elif v is None:
                continue
            if not any_ok(v):
                return False
        return True

    return obj_ok


def _homogeneous(fast_types: frozenset[type], minimum: Any, any_ok: Callable[[Any], bool],
                 req_set: frozenset[str], allowed: frozenset[str],
                 nondict: tuple[bool, bool] = (True, False)) -> Callable[[Any], bool]:
    """Object predicate for a closed object whose members all share one simple leaf schema."""
    accept_none = _NoneType in fast_types
    check_min = minimum is not None

    untyped, accept_none = nondict

    def obj_ok(o: Any) -> bool:
        if not isinstance(o, dict):
            # True without a type; with "type": "object" (or ["object", "null"]) folded in, as typed_obj_ok
            return untyped or (accept_none and o is None)
        if req_set and not req_set <= o.keys():
            return False
        if not o.keys() <= allowed:
            return False
        for v in o.values():
            if v is None:
                if accept_none:
                    continue
            elif type(v) in fast_types and (not check_min or type(v) is str or v >= minimum):
                continue
            if not any_ok(v):
                return False
        return True

    return obj_ok


def _heterogeneous(req_set: frozenset[str], closed: bool, patterns: list[tuple[re.Pattern[str], Any]],
                   allowed: frozenset[str], prop_ok: dict[str, Callable[[Any], bool]],
                   add_node: Any, leaves: dict[str, Any] | None = None,
                   nondict: tuple[bool, bool] = (True, False)) -> Callable[[Any], bool]:
    """Object predicate for the general case: properties, patternProperties, additionalProperties."""
    # member → the Python types its simple leaf schema accepts with no test (a minimum tests numbers)
    outright: dict[str, frozenset[type]] = {}
    for k in prop_ok:
        spec = (leaves or {}).get(k)
        if spec is None:
            outright[k] = frozenset()
        else:
            types, minimum = spec
            outright[k] = types if minimum is None else types - {int, float}
    memo: dict[str, tuple[Any, ...]] = {}  # key → the patternProperties subschemas it matches

    untyped, accept_none = nondict

    def obj_ok(o: Any) -> bool:
        if not isinstance(o, dict):
            # True without a type; with "type": "object" (or ["object", "null"]) folded in, as typed_obj_ok
            return untyped or (accept_none and o is None)
        if req_set and not req_set <= o.keys():
            return False
        if closed and not patterns:
            if not o.keys() <= allowed:
                return False
            for k, v in o.items():
                # a value of a type the member's simple leaf takes outright passes it (see Node.leaf)
                if type(v) in outright[k]:
                    continue
                if not prop_ok[k](v):
                    return False
            return True
        for k, v in o.items():
            f = prop_ok.get(k)
            if f is not None and not f(v):
                return False
            if patterns:
                matching = memo.get(k)
                if matching is None:
                    matching = tuple(pn for rx, pn in patterns if rx.search(k))
                    if len(memo) < 4096:  # keys are few in real documents; stay bounded on hostile ones
                        memo[k] = matching
                for pn in matching:
                    if not pn.ok(v):
                        return False
                if f is None and matching:
                    continue
            if f is None:
                if closed:
                    return False
                if add_node is not None and not add_node.ok(v):
                    return False
        return True

    return obj_ok


def compile_schema(schema: Any) -> Node:
    """Compile ``schema``; raises :class:`Unsupported` for anything outside :data:`SUPPORTED`."""
    return Compiler(schema).compile()
