"""CSV for batches: one row per report, Excel-friendly UTF-8 with BOM."""

from __future__ import annotations

import csv
import io

import pytest
from _reporting import seed_run

from gipcheck.report import get_reporter


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    missing = tmp_path_factory.mktemp("bad") / "missing.txt"
    return seed_run([str(missing)])


def test_one_row_per_report_with_counts_and_failed_rules(run):
    text = get_reporter("csv")(run, {"lang": "en"})
    assert text.startswith("\ufeff")
    assert "\r\n" in text
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert len(rows) == len(run.reports)
    for row, rep in zip(rows, run.reports, strict=True):
        assert row["source"] == rep.source
        c = rep.counts()
        assert (int(row["errors"]), int(row["warnings"]), int(row["info"])) == (c["error"], c["warning"], c["info"])
        assert set(row["failed_rules"].split()) == {f.rule for f in rep.findings if not f.suppressed}
        if rep.readable:
            meta = rep.document["meta"]
            assert row["organ"] == meta["organ"] and row["year"] == str(meta["year"])
            assert row["format"] == meta["format"]
        else:
            assert row["status"] == "unreadable" and row["problems"]
    assert rows[0]["organ"] == "太原市清徐县人民政府"


def test_chinese_headers_and_formula_cells_neutralised():
    from gipcheck.engine.model import ReportResult, RunResult

    run = RunResult(reports=[ReportResult(source="=HYPERLINK(\"x\").txt", document={"meta": {"organ": "@机关"}})])
    text = get_reporter("csv")(run, {"lang": "zh"})
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][:4] == ["文件", "机关", "年度", "格式"]
    assert rows[1][0].startswith("'=") and rows[1][1] == "'@机关"
