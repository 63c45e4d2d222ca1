"""Word documents: ``.docx`` read through its structure (paragraphs, tables with ``gridSpan`` and
``vMerge`` merged cells or the legacy ``hMerge``, nested tables, content controls, text boxes); ``.doc`` converted with
LibreOffice in headless mode when it is installed.

``word/document.xml`` is parsed with :mod:`defusedxml` (no DTDs, no entity expansion) after the
ZIP container passed the zip-bomb limits of :mod:`gipcheck.load.limits`.
"""

from __future__ import annotations

import io
import os
import posixpath
import shutil
import signal
import subprocess
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from typing import Any
from xml.etree import ElementTree as ET
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET

from gipcheck.errors import LoadError
from gipcheck.load.base import LoadedReport
from gipcheck.load.layout import NOTE_MARK, Cell, Linear, clean_inline, emit_table, join_cell_lines
from gipcheck.load.limits import check_size, limit, mb

NAME = "docx"
MEDIA_TYPES = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/msword",
)
EXTENSIONS = (".docx", ".docm", ".dotx", ".doc", ".dot", ".wps")
PRIORITY = 10

DOCX_MEDIA = MEDIA_TYPES[0]
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
RTF_MAGIC = b"{\\rtf"

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W_STRICT = "{http://purl.oclc.org/ooxml/wordprocessingml/main}"
_DTD_MARKERS = tuple(m.encode(enc) for m in ("<!DOCTYPE", "<!ENTITY") for enc in ("utf-8", "utf-16-le", "utf-16-be"))
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_P, _TBL, _TR, _TC, _T, _SDT, _R = W + "p", W + "tbl", W + "tr", W + "tc", W + "t", W + "sdt", W + "r"
_SKIP_IN_P = frozenset({W + "del", W + "moveFrom", W + "instrText", W + "delText", MC_FALLBACK,
                        W + "footnoteReference", W + "endnoteReference", W + "rPr", W + "pPr"})
_CONTAINERS = frozenset({W + "sdtContent", W + "customXml", W + "ins", W + "moveTo", W + "smartTag"})
_TXBX = W + "txbxContent"
_ALT_CHUNK = W + "altChunk"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MAIN_TYPES = ("wordprocessingml.document.main+xml", "ms-word.document.macroEnabled.main+xml",
               "wordprocessingml.template.main+xml", "ms-word.template.macroEnabledTemplate.main+xml")


# ---------------------------------------------------------------- sniffing

def sniff(head: bytes, path: str) -> float:
    ext = os.path.splitext(path)[1].lower()
    if head.startswith(b"PK\x03\x04"):
        if b"word/" in head:
            return 0.95
        if b"xl/" in head or b"ppt/" in head or b"mimetypeapplication/vnd.oasis" in head:
            return 0.0
        return 0.85 if ext in (".docx", ".docm", ".dotx") else 0.2
    if head.startswith(RTF_MAGIC):
        return 0.9  # Word's RTF, often saved under a .doc name
    if head.startswith(OLE_MAGIC):
        if ext in (".xls", ".ppt", ".msg", ".xlt", ".pps"):
            return 0.05
        return 0.9 if ext in (".doc", ".dot", ".wps") else 0.6
    return 0.0


# ---------------------------------------------------------------- the ZIP container

