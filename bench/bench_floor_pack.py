"""A floor for issue 3: what plain, hand-written CPython costs for the national pack's verdicts.

Every national rule (rules/national/*.yaml) is written out below as an ordinary Python function
over the loaded document dict — no rule language, no closures from the compiler — with the same
Kleene three-valued logic as the engine (a blank/absent cell that decides the result makes the
verdict ``unknown``; docs/language.md). The bench

1. checks that every hand-written verdict equals the engine's, per rule, on the five seeds, on
   mutated copies of them (blank, deleted, changed and negative cells; blank or absent tables,
   rows, section numbers, labels, facts; odd section texts and meta), a third of them also with a
   previous year, and on every rule's own YAML examples (with ``prev``) — and exits 1 on any
   disagreement;
2. times, per seed (median of --runs, default 500), (a) the hand-written functions and (b) the
   engine's compiled expressions for exactly the same rules (expressions only, as
   bench/bench_engine.py ``_split`` does), and prints their ratio;
3. extrapolates the hand-written cost per rule to the whole pack (clearly an extrapolation).

What the floor does NOT do (the engine does): record reads and evidence for failing rules (the
engine re-runs a failing rule recording them), name the missing cells of an unknown verdict, enforce
a step budget, or turn odd types (text in a count cell) into a TYPE outcome — here they raise.

Run: .venv/bin/python bench/bench_floor_pack.py [--runs N] [--mutations N | --no-mutations] [--icount [--iters N]]
(--icount adds instruction counts under valgrind, which the machine's load does not move; slow.)
"""

from __future__ import annotations

import copy
import random
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from machine import describe as machine_reference

from gipcheck.document import canon
from gipcheck.engine import default_pack_dirs, load_packs
from gipcheck.engine import engine as engine_mod
from gipcheck.engine.functions import official_labels
from gipcheck.load import load_path

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
PACK_RULES = 74  # the national pack's size when this floor was written (checked against the loaded pack)

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"
V = {True: PASS, False: FAIL, None: UNKNOWN}   # Kleene value → verdict (None is UNKNOWN)

Doc = dict[str, Any]
Memo = dict[str, Any]   # per-document cache, as the engine's `shared` (rows, sections, pack lets)


# ------------------------------------------------------------------ three-valued helpers
# A value is None when it is blank or absent ("missing"); a truth value is True/False/None.

def get(obj: Any, *keys: Any) -> Any:
    """obj.k1.k2…; None when any step is blank or absent."""
    for k in keys:
        if type(obj) is not dict:
            return None
        obj = obj.get(k)
    return obj


def k_and(*xs: bool | None) -> bool | None:
    unk = False
    for x in xs:
        if x is False:
            return False
        if x is None:
            unk = True
    return None if unk else True


def k_or(*xs: bool | None) -> bool | None:
    unk = False
    for x in xs:
        if x is True:
            return True
        if x is None:
            unk = True
    return None if unk else False


def k_all(xs: Any) -> bool | None:
    unk = False
    for x in xs:
        if x is False:
            return False
        if x is None:
            unk = True
    return None if unk else True


def is_num(x: Any) -> bool:
    t = type(x)
    return t is int or t is float


def eq(a: Any, b: Any) -> bool | None:
    """The language's ==: numbers with numbers (true is not 1), texts with texts."""
    if a is None or b is None:
        return None
    ta, tb = type(a), type(b)
    if ta is tb:
        return a == b
    if (ta is int or ta is float) and (tb is int or tb is float):
        return a == b
    return False


def cmp_num(a: Any, b: Any) -> bool:
    if not (is_num(a) and is_num(b)):
        raise TypeError(f"cannot order {a!r} and {b!r}")
    return True


def le(a: Any, b: Any) -> bool | None:
    if a is None or b is None:
        return None
    return cmp_num(a, b) and a <= b


def ge(a: Any, b: Any) -> bool | None:
    if a is None or b is None:
        return None
    return cmp_num(a, b) and a >= b


def gt(a: Any, b: Any) -> bool | None:
    if a is None or b is None:
        return None
    return cmp_num(a, b) and a > b


def add(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    if not (is_num(a) and is_num(b)):
        raise TypeError("+ needs numbers")
    return a + b


def total(xs: Any) -> Any:
    """sum(): None when the list or any element is missing."""
    s = 0
    for x in xs:
        if x is None:
            return None
        if not is_num(x):
            raise TypeError("sum() needs numbers")
        s += x
    return s


def member(a: Any, xs: list[Any]) -> bool | None:
    """a in [x, y]: true if any equals, else unknown if a or any element is missing."""
    if a is None:
        return None
    unk = False
    for x in xs:
        if x is None:
            unk = True
        elif eq(a, x) is True:
            return True
    return None if unk else False


def has(text: Any, needles: tuple[str, ...] | str) -> bool:
    if type(text) is not str:
        raise TypeError("has() needs text")
    if type(needles) is str:
        return needles in text
    for n in needles:
        if n in text:
            return True
    return False


def text_of(x: Any) -> str:
    """text(): a number as written (2024.0 → "2024")."""
    if type(x) is str:
        return x
    if type(x) is int:
        return str(x)
    if type(x) is float and x.is_integer():
        return str(int(x))
    raise TypeError("text() of an odd value")   # not needed by the national pack


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def as_date(v: Any) -> date | None:
    """An ISO text as a date; None (unknown) when blank or not a date."""
    if v is None:
        return None
    if type(v) is date:
        return v
    if type(v) is not str:
        raise TypeError("not a date")
    m = _ISO.fullmatch(v.strip())
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def make_date(y: Any, mo: int, d: int) -> date | None:
    if y is None:
        return None
    if type(y) is float and y.is_integer():
        y = int(y)
    if type(y) is not int:
        raise TypeError("date() needs a number")
    return date(y, mo, d)


def decimals(x: float | int) -> int:
    """Decimal places as written: 670.5862 → 4 (the float's shortest repr)."""
    if type(x) is int:
        return 0
    r = repr(x)
    if "e" not in r and "inf" not in r and "nan" not in r:
        if r.endswith(".0"):
            return 0
        d = len(r) - r.index(".") - 1
        if d <= 9:
            return d
    scale = max(1.0, abs(x)) * 1e-9
    for d in range(11):
        if abs(x - round(x, d)) < scale:
            return d
    return 10


def similarity(a: str, b: str) -> float:
    """Dice coefficient over character bigrams, whitespace ignored (fuzzy_eq / similarity)."""
    a2, b2 = "".join(a.split()), "".join(b.split())
    ga = Counter(a2[i:i + 2] for i in range(len(a2) - 1))
    gb = Counter(b2[i:i + 2] for i in range(len(b2) - 1))
    na, nb = len(a2) - 1 if a2 else 0, len(b2) - 1 if b2 else 0
    if na + nb == 0:
        return 1.0 if a2 == b2 else 0.0
    return 2 * sum((ga & gb).values()) / (na + nb)


_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"'})


@lru_cache(maxsize=8192)   # the engine keeps the same kind of cache for norm_label
def norm(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text).translate(_QUOTES))


# ------------------------------------------------------------------ document helpers
E: dict[str, Any] = {}   # `(x or E).get(k)`: a blank or absent object reads as empty (containers are objects or blank)
COLUMNS = canon.REQUEST_COLUMNS
APPLICANTS = canon.APPLICANT_COLUMNS
BLOCKS = canon.REVIEW_BLOCKS
REVIEW_COLUMNS = canon.REVIEW_COLUMNS
REVIEW_PARTS = REVIEW_COLUMNS[:4]
REG_ROWS = ("regulations", "normative_documents")
_COLSET = frozenset(COLUMNS)
_ORDER: dict[str, int] = {}
for _i, _r in enumerate((*canon.REQUEST_ROWS_2021, *canon.REQUEST_ROWS_2019)):
    _ORDER.setdefault(_r.path, _i)


_NESTED = frozenset((dict, list))
_NUMERIC = frozenset((int, float))
_INT = frozenset((int,))


