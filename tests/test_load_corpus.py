"""Every text file of ../shared/corpus: tables 三 and 四 complete and consistent with the source's
own sums where those hold — or a test that says precisely what is not extracted and why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gipcheck.document.canon import APPLICANT_COLUMNS, REQUEST_COLUMNS, REVIEW_BLOCKS, request_rows
from gipcheck.errors import LoadError
from gipcheck.load import load_path

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside the checkout")


def _file(prefix: str) -> Path:
    hits = sorted(CORPUS.glob(prefix + "*.txt"))
    if not hits:
        pytest.skip(f"corpus file {prefix}* missing")
    return hits[0]


def _row(doc: dict[str, Any], path: str) -> dict[str, Any]:
    cur: Any = doc
    for p in path.split("."):
        cur = cur.get(p, {}) if isinstance(cur, dict) else {}
    return cur


def _check_table3(doc: dict[str, Any]) -> list[str]:
    """The arithmetic the table-三 header states, per column; returns the failures."""
    fmt = doc["meta"]["format"]
    paths = [r.path for r in request_rows(fmt)]
    fails = []
    for p in paths:
        row = _row(doc, p)
        assert all(row.get(c) is not None for c in REQUEST_COLUMNS), f"{p} incomplete: {row}"
        if sum(row[c] for c in APPLICANT_COLUMNS) != row["total"]:
            fails.append(f"row-total {p}")
    details = [p for p in paths if p.startswith("requests.results.") and p != "requests.results.total"]
    for c in REQUEST_COLUMNS:
        new, carried = _row(doc, "requests.new")[c], _row(doc, "requests.carried_over")[c]
        total, forward = _row(doc, "requests.results.total")[c], _row(doc, "requests.carry_forward")[c]
        if new + carried != total + forward:
            fails.append(f"balance {c}")
        if sum(_row(doc, p)[c] for p in details) != total:
            fails.append(f"result-sum {c}")
    return fails


def _check_table4(doc: dict[str, Any]) -> list[str]:
    fails = []
    for b in REVIEW_BLOCKS:
        v = doc["review"][b]
        assert all(x is not None for x in v.values()), f"review.{b} incomplete: {v}"
        if v["upheld"] + v["corrected"] + v["other"] + v["pending"] != v["total"]:
            fails.append(b)
    return fails


def test_001_ocr_markdown_mini_tables() -> None:
    """OCR'd Markdown: table 三 cut into per-row mini-tables with fake headers ("数据1"…), a stray
    header row mid-table, table 四 in three labelled tables: all read, all sums hold."""
    rep = load_path(_file("001_"))
    doc = rep.document
    assert _check_table3(doc) == []
    assert _check_table4(doc) == []
    assert doc["requests"]["new"]["total"] == 713
    assert doc["requests"]["results"]["other"]["other"]["total"] == 143
    assert doc["review"]["reconsideration"] == {"upheld": 27, "corrected": 10, "other": 9, "pending": 15, "total": 61}
    assert [s["number"] for s in doc["sections"]] == [1, 2, 3, 4, 5, 6]
    assert doc["meta"]["published"] == "2026-01-23"
    assert doc["facts"]["requests_received"]["value"] == 749
    assert doc["facts"]["fees"]["collected_amount"]["value"] == 380
    assert not rep.incomplete


@pytest.mark.parametrize("prefix", ["002_", "003_"])
def test_shanghai_layout_needs_its_plugin(prefix: str) -> None:
    """Shanghai's own layout (extra numbered sections 工作机制保障/政府信息管理/平台建设, tables
    renumbered and captioned 表二/表三): the core does not guess, it names the plugin."""
    with pytest.raises(LoadError) as err:
        load_path(_file(prefix))
    assert err.value.code == "NEEDS_PLUGIN"
    assert "gipcheck-shanghai" in err.value.zh


def test_004_fragment_is_read_as_far_as_it_goes() -> None:
    """A fragment (PDF text, vertical one-character labels, page marker "- 4 -") that stops at
    table 三 row (四)1: the rows that are there are read exactly; the report is flagged incomplete
    (TRUNCATED, level error); table 四 is absent, never invented."""
    rep = load_path(_file("004_"))
    doc = rep.document
    assert rep.incomplete
    assert any(n.code == "TRUNCATED" and n.level == "error" for n in rep.notes)
    req = doc["requests"]
    assert req["new"] == dict(zip(REQUEST_COLUMNS, [3001, 53, 0, 0, 61, 4, 3119], strict=True))
    assert req["results"]["partially_granted"]["total"] == 454
    assert req["results"]["unavailable"]["not_held"]["total"] == 769
    assert "needs_creation" not in req["results"]["unavailable"]
    assert "total" not in req["results"] and "carry_forward" not in req
    assert "review" not in doc
    assert doc["active"]["punishment"]["decisions"] == 3985758
    assert doc["active"]["fees"]["amount"] == 96171.6
    for p in ("requests.new", "requests.results.withheld.state_secret"):
        row = _row(doc, p)
        assert sum(row[c] for c in APPLICANT_COLUMNS) == row["total"]


def test_010_pingtan_digit_strings() -> None:
    """Every table cell run together ("一、本年新收政府信息公开申请数量15130000154", glued row
    ordinals): tables 三 and 四 recovered with the table's own sums; recovered cells are marked.
    Table 二's 行政规范性文件 run "5845546" splits 15 ways and the prose gives no number to decide:
    it stays null with an AMBIGUOUS_DIGITS note."""
    rep = load_path(_file("010_"))
    doc = rep.document
    assert _check_table3(doc) == []
    assert _check_table4(doc) == []
    assert doc["requests"]["new"] == dict(zip(REQUEST_COLUMNS, [151, 3, 0, 0, 0, 0, 154], strict=True))
    assert doc["requests"]["carry_forward"]["total"] == 6
    assert doc["review"]["reconsideration"]["total"] == doc["facts"]["reconsiderations"]["value"] == 36
    assert rep.locations["/requests/new/total"].recovered
    assert doc["active"]["normative_documents"] == {"issued": None, "repealed": None, "in_force": None}
    assert any(n.code == "AMBIGUOUS_DIGITS" and n.pointer == "/active/normative_documents" for n in rep.notes)
    assert doc["active"]["licensing"]["decisions"] == 2418  # a one-cell row is not a split
    assert doc["active"]["fees"]["amount"] == 4166.241619
    assert not rep.incomplete


def test_013_pingtan_prose_decides_table_two() -> None:
    """The 2022 page: table 四 has spaces (15 cells as written), table 三 is digit strings, and
    the heading typo 行政法复议 is still section 四. "5845546"-style ambiguity in 行政规范性文件
    ("8855698") is settled by the prose: 现行有效…698件, 制发…88件 → 88 / 55 / 698."""
    rep = load_path(_file("013_"))
    doc = rep.document
    assert _check_table3(doc) == []
    assert _check_table4(doc) == []
    assert [s["number"] for s in doc["sections"]] == [1, 2, 3, 4, 5, 6]
    assert "行政法复议" in doc["sections"][3]["title"]
    assert doc["active"]["normative_documents"] == {"issued": 88, "repealed": 55, "in_force": 698}
    assert doc["requests"]["new"]["total"] == 74 and doc["requests"]["results"]["total"]["total"] == 75
    assert not rep.locations["/review/reconsideration/total"].recovered  # spaced: read, not split


def test_015_pingtan_2019_format() -> None:
    """2019 format (国办公开办函〔2019〕60号): (六)其他处理 is one row; table 三 recovered. The
    source's own (七)总计 (20 / 21) is not the sum of its result rows (6+6+4+3+3+4 = 26 natural
    persons, 27 in all) — a defect of the report, which the loader keeps as written; the balance
    新收+结转 = 总计+结转下年 holds. Old table 二 rows are digit strings without sums: only
    "007" (规章) and "35-15" (收费: 35, −15) split one way; the others stay null with notes."""
    rep = load_path(_file("015_"))
    doc = rep.document
    assert doc["meta"]["format"] == "2019"
    assert doc["meta"]["year"] == 2020
    fails = _check_table3(doc)
    assert fails == ["result-sum natural_person", "result-sum total"]
    assert _check_table4(doc) == []
    assert doc["requests"]["results"]["other"]["total"] == 4
    assert doc["active"]["regulations"] == {"new_made": 0, "new_public": 0, "total_public": 7}
    assert doc["active"]["fees"] == {"prev_items": 35, "delta": -15}
    assert doc["active"]["procurement"]["amount_unit"] == "元"
    ambiguous = {n.pointer for n in rep.notes if n.code == "AMBIGUOUS_DIGITS"}
    assert "/active/licensing" in ambiguous and doc["active"]["licensing"]["decisions"] is None
    assert doc["facts"]["stated_totals"][0]["total"] == 2602
