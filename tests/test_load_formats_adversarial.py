"""Hostile and damaged web pages, Word files and PDFs: each ends in a clear one-line LoadError
or in a normal document where blank stays blank and no value lands in another column.

The hostile files are built here, small; the value checks use the seeds rendered as real
HTML/DOCX (tests/formats/render.py) and skip when ../shared is absent."""

from __future__ import annotations

import copy
import io
import re
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the format-rendering helpers in tests/formats

from formats.compare import table_differences  # noqa: E402
from formats.render import W, fill_template, get, render_html, seeds  # noqa: E402

from gipcheck.errors import LoadError  # noqa: E402
from gipcheck.load import docx as docx_loader  # noqa: E402
from gipcheck.load import load_bytes  # noqa: E402
from gipcheck.load.docx import _parse_xml, linearise_docx  # noqa: E402
from gipcheck.load.html import decode_html, linearise, sniff  # noqa: E402
from gipcheck.load.layout import Cell, build_grid  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TEMPLATE = SHARED / "corpus" / "template_2021_blank.docx"
SEEDS = seeds(SHARED) if (SHARED / "seeds").is_dir() else []
needs_seeds = pytest.mark.skipif(not SEEDS, reason="../shared/seeds is not beside the checkout")
needs_template = pytest.mark.skipif(not SEEDS or not TEMPLATE.is_file(),
                                    reason="../shared (seeds, Word template) is not beside the checkout")
W_NS = W[1:-1]


def _lines(page: str) -> list[str]:
    return linearise(page).text().splitlines()


# ================================================================ HTML

def test_colspans_that_expand_to_a_huge_grid_are_a_limit() -> None:
    # 500 rows of 6 x colspan=100: a 20 KB page that would expand to 256,000 grid positions
    page = "<html><body><p>年度报告</p><table>" + ("<tr>" + '<td colspan="100">1</td>' * 6 + "</tr>") * 500 + "</table></body></html>"
    with pytest.raises(LoadError) as e:
        load_bytes(page.encode(), "a.html")
    assert e.value.code == "LIMIT" and "表格过大" in e.value.zh


def test_many_tables_share_one_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    from gipcheck.load import layout

    monkeypatch.setattr(layout, "MAX_DOC_GRID_SLOTS", 5000)
    table = "<table>" + ('<tr><td>甲</td><td colspan="99">1</td></tr>' * 10) + "</table>"  # 1,000 positions
    assert len(_lines(table * 4)) == 40
    with pytest.raises(LoadError) as e:
        _lines(table * 6)
    assert e.value.code == "LIMIT" and "5000" in e.value.zh


def test_a_rowspan_past_the_last_row_costs_only_the_rows_there_are() -> None:
    rows = [[Cell("a", colspan=100, rowspan=65534)], [Cell("b")]]
    grid = build_grid(rows, max_slots=1000)  # 65534 x 100 spanned positions would exceed it
    assert len(grid) == 2 and grid[1][0].from_above and grid[1][0].cell is rows[0][0]


def test_rowspan_zero_spans_the_rest_of_the_table() -> None:
    page = ("<table><tr><td>甲</td><td>1</td><td rowspan=\"0\">9</td></tr>"
            "<tr><td>乙</td><td>2</td></tr><tr><td>丙</td><td>3</td></tr></table>")
    # the spanned value cell is written blank in the rows below: 2 and 3 keep their column
    assert _lines(page) == ["甲 | 1 | 9 |", "乙 | 2 |  |", "丙 | 3 |  |"]


@needs_seeds
@pytest.mark.parametrize("span", ['rowspan="1000"', 'rowspan="0"', 'colspan="1000"'])
def test_spans_far_past_the_table_keep_every_value_in_its_column(span: str) -> None:
    # every merged header cell reaches to the end of the table (or across it): the rows below
    # are pushed wider, their own cells stay in order
    seed = SEEDS[0]
    name = span.split("=")[0]
    page = re.sub(f'{name}="\\d+"'.encode(), span.encode(), render_html(seed))
    assert table_differences(seed.expected, load_bytes(page, "a.html").document) == []


@pytest.mark.parametrize("attr", ['rowspan="-1"', 'rowspan="abc"', 'colspan="0"', 'colspan="-3"', 'colspan="x2"'])
def test_invalid_spans_count_as_one(attr: str) -> None:
    page = f"<table><tr><td>甲</td><td {attr}>1</td><td>2</td></tr><tr><td>乙</td><td>3</td><td>4</td></tr></table>"
    assert _lines(page) == ["甲 | 1 | 2 |", "乙 | 3 | 4 |"]


def test_rows_wrapped_in_form_or_font_are_rows() -> None:
    page = ("<table><form action=x><tr><td>甲</td><td>1</td></tr></form>"
            "<font size=2><tr><td>乙</td><td>2</td></tr></font><tbody><tr><td>丙</td><td>3</td></tr></tbody></table>")
    assert _lines(page) == ["甲 | 1 |", "乙 | 2 |", "丙 | 3 |"]


