"""Closures the compiler assembles, and the evaluation context they run in.

Every builder returns ``fn(ctx) -> value``. Hot paths (static paths, ``x[c]`` with a bound
column, two-operand arithmetic and comparisons) are specialised so that a typical rule costs a
few microseconds; nothing here allocates per evaluation beyond the reads list and small tuples.
"""

from __future__ import annotations

import datetime as _dt
import operator
from collections.abc import Callable
from itertools import chain
from typing import Any

from gipcheck.lang.errors import LangError, RuntimeFailure, runtime_error
from gipcheck.lang.functions import _COL_LIST as _CANON_COLS
from gipcheck.lang.functions import PList, decimals_of, f_has, f_keys, f_len, parse_date, type_name
from gipcheck.lang.values import UNKNOWN, Evidence, Outcome, Unknown, merge_unknown

Fn = Callable[[Any], Any]
_DATE = _dt.date
_NOVALUE = Unknown(frozenset(), frozenset(("no value",)))
_UNSET = object()   # ctx.lop before a let runs: tells whether the let left a comparison behind


class Ctx:
    """State of one evaluation: the documents, bound variables, reads, evidence and budget."""

    __slots__ = ("doc", "prev", "vals", "ptrs", "reads", "steps", "budget", "ev", "lets", "shared",
                 "lop", "left", "right", "tol", "rec")
    doc: Any
    prev: Any
    vals: list[Any]
    ptrs: list[Any]
    reads: list[str]
    steps: int
    budget: int
    ev: list[Any]
    lets: list[Any]
    shared: Any
    lop: Any
    left: Any
    right: Any
    tol: Any
    rec: bool

    @staticmethod
    def blank() -> Ctx:
        c = Ctx()
        c.doc, c.prev, c.vals, c.ptrs, c.reads, c.steps, c.budget = {}, None, [], [], [], 0, 10_000
        c.ev, c.lets, c.shared, c.lop, c.left, c.right, c.tol = [], [], None, None, None, None, None
        c.rec = False
        return c


def escape(k: Any) -> str:
    s = str(k)
    if "~" in s or "/" in s:
        s = s.replace("~", "~0").replace("/", "~1")
    return s


def type_fail(zh: str, en: str) -> RuntimeFailure:
    return RuntimeFailure(runtime_error("TYPE", zh, en))


def budget_fail(ctx: Ctx) -> RuntimeFailure:
    return RuntimeFailure(runtime_error(
        "BUDGET", f"规则计算超出步数上限（{ctx.budget} 步），已停止", f"rule evaluation exceeded its step budget ({ctx.budget} steps)",
        hint_zh="减少嵌套的 all/any，或缩小遍历的集合", hint_en="reduce nested all/any or iterate over smaller collections"))


# ------------------------------------------------------------------ paths
_LOOKUP_ERRORS = (KeyError, TypeError, IndexError)


def static_raw(root: str, keys: tuple[Any, ...]) -> Fn:
    """Value at a literal path, or None when blank/absent (no recording)."""
    attr = "doc" if root == "doc" else "prev"
    if attr == "doc" and len(keys) == 1:
        (k0,) = keys

        def raw1(ctx: Ctx) -> Any:
            try:
                return ctx.doc[k0]
            except _LOOKUP_ERRORS:
                return None
        return raw1
    if attr == "doc" and len(keys) == 2:
        k0, k1 = keys

        def raw2(ctx: Ctx) -> Any:
            try:
                return ctx.doc[k0][k1]
            except _LOOKUP_ERRORS:
                return None
        return raw2
    if attr == "doc" and len(keys) == 3:
        k0, k1, k2 = keys

        def raw3(ctx: Ctx) -> Any:
            try:
                return ctx.doc[k0][k1][k2]
            except _LOOKUP_ERRORS:
                return None
        return raw3

    def raw(ctx: Ctx) -> Any:
        v = ctx.doc if attr == "doc" else ctx.prev
        try:
            for k in keys:
                v = v[k]
        except _LOOKUP_ERRORS:
            return None
        return v
    return raw


def static_fn(root: str, keys: tuple[Any, ...], ptr: str) -> Fn:
    unk = Unknown(frozenset((ptr,)))
    if root == "doc" and len(keys) == 3:
        k0, k1, k2 = keys

        def fn3(ctx: Ctx) -> Any:
            if ctx.rec:
                ctx.reads.append(ptr)
            try:
                v = ctx.doc[k0][k1][k2]
            except _LOOKUP_ERRORS:
                return unk
            return unk if v is None else v
        return fn3
    if root == "doc" and len(keys) == 4:
        k0, k1, k2, k3 = keys

        def fn4(ctx: Ctx) -> Any:
            if ctx.rec:
                ctx.reads.append(ptr)
            try:
                v = ctx.doc[k0][k1][k2][k3]
            except _LOOKUP_ERRORS:
                return unk
            return unk if v is None else v
        return fn4
    raw = static_raw(root, keys)

    def fn(ctx: Ctx) -> Any:
        if ctx.rec:
            ctx.reads.append(ptr)
        v = raw(ctx)
        return unk if v is None else v
    return fn


def _bad_key(k: Any) -> RuntimeFailure:
    zh, en = type_name(k)
    return type_fail(f"下标须为文字或整数，得到{zh}", f"an index must be text or an integer, got {en}")


def kescape(k: Any) -> str:
    """:func:`escape` for a key a rule computed: only a text or an integer names a cell."""
    tk = type(k)
    if tk is not str and tk is not int:
        raise _bad_key(k)
    return escape(k)


def _get(b: Any, k: Any) -> Any:
    tb = type(b)
    if tb is dict:
        try:
            v = b.get(k)
        except TypeError:   # an unhashable key (a list, an object)
            raise _bad_key(k) from None
        if v is None and type(k) is not str and type(k) is not int and type(k) is not Unknown:
            raise _bad_key(k)
        return v
    if tb is list or tb is PList:
        if type(k) is int and -len(b) <= k < len(b):
            return b[k]
        if type(k) is str:   # x[*].total: a list has no names (write sum(r.total for r in x[*]))
            raise type_fail(f"列表中没有名称“{k}”（列表只能用整数下标）", f"a list has no part `{k}` (index a list by number)")
        if type(k) is not int and type(k) is not Unknown:
            raise _bad_key(k)
        return None
    if b is None:
        return None
    zh, en = type_name(b)
    raise type_fail(f"不能在{zh}中查找“{k}”", f"cannot look up `{k}` in {en}")


def _base_loc(base: Any) -> Callable[[Ctx], tuple[Any, str | None]]:
    if base.loc is not None:
        return base.loc
    bfn = base.fn
    return lambda ctx: (bfn(ctx), None)


def _var_key_lookup(bkeys: tuple[Any, ...], slot: int, prefix: str) -> Fn:
    """``requests.new[c]`` with ``c`` bound by a quantifier: one closure, no helper calls."""
    def missing(ctx: Ctx, k: Any) -> Any:
        if type(k) is Unknown:
            return k
        return Unknown(frozenset((prefix + kescape(k),)))

    if len(bkeys) == 1:
        (k0,) = bkeys

        def f1(ctx: Ctx) -> Any:
            k = ctx.vals[slot]
            try:
                v = ctx.doc[k0][k]
            except _LOOKUP_ERRORS:
                v = None
            if ctx.rec and type(k) is not Unknown:
                ctx.reads.append(prefix + kescape(k))
            return missing(ctx, k) if v is None else v
        return f1
    if len(bkeys) == 2:
        k0, k1 = bkeys

        def f2(ctx: Ctx) -> Any:
            k = ctx.vals[slot]
            try:
                v = ctx.doc[k0][k1][k]
            except _LOOKUP_ERRORS:
                v = None
            if ctx.rec and type(k) is not Unknown:
                ctx.reads.append(prefix + kescape(k))
            return missing(ctx, k) if v is None else v
        return f2
    k0, k1, k2 = bkeys

    def f3(ctx: Ctx) -> Any:
        k = ctx.vals[slot]
        try:
            v = ctx.doc[k0][k1][k2][k]
        except _LOOKUP_ERRORS:
            v = None
        if ctx.rec and type(k) is not Unknown:
            ctx.reads.append(prefix + kescape(k))
        return missing(ctx, k) if v is None else v
    return f3


def _var_base_lookup(bslot: int, key: Any, kslot: int | None) -> Fn:
    """``r.total`` / ``r[c]`` with ``r`` (and ``c``) bound by quantifiers."""
    def fn(ctx: Ctx) -> Any:
        b = ctx.vals[bslot]
        k = key if kslot is None else ctx.vals[kslot]
        if type(b) is dict:
            try:
                v = b.get(k)
            except TypeError:
                v = None
        elif type(b) is Unknown:
            return b
        elif type(k) is Unknown:
            return k
        else:
            v = _get(b, k)
        if v is None or ctx.rec:
            if type(k) is Unknown:
                return k
            bp = ctx.ptrs[bslot]
            p = (bp + "/" + kescape(k)) if bp is not None else None
            if ctx.rec and p is not None:
                ctx.reads.append(p)
            if v is None:
                return Unknown(frozenset((p,))) if p is not None else _NOVALUE
        return v
    return fn


