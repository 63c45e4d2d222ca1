"""PDF with a text layer: ruled tables (merged cells, tables continuing across pages joined,
repeated header rows dropped), page numbers and running headers/footers dropped, wrapped prose
lines joined back into paragraphs. Every line keeps its page and position.

Text and table geometry come from pdfplumber (pdfminer.six). A PDF without a text layer is a scan:
``LoadError SCANNED_PDF`` (OCR is out of scope). Limits: page count and time.
"""

from __future__ import annotations

import io
import logging
import re
import statistics
from dataclasses import dataclass, field
from typing import Any

from gipcheck.errors import LoadError
from gipcheck.load.base import LoadedReport
from gipcheck.load.layout import (
    Cell,
    Linear,
    Slot,
    is_value_text,
    join_cell_lines,
    label_columns,
    row_cells,
    squeeze_cjk,
)
from gipcheck.load.limits import Deadline, check_size, limit

# pdfminer logs warnings about damaged fonts and streams; with no logging configured Python
# would print them to stderr beside our one-line message. Applications that configure logging
# still receive them.
for _name in ("pdfminer", "pdfplumber"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

NAME = "pdf"
MEDIA_TYPES = ("application/pdf",)
EXTENSIONS = (".pdf",)
PRIORITY = 10

_FOOTER = re.compile(
    r"^\s*(?:[-—–－_~·•]{1,3}\s*\d{1,4}\s*[-—–－_~·•]{1,3}|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|\d{1,4}|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)\s*$", re.I)
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[（(][一二三四五六七八九十]{1,3}[)）]|\d{1,2}\s*[、.．](?!\d))")
_ENUM_START = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十]{1,3}[)）、]|\d{1,2}\s*[、.．）)])")
_NUMBER = re.compile(r"^[-−]?\d[\d,]*(?:\.\d+)?$")
_ASCII_END = re.compile(r"[A-Za-z0-9]$")
_ASCII_START = re.compile(r"^[A-Za-z0-9]")


# ---------------------------------------------------------------- sniffing

def sniff(head: bytes, path: str) -> float:
    i = head.find(b"%PDF-", 0, 1024 + 4)  # a marker starting at 1024 or later does not count
    return 0.99 if 0 <= i < 1024 else 0.0


# ---------------------------------------------------------------- page items

@dataclass
class _Text:
    text: str
    page: int
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass
class _Table:
    page: int
    bbox: tuple[float, float, float, float]
    grid: list[list[Slot]]
    col_x: list[float]
    rows_top: list[float]
    pages: list[int] = field(default_factory=list)
    index: int = 0


def _cell_text(raw: str | None) -> str:
    if not raw:
        return ""
    return squeeze_cjk(join_cell_lines(raw.split("\n")))