@pytest.mark.parametrize("junk", ["<a ", "</", "<!x<"])
def test_many_unclosed_tags_are_read_as_text_in_linear_time(junk: str) -> None:
    # html.parser rescans the rest of the page for every one of them: minutes for 20,000
    page = "<p>一、总体情况</p>" + junk * 3000 + "<p>本机关认真贯彻落实。</p>"
    lines = _lines(page)
    assert lines[0] == "一、总体情况" and lines[-1] == "本机关认真贯彻落实。"
    assert lines[1].startswith(junk.strip()[:2])


def test_hidden_inline_text_is_not_read() -> None:
    page = ('<table><tr><td>甲</td><td>1<span style="display: none">9</span>2</td></tr>'
            "<tr><td>乙</td><td><font style='visibility:hidden'>8</font>3<span hidden>7</span></td></tr></table>")
    assert _lines(page) == ["甲 | 12 |", "乙 | 3 |"]


def test_deleted_text_of_tracked_changes_is_not_read() -> None:
    # Word's web export of a document with tracked changes: <del>old</del><ins>new</ins>
    page = ('<table><tr><td>甲</td><td><del cite="mailto:a" datetime="2024-01-01T00:00">9</del><ins>7</ins></td></tr>'
            "<tr><td>乙</td><td>3</td></tr></table>")
    assert _lines(page) == ["甲 | 7 |", "乙 | 3 |"]


def test_a_hidden_element_closes_at_its_own_end_tag() -> None:
    page = '<p>前<span style="display:none">隐</span>后</p><p>下一段</p>'
    assert _lines(page) == ["前后", "下一段"]


def test_footnote_mark_after_a_value_is_not_part_of_it() -> None:
    page = ('<table><tr><td>甲</td><td>59<sup>1</sup></td></tr><tr><td>乙</td><td><sup>7</sup></td></tr>'
            '<tr><td>丙</td><td>3<a href="#_ftn1" name="_ftnref1"><span>[1]</span></a></td></tr>'
            "<tr><td>丁<sup>*</sup></td><td>4<sup>（注2）</sup></td></tr></table>")
    # a superscript that is all the cell holds is its value
    assert _lines(page) == ["甲 | 59 |", "乙 | 7 |", "丙 | 3 |", "丁 | 4 |"]


@pytest.mark.parametrize("declared", ["gbk", "gb2312", "iso-8859-1", "utf-16"])
def test_utf8_bytes_under_a_wrong_charset_are_read_as_utf8(declared: str) -> None:
    # "年度报告" in UTF-8 also decodes as (wrong) GB18030 and as Latin-1: the declaration lies
    page = f'<html><head><meta charset="{declared}"></head><body><p>年度报告</p></body></html>'.encode()
    text, enc = decode_html(page)
    assert "年度报告" in text and enc == "utf-8"


def test_gbk_bytes_under_a_latin1_charset_are_read_as_gbk() -> None:
    page = '<html><head><meta charset="iso-8859-1"></head><body><p>政府信息公开年度报告</p></body></html>'.encode("gbk")
    text, enc = decode_html(page)
    assert "政府信息公开年度报告" in text and enc == "gbk"


def test_utf8_bom_on_gbk_bytes_falls_back_to_the_declared_charset() -> None:
    page = b"\xef\xbb\xbf" + '<html><head><meta charset="gbk"></head><body><p>年度报告</p></body></html>'.encode("gbk")
    text, _ = decode_html(page)
    assert "年度报告" in text


@pytest.mark.parametrize("tail", [b"\x00", b"\x00\xd8a\x00"], ids=["odd-length", "lone-surrogate"])
def test_damaged_utf16_page_is_an_encoding_error(tail: bytes) -> None:
    page = b"\xff\xfe" + "<html><body><p>年度报告</p></body></html>".encode("utf-16-le") + tail
    with pytest.raises(LoadError) as e:
        load_bytes(page, "a.html")
    assert e.value.code == "ENCODING" and "UTF-16" in e.value.zh


