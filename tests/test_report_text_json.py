"""Text (plain off a terminal, coloured on one, grouped by section) and JSON (its schema)."""

from __future__ import annotations

import json

import jsonschema
import pytest
from _reporting import seed_run

from gipcheck.report import get_reporter
from gipcheck.resources import schemas_dir


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    bad = tmp_path_factory.mktemp("bad") / "empty.txt"
    bad.write_bytes(b"")
    return seed_run([str(bad)])


def test_text_plain_grouped_by_section(run):
    out = get_reporter("text")(run, {"lang": "zh", "color": False})
    assert "\x1b[" not in out
    for rep in run.reports:
        assert rep.source in out
        for f in rep.findings:
            assert f.rule in out and f.message in out
    assert "── 三、收到和处理政府信息公开申请情况 ──" in out or "── 一、总体情况 ──" in out
    assert "无法读取" in out


def test_text_coloured_on_a_terminal(run):
    out = get_reporter("text")(run, {"lang": "en", "color": True})
    assert "\x1b[31m" in out and "\x1b[0m" in out


def test_json_matches_its_schema(run):
    from gipcheck.engine.model import Problem

    run.problems.append(Problem("config", "SUPPRESSION_UNMATCHED", "豁免未匹配任何问题"))
    try:
        data = json.loads(get_reporter("json")(run, {}))
    finally:
        run.problems.pop()
    schema = json.loads((schemas_dir() / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(data)
    assert [r["source"] for r in data["reports"]] == [r.source for r in run.reports]


def test_text_location_for_pdf_and_word_is_page_table_cell_not_an_internal_line() -> None:
    from gipcheck.report.text import _T, _where

    pdf = {"line": 61, "col": 3, "page": 4, "where": "第4页 表格 第4行 第15格"}
    assert _where(pdf, _T["zh"], "zh") == "第4页 表格 第4行 第15格"
    word = {"line": 40, "col": 1, "where": "表格2 第3行 第4格"}
    assert _where(word, _T["zh"], "zh") == "表格2 第3行 第4格"
    page_only = {"line": 7, "col": 1, "page": 2, "where": "表格 第1行"}
    assert _where(page_only, _T["zh"], "zh") == "第2页 表格 第1行"
    text_file = {"line": 31, "col": 40}
    assert _where(text_file, _T["zh"], "zh") == "第 31 行"
    assert _where(text_file, _T["en"], "en") == "line 31"


@pytest.mark.parametrize("document", [{"meta": 5}, {"meta": [1], "sections": "x", "requests": 5},
                                      {"meta": {"organ": 3, "year": "x", "source": 7}}, [], None])
def test_every_format_renders_a_document_whose_meta_is_not_an_object(document) -> None:
    # a hand-made document through the library API, or a plugin's slip, must not crash a reporter
    from gipcheck import api
    from gipcheck.batch import rule_catalog
    from gipcheck.engine.model import RunResult
    from gipcheck.load.base import LoadedReport

    checker = api.checker()
    result = checker.check(LoadedReport(document))
    assert result.source == "<document>"
    run = RunResult(reports=[result], problems=[], rules=rule_catalog(checker.packs))
    for fmt in ("text", "json", "sarif", "junit", "html", "csv"):
        assert api.render(run, fmt)
    out = json.loads(api.render(run, "json"))
    jsonschema.validate(out, json.loads((schemas_dir() / "report.schema.json").read_text(encoding="utf-8")))
    assert out["reports"][0]["organ"] is None