def _table_grid(page: Any, table: Any, pno: int) -> _Table | None:
    rows = table.rows
    if not rows:
        return None
    ncols = max(len(r.cells) for r in rows)
    texts = table.extract()
    rows_top: list[float] = []
    for r in rows:
        tops = [c[1] for c in r.cells if c is not None]
        rows_top.append(min(tops) if tops else (rows_top[-1] if rows_top else table.bbox[1]))
    rows_top.append(table.bbox[3])
    col_x: list[float] = []
    for c in range(ncols):
        xs = [r.cells[c][0] for r in rows if c < len(r.cells) and r.cells[c] is not None]
        col_x.append(min(xs) if xs else (col_x[-1] if col_x else table.bbox[0]))
    col_x.append(table.bbox[2])
    by_bbox: dict[tuple[float, ...], Cell] = {}
    grid: list[list[Slot]] = []
    for r, row in enumerate(rows):
        out: list[Slot] = []
        for c in range(ncols):
            bbox = row.cells[c] if c < len(row.cells) else None
            if bbox is not None:
                txt = texts[r][c] if r < len(texts) and c < len(texts[r]) else ""
                cell = Cell(_cell_text(txt), origin={
                    "page": pno, "x": round(bbox[0], 1), "y": round(bbox[1], 1),
                    "where": f"第{pno}页 表格 第{r + 1}行 第{c + 1}格"})
                by_bbox[tuple(bbox)] = cell
                out.append(Slot(cell))
                continue
            cx = (col_x[c] + col_x[c + 1]) / 2
            cy = (rows_top[r] + rows_top[r + 1]) / 2
            owner = None
            for cb in table.cells:
                if cb[0] - 0.5 <= cx <= cb[2] + 0.5 and cb[1] - 0.5 <= cy <= cb[3] + 0.5:
                    owner = cb
                    break
            if owner is not None and tuple(owner) in by_bbox and owner[1] < rows_top[r] - 0.5:
                out.append(Slot(by_bbox[tuple(owner)], from_above=True, across=owner[0] < col_x[c] - 0.5))
            elif owner is not None and tuple(owner) in by_bbox:
                out.append(Slot(by_bbox[tuple(owner)], across=True))
            else:
                # a cell whose top rule is missing (a table that starts at a page top): read its area
                box = (col_x[c], rows_top[r], col_x[c + 1], rows_top[r + 1])
                try:
                    txt = page.within_bbox(box).extract_text() or ""
                except ValueError:
                    txt = ""
                cell = Cell(_cell_text(txt), origin={"page": pno, "x": round(box[0], 1), "y": round(box[1], 1),
                                                     "where": f"第{pno}页 表格 第{r + 1}行 第{c + 1}格"})
                out.append(Slot(cell))
        grid.append(out)
    return _Table(pno, tuple(table.bbox), grid, col_x, rows_top, [pno])


def _check_content(page: Any, pno: int, cap: int) -> None:
    """Refuse a page whose drawing instructions (content streams and form XObjects, decoded) exceed
    ``cap`` bytes, before pdfminer interprets them: a compressed stream can expand a thousandfold
    (memory) and each instruction costs interpretation time, with no deadline check inside a page.
    Flate streams are inflated only up to the cap."""
    from pdfminer.pdftypes import PDFStream, resolve1

    obj = page.page_obj

    def forms(resources: Any) -> list[Any]:
        xobjects = resolve1((resolve1(resources) or {}).get("XObject")) if isinstance(resolve1(resources), dict) else None
        return list(xobjects.values()) if isinstance(xobjects, dict) else []

    streams: list[Any] = list(getattr(obj, "contents", None) or []) + forms(getattr(obj, "resources", None))
    total = 0
    seen: set[int] = set()
    while streams and len(seen) < 10_000:
        st = resolve1(streams.pop())
        if not isinstance(st, PDFStream) or id(st) in seen:
            continue
        seen.add(id(st))
        if st.get("Subtype") is not None and getattr(resolve1(st.get("Subtype")), "name", "") != "Form":
            continue  # images are not interpreted instruction by instruction (a scan is a big image)
        streams.extend(forms(st.get("Resources")))  # forms drawn by forms
        total += _decoded_size(st, cap - total + 1)
        if total > cap:
            raise LoadError("LIMIT", f"PDF 第 {pno} 页的绘图内容过大（解压后超过 {cap // 1048576} MB），疑为异常文件，未读取",
                            f"page {pno} of the PDF has too much drawing content (over {cap // 1048576} MB decoded); "
                            "possibly a hostile file, not read")


