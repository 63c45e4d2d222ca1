"""A prose sentence near a table (a count written between the heading and the table, a note under
it, a unit caption, a note row inside it) is section text, never cells: the tables read exactly
as without it, on the fused and the general path alike. Real text: the seeds, the 沭阳 OCR text
(Markdown mini-tables) and the 平潭 web pages (every cell run together). Controls: a line that
really is a table row (a unit in its cell, an amount in 万元) is still read as one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gipcheck.load import text as text_loader
from gipcheck.load.base import LoadedReport
from gipcheck.load.text import parse_text

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))
CORPUS = SHARED / "corpus"
SOURCE = {"path": "x.txt", "media_type": "text/plain", "encoding": "utf-8", "sha256": "0", "loader": "text"}
HEAD4 = "四、政府信息公开行政复议、行政诉讼情况"

needs_seeds = pytest.mark.skipif(not SEEDS, reason="seeds not found beside the checkout (../shared/seeds)")

# sentences real reports write next to their tables
SENTENCES = (
    "本年度发生行政复议案件2件。",
    "2024年共收到政府信息公开申请15件。",
    "注：本表数据统计期限为2024年1月1日至2024年12月31日。",
    "数据截至2024年12月31日",
)


def _file(path: Path) -> str:
    if not path.is_file():
        pytest.skip(f"not found beside the checkout: {path}")
    return path.read_text(encoding="utf-8")


def _parse(text: str, fused: bool, monkeypatch: pytest.MonkeyPatch) -> LoadedReport:
    monkeypatch.setattr(text_loader, "FUSED", fused)
    return parse_text(text, source=SOURCE)


def _tables(rep: LoadedReport) -> tuple[Any, Any, Any]:
    d = rep.document
    return d.get("active"), d.get("requests"), d.get("review")


def _check(variant: str, base: str, monkeypatch: pytest.MonkeyPatch, what: str) -> None:
    """``variant`` (``base`` with a sentence added) reads the same tables with the same notes, and
    the fused and general paths agree on it."""
    got = {}
    for fused in (True, False):
        rep = _parse(variant, fused, monkeypatch)
        ref = _parse(base, fused, monkeypatch)
        assert _tables(rep) == _tables(ref), what
        assert sorted(n.code for n in rep.notes) == sorted(n.code for n in ref.notes), what
        got[fused] = (rep.document, [n.to_json() for n in rep.notes])
    assert got[True] == got[False], f"fused and general differ: {what}"


def _insert_line(text: str, index: int, line: str) -> str:
    lines = text.split("\n")
    return "\n".join([*lines[:index], line, *lines[index:]])


def _region(text: str, head: str, stop: str) -> tuple[int, int]:
    """Line indexes (0-based) of the first line after ``head`` and of the line starting ``stop``."""
    lines = text.split("\n")
    a = next(i for i, ln in enumerate(lines) if ln.strip().lstrip("# ").startswith(head)) + 1
    b = next(i for i in range(a, len(lines)) if lines[i].strip().lstrip("# ").startswith(stop))
    return a, b


# ------------------------------------------------------------------ the reported case

@needs_seeds
def test_sentence_between_table4_heading_and_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bug report: "本年度发生行政复议案件2件。" after the table-四 heading made every cell null
    (its "2" taken for the first value, a digit string) and the 15 values an EXTRA_CELLS note."""
    seed = SEEDS[0]
    text = _file(seed)
    a, _ = _region(text, HEAD4, "五、")
    variant = _insert_line(text, a, "本年度发生行政复议案件2件。")
    expected = json.loads((seed.parent / "expected" / f"{seed.stem}.json").read_text(encoding="utf-8"))
    for fused in (True, False):
        rep = _parse(variant, fused, monkeypatch)
        assert rep.document["review"] == expected["document"]["review"]
        assert not [n for n in rep.notes if n.code in ("AMBIGUOUS_DIGITS", "EXTRA_CELLS", "UNREADABLE_CELL")]
        # the sentence stays section text
        sec4 = next(s for s in rep.document["sections"] if s["number"] == 4)
        assert "本年度发生行政复议案件2件" in sec4["text"]
    _check(variant, text, monkeypatch, "repro")


# ------------------------------------------------------------------ table 四, every seed

FORMS = {
    "line": lambda s: s,
    "cell": lambda s: f"{s} |",  # a note row of one cell (a Word or web table)
    "padded": lambda s: f"{s} | | | |",  # the same, with the blank cells of a merged row
}


