"""Render a seed report (its prose from ``seeds/*.txt``, its table values from
``seeds/expected/*.json``) into the formats people publish: a web page whose tables use
``rowspan``/``colspan`` as the official template does, and a filled copy of the official Word
template (cells filled by editing its XML, merged cells kept).

Tables are rebuilt from the expected values, never copied from the seed's pipe rows, so a
loader that reads them back exactly has read the structure, not the seed text.
"""

from __future__ import annotations

import copy
import html
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from gipcheck.document.canon import (
    ACTIVE_ROWS_2021,
    REQUEST_COLUMNS,
    REQUEST_ROWS_2021,
    REVIEW_BLOCKS,
    REVIEW_COLUMNS,
)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_HEAD = re.compile(r"^\s*([一二三四五六])\s*、")


# ---------------------------------------------------------------- the seed

def get(doc: dict[str, Any], path: str) -> Any:
    cur: Any = doc
    for part in path.split("."):
        cur = cur[part]
    return cur


def fmt_value(v: Any) -> str | None:
    """How a report writes a value; None (blank) stays None."""
    if v is None:
        return None
    if isinstance(v, float):
        return repr(v)
    return str(v)


class Seed:
    """A seed split into the parts a report author writes: lines before 一、, the info rows of
    the page header (``索引号: | … |``), and the prose of each numbered section."""

    def __init__(self, txt: Path, expected: Path) -> None:
        self.name = txt.stem
        self.expected: dict[str, Any] = json.loads(expected.read_text(encoding="utf-8"))["document"]
        self.pre: list[str] = []
        self.info_rows: list[list[str]] = []
        self.sections: dict[int, tuple[str, list[str]]] = {}
        current: int | None = None
        for raw in txt.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line:
                continue
            m = _HEAD.match(line) if "|" not in line else None
            if m:
                current = "一二三四五六".index(m.group(1)) + 1
                self.sections[current] = (line, [])
                continue
            if current is None:
                if "|" in line:
                    self.info_rows.append([c.strip() for c in line.rstrip("|").split("|")])
                else:
                    self.pre.append(line)
            elif "|" not in line:
                self.sections[current][1].append(line)

    def value(self, path: str) -> str | None:
        return fmt_value(get(self.expected, path))


# ---------------------------------------------------------------- HTML

def _num_html(v: str | None, split: bool) -> str:
    if v is None:
        return "&nbsp;"
    if split and len(v) >= 2:
        k = len(v) // 2  # a number split across runs, as web editors leave it
        return f'<span style="font-size:14px">{html.escape(v[:k])}</span><font face="宋体">{html.escape(v[k:])}</font>'
    return html.escape(v)


def _td(content: str, rowspan: int = 1, colspan: int = 1) -> str:
    attrs = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
    return f"<td{attrs}><p>{content}</p></td>"


def table2_html(seed: Seed, split: bool) -> str:
    rows = ['<tr>' + _td("第二十条第（一）项", colspan=4) + '</tr>',
            '<tr>' + _td("信息内容") + _td("本年制发件数") + _td("本年废止件数") + _td("现行有效件数") + '</tr>']
    for spec in ACTIVE_ROWS_2021:
        if spec.path == "active.licensing":
            rows.append('<tr>' + _td("第二十条第（五）项", colspan=4) + '</tr>')
            rows.append('<tr>' + _td("信息内容") + _td("本年处理决定数量", colspan=3) + '</tr>')
        if spec.path == "active.punishment":
            rows.append('<tr>' + _td("第二十条第（六）项", colspan=4) + '</tr>')
            rows.append('<tr>' + _td("信息内容") + _td("本年处理决定数量", colspan=3) + '</tr>')
        if spec.path == "active.fees":
            rows.append('<tr>' + _td("第二十条第（八）项", colspan=4) + '</tr>')
            rows.append('<tr>' + _td("信息内容") + _td("本年收费金额（单位：万元）", colspan=3) + '</tr>')
        cells = [_td(spec.label)]
        if len(spec.cells) == 3:
            cells += [_td(_num_html(seed.value(f"{spec.path}.{f}"), split)) for f, _ in spec.cells]
        else:
            cells.append(_td(_num_html(seed.value(f"{spec.path}.{spec.cells[0][0]}"), split), colspan=3))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return '<table border="1" cellspacing="0">' + "".join(rows) + "</table>"