def test_utf16_head_cut_inside_a_surrogate_pair_is_still_html() -> None:
    prefix = "<html><head><title>x</title></head><body><p>"
    text = prefix + "a" * ((8188 - 2 * len(prefix)) // 2) + "\U00020000" + "</p></body></html>"
    data = b"\xff\xfe" + text.encode("utf-16-le")
    assert data[8190:8192] == b"@\xd8"  # the head ends on the high surrogate
    assert sniff(data[:8192], "x") >= 0.9


@needs_seeds
@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_page_without_bom_is_read_as_html(encoding: str) -> None:
    seed = SEEDS[0]
    page = render_html(seed, split=False).decode("utf-8").encode(encoding)
    report = load_bytes(page, "nianbao")
    assert report.document["meta"]["source"]["loader"] == "html"
    assert table_differences(seed.expected, report.document) == []


@needs_seeds
@pytest.mark.parametrize("entity", ["&#0;", "&#x110000;", "&#xD800;", "&#99999999999999999999;", "&#xFFFE;"])
def test_impossible_character_references_do_not_disturb_the_tables(entity: str) -> None:
    seed = SEEDS[1]
    page = render_html(seed).replace("本年新收".encode(), ("本年新收" + entity).encode(), 1)
    page = page.replace(b"<body>", b"<body><p>" + entity.encode() + b"</p>", 1)
    assert table_differences(seed.expected, load_bytes(page, "a.html").document) == []


@needs_seeds
def test_small_table_nested_in_a_header_cell_keeps_the_data_table_html() -> None:
    seed = SEEDS[0]
    head = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）".encode()
    page = render_html(seed).replace(head, head + "<table><tr><td>注</td></tr></table>".encode(), 1)
    assert table_differences(seed.expected, load_bytes(page, "a.html").document) == []


def test_layout_table_with_a_small_nested_table_is_still_a_frame() -> None:
    # few cells around the article: a frame, read as paragraphs, whatever is nested in it
    page = ("<table><tr><td><table><tr><td>导航</td><td>首页</td></tr></table></td>"
            "<td><p>一、总体情况</p><p>本机关认真贯彻落实。</p></td></tr></table>")
    assert _lines(page)[-2:] == ["一、总体情况", "本机关认真贯彻落实。"]


def _mht(page: bytes, cte: str) -> bytes:
    """A page saved by Word as a "single file web page" (MHT), as sites publish it under .doc."""
    import base64
    import quopri

    body = quopri.encodestring(page) if cte == "quoted-printable" else base64.encodebytes(page)
    return (b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="----=_NextPart_01DA"\r\n\r\n'
            + "此文档为“单个文件网页”，也称为“Web 档案”文件。\r\n\r\n".encode("gbk")
            + b"------=_NextPart_01DA\r\nContent-Location: file:///C:/x/r.htm\r\nContent-Transfer-Encoding: "
            + cte.encode() + b'\r\nContent-Type: text/html; charset="gb2312"\r\n\r\n' + body.replace(b"\n", b"\r\n")
            + b"\r\n------=_NextPart_01DA\r\nContent-Location: file:///C:/x/r.files/image001.png\r\n"
            + b"Content-Transfer-Encoding: base64\r\nContent-Type: image/png\r\n\r\niVBORw0KGgo=\r\n"
            + b"------=_NextPart_01DA--\r\n")


@needs_seeds
@pytest.mark.parametrize("cte", ["quoted-printable", "base64"])
def test_single_file_web_page_saved_as_doc_reads_back_exactly(cte: str) -> None:
    seed = SEEDS[3]
    report = load_bytes(_mht(render_html(seed, encoding="gbk"), cte), "report.doc")
    assert report.document["meta"]["source"]["loader"] == "html"
    assert table_differences(seed.expected, report.document) == []


def test_single_file_web_page_without_a_page_is_corrupt() -> None:
    data = (b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n--b\r\n'
            b"Content-Type: image/png\r\n\r\nxx\r\n--b--\r\n")
    with pytest.raises(LoadError) as e:
        load_bytes(data, "report.mht")
    assert e.value.code == "CORRUPT" and "MHT" in e.value.zh


# ================================================================ DOCX

_CT = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       b'wordprocessingml.document.main+xml"/></Types>')


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def _rezip(data: bytes, fn: Callable[[bytes], bytes | None]) -> bytes:
    """The package with word/document.xml replaced by ``fn(old)`` (None drops it)."""
    zin = zipfile.ZipFile(io.BytesIO(data))
    members: dict[str, bytes] = {}
    for name in zin.namelist():
        b: bytes | None = zin.read(name)
        if name == "word/document.xml" and b is not None:
            b = fn(b)
        if b is not None:
            members[name] = b
    return _zip(members)


def _edit(fn: Callable[[Any, list[Any]], None]) -> Callable[[bytes], bytes]:
    """An edit of the filled template's tree; ``fn(root, tables)`` gets the three report tables."""
    from lxml import etree

    def run(xml: bytes) -> bytes:
        root = etree.fromstring(xml)
        body = root.find(W + "body")
        tables = [el for el in body if el.tag == W + "tbl" and el.find(".//" + W + "gridSpan") is not None]
        fn(root, tables)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    return run


def _x(xml: str) -> Any:
    from lxml import etree

    return etree.fromstring(
        f'<w:root xmlns:w="{W_NS}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
        f'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
        f'xmlns:v="urn:schemas-microsoft-com:vml">{xml}</w:root>')[0]


def _new_row_cell(tables: list[Any], k: int) -> Any:
    """Cell ``k`` of table 三's first value row (本年新收…); -7 is 自然人."""
    return tables[1].findall(W + "tr")[3].findall(W + "tc")[k]


def _set_runs(tc: Any, *runs: str) -> None:
    p = tc.find(W + "p")
    for r in p.findall(W + "r"):
        p.remove(r)
    for r in runs:
        p.append(_x(r))


def _load_edited(fn: Callable[[Any, list[Any]], None], seed_index: int = 0) -> tuple[dict[str, Any], dict[str, Any]]:
    seed = SEEDS[seed_index]
    data = _rezip(fill_template(TEMPLATE.read_bytes(), seed, split=False), _edit(fn))
    return seed.expected, load_bytes(data, "a.docx").document


def _others(expected: dict[str, Any], doc: dict[str, Any], path: str) -> list[str]:
    return [d for d in table_differences(expected, doc) if not d.startswith(path + ":")]


NEW = "requests.new.natural_person"


