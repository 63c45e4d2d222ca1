"""The fused table path of the text loader (``text.FUSED``) gives exactly what the general path
gives: the same document, locations and notes, on the seeds, the examples and damaged variants
of them (the fused path must notice what it cannot explain and hand the table back)."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gipcheck.errors import LoadError
from gipcheck.load import tables
from gipcheck.load import text as text_loader
from gipcheck.load.text import parse_text

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))
EXAMPLES = sorted((ROOT / "examples").glob("*.txt"))
CORPUS = sorted((SHARED / "corpus").glob("*.txt"))
SOURCE = {"path": "x.txt", "media_type": "text/plain", "encoding": "utf-8", "sha256": "0", "loader": "text"}

needs_seeds = pytest.mark.skipif(not SEEDS, reason="seeds not found beside the checkout (../shared/seeds)")



def _count_scans(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Calls of the general path's tokeniser, counted from now on (one entry per call)."""
    calls: list[int] = []
    real_scan = tables.scan

    def counting_scan(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real_scan(*args, **kwargs)

    monkeypatch.setattr(tables, "scan", counting_scan)
    return calls

def _result(text: str, fused: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(text_loader, "FUSED", fused)
    try:
        r = parse_text(text, source=SOURCE)
    except LoadError as e:
        return ("ERR", e.code, str(e))
    return (r.document, {k: v.to_json() for k, v in r.locations.items()}, [n.to_json() for n in r.notes])


def _variants(text: str, seed: str) -> Iterator[tuple[str, str]]:
    rnd = random.Random(seed)
    lines = text.split("\n")
    yield "orig", text
    for _ in range(6):
        cut = rnd.randrange(len(text))
        yield f"trunc{cut}", text[:cut]
    yield "crlf", text.replace("\n", "\r\n")
    yield "md", "\n".join(("| " + ln + " |") if "|" in ln else ln for ln in lines)
    yield "one_cell_per_line", text.replace(" | ", " |\n")
    yield "pipe2nl", text.replace("|", "\n")
    yield "zeros", text.replace("0", "")
    yield "blank_cells", text.replace("| 0 |", "|  |")
    yield "commas", text.replace("1", "1,0")
    yield "marks", text.replace("| 0 |", "| / |")
    yield "decimals", text.replace("5 |", "5.5 |")
    yield "units", text.replace("| 1 |", "| 1件 |")
    yield "dropline", "\n".join(ln for i, ln in enumerate(lines) if i % 7 != 3)
    yield "blank_rows", "\n".join(ln + ("\n| |" if i % 5 == 2 else "") for i, ln in enumerate(lines))
    # header lines with a blank cell between labels (PDF tables): table 四 reads them, 二 and 三 hand back
    yield "gaps", text.replace("行政复议 | 行政诉讼", "行政复议 |  | 行政诉讼").replace(
        "信息内容 | 本年制发件数", "信息内容 |  | 本年制发件数").replace("自然人 | 法人", "自然人 | | 法人")
    for k in range(3):
        ls = list(lines)
        i, j = rnd.randrange(len(ls)), rnd.randrange(len(ls))
        ls[i], ls[j] = ls[j], ls[i]
        yield f"swap{k}", "\n".join(ls)
    for k in range(3):
        chars = list(text)
        for _ in range(15):
            chars[rnd.randrange(len(chars))] = rnd.choice(["", "|", "\n", " ", "1", "。", "其中", "、", "("])
        yield f"noise{k}", "".join(chars)


@needs_seeds
@pytest.mark.parametrize("path", SEEDS + EXAMPLES, ids=lambda p: p.name)
def test_fused_equals_general(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = path.read_text(encoding="utf-8")
    for name, variant in _variants(text, path.name):
        general = _result(variant, False, monkeypatch)
        fused = _result(variant, True, monkeypatch)
        assert fused == general, f"{path.name}:{name}"


# table 二 in the 2019 format (国办公开办函〔2019〕60号), with the money row and its unit line
TABLE2_2019 = """第二十条第(一)项 | | | |
信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |
规章 | 0 | 0 | 0 |
规范性文件 | 3 | 3 | 25 |
第二十条第(五)项 | | | |
信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |
行政许可 | 120 | 5 | 3400 |
其他对外管理服务事项 | 10 | 0 | 25 |
第二十条第(六)项 | | | |
信息内容 | 上一年项目数量 | 本年增/减 | 处理决定数量 |
行政处罚 | 40 | 2 | 800 |
行政强制 | 5 | 0 | 12 |
第二十条第(八)项 | | | |
信息内容 | 上一年项目数量 | 本年增/减 | |
行政事业性收费 | 8 | 0 | |
第二十条第(九)项 | | | |
信息内容 | 采购项目数量 | 采购总金额 | |
政府集中采购 | 12 | 345.6 | |
万元 | | | |
"""


def _report_2019() -> str:
    """Seed 000 rewritten in the 2019 format: its table 二 and a single (六)其他处理 row."""
    text = SEEDS[0].read_text(encoding="utf-8")
    head = "二、主动公开政府信息情况\n"
    a = text.index(head) + len(head)
    b = text.index("三、收到和处理政府信息公开申请情况")
    lines = (text[:a] + TABLE2_2019 + text[b:]).split("\n")
    i = next(k for k, ln in enumerate(lines) if ln.startswith("(六)其他处理"))
    lines[i:i + 3] = ["(六)其他处理 | 3 | 0 | 0 | 0 | 0 | 0 | 3 | ||"]
    return "\n".join(lines)


@needs_seeds
def test_fused_equals_general_2019_format(monkeypatch: pytest.MonkeyPatch) -> None:
    text = _report_2019()
    fused = _result(text, True, monkeypatch)
    doc = fused[0]
    assert doc["meta"]["format"] == "2019"
    assert doc["active"]["procurement"] == {"items": 12, "amount": 345.6, "amount_unit": "万元"}
    assert doc["requests"]["results"]["other"]["total"] == 3
    for name, variant in [*_variants(text, "2019"), ("yuan", text.replace("万元 |", "元 |")),
                          ("no_unit", text.replace("万元 | | | |\n", "")),
                          ("negative", text.replace("| 5 | 3400", "| -5 | 3400")),
                          ("integer_amount", text.replace("345.6", "345.0"))]:
        assert _result(variant, True, monkeypatch) == _result(variant, False, monkeypatch), name


@needs_seeds
@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_fused_path_taken_on_seeds(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The seeds' tables are plain: with the switch on, the general cell stream is never built,
    and the result still matches the expected document's table rows."""
    text = path.read_text(encoding="utf-8")
    general = _result(text, False, monkeypatch)

    def no_scan(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the general table path was taken")

    monkeypatch.setattr(tables, "scan", no_scan)
    fused = _result(text, True, monkeypatch)
    assert fused == general
    doc = fused[0]
    assert len(doc["requests"]["results"]["withheld"]) == 8
    assert set(doc["review"]) == {"reconsideration", "litigation_direct", "litigation_after_reconsideration"}


@needs_seeds
def test_fused_falls_back_on_unplain_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """A table-三 cell that is not a plain number sends that table to the general path, which
    notes the unreadable cell; the fused and general results agree."""
    text = SEEDS[0].read_text(encoding="utf-8")
    damaged = text.replace("| 59 |", "| 59件 |", 1)
    assert damaged != text
    calls = _count_scans(monkeypatch)
    fused = _result(damaged, True, monkeypatch)
    assert calls, "the damaged table should have gone to the general path"
    assert any(n["code"] == "UNREADABLE_CELL" for n in fused[2])
    assert fused == _result(damaged, False, monkeypatch)


def test_fused_lines_refuses_what_it_cannot_explain() -> None:
    for region in ("规章 | 0 | / | 0 |", "### 规章 | 0 |", "| | 规章 | 0 |", "规章 0 0 0", "规章 | -1 |",
                   "规章 | 1,000 |", "规章 | 0 | 说明 |", "表三: 规章 | 0 |", "规章 | 0 |--|"):
        norm = tables.normalize(region)
        assert tables.fused_lines(norm, 0, len(norm)) is None, region
    norm = tables.normalize("信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n规章 | 0 |  | 12 |\n\n|||\n")
    got = tables.fused_lines(norm, 0, len(norm))
    assert got is not None
    lines, count = got
    assert count == 8
    assert [lr.labels for lr in lines] == [["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"], ["规章"]]
    row = lines[1]
    assert row.values == [0, None, 12]  # blank is null, never 0
    assert [norm[s:e] for s, e in row.spans()] == ["0", "  ", "12"]
    assert row.raw(2) == "12" and row.raw(1) == ""


def test_fused_lines_reads_markdown_tables() -> None:
    """A Markdown table: the leading pipe opens no cell and the separator row has none."""
    norm = tables.normalize("| 信息内容 | 本年制发件数 |\n|---|:---:|\n| 规章 | 7 |\n|  | 3 |\n")
    got = tables.fused_lines(norm, 0, len(norm))
    assert got is not None
    lines, count = got
    assert count == 6
    assert [lr.labels for lr in lines] == [["信息内容", "本年制发件数"], ["规章"], []]
    assert lines[1].values == [7] and lines[2].values == [None, 3]
    assert lines[1].start_of(0) == norm.index("规章")
    assert [norm[s:e] for s, e in lines[1].spans()] == ["7"]
    assert lines[0].first() == norm.index("信息内容")


def test_fused_lines_bounded_on_hostile_input() -> None:
    norm = "规章 |" + " 1 |" * (tables.MAX_CELLS + 10)
    assert tables.fused_lines(norm, 0, len(norm)) is None
    norm = "\n".join(["规章 | 1 | 2 | 3 |"] * (tables.MAX_CELLS // 2))
    assert tables.fused_lines(norm, 0, len(norm)) is None
    norm = "规章 |\n" + "0 |\n" * tables.MAX_CELLS
    assert tables.fused_lines(norm, 0, len(norm)) is None


@needs_seeds
@pytest.mark.parametrize("path", SEEDS + EXAMPLES, ids=lambda p: p.name)
def test_fused_lines_agree_with_cell_stream(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Wherever the line reader takes a region, it sees what the cell stream sees there: the same
    labels in order (they choose the format before the rows are read), the same number of cells,
    the same first and last cell."""
    real = tables.fused_lines
    checked: list[int] = []

    def checking(norm: str, start: int, end: int) -> Any:
        got = real(norm, start, end)
        if got is not None:
            lines, count = got
            cells, n = tables.scan(norm, start, end)
            assert text_loader._line_labels(lines) == tables.labels_of(cells)
            assert count == n
            assert (lines[0].first(), lines[-1].last()) == (cells[0].start, cells[-1].end)
            checked.append(1)
        return got

    monkeypatch.setattr(tables, "fused_lines", checking)
    monkeypatch.setattr(text_loader, "FUSED", True)
    for _name, variant in _variants(path.read_text(encoding="utf-8"), path.name):
        try:
            parse_text(variant, source=SOURCE)
        except LoadError:
            pass
    assert checked


def test_official_wordings_are_not_note_labels() -> None:
    """The fused reader looks a table-三 label up among the official wordings before it checks for
    the header note words; that order is only right while no official wording is a note."""
    for fmt in ("2019", "2021"):
        for text, _group, _started in tables._request_specs(fmt).official():
            assert not any(w in text for w in tables._NOTE_WORDS), text


@needs_seeds
def test_fused_equals_general_on_html_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """The seeds as web pages (merged cells, split runs): the HTML loader's linearised tables are
    plain, so they take the fused path, and the locations (with the page's line and column) are
    the general path's."""
    monkeypatch.syspath_prepend(str(ROOT / "tests"))
    from formats.render import render_html, seeds  # the format-rendering helpers in tests/formats

    from gipcheck.load import load_bytes

    calls = _count_scans(monkeypatch)

    def result(page: bytes, fused: bool) -> Any:
        monkeypatch.setattr(text_loader, "FUSED", fused)
        r = load_bytes(page, "report.html")
        return r.document, {k: v.to_json() for k, v in r.locations.items()}, [n.to_json() for n in r.notes]

    for seed in seeds(SHARED):
        page = render_html(seed, encoding="gbk")
        calls.clear()
        fused = result(page, True)
        assert not calls, seed.name
        assert fused == result(page, False), seed.name


# ------------------------------------------------------------------ the line memo
# a line read once is read the same way from the memo: empty memos, full memos and the general
# path agree


def _read(text: str, fused: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    """As _result, with the locations in the mapping's order."""
    got = _result(text, fused, monkeypatch)
    return got if got[0] == "ERR" else (got[0], list(got[1].items()), got[2])


def _clear_memos() -> None:
    for memo in (tables._PLAIN_LINES, text_loader._HEADER_TEXTS):
        memo.clear()


def _edited(text: str, seed: str) -> list[str]:
    """The text with rows of zeros repeated and edited (the line memo's hits and misses)."""
    rnd = random.Random(seed)
    lines = text.split("\n")
    zero_rows = [i for i, ln in enumerate(lines) if ln.count("| 0 ") >= 3]
    out = [text]
    if zero_rows:
        ls = list(lines)
        i = rnd.choice(zero_rows)
        ls.insert(i, ls[i])  # a row of zeros twice: the second is a memo hit (a duplicate row)
        out.append("\n".join(ls))
        ls = list(lines)
        for i in zero_rows[::2]:
            ls[i] = ls[i].replace("| 0 ", "|  ", 1)  # a blank among the zeros: another tail
        out.append("\n".join(ls))
        ls = list(lines)
        for i in zero_rows[1::3]:
            ls[i] = ls[i].replace("| 0 ", "| 0.5 ", 1)  # a decimal: never memoised
        out.append("\n".join(ls))
    out.append(text.replace(" | 0 | 0 |", " |0|0|"))  # other padding, same values
    return out


@needs_seeds
@pytest.mark.parametrize("path", SEEDS + CORPUS, ids=lambda p: p.name)
def test_memo_hits_read_as_first_reading(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cold memos, warm memos and the general path (the oracle) agree, locations' order included
    between the two fused readings."""
    for k, variant in enumerate(_edited(path.read_text(encoding="utf-8"), path.name)):
        _clear_memos()
        cold = _read(variant, True, monkeypatch)
        warm = _read(variant, True, monkeypatch)
        assert cold == warm, f"{path.name}#{k}"
        general = _read(variant, False, monkeypatch)
        if cold[0] == "ERR":
            assert general == cold
            continue
        assert cold[0] == general[0] and cold[2] == general[2], f"{path.name}#{k}"
        assert dict(cold[1]) == dict(general[1]), f"{path.name}#{k}"


@needs_seeds
def test_memo_shared_lines_stay_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading a report does not change what the memo hands the next report (lists are shared)."""
    _clear_memos()
    text = SEEDS[0].read_text(encoding="utf-8")
    first = _read(text, True, monkeypatch)
    snapshot = {k: repr(v) for k, v in tables._PLAIN_LINES.items()}
    assert any(v != "None" for v in snapshot.values())
    for path in SEEDS:
        _read(path.read_text(encoding="utf-8"), True, monkeypatch)
    assert all(repr(tables._PLAIN_LINES[k]) == v for k, v in snapshot.items())
    assert _read(text, True, monkeypatch) == first


# ------------------------------------------------------------------ table 四's header memo


@needs_seeds
def test_header_texts_are_never_value_positions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The table-四 memo of header texts holds only texts that _value_position answers False for
    in every case (so skipping the call for them changes nothing), and reading with it cold or
    warm gives the general path's result, on the seeds' variants."""
    monkeypatch.setattr(text_loader, "FUSED", True)
    for path in SEEDS:
        text = path.read_text(encoding="utf-8")
        variants = [v for _, v in _variants(text, path.name)]
        variants.append(text.replace("| 结果维持 |", "| 暂无 |").replace("| 总计 |", "| 总 | 计 |"))
        variants.append(text.replace("行政诉讼 |", "行政诉讼 | 暂无 |"))
        for variant in variants:
            _clear_memos()
            cold = _read(variant, True, monkeypatch)
            warm = _read(variant, True, monkeypatch)
            assert cold == warm
            if cold[0] != "ERR":
                general = _read(variant, False, monkeypatch)
                assert (cold[0], dict(cold[1]), cold[2]) == (general[0], dict(general[1]), general[2])
        assert text_loader._HEADER_TEXTS
        for t in text_loader._HEADER_TEXTS:
            for valued in (False, True):
                for cnt in (0, 1, 7):
                    assert not tables._value_position(t, valued, cnt), t


def test_review_plan_matches_blocks() -> None:
    """The precomputed table-四 plan is the blocks in order, with their pointers and first slot."""
    width = len(text_loader.REVIEW_COLUMNS)
    assert [(b, p, k) for b, p, _, k in text_loader._REVIEW_PLAN] == [
        (b, f"review.{b}", k * width) for k, b in enumerate(text_loader.REVIEW_BLOCKS)]
    for b, path, ptrs, _ in text_loader._REVIEW_PLAN:
        assert ptrs == tuple(text_loader.pointer(path, c) for c in text_loader.REVIEW_COLUMNS), b


def test_line_rows_built_without_init_match_init() -> None:
    """fused_lines builds the rows of remembered lines without LineRow.__init__:
    every slot is set as __init__ sets it (cold and warm memos)."""
    text = "规章 | 0 | 0 | 0 |\n行政规范性文件 | 2 |  | 7.5 |\n信息内容 | 本年制发件数 |\n"
    norm = tables.normalize(text)
    for _ in range(2):  # the second reading takes the memo branch
        got = tables.fused_lines(norm, 0, len(norm))
        assert got is not None
        for lr in got[0]:
            ref = tables.LineRow(lr.a, lr.segs, lr.k, lr.labels, lr.values, norm, lr.valued, lr.dec)
            assert type(lr) is tables.LineRow
            assert {s: getattr(lr, s) for s in tables.LineRow.__slots__} == \
                {s: getattr(ref, s) for s in tables.LineRow.__slots__}
        assert [lr.dec for lr in got[0]] == [False, True, False]


# ------------------------------------------------------------------ session 8: the faster fused readers
# The general path (text.FUSED off: the cell stream of tables.scan and the assemble_*/_build_*
# pairs) is the oracle; the document's key order and the locations' order are compared too, as
# a JSON reporter writes them in insertion order.


def _ordered(text: str, fused: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The reading as JSON text in insertion order (keys not sorted), locations in their order."""
    got = _result(text, fused, monkeypatch)
    if got[0] == "ERR":
        return got
    doc, locs, notes = got
    return json.dumps(doc, ensure_ascii=False, default=repr), list(locs.items()), notes


def _row_lines(text: str) -> list[int]:
    """Indexes of the lines that are table rows of a label and seven or more value cells."""
    return [i for i, ln in enumerate(text.split("\n")) if ln.count("|") >= 8 and not ln.startswith("|")]


def _targeted(text: str, seed: str) -> Iterator[tuple[str, str]]:
    """Variants that reach the branches of the session-8 fast paths: numbers in the padding
    cells after a table-三 row (first, second or a later one), table 四's value line split
    across lines, one cell per line, local label wordings (the matcher instead of the table of
    official wordings), a missing or doubled row."""
    rnd = random.Random(seed + "8")
    lines = text.split("\n")
    rows = _row_lines(text)
    yield "orig", text
    for k, extra in enumerate(("| 5 |", "|  | 5 |", "|  |  | 5 |", "|  |  |  |", "| 0 |")):
        ls = list(lines)
        for i in rows[k::4]:
            ls[i] = ls[i].rstrip().rstrip("|").rstrip() + " | " + extra
        yield f"padding{k}", "\n".join(ls)
    for cut in (1, 3, 5, 7, 11, 14):
        ls = []
        for ln in lines:
            cells = ln.split("|")
            if ln.count("|") >= 14 and all(c.strip().isdigit() or not c.strip() for c in cells):
                ls.append("|".join(cells[:cut]) + "|")  # table 四's values on two lines
                ls.append("|".join(cells[cut:]))
            else:
                ls.append(ln)
        yield f"review_split{cut}", "\n".join(ls)
    # a one-cell table-二 row written as a decimal: read as an integer, not as money
    yield "decimal_one_cell", re.sub(r"^(行政(?:许可|处罚|强制) *\| *\d+)", r"\1.0", text, flags=re.M)
    yield "one_cell_per_line", text.replace(" | ", " |\n")
    yield "one_cell_per_line_spaced", text.replace(" | ", " |\n\n")
    yield "local_words", text.replace("(三)不予公开", "(三)不予以公开").replace("三、本年度办理结果", "三、办理结果")
    yield "plain_groups", text.replace("(四)无法提供", "无法提供").replace("(五)不予处理", "不予处理")
    if rows:
        i = rnd.choice(rows)
        yield "row_dropped", "\n".join(ln for j, ln in enumerate(lines) if j != i)
        ls = list(lines)
        ls.insert(i, ls[i])
        yield "row_twice", "\n".join(ls)
        ls = list(lines)
        ls[i] = ls[i].replace("| 0 ", "| 7 ", 2)
        yield "row_values", "\n".join(ls)


@needs_seeds
@pytest.mark.parametrize("path", SEEDS + EXAMPLES + CORPUS, ids=lambda p: p.name)
def test_fused_equals_general_in_order(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fused path gives the general path's document, locations and notes, in the same order,
    on the seeds, examples and corpus and on variants aimed at its fast paths."""
    text = path.read_text(encoding="utf-8")
    taken = 0
    for name, variant in _targeted(text, path.name):
        _clear_memos()
        general = _ordered(variant, False, monkeypatch)
        cold = _ordered(variant, True, monkeypatch)
        warm = _ordered(variant, True, monkeypatch)  # (the memos filled)
        assert cold == general, f"{path.name}:{name}"
        assert warm == general, f"{path.name}:{name} (warm memos)"
        taken += cold[0] != "ERR"
    assert taken or path in CORPUS


@needs_seeds
def test_targeted_variants_reach_the_fast_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    """The variants above do take the fused path for each table, and do reach its branches (so the
    comparison tests them): whole table-三 rows with padding, split table-四 blocks, runs of one
    number per line, labels outside the official wordings."""
    monkeypatch.setattr(text_loader, "FUSED", True)
    calls: dict[str, int] = {}
    for name in ("_fused_build_requests", "_fused_build_review", "_fused_build_active"):
        real = getattr(text_loader, name)

        def spy(*args: Any, _real: Any = real, _name: str = name) -> Any:
            calls[_name] = calls.get(_name, 0) + 1
            return _real(*args)

        monkeypatch.setattr(text_loader, name, spy)
    split_blocks = 0
    for path in SEEDS:
        for name, variant in _targeted(path.read_text(encoding="utf-8"), path.name):
            r = parse_text(variant, source=SOURCE)
            if name.startswith("review_split"):
                ptrs = [p for p in r.locations if p.startswith("/review/")]
                split_blocks += len({r.locations[p].line for p in ptrs}) > 1
    assert calls.get("_fused_build_requests", 0) > len(SEEDS)
    assert calls.get("_fused_build_review", 0) > len(SEEDS)
    assert calls.get("_fused_build_active", 0) > len(SEEDS)
    assert split_blocks > 0


def test_official_by_state_matches_official_table() -> None:
    """The per-state table of official wordings answers what the matcher's own table answers, and
    each answer carries the table of the state it leads to."""
    for fmt in ("2019", "2021"):
        official = tables._request_specs(fmt).official()
        by_state = text_loader._official_by_state(fmt)
        n = 0
        for (text, group, started), (kind, path, g2, s2) in official.items():
            hit = by_state[group, started][text]
            assert hit[:4] == (kind, path, g2, s2)
            assert hit[4] is by_state[g2, s2]
            n += 1
        assert n == sum(len(t) for t in by_state.values())


def test_request_plan_shares_equal_parents() -> None:
    """The builder reuses a row's parent dicts while the plan's parents tuple is the same object."""
    for fmt in ("2019", "2021"):
        plan = text_loader._fused_request_plan(fmt)
        parents = [p[3] for p in plan]
        for a, b in zip(parents, parents[1:], strict=False):
            assert (a == b) == (a is b)  # equal parents shared: the builder compares by identity
