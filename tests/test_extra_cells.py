"""Numbers a table row has no cell for are never dropped silently: an EXTRA_CELLS note names the
row (by its official label), the surplus raw text and its line, and nothing read changes.

Real text: the two 洪泽 PDFs write table 三's (六)其他处理 as one row of seven numbers, where the 2021
format has a group heading over three rows; the 沭阳 OCR text has a real row with an extra number
added. Synthetic: a seed row with one extra number in each layout the loader reads (pipe rows,
Markdown, one cell per line, free text, a glued digit string), on the fused and the general path.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from gipcheck.document.canon import ACTIVE_ROWS_2021, REQUEST_GROUPS, REQUEST_ROWS_2021, REVIEW_BLOCK_LABELS
from gipcheck.load import load_path
from gipcheck.load import text as text_loader
from gipcheck.load.base import LoadedReport, Note
from gipcheck.load.text import parse_text

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEED = SHARED / "seeds" / "001_752a671dabfd990e.txt"
CORPUS = SHARED / "corpus"
SOURCE = {"path": "x.txt", "media_type": "text/plain", "encoding": "utf-8", "sha256": "0", "loader": "text"}

# official labels (canon), as the notes must name the rows
PARTIAL = next(r.label for r in REQUEST_ROWS_2021 if r.path == "requests.results.partially_granted")
GRANTED = next(r.label for r in REQUEST_ROWS_2021 if r.path == "requests.results.granted")
REGULATIONS = next(a.label for a in ACTIVE_ROWS_2021 if a.path == "active.regulations")
LAST_BLOCK = REVIEW_BLOCK_LABELS["litigation_after_reconsideration"]["zh"]

SEED_PARTIAL = "(二)部分公开(区分处理的,只计这一情形,不计其他情形) | 0 | 0 | 0 | 0 | 0 | 0 | 0 |"
SURPLUS = "987"  # a number no seed cell holds, so its line can be found in any layout


def _seed() -> str:
    if not SEED.is_file():
        pytest.skip(f"seed not found beside the checkout: {SEED}")
    return SEED.read_text(encoding="utf-8")


def _once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _parse(text: str, fused: bool, monkeypatch: pytest.MonkeyPatch) -> LoadedReport:
    monkeypatch.setattr(text_loader, "FUSED", fused)
    return parse_text(text, source=SOURCE)


def _extra(rep: LoadedReport) -> list[Note]:
    return [n for n in rep.notes if n.code == "EXTRA_CELLS"]


def _line_of(text: str, needle: str) -> int:
    """1-based line of the only line holding ``needle`` as a whole number."""
    hits = [i for i, ln in enumerate(text.split("\n"), 1) if re.search(rf"(?<!\d){needle}(?!\d)", ln)]
    assert len(hits) == 1, hits
    return hits[0]


def _tables(doc: dict[str, Any]) -> tuple[Any, Any, Any]:
    return doc.get("active"), doc.get("requests"), doc.get("review")


def _check(text: str, control: str, monkeypatch: pytest.MonkeyPatch, pointer: str, label: str,
           raw: str = SURPLUS, cells: int | None = None) -> Note:
    """``text`` (``control`` plus surplus ``raw``) gets one EXTRA_CELLS note, the same on both
    paths, naming ``label`` and ``raw`` at its line; the tables read as in ``control``, which has
    no such note."""
    got = []
    for fused in (True, False):
        rep = _parse(text, fused, monkeypatch)
        base = _parse(control, fused, monkeypatch)
        assert _extra(base) == [], "control has no surplus number"
        notes = _extra(rep)
        assert len(notes) == 1, [n.zh for n in notes]
        note = notes[0]
        line = _line_of(text, raw.split()[0])
        assert note.pointer == pointer
        assert note.line == line
        assert note.level == "warning"
        assert f"“{label}”" in note.zh and f"“{raw}”" in note.zh and f"第 {line} 行" in note.zh
        assert f"'{raw}'" in note.en and f"line {line}," in note.en
        if cells is not None:  # the row's own width, in the report's format
            assert f"（{cells} 个单元格）" in note.zh and f"({cells} cells)" in note.en
        # the surplus changes nothing that was read
        assert _tables(rep.document) == _tables(base.document)
        got.append(note.to_json())
    assert got[0] == got[1], "fused and general path note alike"
    return note


# ------------------------------------------------------------------ real text

@pytest.mark.parametrize("name", ["hongze_gov_2023.pdf", "hongze_gov_2024.pdf"])
def test_hongze_single_other_row_is_noted(name: str) -> None:
    """The 洪泽 reports (2021 format) write （六）其他处理 as one row of seven numbers (the 2019
    format's row): it has no cells in the 2021 table, so its numbers are noted, not invented."""
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"corpus file not found beside the checkout: {path}")
    pytest.importorskip("pdfplumber")
    rep = load_path(path)
    assert rep.document["meta"]["format"] == "2021"
    lines = (rep.text or "").split("\n")
    row = [i for i, ln in enumerate(lines, 1) if re.match(r"\s*[（(]六[)）]其他处理\s*\|", ln)]
    assert len(row) == 1
    cells = [c.strip() for c in lines[row[0] - 1].split("|")[1:] if c.strip()]
    assert len(cells) == 7 and all(c.isdigit() for c in cells)
    shown = " ".join(cells)
    notes = _extra(rep)
    assert len(notes) == 1, [n.zh for n in notes]
    note = notes[0]
    assert note.pointer == "/requests/results/other"
    assert note.line == row[0]
    assert f"“{REQUEST_GROUPS['other']}”" in note.zh and f"“{shown}”" in note.zh
    page = rep.locations["/requests/results/total/total"].page  # the (七)总计 row just below it
    assert page is not None and f"第 {row[0]} 行" in note.zh and f"（第 {page} 页）" in note.zh
    assert f"'{shown}'" in note.en
    # nothing is made up for the three 2021 rows: they stay missing, with their notes
    assert "other" not in rep.document["requests"]["results"]
    assert sum(n.code == "ROW_MISSING" and n.pointer.startswith("/requests/results/other/") for n in rep.notes) == 3


