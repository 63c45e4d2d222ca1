"""SARIF 2.1.0 output: valid against the official OASIS schema, locations pointing at the file."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from _reporting import SHARED, file_line_text, seed_run

from gipcheck.report import get_reporter

SCHEMA = SHARED / "reference" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    bad = tmp_path_factory.mktemp("bad") / "empty.txt"
    bad.write_bytes(b"")
    return seed_run([str(bad)])


@pytest.fixture(scope="module")
def sarif(run):
    return json.loads(get_reporter("sarif")(run, {"lang": "zh"}))


def test_validates_against_official_schema(sarif):
    if not SCHEMA.is_file():
        pytest.skip("../shared/reference/sarif-schema-2.1.0.json is absent")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(sarif)
    assert sarif["version"] == "2.1.0"


def test_every_finding_is_a_result_at_its_line_and_column(run, sarif):
    r = sarif["runs"][0]
    artifacts = r["artifacts"]
    assert len(artifacts) == len(run.reports)
    fails = [x for x in r["results"] if x["kind"] == "fail"]
    findings = [(i, f) for i, rep in enumerate(run.reports) for f in rep.findings]
    assert len(fails) == len(findings) > 0
    by_key = {(x["locations"][0]["physicalLocation"]["artifactLocation"]["index"], x["ruleId"]): x for x in fails}
    checked = 0
    for i, f in findings:
        res = by_key[(i, f.rule)]
        assert res["message"]["text"] == f.message
        assert res["level"] == {"error": "error", "warning": "warning", "info": "note"}[f.severity]
        for loc in res["locations"]:
            region = loc["physicalLocation"].get("region")
            if not region or "snippet" not in region or "startColumn" not in region:
                continue
            snippet = region["snippet"]["text"]
            # The region is a real place in the report file: the snippet is what stands there.
            assert file_line_text(run.reports[i].source, region["startLine"], region["startColumn"],
                                  len(snippet)) == snippet
            if "\n" not in snippet:
                assert region["endColumn"] == region["startColumn"] + len(snippet)
            checked += 1
    assert checked >= 10


def test_rules_carry_chinese_and_english_titles(run, sarif):
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    ids = [x["id"] for x in rules]
    assert set(run.rules) <= set(ids)
    t3 = next(x for x in rules if x["id"] == "T3-EMPTY")
    assert t3["properties"]["title_zh"] == run.rules["T3-EMPTY"]["title"]["zh"]
    assert t3["properties"]["title_en"] == run.rules["T3-EMPTY"]["title"]["en"]
    for res in sarif["runs"][0]["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]


def test_unreadable_file_is_an_error_notification_and_not_evaluated_rules_are_open(run, sarif):
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    empties = [n for n in notes if n.get("descriptor", {}).get("id") == "EMPTY"]
    assert len(empties) == 1 and empties[0]["level"] == "error"
    uri = empties[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.endswith("empty.txt")
    opened = [x for x in sarif["runs"][0]["results"] if x["kind"] == "open"]
    assert len(opened) == sum(len(r.not_evaluated) for r in run.reports)


def test_suppressed_finding_carries_its_justification(run):
    from copy import deepcopy

    r2 = deepcopy(run)
    f = r2.reports[0].findings[0]
    f.suppressed = {"reason": "已核实，另有说明", "expires": None, "source": "gipcheck.toml:suppressions[0]"}
    out = json.loads(get_reporter("sarif")(r2, {"lang": "zh"}))
    res = [x for x in out["runs"][0]["results"] if x.get("suppressions")]
    assert len(res) == 1 and res[0]["ruleId"] == f.rule
    assert res[0]["suppressions"][0]["justification"] == "已核实，另有说明"


def test_relative_paths_are_relative_uris(tmp_path, monkeypatch):
    from gipcheck.engine.model import ReportResult, RunResult

    monkeypatch.chdir(tmp_path)
    run = RunResult(reports=[ReportResult(source="年报/清徐县 2024.txt", document={"meta": {}})])
    out = json.loads(get_reporter("sarif")(run, {}))
    loc = out["runs"][0]["artifacts"][0]["location"]
    assert loc == {"uri": "%E5%B9%B4%E6%8A%A5/%E6%B8%85%E5%BE%90%E5%8E%BF%202024.txt", "uriBaseId": "SRCROOT"}
    assert out["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"] == Path(tmp_path).as_uri() + "/"


def test_pdf_findings_have_no_fake_line_regions(shared_dir) -> None:  # type: ignore[no-untyped-def]
    """A PDF's cells are located by page and cell (properties), never by a line of internal text."""
    import json as _json

    from gipcheck import api

    pdf = shared_dir / "corpus" / "hongze_gov_2023.pdf"
    sarif = _json.loads(api.render(api.RunResult(reports=[api.check(pdf)]), "sarif"))
    results = sarif["runs"][0]["results"]
    t4 = [r for r in results if r["ruleId"] == "T4-REVIEW-SUM"]
    assert t4, "the PDF's own table-四 arithmetic error must be reported"
    for loc in t4[0]["locations"]:
        assert "region" not in loc["physicalLocation"]
        assert loc["properties"]["page"] == 4 and "格" in loc["properties"]["where"]