def _walk(obj: Any, path: str, out: list[tuple[int, str, dict[str, Any]]]) -> None:
    if type(obj) is not dict:
        return
    if _NESTED.isdisjoint(map(type, obj.values())) and not _COLSET.isdisjoint(obj):
        out.append((_ORDER.get(path, 10_000), path, obj))   # a table-三 row: flat, with a column
        return
    for k, v in obj.items():
        if type(v) is dict and k != "labels":
            sub = f"{path}.{k}"
            if _NESTED.isdisjoint(map(type, v.values())) and not _COLSET.isdisjoint(v):
                out.append((_ORDER.get(sub, 10_000), sub, v))   # a row child, without a call
            else:
                _walk(v, sub, out)


def rows_of(obj: Any, path: str) -> list[tuple[str, dict[str, Any]]]:
    """rows(): every row under obj as (dotted path, row), in template order."""
    out: list[tuple[int, str, dict[str, Any]]] = []
    _walk(obj, path, out)
    out.sort()   # (template index, path): paths are unique, rows are never compared
    return [(pth, row) for _i, pth, row in out]


def request_rows(d: Doc, m: Memo) -> list[tuple[str, dict[str, Any]]] | None:
    """rows(requests); None (unknown) when there is no table 三 at all."""
    if "rows" not in m:
        q = d.get("requests")
        m["rows"] = None if q is None else rows_of(q, "requests")
    return m["rows"]


def detail_rows(d: Doc, m: Memo, under: str) -> list[dict[str, Any]]:
    """detail_rows(requests.results…): the rows below `under`, without total/subtotal rows."""
    key = "detail " + under
    got = m.get(key)
    if got is None:
        head = under + "."
        got = m[key] = [row for p, row in request_rows(d, m) or ()
                        if (p == under or p.startswith(head)) and not p.endswith((".total", ".subtotal"))]
    return got


def sections(d: Doc, m: Memo) -> tuple[list[Any], dict[Any, dict[str, Any]]]:
    """(section numbers in order, number → first section with it)."""
    s = m.get("sections")
    if s is None:
        secs = d.get("sections")
        secs = secs if type(secs) is list else []
        nums = [x.get("number") for x in secs if type(x) is dict]
        first: dict[Any, dict[str, Any]] = {}
        for x in secs:
            if type(x) is dict:
                first.setdefault(x.get("number"), x)
        s = m["sections"] = (nums, first)
    return s


def section(d: Doc, m: Memo, n: int) -> str:
    s = sections(d, m)[1].get(n)
    t = s.get("text") if s is not None else ""
    return t if type(t) is str else ""


def fee(d: Doc, key: str) -> Any:
    """fee_count etc.: a plain number, or a fact's value."""
    x = get(d, "facts", "fees", key)
    if x is None or is_num(x):
        return x
    return get(x, "value")


def meta(d: Doc) -> dict[str, Any]:
    m = d.get("meta")
    return m if type(m) is dict else {}


# ------------------------------------------------------------------ table 二
def _nonneg_int(x: Any) -> bool:
    """not present(x) or (is_int(x) and x >= 0)"""
    t = type(x)
    if x is None or (t is int and x >= 0):
        return True
    return t is float and x.is_integer() and x >= 0


def t2_nonneg_int(d: Doc, p: Doc | None, m: Memo) -> str:
    a = d.get("active") or E
    for r in REG_ROWS:
        row = a.get(r) or E
        for k in ("issued", "repealed", "in_force"):
            if not _nonneg_int(row.get(k)):
                return FAIL
    for r in ("licensing", "punishment", "coercion"):
        if not _nonneg_int((a.get(r) or E).get("decisions")):
            return FAIL
    return PASS


def t2_empty(d: Doc, p: Doc | None, m: Memo) -> str:
    a = d.get("active")
    if a is None:
        return UNKNOWN
    unk = False
    for r, row in a.items():
        if r == "labels":
            continue
        if row is None:
            unk = True
            continue
        for v in row.values():
            if v is None:
                return FAIL
    return UNKNOWN if unk else PASS


def t2_fee_num(d: Doc, p: Doc | None, m: Memo) -> str:
    x = get(d, "active", "fees", "amount")
    return PASS if x is None or (is_num(x) and x >= 0) else FAIL


def t2_fee_precision(d: Doc, p: Doc | None, m: Memo) -> str:
    x = get(d, "active", "fees", "amount")
    if x is None:
        return UNKNOWN
    if not is_num(x):
        raise TypeError("decimals() needs a number")
    big = (type(x) is int or x.is_integer()) and x > 100000 \
        and (meta(d).get("organ_level") or "") in ("county", "township")
    return PASS if decimals(x) <= 4 and not big else FAIL


def _gov_office(d: Doc) -> bool:
    organ = meta(d).get("organ")
    return has("" if organ is None else organ, ("人民政府办公厅", "人民政府办公室", "政府办公厅", "政府办公室"))


def _may_make_rules(d: Doc) -> bool | None:
    mt = meta(d)
    kind = mt.get("organ_kind")
    lvl = mt.get("organ_level")
    lvl = "" if lvl is None else lvl
    return k_or(k_and(eq(kind, "department"), lvl == "national"),
                k_and(eq(kind, "government"), lvl in ("provincial", "prefecture")),
                _gov_office(d) and lvl in ("national", "provincial", "prefecture"))


def t2_reg_power(d: Doc, p: Doc | None, m: Memo) -> str:
    regs = get(d, "active", "regulations")
    return V[k_or(_may_make_rules(d),
                  k_and(eq(get(regs, "issued"), 0), eq(get(regs, "repealed"), 0), eq(get(regs, "in_force"), 0)))]


def t2_valid_ge_made(d: Doc, p: Doc | None, m: Memo) -> str:
    a = d.get("active")
    return V[k_all(k_or(eq(get(a, r, "issued"), 0), gt(get(a, r, "in_force"), 0)) for r in REG_ROWS)]


def t2_19_stock(d: Doc, p: Doc | None, m: Memo) -> str:
    a = d.get("active")
    return V[k_all(le(get(a, r, "new_public"), get(a, r, "total_public")) for r in REG_ROWS)]


def t2_19_procure_unit(d: Doc, p: Doc | None, m: Memo) -> str:
    return PASS if get(d, "active", "procurement", "amount_unit") is not None else FAIL


# ------------------------------------------------------------------ table 三
def t3_nonneg_int(d: Doc, p: Doc | None, m: Memo) -> str:
    rows = request_rows(d, m)
    if rows is None:
        return UNKNOWN
    for _p, row in rows:
        vals = list(map(row.get, COLUMNS))
        if _INT.issuperset(map(type, vals)) and min(vals) >= 0:
            continue   # the usual row: seven whole numbers ≥ 0
        for x in vals:
            if not _nonneg_int(x):
                return FAIL
    return PASS


def t3_empty(d: Doc, p: Doc | None, m: Memo) -> str:
    rows = request_rows(d, m)
    if rows is None:
        return UNKNOWN
    for _p, row in rows:
        if None in map(row.get, COLUMNS):
            return FAIL
    return PASS


def t3_row_total(d: Doc, p: Doc | None, m: Memo) -> str:
    rows = request_rows(d, m)
    if rows is None:
        return UNKNOWN
    unk = False
    for _p, row in rows:
        t = row.get("total")
        vals = list(map(row.get, APPLICANTS))
        if t is None or None in vals:
            unk = True
            continue
        if not _NUMERIC.issuperset(map(type, vals)):
            raise TypeError("sum() needs numbers")
        if not eq(t, sum(vals)):
            return FAIL
    return UNKNOWN if unk else PASS


def t3_col_balance(d: Doc, p: Doc | None, m: Memo) -> str:
    q = d.get("requests") or E
    new, co, cf = q.get("new") or E, q.get("carried_over") or E, q.get("carry_forward") or E
    tot = (q.get("results") or E).get("total") or E
    unk = False
    for c in COLUMNS:
        a, b, x, y = new.get(c), co.get(c), tot.get(c), cf.get(c)
        if a is None or b is None or x is None or y is None:
            unk = True
        elif a + b != x + y:
            return FAIL
    return UNKNOWN if unk else PASS