def _open_zip(data: bytes, options: dict[str, Any]) -> tuple[zipfile.ZipFile, str]:
    """Open the container and check the zip-bomb limits; return it and the main part's name."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as e:
        raise LoadError("CORRUPT", "Word 文件已损坏：不是有效的 .docx（ZIP）包",
                        f"the Word file is corrupt: not a valid .docx (ZIP) package ({e})") from None
    max_members = int(limit(options, "docx_max_members"))
    if len(infos) > max_members:
        raise LoadError("LIMIT", f".docx 包内文件过多（{len(infos)} 个，上限 {max_members}），疑为压缩炸弹，未读取",
                        f".docx holds too many members ({len(infos)}, limit {max_members}); possible zip bomb, not read")
    total = sum(i.file_size for i in infos)
    cap = limit(options, "docx_max_uncompressed")
    if total > cap:
        raise LoadError("LIMIT", f".docx 解压后过大（{mb(total)}，上限 {mb(cap)}），疑为压缩炸弹，未读取",
                        f".docx would expand to {mb(total)} (limit {mb(cap)}); possible zip bomb, not read")
    ratio_cap = limit(options, "docx_max_ratio")
    for i in infos:
        if i.file_size > 1024 * 1024 and i.file_size > ratio_cap * max(i.compress_size, 1):
            raise LoadError("LIMIT",
                            f".docx 中 {i.filename} 压缩比异常（{i.file_size / max(i.compress_size, 1):.0f} 倍，上限 {ratio_cap:g} 倍），疑为压缩炸弹，未读取",
                            f"{i.filename} in the .docx has a suspicious compression ratio "
                            f"({i.file_size / max(i.compress_size, 1):.0f}x, limit {ratio_cap:g}x); possible zip bomb, not read")
    names = {i.filename for i in infos}
    main = _main_part(zf, names, options)
    if main is not None and sum(1 for i in infos if i.filename == main) > 1:
        # two different main parts: which one a reader takes differs, so neither is trusted
        raise LoadError("CORRUPT", f"Word 文件已损坏：包内有两个 {main}", f"the Word file is corrupt: it holds {main} twice")
    if main is None:
        if any(n.startswith("xl/") for n in names):
            kind_zh, kind_en = "Excel 表格", "an Excel workbook"
        elif any(n.startswith("ppt/") for n in names):
            kind_zh, kind_en = "PowerPoint 演示文稿", "a PowerPoint presentation"
        elif any(n.startswith("word/") for n in names):
            raise LoadError("CORRUPT", "Word 文件已损坏：缺少正文部分（word/document.xml）",
                            "the Word file is corrupt: its main part (word/document.xml) is missing")
        else:
            kind_zh, kind_en = "ZIP 压缩包", "a ZIP archive"
        raise LoadError("UNSUPPORTED", f"这是 {kind_zh}，不是 Word 文档", f"this is {kind_en}, not a Word document")
    return zf, main


def _read_member(zf: zipfile.ZipFile, name: str, cap: int) -> bytes:
    """Read one member, never more than ``cap`` bytes whatever its header claims."""
    try:
        with zf.open(name) as fh:
            out = fh.read(cap + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as e:
        raise LoadError("CORRUPT", f"Word 文件已损坏：无法解压 {name}",
                        f"the Word file is corrupt: cannot decompress {name} ({e})") from None
    if len(out) > cap:
        raise LoadError("LIMIT", f".docx 中 {name} 解压后超过 {mb(cap)}，疑为压缩炸弹，未读取",
                        f"{name} in the .docx expands beyond {mb(cap)}; possible zip bomb, not read")
    return out


def _main_part(zf: zipfile.ZipFile, names: set[str], options: dict[str, Any]) -> str | None:
    if "[Content_Types].xml" in names:
        try:
            root = SafeET.fromstring(_read_member(zf, "[Content_Types].xml", 1024 * 1024))
            for el in root:
                if el.tag.endswith("Override") and any(t in el.get("ContentType", "") for t in _MAIN_TYPES):
                    part = el.get("PartName", "").lstrip("/")
                    if part in names:
                        return part
        except LoadError:
            raise
        except Exception:  # a damaged content-types part: fall back to the usual name
            pass
    return "word/document.xml" if "word/document.xml" in names else None


# ---------------------------------------------------------------- the document structure

def _paragraph_lines(p: Element, boxes: list[Element], cell: bool = False) -> list[str]:
    """A paragraph's text split at explicit line breaks; text boxes are set aside in ``boxes``.
    In a table ``cell``, a superscript footnote mark typed after a value is left out."""
    lines: list[str] = []
    cur: list[str] = []
    stack: list[Iterator[Element]] = [iter(p)]
    while stack:
        el = next(stack[-1], None)
        if el is None:
            stack.pop()
            continue
        tag = el.tag
        if tag == _T:
            cur.append(el.text or "")
        elif tag in _SKIP_IN_P or tag == _R and (_hidden(el) or cell and _note_mark(el)) or tag == _SDT and _placeholder(el):
            continue
        elif tag == _TXBX:
            boxes.append(el)
        elif tag == W + "tab" or tag == W + "ptab":
            cur.append(" ")
        elif tag in (W + "br", W + "cr"):
            lines.append("".join(cur))
            cur = []
        elif tag == W + "noBreakHyphen":
            cur.append("-")
        elif len(el):
            stack.append(iter(el))
    lines.append("".join(cur))
    return lines


def _placeholder(sdt: Element) -> bool:
    """A content control still showing its placeholder ("单击此处输入文字", or a grey "0"): empty."""
    pr = sdt.find(W + "sdtPr")
    return pr is not None and pr.find(W + "showingPlcHdr") is not None


def _hidden(r: Element) -> bool:
    """A run formatted as hidden text (``w:vanish``): Word neither shows nor prints it."""
    pr = r.find(W + "rPr")
    v = pr.find(W + "vanish") if pr is not None else None
    return v is not None and v.get(W + "val", "true").lower() not in ("false", "0", "off")


def _note_mark(r: Element) -> bool:
    """A superscript run holding only a footnote mark (``1``, ``[1]``, ``*``)."""
    pr = r.find(W + "rPr")
    va = pr.find(W + "vertAlign") if pr is not None else None
    if va is None or va.get(W + "val") != "superscript":
        return False
    return NOTE_MARK.fullmatch("".join(t.text or "" for t in r.iter(_T)).strip()) is not None


def _cell_lines(parent: Element, marks: bool = False) -> list[str]:
    """The lines of a cell in document order: its paragraphs (each text box once, not again from
    its compatibility copy in ``mc:Fallback``) and the text of any table nested in it; footnote
    marks only with ``marks``."""
    lines: list[str] = []
    for el in parent:
        tag = el.tag
        if tag == _P:
            boxes: list[Element] = []
            lines.extend(_paragraph_lines(el, boxes, cell=not marks))
            for box in boxes:
                lines.extend(_cell_lines(box, marks))
        elif tag == _TBL:
            for tr in el.findall(_TR):
                if not _deleted_row(tr):
                    for tc in tr.findall(_TC):
                        lines.extend(_cell_lines(tc, marks))
        elif tag == _SDT and not _placeholder(el):
            content = el.find(W + "sdtContent")
            if content is not None:
                lines.extend(_cell_lines(content, marks))
        elif tag in _CONTAINERS:
            lines.extend(_cell_lines(el, marks))
    return lines


def _deleted_row(tr: Element) -> bool:
    """A table row deleted with change tracking on: gone from the document Word shows."""
    pr = tr.find(W + "trPr")
    return pr is not None and pr.find(W + "del") is not None


class _Reader:
    def __init__(self, chunk: Callable[[str, int], Linear | None] | None = None) -> None:
        self.lin = Linear()
        self.paragraphs = 0
        self.tables = 0
        self.chunk = chunk  # reads the part an w:altChunk imports, by relationship id

    def blocks(self, parent: Element) -> None:
        """Body-level content in order: paragraphs, tables, content controls."""
        for el in parent:
            tag = el.tag
            if tag == _P:
                self.paragraph(el)
            elif tag == _TBL:
                self.table(el)
            elif tag == _SDT and not _placeholder(el):
                content = el.find(W + "sdtContent")
                if content is not None:
                    self.blocks(content)
            elif tag in _CONTAINERS:
                self.blocks(el)
            elif tag == _ALT_CHUNK and self.chunk is not None:
                sub = self.chunk(el.get(R_ID, ""), self.lin.grid_budget)
                if sub is not None:
                    self.lin.lines.extend(sub.lines)
                    self.lin.grid_budget = sub.grid_budget

    def paragraph(self, p: Element) -> None:
        self.paragraphs += 1
        n = self.paragraphs
        boxes: list[Element] = []
        for line in _paragraph_lines(p, boxes):
            self.lin.para(clean_inline(line), {"where": f"第{n}段", "where_en": f"paragraph {n}", "paragraph": n})
        for box in boxes:
            self.blocks(box)

    def _children(self, parent: Element, tag: str) -> list[Element]:
        """Children with ``tag`` (rows of a table, cells of a row), also those wrapped in content
        controls or custom-XML containers, which Word puts around rows and cells."""
        found: list[Element] = []
        for el in parent:
            if el.tag == tag:
                found.append(el)
            elif el.tag in (_SDT, *_CONTAINERS):
                content = el.find(W + "sdtContent") if el.tag == _SDT else el
                if content is not None:
                    found.extend(self._children(content, tag))
        return found

    def _rows(self, tbl: Element) -> list[Element]:
        return [tr for tr in self._children(tbl, _TR) if not _deleted_row(tr)]

    def _cells(self, tr: Element) -> list[Element]:
        return self._children(tr, _TC)

    def table(self, tbl: Element) -> None:
        rows = self._rows(tbl)
        cells_of = [self._cells(tr) for tr in rows]
        width = max((sum(_span(tc) for tc in cells) for cells in cells_of), default=0)
        if width <= 1 or _is_frame(cells_of):
            for cells in cells_of:  # a layout frame: its cells are regions of the page
                for tc in cells:
                    self.blocks(tc)
            return
        self.tables += 1
        t = self.tables
        grid_rows: list[list[Cell]] = []
        grid = tbl.find(W + "tblGrid")
        ncols = len(grid.findall(W + "gridCol")) if grid is not None else 0
        if ncols < max((len(cells) for cells in cells_of), default=0):
            ncols = 0  # a grid too small for the cells says nothing about their spans
        for r, (tr, cells) in enumerate(zip(rows, cells_of, strict=True), 1):
            out: list[Cell] = []
            before, after = _grid_skip(tr)
            if before:
                out.append(Cell("", colspan=before, phantom=True))
            col = before
            merged = _hmerged(cells)
            for i, (k, tc, span, rest) in enumerate(merged, 1):
                vm = _vmerge(tc)
                if ncols and span > ncols:  # a cell wider than the whole table: keep room for the rest
                    span = max(1, ncols - col - (len(merged) - i))
                col += span
                text = join_cell_lines(_cell_lines(tc)) or join_cell_lines(_cell_lines(tc, marks=True))
                for more in rest:  # Word shows a merged cell's text together: none of it is dropped
                    extra = join_cell_lines(_cell_lines(more))
                    if extra:
                        text = f"{text} {extra}" if text else extra
                out.append(Cell(
                    text=text,
                    colspan=span,
                    continues=vm == "continue",
                    origin={"where": f"表格{t} 第{r}行 第{k}格", "where_en": f"table {t} row {r} cell {k}",
                            "table": t, "row": r, "cell": k},
                ))
            if after:
                out.append(Cell("", colspan=after, phantom=True))
            grid_rows.append(out)
        emit_table(self.lin, grid_rows, {"table": t},
                   lambda r: {"where": f"表格{t} 第{r + 1}行", "where_en": f"table {t} row {r + 1}",
                              "table": t, "row": r + 1})


def _is_frame(cells_of: list[list[Element]]) -> bool:
    """A table holding tables is a layout frame, unless it is a data table (many rows and cells
    of short text) with a small table inside a cell or two: that one is read as a table, the
    nested table's text as its cell's text."""
    own = sum(len(cells) for cells in cells_of)
    inner = 0
    for cells in cells_of:
        for tc in cells:
            for tbl in tc.iter(_TBL):
                inner += sum(1 for _ in tbl.iter(_TC))
    if not inner:
        return False
    if len(cells_of) < 4 or own < 20 or inner * 4 >= own:
        return True
    return any(sum(1 for _ in tc.iter(_P)) > 12 for cells in cells_of for tc in cells)


def _int_attr(el: Element | None, default: int) -> int:
    if el is None:
        return default
    try:
        return max(0, min(int(el.get(W + "val", str(default))), 1000))
    except ValueError:
        return default


def _span(tc: Element) -> int:
    pr = tc.find(W + "tcPr")
    return max(1, _int_attr(pr.find(W + "gridSpan"), 1)) if pr is not None else 1


def _hmerged(cells: list[Element]) -> list[tuple[int, Element, int, list[Element]]]:
    """A row's cells with legacy horizontal merges (``w:hMerge``, written by old Word versions
    instead of ``gridSpan``) folded into their first cell: (1-based position, first cell, grid
    columns covered, the continuation cells)."""
    out: list[tuple[int, Element, int, list[Element]]] = []
    for k, tc in enumerate(cells, 1):
        pr = tc.find(W + "tcPr")
        hm = pr.find(W + "hMerge") if pr is not None else None
        if hm is not None and hm.get(W + "val") != "restart" and out:
            pos, first, span, rest = out[-1]
            out[-1] = (pos, first, span + _span(tc), [*rest, tc])
        else:
            out.append((k, tc, _span(tc), []))
    return out


def _vmerge(tc: Element) -> str | None:
    pr = tc.find(W + "tcPr")
    vm = pr.find(W + "vMerge") if pr is not None else None
    if vm is None:
        return None
    return "restart" if vm.get(W + "val") == "restart" else "continue"


def _grid_skip(tr: Element) -> tuple[int, int]:
    pr = tr.find(W + "trPr")
    if pr is None:
        return 0, 0
    return _int_attr(pr.find(W + "gridBefore"), 0), _int_attr(pr.find(W + "gridAfter"), 0)


def _parse_xml(xml: bytes, name: str) -> Element:
    """Parse a part with the C-accelerated parser after refusing any DTD: entity expansion
    (billion laughs) and external entities need one, and no Word part has one. (defusedxml
    does the same refusal but through a pure-Python tree builder, 5x slower.)"""
    # the markers in UTF-8 and in UTF-16 with or without BOM (expat reads all three)
    if any(m in xml for m in _DTD_MARKERS):
        raise LoadError("CORRUPT", "Word 文件含有不允许的 XML 结构（DTD/实体声明），未读取",
                        "the Word file contains forbidden XML constructs (DTD/entity declarations); not read")
    try:
        root = ET.fromstring(xml)
    except (ET.ParseError, ValueError, LookupError) as e:  # ValueError/LookupError: an encoding expat lacks
        raise LoadError("CORRUPT", f"Word 文件已损坏：{name} 不是有效的 XML",
                        f"the Word file is corrupt: {name} is not valid XML ({e})") from None
    if root.tag.startswith(W_STRICT):
        _to_transitional(root)
    return root


def _to_transitional(root: Element) -> None:
    """Strict Open XML (Word's "Strict" save option) names the same elements in another namespace."""
    n = len(W_STRICT)
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith(W_STRICT):
            el.tag = W + el.tag[n:]
        for k in [k for k in el.attrib if k.startswith(W_STRICT)]:
            el.attrib[W + k[n:]] = el.attrib.pop(k)


def linearise_docx(data: bytes, options: dict[str, Any] | None = None) -> Linear:
    """The linear text of a .docx (checked against the zip-bomb limits)."""
    opts = options or {}
    zf, main = _open_zip(data, opts)
    with zf:  # open while reading: parts imported by w:altChunk are read on demand
        xml = _read_member(zf, main, int(limit(opts, "docx_max_xml")))
        root = _parse_xml(xml, main)
        body = root.find(W + "body")
        if body is None:
            raise LoadError("CORRUPT", "Word 文件已损坏：找不到正文", "the Word file is corrupt: no document body")
        chunk = _chunk_reader(zf, main, opts) if next(body.iter(_ALT_CHUNK), None) is not None else None
        reader = _Reader(chunk)
        reader.blocks(body)
    return reader.lin


def _chunk_reader(zf: zipfile.ZipFile, main: str, opts: dict[str, Any]) -> Callable[[str, int], Linear | None]:
    """Read the web pages that ``w:altChunk`` elements import (how web systems export "Word"
    files): HTML or MHT parts, each read at most once, within the package limits."""
    from gipcheck.load import html

    folder = main.rsplit("/", 1)[0] + "/" if "/" in main else ""
    rels_name = f"{folder}_rels/{main.rsplit('/', 1)[-1]}.rels"
    targets: dict[str, str] = {}
    try:
        rels = SafeET.fromstring(_read_member(zf, rels_name, 1024 * 1024))
        for rel in rels:
            if rel.get("TargetMode") != "External" and rel.get("Id") and rel.get("Target"):
                t = rel.get("Target", "")
                targets[rel.get("Id", "")] = posixpath.normpath(t.lstrip("/") if t.startswith("/") else folder + t)
    except LoadError:
        raise
    except Exception:  # a missing or broken relationships part: the chunks cannot be found
        pass
    names = set(zf.namelist())
    done: set[str] = set()

    def read(rid: str, budget: int) -> Linear | None:
        name = targets.get(rid)
        if name is None or name not in names or rid in done:
            return None
        done.add(rid)
        data = _read_member(zf, name, int(limit(opts, "docx_max_xml")))
        if html.sniff(data[:8192], "") <= 0:
            return None  # an imported RTF or Word part: not read
        if html._is_mht(data[:8192]):
            data = html._mht_page(data)
        return html.linearise(html.decode_html(data)[0], opts, grid_budget=budget)

    return read


# ---------------------------------------------------------------- .doc via LibreOffice

def _ole_has(data: bytes, stream: str) -> bool:
    """Whether an OLE compound file names ``stream`` (directory entries hold UTF-16LE names)."""
    return (stream + "\x00").encode("utf-16-le") in data


def _check_ole(data: bytes) -> None:
    """A password-protected .docx and other Office files are OLE containers too: say what they are."""
    if _ole_has(data, "EncryptedPackage"):
        raise LoadError("UNSUPPORTED", "Word 文档已加密（设有打开密码），无法读取；请去除密码后另存为 .docx",
                        "the Word document is encrypted (password to open); remove the password and save as .docx")
    if _ole_has(data, "WordDocument"):
        return
    for stream, zh, en in (("Workbook", "Excel 表格", "an Excel workbook"), ("Book", "Excel 表格", "an Excel workbook"),
                           ("PowerPoint Document", "PowerPoint 演示文稿", "a PowerPoint presentation")):
        if _ole_has(data, stream):
            raise LoadError("UNSUPPORTED", f"这是 {zh}，不是 Word 文档", f"this is {en}, not a Word document")


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _run_bounded(cmd: list[str], timeout: float) -> None:
    """Run ``cmd`` in its own process group; on timeout kill the whole group (``soffice`` is a
    wrapper whose ``soffice.bin`` child would otherwise outlive the timeout)."""
    posix = os.name == "posix"
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=posix)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        if posix:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass
        proc.kill()
        proc.wait()
        raise