def test_shuyang_ocr_text_extra_number_is_noted() -> None:
    """The 沭阳 OCR text (Markdown tables, general path): its applicant header tables hold only
    "-" markers, which are no numbers (no note); a number added after a full row is noted."""
    path = CORPUS / "001_shuyang_county_gov_2025.txt"
    if not path.is_file():
        pytest.skip(f"corpus file not found beside the checkout: {path}")
    text = path.read_text(encoding="utf-8")
    row = "| 2. 重复申请 | 6 | 1 | 0 | 0 | 0 | 0 | 7 |"
    assert _extra(load_path(path)) == []
    rep = parse_text(_once(text, row, row + f" {SURPLUS} |"), source=SOURCE)
    base = parse_text(text, source=SOURCE)
    notes = _extra(rep)
    assert len(notes) == 1
    label = f"{REQUEST_GROUPS['not_processed']} 2.重复申请"
    assert notes[0].pointer == "/requests/results/not_processed/duplicate"
    assert notes[0].line == text[:text.index(row)].count("\n") + 1
    assert f"“{label}”" in notes[0].zh and f"“{SURPLUS}”" in notes[0].zh
    assert _tables(rep.document) == _tables(base.document)


# ------------------------------------------------------------------ each layout

def _markdown(text: str) -> str:
    return "\n".join(("| " + ln) if "|" in ln else ln for ln in text.split("\n"))


def _one_cell_per_line(text: str) -> str:
    return text.replace(" | ", " |\n")


def _free(text: str) -> str:
    return text.replace(" | ", " ").replace(" |", "")


LAYOUTS = {"pipe": lambda t: t, "markdown": _markdown, "one_cell_per_line": _one_cell_per_line, "free_text": _free}