@pytest.mark.parametrize("enc", ["utf-16-le", "utf-16-be"])
def test_dtd_in_utf16_without_bom_is_refused(enc: str) -> None:
    xml = ('<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
           f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>')
    with pytest.raises(LoadError) as e:
        load_bytes(_zip({"[Content_Types].xml": _CT, "word/document.xml": xml.encode(enc)}), "a.docx")
    assert e.value.code == "CORRUPT" and "DTD" in e.value.zh


@pytest.mark.parametrize("encoding", ["GBK", "x-unknown", "UTF-32"])
def test_document_in_an_encoding_expat_lacks_is_corrupt_with_a_clear_message(encoding: str) -> None:
    xml = f'<?xml version="1.0" encoding="{encoding}"?><w:document xmlns:w="{W_NS}"><w:body/></w:document>'
    with pytest.raises(LoadError) as e:
        _parse_xml(xml.encode("ascii"), "word/document.xml")
    assert e.value.code == "CORRUPT" and e.value.zh == "Word 文件已损坏：word/document.xml 不是有效的 XML"


def test_package_with_word_parts_but_no_document_is_corrupt() -> None:
    data = _zip({"[Content_Types].xml": _CT, "word/styles.xml": b"<w:styles/>"})
    with pytest.raises(LoadError) as e:
        load_bytes(data, "a.docx")
    assert e.value.code == "CORRUPT" and "word/document.xml" in e.value.zh


@pytest.mark.parametrize("cut", [0.5, 0.9, 0.999])
def test_truncated_package_is_corrupt(cut: float) -> None:
    data = _zip({"[Content_Types].xml": _CT, "word/document.xml": b"<w:document/>" * 500})
    with pytest.raises(LoadError) as e:
        load_bytes(data[:int(len(data) * cut)], "a.docx")
    assert e.value.code == "CORRUPT"


def test_package_with_two_main_parts_is_corrupt() -> None:
    import warnings

    out = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w") as z:
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name
        z.writestr("[Content_Types].xml", _CT)
        for text in ("本年新收 | 1 |", "本年新收 | 2 |"):
            z.writestr("word/document.xml", f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>{text}'
                                            "</w:t></w:r></w:p></w:body></w:document>")
    with pytest.raises(LoadError) as e:
        load_bytes(out.getvalue(), "a.docx")
    assert e.value.code == "CORRUPT" and "两个" in e.value.zh


@pytest.mark.skipif(sys.platform == "win32", reason="process groups are POSIX")
def test_converter_that_hangs_is_stopped_with_its_children(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import time

    pidfile = tmp_path / "child.pid"
    fake = tmp_path / "soffice"  # a wrapper that, like soffice, leaves the work to a child process
    fake.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {pidfile}\nwait\n")
    fake.chmod(0o755)
    monkeypatch.setattr(docx_loader, "_soffice", lambda: str(fake))
    with pytest.raises(LoadError) as e:
        load_bytes(_ole("WordDocument"), "report.doc", options={"convert_timeout": 1})
    assert e.value.code == "TIMEOUT"
    child = int(pidfile.read_text())
    for _ in range(50):  # the kill is immediate; give the kernel a moment to reap
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        os.kill(child, 9)
        pytest.fail("the converter's child process outlived the timeout")


def _ole(*streams: str) -> bytes:
    return docx_loader.OLE_MAGIC + b"\x00" * 504 + b"".join((s + "\x00").encode("utf-16-le") + b"\x00" * 40 for s in streams)


def test_password_protected_docx_is_named_as_encrypted() -> None:
    with pytest.raises(LoadError) as e:
        load_bytes(_ole("EncryptionInfo", "EncryptedPackage"), "report.docx")
    assert e.value.code == "UNSUPPORTED" and "加密" in e.value.zh


def test_excel_file_named_doc_is_named_as_excel() -> None:
    with pytest.raises(LoadError) as e:
        load_bytes(_ole("Workbook", "SummaryInformation"), "report.doc")
    assert e.value.code == "UNSUPPORTED" and "Excel" in e.value.zh


def test_rtf_named_doc_goes_to_the_word_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_loader.shutil, "which", lambda name: None)
    rtf = rb"{\rtf1\ansi\ansicpg936{\fonttbl{\f0 SimSun;}}\f0 \'c4\'ea\'b6\'c8\'b1\'a8\'b8\'e6\par}"
    with pytest.raises(LoadError) as e:
        load_bytes(rtf, "report.doc")
    assert e.value.code == "NEEDS_CONVERTER" and "RTF" in e.value.zh and "另存为" in e.value.zh


_ALT_DOC = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="' + W_NS.encode()
            + b'" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>'
            b'<w:altChunk r:id="htmlChunk"/><w:altChunk r:id="htmlChunk"/><w:altChunk r:id="self"/>'
            b'<w:altChunk r:id="nowhere"/><w:sectPr/></w:body></w:document>')
_ALT_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships '
             b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/aFChunk" '
             b'Target="/word/afchunk.mht" Id="htmlChunk"/>'
             b'<Relationship Type="x" Target="document.xml" Id="self"/></Relationships>')


@needs_seeds
@pytest.mark.parametrize("form", ["mht", "html"])
def test_docx_exported_by_a_web_system_as_an_imported_page(form: str) -> None:
    # html-docx-js and similar exporters put the whole page in one w:altChunk part
    seed = SEEDS[4]
    page = _mht(render_html(seed), "quoted-printable") if form == "mht" else render_html(seed, encoding="gbk")
    data = _zip({"[Content_Types].xml": _CT, "word/document.xml": _ALT_DOC,
                 "word/_rels/document.xml.rels": _ALT_RELS, "word/afchunk.mht": page})
    report = load_bytes(data, "a.docx")
    assert report.document["meta"]["source"]["loader"] == "docx"
    assert table_differences(seed.expected, report.document) == []