def convert_doc(data: bytes, options: dict[str, Any]) -> bytes:
    """Convert old-format Word bytes to .docx with LibreOffice (headless, own profile, timeout)."""
    exe = _soffice()
    if exe is None and data.startswith(RTF_MAGIC):
        raise LoadError(
            "NEEDS_CONVERTER",
            "这是 RTF 格式的文件（常以 .doc 为扩展名），需要先转换为 .docx：用 Word 或 WPS 打开后“另存为 .docx”，"
            "或安装 LibreOffice 后运行 soffice --headless --convert-to docx 文件名",
            "this is an RTF file (often named .doc); convert it to .docx first: open it in Word or WPS and "
            "'Save as .docx', or install LibreOffice and run soffice --headless --convert-to docx FILE",
        )
    if exe is None:
        raise LoadError(
            "NEEDS_CONVERTER",
            "这是旧版 Word（.doc）文件，需要先转换为 .docx：用 Word 或 WPS 打开后“另存为 .docx”，"
            "或安装 LibreOffice 后运行 soffice --headless --convert-to docx 文件名.doc",
            "this is an old-format Word (.doc) file; convert it to .docx first: open it in Word or WPS and "
            "'Save as .docx', or install LibreOffice and run soffice --headless --convert-to docx FILE.doc",
        )
    timeout = limit(options, "convert_timeout")
    with tempfile.TemporaryDirectory(prefix="gipcheck-doc-") as tmp:
        src = os.path.join(tmp, "input.doc")
        with open(src, "wb") as fh:
            fh.write(data)
        cmd = [exe, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore",
               "--nologo", "--convert-to", "docx", "--outdir", tmp, src]
        try:
            _run_bounded(cmd, timeout)
        except subprocess.TimeoutExpired:
            raise LoadError("TIMEOUT", f".doc 转换超过时间上限（{timeout:g} 秒），已停止",
                            f"converting the .doc exceeded the time limit ({timeout:g} s); stopped") from None
        except OSError as e:
            raise LoadError("NEEDS_CONVERTER", f"无法运行 LibreOffice（{e.strerror}），请先把 .doc 另存为 .docx",
                            f"cannot run LibreOffice ({e.strerror}); save the .doc as .docx first") from None
        out = os.path.join(tmp, "input.docx")
        if not os.path.exists(out):
            raise LoadError("CORRUPT", "LibreOffice 无法转换此 .doc 文件（可能已损坏或加密）",
                            "LibreOffice could not convert this .doc file (corrupt or encrypted?)")
        with open(out, "rb") as fh:
            return fh.read()


# ---------------------------------------------------------------- entry point

def load(data: bytes, path: str, options: dict[str, Any]) -> LoadedReport:
    check_size(data, options)
    media = DOCX_MEDIA
    converted = False
    if data.startswith(OLE_MAGIC):
        _check_ole(data)
        data = convert_doc(data, options)
        media, converted = "application/msword", True
    elif data.startswith(RTF_MAGIC):
        data = convert_doc(data, options)
        media, converted = "application/rtf", True
    elif not data.startswith(b"PK"):
        raise LoadError("UNSUPPORTED", "不是 Word 文档（.docx/.doc）", "not a Word document (.docx/.doc)")
    lin = linearise_docx(data, options)
    if not len(lin):
        raise LoadError("NOT_A_REPORT", "Word 文档中没有文字", "the Word document contains no text")
    from gipcheck.load.text import parse_text

    source: dict[str, Any] = {"path": path, "media_type": media, "encoding": None, "loader": NAME}
    if converted:
        source["converted_with"] = "libreoffice"
    return parse_text(lin.text(), source=source, origin=lin.origin, options=options)
