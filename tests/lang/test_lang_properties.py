"""Property tests: random expressions never crash the compiler or evaluator, and compiled
results agree with a small tree-walking reference evaluator written here."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gipcheck.lang import LangError, compile_expression, is_unknown

COLS = ["natural_person", "commercial", "research", "total"]
DOC = {"requests": {"new": {"natural_person": 3, "commercial": None, "research": 0, "total": 7},
                    "carried_over": {"natural_person": -2, "total": 5}}}
U = "U"   # the reference evaluator's UNKNOWN


def cell(row: str, col: str) -> Any:
    v = DOC["requests"].get(row, {}).get(col)
    return U if v is None else v


# ---- expression trees: ("num", n) ("path", row, col) ("null",) ("bin", op, a, b) ("neg", a)
#      ("cmp", op, a, b) ("bool", b) ("and"/"or", a, b) ("not", a) ("if", c, a, b) ("coal", a, b)
#      ("present", a) ("all", cmpop, k)  — all c in COLS: requests.new[c] cmpop k
nums = st.deferred(lambda: st.one_of(
    st.builds(lambda n: ("num", n), st.integers(0, 99)),
    st.builds(lambda r, c: ("path", r, c), st.sampled_from(["new", "carried_over"]), st.sampled_from(COLS)),
    st.just(("null",)),
    st.builds(lambda op, a, b: ("bin", op, a, b), st.sampled_from(["+", "-", "*", "/"]), nums, nums),
    st.builds(lambda a: ("neg", a), nums),
    st.builds(lambda a, b: ("coal", a, b), nums, nums),
    st.builds(lambda c, a, b: ("if", c, a, b), bools, nums, nums),
))
bools = st.deferred(lambda: st.one_of(
    st.builds(lambda b: ("bool", b), st.booleans()),
    st.builds(lambda op, a, b: ("cmp", op, a, b), st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), nums, nums),
    st.builds(lambda a, b: ("and", a, b), bools, bools),
    st.builds(lambda a, b: ("or", a, b), bools, bools),
    st.builds(lambda a: ("not", a), bools),
    st.builds(lambda a: ("present", a), nums),
    st.builds(lambda op, k: ("all", op, k), st.sampled_from(["==", ">=", "<"]), st.integers(-1, 8)),
))


def render(t: tuple) -> str:
    k = t[0]
    if k == "num":
        return str(t[1])
    if k == "path":
        return f"requests.{t[1]}.{t[2]}"
    if k == "null":
        return "null"
    if k == "bool":
        return "true" if t[1] else "false"
    if k in ("bin", "cmp"):
        return f"({render(t[2])} {t[1]} {render(t[3])})"
    if k == "neg":
        return f"(-{render(t[1])})"
    if k == "coal":
        return f"({render(t[1])} ?? {render(t[2])})"
    if k == "if":
        return f"(if {render(t[1])} then {render(t[2])} else {render(t[3])})"
    if k in ("and", "or"):
        return f"({render(t[1])} {k} {render(t[2])})"
    if k == "not":
        return f"(not {render(t[1])})"
    if k == "present":
        return f"present({render(t[1])})"
    if k == "all":
        return f"(all c in {COLS!r}: requests.new[c] {t[1]} {t[2]})".replace("'", '"')
    raise AssertionError(k)


def ref(t: tuple) -> Any:
    k = t[0]
    if k == "num":
        return t[1]
    if k == "path":
        return cell(t[1], t[2])
    if k == "null":
        return U
    if k == "bool":
        return t[1]
    if k == "bin":
        a, b = ref(t[2]), ref(t[3])
        if a == U or b == U:
            return U
        op = t[1]
        if op == "/":
            return U if b == 0 else a / b
        return a + b if op == "+" else a - b if op == "-" else a * b
    if k == "neg":
        a = ref(t[1])
        return U if a == U else -a
    if k == "coal":
        a = ref(t[1])
        return ref(t[2]) if a == U else a
    if k == "if":
        c = ref(t[1])
        return U if c == U else ref(t[2]) if c else ref(t[3])
    if k == "cmp":
        if ("null",) in (t[2], t[3]):
            # `x == null` / `x != null` test presence; ordering against null is refused at load time
            if t[1] not in ("==", "!="):
                raise NullOrdering
            other = t[3] if t[2] == ("null",) else t[2]
            return (ref(other) == U) == (t[1] == "==")
        return compare(t[1], ref(t[2]), ref(t[3]))
    if k == "and":
        a, b = ref(t[1]), ref(t[2])
        return False if a is False or b is False else (True if a is True and b is True else U)
    if k == "or":
        a, b = ref(t[1]), ref(t[2])
        return True if a is True or b is True else (False if a is False and b is False else U)
    if k == "not":
        a = ref(t[1])
        return U if a == U else not a
    if k == "present":
        return ref(t[1]) != U
    if k == "all":
        results = [compare(t[1], cell("new", c), t[2]) for c in COLS]
        return False if False in results else (U if U in results else True)
    raise AssertionError(k)


class NullOrdering(Exception):
    pass


def has_null_ordering(t: Any) -> bool:
    if not isinstance(t, tuple):
        return False
    if t[0] == "cmp" and t[1] not in ("==", "!=") and ("null",) in (t[2], t[3]):
        return True
    return any(has_null_ordering(x) for x in t[1:])


def compare(op: str, a: Any, b: Any) -> Any:
    if a == U or b == U:
        return U
    return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def same(got: Any, want: Any) -> bool:
    if want == U:
        return is_unknown(got)
    if isinstance(want, bool) or isinstance(got, bool):
        return got is want
    return abs(got - want) <= 1e-9 * max(1.0, abs(want))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(nums, bools))
def test_compiled_agrees_with_reference(tree: tuple) -> None:
    text = render(tree)
    try:
        compiled = compile_expression(text)
    except LangError as e:
        # only the load-time limits and ordering against a literal null refuse a well-formed expression
        assert e.code in ("TOO_DEEP", "TOO_LONG") or (e.code == "TYPE" and has_null_ordering(tree)), (text, e)
        return
    assert not has_null_ordering(tree), text
    outcome = compiled.evaluate(DOC)
    assert outcome.status != "error" or outcome.error.code == "NOT_BOOLEAN", (text, outcome.error)
    assert same(outcome.value, ref(tree)), (text, outcome.value, ref(tree))


TOKENS = ["requests", ".", "new", "total", "[", "]", "(", ")", "c", "all", "any", "in", ":", "columns", "+", "-",
          "*", "/", "==", "<", "and", "or", "not", "if", "then", "else", "1", "0.5", '"x"', "null", "true", "sum",
          "for", "??", "~=", "within", ",", "present", "rows", "[*]", "prev", "（", "=", "**", "__class__", "#", "\n"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=25))
def test_random_token_soup_never_crashes(tokens: list[str]) -> None:
    text = " ".join(tokens)
    try:
        compiled = compile_expression(text)
    except LangError as e:
        assert e.code and e.line is not None and e.col is not None and e.zh and e.en
        assert e.render("zh") and e.render("en")
        return
    outcome = compiled.evaluate(DOC, prev=DOC, budget=10_000)
    assert outcome.status in ("pass", "fail", "unknown", "error")