def _decoded_size(st: Any, room: int) -> int:
    """The decoded size of a stream, at most about ``room``: decrypted first when the file is
    encrypted (opened with the empty user password), then through its filters — Flate and LZW
    decoded incrementally, RunLength counted without decoding, the ASCII filters (which shrink)
    decoded; image codecs and unknown filters are counted by their encoded size."""
    import zlib
    from io import BytesIO

    from pdfminer.ascii85 import ascii85decode, asciihexdecode
    from pdfminer.lzw import LZWDecoder
    from pdfminer.pdftypes import (
        LITERALS_ASCII85_DECODE,
        LITERALS_ASCIIHEX_DECODE,
        LITERALS_FLATE_DECODE,
        LITERALS_LZW_DECODE,
        LITERALS_RUNLENGTH_DECODE,
    )
    from pdfminer.runlength import rldecode

    if st.data is not None:
        return len(st.data)
    data = st.rawdata or b""
    room = max(room, 1)
    try:
        filters = st.get_filters()
        if st.decipher:  # the bytes pdfminer will inflate are the decrypted ones
            data = st.decipher(st.objid, st.genno, data, st.attrs)
    except Exception:
        return len(data)
    for f, _params in filters:
        try:
            if f in LITERALS_FLATE_DECODE:
                data = zlib.decompressobj().decompress(data, room)
            elif f in LITERALS_LZW_DECODE:
                chunks, n = [], 0
                for chunk in LZWDecoder(BytesIO(data)).run():
                    chunks.append(chunk)
                    n += len(chunk)
                    if n > room:
                        break
                data = b"".join(chunks)
            elif f in LITERALS_RUNLENGTH_DECODE:
                n = _runlength_size(data, room)
                if n > room:
                    return n
                data = rldecode(data)
            elif f in LITERALS_ASCII85_DECODE:
                data = ascii85decode(data)
            elif f in LITERALS_ASCIIHEX_DECODE:
                data = asciihexdecode(data)
            else:
                return len(data)
        except Exception:  # a damaged stream: what pdfminer will make of it is no bigger
            return len(data)
        if len(data) > room:
            break
    return len(data)


def _runlength_size(data: bytes, room: int) -> int:
    """The decoded size of RunLength data (PDF 32000-1 §7.4.5), counted up to just past ``room``."""
    i, n, end = 0, 0, len(data)
    while i < end and n <= room:
        length = data[i]
        if length == 128:
            break
        if length < 128:
            n += length + 1
            i += length + 2
        else:
            n += 257 - length
            i += 2
    return n


def _page_items(page: Any, pno: int) -> tuple[list[_Text | _Table], int]:
    """Prose lines and tables of one page, top to bottom; and the page's character count."""
    nchars = len(page.chars)
    if not nchars:
        return [], 0
    tables: list[_Table] = []
    for t in page.find_tables():
        ncols = max((len(r.cells) for r in t.rows), default=0)
        if ncols < 2 or len(t.rows) < 2:
            continue  # a frame round the text, not a data table
        tg = _table_grid(page, t, pno)
        if tg is not None and _trim_frame_rows(tg):
            tables.append(tg)
    items: list[_Text | _Table] = list(tables)
    for ln in page.extract_text_lines(strip=True, return_chars=False):
        cy = (ln["top"] + ln["bottom"]) / 2
        cx = (ln["x0"] + ln["x1"]) / 2
        if any(t.bbox[1] <= cy <= t.bbox[3] and t.bbox[0] <= cx <= t.bbox[2] for t in tables):
            continue
        text = ln["text"].strip()
        if text:
            items.append(_Text(text, pno, ln["x0"], ln["x1"], ln["top"], ln["bottom"]))
    items.sort(key=lambda it: it.bbox[1] if isinstance(it, _Table) else it.top)
    return items, nchars


def _single(row: list[Slot]) -> str | None:
    """The text of a row that is one cell across the whole table, else None."""
    origins = [s for s in row if s.cell is not None and not s.across and not s.from_above]
    if len(origins) == 1 and row and row[0] is origins[0] and all(s.cell is origins[0].cell for s in row):
        return origins[0].cell.text
    return None


