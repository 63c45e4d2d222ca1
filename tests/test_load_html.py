"""The HTML loader: seeds rendered as real web pages (template merges, GBK, split runs,
navigation and footers) read back exactly; linearisation of merged cells; hostile markup."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the format-rendering helpers in tests/formats

from formats.compare import table_differences  # noqa: E402
from formats.render import Seed, render_html, seeds  # noqa: E402

from gipcheck.errors import LoadError  # noqa: E402
from gipcheck.load import load_bytes  # noqa: E402
from gipcheck.load.html import decode_html, linearise, sniff  # noqa: E402
from gipcheck.load.registry import choose_loader  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = seeds(SHARED) if (SHARED / "seeds").is_dir() else []
needs_shared = pytest.mark.skipif(not SEEDS, reason="../shared/seeds is not beside the checkout")


@needs_shared
@pytest.mark.parametrize("seed", SEEDS, ids=lambda s: s.name)
@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_seed_page_reads_back_exactly(seed: Seed, encoding: str) -> None:
    page = render_html(seed, encoding=encoding)
    report = load_bytes(page, "nianbao")  # no extension: chosen by content
    assert report.document["meta"]["source"]["loader"] == "html"
    assert table_differences(seed.expected, report.document) == []


@needs_shared
def test_gbk_page_without_charset_is_detected() -> None:
    seed = SEEDS[0]
    page = render_html(seed, encoding="gbk", declare=False)
    text, enc = decode_html(page)
    assert enc == "gbk" and seed.expected["meta"]["organ"] in text
    assert table_differences(seed.expected, load_bytes(page, "a.htm").document) == []


@needs_shared
def test_navigation_scripts_and_footer_left_out() -> None:
    seed = SEEDS[0]
    text = linearise(decode_html(render_html(seed))[0]).text()
    for junk in ("首页", "当前位置", "分享到", "网站标识码", "关于我们", "var nav", "td{border"):
        assert junk not in text
    assert text.splitlines()[0] == seed.pre[0]


@needs_shared
def test_locations_point_into_the_html() -> None:
    seed = SEEDS[0]
    page = render_html(seed, split=False)
    report = load_bytes(page, "x.html")
    lines = page.decode("utf-8").splitlines()
    loc = report.locations["/requests/new/natural_person"]
    assert loc.where and loc.where.startswith("表格") and "第4行" in loc.where
    # line/col are those of the <td> in the page source
    assert lines[loc.line - 1][loc.col - 1:].startswith("<td")
    value = str(seed.expected["requests"]["new"]["natural_person"])
    assert lines[loc.line - 1][loc.col - 1:].split("</td>")[0].endswith(value + "</p>")


def test_rowspan_colspan_linearised_for_label_parsing() -> None:
    page = """<table>
    <tr><td colspan=3 rowspan=2>项目</td><td colspan=2>申请人</td></tr>
    <tr><td>自然人</td><td>总计</td></tr>
    <tr><td rowspan=3>三、本年度办理结果</td><td colspan=2>（一）予以公开</td><td>5</td><td>5</td></tr>
    <tr><td rowspan=2>（三）不予公开</td><td>1.属于国家秘密</td><td><span>1</span><font>2</font></td><td>&nbsp;</td></tr>
    <tr><td>2.其他法律行政法规禁止公开</td><td rowspan=2>7</td><td>—</td></tr>
    <tr><td colspan=3>四、结转下年度继续办理</td><td>0</td></tr>
    </table>"""
    assert linearise(page).text().splitlines() == [
        "项目 | 申请人 |",
        "自然人 | 总计 |",
        "三、本年度办理结果 | （一）予以公开 | 5 | 5 |",
        "（三）不予公开 | 1.属于国家秘密 | 12 |  |",
        "2.其他法律行政法规禁止公开 | 7 | — |",
        # a value spanning down is not repeated (blank stays blank) and keeps its column
        "四、结转下年度继续办理 |  | 0 |",
    ]


def test_nbsp_cell_is_blank_not_zero() -> None:
    lines = linearise("<table><tr><td>规章</td><td>&nbsp;</td><td> \u3000 </td><td>3</td></tr></table>").text()
    assert lines.splitlines() == ["规章 |  |  | 3 |"]


def test_layout_table_around_the_article_is_read_as_blocks() -> None:
    page = ("<table><tr><td><p>标题</p><table><tr><td>规章</td><td>1</td></tr>"
            "<tr><td>行政规范性文件</td><td>2</td></tr></table></td></tr></table>")
    assert linearise(page).text().splitlines() == ["标题", "规章 | 1 |", "行政规范性文件 | 2 |"]


def test_sniff_by_content() -> None:
    assert sniff(b"<!DOCTYPE html><html><body>", "x.txt") > 0.9
    assert sniff(b"  <div><p>x</p><table><tr><td>1</td></tr></table>", "x.txt") >= 0.8
    assert sniff("根据《条例》<中华人民共和国政府信息公开工作年度报告格式>".encode(), "a.html") == 0
    assert sniff(b"%PDF-1.7", "a.html") == 0
    spec = choose_loader(b"<html><head><meta charset='utf-8'></head><body><p>\xe4\xb8\x80</p>", "report.txt")
    assert spec is not None and spec.name == "html"


def test_deep_nesting_is_bounded() -> None:
    page = "<div>" * 20_000 + "<p>一、总体情况</p>" + "</div>" * 20_000
    text = linearise(page).text()  # no RecursionError: the tree is capped, walking is bounded
    assert "一、总体情况" in text


def test_too_many_elements_is_a_limit() -> None:
    with pytest.raises(LoadError) as e:
        linearise("<b>" + "<i></i>" * 2001, {"html_max_nodes": 2000})
    assert e.value.code == "LIMIT"


def test_undecodable_page_is_an_encoding_error() -> None:
    with pytest.raises(LoadError) as e:
        load_bytes(b"<html><body><p>" + b"\xff\xfe\xfd" * 50 + b"</p></body></html>", "x.html")
    assert e.value.code in ("ENCODING", "BINARY")


def test_size_limit() -> None:
    with pytest.raises(LoadError) as e:
        load_bytes(b"<html><body>" + b"<p>x</p>" * 2000, "x.html", options={"max_bytes": 1000})
    assert e.value.code == "TOO_LARGE"


def test_article_header_with_the_title_is_kept() -> None:
    page = ("<body><div class='header'><a href='/'>某某市人民政府门户网站</a></div>"
            "<div class='article-header'><h1>某某县2024年政府信息公开工作年度报告</h1><span>发布时间：2025-01-17</span></div>"
            "<div class='footer'>版权所有</div></body>")
    assert linearise(page).text().splitlines() == ["某某县2024年政府信息公开工作年度报告", "发布时间：2025-01-17"]