def test_imported_part_that_is_missing_gives_an_empty_document() -> None:
    data = _zip({"[Content_Types].xml": _CT, "word/document.xml": _ALT_DOC})
    with pytest.raises(LoadError) as e:
        load_bytes(data, "a.docx")
    assert e.value.code == "NOT_A_REPORT"


@needs_template
def test_strict_open_xml_document_reads_back_exactly() -> None:
    seed = SEEDS[2]
    strict = _rezip(fill_template(TEMPLATE.read_bytes(), seed), lambda b: b.replace(
        W_NS.encode(), b"http://purl.oclc.org/ooxml/wordprocessingml/main"))
    assert table_differences(seed.expected, load_bytes(strict, "a.docx").document) == []


@needs_template
def test_hidden_run_inside_a_number_is_not_read() -> None:
    expected, doc = _load_edited(lambda root, t: _set_runs(
        _new_row_cell(t, -7), "<w:r><w:t>1</w:t></w:r>",
        '<w:r><w:rPr><w:vanish/></w:rPr><w:t>9</w:t></w:r>',
        '<w:r><w:rPr><w:vanish w:val="false"/></w:rPr><w:t>2</w:t></w:r>'))
    assert get(doc, NEW) == 12 and _others(expected, doc, NEW) == []


@needs_template
@pytest.mark.parametrize("mark, want", [("1", 59), ("[2]", 59), ("*", 59), (None, 7)])
def test_superscript_footnote_mark_in_a_cell_is_not_part_of_the_value(mark: str | None, want: int) -> None:
    sup = '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:t>{}</w:t></w:r>'
    runs = ["<w:r><w:t>59</w:t></w:r>", sup.format(mark)] if mark else [sup.format("7")]
    expected, doc = _load_edited(lambda root, t: _set_runs(_new_row_cell(t, -7), *runs))
    assert get(doc, NEW) == want and _others(expected, doc, NEW) == []


@needs_template
@pytest.mark.parametrize("inline", [True, False], ids=["in-paragraph", "around-paragraph"])
def test_content_control_showing_its_placeholder_is_blank_not_zero(inline: bool) -> None:
    sdt = ('<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent>{}</w:sdtContent></w:sdt>')

    def fn(root: Any, t: list[Any]) -> None:
        tc = _new_row_cell(t, -7)
        if inline:
            _set_runs(tc, sdt.format('<w:r><w:rPr><w:color w:val="808080"/></w:rPr><w:t>0</w:t></w:r>'))
        else:
            tc.remove(tc.find(W + "p"))
            tc.append(_x(sdt.format("<w:p><w:r><w:t>0</w:t></w:r></w:p>")))

    expected, doc = _load_edited(fn)
    assert get(doc, NEW) is None and _others(expected, doc, NEW) == []


@needs_template
def test_runs_deleted_inserted_and_split_read_as_word_shows_them() -> None:
    expected, doc = _load_edited(lambda root, t: _set_runs(
        _new_row_cell(t, -7), '<w:del w:id="1" w:author="a"><w:r><w:delText>9</w:delText></w:r></w:del>',
        '<w:ins w:id="2" w:author="a"><w:r><w:t>1</w:t></w:r></w:ins>', '<w:proofErr w:type="spellStart"/>',
        '<w:r><w:t>2</w:t></w:r>', '<w:bookmarkStart w:id="0" w:name="x"/>', '<w:r><w:t>3</w:t></w:r>'))
    assert get(doc, NEW) == 123 and _others(expected, doc, NEW) == []


@needs_template
def test_text_box_in_a_cell_is_read_once_not_again_from_its_fallback() -> None:
    box = "<w:txbxContent><w:p><w:r><w:t>5</w:t></w:r></w:p></w:txbxContent>"
    expected, doc = _load_edited(lambda root, t: _set_runs(
        _new_row_cell(t, -7), "<w:r><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing><wps:txbx>"
        f"{box}</wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox>{box}</v:textbox></w:pict>"
        "</mc:Fallback></mc:AlternateContent></w:r>"))
    assert get(doc, NEW) == 5 and _others(expected, doc, NEW) == []


@needs_template
def test_tracked_deleted_row_is_not_read() -> None:
    def fn(root: Any, t: list[Any]) -> None:
        tr = t[1].findall(W + "tr")[3]
        gone = copy.deepcopy(tr)
        gone.find(W + "trPr").append(_x('<w:del w:id="9" w:author="a"/>'))
        for el in gone.iter(W + "t"):
            if el.text and el.text.strip().isdigit():
                el.text = "999"
        tr.addprevious(gone)

    expected, doc = _load_edited(fn)
    assert table_differences(expected, doc) == []