def lookup_node(base: Any, key: Any, knode: Any, tok: Any, Node: type, fuse: bool = True) -> Any:
    if knode is not None and base.keys is not None:
        # requests.new[c]: a literal path indexed by a computed key (the hot path of column rules).
        prefix = base.ptr + "/"
        raw = base.raw
        kfn = knode.fn

        def loc_s(ctx: Ctx) -> tuple[Any, str | None]:
            k = kfn(ctx)
            if type(k) is Unknown:
                return k, None
            return _get(raw(ctx), k), prefix + kescape(k)

        if knode.slot is not None and base.root == "doc" and 1 <= len(base.keys) <= 3:
            fn_s = _var_key_lookup(base.keys, knode.slot, prefix)
        else:
            def fn_s(ctx: Ctx) -> Any:
                k = kfn(ctx)
                if type(k) is Unknown:
                    return k
                v = _get(raw(ctx), k)
                if ctx.rec or v is None:
                    p = prefix + kescape(k)
                    if ctx.rec:
                        ctx.reads.append(p)
                    if v is None:
                        return Unknown(frozenset((p,)))
                return v

        n = Node(fn_s, 1 + base.size + knode.size, tok)
        n.loc = loc_s
        if knode.slot is not None:
            ks = knode.slot

            def val_s(ctx: Ctx) -> Any:
                k = ctx.vals[ks]
                if type(k) is Unknown:
                    return k
                return _get(raw(ctx), k)
            n.val = val_s
        return n

    if base.slot is not None and (knode is None or knode.slot is not None):
        n = Node(_var_base_lookup(base.slot, key, knode.slot if knode is not None else None),
                 1 + base.size + (knode.size if knode is not None else 0), tok)
        bslot, kslot = base.slot, (knode.slot if knode is not None else None)
        n.vlookup = (bslot, key, kslot)

        def vloc(ctx: Ctx) -> tuple[Any, str | None]:
            b = ctx.vals[bslot]
            k = key if kslot is None else ctx.vals[kslot]
            if type(k) is Unknown:
                return k, None
            if type(b) is Unknown:
                return b, None
            bp = ctx.ptrs[bslot]
            return _get(b, k), (bp + "/" + kescape(k)) if bp is not None else None
        n.loc = vloc

        def vval(ctx: Ctx) -> Any:
            b = ctx.vals[bslot]
            k = key if kslot is None else ctx.vals[kslot]
            if type(k) is Unknown:
                return k
            if type(b) is Unknown:
                return b
            return _get(b, k)
        n.val = vval
        return n

    bloc = _base_loc(base)
    kfn = knode.fn if knode is not None else None

    def loc(ctx: Ctx) -> tuple[Any, str | None]:
        b, bp = bloc(ctx)
        k = key if kfn is None else kfn(ctx)
        if type(k) is Unknown:
            return k, None
        if type(b) is Unknown:
            return b, None
        if b is None:
            return None, (bp + "/" + kescape(k)) if bp is not None else None
        return _get(b, k), (bp + "/" + kescape(k)) if bp is not None else None

    def fn(ctx: Ctx) -> Any:
        v, p = loc(ctx)
        if p is not None and ctx.rec:
            ctx.reads.append(p)
        if v is None:
            return Unknown(frozenset((p,))) if p is not None else _NOVALUE
        return v

    n = Node(fn, 1 + base.size + (knode.size if knode is not None else 0), tok)
    n.loc = loc
    bval = base.val
    if fuse and bval is not None and (knode is None or knode.slot is not None):
        # x[k][c] on pure parts: the value first, the pointer only when it is needed (recording,
        # or a blank cell to name)
        kslot = knode.slot if knode is not None else None

        def val(ctx: Ctx) -> Any:
            b = bval(ctx)
            k = key if kslot is None else ctx.vals[kslot]
            if type(k) is Unknown:
                return k
            if type(b) is Unknown:
                return b
            if b is None:
                return None
            return _get(b, k)

        def fast(ctx: Ctx) -> Any:
            if not ctx.rec:
                v = val(ctx)
                if v is not None:
                    return v
            return fn(ctx)
        n.fn = fast
        n.val = val
    return n


def _elements(b: Any, bp: str | None, ctx: Ctx) -> PList | Unknown:
    tb = type(b)
    if tb is dict:
        keys = list(b)
        vals = list(b.values())
    elif tb is list or tb is PList:
        keys = list(range(len(b)))
        vals = list(b)
    elif tb is Unknown:
        return b
    else:
        zh, en = type_name(b)
        raise type_fail(f"[*] 需要对象或列表，得到{zh}", f"[*] needs an object or a list, got {en}")
    if bp is None:
        ptrs = b.ptrs if tb is PList else None
        if ptrs is None:
            return PList([UNKNOWN if v is None else v for v in vals], None)
        return PList([Unknown(frozenset((p,))) if v is None and p else (UNKNOWN if v is None else v)
                      for v, p in zip(vals, ptrs, strict=False)], list(ptrs))
    ptrs = [f"{bp}/{escape(k)}" for k in keys]
    if ctx.rec:
        ctx.reads.extend(ptrs)
    return PList([Unknown(frozenset((p,))) if v is None else v for v, p in zip(vals, ptrs, strict=False)], ptrs)


def star_node(base: Any, Node: type) -> Any:
    bloc = _base_loc(base)

    def fn(ctx: Ctx) -> Any:
        b, bp = bloc(ctx)
        if b is None:
            return Unknown(frozenset((bp,))) if bp else _NOVALUE
        return _elements(b, bp, ctx)

    return Node(fn, 1 + base.size, base.tok)


def let_ref_node(d: Any, Node: type, tok: Any) -> Any:
    if d.node.keys is not None:
        return d.node          # a let naming a literal path behaves as that path (checked, located)
    inner = d.node.fn
    # text keys: their hash is computed once (a let's key nests the keys of the lets it uses)
    key = repr(d.key)
    rkey = repr(("rec",) + d.key)
    i = d.index   # set by compile_let, before any reference to the let is built

    def fn(ctx: Ctx) -> Any:
        memo = ctx.lets
        e = memo[i]
        if e is None:
            sh = ctx.shared
            if ctx.rec:
                if sh is not None:
                    e = sh.get(rkey)
                if e is None:
                    # Recording: remember the reads and the comparison the let leaves behind (the
                    # rule's evidence may show it), so another recording run can reuse it exactly.
                    start = len(ctx.reads)
                    nev = len(ctx.ev)
                    saved = (ctx.lop, ctx.left, ctx.right, ctx.tol)
                    ctx.lop = _UNSET
                    v = inner(ctx)
                    del ctx.ev[nev:]
                    after = None if ctx.lop is _UNSET else (ctx.lop, ctx.left, ctx.right, ctx.tol)
                    if after is None:
                        ctx.lop, ctx.left, ctx.right, ctx.tol = saved
                    e = (v, ctx.reads[start:], after)
                    memo[i] = e
                    if sh is not None:
                        sh[rkey] = e
                        if key not in sh:
                            sh[key] = (v, _EMPTY)
                    return v
                memo[i] = e
                ctx.reads.extend(e[1])
                after = e[2]
                if after is not None:
                    ctx.lop, ctx.left, ctx.right, ctx.tol = after
                return e[0]
            if sh is not None:
                e = sh.get(key)
            if e is None:
                nev = len(ctx.ev)
                v = inner(ctx)
                del ctx.ev[nev:]
                e = (v, _EMPTY)
                memo[i] = e
                if sh is not None:
                    sh[key] = e
                return v
            memo[i] = e
            return e[0]
        if ctx.rec:
            ctx.reads.extend(e[1])   # a second use in the same run: the comparison state stays as it is
        return e[0]

    return Node(fn, 1, tok)


# ------------------------------------------------------------------ logic (Kleene)
def _not_bool(v: Any, what: str) -> RuntimeFailure:
    zh, en = type_name(v)
    return type_fail(f"{what}需要真假值，得到{zh}", f"{what}needs true/false, got {en}")


def and_fn(fns: list[Fn]) -> Fn:
    if len(fns) == 2:
        f1, f2 = fns

        def and2(ctx: Ctx) -> Any:
            a = f1(ctx)
            if a is False:
                return False
            if a is not True and type(a) is not Unknown:
                raise _not_bool(a, "and ")
            b = f2(ctx)
            if b is False:
                return False
            if b is True:
                return a
            if type(b) is not Unknown:
                raise _not_bool(b, "and ")
            return b if a is True else merge_unknown(a, b)
        return and2

    def andn(ctx: Ctx) -> Any:
        unk = None
        for f in fns:
            v = f(ctx)
            if v is False:
                return False
            if v is True:
                continue
            if type(v) is Unknown:
                unk = v if unk is None else merge_unknown(unk, v)
            else:
                raise _not_bool(v, "and ")
        return True if unk is None else unk
    return andn


def or_fn(fns: list[Fn]) -> Fn:
    if len(fns) == 2:
        f1, f2 = fns

        def or2(ctx: Ctx) -> Any:
            if ctx.rec:
                return orn(ctx)
            a = f1(ctx)
            if a is True:
                return True
            if a is not False and type(a) is not Unknown:
                raise _not_bool(a, "or ")
            b = f2(ctx)
            if b is True:
                return True
            if b is False:
                return a
            if type(b) is not Unknown:
                raise _not_bool(b, "or ")
            return b if a is False else merge_unknown(a, b)

    def orn(ctx: Ctx) -> Any:
        unk = None
        ev = ctx.ev
        nev = len(ev)
        for f in fns:
            v = f(ctx)
            if v is True:
                if len(ev) > nev:
                    del ev[nev:]     # failures of the other alternatives did not decide anything
                return True
            if v is False:
                continue
            if type(v) is Unknown:
                unk = v if unk is None else merge_unknown(unk, v)
            else:
                raise _not_bool(v, "or ")
        return False if unk is None else unk

    return or2 if len(fns) == 2 else orn


def not_fn(f: Fn) -> Fn:
    def nt(ctx: Ctx) -> Any:
        if ctx.rec:
            ev = ctx.ev
            nev = len(ev)
            v = f(ctx)
            if len(ev) > nev:
                del ev[nev:]
        else:
            v = f(ctx)
        if v is True:
            return False
        if v is False:
            return True
        if type(v) is Unknown:
            return v
        raise _not_bool(v, "not ")
    return nt


def if_fn(c: Fn, a: Fn, b: Fn) -> Fn:
    def fn(ctx: Ctx) -> Any:
        if ctx.rec:
            ev = ctx.ev
            nev = len(ev)
            v = c(ctx)
            if len(ev) > nev:
                del ev[nev:]
        else:
            v = c(ctx)
        if v is True:
            return a(ctx)
        if v is False:
            return b(ctx)
        if type(v) is Unknown:
            return v
        raise _not_bool(v, "if ")
    return fn


