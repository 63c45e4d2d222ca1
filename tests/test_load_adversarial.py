"""The text loader under hostile or odd input: every case here was found by mutating the seeds
(fuzzing) and failed before its fix. Each test says which input shape it guards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gipcheck.load import load_bytes
from gipcheck.load.base import LoadedReport
from gipcheck.load.tables import MAX_CELLS, normalize, scan

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
PIPE_SEED = "000_be94cdfbcf579bbe.txt"  # "label | 59 | 0 | … |" rows
CELL_SEED = "002_fef44fb29382a984.txt"  # one cell per line: "label |", "0 |", "0 |" …


def _seed(name: str) -> str:
    path = SEEDS / name
    if not path.is_file():
        pytest.skip("../shared/seeds is not beside the checkout")
    return path.read_text(encoding="utf-8")


def _load(text: str) -> LoadedReport:
    return load_bytes(text.encode("utf-8"), "adversarial.txt")


def _once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _nth(text: str, old: str, new: str, after: str, n: int = 0) -> str:
    """``text`` with the ``n``-th occurrence of ``old`` after ``after`` replaced by ``new``."""
    i = text.index(after) + len(after)
    for _ in range(n + 1):
        i = text.index(old, i)
        j, i = i, i + len(old)
    return text[:j] + new + text[j + len(old):]


def _codes(rep: LoadedReport) -> list[tuple[str, str | None]]:
    return [(n.code, n.pointer) for n in rep.notes]


def _get(doc: dict[str, Any], ptr: str) -> Any:
    cur: Any = doc
    for k in ptr.strip("/").split("/"):
        cur = cur[k]
    return cur


# ---------------------------------------------------------------- duplicate rows

# shape: a table-三 row written twice, the first time with every cell blank (a template row
# left above the filled one) — the filled one must be read, with a note naming the line used
@pytest.mark.parametrize("blank", ["(七)总计 |  |  |  |  |  |  |  | ||", "(七)总计 | / | — | 无 | / | / | / | / |"])
def test_blank_first_occurrence_gives_way_to_the_filled_repeat(blank: str) -> None:
    row = "(七)总计 | 57 | 0 | 0 | 0 | 0 | 0 | 57 | ||"
    rep = _load(_once(_seed(PIPE_SEED), row, blank + "\n" + row))
    assert rep.document["requests"]["results"]["total"] == {
        "natural_person": 57, "commercial": 0, "research": 0, "nonprofit": 0, "legal_service": 0,
        "other_org": 0, "total": 57}
    dups = [n for n in rep.notes if n.code == "DUPLICATE_ROW"]
    assert [(n.pointer, n.line) for n in dups] == [("/requests/results/total", 55)]
    assert "按第二次（第 55 行）读取" in dups[0].zh and "line 55" in dups[0].en
    assert rep.locations["/requests/results/total/total"].line == 55


# shape: the same, but both occurrences filled and different: the first stays (unchanged rule;
# a guard that passes before and after the fix above)
def test_conflicting_filled_occurrences_keep_the_first() -> None:
    row = "(七)总计 | 57 | 0 | 0 | 0 | 0 | 0 | 57 | ||"
    rep = _load(_once(_seed(PIPE_SEED), row, "(七)总计 | 1 |  |  |  |  |  | 1 | ||\n" + row))
    assert rep.document["requests"]["results"]["total"]["total"] == 1
    dups = [n for n in rep.notes if n.code == "DUPLICATE_ROW"]
    assert len(dups) == 1 and "按第一次读取" in dups[0].zh


# ---------------------------------------------------------------- encodings

# shape: a report typed in full-width characters (ＡＢＣ, １２３, ｜, U+3000 spaces) saved as UTF-16
# without a BOM: it has too few NUL bytes for the NUL-pattern check and was refused as binary
@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_full_width_utf16_without_bom_is_text(encoding: str) -> None:
    text = _seed(PIPE_SEED)
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in text)
    rep = load_bytes(wide.encode(encoding), "wide.txt")
    ref = _load(text)
    assert rep.document["meta"]["source"]["encoding"] == encoding
    assert rep.document["requests"] == ref.document["requests"]
    assert rep.document["review"] == ref.document["review"]


# shape: a table-二 row written twice: first blank (a template row), then filled — the filled one
# is read; or twice filled and different — the first is read; either way a DUPLICATE_ROW note
# (before: the blank one was kept and the numbers dropped, without any note)
def test_table_two_duplicate_rows_are_noted_and_the_filled_one_used() -> None:
    text = _seed(PIPE_SEED)
    row = "规章 | 0 | 0 | 0 |"
    rep = _load(_once(text, row, "规章 |  |  |  |\n行政规范性文件 | 2 | 1 | 7 |\n规章 | 3 | 0 | 5 |"))
    assert rep.document["active"]["regulations"] == {"issued": 3, "repealed": 0, "in_force": 5}
    dups = [n for n in rep.notes if n.code == "DUPLICATE_ROW"]
    assert [n.pointer for n in dups] == ["/active/regulations"] and "按第二次（第 17 行）读取" in dups[0].zh
    rep = _load(_once(text, row, row + "\n规章 | 1 | 0 | 1 |"))
    assert rep.document["active"]["regulations"] == {"issued": 0, "repealed": 0, "in_force": 0}
    assert [n.pointer for n in rep.notes if n.code == "DUPLICATE_ROW"] == ["/active/regulations"]
    assert not _load(_once(text, row, row + "\n" + row)).notes  # a repeat with the same numbers says nothing


# shape: CR-only line ends (old Mac files): the whole report was one line — every location said
# line 1 and the section texts ran together; CRLF line ends left a "|" as the prose of each
# table section. Both now read exactly as LF, locations on the right lines.
@pytest.mark.parametrize("name", [PIPE_SEED, CELL_SEED])
@pytest.mark.parametrize("newline", ["\r", "\r\n"])
def test_cr_and_crlf_line_ends_read_like_lf(name: str, newline: str) -> None:
    text = _seed(name)
    ref, rep = _load(text), _load(text.replace("\n", newline))
    for doc in (ref.document, rep.document):
        doc["meta"].pop("source")
    assert rep.document == ref.document
    for ptr in ("/requests/new/total", "/review/reconsideration/total", "/sections/2"):
        assert rep.locations[ptr].line == ref.locations[ptr].line


# ---------------------------------------------------------------- bounded work

# shape: one line holding a whole table-三 row repeated thousands of times (a 1 MB line of
# cells): the cell stream stops at the limit instead of holding every cell, and says so
def test_one_line_of_more_cells_than_the_limit_is_cut_and_noted() -> None:
    row = "一、本年新收政府信息公开申请数量 | 59 | 0 | 0 | 0 | 0 | 0 | 59 | "
    norm = normalize(row * 2000)
    cells, count = scan(norm, 0, len(norm))
    assert len(cells) <= MAX_CELLS and count >= MAX_CELLS
    text = _seed(PIPE_SEED)
    rep = _load(_once(text, "二、上年结转政府信息公开申请数量 | 2", row * 2000 + "\n二、上年结转政府信息公开申请数量 | 2"))
    assert any(n.code == "LIMIT" and n.level == "error" for n in rep.notes)


# shape: a free-text line (no pipes) of 400,000 numbers after a row label: one number group
# used to hold them all (bounded only per cell, so seconds of work and no note); now the group
# counts each number against the limit, stops there, and the LIMIT note says so
def test_a_free_text_line_of_numbers_stops_at_the_limit() -> None:
    norm = normalize("2.重复申请 " + "1 " * 400_000)
    cells, count = scan(norm, 0, len(norm))
    assert sum(len(c.tokens or ()) for c in cells) <= MAX_CELLS and count >= MAX_CELLS
    row = "2.重复申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | ||"
    rep = _load(_once(_seed(PIPE_SEED), row, "2.重复申请 " + "1 " * 400_000))
    assert any(n.code == "LIMIT" and n.level == "error" for n in rep.notes)


# shape: a long run of spaces (or tabs, ideographic spaces, CRs) inside a prose line, and a long
# run of blank lines in a report that names 上海: the page-chrome and table-caption patterns
# used to retry every split of the run (quadratic: 20,000 spaces took 1.5 s, these minutes).
# No timer here, as in test_load_bad_input: a regression shows as a stuck suite.
@pytest.mark.parametrize("blob", [" " * 300_000, "\t" * 300_000, "\u3000" * 200_000])
def test_long_whitespace_runs_in_prose_load_in_linear_time(blob: str) -> None:
    text = _seed(PIPE_SEED)
    rep = _load(_once(text, "(二)持续强化", blob + "(二)持续强化"))
    assert rep.document["requests"]["new"]["total"] == 59


def test_long_run_of_blank_lines_in_a_shanghai_report_is_linear() -> None:
    from gipcheck.errors import LoadError

    text = "上海市政府信息公开规定\n" + _seed(PIPE_SEED).replace("(二)持续强化", "\n" * 300_000 + "(二)持续强化", 1)
    try:
        _load(text)
    except LoadError as e:  # the Shanghai layout check itself is what must finish
        assert e.code == "NEEDS_PLUGIN"


# ---------------------------------------------------------------- text where a number belongs

# shape: pipe row "label | 59 | 暂无 | 0 …" (text in a middle cell, no digit): null in its own
# column with an UNREADABLE_CELL note; before, the cells after it slid one column left
@pytest.mark.parametrize("bad", ["暂无", "abc", "不涉及"])
def test_text_in_a_table_three_cell_keeps_its_column(bad: str) -> None:
    text = _seed(PIPE_SEED)
    rep = _load(_once(text, "一、本年新收政府信息公开申请数量 | 59 | 0 |", f"一、本年新收政府信息公开申请数量 | 59 | {bad} |"))
    assert rep.document["requests"]["new"] == {"natural_person": 59, "commercial": None, "research": 0,
                                               "nonprofit": 0, "legal_service": 0, "other_org": 0, "total": 59}
    assert ("UNREADABLE_CELL", "/requests/new/commercial") in _codes(rep)
    assert rep.locations["/requests/new/commercial"].text == bad
    # the first value cell of the row, on the label's own line
    rep = _load(_once(text, "一、本年新收政府信息公开申请数量 | 59 |", f"一、本年新收政府信息公开申请数量 | {bad} |"))
    assert rep.document["requests"]["new"]["natural_person"] is None
    assert rep.document["requests"]["new"]["total"] == 59
    assert ("UNREADABLE_CELL", "/requests/new/natural_person") in _codes(rep)


# shape: a label broken over two lines right before its cells ("…公开\n申请数量 | 59 | …"):
# the broken-off end is label text, not an unreadable first value (a guard against the fix above
# overreaching: it passes before and after)
def test_a_label_broken_before_its_cells_is_still_a_label() -> None:
    text = _seed(PIPE_SEED)
    rep = _load(_once(text, "一、本年新收政府信息公开申请数量 | 59", "一、本年新收政府信息公开\n申请数量 | 59"))
    assert rep.document["requests"]["new"]["natural_person"] == 59
    assert rep.document["requests"]["new"]["total"] == 59
    assert not [n for n in rep.notes if n.code == "UNREADABLE_CELL"]


# shape: one cell per line, "暂无 |" as a row's first or middle cell: null there, noted, the
# other six cells in their own columns (before: read as label text, all shifted)
@pytest.mark.parametrize("n", [0, 3])
def test_text_in_a_one_cell_per_line_row_keeps_its_column(n: int) -> None:
    text = _seed(CELL_SEED)
    label = "(二)部分公开(区分处理的,只计这一情形,不计其他情形) |\n"
    rep = _load(_nth(text, "0 |", "暂无 |", label, n))
    row = rep.document["requests"]["results"]["partially_granted"]
    cols = list(row)
    assert row[cols[n]] is None and all(row[c] == 0 for c in cols if c != cols[n])
    assert ("UNREADABLE_CELL", f"/requests/results/partially_granted/{cols[n]}") in _codes(rep)


# shape: "－－" (two full-width hyphens, "--" once normalised) as a cell: a null marker kept in
# its column; alone on its line (one cell per line) it used to be dropped as a Markdown table
# rule, shifting every later cell of the table
@pytest.mark.parametrize("dash", ["－－", "--"])
def test_a_double_dash_cell_is_a_null_marker(dash: str) -> None:
    rep = _load(_nth(_seed(CELL_SEED), "0 |", f"{dash} |", "(二)部分公开(区分处理的,只计这一情形,不计其他情形) |\n", 2))
    row = rep.document["requests"]["results"]["partially_granted"]
    assert list(row.values()) == [0, 0, None, 0, 0, 0, 0]
    assert rep.locations["/requests/results/partially_granted/research"].text == normalize(dash)
    rep = _load(_once(_seed(PIPE_SEED), "2.重复申请 | 0 | 0 |", f"2.重复申请 | 0 | {dash} |"))
    assert list(rep.document["requests"]["results"]["not_processed"]["duplicate"].values()) == [0, None, 0, 0, 0, 0, 0]


# shape: a numbered row whose cells are blank except one of text ("(六)其他处理 | 1.申请人… | 暂无 |
# | | …"): three text cells and no number made it look like a column header, so the whole row was
# dropped (ROW_MISSING); now it is the row, the text a null cell in its own column
@pytest.mark.parametrize("at", [0, 1, 6])
def test_a_blank_numbered_row_with_one_text_cell_is_a_row_not_a_header(at: int) -> None:
    path = SEEDS / "001_752a671dabfd990e.txt"
    if not path.is_file():
        pytest.skip("../shared/seeds is not beside the checkout")
    row = "(六)其他处理 | 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 | | | | | | | |"
    cells = [" "] * 7
    cells[at] = " 暂无 "
    rep = _load(_once(path.read_text(encoding="utf-8"), row, row.split(" | | ")[0] + " |" + "|".join(cells) + "|"))
    got = rep.document["requests"]["results"]["other"]["overdue_correction"]
    assert list(got.values()) == [None] * 7
    col = list(got)[at]
    assert ("UNREADABLE_CELL", f"/requests/results/other/overdue_correction/{col}") in _codes(rep)
    assert rep.locations[f"/requests/results/other/overdue_correction/{col}"].text == "暂无"
    assert not [n for n in rep.notes if n.code in ("ROW_MISSING", "ROW_INCOMPLETE")]


# shape: table 四's one row of fifteen values with text in a cell ("暂无", "1e5"), or with its
# first cell blank (" | 2 | 2 …", which reads like a Markdown leading pipe): fifteen cells,
# the odd one null, none shifted
@pytest.mark.parametrize("first", ["暂无", "1e5", ""])
def test_table_four_odd_first_cell_keeps_the_columns(first: str) -> None:
    row = "5 | 2 | 2 | 1 | 10 | 0 | 0 | 2 | 0 | 2 | 1 | 0 | 0 | 0 | 1 |"
    rep = _load(_once(_seed(PIPE_SEED), row, f"{first} | 2 | 2 | 1 | 10 | 0 | 0 | 2 | 0 | 2 | 1 | 0 | 0 | 0 | 1 |"))
    review = rep.document["review"]
    assert review["reconsideration"] == {"upheld": None, "corrected": 2, "other": 2, "pending": 1, "total": 10}
    assert review["litigation_after_reconsideration"]["total"] == 1
    assert not [n for n in rep.notes if n.code == "ROW_INCOMPLETE"]
    if first:
        assert ("UNREADABLE_CELL", "/review/reconsideration/upheld") in _codes(rep)


def test_table_four_text_in_a_middle_cell_keeps_the_columns() -> None:
    row = "5 | 2 | 2 | 1 | 10 | 0 | 0 | 2 | 0 | 2 | 1 | 0 | 0 | 0 | 1 |"
    rep = _load(_once(_seed(PIPE_SEED), row, "5 | 2 | 2 | 1 | 10 | 不涉及 | 0 | 2 | 0 | 2 | 1 | 0 | 0 | 0 | 1 |"))
    review = rep.document["review"]
    assert review["litigation_direct"] == {"upheld": None, "corrected": 0, "other": 2, "pending": 0, "total": 2}
    assert review["litigation_after_reconsideration"]["total"] == 1
    assert ("UNREADABLE_CELL", "/review/litigation_direct/upheld") in _codes(rep)


# shape: table 四's value row one cell short whose first cell is text with a digit ("1件") on a
# line with a marker (read cell by cell): the text is that first cell, once (a fuzz case that
# made an early version of the one-short repair take it twice and crash)
def test_table_four_short_row_with_text_first_cell() -> None:
    row = "5 | 2 | 2 | 1 | 10 | 0 | 0 | 2 | 0 | 2 | 1 | 0 | 0 | 0 | 1 |"
    rep = _load(_once(_seed(PIPE_SEED), row, "1件 | 2 | / | 1 | 10 | 0 | 0 | 2 | 0 | 2 | 1 | 0 | 0 | 0 |"))
    review = rep.document["review"]
    assert review["reconsideration"] == {"upheld": None, "corrected": 2, "other": None, "pending": 1, "total": 10}
    assert review["litigation_after_reconsideration"] == {"upheld": 1, "corrected": 0, "other": 0, "pending": 0}
    assert ("ROW_INCOMPLETE", "/review/litigation_after_reconsideration") in _codes(rep)


# shape: one cell per line, table 四 with a blank cell (" |") or text among its fifteen values
@pytest.mark.parametrize("cell", [" |", "暂无 |"])
def test_table_four_one_cell_per_line_odd_cell_keeps_the_columns(cell: str) -> None:
    text = _seed(CELL_SEED)
    rep = _load(_nth(text, "0 |", cell, "尚未审结 |\n总计 |\n|||||\n", 6))
    review = rep.document["review"]
    values = [v for b in ("reconsideration", "litigation_direct", "litigation_after_reconsideration")
              for v in review[b].values()]
    assert values == [0] * 6 + [None] + [0] * 8


# shape: table 二 row with text where a number belongs, on the label's line ("规章 | 暂无 | 0 | 0")
# or one cell per line ("规章 |", "暂无 |", "0 |", "0 |"), and the fee row "行政事业性收费 | 暂无 |":
# null in that column (never absent, never the next column's number)
def test_table_two_text_cell_keeps_its_column() -> None:
    text = _seed(PIPE_SEED)
    rep = _load(_once(text, "规章 | 0 | 0 | 0 |", "规章 | 暂无 | 0 | 0 |"))
    assert rep.document["active"]["regulations"] == {"issued": None, "repealed": 0, "in_force": 0}
    assert ("UNREADABLE_CELL", "/active/regulations/issued") in _codes(rep)
    rep = _load(_once(text, "行政规范性文件 | 2 | 1 | 7 |", "行政规范性文件 | 2 | abc | 7 |"))
    assert rep.document["active"]["normative_documents"] == {"issued": 2, "repealed": None, "in_force": 7}
    rep = _load(_once(text, "行政事业性收费 | 670.5862 |", "行政事业性收费 | 暂无 |"))
    assert rep.document["active"]["fees"] == {"amount": None}
    assert ("UNREADABLE_CELL", "/active/fees/amount") in _codes(rep)
    text = _seed(CELL_SEED)
    rep = _load(_nth(text, "0 |", "暂无 |", "规章 |\n"))
    assert rep.document["active"]["regulations"] == {"issued": None, "repealed": 0, "in_force": 0}


def _shuyang_text() -> str:
    """The corpus report whose table 四 is three titled blocks (OCR layout)."""
    path = SEEDS.parent / "corpus" / "001_shuyang_county_gov_2025.txt"
    if not path.is_file():
        pytest.skip("../shared/corpus is not beside the checkout")
    return path.read_text(encoding="utf-8")


# shape: table 四 as three titled blocks ("### 行政复议", "### 行政诉讼（未经复议直接起诉）", …, each
# with its own header and value line, the corpus's OCR layout) with one block's value line
# missing: that block is absent with a note, the others keep their own numbers (before, every
# later block's numbers moved up one block, silently)
@pytest.mark.parametrize("gone", ["| 27 | 10 | 9 | 15 | 61 |\n", "| 3 | 0 | 0 | 0 | 3 |\n"])
def test_table_four_block_without_values_does_not_take_the_next_blocks(gone: str) -> None:
    text = _shuyang_text()
    full = _load(text).document["review"]
    rep = _load(_once(text, gone, ""))
    missing = "reconsideration" if gone.startswith("| 27") else "litigation_direct"
    assert ("ROW_MISSING", f"/review/{missing}") in _codes(rep)
    assert missing not in rep.document["review"]
    assert {k: v for k, v in full.items() if k != missing} == rep.document["review"]


# shape: the same titled-block layout with one block's value line written twice: the next title
# says where its block begins, so the repeat is not read into the next block (before: every
# later block silently took the numbers of the one above it); an EXTRA_CELLS note says so
@pytest.mark.parametrize("twice", ["| 27 | 10 | 9 | 15 | 61 |\n", "| 3 | 0 | 0 | 0 | 3 |\n"])
def test_table_four_block_value_line_twice_does_not_shift_the_next_blocks(twice: str) -> None:
    text = _shuyang_text()
    rep = _load(_once(text, twice, twice + twice))
    assert rep.document["review"] == _load(text).document["review"]
    assert ("EXTRA_CELLS", "/review") in _codes(rep)


# shape: run-together web-page text (the corpus's 平潭 pages) where a row's number is lost or
# unreadable, so that its name is glued to the next row's ("行政许可/第二十条第(六)项…行政处罚2113"):
# the number belongs to the name nearest to it; before, the first name took the next row's number
@pytest.mark.parametrize("glued", ["行政许可/第二十条", "行政许可第二十条"])
def test_glued_row_names_give_the_number_to_the_nearest(glued: str) -> None:
    rep = _load(_once(_pingtan(), "行政许可10690第二十条", glued))
    assert rep.document["active"]["punishment"] == {"decisions": 2113}
    assert "licensing" not in rep.document["active"]
    assert ("ROW_MISSING", "/active/licensing") in _codes(rep)


def _pingtan() -> str:
    path = SEEDS.parent / "corpus" / "013_pingtan_2022.page.txt"
    if not path.is_file():
        pytest.skip("../shared/corpus is not beside the checkout")
    return path.read_text(encoding="utf-8")


# shape: free text (web-page tables without borders) with null markers standing alone among
# or before a row's numbers: "…申请数量 / / / / / / /", "…申请数量 7 1 3 / 0 0 74", "… / 1 1 0 2 …":
# each marker is a null cell with its marker kept, the numbers keep their columns (before, a
# marker after a label was glued into the label, and numbers before a marker were taken for
# one glued digit run: every cell null, or no cell at all)
@pytest.mark.parametrize(("cells", "want"), [
    ("/ / / / / / /", [None] * 7),
    ("7 1 3 / 0 0 74", [7, 1, 3, None, 0, 0, 74]),
    ("无 0 0 0 0 0 0", [None, 0, 0, 0, 0, 0, 0]),
])
def test_free_text_markers_are_null_cells_in_place(cells: str, want: list[Any]) -> None:
    old = "一、本年新收政府信息公开申请数量 713000074二、"
    rep = _load(_once(_pingtan(), old, f"一、本年新收政府信息公开申请数量 {cells} 二、"))
    assert list(rep.document["requests"]["new"].values()) == want
    marks = [c for c in cells.split() if not c.isdigit()]
    nulls = [rep.locations[f"/requests/new/{k}"].text for k, v in rep.document["requests"]["new"].items() if v is None]
    assert nulls == marks
    assert not [n for n in rep.notes if n.pointer == "/requests/new"]


@pytest.mark.parametrize(("cells", "at"), [(" 0 1 1 / 2 1 0 0 0 1 0 0 0 0 0 ", 3), (" / 1 1 0 2 1 0 0 0 1 0 0 0 0 0 ", 0)])
def test_free_text_table_four_marker_keeps_the_columns(cells: str, at: int) -> None:
    rep = _load(_once(_pingtan(), " 0 1 1 0 2 1 0 0 0 1 0 0 0 0 0 ", cells))
    review = rep.document["review"]
    values = [v for b in ("reconsideration", "litigation_direct", "litigation_after_reconsideration")
              for v in review[b].values()]
    want = [0, 1, 1, 0, 2, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    want[at] = None
    assert values == want


# ---------------------------------------------------------------- fused path = general path

def _shapes() -> list[tuple[str, str]]:
    """The damaged inputs above, for the fused-versus-general check."""
    pipe, cell = _seed(PIPE_SEED), _seed(CELL_SEED)
    review = "5 | 2 | 2 | 1 | 10 | 0 | 0 | 2 | 0 | 2 | 1 | 0 | 0 | 0 | 1 |"
    total = "(七)总计 | 57 | 0 | 0 | 0 | 0 | 0 | 57 | ||"
    out = [
        ("blank_first_dup", _once(pipe, total, "(七)总计 |  |  |  |  |  |  |  | ||\n" + total)),
        ("t3_mid_text", _once(pipe, "申请数量 | 59 | 0 |", "申请数量 | 59 | 暂无 |")),
        ("t3_first_text", _once(pipe, "申请数量 | 59 |", "申请数量 | 暂无 |")),
        ("t3_split_label", _once(pipe, "公开申请数量 | 59", "公开\n申请数量 | 59")),
        ("t2_text", _once(pipe, "规章 | 0 | 0 | 0 |", "规章 | 暂无 | 0 | 0 |")),
        ("t2_fee_text", _once(pipe, "行政事业性收费 | 670.5862 |", "行政事业性收费 | 暂无 |")),
        ("t4_first_blank", _once(pipe, review, " | " + review[4:])),
        ("t4_first_text", _once(pipe, review, "暂无 | " + review[4:])),
        ("t4_mid_text", _once(pipe, review, review.replace("| 0 | 0 | 2 |", "| 不涉及 | 0 | 2 |", 1))),
        ("t4_short", _once(pipe, review, review[:-4])),
        ("cell_t3_first", _nth(cell, "0 |", "暂无 |", "(二)部分公开(区分处理的,只计这一情形,不计其他情形) |\n")),
        ("cell_t3_mid", _nth(cell, "0 |", "暂无 |", "(二)部分公开(区分处理的,只计这一情形,不计其他情形) |\n", 3)),
        ("cell_t3_dropped", _nth(cell, "0 |\n", "", "(二)部分公开(区分处理的,只计这一情形,不计其他情形) |\n", 3)),
        ("cell_t4_blank", _nth(cell, "0 |", " |", "尚未审结 |\n总计 |\n|||||\n", 6)),
        ("cell_t4_text", _nth(cell, "0 |", "暂无 |", "尚未审结 |\n总计 |\n|||||\n", 6)),
        ("cell_t2_text", _nth(cell, "0 |", "暂无 |", "规章 |\n")),
        ("t2_dup_blank_first", _once(pipe, "规章 | 0 | 0 | 0 |", "规章 |  |  |  |\n规章 | 3 | 0 | 5 |")),
        ("t2_dup_conflict", _once(pipe, "规章 | 0 | 0 | 0 |", "规章 | 0 | 0 | 0 |\n规章 | 1 | 0 | 1 |")),
        ("t2_label_twice", _once(pipe, "规章 | 0 | 0 | 0 |", "规章 |\n规章 | 0 | 0 | 0 |")),
        ("t3_numbered_blank_row", _once(pipe, "3.其他 | 3 | 0 | 0 | 0 | 0 | 0 | 3 |", "3.其他 | | | 暂无 | | | | |")),
        ("t3_double_dash", _once(pipe, "2.重复申请 | 0 | 0 |", "2.重复申请 | 0 | -- |")),
        ("t3_long_digits", _once(pipe, "申请数量 | 59 |", "申请数量 | " + "5" * 5000 + " |")),
        ("t2_long_decimal", _once(pipe, "670.5862", "6" * 5000 + ".5")),
        ("crlf", pipe.replace("\n", "\r\n")),
        ("cr", cell.replace("\n", "\r")),
    ]
    return out


# every damaged shape above reads the same on the fused path as on the general one (the fused
# path must hand each of them back; a guard for the fixes, which live in the general path)
def test_fused_and_general_paths_agree_on_the_damaged_shapes(monkeypatch: pytest.MonkeyPatch) -> None:
    from gipcheck.load import text as text_loader

    source = {"path": "x.txt", "media_type": "text/plain", "encoding": "utf-8", "sha256": "0", "loader": "text"}

    def result(text: str) -> Any:
        rep = text_loader.parse_text(text, source=source)
        return rep.document, {k: v.to_json() for k, v in rep.locations.items()}, [n.to_json() for n in rep.notes]

    for name, text in _shapes():
        monkeypatch.setattr(text_loader, "FUSED", True)
        fused = result(text)
        monkeypatch.setattr(text_loader, "FUSED", False)
        assert fused == result(text), name


# shape: one cell per line, one value line of a row deleted: the row is short (noted), not
# completed with the "||" padding line after it as an invented blank total
def test_one_cell_per_line_row_missing_a_cell_is_noted_not_padded() -> None:
    text = _seed(CELL_SEED)
    rep = _load(_nth(text, "0 |\n", "", "(二)部分公开(区分处理的,只计这一情形,不计其他情形) |\n", 3))
    row = rep.document["requests"]["results"]["partially_granted"]
    assert "total" not in row and list(row.values()) == [0] * 6
    assert ("ROW_INCOMPLETE", "/requests/results/partially_granted") in _codes(rep)


# ---------------------------------------------------------------- property: any one cell

_ODD_CELLS = ["", " ", "/", "—", "——", "无", "-", "－", "暂无", "不涉及", "abc", "1e5", "1 234", "O", "五十九"]


def _table_cells(doc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}

    def walk(d: Any, p: str) -> None:
        if isinstance(d, dict):
            for k, v in d.items():
                walk(v, f"{p}/{k}")
        else:
            out[p] = d

    for part in ("active", "requests", "review"):
        walk(doc.get(part), f"/{part}")
    return out


# shape: any one value cell of tables 二, 三 and 四 (pipe rows) replaced by a blank, a null
# marker or text that is no number: that cell is null, every other cell keeps its value
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_one_odd_cell_is_null_and_shifts_nothing(data: st.DataObject) -> None:
    text = _seed(PIPE_SEED)
    base = _load(text)
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    cells = sorted(p for p, loc in base.locations.items()
                   if p.startswith(("/active", "/requests", "/review")) and loc.text and loc.line is not None)
    ptr = data.draw(st.sampled_from(cells))
    odd = data.draw(st.sampled_from(_ODD_CELLS))
    loc = base.locations[ptr]
    at = starts[loc.line - 1] + (loc.col or 1) - 1
    assert text[at:at + len(loc.text)] == loc.text
    rep = _load(text[:at] + odd + text[at + len(loc.text):])
    before, after = _table_cells(base.document), _table_cells(rep.document)
    assert after.get(ptr, "absent") is None, (ptr, odd)
    assert {k: v for k, v in after.items() if k != ptr} == {k: v for k, v in before.items() if k != ptr}, (ptr, odd)


# ---------------------------------------------------------------- absurd numbers

# shape: a cell of thousands of digits (over Python's 4,300-digit int conversion limit: the load
# ended in an internal error), a decimal of thousands of digits (read as float infinity, which
# no JSON holds), a 16-digit count: none is a number a report states, so each is an unreadable
# cell (null, noted); 15 digits still read
@pytest.mark.parametrize(("old", "new", "ptr"), [
    ("一、本年新收政府信息公开申请数量 | 59 |", "一、本年新收政府信息公开申请数量 | " + "5" * 5000 + " |", "/requests/new/natural_person"),
    ("规章 | 0 |", "规章 | " + "1" * 5000 + " |", "/active/regulations/issued"),
    ("5 | 2 | 2 |", "9" * 5000 + " | 2 | 2 |", "/review/reconsideration/upheld"),
    ("670.5862", "6" * 5000 + ".5", "/active/fees/amount"),
    ("一、本年新收政府信息公开申请数量 | 59 |", "一、本年新收政府信息公开申请数量 | " + "1" * 16 + " |", "/requests/new/natural_person"),
])
def test_a_number_too_long_to_be_one_is_an_unreadable_cell(old: str, new: str, ptr: str) -> None:
    rep = _load(_once(_seed(PIPE_SEED), old, new))
    assert _get(rep.document, ptr) is None
    assert ("UNREADABLE_CELL", ptr) in _codes(rep)
    json.dumps(rep.document, allow_nan=False)
    rep = _load(_once(_seed(PIPE_SEED), "申请数量 | 59 |", "申请数量 | " + "1" * 15 + " |"))
    assert rep.document["requests"]["new"]["natural_person"] == 111_111_111_111_111


# shape: prose stating a count of thousands of digits ("共收到政府信息公开申请999…9件"): no fact
# (before: the value was float infinity)
def test_a_fact_too_long_to_be_a_number_is_not_a_fact() -> None:
    text = _seed(PIPE_SEED)
    rep = _load(_once(text, "(二)持续强化", "行政复议" + "1" * 400 + "件。(二)持续强化"))
    assert "reconsiderations" not in rep.document["facts"] or rep.document["facts"]["reconsiderations"]["value"] < 10 ** 15
    json.dumps(rep.document, allow_nan=False)


# ---------------------------------------------------------------- meta

# shape: a publication date that names no real day ("2025-02-30", "2025年2月30日"): null, never an
# invalid ISO date in the document (before: "2025-02-30" was written as the date)
@pytest.mark.parametrize("date", ["2025-02-30", "2025年2月30日", "2023-02-29"])
def test_an_impossible_date_is_not_written_as_a_date(date: str) -> None:
    text = _seed(PIPE_SEED)
    rep = _load(_once(text, "发布时间: 2025-01-17", f"发布时间: {date}"))
    assert rep.document["meta"]["published"] is None
    assert _load(_once(text, "发布时间: 2025-01-17", "发布时间: 2024-02-29")).document["meta"]["published"] == "2024-02-29"
