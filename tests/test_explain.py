"""`gipcheck explain RULE FILE`: every sub-expression's value and the cells it read, with their
place in the file."""

from __future__ import annotations

import json

import pytest
from _reporting import checker, file_line_text, seeds

from gipcheck.cli import main
from gipcheck.engine.explain import explain_data, render_text
from gipcheck.errors import GipcheckError


def seed(prefix: str) -> str:
    return str(next(p for p in seeds() if p.name.startswith(prefix)))


def walk(node):
    yield node
    for b in node.get("bindings", []):
        if "body" in b:
            yield from walk(b["body"])
    for k in node.get("children", []):
        yield from walk(k)


def test_failed_rule_shows_values_and_the_cells_they_came_from():
    path = seed("000_")
    d = explain_data(checker(), "X-NARR-APPS", path)
    assert d["status"] == "fail" and "21" in d["finding"]["message"]
    nodes = [n for t in [d["tree"], *d["lets"].values()] if t for n in walk(t)]
    by_expr = {n["expr"]: n for n in nodes}
    assert by_expr["requests.new.total"]["value"] == 59
    assert by_expr["facts.requests_new.value"]["value"] == 20
    assert by_expr["facts.requests_new.value == requests.new.total"]["value"] is False
    cell = by_expr["requests.new.total"]["cells"][0]
    assert cell["pointer"] == "/requests/new/total" and cell["label"].startswith("表三")
    # line/col/raw text are the real place of that cell in the file
    assert file_line_text(path, cell["line"], cell["col"], len(cell["text"])) == cell["text"] == "59"


def test_quantifier_lists_bindings_and_expands_the_failing_ones():
    d = explain_data(checker(), "T3-EMPTY", seed("001_"))
    assert d["status"] == "fail"
    top = d["tree"]
    failing = [b for b in top["bindings"] if b["value"] is False]
    assert failing and "overdue_correction" in failing[0]["binding"] and "body" in failing[0]
    inner = failing[0]["body"]
    cols = [b for b in inner["bindings"] if b["value"] is False]
    assert any('"natural_person"' in b["binding"] for b in cols)
    leaf = next(n for n in walk(inner) if n["expr"].endswith('["natural_person"]') and n.get("unknown"))
    assert leaf["missing"] == ["/requests/results/other/overdue_correction/natural_person"]
    assert leaf["cells"][0]["line"] is not None  # a blank cell still has its place in the table


def test_passed_and_not_evaluated_rules():
    d = explain_data(checker(), "T3-ROW-TOTAL", seed("000_"))
    assert d["status"] == "pass" and d["tree"]["value"] is True
    assert all(b["value"] is True for b in d["tree"]["bindings"])
    d = explain_data(checker(), "T3-ROW-TOTAL", seed("001_"))
    assert d["status"] == "unknown" and d["not_evaluated"]["missing"]
    assert d["tree"].get("unknown") is True
    text = render_text(d, "zh")
    assert "结果: 未能评估" in text and "未知（空或缺失）" in text


def test_rule_that_does_not_apply():
    c = checker()
    rule = next(r for p in c.packs for r in p.rules if r.applies.get("format") == ["2019"])
    d = explain_data(c, rule.id, seed("000_"))
    assert d["status"] == "not_applicable" and "tree" not in d
    assert "不适用" in render_text(d, "zh")


def test_cli_text_json_and_errors(capsys):
    path = seed("001_")
    assert main(["explain", "T3-EMPTY", path]) == 0
    out = capsys.readouterr().out
    assert "结果: 不通过" in out and "第 51 行" in out and "⇒" in out
    assert main(["explain", "T3-EMPTY", path, "--format", "json", "--lang", "en"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "fail" and data["tree"]["bindings"]
    assert main(["explain", "T3-EMPTI", path]) == 2
    assert "T3-EMPTY" in capsys.readouterr().err
    with pytest.raises(GipcheckError):
        explain_data(checker(), "NOPE", path)
