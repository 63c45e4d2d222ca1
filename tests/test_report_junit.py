"""JUnit XML: one testcase per rule per report, failures for error/warning findings."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from _reporting import seed_run

from gipcheck.report import get_reporter


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    bad = tmp_path_factory.mktemp("bad") / "binary.txt"
    bad.write_bytes(bytes(range(256)) * 8)
    return seed_run([str(bad)])


def test_one_suite_per_report_one_case_per_rule(run):
    root = ET.fromstring(get_reporter("junit")(run, {"lang": "zh"}).encode("utf-8"))
    suites = [s for s in root.findall("testsuite") if s.get("name") != "gipcheck"]
    assert [s.get("name") for s in suites] == [r.source for r in run.reports]
    total_fail = 0
    for suite, rep in zip(suites, run.reports, strict=True):
        cases = suite.findall("testcase")
        if not rep.readable:
            assert len(cases) == 1 and cases[0].find("error") is not None
            assert suite.get("errors") == "1"
            continue
        rules = {*rep.passed, *(f.rule for f in rep.findings), *(n.rule for n in rep.not_evaluated)}
        assert len(cases) == len(rules) + len(rep.problems)
        failed = {c.get("name").split()[0] for c in cases if c.find("failure") is not None}
        assert failed == {f.rule for f in rep.findings if f.severity in ("error", "warning")}
        skipped = {c.get("name").split()[0] for c in cases if c.find("skipped") is not None}
        assert skipped == {n.rule for n in rep.not_evaluated}
        assert int(suite.get("failures")) == len(failed)
        total_fail += len(failed)
    assert int(root.get("failures")) == total_fail > 0


def test_hostile_text_is_well_formed_xml():
    from gipcheck.engine.model import Finding, ReportResult, RunResult

    f = Finding(rule="X-1", severity="error", message='<script>alert("x")</script> & \x01\x0b "quoted"',
                title="t<>", basis="b&", locations=[{"pointer": "/meta/title", "line": 1, "col": 1,
                                                     "text": "]]></failure><evil/>"}])
    run = RunResult(reports=[ReportResult(source='a"<b>.txt', document={"meta": {"organ": "机关<i>"}}, findings=[f])])
    xml = get_reporter("junit")(run, {})
    root = ET.fromstring(xml.encode("utf-8"))
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None and "<script>" in failure.get("message")
    assert "]]></failure><evil/>" in failure.text
    assert root.find(".//evil") is None
