"""Web pages: real ``<table>`` markup (rowspan/colspan expanded), GBK/GB2312 pages, site
navigation and footers left out, numbers split across ``<span>``/``<font>`` runs joined.

The page is parsed with the standard library's :mod:`html.parser` (no entity expansion beyond
HTML's own, no network, no DTD) into a small tree, linearised (see :mod:`gipcheck.load.layout`)
and read by :func:`gipcheck.load.text.parse_text`; each line keeps the line/column of the element
in the original HTML.
"""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser
from typing import Any

from gipcheck.errors import LoadError
from gipcheck.load.base import LoadedReport
from gipcheck.load.decode import _utf16_kind
from gipcheck.load.layout import NOTE_MARK, Cell, Linear, clean_inline, emit_table, join_cell_lines
from gipcheck.load.limits import check_size

NAME = "html"
MEDIA_TYPES = ("text/html", "application/xhtml+xml")
EXTENSIONS = (".html", ".htm", ".shtml", ".xhtml", ".mht", ".mhtml")
PRIORITY = 10

MAX_DEPTH = 200  # deeper elements are flattened into their ancestor, not recursed into
MAX_NODES = 200_000  # real report pages have a few thousand elements

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                   "source", "track", "wbr", "keygen", "frame", "basefont", "isindex"})
_SKIP = frozenset({"#hidden", "del", "script", "style", "noscript", "template", "head", "title", "iframe", "object", "svg",
                   "math", "select", "option", "button", "textarea", "input", "canvas", "audio", "video",
                   "map", "embed", "frameset", "noframes"})
# Inline elements whose hidden style hides text: block-level hiding is left alone (tabbed pages
# and scripts that reveal the article would lose the report).
_INLINE = frozenset({"span", "font", "b", "i", "u", "s", "em", "strong", "sup", "sub", "small", "big", "a",
                     "ins", "del", "strike", "tt", "code", "o:p"})
_HIDDEN_STYLE = re.compile(r"(?:^|;|\s)(?:display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all)", re.I)
_ORIG = "\x00tag"  # attribute key (no HTML attribute can have it) holding a renamed element's tag
_BOILER_TAGS = frozenset({"nav", "header", "footer", "aside", "menu"})
_BLOCK = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
                    "section", "article", "main", "blockquote", "pre", "address", "figure", "figcaption",
                    "caption", "center", "form", "fieldset", "legend", "hr", "body", "html", "tr",
                    "table", "tbody", "thead", "tfoot", "td", "th", "details", "summary"})
# Elements a new block implicitly closes (HTML's optional end tags).
_CLOSES_P = _BLOCK - {"td", "th", "tr", "tbody", "thead", "tfoot", "caption", "body", "html", "li", "dt", "dd"}
_BOILER_NAME = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|navi|menu|mainmenu|submenu|footer|foot|bottom|header|topbar|top-bar|"
    r"breadcrumbs?|crumbs?|bread|location|position|sidebar|side|share|bdshare|copyright|toolbar|"
    r"search|login|friendlink|links|weizhi|dqwz|fxd|wza|skip)(?:[-_\s\d]|$)", re.I)
_REPORT_MARK = ("年度报告", "本年新收", "行政复议", "总体情况", "主动公开政府信息情况")

_META_CHARSET = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_WESTERN = frozenset({"latin_1", "iso8859-1", "cp1252", "ascii", "iso8859-15", "cp437", "mac-roman"})
_TAG_RE = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|table|tr|td|div|p|meta|title|span|br)\b", re.I)


class _Node:
    __slots__ = ("tag", "attrs", "children", "line", "col", "parent", "text_len", "link_len", "links", "cells",
                 "tables")

    def __init__(self, tag: str, attrs: dict[str, str], line: int, col: int, parent: _Node | None) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[_Node | tuple[str, int, int]] = []
        self.line = line
        self.col = col
        self.parent = parent
        self.text_len = 0
        self.link_len = 0
        self.links = 0
        self.cells = 0  # td/th elements inside (not counting itself)
        self.tables = 0  # table elements inside