def _trim_frame_rows(t: _Table) -> bool:
    """A ruled frame round prose that runs into a real table: the prose rows above the table
    (one full-width cell each) are left to the prose reader; blank rows at the foot are dropped.
    False when nothing of a data table remains."""
    first = next((i for i, row in enumerate(t.grid) if _single(row) is None), None)
    if first is None:
        return False
    keep = first
    while keep > 0:
        text = _single(t.grid[keep - 1]) or ""
        if len(text) > 20 or _HEADING.match(text):
            break
        keep -= 1
    if keep > 0:
        del t.grid[:keep]
        t.rows_top = t.rows_top[keep:]
        t.bbox = (t.bbox[0], t.rows_top[0], t.bbox[2], t.bbox[3])
    while t.grid and all(s.cell is None or not s.cell.text.strip() for s in t.grid[-1]):
        t.grid.pop()
    return bool(t.grid)


# ---------------------------------------------------------------- running heads and feet

def _strip_furniture(pages: list[list[_Text | _Table]], heights: list[float]) -> None:
    """Drop page numbers at the foot (or head) of a page and lines repeated at the top of pages."""
    tops: dict[str, int] = {}
    for items in pages:
        first = next((it for it in items if isinstance(it, _Text)), None)
        if first is not None and items and items[0] is first:
            key = re.sub(r"\d+", "#", first.text)
            tops[key] = tops.get(key, 0) + 1
    for p, items in enumerate(pages):
        h = heights[p]
        keep: list[_Text | _Table] = []
        for k, it in enumerate(items):
            if isinstance(it, _Text):
                at_foot = it.top > h * 0.85 or k == len(items) - 1 and it.top > h * 0.7
                at_head = it.bottom < h * 0.1
                if (at_foot or at_head) and _FOOTER.match(it.text):
                    continue
                if at_head and k == 0 and len(pages) > 2 and tops.get(re.sub(r"\d+", "#", it.text), 0) > len(pages) // 2:
                    continue
            keep.append(it)
        items[:] = keep


# ---------------------------------------------------------------- tables across pages

def _row_key(row: list[Slot]) -> str:
    return "|".join(s.cell.text if s.cell is not None and not s.across and not s.from_above else "" for s in row)


def _join_tables(prev: _Table, nxt: _Table) -> None:
    """``nxt`` continues ``prev`` on the next page: drop repeated header rows, reattach the
    pieces of cells cut by the page break, and append the rows to ``prev``."""
    rows = nxt.grid
    k = 0
    while k < min(3, len(rows), len(prev.grid) - 1) and _row_key(rows[k]) == _row_key(prev.grid[k]) and _row_key(rows[k]).strip("|"):
        k += 1
    rows = rows[k:]
    aligned = len(prev.col_x) == len(nxt.col_x) and all(
        abs(a - b) < 6 for a, b in zip(prev.col_x, nxt.col_x, strict=False))
    if rows and prev.grid and aligned:
        first, last = rows[0], prev.grid[-1]
        has_label = [i for i, s in enumerate(first) if s.cell is not None and not s.across and not s.from_above
                     and s.cell.text and not is_value_text(s.cell.text)]
        moved: dict[int, Cell] = {}
        for c, slot in enumerate(first):
            if c >= len(last) or slot.cell is None or slot.across or slot.from_above:
                continue
            above = last[c].cell
            if above is None or last[c].across:
                continue
            if above.text and is_value_text(above.text):
                continue
            text = slot.cell.text
            if not text:
                moved[id(slot.cell)] = above
            elif (not is_value_text(text) and not _ENUM_START.match(text)
                  and any(i > c for i in has_label) and above.text):
                above.text += text  # the second half of a label cut by the page break
                moved[id(slot.cell)] = above
        if moved:  # the cut cell's remaining rows now continue the cell from the previous page
            for row in rows:
                for c, slot in enumerate(row):
                    if slot.cell is not None and id(slot.cell) in moved:
                        row[c] = Slot(moved[id(slot.cell)], across=slot.across, from_above=True)
    prev.grid.extend(rows)
    prev.pages.append(nxt.page)