@needs_seeds
@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_table4_sentence_at_each_header_line(seed: Path, form: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """After the heading, between the header lines (each of them), before the value line and after
    it: a sentence with numbers is no cell there."""
    text = _file(seed)
    a, b = _region(text, HEAD4, "五、")
    lines = text.split("\n")
    first_value = next(i for i in range(a, b) if lines[i].replace("|", "").replace(" ", "").isdigit())
    for index in [*range(a, first_value + 1), b]:
        for sentence in SENTENCES[:3]:
            variant = _insert_line(text, index, FORMS[form](sentence))
            _check(variant, text, monkeypatch, f"{seed.name} line {index + 1}: {sentence}")


# ------------------------------------------------------------------ table 三, Markdown mini-tables

def test_table3_sentence_in_ocr_markdown_header(monkeypatch: pytest.MonkeyPatch) -> None:
    """The 沭阳 OCR text cuts table 三 into mini-tables under "###" row headings: a sentence between
    the section heading, the row heading, its table header and its first row takes no cell."""
    text = _file(CORPUS / "001_shuyang_county_gov_2025.txt")
    a, _ = _region(text, "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议")
    lines = text.split("\n")
    first_row = next(i for i in range(a, len(lines)) if lines[i].startswith("| 本年新收"))
    for index in range(a, first_row + 1):
        for sentence in (*SENTENCES, "其中，自然人申请12件，法人或其他组织申请3件。"):
            for form in ("line", "cell"):
                variant = _insert_line(text, index, FORMS[form](sentence))
                _check(variant, text, monkeypatch, f"line {index + 1} ({form}): {sentence}")


# ------------------------------------------------------------------ web pages run together

PINGTAN = ["010_pingtan_2025.page.txt", "013_pingtan_2022.page.txt", "015_pingtan_2020_oldformat.page.txt"]


@pytest.mark.parametrize("name", PINGTAN)
def test_sentence_run_into_flattened_tables(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A web page flattened to one line: a note run into the end of each table (up to the next
    heading) used to turn the whole table into one long "sentence" (every row lost); a sentence
    run into table 四's header took the place of its values."""
    text = _file(CORPUS / name)
    cases = []
    for stop in ("三、收到和处理", "四、政府信息公开行政", "五、存在的主要问题"):  # (013: "行政法复议", a typo)
        at = text.index(stop)
        for sentence in (*SENTENCES[:3], "本年度未发生行政复议、行政诉讼案件。"):
            cases.append((f"before {stop}: {sentence}", text[:at] + sentence + text[at:]))
    header = text.index("结果维持", text.index("四、政府信息公开行政"))
    for sentence in ("共收到申请15件", "办结率100%", "数据截至2024年12月31日", SENTENCES[0]):
        cases.append((f"table 四 header: {sentence}", text[:header] + sentence + text[header:]))
    for what, variant in cases:
        _check(variant, text, monkeypatch, what)


# ------------------------------------------------------------------ controls: real rows

def _free(text: str) -> str:
    """The seed as PDF text without borders: cells separated by spaces."""
    return text.replace(" | ", " ").replace(" |", "")


@needs_seeds
@pytest.mark.parametrize(("layout", "old", "new", "path", "value"), [
    # a unit written in the cell, after a space or run into the label: still the row's number
    ("free", "行政许可 0", "行政许可 2418件", ("active", "licensing", "decisions"), 2418),
    ("free", "行政许可 0", "行政许可2418件", ("active", "licensing", "decisions"), 2418),
    # an amount with its money unit (no sentence: 万元 alone is the cell's unit)
    ("free", "行政事业性收费 180.338174", "行政事业性收费 4166.24万元", ("active", "fees", "amount"), 4166.24),
    ("free", "行政事业性收费 180.338174", "行政事业性收费4166.24万元", ("active", "fees", "amount"), 4166.24),
    # a sub-table title numbered in digits (OCR) is no sentence: the row under it is read
    ("free", "第二十条第(五)项\n信息内容 本年处理决定数量\n行政许可 0",
     "第二十条第5项\n信息内容 本年处理决定数量\n行政许可 7", ("active", "licensing", "decisions"), 7),
])
def test_rows_with_units_are_still_rows(layout: str, old: str, new: str, path: tuple[str, ...], value: Any,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    text = _free(_file(SEEDS[1]))
    assert text.count(old) == 1, old
    variant = text.replace(old, new)
    results = []
    for fused in (True, False):
        rep = _parse(variant, fused, monkeypatch)
        got: Any = rep.document
        for k in path:
            got = got[k]
        assert got == value
        assert not [n for n in rep.notes if n.code == "ROW_MISSING" and n.pointer.startswith("/" + path[0])]
        results.append((rep.document, [n.to_json() for n in rep.notes]))
    assert results[0] == results[1]


@needs_seeds
def test_unit_value_alone_in_its_cell_stays_a_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    """One cell per line: "2418件 |" under its row label is that row's (unreadable) value, noted
    and null in its own column, not a sentence dropped (which would slide the next cells)."""
    text = _file(SEEDS[1]).replace(" | ", " |\n")
    old = "行政许可 |\n0 |"
    assert text.count(old) == 1
    variant = text.replace(old, "行政许可 |\n2418件 |")
    for fused in (True, False):
        rep = _parse(variant, fused, monkeypatch)
        ref = _parse(text, fused, monkeypatch)
        assert rep.document["active"]["licensing"] == {"decisions": None}
        assert any(n.code == "UNREADABLE_CELL" and n.pointer == "/active/licensing/decisions" for n in rep.notes)
        other = {k: v for k, v in rep.document["active"].items() if k != "licensing"}
        assert other == {k: v for k, v in ref.document["active"].items() if k != "licensing"}


@needs_seeds
def test_value_line_after_a_sentence_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """Free text (no borders): a sentence line, then table 四's value line of 15 numbers — the
    numbers are the cells, the sentence's are not."""
    text = _free(_file(SEEDS[0]))
    lines = text.split("\n")
    row = next(i for i, ln in enumerate(lines) if ln.replace(" ", "").isdigit() and len(ln.split()) == 15)
    variant = _insert_line(text, row, "本年度共发生行政复议案件10件、行政诉讼案件3件。")
    rep = _parse(variant, False, monkeypatch)
    values = [v for block in rep.document["review"].values() for v in block.values()]
    assert values == [int(x) for x in lines[row].split()]
    _check(variant, text, monkeypatch, "free text value line")