def table3_html(seed: Seed, split: bool) -> str:
    rows = [
        "<tr>" + _td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3) + _td("申请人情况", colspan=7) + "</tr>",
        "<tr>" + _td("自然人", rowspan=2) + _td("法人或其他组织", colspan=5) + _td("总计", rowspan=2) + "</tr>",
        "<tr>" + "".join(_td(x) for x in ("商业<br/>企业", "科研<br/>机构", "社会公益组织", "法律服务机构", "其他")) + "</tr>",
    ]
    group_span = {"withheld": 8, "unavailable": 3, "not_processed": 5, "other": 3}
    group_label = {"withheld": "（三）不予公开", "unavailable": "（四）无法提供", "not_processed": "（五）不予处理",
                   "other": "（六）其他处理"}
    for i, spec in enumerate(REQUEST_ROWS_2021):
        vals = "".join(_td(_num_html(seed.value(f"{spec.path}.{c}"), split)) for c in REQUEST_COLUMNS)
        if spec.path in ("requests.new", "requests.carried_over", "requests.carry_forward"):
            head = _td(spec.label, colspan=3)
        elif spec.group is None:
            head = (_td("三、本年度办理结果", rowspan=22) if i == 2 else "") + _td(spec.label, colspan=2)
        else:
            head = (_td(group_label[spec.group], rowspan=group_span[spec.group]) if spec.ordinal == 1 else "") + _td(spec.label)
        rows.append("<tr>" + head + vals + "</tr>")
    return '<table border="1">' + "".join(rows) + "</table>"


def table4_html(seed: Seed, split: bool) -> str:
    labels = ("结果<br>维持", "结果<br>纠正", "其他<br>结果", "尚未<br>审结", "总计")
    rows = [
        "<tr>" + _td("行政复议", colspan=5) + _td("行政诉讼", colspan=10) + "</tr>",
        "<tr>" + "".join(_td(x, rowspan=2) for x in labels) + _td("未经复议直接起诉", colspan=5) + _td("复议后起诉", colspan=5) + "</tr>",
        "<tr>" + "".join(_td(x) for x in labels * 2) + "</tr>",
        "<tr>" + "".join(_td(_num_html(seed.value(f"review.{b}.{c}"), split)) for b in REVIEW_BLOCKS for c in REVIEW_COLUMNS) + "</tr>",
    ]
    return '<table class="MsoNormalTable" border="1">' + "".join(rows) + "</table>"


