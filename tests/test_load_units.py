"""Behaviour of the loader's parts on small real-looking snippets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gipcheck.document.gazetteer import classify_organ
from gipcheck.errors import LoadError
from gipcheck.load import load_bytes, registry
from gipcheck.load.decode import decode_bytes
from gipcheck.load.facts import extract_facts, load_patterns
from gipcheck.load.sections import find_headings
from gipcheck.load.tables import (
    BLANK,
    LABEL,
    MARK,
    NUM,
    assemble_active,
    assemble_requests,
    assemble_review,
    normalize,
    tokenize,
)
from gipcheck.load.text import parse_text


def _cells(text: str) -> list[Any]:
    norm = normalize(text)
    return tokenize(norm, 0, len(norm))


def test_normalize_keeps_length_and_positions() -> None:
    s = "（一）予以公开｜１２，３４５：　"
    n = normalize(s)
    assert len(n) == len(s)
    assert n == "(一)予以公开|12,345:" + " "


def test_pipe_row_with_ragged_trailing_cells() -> None:
    cells = _cells("一、本年新收政府信息公开申请数量 | 59 | 0 | | 0 | - | 0 | 59 | ||\n")
    kinds = [c.kind for c in cells]
    assert kinds == [LABEL, NUM, NUM, BLANK, NUM, MARK, NUM, NUM, BLANK, BLANK]
    read = assemble_requests(cells, "2021")
    row = read.rows["requests.new"]
    assert [i.value for i in row.items] == [59, 0, None, 0, None, 0, 59]  # padding beyond 7 dropped
    assert row.items[4].text == "-"  # the marker is kept for the location


def test_markdown_separators_and_page_furniture_are_dropped() -> None:
    cells = _cells("| 信息内容 | 本年制发件数 |\n|---|---|\n— 1 —\n- 4 -\n| 规章 | 3 |\n")
    assert [c.text for c in cells if c.kind == LABEL] == ["信息内容", "本年制发件数", "规章"]
    assert [c.text for c in cells if c.kind == NUM] == ["3"]


def test_one_cell_per_line_keeps_a_lone_blank() -> None:
    text = "3.其他 |\n |\n1 |\n |\n0 |\n0 |\n0 |\n1 |\n||\n"
    read = assemble_requests(_cells("(六)其他处理 |\n" + text), "2021")
    row = read.rows["requests.results.other.other"]
    assert [i.value for i in row.items] == [None, 1, None, 0, 0, 0, 1]


def test_free_text_digit_run_with_glued_ordinal() -> None:
    cells = _cells("(三)不予公开1.属于国家秘密00000002.其他法律行政法规禁止公开0000000"
                   "5.属于三类内部事务信息30000036.属于四类过程性信息2000002")
    labels = [c.text for c in cells if c.kind == LABEL]
    assert labels == ["(三)不予公开", "1.属于国家秘密", "2.其他法律行政法规禁止公开", "5.属于三类内部事务信息", "6.属于四类过程性信息"]
    read = assemble_requests(cells, "2021")
    assert read.rows["requests.results.withheld.internal_affairs"].run.text == "3000003"
    assert read.rows["requests.results.withheld.process_info"].run.text == "2000002"


def test_space_separated_cells_versus_runs_with_space_hints() -> None:
    read = assemble_requests(_cells("一、本年新收政府信息公开申请数量 3001 53 0 0 61 4 3119\n"
                                    "二、上年结转政府信息公开申请数量200 000121\n"), "2021")
    assert [i.value for i in read.rows["requests.new"].items] == [3001, 53, 0, 0, 61, 4, 3119]
    assert read.rows["requests.carried_over"].run.text == "200 000121"


def test_labels_broken_across_lines_and_vertical_headings() -> None:
    text = ("三、\n本\n年\n度\n（一）予以公开 1 0 0 0 0 0 1\n（二）部分公开（区分处理的，只计这一情\n形，不计其他情形） 4 0 0 0 0 0 4\n"
            "（三）不\n予公开\n1.属于国家秘密 2 0 0 0 0 0 2\n2.其他法律行政法规禁\n止公开 0 0 0 0 0 0 0\n（七）总\n计 7 0 0 0 0 0 7\n")
    read = assemble_requests(_cells(text), "2021")
    assert read.rows["requests.results.partially_granted"].items[0].value == 4
    assert read.rows["requests.results.partially_granted"].label.endswith("不计其他情形)")
    assert read.rows["requests.results.withheld.prohibited_by_law"].items[0].value == 0
    assert read.rows["requests.results.total"].items[-1].value == 7


def test_label_variants_match_their_rows() -> None:
    text = ("(五)不予以处理 | 1.信访举报投诉类申请 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n"
            "(六)其他处理 | 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |\n"
            "3.其他 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |\n")
    read = assemble_requests(_cells("一、本年新收政府信息公开申请数量 | 1 |\n" + text), "2021")
    assert "requests.results.not_processed.petition_complaint" in read.rows
    assert read.rows["requests.results.other.other"].items[0].value == 2
    # the column header "其他" before the first row is not row 3.其他
    read2 = assemble_requests(_cells("自然人 | 法人或其他组织 | 总计 |\n其他 | 5 |\n"), "2021")
    assert read2.rows == {}


def test_repeated_header_row_does_not_overwrite() -> None:
    text = ("| 予以公开 | 290 | 1 | 0 | 0 | 3 | 0 | 294 |\n"
            "| 项目 | 本年新收件数 | 上年结转件数 | 予以公开 | 部分公开 | 不予公开 | 总计 |\n"
            "| 2. 申请人逾期未按收费通知要求缴纳费用 | 7 | 0 | 0 | 0 | 0 | 0 | 7 |\n")
    read = assemble_requests(_cells("### 一、本年新收政府信息公开申请数量\n" + text), "2021")
    assert [i.value for i in read.rows["requests.results.granted"].items][-1] == 294
    assert read.rows["requests.results.other.unpaid_fee"].items[-1].value == 7


def test_active_rows_by_label_and_money() -> None:
    text = ("第二十条(六)项 |\n信息内容 | 本年处理决定数量 |\n行政强制 | 57 |\n行政处罚 | 1591 |\n"
            "第二十条第(八)项 |\n行政事业性收费 | 670.5862 |\n规章 | 0 | 0 | 0 |\n行政规范性文件 | 2 | / | 7 |\n")
    read = assemble_active(_cells(text), "2021")
    assert read.rows["active.punishment"].items[0].value == 1591
    assert read.rows["active.fees"].items[0].value == 670.5862
    assert [i.value for i in read.rows["active.normative_documents"].items] == [2, None, 7]


def test_review_fills_blocks_in_order() -> None:
    text = ("行政复议 | 行政诉讼 | ||||\n结果维持 | 结果\n纠正 | 其他 | 尚未 | 总\n计 |\n"
            "5 | 2 | 2 | 1 | 10 | 0 | 0 | 2 | 0 | 2 | 1 | 0 | 0 | 0 | 1 |\n| | | |\n")
    read = assemble_review(_cells(text))
    assert [i.value for i in read.rows["review.litigation_direct"].items] == [0, 0, 2, 0, 2]
    assert [i.value for i in read.rows["review.litigation_after_reconsideration"].items] == [1, 0, 0, 0, 1]


def test_inline_headings_and_table_rows_that_are_not_sections() -> None:
    text = normalize("前言。一、总体情况 2025年，工作。二、主动公开政府信息情况第二十条"
                     "三、收到和处理政府信息公开申请情况一、本年新收政府信息公开申请数量1三、本年度办理结果"
                     "四、结转下年度继续办理0四、政府信息公开行政法复议、行政诉讼情况0 0五、存在的主要问题及改进情况。"
                     "六、其他需要报告的事项 无")
    heads, _ = find_headings(text)
    assert [(h.number, h.title) for h in heads] == [
        (1, "总体情况"), (2, "主动公开政府信息情况"), (3, "收到和处理政府信息公开申请情况"),
        (4, "政府信息公开行政法复议、行政诉讼情况"), (5, "存在的主要问题及改进情况"), (6, "其他需要报告的事项")]


def _facts(text: str) -> dict[str, Any]:
    norm = normalize(text)
    facts, _ = extract_facts(norm, text, [(0, len(norm), 1)], load_patterns())
    return facts


def test_fact_phrasings() -> None:
    f = _facts("2024年共处理依申请公开事项21件，其中2023年度结转1件，2024年新受理20件，已办结17件，正在办理中4件。"
               "因政府信息依申请公开引起的行政复议4件，行政诉讼1件。")
    assert {k: v["value"] for k, v in f.items() if k != "stated_totals"} == {
        "requests_received": 21, "requests_carried_over": 1, "requests_new": 20, "requests_completed": 17,
        "requests_carry_forward": 4, "reconsiderations": 4, "lawsuits": 1}
    assert f["stated_totals"][0]["parts"] == [1, 20]  # the prefix that sums to the total
    f = _facts("集中公开现行有效行政规范性文件698件，动态更新本年度制发的规范性文件88件。全区收到政府信息公开申请75件。")
    assert f["normative_documents_in_force"]["value"] == 698
    assert f["normative_documents_issued"]["value"] == 88
    assert f["requests_received"]["value"] == 75


def test_first_occurrence_wins() -> None:
    f = _facts("共收到政府信息公开申请14件。协助相关部门妥善处理公开申请2件。共受理政府信息公开申请3件。")
    assert f["requests_received"]["value"] == 14


def test_stated_totals_exclude_dates_and_percentages() -> None:
    f = _facts("全年主动公开政府信息52条，其中2024年1月公开指南1条（占2%）；其他工作动态50条，政策解读1条。")
    assert f["stated_totals"][0] == {"total": 52, "parts": [1, 50, 1], "section": 1,
                                     "text": "全年主动公开政府信息52条，其中2024年1月公开指南1条（占2%）；其他工作动态50条，政策解读1条。"}


def test_stated_totals_end_where_the_quantity_changes() -> None:
    """Real prose (上海市科委 2024): 文章 are counted in 篇, then followers in 人 and views in 次; only
    the articles are parts of the 1640 (they read as 3,437,187, a sum no clerk could act on)."""
    f = _facts("“上海科技”微信公众号共编发文章 1640 篇，其中原创文章 294篇，微信公众号目前关注人数达 1016823 人；"
               "“上海科技”视频号共制作并发布短视频 584 条，累计观看量 1924252 次。")
    assert "stated_totals" not in f  # one subset within the total ("其中原创 294 篇") is no breakdown
    f = _facts("全年共受理申请10件，其中自然人申请4件，法人申请6件，接待来访群众300人次。")
    assert [t["parts"] for t in f["stated_totals"]] == [[4, 6]]
    f = _facts("主动公开政府信息11855条。其中门户网站397条，公开栏目68件，交易信息11386。")
    assert [t["parts"] for t in f["stated_totals"]] == [[397, 68, 11386]]  # 条 and 件 both count items
    f = _facts("全年共受理申请5件，其中自然人申请7件。")
    assert [t["parts"] for t in f["stated_totals"]] == [[7]]  # a single part beyond the total is a contradiction


def test_fee_statements() -> None:
    f = _facts("本机关2024年度未收取政府信息公开信息处理费。")["fees"]
    assert f["mentioned"]["value"] is True and f["says_none"]["value"] is True
    f = _facts("本年度发出收费通知的件数和总金额以及实际收取的总金额均为0。")["fees"]
    assert f["notices_count"]["value"] == 0 and f["collected_amount"]["value"] == 0
    f = _facts("全县收取信息处理费共计380元，其中民政局1件。")["fees"]
    assert f["collected_amount"]["value"] == 380 and f["says_none"]["value"] is False
    assert "fees" not in _facts("本年度无其他需要报告的事项。")


@pytest.mark.parametrize("organ,kind,level,region", [
    ("太原市清徐县人民政府", "government", "county", ("山西省", "太原市", "清徐县")),
    ("深州市人民政府办公室", "department", "county", ("河北省", "衡水市", "深州市")),
    ("湖州市政务服务管理办公室", "department", "prefecture", ("浙江省", "湖州市", None)),
    ("北京市西城区信访办公室", "department", "county", ("北京市", None, "西城区")),
    ("上海市科学技术委员会", "department", "provincial", ("上海市", None, None)),
    ("国务院办公厅", "department", "national", (None, None, None)),
    ("江苏省人民政府", "government", "provincial", ("江苏省", None, None)),
    ("沭阳县住房和城乡建设局", "department", "county", (None, None, "沭阳县")),
    ("清徐县东于镇人民政府", "government", "township", (None, None, "清徐县")),
])
def test_organ_level_and_region(organ: str, kind: str, level: str, region: tuple[Any, ...]) -> None:
    k, lv, reg = classify_organ(organ)
    assert (k, lv, (reg["province"], reg["city"], reg["county"])) == (kind, level, region)


def test_decode_detects_encodings() -> None:
    s = "一、总体情况\n本年度共收到申请3件。\n一、本年新收政府信息公开申请数量 | 59 | 0 | 0 | 0 | 0 | 0 | 59 |\n"
    for enc, name in (("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gbk"), ("utf-16", "utf-16"),
                      ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be")):
        text, got = decode_bytes(s.encode(enc))
        assert (text, got) == (s, name)
    with pytest.raises(LoadError) as err:
        decode_bytes(b"%PDF-1.7\n\x00\x01")
    assert err.value.code == "BINARY"


def test_registry_skips_broken_modules_and_takes_plugins() -> None:
    names = {s.name for s in registry.loaders()}
    assert "text" in names
    skipped = registry.skipped_builtins()
    assert all(m in registry.BUILTIN_LOADER_MODULES for m in skipped)

    def sniff(head: bytes, path: str) -> float:
        return 1.0 if head.startswith(b"GIPTEST") else 0.0

    def load(data: bytes, path: str, options: dict[str, Any]) -> Any:
        raise LoadError("NEEDS_PLUGIN", "测试读取器", "test loader")

    registry.register_loader("gip-test", sniff, load, media_types=("text/x-test",), plugin="tests")
    try:
        with pytest.raises(LoadError) as err:
            load_bytes(b"GIPTEST data", "x.bin")
        assert err.value.zh == "测试读取器"
    finally:
        registry.unregister_loader("gip-test")


def test_parse_text_merges_origin_into_locations() -> None:
    text = ("示例县人民政府2024年政府信息公开工作年度报告\n一、总体情况\n共收到政府信息公开申请1件。\n"
            "二、主动公开政府信息情况\n规章 | 0 | 0 | 0 |\n三、收到和处理政府信息公开申请情况\n"
            "一、本年新收政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n")
    rep = parse_text(text, source={"path": "x.pdf", "loader": "pdf"}, origin=lambda line: {"page": line // 3 + 1, "where": f"L{line}"})
    loc = rep.locations["/requests/new/total"]
    assert (loc.line, loc.text, loc.page, loc.where) == (7, "1", 3, "L7")
    assert rep.document["meta"]["source"]["loader"] == "pdf"
    assert rep.document["meta"]["organ"] == "示例县人民政府"


@pytest.mark.parametrize("cell", ["+59", "59件", "(59)", "五十九", "O", "〇"])
def test_a_value_cell_that_is_not_a_number_keeps_its_column_as_null(cell: str) -> None:
    """Never slide the rest of the row one column left, never read it as 0: null plus a note."""
    from pathlib import Path as _P

    from gipcheck.load import load_bytes

    seed = _P(__file__).resolve().parents[1].parent / "shared" / "seeds" / "000_be94cdfbcf579bbe.txt"
    if not seed.is_file():
        pytest.skip("../shared is not beside the checkout")
    text = seed.read_text(encoding="utf-8").replace("新收政府信息公开申请数量 | 59 | 0", f"新收政府信息公开申请数量 | {cell} | 0")
    loaded = load_bytes(text.encode(), "x.txt")
    new = loaded.document["requests"]["new"]
    assert new["natural_person"] is None and new["commercial"] == 0 and new["total"] == 59
    notes = [n for n in loaded.notes if n.code == "UNREADABLE_CELL"]
    assert len(notes) == 1 and cell in notes[0].zh and notes[0].pointer == "/requests/new/natural_person"
    assert loaded.locations["/requests/new/natural_person"].text == cell


def test_stated_totals_are_bounded_on_hostile_prose() -> None:
    """Hundreds of thousands of "共N条，其中…" sentences: the work is bounded by a fixed number of
    stated totals examined, so a 5 MB paragraph cannot take minutes."""
    from pathlib import Path as _P

    from gipcheck.load import load_bytes
    from gipcheck.load.facts import MAX_STATED_TOTALS

    seed = _P(__file__).resolve().parents[1].parent / "shared" / "seeds" / "000_be94cdfbcf579bbe.txt"
    if not seed.is_file():
        pytest.skip("../shared is not beside the checkout")
    text = seed.read_text(encoding="utf-8") + "共有12条，其中3条、" * 300_000
    loaded = load_bytes(text.encode(), "x.txt")
    assert 0 < len(loaded.document["facts"]["stated_totals"]) <= MAX_STATED_TOTALS
    assert loaded.document["requests"]["results"]["total"]["total"] == 57  # the tables are still read


def _read_parts(rd: Any) -> tuple[Any, ...]:
    rows = {p: (r.label, r.start, r.width, [(i.kind, i.value, i.text, i.start, i.end) for i in r.items],
                None if r.run is None else (r.run.text, r.run.start, r.run.end), r.unit) for p, r in rd.rows.items()}
    return rows, rd.labels, rd.notes, rd.start, rd.end, rd.overflow, rd.unreadable


def test_scan_fast_paths_read_like_tokenize() -> None:
    """scan()'s fast paths (a whole "labels | integers" row as one element, one-cell lines) stand
    for exactly the cells tokenize() finds, and every assembler reads both streams alike — on the
    seeds and on damaged copies (odd padding, markers, dropped lines, one cell per line)."""
    import random
    from pathlib import Path as _P

    from gipcheck.load.tables import expand, labels_of, scan

    seeds = sorted((_P(__file__).resolve().parents[1].parent / "shared" / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("../shared is not beside the checkout")
    for seed in seeds:
        text = seed.read_text(encoding="utf-8")
        rnd = random.Random(seed.name)
        variants = [text, text.replace(" | ", "\t|\t"), text.replace("| 0 |", "| / |"), text.replace("|", "|\n"),
                    "\n".join("| " + line + " |" if "|" in line else line for line in text.split("\n")),
                    text.replace("| 0 |", "| 007 |").replace("| 1 |", "| 1234 |"),
                    "\n".join(line for i, line in enumerate(text.split("\n")) if i % 7 != 3)]
        chars = list(text)
        for _ in range(40):
            chars[rnd.randrange(len(chars))] = rnd.choice(["", "|", "\n", " ", "1", "第3页", "#", "(", "件"])
        variants.append("".join(chars))
        for v in variants:
            norm = normalize(v)
            plain = tokenize(norm, 0, len(norm))
            fast, count = scan(norm, 0, len(norm))
            assert count == len(plain)
            assert [(c.kind, c.text, c.start, c.end, c.valued, c.header) for c in expand(fast)] == \
                [(c.kind, c.text, c.start, c.end, c.valued, c.header) for c in plain]
            assert labels_of(fast) == labels_of(plain)
            for fmt in ("2021", "2019"):
                assert _read_parts(assemble_requests(fast, fmt)) == _read_parts(assemble_requests(plain, fmt))
                assert _read_parts(assemble_active(fast, fmt)) == _read_parts(assemble_active(plain, fmt))
            assert _read_parts(assemble_review(fast)) == _read_parts(assemble_review(plain))


def test_a_table_three_row_written_twice_with_other_numbers_is_noted(shared_dir: Any) -> None:
    text = (shared_dir / "seeds" / "000_be94cdfbcf579bbe.txt").read_text(encoding="utf-8")
    row = "(七)总计 | 57 | 0 | 0 | 0 | 0 | 0 | 57 | ||"
    assert row in text
    again = text.replace(row, row + "\n(七)总计 | 58 | 0 | 0 | 0 | 0 | 0 | 58 | ||")
    loaded = load_bytes(again.encode("utf-8"), "dup.txt")
    dups = [n for n in loaded.notes if n.code == "DUPLICATE_ROW"]
    assert [(n.pointer, n.line, n.level) for n in dups] == [("/requests/results/total", 55, "warning")]
    assert "第一次：57 0 0 0 0 0 57；第二次：58 0 0 0 0 0 58" in dups[0].zh
    assert loaded.document["requests"]["results"]["total"]["total"] == 57  # the first is used, never a mix
    # the same row repeated with the same numbers (a page break repeating it) says nothing
    same = load_bytes(text.replace(row, row + "\n" + row).encode("utf-8"), "same.txt")
    assert not [n for n in same.notes if n.code == "DUPLICATE_ROW"]


def test_broken_phrasing_file_is_a_config_error(tmp_path: Path) -> None:
    """A province's phrasing file that is a list, bad YAML or missing: a ConfigError naming it
    (a list was an internal error)."""
    from gipcheck.errors import ConfigError

    for name, body in (("list.yaml", "- a\n- b\n"), ("bad.yaml", "facts: [\n")):
        f = tmp_path / name
        f.write_text(body, encoding="utf-8")
        with pytest.raises(ConfigError) as e:
            load_patterns((str(f),))
        assert name in e.value.zh
    with pytest.raises(ConfigError):
        load_patterns((str(tmp_path / "missing.yaml"),))