@needs_template
def test_small_table_nested_in_a_header_cell_keeps_the_data_table() -> None:
    def fn(root: Any, t: list[Any]) -> None:
        cell = t[1].findall(W + "tr")[0].findall(W + "tc")[0]
        cell.append(_x("<w:tbl><w:tr><w:tc><w:p><w:r><w:t>注</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"))
        cell.append(_x("<w:p/>"))

    expected, doc = _load_edited(fn)
    assert table_differences(expected, doc) == []


@needs_template
def test_vmerge_continuation_in_a_value_column_is_blank_and_shifts_nothing() -> None:
    # the 自然人 header cell above now reaches into the value row: Word shows no value there
    expected, doc = _load_edited(lambda root, t: _new_row_cell(t, -7).find(W + "tcPr").append(_x("<w:vMerge/>")))
    assert get(doc, NEW) is None and _others(expected, doc, NEW) == []


@needs_template
@pytest.mark.parametrize("val", ["0", "-1", "abc"])
def test_invalid_grid_span_counts_as_one(val: str) -> None:
    seed = SEEDS[0]
    data = _rezip(fill_template(TEMPLATE.read_bytes(), seed),
                  lambda b: re.sub(rb'<w:gridSpan w:val="1"/>', f'<w:gridSpan w:val="{val}"/>'.encode(), b))
    assert table_differences(seed.expected, load_bytes(data, "a.docx").document) == []


@needs_template
@pytest.mark.parametrize("val", ["1000", "99999999999"])
def test_grid_span_wider_than_the_table_keeps_the_values(val: str) -> None:
    # every merged cell claims the whole width and more: the table's own grid bounds it
    seed = SEEDS[0]
    data = _rezip(fill_template(TEMPLATE.read_bytes(), seed),
                  lambda b: re.sub(rb'<w:gridSpan w:val="\d+"/>', f'<w:gridSpan w:val="{val}"/>'.encode(), b))
    assert table_differences(seed.expected, load_bytes(data, "a.docx").document) == []


def _to_hmerge(root: Any, tables: list[Any]) -> None:
    """Every ``gridSpan`` of the report tables written the way old Word versions did: a first
    cell marked ``hMerge restart`` followed by empty ``hMerge`` continuation cells."""
    for t in tables:
        for tc in t.iter(W + "tc"):
            pr = tc.find(W + "tcPr")
            gs = pr.find(W + "gridSpan") if pr is not None else None
            if gs is None or int(gs.get(W + "val")) < 2:
                continue
            n = int(gs.get(W + "val"))
            pr.remove(gs)
            pr.append(_x('<w:hMerge w:val="restart"/>'))
            at = tc.getparent().index(tc)
            for i in range(1, n):
                tc.getparent().insert(at + i, _x("<w:tc><w:tcPr><w:hMerge/></w:tcPr><w:p/></w:tc>"))


@needs_template
@pytest.mark.parametrize("seed_index", range(len(SEEDS)))
def test_legacy_horizontal_merges_read_like_grid_spans(seed_index: int) -> None:
    expected, doc = _load_edited(_to_hmerge, seed_index)
    assert table_differences(expected, doc) == []
    # and the tables are laid out alike: no phantom columns where a merged cell stood
    filled = fill_template(TEMPLATE.read_bytes(), SEEDS[seed_index], split=False)
    spans = [ln.text for ln in linearise_docx(filled).lines]
    merges = [ln.text for ln in linearise_docx(_rezip(filled, _edit(_to_hmerge))).lines]
    assert merges == spans


@needs_template
def test_text_in_a_horizontal_merge_continuation_is_kept() -> None:
    # 「一、本年新收政府信息公开申请数量」 split over the merged label's first and second cell
    def fn(root: Any, t: list[Any]) -> None:
        _to_hmerge(root, t)
        cells = t[1].findall(W + "tr")[3].findall(W + "tc")
        _set_runs(cells[0], "<w:r><w:t>一、本年新收</w:t></w:r>")
        _set_runs(cells[1], "<w:r><w:t>政府信息公开申请数量</w:t></w:r>")

    expected, doc = _load_edited(fn)
    assert table_differences(expected, doc) == []
    assert get(doc, NEW) == get(expected, NEW) is not None


# ================================================================ PDF

def _pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    out = b"%PDF-1.4\n"
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R " % (len(objects) + 1) + trailer + b">>\nstartxref\n%d\n%%%%EOF\n" % xref


def _one_page(content: bytes, extra: bytes = b"", *, resources: bytes = b"", stream: bytes = b"",
              font: bytes = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
              more: tuple[bytes, ...] = ()) -> bytes:
    """One page drawing ``content`` with font F1 (object 5): ``extra`` page entries, ``resources``
    besides the font, ``stream`` entries of the content stream (a filter), ``more`` objects 6…"""
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
                 b"/Resources << /Font << /F1 5 0 R >> " + resources + b">> " + extra + b">>",
                 b"<< /Length %d " % len(content) + stream + b">>\nstream\n" + content + b"\nendstream",
                 font, *more])