# (row as the seed writes it, with the surplus, pointer, label, cells): a number after a full row;
# a number alone on the next line (a page number? a row whose label was lost?)
SURPLUS_CASES = {
    "table3_same_line": (SEED_PARTIAL, SEED_PARTIAL + f" {SURPLUS} |", "/requests/results/partially_granted",
                         PARTIAL, None),
    "table3_own_line": (SEED_PARTIAL, SEED_PARTIAL + f"\n{SURPLUS} |", "/requests/results/partially_granted",
                        PARTIAL, None),
    "table2_same_line": ("规章 | 0 | 0 | 0 |", f"规章 | 0 | 0 | 0 | {SURPLUS} |", "/active/regulations",
                         REGULATIONS, 3),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("case", list(SURPLUS_CASES))
def test_extra_number_after_a_full_row(case: str, layout: str, monkeypatch: pytest.MonkeyPatch) -> None:
    row, with_surplus, pointer, label, cells = SURPLUS_CASES[case]
    seed = _seed()
    make = LAYOUTS[layout]
    text = make(_once(seed, row, with_surplus))
    _check(text, make(seed), monkeypatch, pointer, label, cells=cells)


def test_table2_one_cell_row_with_a_second_number(monkeypatch: pytest.MonkeyPatch) -> None:
    """行政许可 has one cell in the 2021 format (three in 2019's): a second number is surplus."""
    seed = _seed()
    text = _once(seed, "行政许可 | 0 |", f"行政许可 | 0 | {SURPLUS} |")
    _check(text, seed, monkeypatch, "/active/licensing", "行政许可", cells=1)


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_table4_sixteenth_number(layout: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seed = _seed()
    make = LAYOUTS[layout]
    line = "2 | 0 | 0 | 0 | 2 | 1 | 0 | 0 | 0 | 1 | 2 | 0 | 0 | 0 | 2 |"
    text = make(_once(seed, line, line + f" {SURPLUS} |"))
    _check(text, make(seed), monkeypatch, "/review", LAST_BLOCK)


def test_table3_group_heading_with_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The 洪泽 shape on a seed: (六)其他处理 as one row of numbers in a 2021-format report."""
    seed = _seed()
    lines = seed.split("\n")
    i = next(k for k, ln in enumerate(lines) if ln.startswith("(六)其他处理"))
    numbers = "0 0 0 0 0 0 0"
    single = lines[:i] + ["(六)其他处理 | " + numbers.replace(" ", " | ") + " |"] + lines[i + 3:]
    control = lines[:i] + ["(六)其他处理 |"] + lines[i + 3:]
    for fused in (True, False):
        rep = _parse("\n".join(single), fused, monkeypatch)
        base = _parse("\n".join(control), fused, monkeypatch)
        assert _extra(base) == []
        notes = _extra(rep)
        assert len(notes) == 1
        assert notes[0].pointer == "/requests/results/other"
        assert notes[0].line == i + 1
        assert f"“{REQUEST_GROUPS['other']}”" in notes[0].zh and f"“{numbers}”" in notes[0].zh
        assert _tables(rep.document) == _tables(base.document)


def test_number_after_a_glued_digit_string(monkeypatch: pytest.MonkeyPatch) -> None:
    """Free text whose row is one digit string (cells run together) and a number on the next
    line: the string goes to the digit splitter as before, the number is noted."""
    seed = _free(_seed())
    row = "(一)予以公开 14 0 0 0 0 0 14"
    control = _once(seed, row, "(一)予以公开 1400000014")
    text = _once(seed, row, f"(一)予以公开 1400000014\n{SURPLUS}")
    _check(text, control, monkeypatch, "/requests/results/granted", GRANTED)


def _report_2019(seed: str) -> str:
    """The seed with a 2019-format table 二 and a single (六)其他处理 row."""
    table2 = (
        "第二十条第(一)项 | | | |\n信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |\n"
        "规章 | 0 | 0 | 0 |\n规范性文件 | 2 | 2 | 17 |\n第二十条第(五)项 | | | |\n"
        "信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |\n行政许可 | 110 | 4 | 2900 |\n"
        "其他对外管理服务事项 | 9 | 0 | 21 |\n第二十条第(六)项 | | | |\n"
        "信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |\n行政处罚 | 31 | 1 | 640 |\n"
        "行政强制 | 4 | 0 | 10 |\n第二十条第(八)项 | | | |\n信息内容 | 上一年项目数量 | 本年增/减 | |\n"
        "行政事业性收费 | 6 | 0 | |\n第二十条第(九)项 | | | |\n信息内容 | 采购项目数量 | 采购总金额 | |\n"
        "政府集中采购 | 11 | 210.5 | |\n万元 | | | |\n"
    )
    a = seed.index("\n", seed.index("二、主动公开政府信息情况")) + 1
    b = seed.index("三、收到和处理政府信息公开申请情况")
    lines = (seed[:a] + table2 + seed[b:]).split("\n")
    i = next(k for k, ln in enumerate(lines) if ln.startswith("(六)其他处理"))
    lines[i:i + 3] = ["(六)其他处理 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |"]
    return "\n".join(lines)


@pytest.mark.parametrize("where", ["fees", "other"])
def test_2019_format_rows_with_one_extra_number(where: str, monkeypatch: pytest.MonkeyPatch) -> None:
    control = _report_2019(_seed())
    assert _parse(control, True, monkeypatch).document["meta"]["format"] == "2019"
    if where == "fees":  # two cells in 2019 (上一年项目数量, 本年增/减): a third number has none
        text = _once(control, "行政事业性收费 | 6 | 0 | |", f"行政事业性收费 | 6 | 0 | {SURPLUS} |")
        _check(text, control, monkeypatch, "/active/fees", "行政事业性收费", cells=2)
    else:
        row = "(六)其他处理 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |"
        text = _once(control, row, row + f" {SURPLUS} |")
        _check(text, control, monkeypatch, "/requests/results/other", REQUEST_GROUPS["other"], cells=7)


def test_footnote_numbers_under_the_table_are_not_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    """Quantities and dates in a note line under the table ("截至2021年12月31日", "共14件") stand in
    sentences, not cells: only the real surplus number after the row is noted."""
    seed = _seed()
    last = "四、结转下年度继续办理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |"
    footnote = "注：本表数据统计期限为2021年1月1日至2021年12月31日，共收到申请14件"
    control = _once(seed, last, f"{last}\n{footnote}")
    text = _once(control, SEED_PARTIAL, SEED_PARTIAL + f" {SURPLUS} |")
    _check(text, control, monkeypatch, "/requests/results/partially_granted", PARTIAL)
