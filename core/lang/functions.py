"""Built-in functions of the rule language and the spec plugins use to add their own."""

from __future__ import annotations

import datetime as _dt
import math
import operator
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from itertools import chain, compress, repeat
from typing import Any

from gipcheck.document import canon
from gipcheck.lang.errors import RuntimeFailure, runtime_error
from gipcheck.lang.values import PList, Unknown, merge_unknown


@dataclass(frozen=True)
class FunctionSpec:
    """A function rules may call: ``func(*args)`` gets plain values (never UNKNOWN: a missing
    argument makes the call UNKNOWN without calling it); ``cost`` is charged to the step budget
    on every call; ``doc`` is shown in ``gipcheck rules functions`` and in arity errors."""

    func: Callable[..., Any]
    min_args: int
    max_args: int | None
    cost: int = 1
    doc: str = ""


@dataclass(frozen=True)
class Builtin:
    """``mode``: ``strict`` impl(*args), UNKNOWN args short-circuit; ``loose`` impl(*args) sees
    UNKNOWN; ``ctx`` impl(ctx, *args), strict; ``located`` impl(ctx, args, ptrs), strict."""

    impl: Callable[..., Any]
    min_args: int
    max_args: int | None
    mode: str = "strict"
    cost: int = 1
    doc: str = ""
    pure: bool = True   # may be folded at load time when every argument is a literal


NUMBER_TYPES = (int, float)
_NUMERIC = frozenset((int, float))


def type_error(zh: str, en: str) -> RuntimeFailure:
    return RuntimeFailure(runtime_error("TYPE", zh, en))


def type_name(v: Any) -> tuple[str, str]:
    t = type(v)
    if t is bool:
        return "真假值", "true/false"
    if t in NUMBER_TYPES:
        return "数字", "number"
    if t is str:
        return "文字", "text"
    if t in (list, PList):
        return "列表", "list"
    if t is dict:
        return "对象", "object"
    if t is _dt.date:
        return "日期", "date"
    if t is Unknown:
        return "未知值", "UNKNOWN"
    return "值", "value"


def is_number(v: Any) -> bool:
    t = type(v)
    return t is int or t is float


def decimals_of(x: Any) -> int:
    """Decimal places of a number as written: 670.5862 → 4, 3 → 0, 0.1 + 0.2 → 1."""
    if type(x) is int:
        return 0
    r = repr(x)
    if "e" not in r and "E" not in r and "inf" not in r and "nan" not in r:
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


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def parse_date(s: str) -> _dt.date | None:
    m = _ISO.fullmatch(s.strip())
    if not m:
        return None
    try:
        return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def as_date(v: Any, fname: str) -> _dt.date | Unknown:
    if type(v) is _dt.date:
        return v
    if type(v) is str:
        d = parse_date(v)
        if d is not None:
            return d
        return Unknown(frozenset(), frozenset((f"not a date: {v!r}",)))
    zh, en = type_name(v)
    raise type_error(f"{fname}() 需要日期，得到{zh}", f"{fname}() needs a date, got {en}")


def _num(v: Any, fname: str) -> Any:
    if type(v) is int or type(v) is float:
        return v
    zh, en = type_name(v)
    raise type_error(f"{fname}() 需要数字，得到{zh}", f"{fname}() needs a number, got {en}")


def _list(v: Any, fname: str) -> list[Any]:
    if type(v) is list or type(v) is PList:
        return v
    zh, en = type_name(v)
    raise type_error(f"{fname}() 需要列表，得到{zh}", f"{fname}() needs a list, got {en}")


def _text(v: Any, fname: str) -> str:
    if type(v) is str:
        return v
    zh, en = type_name(v)
    raise type_error(f"{fname}() 需要文字，得到{zh}", f"{fname}() needs text, got {en}")


# ------------------------------------------------------------------ aggregates
_BLANK = Unknown()   # a None element of a list: missing, but no pointer to name


def f_sum(xs: Any) -> Any:
    if type(xs) is list and set(map(type, xs)) <= _NUMERIC:
        return sum(xs)   # plain numbers: the common case, in C
    if type(xs) is Unknown:   # the list itself is missing (no prev, an absent row)
        return xs
    total = 0
    unks: list[Any] = []
    for x in _list(xs, "sum"):
        t = type(x)
        if t is int or t is float:
            total += x
        elif t is Unknown:
            unks.append(x)
        elif x is None:
            unks.append(_BLANK)
        else:
            _num(x, "sum")
    if not unks:
        return total
    return unks[0] if len(unks) == 1 and unks[0] is not _BLANK else merge_unknown(*unks)