def t3_result_sum(d: Doc, p: Doc | None, m: Memo) -> str:
    tot = ((d.get("requests") or E).get("results") or E).get("total") or E
    rows = detail_rows(d, m, "requests.results")
    unk = False
    for c in COLUMNS:
        t = tot.get(c)
        vals = [r.get(c) for r in rows]
        if t is None or None in vals:
            unk = True
            continue
        if not _NUMERIC.issuperset(map(type, vals)):
            raise TypeError("sum() needs numbers")
        if not eq(t, sum(vals)):
            return FAIL
    return UNKNOWN if unk else PASS


def t3_subtotal(d: Doc, p: Doc | None, m: Memo) -> str:
    res = get(d, "requests", "results")
    out: list[bool | None] = []
    for g in ("withheld", "unavailable", "not_processed", "other"):
        sub = get(res, g, "subtotal")
        if sub is None:
            continue
        rows = detail_rows(d, m, "requests.results." + g)
        out.append(k_all(eq(get(sub, c), total([r.get(c) for r in rows])) for c in COLUMNS))
    return V[k_all(out)]


def t3_no_fee_row(d: Doc, p: Doc | None, m: Memo) -> str:
    count = fee(d, "notices_count")
    prev_ok: bool | None = False
    if p is not None:
        pc = fee(p, "notices_count")
        prev_ok = gt(0 if pc is None else pc, 0)
    return V[k_or(eq(get(d, "requests", "results", "other", "unpaid_fee", "total"), 0),
                  gt(0 if count is None else count, 0), prev_ok)]


def t3_all_zero_note(d: Doc, p: Doc | None, m: Memo) -> str:
    ne = eq(get(d, "requests", "new", "total"), 0)
    stated = get(d, "facts", "requests_received", "value")
    return V[k_or(None if ne is None else not ne, eq(0 if stated is None else stated, 0))]


# ------------------------------------------------------------------ table 四
def t4_nonneg_int(d: Doc, p: Doc | None, m: Memo) -> str:
    rv = d.get("review") or E
    for b in BLOCKS:
        blk = rv.get(b) or E
        for k in REVIEW_COLUMNS:
            if not _nonneg_int(blk.get(k)):
                return FAIL
    return PASS


def t4_empty(d: Doc, p: Doc | None, m: Memo) -> str:
    rv = d.get("review") or E
    for b in BLOCKS:
        blk = rv.get(b) or E
        for k in REVIEW_COLUMNS:
            if blk.get(k) is None:
                return FAIL
    return PASS


def _t4_sum(d: Doc, block: str) -> str:
    blk = (d.get("review") or E).get(block) or E
    parts = list(map(blk.get, REVIEW_PARTS))
    t = blk.get("total")
    if t is None or None in parts:
        return UNKNOWN
    return PASS if eq(t, total(parts)) else FAIL


def t4_review_sum(d: Doc, p: Doc | None, m: Memo) -> str:
    return _t4_sum(d, "reconsideration")


def t4_direct_sum(d: Doc, p: Doc | None, m: Memo) -> str:
    return _t4_sum(d, "litigation_direct")


def t4_after_sum(d: Doc, p: Doc | None, m: Memo) -> str:
    return _t4_sum(d, "litigation_after_reconsideration")


# ------------------------------------------------------------------ structure
OFFICIAL_TITLES = ("总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况",
                   "政府信息公开行政复议、行政诉讼情况", "存在的主要问题及改进情况", "其他需要报告的事项")


def s_sec_present(d: Doc, p: Doc | None, m: Memo) -> str:
    nums = sections(d, m)[0]
    for n in (1, 2, 3, 4, 5, 6):
        if n not in nums:
            return UNKNOWN if None in nums else FAIL   # a blank number might be the missing one
    return PASS


def s_sec_order(d: Doc, p: Doc | None, m: Memo) -> str:
    nums = sections(d, m)[0]
    if None in nums:
        return UNKNOWN   # sorted() of a blank
    return PASS if nums == sorted(dict.fromkeys(nums)) else FAIL


def s_sec_title(d: Doc, p: Doc | None, m: Memo) -> str:
    nums, first = sections(d, m)
    unk = False
    for n in nums:
        if n is None:
            unk = True
            continue
        if n < 1 or n > 6:
            continue
        title = first[n].get("title")
        if type(title) is not str:
            unk = True
            continue
        off = OFFICIAL_TITLES[int(n) - 1]
        if title != off and similarity(title, off) < 0.8:
            return FAIL
    return UNKNOWN if unk else PASS


def s_sec_nonempty(d: Doc, p: Doc | None, m: Memo) -> str:
    unk = False
    for n in sections(d, m)[0]:
        if n is None:
            unk = True   # section(blank) is unknown
            continue
        if section(d, m, n).strip():
            continue
        if (n == 2 and d.get("active") is not None) or (n == 3 and d.get("requests") is not None) \
                or (n == 4 and d.get("review") is not None):
            continue
        return FAIL
    return UNKNOWN if unk else PASS


def s_tables_present(d: Doc, p: Doc | None, m: Memo) -> str:
    ok = d.get("active") is not None and d.get("requests") is not None and d.get("review") is not None
    return PASS if ok else FAIL


T2_ROWS_2021 = ("regulations", "normative_documents", "licensing", "punishment", "coercion", "fees")
T2_ROWS_2019 = ("regulations", "normative_documents", "licensing", "other_services", "punishment", "coercion",
                "fees", "procurement")


def s_t2_blocks(d: Doc, p: Doc | None, m: Memo) -> str:
    fmt = meta(d).get("format")
    if fmt is None:
        return UNKNOWN   # `if meta.format == "2019"` (never reached: the rule applies only to a known format)
    a = d.get("active")
    for r in (T2_ROWS_2019 if fmt == "2019" else T2_ROWS_2021):
        if get(a, r) is None:
            return FAIL
    return PASS


def s_t3_rows(d: Doc, p: Doc | None, m: Memo) -> str:
    fmt = meta(d).get("format")
    if fmt is None:
        return UNKNOWN
    rows = request_rows(d, m)
    if rows is None:
        return UNKNOWN
    return PASS if len(rows) == (23 if fmt == "2019" else 25) else FAIL


def s_t3_cols(d: Doc, p: Doc | None, m: Memo) -> str:
    rows = request_rows(d, m)
    if rows is None:
        return UNKNOWN
    for _p, row in rows:
        if len(row) != 7 and not _COLSET.issubset(row):
            return FAIL
    return PASS


def s_t4_cols(d: Doc, p: Doc | None, m: Memo) -> str:
    rv = d.get("review")
    for b in BLOCKS:
        blk = get(rv, b)
        if blk is None:
            return FAIL
        for k in REVIEW_COLUMNS:
            if k not in blk:
                return FAIL
    return PASS


_OFFICIAL = {(t, f): frozenset(official_labels(t, f)) for t in ("active", "requests", "review") for f in ("2021", "2019")}
_ODD: dict[tuple[str, str], dict[str, bool]] = {}   # label verdicts kept across documents, as the engine does


def _unofficial(labels: Any, table: str, fmt: str) -> int:
    """How many distinct labels are not (a piece of) official wording."""
    if type(labels) is not list:
        return 0
    memo = _ODD.get((table, fmt))
    if memo is None:
        memo = _ODD[table, fmt] = {}
    n_odd = 0
    for label in dict.fromkeys(labels):
        odd = memo.get(label) if type(label) is str else False
        if odd is None:
            official = _OFFICIAL[table, fmt]
            n = norm(label)
            odd = memo[label] = bool(n) and n not in official and not any(n in o for o in official)
        n_odd += odd
    return n_odd


def s_label_exact(d: Doc, p: Doc | None, m: Memo) -> str:
    fmt = "2019" if str(meta(d).get("format") or "2021") == "2019" else "2021"
    lb = d.get("labels")
    n = 0
    for table in ("active", "requests", "review"):
        got = get(lb, table)
        n += _unofficial([] if got is None else got, table, fmt)
    return PASS if n == 0 else FAIL


