"""The Python API of gipcheck.lang: positions in YAML files, rendering, plugins, caching, seeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from gipcheck.errors import RuleError
from gipcheck.lang import UNKNOWN, FunctionSpec, LangError, compile_expression, is_unknown

SHARED = Path(__file__).resolve().parents[2].parent / "shared"

RULE_FILE = """\
id: T3-COL-BALANCE
title: {zh: 表三第一项加第二项等于第三项加第四项, en: Table 3 balance}
expr: |
  all c in columns: requests.new[c] + requests.carried_over[c]
                    == requests.results.total[c] ＋ requests.carry_forward[c]
message: {zh: "表三“{c}”列"}
"""


def _expr_origin(text: str, key: str = "expr") -> tuple[str, tuple[str, int, int, int]]:
    """The expression of a YAML rule and where its first character is (block scalar aware)."""
    node = yaml.compose(text)
    for k, v in node.value:
        if k.value == key:
            lines = text.split("\n")
            if v.style in ("|", ">"):
                first = v.start_mark.line + 1                       # 0-based line of the first content line
                indent = len(lines[first]) - len(lines[first].lstrip(" "))
                return v.value, ("rules/t3.yaml", first + 1, indent + 1, indent)
            return v.value, ("rules/t3.yaml", v.start_mark.line + 1, v.start_mark.column + 1, 0)
    raise KeyError(key)


def test_block_scalar_error_maps_to_file_line_and_column() -> None:
    expr, origin = _expr_origin(RULE_FILE)
    with pytest.raises(LangError) as ei:
        compile_expression(expr, origin=origin, source_text=RULE_FILE)
    e = ei.value
    assert isinstance(e, RuleError)
    assert (e.code, e.file, e.line, e.col) == ("SYNTAX", "rules/t3.yaml", 5, 50)
    assert RULE_FILE.split("\n")[4][49] == "＋"
    rendered = e.render("zh").split("\n")
    assert rendered[0] == "rules/t3.yaml:5:50: 不能使用全角符号“＋”"
    assert rendered[1] == "    " + RULE_FILE.split("\n")[4]
    # every character before the caret is ASCII here: 49 columns after the 4-space margin
    assert rendered[2] == " " * (4 + 49) + "^"
    assert rendered[3].startswith("提示：") and "+" in rendered[3]


def test_caret_lines_up_under_chinese_text() -> None:
    text = 'expr: has(section(6), "信息处理费") and meta.yaer == 2024\n'
    expr, origin = _expr_origin(text)
    with pytest.raises(LangError) as ei:
        compile_expression(expr, origin=origin, source_text=text)
    e = ei.value
    assert (e.code, e.line, e.col) == ("UNKNOWN_PATH", 1, 41)
    assert text[40:44] == "yaer"
    caret = e.render().split("\n")[2]
    # 5 Chinese characters are two columns wide each: 40 characters before → 45 display columns
    assert caret == " " * (4 + 45) + "^"
    assert "是否想写 `year`" in e.render("zh") and "did you mean `year`?" in e.render("en")


def test_plain_scalar_second_line_without_indent_keeps_expression_columns() -> None:
    with pytest.raises(LangError) as ei:
        compile_expression("meta.year == 2024\nand 1 = 1", origin=("f.yaml", 7, 7))
    assert (ei.value.line, ei.value.col, ei.value.expr_line, ei.value.expr_col) == (8, 7, 2, 7)


def test_let_errors_point_into_their_own_node() -> None:
    lets = {"base": {"expr": "requests.nw.total", "origin": ("pack.yaml", 3, 9)}}
    with pytest.raises(LangError) as ei:
        compile_expression("base > 0", lets=lets, origin=("r.yaml", 10, 7))
    e = ei.value
    assert (e.code, e.file, e.line, e.col, e.let) == ("UNKNOWN_PATH", "pack.yaml", 3, 18, "base")


def test_let_cycle_names_the_cycle() -> None:
    with pytest.raises(LangError) as ei:
        compile_expression("a > 0", lets={"a": "b + 1", "b": "a - 1"})
    assert ei.value.code == "LET_CYCLE" and "a → b → a" in ei.value.en


def test_compilation_is_cached() -> None:
    a = compile_expression("requests.new.total >= 0", lets={"x": "1"})
    b = compile_expression("requests.new.total >= 0", lets={"x": "1"})
    c = compile_expression("requests.new.total >= 0", lets={"x": "2"})
    assert a is b and a is not c


def test_outcome_of_fail_pass_unknown() -> None:
    doc = {"requests": {"new": {"total": 5, "natural_person": None}}}
    fail = compile_expression("requests.new.total == 6").evaluate(doc)
    assert fail.status == "fail" and fail.value is False
    (ev,) = fail.evidence
    assert (ev.left, ev.right, ev.diff, ev.op, ev.reads) == (5, 6, -1, "==", ["/requests/new/total"])
    unk = compile_expression("requests.new.natural_person == 6").evaluate(doc)
    assert unk.status == "unknown" and unk.value is UNKNOWN and unk.missing == ["/requests/new/natural_person"]
    assert compile_expression("requests.new.total == 5").evaluate(doc).status == "pass"


def test_prev_reads_are_marked() -> None:
    doc = {"requests": {"carried_over": {"total": 3}}}
    prev = {"requests": {"carry_forward": {"total": 4}}}
    o = compile_expression("requests.carried_over.total == prev.requests.carry_forward.total").evaluate(doc, prev=prev)
    assert o.status == "fail"
    assert o.evidence[0].reads == ["/requests/carried_over/total", "prev:/requests/carry_forward/total"]


def test_plugin_functions_and_their_failures() -> None:
    def boom(x: object) -> object:
        raise ValueError("bad input")

    fns = {"double": FunctionSpec(lambda x: x * 2, 1, 1, 1, "double(x)"), "boom": FunctionSpec(boom, 1, 1)}
    assert compile_expression("double(meta.year) == 4048", functions=fns).evaluate({"meta": {"year": 2024}}).passed
    o = compile_expression("boom(1) == 1", functions=fns).evaluate({})
    assert o.status == "error" and o.error.code == "PLUGIN" and "boom()" in o.error.en
    # a missing argument never reaches the plugin
    assert compile_expression("boom(meta.year) == 1", functions=fns).evaluate({}).status == "unknown"
    with pytest.raises(LangError) as ei:
        compile_expression("double(1, 2)", functions=fns)
    assert ei.value.code == "ARITY" and "double(x)" in (ei.value.hint_en or "")


def test_evaluate_never_raises_on_odd_documents() -> None:
    exprs = ["all r in rows(requests): r.total >= 0", "requests.new.total + 1 > 0", 'has(section(6), "费")',
             "sum(x for x in requests.new[*]) >= 0", "meta.published <= date(meta.year + 1, 1, 31)"]
    docs = [None, [], "text", 5, {"requests": []}, {"requests": {"new": "x"}}, {"sections": {"a": 1}},
            {"meta": {"year": "2024", "published": 20250101}}, {"requests": {"new": {"total": [1]}}}]
    for e in exprs:
        c = compile_expression(e)
        for d in docs:
            o = c.evaluate(d)
            assert o.status in ("pass", "fail", "unknown", "error")


def test_shared_cache_computes_lets_once() -> None:
    calls = []

    def spy(x: object) -> object:
        calls.append(x)
        return x

    fns = {"spy": FunctionSpec(spy, 1, 1)}
    lets = {"t": "spy(requests.new.total)"}
    a = compile_expression("t > 0", lets=lets, functions=fns)
    b = compile_expression("t < 100", lets=lets, functions=fns)
    shared: dict = {}
    doc = {"requests": {"new": {"total": 5}}}
    assert a.evaluate(doc, shared=shared).passed and b.evaluate(doc, shared=shared).passed
    assert calls == [5]


def test_unknown_has_no_truth_value() -> None:
    with pytest.raises(TypeError):
        bool(UNKNOWN)
    assert is_unknown(UNKNOWN) and UNKNOWN == compile_expression("null ?? null").evaluate({}).value


@pytest.fixture(scope="module")
def seed_documents() -> list[tuple[str, dict]]:
    folder = SHARED / "seeds" / "expected"
    if not folder.is_dir():
        pytest.skip("../shared/seeds is not beside the checkout")
    return [(p.name, json.loads(p.read_text(encoding="utf-8"))["document"]) for p in sorted(folder.glob("*.json"))]


def test_table_three_arithmetic_on_the_seeds(seed_documents: list[tuple[str, dict]]) -> None:
    """The hand-verified seed tables balance; each rule gives a verdict (never an error)."""
    balance = compile_expression("all c in columns: requests.new[c] + requests.carried_over[c] "
                                 "== requests.results.total[c] + requests.carry_forward[c]")
    row_total = compile_expression("all r in rows(requests): r.total == sum(r[c] for c in applicant_columns)")
    result_sum = compile_expression("all c in columns: requests.results.total[c] "
                                    "== sum(r[c] for r in detail_rows(requests.results))")
    for name, doc in seed_documents:
        for rule in (balance, row_total, result_sum):
            o = rule.evaluate(doc)
            assert o.status in ("pass", "fail", "unknown"), (name, o)
        if doc.get("requests", {}).get("new"):
            assert balance.evaluate(doc).status != "error"


def test_broken_seed_cell_is_named(seed_documents: list[tuple[str, dict]]) -> None:
    name, doc = seed_documents[0]
    doc = json.loads(json.dumps(doc))
    doc["requests"]["new"]["natural_person"] += 1
    o = compile_expression("all c in columns: requests.new[c] + requests.carried_over[c] "
                           "== requests.results.total[c] + requests.carry_forward[c]").evaluate(doc)
    assert o.status == "fail"
    assert [e.bindings["c"] for e in o.evidence] == ["natural_person"]
    assert o.evidence[0].diff == 1 and "/requests/new/natural_person" in o.evidence[0].reads
    doc["requests"]["new"]["natural_person"] = None
    o = compile_expression("requests.new.natural_person + 0 == 1").evaluate(doc)
    assert o.status == "unknown" and o.missing == ["/requests/new/natural_person"]


@pytest.mark.parametrize(("src", "amount", "status", "code"), [
    ("round(facts.fees.collected_amount, 2) == 1", float("inf"), "error", "TYPE"),
    ("round(facts.fees.collected_amount) == 1", float("nan"), "error", "TYPE"),
    ("decimals(facts.fees.collected_amount) == 0", float("inf"), "error", "TYPE"),
    ("round(facts.fees.collected_amount, 2) == facts.fees.collected_amount", 1e308, "pass", None),
    ("round(facts.fees.collected_amount) == facts.fees.collected_amount", 2.0 ** 60, "pass", None),
    ("round(facts.fees.collected_amount, 2) == 670.59", 670.5862, "pass", None),
])
def test_round_on_huge_and_non_finite_numbers(src: str, amount: float, status: str, code: str | None) -> None:
    out = compile_expression(src).evaluate({"facts": {"fees": {"collected_amount": amount}}})
    assert out.status == status
    if code:
        assert out.error.code == code and "有限的数字" in out.error.zh  # a rule error the author can act on