# ---------------------------------------------------------------- prose paragraphs

def _emit_prose(lin: Linear, lines: list[_Text], left: float, right: float, em: float) -> None:
    """Join printed lines back into paragraphs: a line continues the paragraph when the one
    before ran to the right margin and this one is not indented and is no heading."""
    para: list[_Text] = []

    def flush() -> None:
        if not para:
            return
        text = ""
        parts: list[tuple[int, int, dict[str, Any]]] = []
        for ln in para:
            piece = squeeze_cjk(ln.text, keep_number_gaps=_tabular(ln.text))
            if text and _ASCII_END.search(text) and _ASCII_START.match(piece):
                text += " "
            start = len(text) + 1
            text += piece
            parts.append((start, len(text), {"page": ln.page, "x": round(ln.x0, 1), "y": round(ln.top, 1),
                                              "where": f"第{ln.page}页"}))
        first = para[0]
        lin.para(text, {"page": first.page, "x": round(first.x0, 1), "y": round(first.top, 1),
                        "where": f"第{first.page}页"}, parts)
        para.clear()

    prev: _Text | None = None
    for ln in lines:
        cont = (prev is not None and prev.x1 >= right - 1.6 * em and ln.x0 <= left + 0.9 * em
                and not _HEADING.match(ln.text) and not _tabular(ln.text) and not _tabular(prev.text))
        if not cont:
            flush()
        para.append(ln)
        prev = ln
    flush()


def _tabular(text: str) -> bool:
    """A printed row of an unruled table (label and several numbers): never part of a paragraph."""
    tokens = text.split()
    numbers = sum(1 for t in tokens if _NUMBER.match(t))
    if len(tokens) >= 3 and numbers >= 2:
        return True
    # "行政许可 447228": a label and one number, without the punctuation of a sentence
    return len(tokens) == 2 and _NUMBER.match(tokens[1]) is not None and not re.search(r"[，。；：,;]", text)


def _emit_table(lin: Linear, t: _Table) -> None:
    pages = "、".join(str(p) for p in dict.fromkeys(t.pages))
    label_cols = label_columns(t.grid)
    for r, row in enumerate(t.grid):
        cells = row_cells(row, label_cols)
        if not cells:
            continue
        page = next((c[1].get("page") for c in cells if c[1].get("page")), t.page)
        lin.row(cells, {"page": page, "where": f"第{page}页 表格{t.index} 第{r + 1}行",
                        "where_en": f"page {page} table {t.index} row {r + 1}", "table_pages": pages})


# ---------------------------------------------------------------- entry points

def _open(data: bytes) -> Any:
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFPasswordIncorrect
    except ImportError:  # pragma: no cover - pdfplumber is a declared dependency of the pdf extra
        raise LoadError("NEEDS_PLUGIN", "读取 PDF 需要安装 pdfplumber（pip install gipcheck[pdf]）",
                        "reading PDF needs pdfplumber (pip install gipcheck[pdf])") from None
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        _ = pdf.pages
        return pdf
    except Exception as e:
        if _encrypted(e, PDFPasswordIncorrect):
            raise LoadError("UNSUPPORTED", "PDF 已加密，需要密码才能读取", "the PDF is encrypted (password required)") from None
        raise LoadError("CORRUPT", "PDF 文件已损坏，无法读取", f"the PDF is corrupt and cannot be read ({type(e).__name__})") from None


def _encrypted(e: BaseException, password_error: type[BaseException]) -> bool:
    """pdfplumber wraps pdfminer's errors (``PdfminerException(original)``): look through the wrapper."""
    seen: BaseException | None = e
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, password_error):
            return True
        inner = next((a for a in seen.args if isinstance(a, BaseException)), None)
        seen = inner or seen.__cause__ or seen.__context__
    return False