def s_t3_note(d: Doc, p: Doc | None, m: Memo) -> str:
    lb = d.get("labels") or E
    labels = [*(lb.get("requests") or ()), *(lb.get("notes") or ())]
    if not all(type(x) is str for x in labels):
        raise TypeError("has() needs text")
    # any label has any of the phrases: one search over the labels joined by a character none has
    return PASS if has("\0".join(labels), ("第一项加第二项之和", "第一项加第二项", "勾稽关系")) else FAIL


def s_overview_aspects(d: Doc, p: Doc | None, m: Memo) -> str:
    s = section(d, m, 1)
    ok = ("主动公开" in s and has(s, ("依申请公开", "依申请"))
          and has(s, ("政府信息管理", "信息资源的管理", "信息资源管理", "信息管理"))
          and has(s, ("平台建设", "公开平台", "网站建设", "政务新媒体"))
          and has(s, ("监督保障", "监督", "考核", "培训", "督查", "督导")))
    return PASS if ok else FAIL


def s_gov_50_4(d: Doc, p: Doc | None, m: Memo) -> str:
    s = section(d, m, 1) + section(d, m, 5)
    return PASS if has(s, ("考核", "社会评议", "评议", "责任追究", "追责")) else FAIL


def s_sec5_both(d: Doc, p: Doc | None, m: Memo) -> str:
    s = section(d, m, 5)
    ok = has(s, ("问题", "不足", "短板")) and has(s, ("改进", "措施", "下一步", "下步", "整改"))
    return PASS if ok else FAIL


def s_sec5_prev(d: Doc, p: Doc | None, m: Memo) -> str:
    s = section(d, m, 5)
    ok = has(s, ("上年度", "上一年度", "上年", "去年")) and has(s, ("整改", "改进", "落实"))
    return PASS if ok else FAIL


_NIL = re.compile(r"^\s*无[。.．]?\s*$")


def s_sec6_not_nil(d: Doc, p: Doc | None, m: Memo) -> str:
    return FAIL if _NIL.search(section(d, m, 6)) else PASS


# ------------------------------------------------------------------ meta
def m_title(d: Doc, p: Doc | None, m: Memo) -> str:
    mt = meta(d)
    title = mt.get("title")
    if title is None:
        return FAIL
    organ, year = mt.get("organ"), mt.get("year")
    ok = (organ is not None and has(title, organ)) and (year is not None and has(title, text_of(year))) \
        and "政府信息公开工作年度报告" in title
    return PASS if ok else FAIL


def m_organ(d: Doc, p: Doc | None, m: Memo) -> str:
    return PASS if meta(d).get("organ") is not None else FAIL


def m_year(d: Doc, p: Doc | None, m: Memo) -> str:
    return PASS if meta(d).get("year") is not None else FAIL


def _year_of(v: Any) -> Any:
    dt = as_date(v)
    return None if dt is None else dt.year


_TITLE_YEAR = re.compile(r"(19|20)[0-9][0-9]年")


def m_year_consist(d: Doc, p: Doc | None, m: Memo) -> str:
    mt = meta(d)
    year, start, end = mt.get("year"), get(mt, "period", "start"), get(mt, "period", "end")
    title = mt.get("title")
    title = "" if title is None else title
    c_title: bool | None = True
    if _TITLE_YEAR.search(title):
        c_title = None if year is None else has(title, text_of(year) + "年")
    return V[k_and(True if start is None else eq(_year_of(start), year),
                   True if end is None else eq(_year_of(end), year),
                   c_title)]


def m_period_stated(d: Doc, p: Doc | None, m: Memo) -> str:
    mt = meta(d)
    ok = get(mt, "period", "start") is not None and get(mt, "period", "end") is not None
    return PASS if ok else FAIL


def _date_eq(text: Any, want: date | None) -> bool | None:
    """text == a date: an ISO text compares as a date, any other value is simply unequal."""
    if text is None or want is None:
        return None
    if type(text) is not str and type(text) is not date:
        return False
    got = as_date(text)
    return None if got is None else got == want


def m_period_fullyear(d: Doc, p: Doc | None, m: Memo) -> str:
    mt = meta(d)
    start = get(mt, "period", "start")
    if start is None:
        return PASS
    year = mt.get("year")
    return V[k_and(_date_eq(start, make_date(year, 1, 1)),
                   _date_eq(get(mt, "period", "end"), make_date(year, 12, 31)))]


def m_pubdate_present(d: Doc, p: Doc | None, m: Memo) -> str:
    mt = meta(d)
    kind = mt.get("date_kind")
    ok = mt.get("published") is not None and ("published" if kind is None else kind) == "published"
    return PASS if ok else FAIL


def _published_vs(d: Doc, mo: int, day: int, later: bool) -> bool | None:
    """meta.published <= date(year + 1, mo, day) (or >= when later)."""
    mt = meta(d)
    year = mt.get("year")
    due = make_date(None if year is None else add(year, 1), mo, day)
    pub = as_date(mt.get("published"))
    if pub is None or due is None:
        return None
    return pub >= due if later else pub <= due


def m_deadline_dept(d: Doc, p: Doc | None, m: Memo) -> str:
    if meta(d).get("organ_level") == "township":
        return PASS
    return V[_published_vs(d, 1, 31, False)]


def m_deadline_gov(d: Doc, p: Doc | None, m: Memo) -> str:
    return V[_published_vs(d, 3, 31, False)]


def m_deadline_twp(d: Doc, p: Doc | None, m: Memo) -> str:
    return V[_published_vs(d, 1, 31, False)]


def m_pub_after_year(d: Doc, p: Doc | None, m: Memo) -> str:
    return V[_published_vs(d, 1, 1, True)]


# ------------------------------------------------------------------ format
def f_detect(d: Doc, p: Doc | None, m: Memo) -> str:
    return PASS if meta(d).get("format") in ("2021", "2019") else FAIL


_OLD_T2 = ("第二十条第(九)项", "政府集中采购", "其他对外管理服务事项", "本年新制作数量", "对外公开总数量")


def f_stale(d: Doc, p: Doc | None, m: Memo) -> str:
    if meta(d).get("format") == "2019" or get(d, "requests", "results", "other", "total") is not None:
        return FAIL
    labels = (d.get("labels") or E).get("active")
    if labels and has("\0".join([norm(str(x)) for x in labels]), _OLD_T2):   # any label, as in s_t3_note
        return FAIL
    return PASS


def f_t3_other_split(d: Doc, p: Doc | None, m: Memo) -> str:
    other = get(d, "requests", "results", "other")
    for k in ("overdue_correction", "unpaid_fee", "other"):
        if get(other, k) is None:
            return FAIL
    return PASS


def f_anachronism(d: Doc, p: Doc | None, m: Memo) -> str:
    return FAIL if meta(d).get("format") == "2021" else PASS


def f_cite_old(d: Doc, p: Doc | None, m: Memo) -> str:
    for cited in meta(d).get("cited") or ():
        if has(norm(str(cited)), ("〔2019〕60号", "[2019]60号")):
            return FAIL
    return PASS


# ------------------------------------------------------------------ fees (section 六)
def fee_mention(d: Doc, p: Doc | None, m: Memo) -> str:
    return PASS if has(section(d, m, 6), ("信息处理费", "处理费")) else FAIL


def fee_detail(d: Doc, p: Doc | None, m: Memo) -> str:
    ok = fee(d, "notices_count") is not None and fee(d, "notices_amount") is not None \
        and fee(d, "collected_amount") is not None
    return PASS if ok else FAIL


def fee_consist(d: Doc, p: Doc | None, m: Memo) -> str:
    count, notified, collected = fee(d, "notices_count"), fee(d, "notices_amount"), fee(d, "collected_amount")
    c0 = 0 if collected is None else collected
    n0 = 0 if notified is None else notified
    ne = eq(1 if count is None else count, 0)
    return V[k_and(True if notified is None else le(c0, notified),
                   k_or(None if ne is None else not ne, k_and(eq(n0, 0), eq(c0, 0))))]