def render_html(seed: Seed, *, encoding: str = "utf-8", declare: bool = True, split: bool = True,
                boilerplate: bool = True) -> bytes:
    """A web page as a government site publishes it: navigation, breadcrumbs, the article with
    the three tables (template merges), share links, a footer."""
    esc = html.escape
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={"gb2312" if encoding in ("gbk", "gb18030", "gb2312") else encoding}">' if declare else ""
    out = ["<!DOCTYPE html>", "<html><head>", meta, "<title>政务公开 - 年度报告</title>",
           "<style>td{border:1px solid #000}</style><script>var nav='<table><tr><td>1</td></tr></table>';</script>",
           "</head><body>"]
    if boilerplate:
        out += ['<div class="top-nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li>'
                '<li><a href="/nb">政府信息公开年度报告</a></li><li><a href="/hd">互动交流</a></li></ul></div>',
                '<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; <a href="/nb">年度报告</a></div>']
    out.append('<div class="article">')
    if seed.pre:
        out.append(f"<h1>{esc(seed.pre[0])}</h1>")
        out += [f"<p>{esc(x)}</p>" for x in seed.pre[1:]]
    if seed.info_rows:
        out.append('<table class="info">' + "".join(
            "<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in seed.info_rows) + "</table>")
    for n in range(1, 7):
        if n not in seed.sections:
            continue
        head, prose = seed.sections[n]
        out.append(f'<p style="text-indent:2em"><strong><span>{esc(head)}</span></strong></p>')
        out += [f'<p style="text-indent:2em">{esc(x)}</p>' for x in prose]
        if n == 2:
            out.append(table2_html(seed, split))
        elif n == 3:
            out.append(table3_html(seed, split))
        elif n == 4:
            out.append(table4_html(seed, split))
    out.append("</div>")
    if boilerplate:
        out += ['<div class="share">分享到：<a href="#">微信</a><a href="#">微博</a><a href="#">QQ空间</a></div>',
                '<div id="footer"><p>主办：某某市人民政府办公室 网站标识码：1101020002 备案号：京ICP备00000000号</p>'
                '<p><a href="/about">关于我们</a> <a href="/map">网站地图</a> <a href="/contact">联系我们</a></p></div>']
    out.append("</body></html>")
    text = "\n".join(out)
    return text.encode(encoding)


# ---------------------------------------------------------------- DOCX (the official template)

def _new_paragraph(like: Any, text: str) -> Any:
    p = copy.deepcopy(like)
    for child in list(p):
        if child.tag != W + "pPr":
            p.remove(child)
    _add_run(p, text)
    return p


def _add_run(p: Any, text: str, rpr: Any = None) -> None:
    from lxml import etree

    r = etree.SubElement(p, W + "r")
    if rpr is not None:
        r.append(copy.deepcopy(rpr))
    t = etree.SubElement(r, W + "t")
    t.text = text
    t.set(XML_SPACE, "preserve")


def _set_cell(tc: Any, value: str | None, split: bool) -> None:
    """Write ``value`` into a cell's first paragraph (keeping its properties); None leaves the
    template's blank (it may hold full-width spaces) untouched."""
    if value is None:
        return
    p = tc.find(W + "p")
    rpr = None
    for r in p.findall(W + "r"):
        rpr = r.find(W + "rPr") if rpr is None else rpr
        p.remove(r)
    if split and len(value) >= 2:
        k = len(value) // 2  # Word splits numbers into runs after edits
        _add_run(p, value[:k], rpr)
        _add_run(p, value[k:], rpr)
    else:
        _add_run(p, value, rpr)


def _simple_table(rows: list[list[str]]) -> Any:
    from lxml import etree

    tbl = etree.Element(W + "tbl")
    pr = etree.SubElement(tbl, W + "tblPr")
    etree.SubElement(pr, W + "tblW", {W + "w": "0", W + "type": "auto"})
    grid = etree.SubElement(tbl, W + "tblGrid")
    width = max(len(r) for r in rows)
    for _ in range(width):
        etree.SubElement(grid, W + "gridCol", {W + "w": "2000"})
    for row in rows:
        tr = etree.SubElement(tbl, W + "tr")
        for i in range(width):
            tc = etree.SubElement(tr, W + "tc")
            p = etree.SubElement(tc, W + "p")
            text = row[i] if i < len(row) else ""
            if text:
                _add_run(p, text)
    return tbl


def fill_template(template: bytes, seed: Seed, *, split: bool = True) -> bytes:
    """A filled copy of the official template: title and prose replace the placeholders, the
    values go into the template's own cells (its merged cells untouched)."""
    from lxml import etree

    zin = zipfile.ZipFile(io.BytesIO(template))
    root = etree.fromstring(zin.read("word/document.xml"))
    body = root.find(W + "body")

    def ptext(p: Any) -> str:
        return "".join(t.text or "" for t in p.iter(W + "t"))

    paragraphs = [el for el in body if el.tag == W + "p"]
    title = next(p for p in paragraphs if "模板" in ptext(p))
    placeholders = [p for p in paragraphs if ptext(p).startswith("（文字描述")]
    # title lines, then the page's info rows as a small table
    anchor = title
    lines = seed.pre or ["政府信息公开工作年度报告"]
    new_title = _new_paragraph(title, lines[0])
    body.replace(title, new_title)
    anchor = new_title
    for line in lines[1:]:
        p = _new_paragraph(placeholders[0], line)
        anchor.addnext(p)
        anchor = p
    if seed.info_rows:
        anchor.addnext(_simple_table(seed.info_rows))
    # section prose into the placeholders of 一, 五, 六
    for ph, n in zip(placeholders, (1, 5, 6), strict=True):
        prose = seed.sections.get(n, ("", []))[1] or [""]
        first = _new_paragraph(ph, prose[0])
        body.replace(ph, first)
        anchor = first
        for line in prose[1:]:
            p = _new_paragraph(ph, line)
            anchor.addnext(p)
            anchor = p
    if seed.sections.get(2, ("", []))[1]:
        pass  # the template has no prose slot under 二; the seeds have none there either
    tables = [el for el in body if el.tag == W + "tbl" and el.find(".//" + W + "gridSpan") is not None]
    t2, t3, t4 = tables[:3]

    def cells(tr: Any) -> list[Any]:
        return tr.findall(W + "tc")

    def row_text(tr: Any) -> str:
        return "".join(t.text or "" for t in tr.iter(W + "t"))

    # table 二: rows found by their labels
    for spec in ACTIVE_ROWS_2021:
        tr = next(tr for tr in t2.findall(W + "tr") if cells(tr) and
                  "".join(t.text or "" for t in cells(tr)[0].iter(W + "t")) == spec.label)
        for k, (field, _) in enumerate(spec.cells, 1):
            _set_cell(cells(tr)[k], seed.value(f"{spec.path}.{field}"), split)
    # table 三: the 25 value rows in template order; the last seven cells of each
    value_rows = t3.findall(W + "tr")[3:]
    assert len(value_rows) == len(REQUEST_ROWS_2021)
    for tr, spec in zip(value_rows, REQUEST_ROWS_2021, strict=True):
        assert any(all(k in row_text(tr) for k in kws) for kws in spec.keywords), (spec.path, row_text(tr))
        for tc, col in zip(cells(tr)[-7:], REQUEST_COLUMNS, strict=True):
            _set_cell(tc, seed.value(f"{spec.path}.{col}"), split)
    # table 四: one row of fifteen
    tr = t4.findall(W + "tr")[3]
    values = [seed.value(f"review.{b}.{c}") for b in REVIEW_BLOCKS for c in REVIEW_COLUMNS]
    for tc, v in zip(cells(tr), values, strict=True):
        _set_cell(tc, v, split)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True) \
                if info.filename == "word/document.xml" else zin.read(info.filename)
            zout.writestr(info.filename, data)
    return out.getvalue()


def seeds(shared: Path) -> list[Seed]:
    return [Seed(p, shared / "seeds" / "expected" / (p.stem + ".json"))
            for p in sorted((shared / "seeds").glob("*.txt"))]