def linearise_pdf(data: bytes, options: dict[str, Any] | None = None) -> Linear:
    opts = options or {}
    deadline = Deadline(opts, "读取 PDF", "reading the PDF")
    pdf = _open(data)
    with pdf:
        try:
            n = len(pdf.pages)
        except Exception as e:
            raise LoadError("CORRUPT", "PDF 文件已损坏，无法读取页面", f"the PDF is corrupt: no pages ({type(e).__name__})") from None
        if n == 0:
            raise LoadError("CORRUPT", "PDF 文件没有页面（已损坏？）", "the PDF has no pages (corrupt?)")
        cap = int(limit(opts, "pdf_max_pages"))
        if n > cap:
            raise LoadError("LIMIT", f"PDF 页数过多（{n} 页，上限 {cap} 页），未读取",
                            f"the PDF has too many pages ({n}, limit {cap}); not read")
        content_cap = int(limit(opts, "pdf_max_page_content"))
        pages: list[list[_Text | _Table]] = []
        heights: list[float] = []
        unmapped = 0  # characters whose font has no Unicode mapping: pdfminer gives "(cid:N)"
        chars = 0
        for i, page in enumerate(pdf.pages):
            deadline.check()
            try:
                _check_content(page, i + 1, content_cap)
                items, nc = _page_items(page, i + 1)
            except LoadError:
                raise
            except Exception as e:
                raise LoadError("CORRUPT", f"PDF 第 {i + 1} 页已损坏，无法读取",
                                f"page {i + 1} of the PDF is corrupt ({type(e).__name__})") from None
            chars += nc
            unmapped += sum(1 for c in page.chars if c.get("text", "").startswith("(cid:"))
            pages.append(items)
            heights.append(float(page.height))
    if chars < 20:
        raise LoadError("SCANNED_PDF", "PDF 没有文字层（可能是扫描件），无法读取；请提供带文字的 PDF、Word 或网页版本（本工具不做 OCR）",
                        "the PDF has no text layer (a scan?); provide a PDF with text, a Word file or the web page (no OCR)")
    if unmapped * 2 >= chars:
        raise LoadError("ENCODING", "PDF 的文字层无法解码（字体缺少字符编码映射），无法读取；请提供 Word 或网页版本，或重新导出 PDF",
                        "the PDF's text layer cannot be decoded (its fonts lack a Unicode mapping); "
                        "provide a Word file or the web page, or export the PDF again")
    _strip_furniture(pages, heights)
    # join tables that run on from the foot of one page to the head of the next
    flat: list[_Text | _Table] = []
    for items in pages:
        if (items and isinstance(items[0], _Table) and flat and isinstance(flat[-1], _Table)
                and flat[-1].pages[-1] == items[0].page - 1):
            _join_tables(flat[-1], items[0])
            flat.extend(items[1:])
        else:
            flat.extend(items)
    texts = [it for it in flat if isinstance(it, _Text)]
    lefts = [round(t.x0) for t in texts]
    left = statistics.mode(lefts) if lefts else 0.0
    right = max((t.x1 for t in texts), default=0.0)
    em = statistics.median([t.bottom - t.top for t in texts]) if texts else 10.0
    lin = Linear()
    run: list[_Text] = []
    ntab = 0
    for it in flat:
        if isinstance(it, _Text):
            run.append(it)
            continue
        _emit_prose(lin, run, left, right, em)
        run = []
        ntab += 1
        it.index = ntab
        _emit_table(lin, it)
    _emit_prose(lin, run, left, right, em)
    return lin


def load(data: bytes, path: str, options: dict[str, Any]) -> LoadedReport:
    check_size(data, options)
    if sniff(data[:1024], path) <= 0:
        raise LoadError("UNSUPPORTED", "不是 PDF 文件", "not a PDF file")
    lin = linearise_pdf(data, options)
    from gipcheck.load.text import parse_text

    source = {"path": path, "media_type": "application/pdf", "encoding": None, "loader": NAME}
    return parse_text(lin.text(), source=source, origin=lin.origin, options=options)