def fee_not_t2(d: Doc, p: Doc | None, m: Memo) -> str:
    collected = fee(d, "collected_amount")
    if collected is None or eq(collected, 0):
        return PASS
    amount = get(d, "active", "fees", "amount")
    if amount is None:
        return UNKNOWN
    if not (is_num(collected) and is_num(amount)):
        raise TypeError("arithmetic needs numbers")
    return PASS if abs(collected - amount * 10000) >= 1 else FAIL


# ------------------------------------------------------------------ other content
def o_npc_cppcc(d: Doc, p: Doc | None, m: Memo) -> str:
    ok = has(section(d, m, 6) + section(d, m, 1), ("人大代表建议", "政协提案", "建议提案", "人大建议"))
    return PASS if ok else FAIL


def o_keypoints(d: Doc, p: Doc | None, m: Memo) -> str:
    return PASS if has(section(d, m, 6) + section(d, m, 1), ("工作要点", "要点落实")) else FAIL


# ------------------------------------------------------------------ prose against tables (pack lets)
def narr(d: Doc, m: Memo) -> tuple[bool | None, ...]:
    """The pack's narr_*_ok lets: (apps, carry, done, review, suit, norms), once per document."""
    got = m.get("narr")
    if got is not None:
        return got
    f = d.get("facts")
    q = d.get("requests")
    rv = d.get("review")
    a = d.get("active")

    def stated(name: str) -> tuple[bool, Any]:
        fact = get(f, name)
        return fact is not None, get(fact, "value")

    has_new, new_v = stated("requests_new")
    has_rec, rec_v = stated("requests_received")
    new_t, co_t = get(q, "new", "total"), get(q, "carried_over", "total")
    apps = k_and(True if not has_new else eq(new_v, new_t),
                 True if not has_rec else member(rec_v, [new_t, add(new_t, co_t)]))
    has_co, co_v = stated("requests_carried_over")
    has_cf, cf_v = stated("requests_carry_forward")
    carry = k_and(True if not has_co else eq(co_v, co_t),
                  True if not has_cf else eq(cf_v, get(q, "carry_forward", "total")))
    has_done, done_v = stated("requests_completed")
    done = True if not has_done else eq(done_v, get(q, "results", "total", "total"))
    has_rv, rv_v = stated("reconsiderations")
    review = True if not has_rv else eq(rv_v, get(rv, "reconsideration", "total"))
    has_suit, suit_v = stated("lawsuits")
    direct = get(rv, "litigation_direct", "total")
    suit = True if not has_suit else \
        member(suit_v, [add(direct, get(rv, "litigation_after_reconsideration", "total")), direct])
    has_nd, nd_v = stated("normative_documents_issued")
    has_rg, rg_v = stated("regulations_issued")
    norms = k_and(True if not has_nd else eq(nd_v, get(a, "normative_documents", "issued")),
                  True if not has_rg else eq(rg_v, get(a, "regulations", "issued")))
    got = m["narr"] = (apps, carry, done, review, suit, norms)
    return got


def x_narr_apps(d: Doc, p: Doc | None, m: Memo) -> str:
    return V[narr(d, m)[0]]


def x_narr_carry(d: Doc, p: Doc | None, m: Memo) -> str:
    return V[narr(d, m)[1]]


def x_narr_done(d: Doc, p: Doc | None, m: Memo) -> str:
    return V[narr(d, m)[2]]


def x_narr_review(d: Doc, p: Doc | None, m: Memo) -> str:
    return V[narr(d, m)[3]]


def x_narr_suit(d: Doc, p: Doc | None, m: Memo) -> str:
    return V[narr(d, m)[4]]


def x_narr_norms(d: Doc, p: Doc | None, m: Memo) -> str:
    return V[narr(d, m)[5]]


def x_narr_sum(d: Doc, p: Doc | None, m: Memo) -> str:
    totals = get(d, "facts", "stated_totals")
    return V[k_all(eq(total(parts) if (parts := get(t, "parts")) is not None else None, get(t, "total"))
                   for t in totals or ())]


def x_scope(d: Doc, p: Doc | None, m: Memo) -> str:
    return PASS if narr(d, m).count(False) < 2 else FAIL


# ------------------------------------------------------------------ year over year (prev)
def y_carry_chain(d: Doc, p: Doc | None, m: Memo) -> str:
    if p is None:
        return PASS
    co, pcf = get(d, "requests", "carried_over"), get(p, "requests", "carry_forward")
    return V[k_all(eq(get(co, c), get(pcf, c)) for c in COLUMNS)]


def y_valid_chain(d: Doc, p: Doc | None, m: Memo) -> str:
    if p is None or get(p, "meta", "format") != "2021":
        return PASS
    a, pa = d.get("active"), p.get("active")
    return V[k_all(eq(get(a, r, "in_force"),
                      _sub(add(get(pa, r, "in_force"), get(a, r, "issued")), get(a, r, "repealed")))
                   for r in REG_ROWS)]