# ------------------------------------------------------------------ quantifiers and generators
def _diff(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        d = a - b
        if type(d) is float:
            d = round(d, 10)
        return d
    if ta is _DATE and tb is _DATE:
        return (a - b).days
    return None


def _display(v: Any, p: str | None) -> Any:
    if type(v) is Unknown:
        return None
    if p is not None and type(v) in (dict, list, PList):
        return p
    return v


def make_evidence(ctx: Ctx, start: int, binders: tuple[tuple[str, int], ...] = ()) -> Evidence:
    bindings = {name: _display(ctx.vals[s], ctx.ptrs[s]) for name, s in binders}
    left, right, op = ctx.left, ctx.right, ctx.lop
    if op is None:
        left = right = None
    reads = list(dict.fromkeys(ctx.reads[start:]))
    return Evidence(bindings, left, right, _diff(left, right) if op else None, reads, op,
                    ctx.tol if op == "~=" else None)


def _iter_source(coll: Any) -> Callable[[Ctx], tuple[Any, Any, str | None]]:
    """fn(ctx) → (items, element pointers or None, pointer prefix or None); items may be Unknown."""
    if coll.is_const:
        items = coll.const
        if type(items) is dict:
            items = list(items)
        if type(items) is not list:
            return lambda ctx: (_iter_type(items), None, None)
        return lambda ctx: (items, None, None)
    cfn = coll.fn
    static = coll.ptr if coll.keys is not None else None
    cloc = coll.loc if coll.keys is None else None

    def src(ctx: Ctx) -> tuple[Any, Any, str | None]:
        if cloc is not None:
            c, bp = cloc(ctx)
            if c is None:
                return (Unknown(frozenset((bp,))) if bp else _NOVALUE), None, None
        else:
            c, bp = cfn(ctx), static
        tc = type(c)
        if tc is PList:
            return c, c.ptrs, None
        if tc is list:
            return c, None, bp
        if tc is dict:
            return list(c), None, None
        if tc is Unknown:
            return c, None, None
        return _iter_type(c), None, None
    return src


def _iter_type(c: Any) -> Any:
    zh, en = type_name(c)
    raise type_fail(f"只能遍历列表或对象，得到{zh}", f"can only iterate over a list or an object, got {en}")


def _bind(it: Any, i: int, ptrs: Any, prefix: str | None) -> tuple[Any, str | None]:
    p = ptrs[i] if ptrs is not None else (f"{prefix}/{i}" if prefix is not None else None)
    if it is None:
        it = Unknown(frozenset((p,))) if p else UNKNOWN
    return it, p


def _charge(ctx: Ctx, n: int) -> None:
    s = ctx.steps + n
    ctx.steps = s
    if s > ctx.budget:
        raise budget_fail(ctx)


def _items_loop(ctx: Ctx, items: Any, ptrs: Any, prefix: str | None, slot: int, body: Fn, cost: int,
                fast: Callable[[Ctx, Any, Any], Any]) -> Any:
    """:func:`all_fn`'s non-recording loop, item by item, where ``fast(ctx, item, pointer)`` may give
    the body's value for an item (True, or the Unknown naming its blank cells; having charged the
    steps the body would) or None: only the items it cannot decide run the body, so one blank row
    no longer sends every row down the general path."""
    s = ctx.steps + cost * len(items)
    ctx.steps = s
    if s > ctx.budget:
        raise budget_fail(ctx)
    vals = ctx.vals
    pv = ctx.ptrs
    unk = None
    for i, it in enumerate(items):
        r = fast(ctx, it, ptrs[i] if ptrs is not None else None)
        if r is None:
            if ptrs is None and prefix is None:
                vals[slot] = UNKNOWN if it is None else it
            elif ptrs is not None:
                p = ptrs[i]
                vals[slot] = (Unknown(frozenset((p,))) if p else UNKNOWN) if it is None else it
                pv[slot] = p
            else:
                vals[slot], pv[slot] = _bind(it, i, ptrs, prefix)
            r = body(ctx)
        if r is True:
            continue
        if r is False:
            return False
        if type(r) is Unknown:
            unk = r if unk is None else merge_unknown(unk, r)
        else:
            raise _not_bool(r, "all ")
    return True if unk is None else unk


def all_fn(coll: Any, slot: int, body: Fn, binders: tuple[tuple[str, int], ...], cost: int) -> Fn:
    src = _iter_source(coll)
    const_items = coll.const if coll.is_const and type(coll.const) is list else None

    def fn(ctx: Ctx) -> Any:
        if const_items is not None:
            items, ptrs, prefix = const_items, None, None
        else:
            items, ptrs, prefix = src(ctx)
            if type(items) is Unknown:
                return items
        s = ctx.steps + cost * len(items)   # charge the whole loop up front
        ctx.steps = s
        if s > ctx.budget:
            raise budget_fail(ctx)
        vals = ctx.vals
        unk = None
        if not ctx.rec:
            # Fast mode: stop at the first false; evidence is gathered by a recording re-run.
            if ptrs is None and prefix is None:
                for it in items:
                    vals[slot] = UNKNOWN if it is None else it
                    r = body(ctx)
                    if r is True:
                        continue
                    if r is False:
                        return False
                    if type(r) is Unknown:
                        unk = r if unk is None else merge_unknown(unk, r)
                    else:
                        raise _not_bool(r, "all ")
            elif ptrs is not None:
                pv = ctx.ptrs
                for it, p in zip(items, ptrs, strict=False):
                    vals[slot] = (Unknown(frozenset((p,))) if p else UNKNOWN) if it is None else it
                    pv[slot] = p
                    r = body(ctx)
                    if r is True:
                        continue
                    if r is False:
                        return False
                    if type(r) is Unknown:
                        unk = r if unk is None else merge_unknown(unk, r)
                    else:
                        raise _not_bool(r, "all ")
            else:
                pv = ctx.ptrs
                for i, it in enumerate(items):
                    vals[slot], pv[slot] = _bind(it, i, ptrs, prefix)
                    r = body(ctx)
                    if r is True:
                        continue
                    if r is False:
                        return False
                    if type(r) is Unknown:
                        unk = r if unk is None else merge_unknown(unk, r)
                    else:
                        raise _not_bool(r, "all ")
            return True if unk is None else unk
        pv, ev, reads = ctx.ptrs, ctx.ev, ctx.reads
        res = True
        for i, it in enumerate(items):
            nev = len(ev)
            start = len(reads)
            it, p = _bind(it, i, ptrs, prefix)
            if p is not None and type(it) not in (dict, list, PList):
                reads.append(p)
            vals[slot] = it
            pv[slot] = p
            ctx.lop = None
            r = body(ctx)
            if r is True:
                continue
            if r is False:
                res = False
                if len(ev) == nev:
                    ev.append(make_evidence(ctx, start, binders))
            elif type(r) is Unknown:
                unk = r if unk is None else merge_unknown(unk, r)
            else:
                raise _not_bool(r, "all ")
        if res is False:
            return False
        return True if unk is None else unk
    return fn


def has_scan(needles: list[str], func: Callable[[Any], Any] | None, pcost: int) -> Callable[[Ctx, Any], int | None] | None:
    """For ``any x in C: has(x, NEEDLES)`` (or ``has(f(x), NEEDLES)`` with ``f`` a plugin function):
    the index of the first item the body is true for, -1 for none, or None when an item is not a
    short text (the body would charge steps, go through the cache, or give UNKNOWN) — then the
    general loop decides. It charges the steps the body's plugin calls would."""
    if any("\0" in nd for nd in needles):
        return None
    k = len(needles)
    lim = min(200, -(-256 // k)) if k else 200   # shorter texts: has() charges nothing, scans inline

    def scan(ctx: Ctx, items: Any) -> int | None:
        n = len(items)
        if func is not None:
            if ctx.steps + pcost * n > ctx.budget:
                return None   # the general loop stops at the right item with the budget error
            texts = []
            for it in items:
                if type(it) is not str:
                    return None
                try:
                    t = func(it)   # pure: calling it past the first match changes nothing
                except Exception:  # the general path reports it as the plugin's failure
                    return None
                if type(t) is not str:
                    return None
                texts.append(t)
        else:
            texts = items
            for t in texts:
                if type(t) is not str:
                    return None
        if max(map(len, texts)) >= lim:
            return None
        # all the texts at once: a needle's first place in the joined text is in the first item
        # holding it, so the earliest of them is in the first item the loop would stop at
        big = "\0".join(texts)
        if big.count("\0") != n - 1:
            return None
        first = -1
        for nd in needles:
            p = big.find(nd)
            if p >= 0 and (first < 0 or p < first):
                first = p
        found = -1 if first < 0 else big.count("\0", 0, first)
        if func is not None:
            ctx.steps += pcost * (found + 1 if found >= 0 else n)
        return found
    return scan


def any_fn(coll: Any, slot: int, body: Fn, binders: tuple[tuple[str, int], ...], cost: int,
           scan: Callable[[Ctx, Any], int | None] | None = None) -> Fn:
    src = _iter_source(coll)

    def fn(ctx: Ctx) -> Any:
        items, ptrs, prefix = src(ctx)
        if type(items) is Unknown:
            return items
        _charge(ctx, cost * len(items))
        vals, pv, ev, reads, rec = ctx.vals, ctx.ptrs, ctx.ev, ctx.reads, ctx.rec
        unk = None
        if not rec and ptrs is None and prefix is None:
            # plain values (labels, a constant list): no pointers to bind, nothing to record
            pv[slot] = None
            if scan is not None and items:
                i = scan(ctx, items)
                if i is not None:   # the loop below would stop at item i (true) or run through all (false)
                    vals[slot] = items[i]
                    return i >= 0
            for it in items:
                vals[slot] = UNKNOWN if it is None else it
                r = body(ctx)
                if r is True:
                    return True
                if r is False:
                    continue
                if type(r) is Unknown:
                    unk = r if unk is None else merge_unknown(unk, r)
                else:
                    raise _not_bool(r, "any ")
            return False if unk is None else unk
        nev = len(ev)
        for i, it in enumerate(items):
            it, p = _bind(it, i, ptrs, prefix)
            if rec and p is not None and type(it) not in (dict, list, PList):
                reads.append(p)
            vals[slot] = it
            pv[slot] = p
            r = body(ctx)
            if r is True:
                if rec:
                    del ev[nev:]
                return True
            if r is False:
                continue
            if type(r) is Unknown:
                unk = r if unk is None else merge_unknown(unk, r)
            else:
                raise _not_bool(r, "any ")
        if rec:
            del ev[nev:]
        return False if unk is None else unk
    return fn


def gen_fn(coll: Any, slot: int, efn: Fn, cfn: Fn | None, cost: int, vlookup: Any = None) -> Fn:
    """The list of ``E for x in C if P`` (UNKNOWN when a condition is). When ``E`` is a plain
    lookup on bound names (``r[c]``, ``x.total``) it is done inline, without a closure call."""
    src = _iter_source(coll)
    const_items = coll.const if coll.is_const and type(coll.const) is list else None
    if vlookup is not None and cfn is None:
        bslot, key, kslot = vlookup

        def fast(ctx: Ctx) -> Any:
            if const_items is not None:
                items, ptrs, prefix = const_items, None, None
            else:
                items, ptrs, prefix = src(ctx)
                if type(items) is Unknown:
                    return items
            _charge(ctx, cost * len(items))
            vals, pv = ctx.vals, ctx.ptrs
            rec = ctx.rec
            if not rec:
                # Whole-list comprehension when nothing is blank: r[c] for c in C, or x[c] for x in rows.
                got: list[Any] | None = None
                if bslot != slot and kslot == slot:
                    b = vals[bslot]
                    if type(b) is dict:
                        try:
                            got = [b.get(k) for k in items]
                        except TypeError:   # an unhashable key: the general lookup reports it
                            got = None
                        if got is not None and None not in got:
                            if items:
                                vals[slot] = items[-1]
                            return got
                elif bslot == slot and kslot != slot:
                    k = key if kslot is None else vals[kslot]
                    try:
                        got = [it.get(k) for it in items]
                    except (AttributeError, TypeError):
                        got = None
                    else:
                        if None not in got:
                            return got
                if got is not None and (prefix is None or ptrs is not None) \
                        and (bslot == slot or type(vals[bslot]) is dict):
                    # Only the blank cells need the general lookup (it names them as missing).
                    i = got.index(None)
                    n = len(got)
                    while i < n:
                        if got[i] is None:
                            vals[slot] = items[i]
                            if ptrs is not None:
                                pv[slot] = ptrs[i]
                            got[i] = efn(ctx)
                        i += 1
                    vals[slot] = items[-1]
                    if ptrs is not None:
                        pv[slot] = ptrs[-1]
                    return got
            out = []
            if ptrs is None and prefix is None and not rec:
                for it in items:
                    vals[slot] = it
                    b = vals[bslot]
                    k = key if kslot is None else vals[kslot]
                    v = b.get(k) if type(b) is dict and type(k) is str else None
                    out.append(efn(ctx) if v is None else v)
                return out
            if ptrs is not None and not rec:
                for it, p in zip(items, ptrs, strict=False):
                    vals[slot] = it
                    pv[slot] = p
                    b = vals[bslot]
                    k = key if kslot is None else vals[kslot]
                    v = b.get(k) if type(b) is dict and type(k) is str else None
                    out.append(efn(ctx) if v is None else v)
                return out
            for i, it in enumerate(items):
                if ptrs is None and prefix is None:
                    vals[slot] = UNKNOWN if it is None else it
                else:
                    vals[slot], pv[slot] = _bind(it, i, ptrs, prefix)
                if rec:
                    out.append(efn(ctx))
                    continue
                b = vals[bslot]
                k = key if kslot is None else vals[kslot]
                v = b.get(k) if type(b) is dict and type(k) is str else None
                out.append(efn(ctx) if v is None else v)
            return out
        return fast

    def fn(ctx: Ctx) -> Any:
        if const_items is not None:
            items, ptrs, prefix = const_items, None, None
        else:
            items, ptrs, prefix = src(ctx)
            if type(items) is Unknown:
                return items
        _charge(ctx, cost * len(items))
        vals, pv, reads, rec = ctx.vals, ctx.ptrs, ctx.reads, ctx.rec
        out: list[Any] = []
        unk = None
        for i, it in enumerate(items):
            if ptrs is None and prefix is None:
                vals[slot] = UNKNOWN if it is None else it
            else:
                it, p = _bind(it, i, ptrs, prefix)
                if rec and p is not None and type(it) not in (dict, list, PList):
                    reads.append(p)
                vals[slot] = it
                pv[slot] = p
            if cfn is not None:
                c = cfn(ctx)
                if c is False:
                    continue
                if c is not True:
                    if type(c) is Unknown:
                        unk = c if unk is None else merge_unknown(unk, c)
                        continue
                    raise _not_bool(c, "if ")
            out.append(efn(ctx))
        return out if unk is None else unk
    return fn


# ------------------------------------------------------------------ comparisons
def _as_date_pair(a: Any, b: Any) -> tuple[Any, Any] | None:
    ta, tb = type(a), type(b)
    if ta is _DATE and tb is str:
        d = parse_date(b)
        return (a, d) if d is not None else None
    if tb is _DATE and ta is str:
        d = parse_date(a)
        return (d, b) if d is not None else None
    return None


def _not_a_date(a: Any, b: Any) -> Unknown:
    s = a if type(a) is str else b
    return Unknown(frozenset(), frozenset((f"not a date: {s!r}",)))


def _list_equal(a: Any, b: Any) -> Any:
    """Lists are equal element by element with the language's ``==``: a blank element makes it
    UNKNOWN unless another pair differs; ``[true] == [1]`` is false."""
    if len(a) != len(b):
        return False
    if set(map(type, a)) | set(map(type, b)) <= _PLAIN_EQ:
        return a == b   # numbers and texts only: Python's == is the language's
    unk = None
    for x, y in zip(a, b, strict=True):
        r = equal(UNKNOWN if x is None else x, UNKNOWN if y is None else y)
        if r is False:
            return False
        if type(r) is Unknown:
            unk = r if unk is None else merge_unknown(unk, r)
    return True if unk is None else unk


_LISTS = (list, PList)
_PLAIN_EQ = frozenset((int, float, str))


def equal(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is tb:
        if ta is Unknown:
            return merge_unknown(a, b)
        if ta is list or ta is PList:
            return _list_equal(a, b)
        return a == b
    if ta is Unknown or tb is Unknown:
        return merge_unknown(a, b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        return a == b
    if ta in _LISTS and tb in _LISTS:
        return _list_equal(a, b)
    if ta is _DATE or tb is _DATE:
        pair = _as_date_pair(a, b)
        if pair is None:
            return _not_a_date(a, b) if (ta is str or tb is str) else False
        return pair[0] == pair[1]
    return False


_ORDER_TYPES = (int, float)


def order(a: Any, b: Any, op: str) -> Any:
    ta, tb = type(a), type(b)
    if ta is Unknown or tb is Unknown:
        return merge_unknown(a, b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        pass
    elif ta is str and tb is str:
        pass
    elif ta is _DATE and tb is _DATE:
        pass
    elif ta is _DATE or tb is _DATE:
        pair = _as_date_pair(a, b)
        if pair is None:
            if ta is str or tb is str:
                return _not_a_date(a, b)
            zh1, en1 = type_name(a)
            zh2, en2 = type_name(b)
            raise type_fail(f"不能比较{zh1}和{zh2}", f"cannot compare {en1} with {en2}")
        a, b = pair
    else:
        zh1, en1 = type_name(a)
        zh2, en2 = type_name(b)
        raise type_fail(f"不能比较{zh1}和{zh2}", f"cannot compare {en1} with {en2}")
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def compare_fn(op: str, an: Any, bn: Any) -> Fn:
    fa, fb = an.fn, bn.fn
    if op in ("==", "!=") and bn.is_const and type(bn.const) in (int, float, str, bool):
        # a literal on the right: its value without a call; same types compare as in equal()
        k = bn.const
        tk = type(k)
        if op == "==":
            def eqk(ctx: Ctx) -> Any:
                a = fa(ctx)
                if ctx.rec:
                    ctx.lop = "=="
                    ctx.left = a
                    ctx.right = k
                ta = type(a)
                if ta is tk:
                    return a == k
                if (ta is list or ta is PList) and len(a) >= 16:
                    _charge(ctx, len(a) >> 4)
                return equal(a, k)
            return eqk

        def nek(ctx: Ctx) -> Any:
            a = fa(ctx)
            if ctx.rec:
                ctx.lop = "!="
                ctx.left = a
                ctx.right = k
            ta = type(a)
            if ta is tk:
                return not (a == k)
            if (ta is list or ta is PList) and len(a) >= 16:
                _charge(ctx, len(a) >> 4)
            r = equal(a, k)
            return r if type(r) is Unknown else not r
        return nek
    if op == "==":
        def eq(ctx: Ctx) -> Any:
            a = fa(ctx)
            b = fb(ctx)
            if ctx.rec:
                ctx.lop = "=="
                ctx.left = a
                ctx.right = b
            ta = type(a)
            if ta is type(b) and ta is not Unknown and ta is not list and ta is not PList:
                return a == b
            if (ta is list or ta is PList) and len(a) >= 16:
                _charge(ctx, len(a) >> 4)
            return equal(a, b)
        return eq
    if op == "!=":
        def ne(ctx: Ctx) -> Any:
            a = fa(ctx)
            b = fb(ctx)
            if ctx.rec:
                ctx.lop = "!="
                ctx.left = a
                ctx.right = b
            if (type(a) is list or type(a) is PList) and len(a) >= 16:
                _charge(ctx, len(a) >> 4)
            r = equal(a, b)
            return r if type(r) is Unknown else not r
        return ne

    if bn.is_const and type(bn.const) in (int, float):
        k = bn.const

        pyop = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}[op]

        def cmpk(ctx: Ctx) -> Any:
            a = fa(ctx)
            if ctx.rec:
                ctx.lop = op
                ctx.left = a
                ctx.right = k
            if type(a) is int or type(a) is float:
                return pyop(a, k)
            return order(a, k, op)
        return cmpk

    def cmp(ctx: Ctx) -> Any:
        a = fa(ctx)
        b = fb(ctx)
        if ctx.rec:
            ctx.lop = op
            ctx.left = a
            ctx.right = b
        return order(a, b, op)
    return cmp


def is_int_fn(f: Fn) -> Fn:
    def fn(ctx: Ctx) -> Any:
        a = f(ctx)
        t = type(a)
        if t is int:
            return True
        if t is Unknown:
            return a
        return t is float and a.is_integer()
    return fn


def presence_fn(f: Fn, want_present: bool, val: Fn | None = None) -> Fn:
    if val is not None:
        # a document location: without recording, its value alone tells (no pointer is built)
        def fv(ctx: Ctx) -> bool:
            if ctx.rec:
                v = f(ctx)
            else:
                try:
                    v = val(ctx)
                except RuntimeFailure:   # the lookup itself may not fail where val() does
                    v = f(ctx)
            p = v is not None and type(v) is not Unknown
            return p if want_present else not p
        return fv

    def fn(ctx: Ctx) -> bool:
        v = f(ctx)
        p = v is not None and type(v) is not Unknown
        return p if want_present else not p
    return fn


def in_fn(an: Any, bn: Any, negate: bool) -> Fn:
    fa, fb = an.fn, bn.fn
    fast: frozenset[Any] | None = None
    if bn.is_const and type(bn.const) is list and all(type(x) in (int, float, str) for x in bn.const):
        fast = frozenset(bn.const)

    def member(ctx: Ctx, a: Any, b: Any) -> Any:
        tb = type(b)
        if type(a) is Unknown:
            return a
        if tb is Unknown:
            return b
        if tb is list or tb is PList:
            if len(b) >= 16:
                _charge(ctx, len(b) >> 4)
            ta = type(a)
            if (ta is str or ta is int) and a in b and type(b[b.index(a)]) is ta:
                return True   # the first equal element is of a's type: the scan below would stop there too
            unk = None
            for e in b:
                if e is None or type(e) is Unknown:
                    unk = merge_unknown(UNKNOWN if unk is None else unk, e if e is not None else UNKNOWN)
                    continue
                if equal(a, e) is True:
                    return True
            return False if unk is None else unk
        if tb is dict:
            if type(a) is not str:
                return False
            return a in b
        if tb is str:
            if type(a) is not str:
                zh, en = type_name(a)
                raise type_fail(f"在文字中查找需要文字，得到{zh}", f"`in` on text needs text, got {en}")
            return a in b
        zh, en = type_name(b)
        raise type_fail(f"in 右边须为列表、对象或文字，得到{zh}", f"the right of `in` must be a list, object or text, got {en}")

    def fn(ctx: Ctx) -> Any:
        a = fa(ctx)
        if fast is not None and (type(a) is int or type(a) is float or type(a) is str):
            r: Any = a in fast
        else:
            r = member(ctx, a, fb(ctx))
        if ctx.rec:
            ctx.lop = "not in" if negate else "in"
            ctx.left = a
            ctx.right = bn.const if bn.is_const else None
        if negate and type(r) is not Unknown:
            return not r
        return r
    return fn


def approx_fn(an: Any, bn: Any, wn: Any) -> Fn:
    fa, fb = an.fn, bn.fn
    fw = wn.fn if wn is not None else None
    da = an.decimals if an.is_const else None
    db = bn.decimals if bn.is_const else None

    def fn(ctx: Ctx) -> Any:
        a = fa(ctx)
        b = fb(ctx)
        w = fw(ctx) if fw is not None else None
        if type(a) is Unknown or type(b) is Unknown or type(w) is Unknown:
            return merge_unknown(a, b, w)
        for x in (a, b):
            if type(x) is not int and type(x) is not float:
                zh, en = type_name(x)
                raise type_fail(f"~= 只能比较数字，得到{zh}", f"`~=` compares numbers only, got {en}")
        if w is None:
            tol = 0.5 * 10.0 ** -(da if da is not None else decimals_of(a)) \
                + 0.5 * 10.0 ** -(db if db is not None else decimals_of(b))
        else:
            if type(w) is not int and type(w) is not float or w < 0:
                raise type_fail("within 后须为非负数字", "`within` needs a number ≥ 0")
            tol = w
        ctx.lop = "~="
        ctx.left = a
        ctx.right = b
        ctx.tol = tol
        return abs(a - b) <= tol * (1 + 1e-9)
    return fn


def coalesce_fn(fns: list[Fn]) -> Fn:
    head, last = fns[:-1], fns[-1]

    def fn(ctx: Ctx) -> Any:
        unks = None
        for f in head:
            v = f(ctx)
            if v is not None and type(v) is not Unknown:
                return v
            if type(v) is Unknown and (v.missing or v.reasons):
                unks = [v] if unks is None else [*unks, v]
        v = last(ctx)
        if unks is not None and type(v) is Unknown:
            return merge_unknown(*unks, v)   # every blank read: filling any of them would decide it
        return v
    return fn


# ------------------------------------------------------------------ arithmetic
def _arith_type(a: Any, b: Any, sym: str) -> RuntimeFailure:
    zh1, en1 = type_name(a)
    zh2, en2 = type_name(b)
    return type_fail(f"不能对{zh1}和{zh2}做“{sym}”运算", f"cannot apply `{sym}` to {en1} and {en2}")


def _shift_date(d: Any, days: int) -> Any:
    try:
        return d + _dt.timedelta(days=days)
    except OverflowError:   # beyond year 1..9999 (or a day count no timedelta holds)
        raise type_fail(f"日期超出范围：{d.isoformat()} 加 {days} 天", f"date out of range: {d.isoformat()} + {days} days") from None


def add(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        return a + b
    if ta is Unknown or tb is Unknown:
        return merge_unknown(a, b)
    if ta is str and tb is str:
        return a + b
    if ta in (list, PList) and tb in (list, PList):
        return list(a) + list(b)
    if ta is _DATE and tb is int:
        return _shift_date(a, b)
    raise _arith_type(a, b, "+")


def sub(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        return a - b
    if ta is Unknown or tb is Unknown:
        return merge_unknown(a, b)
    if ta is _DATE and tb is int:
        return _shift_date(a, -b)
    if ta is _DATE and tb is _DATE:
        return (a - b).days
    raise _arith_type(a, b, "-")


_BIG = 10 ** 300   # an integer product beyond this is no report's number (and would overflow floats, text())


def _too_large() -> RuntimeFailure:
    return type_fail("数字过大（绝对值超过 10^300）", "number too large (magnitude beyond 10^300)")


def mul(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        r = a * b
        if -_BIG < r < _BIG:
            return r
        raise _too_large()
    if (ta is int or ta is float) and (tb is int or tb is float):
        return a * b
    if ta is Unknown or tb is Unknown:
        return merge_unknown(a, b)
    raise _arith_type(a, b, "*")


_DIV0 = frozenset(("division by zero",))


def div(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        if b == 0:
            return Unknown(frozenset(), _DIV0)
        if ta is int and tb is int and a % b == 0:
            return a // b
        return a / b
    if ta is Unknown or tb is Unknown:
        return merge_unknown(a, b)
    raise _arith_type(a, b, "/")


_ARITH = {"add": add, "sub": sub, "mul": mul, "div": div}


def arith_fn(opname: str, fa: Fn, fb: Fn) -> Fn:
    op = _ARITH[opname]
    if opname == "add":
        def addf(ctx: Ctx) -> Any:
            a = fa(ctx)
            b = fb(ctx)
            if type(a) is int and type(b) is int:
                return a + b
            return add(a, b)
        return addf
    if opname == "sub":
        def subf(ctx: Ctx) -> Any:
            a = fa(ctx)
            b = fb(ctx)
            if type(a) is int and type(b) is int:
                return a - b
            return sub(a, b)
        return subf
    return lambda ctx: op(fa(ctx), fb(ctx))


def neg_fn(f: Fn) -> Fn:
    def fn(ctx: Ctx) -> Any:
        v = f(ctx)
        if type(v) is int or type(v) is float:
            return -v
        if type(v) is Unknown:
            return v
        zh, en = type_name(v)
        raise type_fail(f"不能对{zh}取负", f"cannot negate {en}")
    return fn


# ------------------------------------------------------------------ calls
def _internal(name: str, e: BaseException) -> RuntimeFailure:
    return RuntimeFailure(runtime_error("INTERNAL", f"函数 {name}() 出错：{e!r}", f"function {name}() failed: {e!r}"))


# Built-ins whose work grows with the length of a list or text argument: a call is charged one step
# per 16 elements or characters on top of its cost, so that a quantifier calling one on a long
# list or section cannot run for seconds inside its budget. (Not for generators: their elements are
# charged as they are made.)
SIZED = frozenset(("distinct", "sorted", "min", "max", "count", "sum", "similarity", "fuzzy_eq", "matches"))


def _size_charge(ctx: Ctx, vals: list[Any]) -> None:
    n = 0
    for v in vals:
        tv = type(v)
        if tv is str or tv is list or tv is PList:
            n += len(v)
    if n >= 16:
        _charge(ctx, n >> 4)


def builtin_call(name: str, spec: Any, args: list[Any], sized: bool = False) -> Fn:
    impl = spec.impl
    mode = spec.mode
    fns = [a.fn for a in args]
    if sized and name == "has":
        h1, h2 = fns

        def has_sized(ctx: Ctx) -> Any:
            a = h1(ctx)
            b = h2(ctx)
            if type(a) is Unknown or type(b) is Unknown:
                return merge_unknown(a, b)
            if type(a) is str:   # each needle is searched for in the whole text
                work = len(a) * (len(b) if type(b) is list or type(b) is PList else 1)
                if work >= 256:
                    _charge(ctx, work >> 8)
            return impl(a, b)
        return has_sized
    if sized and name in SIZED and mode in ("loose", "strict"):
        loose = mode == "loose"
        if len(fns) == 1:
            (s1,) = fns

            def sized1(ctx: Ctx) -> Any:
                a = s1(ctx)
                ta = type(a)
                if (ta is list or ta is PList or ta is str) and len(a) >= 16:
                    _charge(ctx, len(a) >> 4)
                if ta is Unknown and not loose:
                    return a
                return impl(a)
            return sized1
        if len(fns) == 2:
            s1, s2 = fns

            def sized2(ctx: Ctx) -> Any:
                a = s1(ctx)
                b = s2(ctx)
                ta, tb = type(a), type(b)
                n = (len(a) if ta is str or ta is list or ta is PList else 0) \
                    + (len(b) if tb is str or tb is list or tb is PList else 0)
                if n >= 16:
                    s = ctx.steps + (n >> 4)
                    ctx.steps = s
                    if s > ctx.budget:
                        raise budget_fail(ctx)
                if not loose and (ta is Unknown or tb is Unknown):
                    return merge_unknown(a, b)
                return impl(a, b)
            return sized2

        def callsized(ctx: Ctx) -> Any:
            vals = [f(ctx) for f in fns]
            _size_charge(ctx, vals)
            if not loose:
                for v in vals:
                    if type(v) is Unknown:
                        return merge_unknown(*vals)
            return impl(*vals)
        return callsized
    if mode == "located":
        locs = [a.loc if a.loc is not None else None for a in args]

        def located(ctx: Ctx) -> Any:
            vals: list[Any] = []
            ptrs: list[str | None] = []
            for f, lc in zip(fns, locs, strict=False):
                if lc is not None:
                    v, p = lc(ctx)
                    if v is None:
                        v = Unknown(frozenset((p,))) if p else _NOVALUE
                else:
                    v, p = f(ctx), None
                if type(v) is Unknown:
                    return v
                vals.append(v)
                ptrs.append(p)
            return impl(ctx, vals, ptrs)
        return located
    if mode == "loose":
        if len(fns) == 1:
            (f1,) = fns
            return lambda ctx: impl(f1(ctx))
        return lambda ctx: impl(*[f(ctx) for f in fns])
    with_ctx = mode == "ctx"
    if with_ctx and not fns:
        return lambda ctx: impl(ctx)
    if with_ctx and len(fns) == 1:
        (g1,) = fns

        def callc1(ctx: Ctx) -> Any:
            a = g1(ctx)
            if type(a) is Unknown:
                return a
            return impl(ctx, a)
        return callc1
    if len(fns) == 1 and not with_ctx:
        (f1,) = fns

        def call1(ctx: Ctx) -> Any:
            a = f1(ctx)
            if type(a) is Unknown:
                return a
            return impl(a)
        return call1
    if len(fns) == 2 and not with_ctx:
        f1, f2 = fns

        def call2(ctx: Ctx) -> Any:
            a = f1(ctx)
            b = f2(ctx)
            if type(a) is Unknown or type(b) is Unknown:
                return merge_unknown(a, b)
            return impl(a, b)
        return call2

    def calln(ctx: Ctx) -> Any:
        vals = [f(ctx) for f in fns]
        for v in vals:
            if type(v) is Unknown:
                return merge_unknown(*vals)
        return impl(ctx, *vals) if with_ctx else impl(*vals)
    return calln


_PLAIN = frozenset((bool, int, float, str, _DATE, list, dict, PList, Unknown))


def _plugin_value(name: str, r: Any, noval: Unknown) -> Any:
    """What a plugin returned, as a value of the language: None → UNKNOWN; int/float/str subclasses
    and tuples as their plain kind; anything else (a set, bytes, Decimal…) a PLUGIN error."""
    t = type(r)
    if t in _PLAIN:
        if t is int and not -_BIG < r < _BIG:
            raise _plugin_bad(name, "数字过大", "a number too large")
        return r
    if r is None:
        return noval
    if isinstance(r, int) and t is not bool:
        return _plugin_value(name, int(r), noval)
    if isinstance(r, float):
        return float(r)
    if isinstance(r, str):
        return str(r)
    if isinstance(r, tuple):
        return list(r)
    if isinstance(r, _dt.datetime):
        return r.date()
    return _raise(_plugin_bad(name, f"不支持的值类型 {t.__name__}", f"a value of unsupported type {t.__name__}"))


def _raise(e: BaseException) -> Any:
    raise e


def _plugin_bad(name: str, zh: str, en: str) -> RuntimeFailure:
    return RuntimeFailure(runtime_error("PLUGIN", f"插件函数 {name}() 返回了{zh}", f"plugin function {name}() returned {en}"))


def plugin_call(name: str, spec: Any, args: list[Any]) -> Fn:
    func = spec.func
    cost = max(int(spec.cost), 1)
    fns = [a.fn for a in args]
    noval = Unknown(frozenset(), frozenset((f"{name}() gave no value",)))

    def failed(e: BaseException) -> RuntimeFailure:
        return RuntimeFailure(runtime_error(
            "PLUGIN", f"插件函数 {name}() 出错：{type(e).__name__}: {e}",
            f"plugin function {name}() raised {type(e).__name__}: {e}"))

    if len(fns) == 1:
        (f1,) = fns

        def fn1(ctx: Ctx) -> Any:
            v = f1(ctx)
            if type(v) is Unknown:
                return v
            s = ctx.steps + cost
            ctx.steps = s
            if s > ctx.budget:
                raise budget_fail(ctx)
            try:
                r = func(v)
            except RuntimeFailure:
                raise
            except BaseException as e:  # a plugin may raise anything; it must not take the run down
                if isinstance(e, (KeyboardInterrupt, SystemExit)):
                    raise
                raise failed(e) from None
            return r if type(r) in _PLAIN and type(r) is not int else _plugin_value(name, r, noval)
        return fn1

    def fn(ctx: Ctx) -> Any:
        vals = [f(ctx) for f in fns]
        for v in vals:
            if type(v) is Unknown:
                return merge_unknown(*vals)
        s = ctx.steps + cost
        ctx.steps = s
        if s > ctx.budget:
            raise budget_fail(ctx)
        try:
            r = func(*vals)
        except RuntimeFailure:
            raise
        except BaseException as e:  # a plugin may raise anything; it must not take the run down
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                raise
            raise failed(e) from None
        return r if type(r) in _PLAIN and type(r) is not int else _plugin_value(name, r, noval)
    return fn


# ------------------------------------------------------------------ compiled expression
_EMPTY: list[Any] = []


def _as_error(e: Exception) -> LangError:
    if isinstance(e, RuntimeFailure):
        return e.error
    if isinstance(e, RecursionError):
        return runtime_error("TOO_DEEP", "文档或表达式嵌套过深", "document or expression nested too deeply")
    return runtime_error("INTERNAL", f"规则计算出错：{type(e).__name__}: {e}",
                         f"rule evaluation failed: {type(e).__name__}: {e}")


class CompiledExpression:
    """A compiled rule expression; :meth:`evaluate` never raises for a bad document."""

    __slots__ = ("source", "_fn", "_nslots", "_lets", "_nlets", "size", "let_names", "_raw", "record_first")

    def __init__(self, source: str, root: Any, nslots: int, lets: list[Any], record_first: bool = False) -> None:
        self.source = source
        # No loop over the document: recording costs about what the fast run does, so check()
        # records from the start and a failing rule is not run a second time.
        self.record_first = record_first
        self._fn = root.fn
        # a literal path (``facts.x.value``, ``prev``): compute() reads it without a full context
        self._raw = root.raw if root.keys is not None and root.raw is not None else None
        self._nslots = nslots
        self._lets = lets
        self._nlets = len(lets)
        self.size = root.size
        self.let_names = [d.name for d in lets]

    def _ctx(self, document: Any, prev: Any, budget: int, shared: Any, rec: bool) -> Ctx:
        ctx = Ctx()
        ctx.doc = document
        ctx.prev = prev
        n = self._nslots
        if n:
            ctx.vals = [None] * n
            ctx.ptrs = [None] * n
        else:
            ctx.vals = ctx.ptrs = _EMPTY
        ctx.reads = []
        ctx.ev = []
        ctx.steps = 0
        ctx.budget = budget
        ctx.lets = [None] * self._nlets if self._nlets else _EMPTY
        ctx.shared = shared
        if rec:   # the comparison state is only read by a recording run (evidence, a let's replay)
            ctx.lop = ctx.left = ctx.right = ctx.tol = None
        ctx.rec = rec
        return ctx

    def _run(self, ctx: Ctx) -> tuple[Any, LangError | None]:
        try:
            return self._fn(ctx), None
        except Exception as e:  # never let a rule take the run down
            return UNKNOWN, _as_error(e)

    def check(self, document: Any, prev: Any = None, budget: int = 100_000,
              shared: dict[Any, Any] | None = None) -> Outcome | None:
        """:meth:`evaluate` without recording, but ``None`` for a pass (no outcome is built: the
        engine's hot path, where most rules pass)."""
        rec = self.record_first
        ctx = self._ctx(document, prev, budget, shared, rec)
        try:
            v = self._fn(ctx)
        except Exception as e:  # never let a rule take the run down
            return self._outcome(ctx, UNKNOWN, _as_error(e), document, prev, budget, shared, rec)
        if v is True:
            return None
        return self._outcome(ctx, v, None, document, prev, budget, shared, rec)

    def evaluate(self, document: Any, prev: Any = None, budget: int = 100_000,
                 shared: dict[Any, Any] | None = None, *, record: bool = False) -> Outcome:
        """Evaluate on ``document`` (and the previous year's ``prev``).

        ``shared`` is an optional dict the caller keeps per document (and prev) so that
        pack-level lets and ``rows()`` are computed once for all rules. A first, fast run
        records nothing; when the rule fails (or ``record`` is set) it is run again recording
        every read and the evidence, so passing rules stay cheap.
        """
        # Without loops over the document, recording costs about what the fast run does: record
        # from the start, so that a failing rule is not run twice (as check() does).
        rec = record or self.record_first
        ctx = self._ctx(document, prev, budget, shared, rec)
        try:
            v = self._fn(ctx)
        except Exception as e:  # never let a rule take the run down
            v, err = UNKNOWN, _as_error(e)
        else:
            if v is True:
                return Outcome("pass", True, [], [], [], None, ctx.reads if record else [], ctx.steps)
            err = None
        o = self._outcome(ctx, v, err, document, prev, budget, shared, rec)
        if not record and o.status != "fail":
            o.reads = []   # what a run without recording reports
        return o

    def _outcome(self, ctx: Ctx, v: Any, err: LangError | None, document: Any, prev: Any, budget: int,
                 shared: dict[Any, Any] | None, record: bool) -> Outcome:
        if err is not None:
            return Outcome("error", UNKNOWN, [], [], [], err, ctx.reads, ctx.steps)
        if v is False and not record:
            ctx = self._ctx(document, prev, budget, shared, True)
            v, err = self._run(ctx)
            if err is not None:   # cannot happen for a pure expression; keep the first verdict
                return Outcome("fail", False, [], [], [], None, ctx.reads, ctx.steps)
        if v is True:
            return Outcome("pass", True, [], [], [], None, ctx.reads, ctx.steps)
        if v is False:
            ev = ctx.ev
            if not ev:
                ev.append(make_evidence(ctx, 0))
            return Outcome("fail", False, [], [], ev, None, list(dict.fromkeys(ctx.reads)), ctx.steps)
        if type(v) is Unknown:
            return Outcome("unknown", UNKNOWN, sorted(v.missing), sorted(v.reasons), [], None, ctx.reads, ctx.steps)
        zh, en = type_name(v)
        err = runtime_error("NOT_BOOLEAN", f"规则的结果应为真假值，得到{zh}", f"a rule must give true/false, got {en}")
        return Outcome("error", v, [], [], [], err, ctx.reads, ctx.steps)

    def compute(self, document: Any, prev: Any = None, budget: int = 100_000,
                shared: dict[Any, Any] | None = None) -> Any:
        """``evaluate(…).value`` without building an outcome: the value, UNKNOWN when unknown or
        on a run-time error (for message placeholders and ``severity_when``)."""
        if self._raw is not None:
            ctx = Ctx()
            ctx.doc = document
            ctx.prev = prev
            v = self._raw(ctx)
            return UNKNOWN if v is None else v
        v, err = self._run(self._ctx(document, prev, budget, shared, False))
        if err is not None or type(v) is Unknown:
            return UNKNOWN
        return v

    def value(self, document: Any, prev: Any = None, budget: int = 100_000) -> Any:
        """The expression's value (for message placeholders and lets); UNKNOWN on error."""
        o = self.evaluate(document, prev, budget)
        return o.value


__all__ = ["Ctx", "CompiledExpression", "LangError", "RuntimeFailure"]


# ------------------------------------------------------------------ fused fast paths
# A cell-wise body such as ``not present(r[c]) or (is_int(r[c]) and r[c] >= 0)`` also gets a
# ``vcheck(values) -> bool``: True only when the body is certainly true (and raises nothing) for
# every one of the raw values. A quantifier over such a body first collects the values in one
# comprehension and asks vcheck; only when it cannot confirm does the general closure run, so every
# failing, blank, odd-typed or over-budget case takes exactly the general path.
_INT_ONLY = frozenset((int,))


def vc_present(vs: list[Any]) -> bool:
    return None not in vs


def vc_absent(vs: list[Any]) -> bool:
    return vs.count(None) == len(vs)


# The value types of one cell list that rows() already worked out (functions._shaped_rows), as
# (list, types): one slot, replaced as a whole (a reader sees a list and its own types), and the
# list is never changed (cell lists live in the engine's per-document cache, read only).
_TYPES_MEMO: tuple[Any, Any] = (None, None)


def _types(vs: list[Any]) -> Any:
    m = _TYPES_MEMO
    if vs is m[0]:
        return m[1]
    return set(map(type, vs))


def vc_is_int(vs: list[Any]) -> bool:
    return _types(vs) <= _INT_ONLY


_BOUNDS: dict[Any, tuple[str, Any]] = {}   # vc_compare checks → (op, literal)


def vc_compare(op: str, k: Any) -> Callable[[list[Any]], bool]:
    # Integers only: no NaN, no dates or texts (those go the general way, which may raise).
    if op in (">=", ">"):
        def lo(vs: list[Any]) -> bool:
            if not vs:
                return True
            if not _types(vs) <= _INT_ONLY:
                return False
            m = min(vs)
            return m >= k if op == ">=" else m > k
        _BOUNDS[lo] = (op, k)
        return lo

    def hi(vs: list[Any]) -> bool:
        if not vs:
            return True
        if not _types(vs) <= _INT_ONLY:
            return False
        m = max(vs)
        return m <= k if op == "<=" else m < k
    _BOUNDS[hi] = (op, k)
    return hi


def vc_and(checks: list[Callable[[list[Any]], bool]]) -> Callable[[list[Any]], bool]:
    if len(checks) == 2 and checks[0] is vc_is_int and checks[1] in _BOUNDS:
        # is_int(x) and x >= k: the values' types are looked at once
        op, k = _BOUNDS[checks[1]]

        def int_bound(vs: list[Any]) -> bool:
            if not _types(vs) <= _INT_ONLY:
                return False
            if not vs:
                return True
            if op == ">=":
                return min(vs) >= k
            if op == ">":
                return min(vs) > k
            if op == "<=":
                return max(vs) <= k
            return max(vs) < k
        return int_bound
    return lambda vs: all(c(vs) for c in checks)


def vc_or_absent(rest: Callable[[list[Any]], bool]) -> Callable[[list[Any]], bool]:
    """``not present(x) or REST``: blank values are true by the first part."""
    return lambda vs: rest(vs if None not in vs else [v for v in vs if v is not None])


def vc_or(first: Callable[[list[Any]], bool], second: Callable[[list[Any]], bool]) -> Callable[[list[Any]], bool]:
    """``A or B`` with A never raising: true for all when A is, or when B is."""
    return lambda vs: first(vs) or second(vs)


def fused_cells(general: Fn, base: Fn, items: list[Any], vcheck: Callable[[list[Any]], bool], cost: int,
                rec_slots: tuple[int, int] | None = None) -> Fn:
    """``all c in CONST: P(X[c])`` with ``X`` (``r``, ``review[b]``…) not depending on ``c``.

    ``rec_slots`` = (slot of ``r``, slot of ``c``) when ``P`` is ``present(r[c])`` or its negation:
    one read per cell and nothing else, so a recording run (a failing rule's second run) can also
    skip the rows that pass, recording exactly the reads and bindings the general loop leaves."""
    charge = cost * len(items)
    tails = ["/" + escape(c) for c in items]
    last = items[-1] if items else None

    def fn(ctx: Ctx) -> Any:
        if not ctx.rec:
            b = base(ctx)
            if type(b) is dict:
                s = ctx.steps + charge
                if s <= ctx.budget and vcheck([b.get(c) for c in items]):
                    ctx.steps = s
                    return True
        elif rec_slots is not None and items:
            rslot, cslot = rec_slots
            b = ctx.vals[rslot]
            if type(b) is dict and vcheck([b.get(c) for c in items]):
                s = ctx.steps + charge
                ctx.steps = s
                if s > ctx.budget:
                    raise budget_fail(ctx)
                bp = ctx.ptrs[rslot]
                if bp is not None:
                    ctx.reads.extend([bp + t for t in tails])
                ctx.vals[cslot] = last
                ctx.ptrs[cslot] = None
                ctx.lop = None
                return True
        return general(ctx)
    return fn


def fused_key_cells(general: Fn, base: Fn, vcheck: Callable[[list[Any]], bool], cost: int) -> Fn:
    """``all k in keys(X): P(X[k])``: the keys are X's own, so the cells are X's values; when
    ``vcheck`` vouches for all of them the loop is not run (as :func:`fused_cells`)."""
    def fn(ctx: Ctx) -> Any:
        if not ctx.rec:
            b = base(ctx)
            if type(b) is dict:
                s = ctx.steps + cost * len(b)
                if s <= ctx.budget and vcheck(list(b.values())):
                    ctx.steps = s
                    return True
        return general(ctx)
    return fn


def fused_key_members(general: Fn, xval: Fn, items: list[str], cost: int) -> Fn:
    """``all k in CONST: k in keys(X)`` with ``X`` a pure location not depending on ``k``: X is
    looked at once. When X is an object of fewer than 16 keys (``in`` charges nothing), every key
    a plain text (so the first key equal to ``k`` is a text: ``in`` on the key list says true)
    and every constant among them, the general loop would charge its steps and be true."""
    charge = cost * len(items)

    def fn(ctx: Ctx) -> Any:
        if not ctx.rec:
            s = ctx.steps + charge
            if s <= ctx.budget:
                try:
                    x = xval(ctx)
                except Exception:   # the general path raises it (or not) as it would
                    x = None
                if type(x) is dict and len(x) < 16 and set(map(type, x)) <= _STR_ONLY \
                        and all(map(x.__contains__, items)):
                    ctx.steps = s
                    return True
        return general(ctx)
    return fn


def _cell_ptrs(ctx: Ctx, rows: Any, ptrs: list[str], tails: list[str]) -> list[str]:
    """The pointer of every cell of ``rows`` × ``tails`` (``/c`` per column), row by row; built
    once per document with the engine's cache (keyed like :func:`_row_cells`)."""
    sh = ctx.shared
    if sh is None:
        return [p + t for p in ptrs for t in tails]
    key = ("cellptrs", id(rows), id(tails))
    hit = sh.get(key)
    if hit is not None and hit[0] is rows and hit[1] is tails:
        return hit[2]
    out = [p + t for p in ptrs for t in tails]
    sh[key] = (rows, tails, out)
    return out


def _row_cells(ctx: Ctx, rows: Any, cols: list[Any]) -> list[Any]:
    """Every cell ``r.get(c)`` of ``rows`` × ``cols`` in one list, built once per document when
    the engine's per-document cache is there (keyed by the rows object, which it keeps alive)."""
    sh = ctx.shared
    if sh is None:
        return _cells_of(rows, cols)
    key = ("cells", id(rows), id(cols))
    hit = sh.get(key)
    if hit is not None and hit[0] is rows and hit[1] is cols:
        return hit[2]
    pre = sh.get(("rowvals", id(rows)))
    if pre is not None and pre[0] is rows and pre[1] == cols:
        # every row's keys are cols, in order: its values row by row are the cells (and their types known)
        global _TYPES_MEMO
        vs = pre[2]
        _TYPES_MEMO = (vs, pre[3])
        sh[key] = (rows, cols, vs)
        return vs
    vs = _cells_of(rows, cols)
    sh[key] = (rows, cols, vs)
    return vs


def _cells_of(rows: Any, cols: list[Any]) -> list[Any]:
    if len(cols) > 1:
        try:   # rows with every column: one C call per row
            return list(chain.from_iterable(map(operator.itemgetter(*cols), rows)))
        except (KeyError, TypeError, AttributeError):
            pass
    return [r.get(c) for r in rows for c in cols]


def fused_rows(general: Fn, coll: Any, cost: int, cols: list[Any], vcheck: Callable[[list[Any]], bool],
               inner_cost: int, slot: int, body: Fn, rec_cells: Any = None) -> Fn:
    """``all r in ROWS: all c in CONST: P(r[c])``: every cell of every row in one list; when that
    cannot vouch for all, row by row (only the doubtful rows run the body).

    ``rec_cells`` = (want present?, slot of ``c``, binders) when ``P`` is ``present(r[c])`` or its
    negation and ``ROWS`` reads nothing (``rows(static path)``): a recording run then records the
    very reads and evidence of the general loops in one pass."""
    src = _iter_source(coll)
    per_row = cost + inner_cost * len(cols)
    row_charge = inner_cost * len(cols)
    tails = ["/" + escape(c) for c in cols]

    def record(ctx: Ctx) -> Any:
        rows, ptrs, _prefix = src(ctx)
        if type(rows) is Unknown or ptrs is None or len(ptrs) != len(rows) or not rows \
                or not set(map(type, rows)) <= _DICT_ONLY or not set(map(type, ptrs)) <= _STR_ONLY:
            return general(ctx)
        want, cslot, binders = rec_cells
        _charge(ctx, cost * len(rows))
        vals, pv, ev, reads = ctx.vals, ctx.ptrs, ctx.ev, ctx.reads
        res = True
        s = ctx.steps + row_charge * len(rows)
        if s <= ctx.budget:
            # every row fits the budget: all the cells' reads at once, then the failing cells
            cells = _row_cells(ctx, rows, cols)
            cps = _cell_ptrs(ctx, rows, ptrs, tails)
            ctx.steps = s
            reads.extend(cps)
            n = len(cols)
            bad = [i for i, v in enumerate(cells) if v is None] if want \
                else [i for i, v in enumerate(cells) if v is not None]
            for i in bad:
                k = i // n
                vals[slot] = rows[k]
                pv[slot] = ptrs[k]
                vals[cslot] = cols[i - k * n]
                pv[cslot] = None
                ev.append(Evidence({name: _display(vals[j], pv[j]) for name, j in binders},
                                   None, None, None, [cps[i]], None, None))
            vals[slot] = rows[-1]
            pv[slot] = ptrs[-1]
            vals[cslot] = cols[-1]
            pv[cslot] = None
            ctx.lop = None
            return not bad
        for it, p in zip(rows, ptrs, strict=True):
            vals[slot] = it
            pv[slot] = p
            s = ctx.steps + row_charge
            ctx.steps = s
            if s > ctx.budget:
                raise budget_fail(ctx)
            cps = [p + t for t in tails]
            reads.extend(cps)
            for c, cp in zip(cols, cps, strict=True):
                if (it.get(c) is not None) is not want:
                    res = False
                    vals[cslot] = c
                    pv[cslot] = None
                    ev.append(Evidence({name: _display(vals[k], pv[k]) for name, k in binders},
                                       None, None, None, [cp], None, None))
        vals[cslot] = cols[-1]
        pv[cslot] = None
        ctx.lop = None
        return res

    def fast(ctx: Ctx, it: Any, _p: Any) -> Any:
        if type(it) is dict:
            s = ctx.steps + row_charge
            if s <= ctx.budget and vcheck([it.get(c) for c in cols]):
                ctx.steps = s
                return True
        return None

    def fn(ctx: Ctx) -> Any:
        if not ctx.rec:
            rows, ptrs, prefix = src(ctx)
            if type(rows) is not Unknown and (ptrs is None or len(ptrs) == len(rows)):
                if set(map(type, rows)) <= _DICT_ONLY:
                    s = ctx.steps + per_row * len(rows)
                    if s <= ctx.budget and vcheck(_row_cells(ctx, rows, cols)):
                        ctx.steps = s
                        return True
                    if s <= ctx.budget and rec_cells is not None and cols:
                        # present/absent is exact per cell: the first bad cell's row decides (the general
                        # loop stops there too, having charged up to and including that row)
                        cells = _row_cells(ctx, rows, cols)
                        want = rec_cells[0]
                        i = cells.index(None) if want else next(j for j, v in enumerate(cells) if v is not None)
                        k = i // len(cols)
                        ctx.steps += cost * len(rows) + row_charge * (k + 1)
                        vals = ctx.vals
                        vals[slot] = rows[k]
                        if ptrs is not None:
                            ctx.ptrs[slot] = ptrs[k]
                        vals[rec_cells[1]] = cols[i - k * len(cols)]
                        return False
                return _items_loop(ctx, rows, ptrs, prefix, slot, body, cost, fast)
        elif rec_cells is not None and cols:
            return record(ctx)
        return general(ctx)
    return fn


_DICT_ONLY = frozenset((dict,))
_STR_ONLY = frozenset((str,))
_INT_NONE = frozenset((int, type(None)))


def fused_row_sums(general: Fn, coll: Any, cost: int, tslot_key: Any, cols: list[Any], gen_cost: int,
                   slot: int, body: Fn) -> Fn:
    """``all r in ROWS: r.K == sum(r[c] for c in CONST)`` over integer cells; when that cannot vouch
    for all, row by row (only the doubtful rows run the body)."""
    src = _iter_source(coll)
    per_row = cost + gen_cost * len(cols)
    row_charge = gen_cost * len(cols)
    get_total = operator.itemgetter(tslot_key)
    get_parts = operator.itemgetter(*cols) if len(cols) > 1 else None

    total_tail = "/" + escape(tslot_key)
    tails = ["/" + escape(c) for c in cols]
    # where the total and the parts are among a row's values when rows() handed them on (rowvals)
    canon_at = [_CANON_COLS.index(c) for c in (tslot_key, *cols)] \
        if all(c in _CANON_COLS for c in (tslot_key, *cols)) else None

    def fast(ctx: Ctx, it: Any, p: Any) -> Any:
        if type(it) is dict:
            s = ctx.steps + row_charge
            if s <= ctx.budget:
                total = it.get(tslot_key)
                parts: list[Any] = [it.get(c) for c in cols]
                tp = set(map(type, parts))
                if type(total) is int and tp <= _INT_ONLY:
                    if sum(parts) == total:
                        ctx.steps = s
                        return True
                elif type(p) is str and (total is None or type(total) is int) and tp <= _INT_NONE:
                    # blank cells: the comparison is unknown, naming exactly the blank cells
                    missing = {p + t for v, t in zip(parts, tails, strict=True) if v is None}
                    if total is None:
                        missing.add(p + total_tail)
                    ctx.steps = s
                    return Unknown(frozenset(missing))
        return None

    def fn(ctx: Ctx) -> Any:
        if not ctx.rec and get_parts is not None:
            rows, ptrs, prefix = src(ctx)
            if type(rows) is not Unknown and (ptrs is None or len(ptrs) == len(rows)):
                if set(map(type, rows)) <= _DICT_ONLY:
                    s = ctx.steps + per_row * len(rows)
                    sh = ctx.shared
                    pre = sh.get(("rowvals", id(rows))) if sh is not None else None
                    if s <= ctx.budget and canon_at is not None and pre is not None and pre[0] is rows \
                            and pre[1] is _CANON_COLS and pre[3] <= _INT_ONLY:
                        # every row's values are integers in canon column order: totals and parts by striding
                        vals, n = pre[2], len(_CANON_COLS)
                        cols_at = zip(*[vals[i::n] for i in canon_at[1:]], strict=True)
                        if list(map(sum, cols_at)) == vals[canon_at[0]::n]:
                            ctx.steps = s
                            return True
                    if s <= ctx.budget:
                        totals: list[Any] | None
                        try:
                            totals = list(map(get_total, rows))
                            parts = list(map(get_parts, rows))
                        except KeyError:   # an absent cell: the general path names it
                            totals = parts = None
                        if totals is not None and parts is not None and set(map(type, totals)) <= _INT_ONLY \
                                and set(map(type, chain.from_iterable(parts))) <= _INT_ONLY \
                                and list(map(sum, parts)) == totals:
                            ctx.steps = s
                            return True
                if ptrs is not None:
                    return _items_loop(ctx, rows, ptrs, prefix, slot, body, cost, fast)
        return general(ctx)
    return fn


def fused_col_sums(general: Fn, base: Fn, rows_fn: Fn, items: list[Any], cost: int, gen_cost: int,
                   slot: int, body: Fn) -> Fn:
    """``all c in CONST: X[c] == sum(r[c] for r in ROWS)`` with ``X`` a literal path and ``ROWS``
    not depending on ``c`` (``detail_rows(requests.results)``): the rows are fetched once; when
    that cannot vouch for all, column by column (only the doubtful columns run the body)."""
    n = len(items)
    first: dict[Any, int] = {}
    for i, c in enumerate(items):
        first.setdefault(c, i)

    def fn(ctx: Ctx) -> Any:
        if not ctx.rec:
            b = base(ctx)
            if type(b) is dict:
                rows = rows_fn(ctx)
                if type(rows) is PList and set(map(type, rows)) <= _DICT_ONLY:
                    col_charge = gen_cost * len(rows)
                    s = ctx.steps + cost * n + n * col_charge
                    cells: list[Any] | None = None
                    if s <= ctx.budget:
                        want = [b.get(c) for c in items]
                        cells = _row_cells(ctx, rows, items)
                        if set(map(type, want)) <= _INT_ONLY and _types(cells) <= _INT_ONLY \
                                and [sum(cells[i::n]) for i in range(n)] == want:
                            ctx.steps = s
                            return True

                    rptrs = rows.ptrs
                    named = rptrs is not None and len(rptrs) == len(rows) and set(map(type, rptrs)) <= _STR_ONLY

                    def fast(ctx: Ctx, c: Any, _p: Any) -> Any:
                        s = ctx.steps + col_charge
                        if s <= ctx.budget:
                            w = b.get(c)
                            if type(w) is int:
                                # the column from the cells already fetched (row by row, n per row)
                                col = cells[first[c]::n] if cells is not None else [r.get(c) for r in rows]
                                tc = set(map(type, col))
                                if tc <= _INT_ONLY:
                                    if sum(col) == w:
                                        ctx.steps = s
                                        return True
                                elif named and tc <= _INT_NONE:
                                    # blank cells: the comparison is unknown, naming exactly the blank cells
                                    tail = "/" + escape(c)
                                    ctx.steps = s
                                    return Unknown(frozenset([rp + tail for v, rp in zip(col, rptrs, strict=True)
                                                              if v is None]))
                        return None
                    return _items_loop(ctx, items, None, None, slot, body, cost, fast)
        return general(ctx)
    return fn


def len_keys_fn(f: Fn) -> Fn:
    """``len(keys(x))``: the object's size, without building its list of keys."""
    def fn(ctx: Ctx) -> Any:
        v = f(ctx)
        if type(v) is dict:
            return len(v)
        if type(v) is Unknown:
            return v
        return f_len(f_keys(v))   # raises keys()'s type error
    return fn


def has_list_fn(tfn: Fn, needles: list[Any]) -> Fn:
    """``has(TEXT, ["a", "b", …])``; with the engine's per-document cache the answer for one text
    is found once (a failing rule's recording re-run, several rules over one section)."""
    k = len(needles)

    def fn(ctx: Ctx) -> Any:
        t = tfn(ctx)
        if type(t) is Unknown:
            return t
        if type(t) is str:
            w = len(t) * k
            if w >= 256:   # each needle is searched for in the whole text
                s = ctx.steps + (w >> 8)
                ctx.steps = s
                if s > ctx.budget:
                    raise budget_fail(ctx)
        if type(t) is str and len(t) < 200:
            # a short text (a label): searching it costs less than the cache would
            for n in needles:
                if n in t:
                    return True
            return False
        sh = ctx.shared
        if sh is None or type(t) is not str:
            return f_has(t, needles)
        key = ("has", t, id(needles))
        r = sh.get(key)
        if r is None:
            r = sh[key] = f_has(t, needles)
        return r
    return fn