def f_count(xs: Any) -> Any:
    if type(xs) is Unknown:
        return xs
    return sum(1 for x in _list(xs, "count") if x is not None and type(x) is not Unknown)


def _minmax(name: str, pick: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    xs = args[0] if len(args) == 1 and type(args[0]) in (list, PList) else args
    if any(type(x) is Unknown or x is None for x in xs):
        return merge_unknown(*xs)
    if not xs:
        return Unknown(frozenset(), frozenset((f"{name}() of an empty list",)))
    dates = 0
    for x in xs:
        if type(x) is _dt.date:
            dates += 1
        else:
            _num(x, name)
    if 0 < dates < len(xs):   # Python cannot order a date against a number
        raise type_error(f"{name}() 不能同时比较日期和数字", f"{name}() cannot compare dates with numbers")
    return pick(xs)


def f_min(*args: Any) -> Any:
    return _minmax("min", min, args)


def f_max(*args: Any) -> Any:
    return _minmax("max", max, args)


def f_abs(x: Any) -> Any:
    return abs(_num(x, "abs"))


def _finite(x: Any, fname: str) -> Any:
    """A number that is not inf or NaN (a document can carry them only by mistake)."""
    _num(x, fname)
    if type(x) is float and not math.isfinite(x):
        raise type_error(f"{fname}() 需要有限的数字，得到 {x!r}", f"{fname}() needs a finite number, got {x!r}")
    return x


def f_round(x: Any, n: Any = 0) -> Any:
    _finite(x, "round")
    if type(n) is not int or not 0 <= n <= 10:
        raise type_error("round() 的位数须为 0 到 10 的整数", "round() digits must be an integer 0..10")
    if type(x) is float and abs(x) >= 2.0 ** 53:  # no fractional part left to round (and Decimal would overflow)
        return int(x) if n == 0 else x
    q = Decimal(1).scaleb(-n)
    r = Decimal(repr(x)).quantize(q, rounding=ROUND_HALF_UP)
    return int(r) if n == 0 else float(r)


def f_len(x: Any) -> Any:
    if type(x) in (str, list, PList, dict):
        return len(x)
    zh, en = type_name(x)
    raise type_error(f"len() 需要文字、列表或对象，得到{zh}", f"len() needs text, a list or an object, got {en}")


def f_present(x: Any) -> bool:
    return x is not None and type(x) is not Unknown


def f_is_int(x: Any) -> bool:
    t = type(x)
    return t is int or (t is float and x.is_integer())


def f_is_number(x: Any) -> bool:
    return is_number(x)


def f_is_text(x: Any) -> bool:
    return type(x) is str


def f_decimals(x: Any) -> int:
    return decimals_of(_finite(x, "decimals"))


def f_keys(x: Any) -> list[str]:
    if type(x) is not dict:
        zh, en = type_name(x)
        raise type_error(f"keys() 需要对象，得到{zh}", f"keys() needs an object, got {en}")
    return list(x)


def f_sorted(xs: Any) -> Any:
    xs = _list(xs, "sorted")
    if any(type(x) is Unknown or x is None for x in xs):
        return merge_unknown(*xs)
    types = set(map(type, xs))
    if bool in types and len(types) > 1:   # Python would order true among the numbers
        raise type_error("sorted() 的元素类型不一致", "sorted() needs elements of one type")
    try:
        return sorted(xs)
    except TypeError:
        raise type_error("sorted() 的元素类型不一致", "sorted() needs elements of one type") from None


def _hkey(x: Any) -> Any:
    """A hashable stand-in equal exactly when the language's == is: true is kept apart from 1."""
    t = type(x)
    if t is bool:
        return (_BOOL_TAG, x)
    if t is list or t is PList:
        return (_LIST_TAG, tuple(_hkey(e) for e in x))
    if t is dict:
        return (_DICT_TAG, frozenset((k, _hkey(v)) for k, v in x.items()))
    return x


_BOOL_TAG, _LIST_TAG, _DICT_TAG = object(), object(), object()


_DISTINCT_PLAIN = frozenset((int, float, str, _dt.date))


def f_distinct(xs: Any) -> list[Any]:
    if type(xs) is list and set(map(type, xs)) <= _DISTINCT_PLAIN:
        return list(dict.fromkeys(xs))   # no true/false among them: Python's == is the language's
    out: list[Any] = []
    seen: set[Any] = set()
    for x in _list(xs, "distinct"):
        k = _hkey(x)
        try:
            if k in seen:
                continue
            seen.add(k)
        except TypeError:   # an unhashable oddity (a plugin's set): kept, as distinct from all
            pass
        out.append(x)
    return out


def f_trim(s: Any) -> str:
    return _text(s, "trim").strip()


def f_text(x: Any) -> str:
    if type(x) is str:
        return x
    if type(x) is _dt.date:
        return x.isoformat()
    if type(x) is float and x.is_integer():
        return str(int(x))
    if type(x) is float and math.isfinite(x):
        t = f"{x:.{decimals_of(x)}f}"   # as written, without float noise: 0.1 + 0.2 → "0.3", 1e-07 → "0.0000001"
        return t[1:] if t[0] == "-" and float(t) == 0 else t
    if type(x) in (int, float):
        return repr(x)
    zh, en = type_name(x)
    raise type_error(f"text() 不能转换{zh}", f"text() cannot convert {en}")


# ------------------------------------------------------------------ text
def f_has(text: Any, needle: Any) -> bool:
    t = _text(text, "has")
    if type(needle) is str:
        return needle in t
    for n in _list(needle, "has"):
        if type(n) is str and n in t:
            return True
    return False


def f_matches(text: Any, pattern: re.Pattern[str]) -> bool:
    return pattern.search(_text(text, "matches")) is not None


_CATEGORY_RX = {"CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_SPACE": r"\s",
                "CATEGORY_NOT_SPACE": r"\S", "CATEGORY_WORD": r"\w", "CATEGORY_NOT_WORD": r"\W",
                "CATEGORY_LINEBREAK": r"\n", "CATEGORY_NOT_LINEBREAK": r"[^\n]"}
# characters a report's text is made of, to test whether two character sets can meet
_SAMPLE = "".join(map(chr, range(128))) + "政府信息公开年件申请无第一二三四五六七八九十。，、：；（）“”《》．０１２\u3000\u00a0"


_SAMPLE_SET = frozenset(_SAMPLE)


def _category_of(name: str, chars: frozenset[str]) -> frozenset[str]:
    rx = re.compile(_CATEGORY_RX[name])
    return frozenset(c for c in chars if rx.fullmatch(c))


@cache
def _sample_categories() -> dict[str, frozenset[str]]:
    return {name: _category_of(name, _SAMPLE_SET) for name in _CATEGORY_RX}


def regex_sequential_repeats(pattern: str) -> bool:
    """Whether the regex has two unbounded repetitions in a row that can share the same text
    (``.*.*``, ``.*,.*``, ``\\w+\\w+``): Python's re then backtracks in time growing with the cube
    of the text (minutes on one long section). A separator the first repetition cannot swallow
    (``\\s*无\\s*``, ``[0-9]+(,[0-9]{3})*``) makes it safe."""
    try:
        from re import _parser as sre  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - Python < 3.11
        import sre_parse as sre  # type: ignore[no-redef]
    try:
        tree = sre.parse(pattern)
    except Exception:  # noqa: BLE001 - re.compile decides what is a bad regex
        return False
    extra = frozenset(ch for ch in pattern if ord(ch) > 127)
    alphabet = _SAMPLE_SET | extra
    base = _sample_categories()
    cat_sets = {name: chars | _category_of(name, extra) for name, chars in base.items()} if extra else base
    repeats = {sre.MAX_REPEAT, sre.MIN_REPEAT}
    unbounded_hi = 16   # {m,n} with n - m at least this counts as unbounded

    def cls(items: Any) -> frozenset[str]:
        out: set[str] = set()
        neg = False
        for op, av in items:
            if op == sre.NEGATE:
                neg = True
            elif op == sre.LITERAL:
                out.add(chr(av))
            elif op == sre.RANGE:
                out.update(c for c in alphabet if av[0] <= ord(c) <= av[1])
            elif op == sre.CATEGORY:
                out |= cat_sets.get(str(av), alphabet)
            else:
                return alphabet
        return alphabet - out if neg else frozenset(out)

    def info(item: Any) -> tuple[frozenset[str], frozenset[str], bool]:
        """(characters it may consume, characters it may start with, may match empty)."""
        op, av = item
        if op == sre.LITERAL:
            c = frozenset(chr(av))
            return c, c, False
        if op == sre.NOT_LITERAL:
            c = alphabet - {chr(av)}
            return c, c, False
        if op == sre.ANY:
            return alphabet, alphabet, False
        if op == sre.IN:
            c = cls(av)
            return c, c, False
        if op in repeats or op == getattr(sre, "POSSESSIVE_REPEAT", None):
            lo, _hi, sub = av
            chars, first, empty = seq_info(sub)
            return chars, first, empty or lo == 0
        if op == sre.SUBPATTERN:
            return seq_info(av[-1])
        if op == getattr(sre, "ATOMIC_GROUP", None):
            return seq_info(av)
        if op == sre.BRANCH:
            parts = [seq_info(b) for b in av[1]]
            return (frozenset().union(*(p[0] for p in parts)), frozenset().union(*(p[1] for p in parts)),
                    any(p[2] for p in parts))
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            return frozenset(), frozenset(), True
        return alphabet, alphabet, False   # back-references and the like: anything

    def seq_info(items: Any) -> tuple[frozenset[str], frozenset[str], bool]:
        chars: set[str] = set()
        first: set[str] = set()
        empty = True
        for it in items:
            c, f, e = info(it)
            chars |= c
            if empty:
                first |= f
            empty = empty and e
        return frozenset(chars), frozenset(first), empty

    def unbounded(item: Any) -> bool:
        op, av = item
        if op == sre.BRANCH:   # (a|b.*) ends like b.* may: count it as a repetition
            return any(unbounded(x) for b in av[1] for x in flat(b))
        if op not in repeats:
            return False
        lo, hi, _sub = av
        return hi == sre.MAXREPEAT or hi - lo >= unbounded_hi

    def flat(items: Any) -> list[Any]:
        # a group is transparent in the sequence it sits in: (x.*)(y.*) is x.*y.*
        out: list[Any] = []
        for it in items:
            if it[0] == sre.SUBPATTERN:
                out.extend(flat(it[1][-1]))
            else:
                out.append(it)
        return out

    def risky(items: Any) -> bool:
        reach: frozenset[str] | None = None   # what the repetitions of the current run can swallow
        for it in flat(items):
            op, av = it
            # look inside groups, branches and repetitions for runs of their own
            if op == sre.SUBPATTERN and risky(av[-1]):
                return True
            if op == sre.BRANCH and any(risky(b) for b in av[1]):
                return True
            if op in repeats and risky(av[2]):
                return True
            chars, first, empty = info(it)
            if unbounded(it):
                if reach is not None and reach & first:
                    return True
                reach = chars
            elif empty:
                continue   # optional or zero-width: the run goes on past it
            elif reach is not None and reach & first:
                reach |= chars   # the repetition can swallow it, so the run goes on
            else:
                reach = None
        return False

    return risky(tree)


_BROAD = frozenset("政府。，")   # a class with CJK letters and punctuation runs across whole sentences


def regex_leading_repeat(pattern: str) -> bool:
    """Whether an unanchored regex begins with an unbounded repetition of a broad class and goes on
    (``.*X``, ``[\\s\\S]*?X``): search() restarts it at every character, so a long section costs the
    square of its length — and matches() searches anywhere anyway, so the leading part adds nothing."""
    try:
        from re import _parser as sre  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - Python < 3.11
        import sre_parse as sre  # type: ignore[no-redef]
    try:
        items = list(sre.parse(pattern))
    except Exception:  # noqa: BLE001 - re.compile decides what is a bad regex
        return False
    while items and items[0][0] == sre.SUBPATTERN and len(items) == 1:
        items = list(items[0][1][-1])    # ((.*X)) is .*X
    if len(items) < 2 or items[0][0] not in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
        return False
    _lo, hi, sub = items[0][1]
    if hi != sre.MAXREPEAT or len(sub) != 1:
        return False
    op, av = sub[0]
    if op == sre.ANY:
        return True
    if op == sre.IN:
        return all(_class_has(av, c) for c in _BROAD)
    return op == sre.NOT_LITERAL


def _class_has(av: Any, ch: str) -> bool:
    """Whether the parsed character class ``[...]`` matches the character ``ch``."""
    from re import _parser as sre  # type: ignore[attr-defined]

    neg, hit = False, False
    for op, a in av:
        if op == sre.NEGATE:
            neg = True
        elif op == sre.LITERAL:
            hit = hit or chr(a) == ch
        elif op == sre.RANGE:
            hit = hit or a[0] <= ord(ch) <= a[1]
        elif op == sre.CATEGORY:
            hit = hit or bool(_category_of(str(a), frozenset(ch))) if str(a) in _CATEGORY_RX else True
        else:
            return True   # anything else: assume it may match
    return hit != neg


def _bigrams(s: str) -> Counter[str]:
    s = "".join(s.split())
    return Counter(s[i:i + 2] for i in range(len(s) - 1))


def f_similarity(a: Any, b: Any) -> float:
    """Dice coefficient over character bigrams (whitespace ignored); 1.0 for two empty texts."""
    ga, gb = _bigrams(_text(a, "similarity")), _bigrams(_text(b, "similarity"))
    na, nb = sum(ga.values()), sum(gb.values())
    if na + nb == 0:
        return 1.0 if "".join(a.split()) == "".join(b.split()) else 0.0
    return 2 * sum((ga & gb).values()) / (na + nb)


# ------------------------------------------------------------------ dates
def f_date(*args: Any) -> Any:
    if len(args) == 1:
        if type(args[0]) is _dt.date:
            return args[0]
        d = parse_date(_text(args[0], "date"))
        if d is None:
            raise type_error(f"不是有效日期：{args[0]!r}（应为 YYYY-MM-DD）",
                             f"not a valid date: {args[0]!r} (expected YYYY-MM-DD)")
        return d
    if len(args) != 3:
        raise type_error("date() 需要 1 个或 3 个参数", "date() takes 1 or 3 arguments")
    y, m, d = (_num(a, "date") for a in args)
    try:
        if (type(y) is not int or type(m) is not int or type(d) is not int) \
                and not (float(y).is_integer() and float(m).is_integer() and float(d).is_integer()):
            raise ValueError   # date(2024, 2.5, 1) is no day
        return _dt.date(int(y), int(m), int(d))
    except (ValueError, OverflowError):
        raise type_error(f"不是有效日期：{y}-{m}-{d}", f"not a valid date: {y}-{m}-{d}") from None


def f_year(d: Any) -> Any:
    v = as_date(d, "year")
    return v if type(v) is Unknown else v.year


def f_month(d: Any) -> Any:
    v = as_date(d, "month")
    return v if type(v) is Unknown else v.month


def f_day(d: Any) -> Any:
    v = as_date(d, "day")
    return v if type(v) is Unknown else v.day


def f_label(p: Any) -> str:
    return canon.label_of(_text(p, "label"))


# ------------------------------------------------------------------ document helpers
def _doc_and_prefix(ctx: Any, doc: Any) -> tuple[Any, str]:
    if doc is None or doc is ctx.doc:
        return ctx.doc, ""
    if doc is ctx.prev:
        return doc, "prev:"
    return doc, "?"


def _sections(doc: Any) -> list[Any]:
    s = doc.get("sections") if type(doc) is dict else None
    return s if type(s) is list else []


def _section_at(ctx: Any, secs: list[Any], n: Any) -> tuple[int, Any] | None:
    """(index, section) of the first section numbered ``n``; with the engine's per-document cache
    an index by number is built once (the first of equal numbers wins, as the plain scan does)."""
    sh = ctx.shared
    if sh is not None and secs:
        key = ("sections", id(secs))
        hit = sh.get(key)
        if hit is None or hit[0] is not secs:
            idx: dict[Any, tuple[int, Any]] | None = {}
            try:
                for i, s in enumerate(secs):
                    if type(s) is dict:
                        num = s.get("number")
                        if num != num:       # NaN equals nothing: the index must not find it
                            continue
                        if num not in idx:   # type: ignore[operator]
                            idx[num] = (i, s)   # type: ignore[index]
            except TypeError:                # an unhashable number: scan instead
                idx = None
            hit = sh[key] = (secs, idx)
        idx = hit[1]
        if idx is not None:
            try:
                return idx.get(n)
            except TypeError:
                pass
    for i, s in enumerate(secs):
        if type(s) is dict and s.get("number") == n:
            return i, s
    return None


def _section_no(n: Any, fname: str) -> Any:
    # as the compiler asks of a literal: a whole number (true is not section 1, "1" not section 1)
    if type(n) is int or (type(n) is float and n.is_integer()):
        return n
    zh, en = type_name(n)
    raise type_error(f"{fname}() 的章节号须为整数，得到{zh} {n!r}", f"{fname}() needs a whole section number, got {en} {n!r}")


def f_section(ctx: Any, n: Any, doc: Any = None) -> str:
    if type(n) is not int:
        n = _section_no(n, "section")
    d, prefix = _doc_and_prefix(ctx, doc)
    hit = _section_at(ctx, _sections(d), n)
    if hit is not None:
        i, s = hit
        if ctx.rec:
            ctx.reads.append(f"{prefix}/sections/{i}/text")
        t = s.get("text")
        return t if type(t) is str else ""
    return ""


def f_section_title(ctx: Any, n: Any, doc: Any = None) -> Any:
    if type(n) is not int:
        n = _section_no(n, "section_title")
    d, prefix = _doc_and_prefix(ctx, doc)
    hit = _section_at(ctx, _sections(d), n)
    if hit is not None:
        i, s = hit
        t = s.get("title")
        if ctx.rec or type(t) is not str:
            ptr = f"{prefix}/sections/{i}/title"
            if ctx.rec:
                ctx.reads.append(ptr)
            if type(t) is not str:
                return Unknown(frozenset((ptr,)))
        return t
    return Unknown(frozenset(), frozenset((f"section {n} is absent",)))


def f_section_numbers(ctx: Any, doc: Any = None) -> list[Any]:
    d, prefix = _doc_and_prefix(ctx, doc)
    if ctx.rec:
        ctx.reads.append(f"{prefix}/sections")
    secs = _sections(d)
    sh = ctx.shared
    if sh is not None:
        key = ("section_numbers", id(secs))
        hit = sh.get(key)
        if hit is None or hit[0] is not secs:
            hit = sh[key] = (secs, [s.get("number") for s in secs if type(s) is dict])
        return list(hit[1])   # a copy: the caller owns its list
    return [s.get("number") for s in secs if type(s) is dict]


_ROW_ORDER: dict[str, int] = {}
for _i, _r in enumerate((*canon.REQUEST_ROWS_2021, *canon.REQUEST_ROWS_2019)):
    _ROW_ORDER.setdefault("/" + _r.path.replace(".", "/"), _i)
_COLS = frozenset(canon.REQUEST_COLUMNS)
_COL_LIST = list(canon.REQUEST_COLUMNS)


_NESTED = frozenset((dict, list))
_DICT_ONLY = frozenset((dict,))


def _is_row(obj: dict[str, Any]) -> bool:
    # no nested object or list among the values, and at least one table-三 column
    return _NESTED.isdisjoint(map(type, obj.values())) and not _COLS.isdisjoint(obj)


def _collect_rows(obj: Any, ptr: str, out: list[tuple[Any, str]], depth: int, cut: list[bool] | None = None) -> None:
    if type(obj) is not dict or depth > 8:
        return
    if _NESTED.isdisjoint(map(type, obj.values())) and not _COLS.isdisjoint(obj):
        out.append((obj, ptr))
        return
    if depth == 8:    # children would be deeper than the walk goes
        if cut is not None:
            cut[0] = True
        return
    for k, v in obj.items():
        if type(v) is dict and k != "labels":
            cptr = ptr + "/" + k if type(k) is str else f"{ptr}/{k}"
            if _NESTED.isdisjoint(map(type, v.values())) and not _COLS.isdisjoint(v):
                out.append((v, cptr))   # a row child: what the call below would do, without the call
            else:
                _collect_rows(v, cptr, out, depth + 1, cut)


class _Shape:
    """Table 三 exactly as a template lays it out (``requests`` of the 2021 or 2019 format): the
    tables between the top and the rows with their key sets, and the rows in the order rows() sorts
    them into, as key paths and pointer tails."""

    __slots__ = ("inner", "rows", "tails", "subs")

    def __init__(self, specs: tuple[Any, ...]) -> None:
        paths = [tuple(s.path.split(".")[1:]) for s in specs]
        inner: dict[tuple[str, ...], dict[str, None]] = {}
        for p in paths:
            for i in range(len(p)):
                inner.setdefault(p[:i], {})[p[i]] = None
        # parents first, so that each table's own table is checked (and fetched) before it
        self.inner = [(p, frozenset(ks)) for p, ks in sorted(inner.items(), key=lambda kv: len(kv[0]))]
        order = sorted(paths, key=lambda p: _ROW_ORDER.get("/requests/" + "/".join(p), 10_000))
        self.rows = [(p[:-1], p[-1]) for p in order]
        self.tails = ["/" + "/".join(p) for p in order]
        # a sub-table's rows (``requests.results``): those whose tail is "/k" or under "/k/", as a
        # slice when they are consecutive (they are, in template order)
        self.subs: dict[str, tuple[int, int]] = {}
        for k in inner[()]:
            idx = [i for i, t in enumerate(self.tails) if t == "/" + k or t.startswith("/" + k + "/")]
            if idx and idx == list(range(idx[0], idx[-1] + 1)):
                self.subs[k] = (idx[0], idx[-1] + 1)


_SHAPES = (_Shape(canon.REQUEST_ROWS_2021), _Shape(canon.REQUEST_ROWS_2019))
_SHAPE_PTRS = frozenset(("/requests", "prev:/requests"))   # where rows() sorts by template order


def _shaped_rows(obj: dict[Any, Any], ptr: str) -> tuple[PList, _Shape, list[Any], set[type]] | None:
    """rows() of a table 三 laid out exactly as a template: the walk's answer without the walk.

    Every table on the way has exactly the template's keys, each of them a table, and each row
    is an object of plain values with a column: the walk then finds exactly the template's rows
    (no other object to go into, none cut off at depth 8), and sorting them by template order
    gives the template's order (their ranks all differ). Anything else: None, and the walk runs.
    Also gives every row's values, row by row, and their types."""
    for shape in _SHAPES:
        tables: dict[tuple[str, ...], Any] = {}
        for path, keys in shape.inner:
            t = tables[path[:-1]][path[-1]] if path else obj
            if type(t) is not dict or t.keys() != keys:
                break
            tables[path] = t
        else:
            rows = [tables[p][k] for p, k in shape.rows]
            if set(map(type, rows)) <= _DICT_ONLY:
                vals = list(chain.from_iterable(map(dict.values, rows)))
                types = set(map(type, vals))
                if _NESTED.isdisjoint(types) and not any(map(_COLS.isdisjoint, rows)):
                    return PList(rows, [ptr + t for t in shape.tails]), shape, vals, types
    return None


def _order_key(rp: tuple[Any, str]) -> int:
    # Template order; rows that the template does not know keep their place after the known ones.
    ptr = rp[1]
    return _ROW_ORDER.get(ptr[5:] if ptr.startswith("prev:") else ptr, 10_000)


def _plain_order_key(rp: tuple[Any, str]) -> int:
    return _ROW_ORDER.get(rp[1], 10_000)


def f_rows(ctx: Any, args: list[Any], ptrs: list[str | None]) -> PList:
    sh = ctx.shared
    if sh is not None:   # the engine's per-document cache: rows are found once for all rules
        obj, ptr = args[0], ptrs[0]
        key = ("rows()", ptr, id(obj))
        hit = sh.get(key)
        if hit is None:
            hit = _sub_rows(sh, obj, ptr)
            if hit is None:
                shaped = _shaped_rows(obj, ptr) if ptr in _SHAPE_PTRS and type(obj) is dict else None
                if shaped is not None:
                    hit, shape, vals, types = shaped
                    sh[("rows-walk", ptr)] = (obj, hit, shape)
                    if list(chain.from_iterable(hit)) == _COL_LIST * len(hit):
                        # every row has the columns in canon order: its values are the cells rows × columns
                        sh[("rowvals", id(hit))] = (hit, _COL_LIST, vals, types)
                else:
                    cut = [False]
                    hit = _rows(obj, ptr, cut)
                    if ptr and not cut[0] and type(obj) is dict:
                        sh[("rows-walk", ptr)] = (obj, hit, None)
            sh[key] = hit
        return hit
    obj, ptr = args[0], ptrs[0]
    shaped = _shaped_rows(obj, ptr) if ptr in _SHAPE_PTRS and type(obj) is dict else None
    return shaped[0] if shaped is not None else _rows(obj, ptr)


def _sub_rows(sh: dict[Any, Any], obj: Any, ptr: str | None) -> PList | None:
    """The rows of a sub-table (``requests.results``) taken from its parent's rows (``requests``)
    when those were found already this document, in the same order; None when they were not."""
    if not ptr or type(obj) is not dict or "~" in ptr:
        return None
    parent, _, k = ptr.rpartition("/")
    if not k or k == "labels":
        return None
    walk = sh.get(("rows-walk", parent))
    if walk is None or type(walk[0]) is not dict or walk[0].get(k) is not obj:
        return None
    rows = walk[1]
    shape = walk[2]
    if shape is not None and k in shape.subs:
        # the template's rows under k are a run of consecutive rows (the selection below, by slicing)
        a, b = shape.subs[k]
        sub = PList(rows[a:b], rows.ptrs[a:b])
        _pass_vals(sh, rows, sub, a, b)
        return sub
    head = ptr + "/"
    rp = rows.ptrs
    # p == ptr or p.startswith(head), i.e. (p + "/").startswith(head), for every row at once
    sel = list(map(str.startswith, map(operator.add, rp, repeat("/")), repeat(head)))
    return PList(list(compress(rows, sel)), list(compress(rp, sel)))


_INT_TYPES = frozenset((int,))


def _pass_vals(sh: dict[Any, Any], rows: PList, sub: PList, a: int, b: int) -> None:
    """Hand on rows()'s cells (rowvals) to ``sub`` = ``rows[a:b]`` when they are all integers (the
    types of a part are then known without looking)."""
    pre = sh.get(("rowvals", id(rows)))
    if pre is not None and pre[0] is rows and pre[3] == _INT_TYPES and b > a:
        n = len(pre[1])
        sh[("rowvals", id(sub))] = (sub, pre[1], pre[2][a * n:b * n], _INT_TYPES)


def _rows(obj: Any, ptr: str | None, cut: list[bool] | None = None) -> PList:
    out: list[tuple[Any, str]] = []
    _collect_rows(obj, ptr or "", out, 0, cut)
    out.sort(key=_order_key if ptr and ptr.startswith("prev:") else _plain_order_key)
    return PList(list(map(_first, out)), list(map(_second, out)))


def f_detail_rows(ctx: Any, args: list[Any], ptrs: list[str | None]) -> PList:
    sh = ctx.shared
    if sh is not None:
        key = ("detail_rows()", ptrs[0], id(args[0]))
        hit = sh.get(key)
        if hit is None:
            hit = sh[key] = _detail_rows(ctx, args, ptrs)
        return hit
    return _detail_rows(ctx, args, ptrs)


_TOTALS = ("/total", "/subtotal")
_STR_ONLY = frozenset((str,))
_first = operator.itemgetter(0)
_second = operator.itemgetter(1)


def _detail_rows(ctx: Any, args: list[Any], ptrs: list[str | None]) -> PList:
    rows = f_rows(ctx, args, ptrs)
    rp = rows.ptrs
    if rp is not None and len(rp) == len(rows) and set(map(type, rp)) <= _STR_ONLY:
        # every pointer a text (as rows() makes them): the selection below, in C
        sel = list(map(operator.not_, map(str.endswith, rp, repeat(_TOTALS))))
        out = PList(list(compress(rows, sel)), list(compress(rp, sel)))
        if ctx.shared is not None and out and ("rowvals", id(rows)) in ctx.shared:
            a = sel.index(True)
            if sel.count(True) == len(sel) - a - sel[::-1].index(True):   # the rows kept are consecutive
                _pass_vals(ctx.shared, rows, out, a, a + len(out))
        return out
    keep = [i for i, p in enumerate(rows.ptrs or []) if not (p or "").endswith(_TOTALS)]
    return PList([rows[i] for i in keep], [rows.ptrs[i] for i in keep] if rows.ptrs is not None else None)


BUILTINS: dict[str, Builtin] = {
    "sum": Builtin(f_sum, 1, 1, "loose", doc="sum(list) / sum(E for x in C if P)"),
    "count": Builtin(f_count, 1, 1, "loose", doc="count(list): elements that are not blank"),
    "min": Builtin(f_min, 1, None, "loose", doc="min(list) / min(a, b, …)"),
    "max": Builtin(f_max, 1, None, "loose", doc="max(list) / max(a, b, …)"),
    "abs": Builtin(f_abs, 1, 1, doc="abs(x)"),
    "round": Builtin(f_round, 1, 2, doc="round(x, n): half up"),
    "len": Builtin(f_len, 1, 1, doc="len(text | list | object)"),
    "present": Builtin(f_present, 1, 1, "loose", doc="present(x): neither blank nor absent"),
    "is_int": Builtin(f_is_int, 1, 1, doc="is_int(x)"),
    "is_number": Builtin(f_is_number, 1, 1, doc="is_number(x)"),
    "is_text": Builtin(f_is_text, 1, 1, doc="is_text(x)"),
    "decimals": Builtin(f_decimals, 1, 1, doc="decimals(x): decimal places as written"),
    "keys": Builtin(f_keys, 1, 1, doc="keys(object)"),
    "sorted": Builtin(f_sorted, 1, 1, doc="sorted(list)"),
    "distinct": Builtin(f_distinct, 1, 1, doc="distinct(list): without repeats, in order"),
    "trim": Builtin(f_trim, 1, 1, doc="trim(text)"),
    "text": Builtin(f_text, 1, 1, doc="text(x): number or date as text"),
    "has": Builtin(f_has, 2, 2, cost=2, doc='has(text, "s") / has(text, ["a", "b"])'),
    "matches": Builtin(f_matches, 2, 2, cost=4, doc='matches(text, "regex literal")'),
    "similarity": Builtin(f_similarity, 2, 2, cost=20, doc="similarity(a, b): 0..1"),
    "fuzzy_eq": Builtin(f_similarity, 2, 2, cost=20, doc="fuzzy_eq(a, b): 0..1"),
    "date": Builtin(f_date, 1, 3, doc='date(y, m, d) / date("2025-01-31")'),
    "year": Builtin(f_year, 1, 1, doc="year(date)"),
    "month": Builtin(f_month, 1, 1, doc="month(date)"),
    "day": Builtin(f_day, 1, 1, doc="day(date)"),
    "label": Builtin(f_label, 1, 1, doc="label(pointer): official Chinese label"),
    "section": Builtin(f_section, 1, 2, "ctx", pure=False, doc='section(n) / section(n, prev): text, "" if absent'),
    "section_title": Builtin(f_section_title, 1, 2, "ctx", pure=False, doc="section_title(n)"),
    "section_numbers": Builtin(f_section_numbers, 0, 1, "ctx", pure=False, doc="section_numbers()"),
    "rows": Builtin(f_rows, 1, 1, "located", cost=5, pure=False, doc="rows(x): every table-三 row under x"),
    "detail_rows": Builtin(f_detail_rows, 1, 1, "located", cost=5, pure=False,
                           doc="detail_rows(x): rows(x) without total/subtotal rows"),
}