def _sub(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    if not (is_num(a) and is_num(b)):
        raise TypeError("- needs numbers")
    return a - b


def y_repeal_le(d: Doc, p: Doc | None, m: Memo) -> str:
    if p is None:
        return PASS
    a, pa = d.get("active"), p.get("active")
    return V[k_all(le(get(a, r, "repealed"), add(get(pa, r, "in_force"), get(a, r, "issued"))) for r in REG_ROWS)]


def y_format_regress(d: Doc, p: Doc | None, m: Memo) -> str:
    if p is None:
        return PASS
    return FAIL if get(p, "meta", "format") == "2021" and meta(d).get("format") == "2019" else PASS


def y_sec5_copy(d: Doc, p: Doc | None, m: Memo) -> str:
    if p is None:
        return PASS
    mine = section(d, m, 5)
    unk = False
    for s in get(p, "sections") or ():
        num = get(s, "number")
        if num is None:
            unk = True
            continue
        if eq(num, 5):
            old = get(s, "text")
            if similarity(mine, "" if old is None else old) >= 0.9:
                return FAIL
    return UNKNOWN if unk else PASS


def _swung(now: Any, before: Any) -> bool | None:
    """(before ?? 0) >= 10 and (now >= before * 10 or now * 10 <= before)"""
    if before is None or not ge(before, 10):
        return False
    if now is None:
        return None
    return k_or(ge(now, before * 10), le(now * 10, before))


def y_swing(d: Doc, p: Doc | None, m: Memo) -> str:
    if p is None:
        return PASS
    conds = (_swung(get(d, "requests", "new", "total"), get(p, "requests", "new", "total")),
             _swung(get(d, "active", "licensing", "decisions"), get(p, "active", "licensing", "decisions")),
             _swung(get(d, "active", "punishment", "decisions"), get(p, "active", "punishment", "decisions")))
    if None in conds:
        return UNKNOWN   # `if UNKNOWN then …` makes the whole list, and so len(swung), unknown
    return FAIL if True in conds else PASS


def y_19_items_chain(d: Doc, p: Doc | None, m: Memo) -> str:
    if p is None or get(p, "meta", "format") != "2019":
        return PASS
    a, pa = d.get("active"), p.get("active")
    return V[k_all(True if get(a, r) is None
                   else eq(get(a, r, "prev_items"), add(get(pa, r, "prev_items"), get(pa, r, "delta")))
                   for r in ("licensing", "other_services", "punishment", "coercion", "fees"))]


# ------------------------------------------------------------------ the table: rule id → (function, applies)
# `applies` as in each rule's YAML: format / organ_kind / organ_level lists, year {min, max}.
F21 = {"format": ("2021",)}
F19 = {"format": ("2019",)}
Y21 = {"year_min": 2021}

FLOOR: dict[str, tuple[Callable[[Doc, Doc | None, Memo], str], dict[str, Any]]] = {
    "T2-NONNEG-INT": (t2_nonneg_int, F21),
    "T2-EMPTY": (t2_empty, {}),
    "T2-FEE-NUM": (t2_fee_num, F21),
    "T2-FEE-PRECISION": (t2_fee_precision, F21),
    "T2-REG-POWER": (t2_reg_power, F21),
    "T2-VALID-GE-MADE": (t2_valid_ge_made, F21),
    "T2-19-STOCK": (t2_19_stock, F19),
    "T2-19-PROCURE-UNIT": (t2_19_procure_unit, F19),
    "T3-NONNEG-INT": (t3_nonneg_int, {}),
    "T3-EMPTY": (t3_empty, {}),
    "T3-ROW-TOTAL": (t3_row_total, {}),
    "T3-COL-BALANCE": (t3_col_balance, {}),
    "T3-RESULT-SUM": (t3_result_sum, {}),
    "T3-SUBTOTAL": (t3_subtotal, {}),
    "T3-NO-FEE-ROW": (t3_no_fee_row, F21),
    "T3-ALL-ZERO-NOTE": (t3_all_zero_note, {}),
    "T4-NONNEG-INT": (t4_nonneg_int, {}),
    "T4-EMPTY": (t4_empty, {}),
    "T4-REVIEW-SUM": (t4_review_sum, {}),
    "T4-DIRECT-SUM": (t4_direct_sum, {}),
    "T4-AFTER-SUM": (t4_after_sum, {}),
    "S-SEC-PRESENT": (s_sec_present, {}),
    "S-SEC-ORDER": (s_sec_order, {}),
    "S-SEC-TITLE": (s_sec_title, {}),
    "S-SEC-NONEMPTY": (s_sec_nonempty, {}),
    "S-TABLES-PRESENT": (s_tables_present, {}),
    "S-T2-BLOCKS": (s_t2_blocks, {"format": ("2021", "2019")}),
    "S-T3-ROWS": (s_t3_rows, {"format": ("2021", "2019")}),
    "S-T3-COLS": (s_t3_cols, {}),
    "S-T4-COLS": (s_t4_cols, {}),
    "S-LABEL-EXACT": (s_label_exact, {}),
    "S-T3-NOTE": (s_t3_note, {}),
    "S-OVERVIEW-ASPECTS": (s_overview_aspects, F21),
    "S-GOV-50-4": (s_gov_50_4, {"organ_kind": ("government",)}),
    "S-SEC5-BOTH": (s_sec5_both, {}),
    "S-SEC5-PREV": (s_sec5_prev, F21),
    "S-SEC6-NOT-NIL": (s_sec6_not_nil, F21),
    "M-TITLE": (m_title, {}),
    "M-ORGAN": (m_organ, {}),
    "M-YEAR": (m_year, {}),
    "M-YEAR-CONSIST": (m_year_consist, {}),
    "M-PERIOD-STATED": (m_period_stated, {}),
    "M-PERIOD-FULLYEAR": (m_period_fullyear, {}),
    "M-PUBDATE-PRESENT": (m_pubdate_present, {}),
    "M-DEADLINE-DEPT": (m_deadline_dept, {"organ_kind": ("department",)}),
    "M-DEADLINE-GOV": (m_deadline_gov, {"organ_kind": ("government",),
                                        "organ_level": ("national", "provincial", "prefecture", "county")}),
    "M-DEADLINE-TWP": (m_deadline_twp, {"organ_level": ("township",)}),
    "M-PUB-AFTER-YEAR": (m_pub_after_year, {}),
    "F-DETECT": (f_detect, {}),
    "F-STALE": (f_stale, Y21),
    "F-T3-OTHER-SPLIT": (f_t3_other_split, F21),
    "F-ANACHRONISM": (f_anachronism, {"year_max": 2020}),
    "F-CITE-OLD": (f_cite_old, Y21),
    "FEE-MENTION": (fee_mention, Y21),
    "FEE-DETAIL": (fee_detail, Y21),
    "FEE-CONSIST": (fee_consist, Y21),
    "FEE-NOT-T2": (fee_not_t2, F21),
    "O-NPC-CPPCC": (o_npc_cppcc, {}),
    "O-KEYPOINTS": (o_keypoints, {}),
    "X-NARR-APPS": (x_narr_apps, {}),
    "X-NARR-CARRY": (x_narr_carry, {}),
    "X-NARR-DONE": (x_narr_done, {}),
    "X-NARR-REVIEW": (x_narr_review, {}),
    "X-NARR-SUIT": (x_narr_suit, {}),
    "X-NARR-NORMS": (x_narr_norms, F21),
    "X-NARR-SUM": (x_narr_sum, {}),
    "X-SCOPE": (x_scope, {}),
    "Y-CARRY-CHAIN": (y_carry_chain, {}),
    "Y-VALID-CHAIN": (y_valid_chain, F21),
    "Y-REPEAL-LE": (y_repeal_le, F21),
    "Y-FORMAT-REGRESS": (y_format_regress, {}),
    "Y-SEC5-COPY": (y_sec5_copy, {}),
    "Y-SWING": (y_swing, {}),
    "Y-19-ITEMS-CHAIN": (y_19_items_chain, F19),
}


def applies(spec: dict[str, Any], mt: dict[str, Any]) -> bool | None:
    """Whether a rule applies: False when plainly not, None when a meta field it needs is blank."""
    unk = False
    for key in ("format", "organ_kind", "organ_level"):
        allowed = spec.get(key)
        if allowed is None:
            continue
        v = mt.get(key)
        if v is None:
            unk = True
        elif str(v) not in allowed:
            return False
    if "year_min" in spec or "year_max" in spec:
        y = mt.get("year")
        if type(y) is not int:
            unk = True
        elif y < spec.get("year_min", y) or y > spec.get("year_max", y):
            return False
    return None if unk else True


# ------------------------------------------------------------------ checking against the engine
def floor_verdict(rid: str, doc: Doc, prev: Doc | None, *, check_applies: bool = True) -> str:
    """The hand-written verdict; "n/a" when the rule does not apply, "error" for an odd value type."""
    fn, spec = FLOOR[rid]
    if check_applies:
        ok = applies(spec, meta(doc))
        if ok is False:
            return "n/a"
        if ok is None:
            return UNKNOWN   # not evaluated: the meta it needs is blank
    try:
        return fn(doc, prev, {})
    except (TypeError, AttributeError, ValueError):
        return "error"


def engine_verdict(rule: Any, doc: Doc, prev: Doc | None, shared: dict[Any, Any], *,
                   check_applies: bool = True) -> str:
    """The engine's outcome for one rule, selected as engine.evaluate() selects it."""
    if check_applies:
        ok, missing = engine_mod.applies_to(rule, meta(doc))
        if not ok:
            return "n/a"
        if missing:
            return UNKNOWN
    return rule.compiled.evaluate(doc, prev, shared=shared).status


def _mutants(doc: Doc, rng: random.Random, n: int) -> list[Doc]:
    """Copies of a seed with a few cells blanked, deleted or changed, or a section altered."""
    leaves: list[tuple[dict[str, Any], str]] = []

    def walk(o: Any) -> None:
        if type(o) is dict:
            for k, v in o.items():
                if type(v) in (int, float) or v is None or (type(v) is str and k in ("published", "start", "end")):
                    leaves.append((o, k))
                walk(v)
        elif type(o) is list:
            for v in o:
                walk(v)

    out = []
    for i in range(n):
        mdoc = copy.deepcopy(doc)
        leaves.clear()
        for part in ("active", "requests", "review", "facts", "meta"):
            walk(mdoc.get(part))
        for _ in range(1 + i % 4):
            obj, k = rng.choice(leaves)
            v = obj.get(k)
            how = rng.randrange(7)
            if how == 0:
                obj[k] = None
            elif how == 1:
                obj.pop(k, None)
            elif how == 2 and type(v) in (int, float):
                obj[k] = v + rng.choice((1, -1, 10))
            elif how == 3 and type(v) in (int, float):
                obj[k] = -1 if rng.random() < .5 else 2.5
            elif how == 4 and type(v) in (int, float):
                obj[k] = v * 10 + 7
            elif how == 5:
                obj[k] = 0
            elif type(v) is str:
                obj[k] = rng.choice(("2030-01-01", "2023-12-31", "2024-02-30", "x"))
        secs = mdoc.get("sections") or []
        r = rng.randrange(16)
        if r == 0 and secs:
            secs.pop(rng.randrange(len(secs)))
        elif r == 1 and len(secs) > 2:
            secs[0], secs[1] = secs[1], secs[0]
        elif r == 2 and secs:
            secs[-1]["text"] = rng.choice(("无。", " 无 ", "", "本年度未收取信息处理费。"))
        elif r == 3 and secs:
            secs[rng.randrange(len(secs))]["title"] = rng.choice((None, "总体情况", "其他", "存在的问题和改进"))
        elif r == 4:
            mdoc["meta"]["organ_level"] = rng.choice((None, "township", "national", "provincial"))
        elif r == 5:
            mdoc["meta"]["organ_kind"] = rng.choice((None, "government", "department"))
        elif r == 6:
            mdoc["meta"]["format"] = rng.choice((None, "2019"))
        elif r == 7:
            mdoc["meta"]["year"] = rng.choice((None, 2020, 2025))
        elif r in (8, 9):   # a total the prose is held against: blank, or zero with a zero in the prose
            q, rv = mdoc.get("requests") or {}, mdoc.get("review") or {}
            row = rng.choice([q.get("new"), q.get("carried_over"), q.get("carry_forward"),
                              (q.get("results") or {}).get("total"), *rv.values()])
            if type(row) is dict:
                row["total"] = None if r == 8 else 0
            if r == 9:
                mdoc.setdefault("facts", {})["requests_received"] = {"value": rng.choice((0, 3, None))}
        elif r == 10:   # a subtotal row, right or wrong
            grp = ((mdoc.get("requests") or {}).get("results") or {}).get(rng.choice(("withheld", "unavailable")))
            if type(grp) is dict:
                sub = {c: sum(x.get(c) or 0 for x in grp.values()) for c in COLUMNS}
                sub[rng.choice(COLUMNS)] += rng.choice((0, 1))
                grp["subtotal"] = sub
        elif r == 11:   # fee facts, as numbers or facts, consistent or not
            fees = mdoc.setdefault("facts", {}).setdefault("fees", {})
            fees["notices_count"] = rng.choice((0, 2, {"value": 0}, {"value": 3}, {"value": None}))
            fees["notices_amount"] = rng.choice((0, 300, {"value": 0}, {"value": 300}))
            fees["collected_amount"] = rng.choice((0, 200, 500, {"value": 100}, None))
        out.append(mdoc)
    return out


def _structural(doc: Doc) -> list[Doc]:
    """Copies of a seed with whole parts blank or absent: tables, rows, section numbers, labels, facts."""
    edits: list[Callable[[Doc], Any]] = [
        lambda d: d.pop("active", None),
        lambda d: d.update(active=None),
        lambda d: d["active"].update(regulations=None),
        lambda d: d["active"].pop("coercion", None),
        lambda d: d.pop("requests", None),
        lambda d: d["requests"].update(new=None),
        lambda d: d["requests"]["results"].pop("total", None),
        lambda d: d["requests"]["results"]["other"].update(natural_person=0, total=0),
        lambda d: d["requests"]["results"].update(other={"natural_person": 0, "total": 0}),
        lambda d: d["requests"].update(extra={"natural_person": 1, "total": 1}),
        lambda d: d.pop("review", None),
        lambda d: d["review"].update(litigation_direct=None),
        lambda d: d["review"]["reconsideration"].pop("pending", None),
        lambda d: d["sections"][0].update(number=None),
        lambda d: d["sections"][1].update(number=9),
        lambda d: d["sections"].append(dict(d["sections"][0])),
        lambda d: d.update(sections=[]),
        lambda d: d.pop("labels", None),
        lambda d: d["labels"].update(requests=["（五）不予以处理", "第二十条(六)项"], notes=[]),
        lambda d: d["labels"].update(active=["本年新制作数量"]),
        lambda d: d.pop("facts", None),
        lambda d: d.setdefault("facts", {}).update(stated_totals=[{"total": 5, "parts": [1, None]}]),
        lambda d: d.setdefault("facts", {}).update(stated_totals=[{"total": 5, "parts": None}, {"total": 3, "parts": [4]}]),
        lambda d: d.setdefault("facts", {}).update(lawsuits={"value": None}, requests_new={"value": 3}),
        lambda d: d["meta"].update(period=None, title=None, published=None),
        lambda d: d["meta"].update(cited=["国办公开办函[2019]60号"], date_kind=None),
        lambda d: d["meta"].update(organ=None, organ_kind=None, organ_level=None),
        lambda d: d["meta"].update(organ="某省人民政府办公厅", organ_level="provincial", organ_kind="department"),
    ]
    out = []
    for edit in edits:
        d = copy.deepcopy(doc)
        try:
            edit(d)
        except (KeyError, TypeError, IndexError, AttributeError):
            continue   # that part is not in this seed
        out.append(d)
    return out


def verify(rules: dict[str, Any], docs: list[tuple[str, Doc]], mutations: int) -> tuple[int, list[str]]:
    """Compare floor and engine verdicts; returns (comparisons made, disagreements)."""
    bad: list[str] = []
    n = 0
    rng = random.Random(20261207)
    for name, doc in docs:
        cases = [(name, doc)] + [(f"{name} mutant {i}", m) for i, m in enumerate(_mutants(doc, rng, mutations))] \
            + [(f"{name} structural edit {i}", m) for i, m in enumerate(_structural(doc))]
        for i, (label, d) in enumerate(cases):
            # every third case again with a previous year: the seed itself or another mutant of it
            prevs = [None] if i % 3 else [None, cases[(i + 1) % len(cases)][1]]
            for prev in prevs:
                shared: dict[Any, Any] = {}
                for rid, rule in rules.items():
                    want, got = engine_verdict(rule, d, prev, shared), floor_verdict(rid, d, prev)
                    n += 1
                    if want != got:
                        bad.append(f"{rid} on {label}{' with a prev' if prev else ''}: engine {want}, floor {got}")
    for rid, rule in rules.items():   # each rule's own examples (partial documents, with prev)
        for ex in rule.examples:
            want = engine_verdict(rule, ex.doc, ex.prev, {}, check_applies=False)
            got = floor_verdict(rid, ex.doc, ex.prev, check_applies=False)
            n += 1
            if want != got:
                bad.append(f"{rid} on its example {ex.index} (expect {ex.expect}): engine {want}, floor {got}")
    return n, bad


# ------------------------------------------------------------------ timing
def _interleaved_us(fns: list[Callable[[], Any]], runs: int) -> list[tuple[float, float]]:
    """(median, best) µs of each function, timed in turn within each round so that a change in
    the machine's load (other processes) falls on all of them alike."""
    for _ in range(max(20, runs // 10)):
        for fn in fns:
            fn()
    times: list[list[float]] = [[] for _ in fns]
    clock = time.perf_counter
    for _ in range(runs):
        for fn, ts in zip(fns, times, strict=True):
            t = clock()
            fn()
            ts.append(clock() - t)
    return [(statistics.median(ts) * 1e6, min(ts) * 1e6) for ts in times]


def _timed_sets(packs: list[Any], docs: list[tuple[str, Doc]]) -> list[tuple[str, Doc, list[Any], list[Any], int]]:
    """Per seed: (name, doc, hand-written functions, engine rules, rules of the pack that run): the
    covered rules that apply to the seed and are evaluated (none of their meta is blank)."""
    out = []
    for name, doc in docs:
        mt = meta(doc)
        chosen = []
        n_run = 0
        for pack in packs:
            for rule in pack.rules:
                ok, missing = engine_mod.applies_to(rule, mt)
                if ok and not missing:
                    n_run += 1
                    if rule.id in FLOOR:
                        chosen.append((FLOOR[rule.id][0], rule))
        out.append((name, doc, [f for f, _ in chosen], [r for _, r in chosen], n_run))
    return out


def _floor_pass(doc: Doc, fns: list[Any]) -> None:
    m: Memo = {}
    for f in fns:
        f(doc, None, m)


def _engine_pass(doc: Doc, rules: list[Any]) -> None:
    shared: dict[Any, Any] = {}
    for r in rules:   # what bench_engine.py `_split` times as "expressions"
        r.compiled.evaluate(doc, shared=shared)


def _child(what: str, iters: int) -> None:
    """Under valgrind: set up, one warm-up pass of both sides, then `iters` passes of one side."""
    packs = load_packs(default_pack_dirs())
    sets = _timed_sets(packs, [(s.name, load_path(s).document) for s in sorted(SEEDS.glob("*.txt"))])
    for _name, doc, fns, rules, _n in sets:
        _floor_pass(doc, fns)
        _engine_pass(doc, rules)
    run = _floor_pass if what == "floor" else _engine_pass
    for _ in range(iters):
        for _name, doc, fns, rules, _n in sets:
            run(doc, fns if what == "floor" else rules)


def _icount(iters: int) -> None:
    import shutil
    import subprocess

    if shutil.which("valgrind") is None:
        print("instruction counts: valgrind is not installed (Debian package valgrind)")
        return
    counts = {}
    for what in ("base", "floor", "engine"):
        cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
               "--child", what, "--iters", str(0 if what == "base" else iters)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        found = re.search(r"Collected\s*:\s*(\d+)", proc.stderr)
        if proc.returncode != 0 or not found:
            print(f"instruction counts: valgrind run failed ({proc.returncode}): {proc.stderr[-300:]}")
            return
        counts[what] = int(found.group(1))
    n = len(list(SEEDS.glob("*.txt"))) * iters
    fl = (counts["floor"] - counts["base"]) / n
    ev = (counts["engine"] - counts["base"]) / n
    print(f"instructions per seed (valgrind callgrind, mean over {n} passes; load does not move these): "
          f"hand-written {fl / 1e6:.2f} M, engine expressions {ev / 1e6:.2f} M; "
          f"engine / hand-written = {ev / fl:.1f}×")


def main() -> None:
    args = sys.argv[1:]
    iters = int(args[args.index("--iters") + 1]) if "--iters" in args else 20
    if "--child" in args:
        _child(args[args.index("--child") + 1], iters)
        return
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 500
    mutations = int(args[args.index("--mutations") + 1]) if "--mutations" in args else 40
    if "--no-mutations" in args:
        mutations = 0
    print(machine_reference())
    seeds = sorted(SEEDS.glob("*.txt"))
    if not seeds:
        sys.exit(f"no seed reports under {SEEDS}")
    packs = load_packs(default_pack_dirs())
    all_rules = {r.id: r for p in packs for r in p.rules}
    if len(all_rules) != PACK_RULES:
        print(f"note: the pack now has {len(all_rules)} rules (this floor was written for {PACK_RULES})")
    covered = {rid: all_rules[rid] for rid in FLOOR if rid in all_rules}
    gone = sorted(set(FLOOR) - set(all_rules))
    left = sorted(set(all_rules) - set(FLOOR))
    print(f"rules covered by hand-written functions: {len(covered)} of {len(all_rules)}"
          + (f"; not covered: {', '.join(left)}" if left else "")
          + (f"; in the floor but no longer in the pack: {', '.join(gone)}" if gone else ""))

    docs = [(s.name, load_path(s).document) for s in seeds]
    n, bad = verify(covered, docs, mutations)
    print(f"verdicts compared with the engine: {n} ({len(docs)} seeds, {mutations} random mutants and "
          f"{len(_structural(docs[0][1]))} structural edits of each, a third of them also with a previous "
          f"year, every rule's examples); disagreements: {len(bad)}")
    for line in bad[:60]:
        print("  DISAGREE " + line)
    if len(bad) > 60:
        print(f"  … and {len(bad) - 60} more")

    print(f"per seed, the covered rules that apply and are evaluated; median (best) of {runs} runs, the four "
          "timed in turn; expressions only — no findings, no schema check:")
    ratios: list[float] = []
    best_ratios: list[float] = []
    per_rule: list[float] = []
    best_per_rule: list[float] = []
    engine_per_rule: list[float] = []
    n_run: list[int] = []
    for name, doc, fns, rules, n_app in _timed_sets(packs, docs):
        compiled = [r.compiled for r in rules]

        def floor_run(doc: Doc = doc, fns: list[Any] = fns) -> None:
            _floor_pass(doc, fns)

        def engine_evaluate(doc: Doc = doc, rules: list[Any] = rules) -> None:
            _engine_pass(doc, rules)

        def engine_check(doc: Doc = doc, compiled: list[Any] = compiled) -> None:
            shared: dict[Any, Any] = {}
            for c in compiled:   # what evaluate() calls: no outcome built for a pass
                c.check(doc, None, 100_000, shared)

        def engine_first_run(doc: Doc = doc, compiled: list[Any] = compiled) -> None:
            shared: dict[Any, Any] = {}
            for c in compiled:   # the first, non-recording run alone (private API): no evidence re-run
                c._fn(c._ctx(doc, None, 100_000, shared, False))

        (fl, fl_best), (ev, ev_best), (ck, _), (fr, _) = _interleaved_us(
            [floor_run, engine_evaluate, engine_check, engine_first_run], runs)
        k = len(fns)
        fails = sum(1 for f in fns if f(doc, None, {}) == FAIL)
        ratios.append(ev / fl)
        best_ratios.append(ev_best / fl_best)
        per_rule.append(fl / k)
        best_per_rule.append(fl_best / k)
        engine_per_rule.append(ev / k)
        n_run.append(n_app)
        print(f"  {name}: {k} rules ({fails} fail): hand-written {fl:.0f} µs ({fl_best:.0f}), {fl / k:.2f} µs/rule; "
              f"engine {ev:.0f} µs ({ev_best:.0f}) as _split times them [check() {ck:.0f}, first run only {fr:.0f}]; "
              f"engine / hand-written = {ev / fl:.1f}× ({ev_best / fl_best:.1f}×)")

    name, doc, fns, _rules, _n = _timed_sets(packs, docs)[0]
    per_fn: dict[str, list[float]] = {f.__name__: [] for f in fns}
    clock = time.perf_counter
    for _ in range(runs):
        m: Memo = {}
        for f in fns:   # in pack order, sharing the memo: the first rule that needs rows() pays for them
            t = clock()
            f(doc, None, m)
            per_fn[f.__name__].append(clock() - t)
    costly = sorted(((statistics.median(v) * 1e6, k) for k, v in per_fn.items()), reverse=True)
    by_fn = {f.__name__: rid for rid, (f, _spec) in FLOOR.items()}
    print(f"costliest hand-written rules on {name} (median µs, in pack order sharing one memo): "
          + ", ".join(f"{by_fn[k]} {t:.0f}" for t, k in costly[:8])
          + f"; the other {len(costly) - 8}: {sum(t for t, _ in costly[8:]):.0f} µs together")
    walk = []
    for _ in range(runs):
        t = clock()
        rows_of(doc.get("requests"), "requests")
        walk.append(clock() - t)
    print(f"  of which the rows() walk of table 三 (paid by the first rule that needs it): "
          f"{statistics.median(walk) * 1e6:.0f} µs")

    floor_rule = statistics.median(per_rule)
    best_rule = statistics.median(best_per_rule)
    eng_rule = statistics.median(engine_per_rule)
    n_app = statistics.median(n_run)
    total_rules = len(all_rules)
    print(f"median over the seeds: engine / hand-written = {statistics.median(ratios):.1f}× "
          f"(best runs: {statistics.median(best_ratios):.1f}×); hand-written {floor_rule:.2f} µs/rule "
          f"(best runs {best_rule:.2f}), engine {eng_rule:.1f} µs/rule")
    print(f"EXTRAPOLATION (not a measurement): hand-written µs/rule × {total_rules} rules = "
          f"{floor_rule * total_rules:.0f} µs (best runs: {best_rule * total_rules:.0f} µs) as a rough floor for "
          f"the whole pack's expressions in plain CPython on this machine; the {n_app:.0f} rules that run on a "
          f"seed measured {floor_rule * n_app:.0f} µs. Issue 3's goal for the whole evaluate() is ≤ 300 µs.")
    if "--icount" in args:
        _icount(iters)
    if bad:
        sys.exit(1)


if __name__ == "__main__":
    main()