class _TreeBuilder(HTMLParser):
    """A forgiving tree builder: optional end tags closed, stray end tags ignored, depth capped."""

    def __init__(self, max_nodes: int = MAX_NODES) -> None:
        super().__init__(convert_charrefs=True)
        self.max_nodes = max_nodes
        self.root = _Node("#root", {}, 1, 1, None)
        self.stack: list[_Node] = [self.root]
        self.nodes = 0
        self.charset_hint: str | None = None

    def _close_until(self, tags: frozenset[str] | set[str], stop: frozenset[str]) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            t = self.stack[i].tag
            if t in stop:
                return
            if t in tags:
                del self.stack[i:]
                return

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.nodes += 1
        if self.nodes > self.max_nodes:
            raise LoadError("LIMIT", f"网页元素过多（超过 {self.max_nodes} 个），未读取",
                            f"too many HTML elements (over {self.max_nodes}); not read")
        if tag in _CLOSES_P:
            self._close_until({"p"}, frozenset({"table", "td", "th", "div"}))
        if tag in ("td", "th"):
            self._close_until({"td", "th"}, frozenset({"table", "tr"}))
        elif tag == "tr":
            self._close_until({"tr"}, frozenset({"table"}))
        elif tag == "li":
            self._close_until({"li"}, frozenset({"ul", "ol", "table"}))
        elif tag in ("dt", "dd"):
            self._close_until({"dt", "dd"}, frozenset({"dl", "table"}))
        line, off = self.getpos()
        amap = {k: (v or "") for k, v in attrs}
        if tag in _INLINE and ("hidden" in amap or _HIDDEN_STYLE.search(amap.get("style", ""))):
            amap[_ORIG] = tag  # its end tag still closes it
            tag = "#hidden"  # text a browser does not show (Word's hidden runs, junk digits) is not read
        node = _Node(tag, amap, line, off + 1, self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in _VOID and len(self.stack) < MAX_DEPTH:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, off = self.getpos()
        self.stack[-1].children.append(_Node(tag, {k: (v or "") for k, v in attrs}, line, off + 1, self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag or self.stack[i].attrs.get(_ORIG) == tag:
                del self.stack[i:]
                return
            if tag in ("tr", "td", "th") and self.stack[i].tag == "table":
                return  # an end tag cannot close past its own table

    def handle_data(self, data: str) -> None:
        if data:
            line, off = self.getpos()
            self.stack[-1].children.append((data, line, off + 1))


def _measure(node: _Node) -> None:
    """Post-order: visible text length, linked text length and link count per element."""
    stack: list[tuple[_Node, bool]] = [(node, False)]
    while stack:
        n, done = stack.pop()
        if not done:
            stack.append((n, True))
            stack.extend((c, False) for c in n.children if isinstance(c, _Node) and c.tag not in _SKIP)
            continue
        tl = ll = lk = cells = tables = 0
        for c in n.children:
            if isinstance(c, tuple):
                tl += len(c[0].strip())
            elif c.tag not in _SKIP:
                tl += c.text_len
                ll += c.link_len
                lk += c.links
                cells += c.cells + (c.tag in ("td", "th"))
                tables += c.tables + (c.tag == "table")
        if n.tag == "a":
            ll, lk = tl, lk + 1
        n.text_len, n.link_len, n.links, n.cells, n.tables = tl, ll, lk, cells, tables


def _all_text(node: _Node, limit: int = 4000) -> str:
    out: list[str] = []
    size = 0
    stack: list[_Node | tuple[str, int, int]] = [node]
    while stack and size < limit:
        n = stack.pop()
        if isinstance(n, tuple):
            out.append(n[0])
            size += len(n[0])
        elif n.tag not in _SKIP:
            stack.extend(reversed(n.children))
    return "".join(out)


def _is_boilerplate(node: _Node) -> bool:
    """Navigation, headers, footers, sidebars and link lists — but never the report itself."""
    if node.tag in ("td", "th", "tr", "tbody", "thead", "table", "body", "html"):
        dense = node.tag == "td" and node.links >= 3 and node.link_len > 0.7 * max(node.text_len, 1)
        return dense
    hinted = node.tag in _BOILER_TAGS or any(
        _BOILER_NAME.search(node.attrs.get(a, "")) for a in ("class", "id", "role"))
    dense = node.links >= 3 and node.text_len >= 10 and node.link_len > 0.7 * node.text_len
    if dense:
        return True
    if not hinted:
        return False
    # an article header ("article-header" with the report's title) is the report, not the site
    text = _all_text(node)
    if any(m in text for m in _REPORT_MARK[1:]):
        return False
    return not any(_REPORT_MARK[0] in _all_text(h) for h in _descendants(node, ("h1", "h2", "h3")))


def _descendants(node: _Node, tags: tuple[str, ...]) -> list[_Node]:
    out: list[_Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        for c in n.children:
            if isinstance(c, _Node):
                if c.tag in tags:
                    out.append(c)
                stack.append(c)
    return out


def _charset_of(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:8192])
    if not m:
        return None
    name = m.group(1).decode("ascii", "ignore").lower()
    if name in ("gb2312", "gbk", "x-gbk", "gb_2312-80", "cp936", "euc-cn", "hz-gb-2312"):
        return "gb18030"  # a superset: GB2312/GBK pages often carry GBK-only characters
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(data: bytes) -> tuple[str, str]:
    """Decode a page: BOM, then the declared ``<meta>`` charset, then detection. Bytes that are
    valid UTF-8 (with non-ASCII text) are read as UTF-8 whatever the ``<meta>`` claims: a page
    saved as UTF-8 under a stale GBK or Latin-1 declaration is common, the reverse match is not."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8", "strict"), "utf-8-sig"
        except UnicodeDecodeError:
            data = data[3:]  # a BOM on bytes that are not UTF-8: the declaration or detection decides
    kind = _utf16_kind(data[:4096])
    if kind is not None:
        try:
            text = data.decode(kind)
        except UnicodeDecodeError:
            raise LoadError("ENCODING", "网页按 UTF-16 保存，但内容已损坏（不完整的 UTF-16 字符），为避免乱码不予读取",
                            "the page is UTF-16 but its bytes are damaged (incomplete UTF-16 characters); not read") from None
        return text.lstrip("\ufeff"), kind
    declared = _charset_of(data)
    if declared and declared.startswith("utf-16"):
        declared = "utf-8"  # HTML: a UTF-16 declaration in ASCII-readable bytes means UTF-8
    if declared and declared != "utf-8" and not data.isascii():
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    if declared in _WESTERN and not data.isascii():
        try:  # a Chinese page under a Western default charset (server or editor default)
            text = data.decode("gb18030")
            wide = [ch for ch in text if ord(ch) > 127]
            if sum(1 for ch in wide if "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef") >= 0.9 * len(wide):
                return text, ("gbk" if _is_gbk(data) else "gb18030")
        except UnicodeDecodeError:
            pass
    if declared:
        try:
            text = data.decode(declared)
            return text, ("gbk" if declared == "gb18030" and _is_gbk(data) else declared)
        except (UnicodeDecodeError, LookupError):
            pass  # pages often declare one charset and are saved in another
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc), ("gbk" if enc == "gb18030" and _is_gbk(data) else enc)
        except UnicodeDecodeError:
            continue
    raise LoadError("ENCODING", "无法识别网页编码（支持 UTF-8、GB18030/GBK/GB2312、UTF-16），为避免乱码不予读取",
                    "cannot determine the page's encoding (UTF-8, GB18030/GBK/GB2312, UTF-16 supported)")


def _is_gbk(data: bytes) -> bool:
    try:
        data.decode("gbk")
        return True
    except UnicodeDecodeError:
        return False


_MHT_HEAD = re.compile(rb"^(?:(?:MIME-Version|From|Subject|Date|Snapshot-Content-Location|Content-[\w-]+|X-[\w-]+)"
                       rb"[ \t]*:[^\n]*\r?\n(?:[ \t][^\n]*\r?\n)*)+", re.I)


def _is_mht(head: bytes) -> bool:
    """A "single file web page" (.mht/.mhtml, often saved under a .doc name): MIME headers, then
    the page and its images as parts of a ``multipart/related`` message."""
    h = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    m = _MHT_HEAD.match(h[:4096])
    return m is not None and b"multipart/related" in m.group(0).lower()


def _mht_page(data: bytes) -> bytes:
    """The HTML part of an MHT file (its transfer encoding undone)."""
    import email
    import email.policy

    try:
        msg = email.message_from_bytes(data, policy=email.policy.compat32)
        for part in msg.walk():
            if part.get_content_type() in MEDIA_TYPES:
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes) and payload.strip():
                    return payload
    except Exception:  # the email parser is forgiving; anything else is a broken file
        pass
    raise LoadError("CORRUPT", "单个文件网页（MHT）已损坏：找不到其中的网页部分",
                    "the single-file web page (MHT) is corrupt: no HTML part found")


def sniff(head: bytes, path: str) -> float:
    if _is_mht(head):
        return 0.9
    h = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if h.startswith((b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        return 0.0
    kind = _utf16_kind(head[:4096])
    if kind is not None:
        # "ignore": the head may end inside a surrogate pair
        h = head[:4096].decode(kind, "ignore").lstrip("\ufeff \t\r\n").encode("utf-8")
    low = h[:4096].lower()
    if low.startswith((b"<!doctype html", b"<html", b"<?xml")) and b"<html" in low or low.startswith(b"<!doctype html"):
        return 0.95
    tags = len(_TAG_RE.findall(low))
    if tags >= 3:
        return 0.8
    if tags and low.startswith(b"<"):
        return 0.6
    return 0.0


class _Walker:
    """Turns the tree into lines: inline runs joined, blocks as lines, tables as pipe rows."""

    def __init__(self) -> None:
        self.lin = Linear()
        self.buf: list[str] = []
        self.buf_pos: tuple[int, int] | None = None
        self.tables = 0

    def flush(self) -> None:
        if self.buf:
            text = clean_inline("".join(self.buf))
            if text and self.buf_pos:
                self.lin.para(text, {"line": self.buf_pos[0], "col": self.buf_pos[1]})
        self.buf = []
        self.buf_pos = None

    def walk(self, node: _Node, depth: int = 0) -> None:
        for child in node.children:
            if isinstance(child, tuple):
                if not self.buf_pos and child[0].strip():
                    self.buf_pos = (child[1], child[2])
                self.buf.append(child[0])
                continue
            tag = child.tag
            if tag in _SKIP or _is_boilerplate(child):
                continue
            if tag == "br":
                self.flush()
                continue
            if tag == "table":
                self.flush()
                self.table(child, depth + 1)
                continue
            if tag in _BLOCK:
                self.flush()
                self.walk(child, depth + 1)
                self.flush()
            else:
                self.walk(child, depth + 1)

    # ------------------------------------------------------------ tables
    def table(self, table: _Node, depth: int) -> None:
        rows: list[tuple[_Node, list[_Node]]] = []
        stack: list[_Node] = [table]
        while stack:  # rows of this table only, not of nested tables
            n = stack.pop()
            for c in reversed(n.children):
                if isinstance(c, tuple):
                    continue
                if c.tag == "tr":
                    cells = [x for x in c.children if isinstance(x, _Node) and x.tag in ("td", "th")]
                    rows.append((c, cells))
                elif c.tag not in ("table", "td", "th", "caption") and c.tag not in _SKIP:
                    stack.append(c)  # tbody/thead/tfoot, and the <form>/<font> old pages wrap rows in
        rows.sort(key=lambda rc: (rc[0].line, rc[0].col))
        nested = _is_frame([cells for _, cells in rows])
        width = max((sum(_int(c.attrs.get("colspan"), 1) for c in cells) for _, cells in rows), default=0)
        if nested or width <= 1:
            # a layout frame: its cells are page regions, read as blocks
            for _, cells in rows:
                for cell in cells:
                    if not _is_boilerplate(cell):
                        self.walk(cell, depth + 1)
                        self.flush()
            for c in table.children:  # a caption or stray text inside the frame
                if isinstance(c, _Node) and c.tag == "caption":
                    self.walk(c, depth + 1)
                    self.flush()
            return
        self.tables += 1
        t = self.tables
        for c in table.children:
            if isinstance(c, _Node) and c.tag == "caption":
                self.walk(c, depth + 1)
                self.flush()
        grid_rows: list[list[Cell]] = []
        origins: list[dict[str, Any]] = []
        for r, (tr, cells) in enumerate(rows, 1):
            out: list[Cell] = []
            for k, cell in enumerate(cells, 1):
                out.append(Cell(
                    text=_cell_text(cell),
                    colspan=max(1, min(_int(cell.attrs.get("colspan"), 1), 100)),
                    rowspan=_rowspan(cell, len(rows) - r + 1),
                    origin={"line": cell.line, "col": cell.col, "where": f"表格{t} 第{r}行 第{k}格",
                            "where_en": f"table {t} row {r} cell {k}"},
                ))
            grid_rows.append(out)
            origins.append({"line": tr.line, "col": tr.col, "where": f"表格{t} 第{r}行",
                            "where_en": f"table {t} row {r}"})
        emit_table(self.lin, grid_rows, {"table": t}, lambda r: origins[r])


def _rowspan(cell: _Node, rest: int) -> int:
    """``rowspan="0"`` spans the rest of the table (HTML); the grid clamps any span to the table."""
    n = _int(cell.attrs.get("rowspan"), 1)
    return rest if n == 0 else max(1, min(n, 65534))


def _int(v: str | None, default: int) -> int:
    if not v:
        return default
    m = re.match(r"\s*(\d{1,6})", v)
    return int(m.group(1)) if m else default


def _is_frame(rows: list[list[_Node]]) -> bool:
    """A table holding tables is a layout frame, unless it is a data table (many rows and cells
    of short text) with a small table inside a cell or two: that one is read as a table, the
    nested table's text as its cell's text."""
    if not any(cell.tables for cells in rows for cell in cells):
        return False
    own = sum(len(cells) for cells in rows)
    inner = sum(cell.cells for cells in rows for cell in cells)
    if len(rows) < 4 or own < 20 or inner * 4 >= own:
        return True
    return any(cell.text_len > 300 for cells in rows for cell in cells)


def _is_note_mark(node: _Node) -> bool:
    """A footnote mark in a cell (``59<sup>1</sup>``, Word's ``<a href="#_ftn1">[1]</a>``): not
    part of the value it follows."""
    if node.tag == "a" and node.attrs.get("href", "").startswith(("#_ftn", "#_edn")):
        return True
    return node.tag == "sup" and NOTE_MARK.fullmatch(_all_text(node, 40).strip()) is not None


def _cell_text(cell: _Node, marks: bool = False) -> str:
    """A cell's text: inline runs joined (a number split over ``<span>``s stays one number),
    block and ``<br>`` breaks joined without a space between CJK characters; footnote marks
    left out unless they are all there is (``marks``)."""
    parts: list[str] = []
    cur: list[str] = []

    def rec(n: _Node) -> None:
        for c in n.children:
            if isinstance(c, tuple):
                cur.append(c[0])
            elif c.tag in _SKIP or not marks and _is_note_mark(c):
                continue
            elif c.tag == "br" or c.tag in _BLOCK:
                parts.append("".join(cur))
                cur.clear()
                if c.tag != "br":
                    rec(c)
                    parts.append("".join(cur))
                    cur.clear()
            else:
                rec(c)

    rec(cell)
    parts.append("".join(cur))
    text = join_cell_lines(parts)
    return text if text or marks else _cell_text(cell, True)


_UNCLOSED_LT = re.compile(r"<[^<>]*+(?=<|\Z)")
MAX_UNCLOSED = 20


def _defuse(text: str) -> str:
    """Text with many ``<`` that no ``>`` closes before the next ``<`` (``<a <a <a …``) makes
    :mod:`html.parser` rescan the rest of the page for each of them (minutes for 60 KB); past a
    few, they are escaped: the junk reads as one line of text, the page around it as before."""
    n = 0
    for _ in _UNCLOSED_LT.finditer(text):
        n += 1
        if n > MAX_UNCLOSED:
            return _UNCLOSED_LT.sub(lambda m: "&lt;" + m.group(0)[1:], text)
    return text


def linearise(text: str, options: dict[str, Any] | None = None, *, grid_budget: int | None = None) -> Linear:
    """Parse decoded HTML and return its linear text with origins; ``grid_budget`` caps the
    grid positions its tables may use (a page imported into a Word file shares the file's)."""
    tb = _TreeBuilder(int((options or {}).get("html_max_nodes") or MAX_NODES))
    text = _defuse(text)
    try:
        tb.feed(text)
        tb.close()
    except LoadError:
        raise
    except Exception as e:  # html.parser is forgiving; anything else is a broken page
        raise LoadError("CORRUPT", f"网页无法解析（{type(e).__name__}）", f"the page cannot be parsed ({type(e).__name__}: {e})") from None
    body = _find(tb.root, "body") or tb.root
    _measure(body)
    w = _Walker()
    if grid_budget is not None:
        w.lin.grid_budget = grid_budget
    w.walk(body)
    w.flush()
    return w.lin


def _find(node: _Node, tag: str) -> _Node | None:
    stack = [node]
    while stack:
        n = stack.pop()
        if n.tag == tag:
            return n
        stack.extend(reversed([c for c in n.children if isinstance(c, _Node)]))
    return None


def load(data: bytes, path: str, options: dict[str, Any]) -> LoadedReport:
    check_size(data, options)
    mht = _is_mht(data[:8192])
    if mht:
        data = _mht_page(data)
    text, encoding = decode_html(data)
    lin = linearise(text, options)
    if not len(lin):
        raise LoadError("NOT_A_REPORT", "网页中没有可读的正文", "the page has no readable text")
    from gipcheck.load.text import parse_text

    source = {"path": path, "media_type": "multipart/related" if mht else "text/html", "encoding": encoding,
              "loader": NAME}
    report = parse_text(lin.text(), source=source, origin=lin.origin, options=options)
    return report