@pytest.mark.parametrize("data, code", [
    (_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]), "CORRUPT"),
    (_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"]), "CORRUPT"),
    (_one_page(b""), "SCANNED_PDF"),
    (_one_page(b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET")[:150], "CORRUPT"),
    (b"%PDF-1.7\n", "CORRUPT"),
], ids=["no-pages", "page-tree-cycle", "no-text-layer", "truncated", "header-only"])
def test_broken_pdfs_are_load_errors(data: bytes, code: str) -> None:
    with pytest.raises(LoadError) as e:
        load_bytes(data, "a.pdf")
    assert e.value.code == code


@pytest.mark.parametrize("rotate", [b"/Rotate 90", b"/Rotate 45", b"/Rotate -270"])
def test_rotated_page_is_read_not_crashed(rotate: bytes) -> None:
    data = _one_page(b"BT /F1 12 Tf 72 720 Td (Government information disclosure annual report) Tj ET", rotate)
    with pytest.raises(LoadError) as e:  # read fine; it is simply no report
        load_bytes(data, "a.pdf")
    assert e.value.code == "NOT_A_REPORT"


def test_encrypted_pdf_is_named_as_encrypted_not_corrupt() -> None:
    # the standard security handler with a user password: /U is not what the empty password gives
    encrypt = (b"/Encrypt << /Filter /Standard /V 1 /R 2 /Length 40 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32
               + b"> /P -4 >> /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>] ")
    data = _pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"], encrypt)
    with pytest.raises(LoadError) as e:
        load_bytes(data, "a.pdf")
    assert e.value.code == "UNSUPPORTED" and "加密" in e.value.zh


@pytest.mark.parametrize("options", [{}, {"pdf_max_page_content": 100_000}])
def test_page_whose_content_inflates_enormously_is_a_limit(options: dict[str, Any]) -> None:
    import zlib

    text = b"BT /F1 12 Tf 72 720 Td (Government information disclosure annual report) Tj ET\n"
    size = 3 * 1024 * 1024 if not options else 200_000
    packed = zlib.compress(text + b" " * size, 9)  # a few KB that inflate past the cap
    data = _one_page(packed, stream=b"/Filter /FlateDecode ")
    assert len(data) < 20_000
    with pytest.raises(LoadError) as e:
        load_bytes(data, "a.pdf", options=options)
    assert e.value.code == "LIMIT" and "第 1 页" in e.value.zh


def _rc4_encrypted_page(content: bytes, stream: bytes) -> bytes:
    """``_one_page`` encrypted with the standard security handler (RC4, 40 bits) and an empty user
    password, as PDF 32000-1 §7.6.3 computes it: readable without a password, streams encrypted."""
    import hashlib
    import struct

    from pdfminer.arcfour import Arcfour
    from pdfminer.pdfdocument import PDFStandardSecurityHandler

    pad = PDFStandardSecurityHandler.PASSWORD_PADDING
    owner, file_id, perms = b"\x11" * 32, bytes.fromhex("0123456789abcdef0123456789abcdef"), -4
    key = hashlib.md5(pad + owner + struct.pack("<l", perms) + file_id).digest()[:5]
    user = Arcfour(key).encrypt(pad)
    obj_key = hashlib.md5(key + (4).to_bytes(3, "little") + (0).to_bytes(2, "little")).digest()[:10]
    trailer = (b"/Encrypt << /Filter /Standard /V 1 /R 2 /Length 40 /O <" + owner.hex().encode() + b"> /U <"
               + user.hex().encode() + b"> /P -4 >> /ID [<" + file_id.hex().encode() + b"> <"
               + file_id.hex().encode() + b">] ")
    page = _one_page(Arcfour(obj_key).encrypt(content), stream=stream)
    return page.replace(b"trailer\n<< ", b"trailer\n<< " + trailer, 1)  # after the xref: offsets hold


def test_an_encrypted_readable_pdf_is_read() -> None:
    data = _rc4_encrypted_page(b"BT /F1 12 Tf 72 720 Td (Government information disclosure) Tj ET", b"")
    with pytest.raises(LoadError) as e:  # decrypted and read; it is simply no report
        load_bytes(data, "a.pdf")
    assert e.value.code == "NOT_A_REPORT"


@pytest.mark.parametrize("filters", [b"/Filter /FlateDecode ", b"/Filter [/ASCIIHexDecode /FlateDecode] "])
def test_a_flate_bomb_inside_an_encrypted_stream_is_a_limit(filters: bytes) -> None:
    # before, an encrypted stream was counted by its compressed size and inflated whole by pdfminer
    import zlib

    text = b"BT /F1 12 Tf 72 720 Td (Government information disclosure annual report) Tj ET\n"
    packed = zlib.compress(text + b" " * (3 * 1024 * 1024), 9)
    if b"ASCIIHex" in filters:
        packed = packed.hex().encode() + b">"
    data = _rc4_encrypted_page(packed, filters)
    assert len(data) < 20_000
    with pytest.raises(LoadError) as e:
        load_bytes(data, "a.pdf")
    assert e.value.code == "LIMIT" and "第 1 页" in e.value.zh


@pytest.mark.parametrize("encode", ["lzw", "runlength"])
def test_lzw_and_runlength_bombs_are_a_limit(encode: str) -> None:
    text = b"BT /F1 12 Tf 72 720 Td (Government information disclosure annual report) Tj ET\n"
    if encode == "runlength":  # 2 bytes → 128 spaces, 3 MB in all
        filt = b"/Filter /RunLengthDecode "
        packed = bytes([len(text) - 1]) + text + b"\x81 " * 25_000 + b"\x80"
    else:
        packed, filt = _lzw(text + b" " * (3 * 1024 * 1024)), b"/Filter /LZWDecode "
    data = _one_page(packed, stream=filt)
    with pytest.raises(LoadError) as e:
        load_bytes(data, "a.pdf")
    assert e.value.code == "LIMIT"


def _lzw(data: bytes) -> bytes:
    """LZW-encode ``data`` as PDF's LZWDecode reads it (early change, 9–12-bit codes, 256 = clear)."""
    table = {bytes([i]): i for i in range(256)}
    nxt, width, out, nbits, acc = 258, 9, [], 0, 0

    def emit(code: int) -> None:
        nonlocal nbits, acc
        acc = (acc << width) | code
        nbits += width
        while nbits >= 8:
            nbits -= 8
            out.append((acc >> nbits) & 0xFF)

    emit(256)
    w = b""
    for i in range(len(data)):
        wc = data[i:i + 1] if not w else w + data[i:i + 1]
        if wc in table:
            w = wc
            continue
        emit(table[w])
        table[wc] = nxt
        nxt += 1
        if nxt >= (1 << width) - (width == 12):  # the decoder widens when its table (one behind) fills
            if width == 12:
                emit(256)
                table = {bytes([j]): j for j in range(256)}
                nxt, width = 258, 9
            else:
                width += 1
        w = data[i:i + 1]
    emit(table[w])
    emit(257)
    if nbits:
        out.append((acc << (8 - nbits)) & 0xFF)
    return bytes(out)


@pytest.mark.parametrize("value", [-1, 0, "abc"])
def test_a_senseless_page_content_limit_falls_back_to_the_default(value: Any) -> None:
    # like every other loader limit: a page of ordinary size is read, not refused by a limit of -1
    data = _one_page(b"BT /F1 12 Tf 72 720 Td (Government information disclosure) Tj ET")
    with pytest.raises(LoadError) as e:  # read; it is simply no report
        load_bytes(data, "a.pdf", options={"pdf_max_page_content": value})
    assert e.value.code == "NOT_A_REPORT"


def _cid_pdf(bbox: bytes = b"/FontBBox [0 0 1000 1000] ") -> bytes:
    """A CID font without /ToUnicode: pdfminer can only say "(cid:N)" for every character."""
    lines = b"".join(b"BT /F1 12 Tf 72 %d Td <" % (800 - 16 * k) + b"".join(b"%04x" % (100 + k * 30 + i) for i in range(30))
                     + b"> Tj ET\n" for k in range(20))
    return _one_page(lines, font=b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
                                 b"/DescendantFonts [6 0 R] >>",
                     more=(b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry "
                           b"(Adobe) /Ordering (Identity) /Supplement 0 >> " + bbox + b"/DW 1000 >>",))


def test_text_layer_without_unicode_mapping_is_an_encoding_error() -> None:
    with pytest.raises(LoadError) as e:
        load_bytes(_cid_pdf(), "a.pdf")
    assert e.value.code == "ENCODING" and "文字层" in e.value.zh


def test_pdfminer_warnings_do_not_reach_stderr(tmp_path: Path) -> None:
    import subprocess

    bad = tmp_path / "a.pdf"
    bad.write_bytes(_cid_pdf(bbox=b""))  # no /FontBBox: pdfminer warns about it
    code = ("import sys\nfrom gipcheck.load import load_path\nfrom gipcheck.errors import LoadError\n"
            f"try:\n    load_path({str(bad)!r})\nexcept LoadError as e:\n    print(e.code)\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "ENCODING" and run.stderr == ""


def test_big_image_on_a_page_is_not_taken_for_hostile_drawing_content() -> None:
    import zlib

    img = zlib.compress(b"\xff" * (2000 * 1500 * 3))  # a page-sized picture: 9 MB decoded
    content = b"q 500 0 0 700 50 50 cm /Im1 Do Q BT /F1 12 Tf 72 720 Td (Government information disclosure) Tj ET"
    data = _one_page(content, resources=b"/XObject << /Im1 6 0 R >> ", more=(
                 b"<< /Type /XObject /Subtype /Image /Width 2000 /Height 1500 /ColorSpace /DeviceRGB "
                 b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n" % len(img) + img + b"\nendstream",))
    with pytest.raises(LoadError) as e:  # read; it is simply no report
        load_bytes(data, "a.pdf")
    assert e.value.code == "NOT_A_REPORT"


def test_form_drawn_by_a_form_is_counted_too() -> None:
    import zlib

    packed = zlib.compress(b"0 0 m 1 1 l S\n" + b" " * 300_000, 9)
    content = b"/Fm1 Do BT /F1 12 Tf 72 720 Td (Government information disclosure) Tj ET"
    data = _one_page(content, resources=b"/XObject << /Fm1 6 0 R >> ", more=(
                 b"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /XObject << /Fm2 7 0 R >> >> "
                 b"/Length 8 >>\nstream\n/Fm2 Do \nendstream",
                 b"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Filter /FlateDecode /Length %d >>\nstream\n"
                 % len(packed) + packed + b"\nendstream"))
    with pytest.raises(LoadError) as e:
        load_bytes(data, "a.pdf", options={"pdf_max_page_content": 100_000})
    assert e.value.code == "LIMIT"
