"""The plain-text loader, and :func:`parse_text`, the format-independent parser that every other
loader (HTML, Word, PDF) feeds with its linearised text (table rows as ``cell | cell |`` lines).
"""

from __future__ import annotations

import codecs
import hashlib
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, MutableMapping
from functools import cache
from itertools import repeat
from typing import Any

from gipcheck.document.canon import (
    REQUEST_COLUMNS,
    REQUEST_GROUPS,
    REVIEW_BLOCK_LABELS,
    REVIEW_BLOCKS,
    REVIEW_COLUMNS,
    active_rows,
    label_of,
    pointer,
    request_rows,
)
from gipcheck.errors import LoadError
from gipcheck.load import digits as _digits
from gipcheck.load import tables
from gipcheck.load.base import LoadedReport, Location, Note
from gipcheck.load.decode import (
    _plausible,
    _utf16_kind,
    decode_bytes,
    decode_utf8_prefix,
    looks_binary,
    plain_utf8_probe,
    utf8_clean,
)
from gipcheck.load.facts import extract_facts, load_patterns
from gipcheck.load.meta import detect_format, extract_meta
from gipcheck.load.sections import Heading, clean_prose, find_headings
from gipcheck.load.tables import BLANK, MARK, NUM, Cell, Item, Row, TableRead

NAME = "text"
MEDIA_TYPES = ("text/plain", "text/markdown")
EXTENSIONS = (".txt", ".md", ".markdown", ".text")
PRIORITY = 0

Origin = Callable[[int], dict[str, Any]]


# ------------------------------------------------------------------ loader protocol

def sniff(head: bytes, path: str) -> float:
    """Confidence that ``head`` is a plain-text (or Markdown) report."""
    if not head:
        return 0.0
    probe = head[:4096]
    cut = _utf8_cut(probe)
    # plain UTF-8 (no BOM, NUL, control byte or binary magic) decoded once: looks_binary is False
    # and _utf16_kind None for it and its prefixes, and utf8_clean(probe) is its EE/EF test
    text = plain_utf8_probe(probe, cut) if cut >= 3 else None
    if text is None and looks_binary(head):
        return 0.0
    # "<" as an int (a bytes operand first raises and clears a TypeError in C); every marker below
    # starts with "<", which lower() leaves as it is
    if 0x3C in probe:
        low = probe[:512].lstrip().lower()
        if low.startswith((b"<!doctype html", b"<html", b"<?xml")) or _names_body(probe):
            return 0.05
    if text is not None:
        if not ((0xEE not in probe and 0xEF not in probe) or _plausible(text)):
            return 0.0
        return 0.8 if "政府信息公开" in text or "年度报告" in text else 0.5
    if cut >= 3 and not probe.startswith(codecs.BOM_UTF8) and _utf16_kind(probe) is None:
        try:  # _trim_partial(probe) is probe[:cut] when that decodes
            text = decode_utf8_prefix(probe[:cut] if cut < len(probe) else probe)
        except UnicodeDecodeError:
            text = None
    if text is not None:
        # what decode_bytes does with these bytes, without decoding twice (looks_binary of the
        # whole probe is looks_binary(head): the same first 4096 bytes)
        # (utf8_clean: no character _plausible counts, so it holds)
        if (cut < len(probe) and looks_binary(probe[:cut])) or not (utf8_clean(probe) or _plausible(text)):
            return 0.0
    else:
        try:
            text, _ = decode_bytes(_trim_partial(probe))
        except LoadError:
            return 0.0
    score = 0.5
    if "政府信息公开" in text or "年度报告" in text:
        score = 0.8
    return score


def _names_body(probe: bytes) -> bool:
    """``b"<body" in probe.lower()``, looked at only from each "<" (lower() makes no other byte
    one): lowering the whole probe costs more than a slice per "<"."""
    i = probe.find(b"<")
    for _ in range(8):  # (past a few "<", one lowering pass costs less)
        if i < 0:
            return False
        if probe[i:i + 5].lower() == b"<body":
            return True
        i = probe.find(b"<", i + 1)
    return i >= 0 and b"<body" in probe.lower()


def _utf8_cut(b: bytes) -> int:
    """Where a UTF-8 character cut off at the end of ``b`` begins (``len(b)`` when none is), or
    -1 when the tail is not a plain UTF-8 sequence."""
    n = len(b)
    i = n - 1
    while i >= 0 and n - i <= 3 and 0x80 <= b[i] < 0xC0:
        i -= 1
    if i < 0:
        return n
    lead = b[i]
    need = 1 if lead < 0x80 else 2 if 0xC2 <= lead < 0xE0 else 3 if 0xE0 <= lead < 0xF0 else 4 if 0xF0 <= lead < 0xF5 else 0
    if need == 0 or n - i > need:
        return -1
    return i if n - i < need else n


def _trim_partial(b: bytes) -> bytes:
    """Drop a multi-byte character cut off at the end of a sniffing window."""
    try:
        b.decode("utf-8")
        return b
    except UnicodeDecodeError as e:
        if e.start < len(b) - 4:
            return b  # not UTF-8 at all: let the decoder decide
        ok = e.start  # UTF-8 resynchronises: b[:ok] is whole characters, so only the tail is retried
    for cut in range(1, 4):
        end = len(b) - cut
        try:
            b[ok:end].decode("utf-8")
            return b[:end]
        except UnicodeDecodeError as e:
            if ok + e.start < end - 4:
                return b
    return b


def load(data: bytes, path: str, options: dict[str, Any] | None = None) -> LoadedReport:
    text, encoding = decode_bytes(data)
    source = {
        "path": path,
        "media_type": "text/markdown" if path.lower().endswith((".md", ".markdown")) else "text/plain",
        "encoding": encoding,
        "sha256": hashlib.sha256(data).hexdigest(),
        "loader": NAME,
    }
    return parse_text(text, source=source, options=options)


# ------------------------------------------------------------------ locations

_FEW_PROBES = 12  # then the line table pays: each count scans the text up to the position


class _Locator:
    """Position → Location (1-based line and column), with the format loader's origin merged."""

    def __init__(self, text: str, origin: Origin | None) -> None:
        self.text = text
        self.origin = origin
        self._starts: list[int] | None = None
        self._probes = 0  # positions located without the line table

    def _line_starts(self) -> list[int]:
        if self._starts is None:
            starts = [0]
            starts.extend(m.end() for m in re.finditer("\n", self.text))
            self._starts = starts
        return self._starts

    def loc(self, start: int, end: int, raw: str | None = None, recovered: bool = False) -> Location:
        text = self.text
        if self._starts is None and self._probes < _FEW_PROBES and 0 <= start <= len(text):
            # a report cites a handful of cells: counting the "\n" before each is cheaper than the
            # table of every line start; same numbers (line = newlines before + 1, col from the last)
            self._probes += 1
            line = text.count("\n", 0, start) + 1
            col = start - text.rfind("\n", 0, start)
        else:
            starts = self._line_starts()
            i = bisect_right(starts, start) - 1
            line = i + 1
            col = start - starts[i] + 1
        txt = raw if raw is not None else text[start:end].strip()
        if len(txt) > 300:
            txt = txt[:300] + "…"
        location = Location(line, col, txt, recovered=recovered)
        if self.origin is not None:
            try:  # format loaders may also resolve the cell under the column
                extra = self.origin(line, col) or {}  # type: ignore[call-arg]
            except TypeError:
                extra = self.origin(line) or {}
            for k, v in extra.items():
                if k == "page":
                    location.page = v
                elif k == "where":
                    location.where = v
                elif k in ("line", "col"):
                    setattr(location, k, v)
                else:
                    location.extra = {**(location.extra or {}), k: v}
        return location


_Pending = tuple[int, int, "str | None", bool] | tuple["tables.RowCells | tables.LineRow", int]


class Locations(MutableMapping[str, Location]):
    """JSON pointer → :class:`Location`, built on first access: a report has a few hundred filled
    cells and most callers look at a handful. Behaves as a mapping; pickles as a plain dict."""

    __slots__ = ("_d", "_loc")

    def __init__(self, locator: _Locator) -> None:
        self._d: dict[str, Location | _Pending | tables.LineRow] = {}
        self._loc = locator

    def defer(self, ptr: str, start: int, end: int, raw: str | None, recovered: bool = False) -> None:
        self._d[ptr] = (start, end, raw, recovered)

    def defer_row(self, ptrs: tuple[str, ...], rc: tables.RowCells, n: int) -> None:
        """The first ``n`` value cells of ``rc`` at ``ptrs``; positions worked out on access."""
        self._d.update(zip(ptrs, zip(repeat(rc), range(n)), strict=False))

    def __getitem__(self, key: str) -> Location:
        v = self._d[key]
        if isinstance(v, tables.LineRow):  # a cell of a fused row: its column's value cell
            i = _PTR_INDEX[key]
            s, e = v.spans()[i]
            v = self._d[key] = self._loc.loc(s, e, v.raw(i))
        elif type(v) is tuple:
            if len(v) == 2:
                rc, i = v
                s, e = rc.spans()[i]
                v = self._d[key] = self._loc.loc(s, e, rc.raw(i))
            else:
                v = self._d[key] = self._loc.loc(*v)
        return v  # type: ignore[return-value]

    def __setitem__(self, key: str, value: Location) -> None:
        self._d[key] = value

    def __delitem__(self, key: str) -> None:
        del self._d[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._d)

    def __len__(self) -> int:
        return len(self._d)

    def __contains__(self, key: object) -> bool:
        return key in self._d

    def copy(self) -> dict[str, Location]:
        return dict(self.items())

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (self.copy(),))

    def __repr__(self) -> str:
        return f"Locations({self.copy()!r})"


# ------------------------------------------------------------------ layout checks

_LONE_CR = re.compile(r"\r(?!\n)")
_SHANGHAI_SECTIONS = ("工作机制", "政府信息管理", "平台建设", "主动公开工作情况", "政府信息公开申请情况")
# a caption line "表三:" (after "#" or spaces); in-line whitespace only, so that a run of blank
# lines is not rescanned from every newline in it
_TABLE_CAPTION = re.compile(r"^(?:[^\S\n]|#)*+表[二三四]\s*:", re.M)


def _shanghai_layout(norm: str, organ: str | None, others: list[Heading]) -> bool:
    shanghai = "上海市政府信息公开规定" in norm or (organ or "").startswith("上海")
    if not shanghai:
        return False
    extra = any(any(w in h.title for w in _SHANGHAI_SECTIONS) for h in others)
    return extra or _TABLE_CAPTION.search(norm) is not None


_NO_READ = TableRead()  # the read of a table the fused path read (parse_text only looks at it)


def _line_start(norm: str, pos: int) -> int:
    nl = norm.rfind("\n", 0, pos)
    return nl + 1


# ------------------------------------------------------------------ the parser

def parse_text(text: str, *, source: dict[str, Any], origin: Origin | None = None,
               options: dict[str, Any] | None = None) -> LoadedReport:
    """Parse report text into the canonical document.

    ``source`` becomes ``meta.source``; ``origin(line)`` (optional) returns extra location
    information (``page``, ``where``) that a format loader knows for a line of its linearised
    text. Raises ``LoadError`` (``NOT_A_REPORT``, ``NEEDS_PLUGIN``).
    """
    opts = options or {}
    if "\r" in text:
        # a lone CR ends a line (old Mac files, some exports); same length, so positions hold
        text = _LONE_CR.sub("\n", text)
    norm = tables.normalize(text)
    heads, others = find_headings(norm)
    by_num = {h.number: h for h in heads}
    n = len(norm)

    def next_head(pos: int) -> int:
        for h in heads:
            if h.start > pos:
                return h.start
        return n

    # ---- table regions
    t3: tuple[int, int] | None = None
    if 3 in by_num:
        t3 = (by_num[3].content, next_head(by_num[3].content))
    else:
        anchors = [p for p in (norm.find("勾稽"), norm.find("本年新收")) if p >= 0]
        if anchors:
            a = _line_start(norm, min(anchors))
            t3 = (a, next_head(a))
    t2: tuple[int, int] | None = None
    if 2 in by_num:
        t2 = (by_num[2].content, next_head(by_num[2].content))
    else:
        limit = t3[0] if t3 else n
        anchors = [p for p in (norm.find("第二十条", 0, limit), norm.find("信息内容", 0, limit)) if p >= 0]
        if anchors:
            a = _line_start(norm, min(anchors))
            t2 = (a, min(next_head(a), limit))
    t4: tuple[int, int] | None = None
    if 4 in by_num:
        t4 = (by_num[4].content, next_head(by_num[4].content))

    # the fused path reads plain regions line by line (None: the general cell stream is needed)
    lines2 = tables.fused_lines(norm, *t2) if FUSED and t2 else None
    lines3 = tables.fused_lines(norm, *t3) if FUSED and t3 else None
    lines4 = tables.fused_lines(norm, *t4) if FUSED and t4 else None
    cells2, count2 = tables.scan(norm, *t2) if t2 and lines2 is None else ([], 0)
    cells3, count3 = tables.scan(norm, *t3) if t3 and lines3 is None else ([], 0)
    cells4, count4 = tables.scan(norm, *t4) if t4 and lines4 is None else ([], 0)

    # (find_headings gives the headings in text order: the first starts first)
    body_start = min(heads[0].start if heads else n, t2[0] if t2 else n, t3[0] if t3 else n)
    meta, meta_where = extract_meta(norm, text, body_start, None)

    if _shanghai_layout(norm, meta.get("organ"), others):
        raise LoadError(
            "NEEDS_PLUGIN",
            "这是上海市的年报版式（另设工作机制保障、政府信息管理、平台建设等部分，表格另行编号），"
            "核心读取器不作猜测；请安装 gipcheck-shanghai 插件",
            "this is the Shanghai report layout (extra numbered sections, renumbered tables); the core "
            "loader does not guess — install the gipcheck-shanghai plugin",
        )

    lab2 = _line_labels(lines2[0]) if lines2 is not None else tables.labels_of(cells2)
    lab3 = _line_labels(lines3[0]) if lines3 is not None else tables.labels_of(cells3)
    fmt = detect_format(lab2, lab3, " ".join(meta.get("cited") or []), meta.get("year"))
    meta["format"] = fmt

    # first and last cell of each table region (the prose of its section lies outside them)
    edges: dict[int, tuple[int, int]] = {}

    # the fused reading of each plain region, or None and the general path's cell stream (a region
    # read by lines that is not plain after all is scanned as cells)
    f2 = f3 = f4 = None
    if lines2 is not None and t2 is not None:
        f2 = _fused_active(lines2[0], fmt)
        edges[2] = (lines2[0][0].first(), lines2[0][-1].last())
        cells2, count2 = tables.scan(norm, *t2) if f2 is None else (cells2, lines2[1])
    if lines3 is not None and t3 is not None:
        f3 = _fused_requests(lines3[0], fmt)
        edges[3] = (lines3[0][0].first(), lines3[0][-1].last())
        cells3, count3 = tables.scan(norm, *t3) if f3 is None else (cells3, lines3[1])
    if lines4 is not None and t4 is not None:
        f4 = _fused_review(lines4[0])
        edges[4] = (lines4[0][0].first(), lines4[0][-1].last())
        cells4, count4 = tables.scan(norm, *t4) if f4 is None else (cells4, lines4[1])
    for num, cells in ((2, cells2), (3, cells3), (4, cells4)):
        if cells:
            edges[num] = (cells[0].start, cells[-1].end)

    # a fused table's read is only looked at, never changed or kept: the shared empty one serves
    read2 = tables.assemble_active(cells2, fmt) if cells2 else TableRead() if f2 is None else _NO_READ
    read3 = tables.assemble_requests(cells3, fmt) if cells3 else TableRead() if f3 is None else _NO_READ
    read4 = tables.assemble_review(cells4) if cells4 else TableRead() if f4 is None else _NO_READ
    if t4 and cells4 and not read4.rows:
        tables.blank_review_row(norm, *t4, read4)
    rows3 = f3.rows if f3 is not None else read3.rows

    has_tables = bool(read2.rows or read3.rows or read4.rows or (f2 and f2.rows) or rows3 or (f4 and f4.rows))
    if "信息公开" not in norm or (not has_tables and len(heads) < 3):
        raise LoadError(
            "NOT_A_REPORT",
            "这不是政府信息公开工作年度报告（未找到规定的部分标题和表格）",
            "not a government information disclosure annual report (no required sections or tables found)",
        )

    # ---- prose spans (section text without table cells) and sections
    spans: list[tuple[int, int, int | None]] = []
    first = heads[0].start if heads else min(t2[0] if t2 else n, t3[0] if t3 else n)
    if first > 0:
        spans.append((0, first, None))
    sections: list[dict[str, Any]] = []
    for h in heads:
        edge = edges.get(h.number)
        pieces: list[tuple[int, int]]
        if edge is not None and h.content <= edge[0] < h.end:
            pieces = [(h.content, edge[0]), (edge[1], h.end)]
        else:
            pieces = [(h.content, h.end)]
        for a, b in pieces:
            if b > a:
                spans.append((a, b, h.number))
        if len(pieces) == 1:  # (the join of one piece is that piece, "" when it is empty)
            body = clean_prose(text[h.content:h.end])
        else:
            body = "\n".join(t for t in (clean_prose(text[a:b]) for a, b in pieces) if t)
        sections.append({"number": h.number, "title": text[h.start:h.content].strip()[2:].strip().rstrip("。"),
                         "text": body})

    facts, fact_where = extract_facts(norm, text, spans, load_patterns(tuple(opts.get("fact_files") or ())))

    # ---- assemble the document
    loc = _Locator(text, origin)
    locations = Locations(loc)
    notes: list[Note] = []
    doc: dict[str, Any] = {"meta": meta, "sections": sections}

    if f2 is not None:
        active: dict[str, Any] | None = _fused_build_active(f2, fmt, locations, notes)
    else:
        active = _build_active(read2, fmt, facts, loc, locations, notes) if t2 or read2.rows else None
    if active is not None:
        doc["active"] = active
    if f3 is not None:
        requests: dict[str, Any] | None = _fused_build_requests(f3, fmt, loc, locations, notes)
    else:
        requests = _build_requests(read3, fmt, loc, locations, notes) if t3 else None
    for name, en, columns, unreadable in (("表三", "table 3", REQUEST_COLUMNS, read3.unreadable),
                                          ("表四", "table 4", REVIEW_COLUMNS, read4.unreadable),
                                          ("表二", "table 2", None, read2.unreadable)):
        for path, index, raw, _start in unreadable:
            cols = columns if columns is not None else _active_columns(fmt).get(path, ())
            col = cols[index] if index < len(cols) else str(index)
            ptr = pointer(path, col)
            notes.append(Note("UNREADABLE_CELL", f"{name}单元格“{raw}”不是数字，按空格处理（{label_of(ptr)}）",
                              f"{en} cell '{raw}' is not a number; read as blank ({label_of(ptr, 'en')})",
                              pointer=ptr))
    for name, read in (("表三", read3), ("表二", read2)):
        for dup in read.duplicates:
            note = _duplicate_note(read.rows.get(dup.path), dup, loc, name)
            if note is not None:
                notes.append(note)
    if requests is not None:
        doc["requests"] = requests
    if f4 is not None:
        review: dict[str, Any] | None = _fused_build_review(f4, locations, notes)
    else:
        review = _build_review(read4, facts, loc, locations, notes) if t4 else None
    if review is not None:
        doc["review"] = review
    for name, read in (("表二", read2), ("表三", read3), ("表四", read4)):
        for extra in read.extra:
            note = _extra_note(name, extra, fmt, loc)
            if note is not None:
                notes.append(note)
    if read4.overflow and not read4.extra:
        notes.append(Note("EXTRA_CELLS", f"表四某栏目的数字多于其单元格（如一行数字重复），多出的 {read4.overflow} 个未读取，请核对",
                          f"table 4: a block has more numbers than cells (e.g. a value line repeated); "
                          f"{read4.overflow} extra not read — please check", pointer="/review"))
    doc["facts"] = facts
    doc["labels"] = {
        "active": lab2,
        "requests": f3.labels if f3 is not None else read3.labels,
        "review": f4.labels if f4 is not None else read4.labels,
        "notes": f3.notes if f3 is not None else read3.notes,
    }
    meta["source"] = {"path": source.get("path"), "media_type": source.get("media_type"),
                      "encoding": source.get("encoding"), "sha256": source.get("sha256"),
                      "loader": source.get("loader")}

    # ---- notes on what is missing
    if t3 is None:
        notes.append(Note("TABLE_MISSING", "未找到表三（收到和处理政府信息公开申请情况）",
                          "table 3 (requests) not found", pointer="/requests"))
    elif t3[1] >= n and (
        "requests.results.total" not in rows3 or "requests.carry_forward" not in rows3
    ):
        notes.append(Note("TRUNCATED", "文本在表三中途结束（缺少总计、结转等行），年报不完整",
                          "the text ends inside table 3 (total / carry-forward rows missing); the report is incomplete",
                          pointer="/requests", line=loc.loc(n - 1 if n else 0, n).line, level="error"))
    if t2 is None:
        notes.append(Note("TABLE_MISSING", "未找到表二（主动公开政府信息情况）", "table 2 not found", pointer="/active"))
    if t4 is None:
        notes.append(Note("TABLE_MISSING", "未找到表四（行政复议、行政诉讼情况）", "table 4 not found", pointer="/review"))

    for name, count in (("表二", count2), ("表三", count3), ("表四", count4)):
        if count >= tables.MAX_CELLS:
            notes.append(Note("LIMIT", f"{name}区域的单元格超过 {tables.MAX_CELLS} 个，其余部分未读取",
                              f"{name}: more than {tables.MAX_CELLS} cells; the rest was not read", level="error"))

    # ---- locations of meta, sections and facts
    # (what locations.defer(ptr, a, b, None) stores, without a method call for each)
    pending = locations._d
    for ptr, (a, b) in meta_where.items():
        pending[ptr] = (a, b, None, False)
    for i, h in enumerate(heads):
        pending[f"/sections/{i}"] = (h.start, h.content, None, False)
    for ptr, (a, b) in fact_where.items():
        pending[ptr] = (a, b, None, False)

    # callers use it as a dict of pointer → Location (a real mapping, built lazily)
    return LoadedReport(doc, locations, notes, text)  # type: ignore[arg-type]


# ------------------------------------------------------------------ table → document

def _line_labels(lines: list[tables.LineRow]) -> list[str]:
    """labels_of the cell stream of plain lines."""
    out: list[str] = []
    for lr in lines:
        out += lr.labels
    return out


def _duplicate_note(kept: tables.Row | None, dup: tables.Row, loc: _Locator, table: str = "表三") -> Note | None:
    """A table-三 (or 二) row written twice with different numbers: the first is used, and the clerk is
    told so (a repeat with the same numbers, e.g. across a page break, says nothing). When the
    first was entirely blank and the repeat has numbers, the repeat is used (``kept`` lies after
    ``dup``) and the note says which line that is."""
    if kept is None or kept.run is not None or dup.run is not None:
        return None
    used = [c[0] for c in kept.cells()]
    other = [i.value for i in dup.items]
    later = kept.start > dup.start  # the blank first occurrence was passed over
    if not later and all(v is None for v in other):
        return None
    n = max(len(used), len(other))
    used += [None] * (n - len(used))
    other += [None] * (n - len(other))
    if used == other:
        return None
    first, again = (other, used) if later else (used, other)
    shown = [("空" if v is None else str(v)) for v in first], [("空" if v is None else str(v)) for v in again]
    ptr = pointer(dup.path)
    used_line = loc.loc(kept.start, kept.start).line
    if later:
        zh_used, en_used = f"第一次全部为空，按第二次（第 {used_line} 行）读取", f"the first is blank; the second (line {used_line}) is used"
        line = used_line
    else:
        zh_used, en_used = "按第一次读取", "the first is used"
        line = loc.loc(dup.start, dup.start + len(dup.label)).line
    en_table = "table 2" if table == "表二" else "table 3"
    return Note("DUPLICATE_ROW",
                f"{table}“{dup.label}”一行出现两次且数字不同（第一次：{' '.join(shown[0])}；"
                f"第二次：{' '.join(shown[1])}），{zh_used}，请核对",
                f"{en_table} row '{dup.label}' appears twice with different numbers (first: "
                f"{' '.join(shown[0]).replace('空', '-')}; again: {' '.join(shown[1]).replace('空', '-')}); "
                f"{en_used} — please check",
                pointer=ptr, line=line)


_EN_TABLE = {"表二": "table 2", "表三": "table 3", "表四": "table 4"}
_TABLE_PTR = {"表二": "/active", "表三": "/requests", "表四": "/review"}
_EXTRA_SHOWN = 12  # surplus numbers quoted in the note; more are counted


@cache
def _row_names(fmt: str) -> dict[str, tuple[str, str, int]]:
    """Row path → (official zh label as the ROW_MISSING notes write it, en label, cells), for the
    rows of tables 二, 三 and the blocks of 四 of a format."""
    out: dict[str, tuple[str, str, int]] = {}
    for spec in request_rows(fmt):
        group = f"{REQUEST_GROUPS[spec.group]} " if spec.group else ""
        out[spec.path] = (f"{group}{spec.label}", spec.en or spec.path, len(REQUEST_COLUMNS))
    for arow in active_rows(fmt):  # (canon has no English names for table 二's rows)
        out[arow.path] = (arow.label, f"{arow.label} ({arow.path})", len(arow.cells))
    for b in REVIEW_BLOCKS:
        out[f"review.{b}"] = (REVIEW_BLOCK_LABELS[b]["zh"], REVIEW_BLOCK_LABELS[b]["en"], len(REVIEW_COLUMNS))
    return out


def _extra_note(table: str, extra: tables.Extra, fmt: str, loc: _Locator) -> Note | None:
    """EXTRA_CELLS: numbers of a table that no cell took (after a row whose cells are all taken,
    or where no row is open), quoted with where they stand; nothing read is changed. None when
    every one is a quantity in a sentence (a footnote under the table), not a cell."""
    text = loc.text
    # a number written against a unit or mark ("截至2021年底", "共14件", "注1") is a quantity, date
    # or mark in a sentence of the table region (a footnote), not a cell (tables.cell_like)
    spans = [(s, e) for s, e in extra.spans if tables.cell_like(text, s, e)]
    if not spans:
        return None
    raws = [text[s:e].strip() for s, e in spans]
    count = len(raws)
    shown = " ".join(raws[:_EXTRA_SHOWN]) + (" …" if count > _EXTRA_SHOWN else "")
    first = loc.loc(*spans[0])
    where_zh = f"第 {first.line} 行第 {first.col} 列" + (f"（第 {first.page} 页）" if first.page else "")
    where_en = f"line {first.line}, column {first.col}" + (f" (page {first.page})" if first.page else "")
    tail_zh = f"{where_zh}还有 {count} 个数字“{shown}”没有对应的单元格，未读取，请核对"
    tail_en = f"{count} more number(s) '{shown}' at {where_en} have no cell and were not read — please check"
    lone_zh = f"{where_zh}的 {count} 个数字“{shown}”没有对应的单元格，未读取，请核对"
    lone_en = f"the {count} number(s) '{shown}' at {where_en} have no cell and were not read — please check"
    en_table = _EN_TABLE[table]
    ptr = _TABLE_PTR[table]
    path = extra.path
    name = _row_names(fmt).get(path) if path is not None else None
    if name is not None:
        zh_label, en_label, width = name
        if table != "表四":  # (table 四's notes point at the table, as its other EXTRA_CELLS note does)
            ptr = pointer(path)  # type: ignore[arg-type]
        kind_zh, kind_en = ("栏", "block") if table == "表四" else ("行", "row")
        zh = f"{table}“{zh_label}”{kind_zh}（{width} 个单元格）之后，{tail_zh}"
        en = f"{en_table} {kind_en} '{en_label}' ({width} cells) is full; {tail_en}"
    elif path is not None:  # table 四 read as one digit string
        zh = f"{table}已按一串数字读取全部单元格，其后{tail_zh}"
        en = f"{en_table} was read from one digit string; {tail_en}"
    elif table == "表三" and extra.after in REQUEST_GROUPS:
        group = REQUEST_GROUPS[extra.after]
        ptr = pointer(f"requests.results.{extra.after}")
        if extra.after == "other":  # a single (六) row is the 2019 format's; 2021 splits it in three
            why_zh, why_en = "，2021 年格式将其分为 1–3 三行（单独一行是 2019 年格式的写法）", \
                " (the 2021 format splits it into rows 1-3; a single row is the 2019 format's)"
        else:
            why_zh = why_en = ""
        zh = f"表三“{group}”是分组标题，本身没有单元格{why_zh}；其后{lone_zh}"
        en = f"table 3: '{group}' is a group heading without cells of its own{why_en}; after it, {lone_en}"
    elif extra.after:
        zh = f"{table}“{extra.after}”之后、任何一行之外，{lone_zh}"
        en = f"{en_table}: after '{extra.after}', outside any row, {lone_en}"
    else:
        zh = f"{table}第一行之前（表头处），{lone_zh}"
        en = f"{en_table}: before its first row (in the header), {lone_en}"
    return Note("EXTRA_CELLS", zh, en, pointer=ptr, line=first.line)


class _TooLong:
    """Stands in for a Recovery when a run is too long to be table cells."""

    def __init__(self, runs: dict[str, str], widths: dict[str, int]) -> None:
        self.values = {p: [None] * widths[p] for p in runs}
        self.ambiguous = {p: f"数字串过长（{len(t)} 个字符），不可能是本行的单元格" for p, t in runs.items()}
        self.ambiguous_en = {p: f"digit string too long ({len(t)} characters) to be this row's cells" for p, t in runs.items()}
        self.recovered: set[str] = set()


def _split_runs(runs: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    ok = {p: t for p, t in runs.items() if len(t) <= tables.MAX_RUN}
    return ok, {p: t for p, t in runs.items() if p not in ok}


def _merge(rec: Any, long: _TooLong) -> Any:
    rec.values.update(long.values)
    rec.ambiguous.update(long.ambiguous)
    if hasattr(rec, "ambiguous_en"):
        rec.ambiguous_en.update(long.ambiguous_en)
    return rec


def _recovered(row: Row, rec: Any, path: str, width: int, notes: list[Note],
               loc: _Locator) -> tuple[list[Any] | None, bool]:
    """The cells of a row that was a glued digit run, as the splitter recovered them (``None`` for a
    row read cell by cell), whether they count as recovered; an ambiguous split gets its note."""
    if row.run is None:
        return None, False
    if path in rec.ambiguous:
        _recovery_note(notes, rec, path, loc, row.run.start)
    return rec.values.get(path, [None] * width), path in rec.recovered


def _recovery_note(notes: list[Note], rec: Any, path: str, loc: _Locator, start: int) -> None:
    zh = rec.ambiguous.get(path, "")
    en = getattr(rec, "ambiguous_en", {}).get(path, zh)
    notes.append(Note("AMBIGUOUS_DIGITS", f"数字串无法唯一拆分，单元格留空：{zh}",
                      f"digit string could not be split unambiguously; cells left null: {en}",
                      pointer=pointer(path), line=loc.loc(start, start).line))


def _fill_row(obj: dict[str, Any], path: str, columns: tuple[str, ...], row: Row,
              values: list[Any] | None, recovered: bool, loc: _Locator,
              locations: Locations) -> None:
    """Write one row's cells into ``obj`` and their locations."""
    ptrs = _pointers(path, columns)
    put = locations.defer
    if values is not None and row.run is not None:
        run = row.run
        for ptr, col, v in zip(ptrs, columns, values, strict=False):
            obj[col] = v
            put(ptr, run.start, run.end, run.text, recovered and v is not None)
        return
    src = row._src
    if src is not None:  # a whole RowCells row: values straight from it, locations on access
        rc, n = src
        n = min(n, len(columns))
        obj.update(zip(columns, rc.values[:n], strict=False))
        locations.defer_row(ptrs, rc, n)
        return
    for ptr, col, (v, s, e, raw, rec) in zip(ptrs, columns, row.cells(), strict=False):
        obj[col] = v
        put(ptr, s, e, raw, rec)


@cache
def _pointers(path: str, columns: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(pointer(path, c) for c in columns)


# a table-三 cell pointer → its column (the value cell of a fused row): every table-三 row has
# the same columns, so the pointer tells the column whatever the format
_PTR_INDEX: dict[str, int] = {}


@cache
def _path_parts(path: str) -> tuple[tuple[str, ...], str]:
    parts = path.split(".")[1:]
    return tuple(parts[:-1]), parts[-1]


def _set_path(root: dict[str, Any], path: str, value: dict[str, Any]) -> None:
    parents, last = _path_parts(path)
    cur = root
    for p in parents:
        cur = cur.setdefault(p, {})
    cur[last] = value


def _build_requests(read: TableRead, fmt: str, loc: _Locator, locations: Locations,
                    notes: list[Note]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    runs = {p: r.run.text for p, r in read.rows.items() if r.run is not None}
    rec = None
    if runs:
        known = {p: [it.value for it in r.items] for p, r in read.rows.items()
                 if r.run is None and r.count == len(REQUEST_COLUMNS)
                 and all(it.kind == NUM and isinstance(it.value, int) for it in r.items)}
        runs, long = _split_runs(runs)
        rec = _merge(_digits.recover_table3(runs, fmt, known=known), _TooLong(long, {p: 7 for p in long}))
    rows = read.rows
    width = len(REQUEST_COLUMNS)
    for spec, ptrs, parents, last in _request_plan(fmt):
        row = rows.get(spec.path)
        if row is None:
            group = f"{REQUEST_GROUPS[spec.group]} " if spec.group else ""
            notes.append(Note("ROW_MISSING", f"表三未找到“{group}{spec.label}”行", f"table 3 row not found: {spec.path}",
                              pointer=pointer(spec.path)))
            continue
        src = row._src
        if src is not None and row.run is None:  # a whole RowCells row (what _fill_row does with it)
            rc, count = src
            n = min(count, width)
            obj: dict[str, Any] = dict(zip(REQUEST_COLUMNS, rc.values[:n], strict=False))
            locations.defer_row(ptrs, rc, n)
        else:
            obj = {}
            values, recovered = _recovered(row, rec, spec.path, width, notes, loc)
            _fill_row(obj, spec.path, REQUEST_COLUMNS, row, values, recovered, loc, locations)
            count = row.count
        if row.run is None and count < width:
            notes.append(Note("ROW_INCOMPLETE", f"表三“{spec.label}”行只有 {count} 个单元格",
                              f"table 3 row {spec.path} has only {count} cells", pointer=pointer(spec.path),
                              line=loc.loc(row.start, row.start).line))
        cur = out
        for k in parents:
            cur = cur.setdefault(k, {})
        cur[last] = obj
    return out


@cache
def _request_plan(fmt: str) -> tuple[tuple[Any, tuple[str, ...], tuple[str, ...], str], ...]:
    """Per table-三 row of a format: its spec, cell pointers and where it goes in the document."""
    plan = tuple((spec, _pointers(spec.path, REQUEST_COLUMNS), *_path_parts(spec.path)) for spec in request_rows(fmt))
    for p in plan:
        _PTR_INDEX.update(zip(p[1], range(len(REQUEST_COLUMNS)), strict=True))
    return plan


def _active_hints(facts: dict[str, Any], fmt: str) -> dict[str, dict[str, int]]:
    if fmt == "2019":
        return {}
    hints: dict[str, dict[str, int]] = {}
    for fact, path, field in (("normative_documents_in_force", "active.normative_documents", "in_force"),
                              ("normative_documents_issued", "active.normative_documents", "issued"),
                              ("regulations_issued", "active.regulations", "issued")):
        if fact in facts:
            hints.setdefault(path, {})[field] = facts[fact]["value"]
    return hints


def _build_active(read: TableRead, fmt: str, facts: dict[str, Any], loc: _Locator,
                  locations: Locations, notes: list[Note]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    runs = {p: r.run.text for p, r in read.rows.items() if r.run is not None}
    rec = None
    if runs:
        runs, long = _split_runs(runs)
        rec = _merge(_digits.recover_active(runs, {p: read.rows[p].width for p in runs}, _active_hints(facts, fmt), fmt=fmt),
                     _TooLong(long, {p: read.rows[p].width for p in long}))
    for spec in active_rows(fmt):
        row = read.rows.get(spec.path)
        if row is None:
            notes.append(Note("ROW_MISSING", f"表二未找到“{spec.label}”行（{spec.item}）", f"table 2 row not found: {spec.path}",
                              pointer=pointer(spec.path)))
            continue
        columns = tuple(f for f, _ in spec.cells)
        obj: dict[str, Any] = {}
        values, recovered = _recovered(row, rec, spec.path, len(columns), notes, loc)
        _fill_row(obj, spec.path, columns, row, values, recovered, loc, locations)
        if spec.money and spec.path == "active.procurement" and fmt == "2019":
            obj["amount_unit"] = row.unit
        if row.run is None and row.count < len(columns):
            notes.append(Note("ROW_INCOMPLETE", f"表二“{spec.label}”行只有 {row.count} 个单元格",
                              f"table 2 row {spec.path} has only {row.count} cells", pointer=pointer(spec.path)))
        _set_path(out, spec.path, obj)
    return out


def _build_review(read: TableRead, facts: dict[str, Any], loc: _Locator, locations: Locations,
                  notes: list[Note]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    first = read.rows.get("review.reconsideration")
    run = first.run if first is not None else None
    if run is not None:
        values: dict[str, list[Any]] = {}
        recovered: set[str] = set()
        if len(run.text) > 2 * tables.MAX_RUN:
            values = {f"review.{b}": [None] * len(REVIEW_COLUMNS) for b in REVIEW_BLOCKS}
            long = _TooLong({"review": run.text}, {"review": 15})
            notes.append(Note("AMBIGUOUS_DIGITS", long.ambiguous["review"], long.ambiguous_en["review"],
                              pointer="/review", line=loc.loc(run.start, run.start).line))
        else:
            hints = {}
            if "reconsiderations" in facts:
                hints["review.reconsideration"] = {"total": facts["reconsiderations"]["value"]}
            rec = _digits.recover_table4(run.text)
            if rec.ambiguous and hints:
                hinted = _digits.recover_table4(run.text, hints=hints)
                if not hinted.ambiguous:
                    rec = hinted
            values = rec.values
            recovered = rec.recovered
            for p in rec.ambiguous:
                _recovery_note(notes, rec, p, loc, run.start)
        for b in REVIEW_BLOCKS:
            path = f"review.{b}"
            vals = values.get(path, [None] * len(REVIEW_COLUMNS))
            obj = {}
            for col, v in zip(REVIEW_COLUMNS, vals, strict=False):
                obj[col] = v
                locations.defer(pointer(path, col), run.start, run.end, run.text, path in recovered and v is not None)
            out[b] = obj
        return out
    for b in REVIEW_BLOCKS:
        path = f"review.{b}"
        row = read.rows.get(path)
        if row is None:
            notes.append(Note("ROW_MISSING", f"表四未找到“{REVIEW_BLOCK_LABELS[b]['zh']}”各栏",
                              f"table 4 block not found: {path}", pointer=pointer(path)))
            continue
        obj = {}
        _fill_row(obj, path, REVIEW_COLUMNS, row, None, False, loc, locations)
        if row.count < len(REVIEW_COLUMNS):
            notes.append(Note("ROW_INCOMPLETE", f"表四“{REVIEW_BLOCK_LABELS[b]['zh']}”只有 {row.count} 个单元格",
                              f"table 4 block {path} has only {row.count} cells", pointer=pointer(path)))
        out[b] = obj
    return out


__all__ = ["EXTENSIONS", "MEDIA_TYPES", "NAME", "load", "parse_text", "sniff", "Cell", "Item", "BLANK", "MARK"]


# ------------------------------------------------------------------ fused path
# A table region of plain lines (tables.fused_lines) is read straight into the document part,
# without the cell stream, Row and Item objects: the functions below do what the assemble_* and
# _build_* pairs do for such lines, and answer None wherever those would do anything more (a
# label met while a row is short of cells, label text pending for the next cell, a duplicate row,
# a decimal where table 三 or 四 wants an integer, the blank table 四 template, …), so that
# parse_text falls back to the general path for that table.

FUSED = True  # module switch: the fused path is taken only when True


class _FRow:
    """A row the fused path found: where its label is, the line(s) its values come from, how many."""

    __slots__ = ("spec", "at", "j", "line", "take", "unit", "parts")

    def __init__(self, spec: Any, at: tables.LineRow | None, j: int) -> None:
        self.spec = spec
        self.at = at  # the label is label j of line ``at``
        self.j = j
        self.line: tables.LineRow | None = None  # the values are the first ``take`` of ``line``
        self.take = 0
        self.unit: str | None = None
        self.parts: list[tuple[tables.LineRow, int]] | None = None  # or come from several lines

    def fill(self, lr: tables.LineRow, width: int) -> None:
        """Take the value cells of ``lr`` that the row still has room for."""
        n = min(width - self.take, len(lr.values))
        if not self.take:
            self.line = lr
        else:
            if self.parts is None:
                self.parts = [(self.line, self.take)]  # type: ignore[list-item]
            self.parts.append((lr, n))
        self.take += n

    def cells(self) -> tuple[list[Any], list[tuple[tables.LineRow, int]]]:
        """Values and (line, index) of the cells of a row filled from several lines."""
        vals: list[Any] = []
        where: list[tuple[tables.LineRow, int]] = []
        for lr, n in self.parts or ():
            vals += lr.values[:n]
            where += zip(repeat(lr), range(n))
        return vals, where


class _FRead:
    """What the fused path read of one table: rows by path, labels, note labels, review slots."""

    __slots__ = ("rows", "labels", "notes", "slots")

    def __init__(self) -> None:
        self.rows: dict[str, Any] = {}  # an _FRow (table 三: a _ReqRow list)
        self.labels: list[str] = []
        self.notes: list[str] = []
        self.slots: list[tuple[tables.LineRow, int]] = []


# the matcher's answers for other label wordings met before (headers, local variants), per format:
# (label, group, started) → (kind, path, group after, started after); bounded
_REQUEST_MATCHES: dict[str, dict[tuple[str, str | None, bool], tuple[str, str | None, str | None, bool]]] = {}
_ACTIVE_MATCHES: dict[str, dict[str, Any]] = {}
_MATCH_MEMO_MAX = 4096


# a table-三 row of the fused path, as a list (cheaper to make than an object, 26 per report):
# [line of its label, label index, line of its values, values taken, parts or None], as _FRow has them
_ReqRow = list


def _fused_requests(lines: list[tables.LineRow], fmt: str) -> _FRead | None:
    """assemble_requests over plain lines, or None where it would do more than fill fresh rows."""
    st = tables._T3State(fmt)
    group: str | None = None  # st.group and st.started, kept in locals between matcher calls
    started = False
    by_state = _official_by_state(fmt)
    table = by_state[None, False]  # the official wordings' answers in the state (group, started)
    match = tables._match_request_label
    memo = _REQUEST_MATCHES.setdefault(fmt, {})
    width = len(REQUEST_COLUMNS)
    out = _FRead()
    rows = out.rows
    labels = out.labels
    words = out.notes
    cur: _ReqRow | None = None
    for lr in lines:
        labs = lr.labels
        if labs:
            if not lr.valued and len(labs) >= 3:  # a column header: only its note labels count
                if _numbered(labs[0]):
                    return None  # a numbered row with text among blank cells, not a header
                if cur is not None and cur[3] < width:
                    return None
                words += [t for t in labs if "勾稽" in t or "第一项加第二项" in t or "本列数据" in t]
                continue  # (its blank cells, if any, find no row to fill)
            for j, text in enumerate(labs):
                if cur is not None and cur[3] < width:
                    return None  # a broken label, an unreadable cell or a short row: general path
                # the official wordings are not note labels: look them up first
                hit = table.get(text)
                if hit is not None:
                    kind, path, group, started, table = hit
                elif "勾稽" in text or "第一项加第二项" in text or "本列数据" in text:  # _NOTE_WORDS
                    words.append(text)
                    continue
                else:  # the matcher's answer depends on the label and the state only: kept
                    key = (text, group, started)
                    found = memo.get(key)
                    if found is None:
                        st.group, st.started = group, started
                        kind, path = match(text, st)
                        found = (kind, path, st.group, st.started)
                        if len(memo) < _MATCH_MEMO_MAX and len(text) < 200:
                            memo[key] = found
                    kind, path, group, started = found
                    table = by_state.get((group, started), _NO_WORDS)
                if kind == "row":
                    labels.append(text)
                    if path in rows:
                        return None  # a duplicate row (its note is the general path's)
                    cur = rows[path] = [lr, j, None, 0, None]  # type: ignore[index]
                elif kind == "none":
                    if started:
                        return None  # label text pending for the next cell
                else:
                    labels.append(text)
                    cur = None
        values = lr.values
        if cur is not None and cur[3] < width and values:
            if lr.dec:
                return None
            take = cur[3]
            if take:
                if len(values) > width - take and _any_number(values, width - take):
                    return None  # numbers beyond the row's cells: the general path notes them
                # (_FRow.fill, for a row filled before)
                if cur[4] is None:
                    cur[4] = [(cur[2], take)]
                n = min(width - take, len(values))
                cur[4].append((lr, n))
                cur[3] = take + n
            else:
                cur[2] = lr
                nv = len(values)
                if nv > width:
                    # (_any_number(values, width), cell by cell for the one or two blank padding
                    # cells most lines end in)
                    if values[width] is not None or (nv > width + 1 and (
                            values[width + 1] is not None or (nv > width + 2 and _any_number(values, width + 2)))):
                        return None  # numbers beyond the row's cells: the general path notes them
                    cur[3] = width
                else:
                    cur[3] = nv
        elif lr.valued:
            return None  # numbers where no row has room: the general path notes them
    return out


_NO_WORDS: dict[str, Any] = {}  # the official answers in a state the official wordings never lead to


@cache
def _official_by_state(fmt: str) -> dict[tuple[str | None, bool], dict[str, tuple[Any, ...]]]:
    """The matcher's answers for the official wordings (tables._ReqSpecs.official), by state:
    (group, started) → label → (kind, path, group after, started after, the table of that state)."""
    official = tables._request_specs(fmt).official()
    by: dict[tuple[str | None, bool], dict[str, tuple[Any, ...]]] = {}
    for _text, group, started in official:
        by.setdefault((group, started), {})
    for (text, group, started), (kind, path, g2, s2) in official.items():
        by[group, started][text] = (kind, path, g2, s2, by.setdefault((g2, s2), {}))
    return by


_NUMBERED: dict[str, bool] = {}  # tables.numbered_row of the first label of a header line (bounded)


def _numbered(text: str) -> bool:
    hit = _NUMBERED.get(text)
    if hit is None:
        hit = tables.numbered_row(text)
        if len(_NUMBERED) < _MATCH_MEMO_MAX and len(text) < 200:
            _NUMBERED[text] = hit
    return hit


def _any_number(values: list[Any], i: int) -> bool:
    """Whether ``values[i:]`` holds a number (not only blank cells)."""
    rest = values[i:]
    return rest.count(None) != len(rest)  # (in C: most rows end in blank padding cells)


def _fused_build_requests(read: _FRead, fmt: str, loc: _Locator, locations: Locations,
                          notes: list[Note]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    rows = read.rows
    width = len(REQUEST_COLUMNS)
    d = locations._d
    prev: tuple[str, ...] | None = None  # the parents of the row before, and their dict
    cur: dict[str, Any] = out
    for path, spec, ptrs, parents, last in _fused_request_plan(fmt):
        row = rows.get(path)
        if row is None:
            group = f"{REQUEST_GROUPS[spec.group]} " if spec.group else ""
            notes.append(Note("ROW_MISSING", f"表三未找到“{group}{spec.label}”行", f"table 3 row not found: {path}",
                              pointer=pointer(path)))
            continue
        at, j, lr, count, parts = row
        if count == width and parts is None:  # the common row: one line, all seven cells
            v = lr.values
            # (a dict display: the cheapest way to build the row's seven cells)
            obj: dict[str, Any] = {_C0: v[0], _C1: v[1], _C2: v[2], _C3: v[3], _C4: v[4], _C5: v[5], _C6: v[6]}
            # (one chained store per cell: less than a loop over them, or fromkeys and update)
            p0, p1, p2, p3, p4, p5, p6 = ptrs
            d[p0] = d[p1] = d[p2] = d[p3] = d[p4] = d[p5] = d[p6] = lr
        else:
            if parts is not None:
                vals: list[Any] = []
                where: list[tuple[tables.LineRow, int]] = []
                for plr, n in parts:  # (_FRow.cells)
                    vals += plr.values[:n]
                    where += zip(repeat(plr), range(n))
                obj = dict(zip(REQUEST_COLUMNS, vals, strict=False))
                d.update(zip(ptrs, where, strict=False))
            elif lr is not None:
                obj = dict(zip(REQUEST_COLUMNS, lr.values[:count], strict=False))
                d.update(dict.fromkeys(ptrs[:count], lr))
            else:
                obj = {}
            if count < width:
                s0 = at.start_of(j)
                notes.append(Note("ROW_INCOMPLETE", f"表三“{spec.label}”行只有 {count} 个单元格",
                                  f"table 3 row {path} has only {count} cells", pointer=pointer(path),
                                  line=loc.loc(s0, s0).line))
        if parents is not prev:  # (the plan shares one parents tuple between the rows of a group)
            prev = parents
            cur = out
            for k in parents:
                cur = cur.setdefault(k, {})
        cur[last] = obj
    return out


_C0, _C1, _C2, _C3, _C4, _C5, _C6 = REQUEST_COLUMNS


@cache
def _fused_request_plan(fmt: str) -> tuple[tuple[str, Any, tuple[str, ...], tuple[str, ...], str], ...]:
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}  # equal parents tuples made one object
    return tuple((spec.path, spec, ptrs, shared.setdefault(parents, parents), last)
                 for spec, ptrs, parents, last in _request_plan(fmt))


def _fused_active(lines: list[tables.LineRow], fmt: str) -> _FRead | None:
    """assemble_active over plain lines, or None for a line of labels with blank cells among them."""
    out = _FRead()
    rows = out.rows
    labels = out.labels
    official = tables._active_official(fmt)  # match_active_label, inlined
    match = tables._match_active_label
    memo = _ACTIVE_MATCHES.setdefault(fmt, {})
    miss = tables._MISS
    gap_line = tables.GapLine
    unit_re = tables._UNIT_RE.match
    cur: _FRow | None = None
    for lr in lines:
        labs = lr.labels
        if labs:
            if type(lr) is gap_line:
                return None  # its blank cells could fill a row between its labels: the general path
            labels += labs
            if not lr.valued and len(labs) >= 3:  # a column header: only a money row's unit counts
                if _numbered(labs[0]):
                    return None  # a numbered row with text among blank cells, not a header
                if cur is not None and cur.take and cur.spec.money:
                    for text in labs:
                        um = unit_re(text)
                        if um:
                            cur.unit = um.group(1)
            else:
                for j, text in enumerate(labs):
                    if cur is not None and cur.take and cur.spec.money:
                        um = unit_re(text)
                        if um:
                            cur.unit = um.group(1)
                    spec = official.get(text, miss)
                    if spec is miss:
                        spec = memo.get(text, miss)
                        if spec is miss:
                            spec = match(text, fmt)
                            if len(memo) < _MATCH_MEMO_MAX and len(text) < 200:
                                memo[text] = spec
                    if spec is None:
                        if (cur is not None and cur.take < len(cur.spec.cells) and not unit_re(text)
                                and tables._value_position(text, lr.valued or not cur.take, cur.take)):
                            return None  # text where a value belongs: the general path keeps its column, as null
                        if cur is not None and cur.take:
                            cur = None
                        continue
                    if spec.path in rows:
                        if cur is not None and cur is rows[spec.path] and not cur.take:
                            continue  # the label again before any value: the same row
                        return None  # a repeated row: the general path compares the two and notes it
                    cur = rows[spec.path] = _FRow(spec, lr, j)
        # the line's values to the open row; a number left over, beyond the row's cells or with no
        # row open, is the general path's to note
        values = lr.values
        if cur is not None and values:
            width = len(cur.spec.cells)
            n = width - cur.take
            if len(values) > n and _any_number(values, n):
                return None
            if n:
                cur.fill(lr, width)
        elif lr.valued:
            return None
    return out


@cache
def _active_columns(fmt: str) -> dict[str, tuple[str, ...]]:
    """Table-二 row path → its columns, for a format."""
    return {spec.path: tuple(f for f, _ in spec.cells) for spec in active_rows(fmt)}


@cache
def _active_plan(fmt: str) -> tuple[tuple[str, Any, tuple[str, ...], tuple[str, ...], tuple[str, ...], str], ...]:
    """Per table-二 row of a format: its path, spec, columns, cell pointers, where it goes."""
    out = []
    for spec in active_rows(fmt):
        columns = tuple(f for f, _ in spec.cells)
        out.append((spec.path, spec, columns, _pointers(spec.path, columns), *_path_parts(spec.path)))
    return tuple(out)


def _fused_build_active(read: _FRead, fmt: str, locations: Locations, notes: list[Note]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    rows = read.rows
    d = locations._d
    for path, spec, columns, ptrs, parents, last in _active_plan(fmt):
        row = rows.get(path)
        if row is None:
            notes.append(Note("ROW_MISSING", f"表二未找到“{spec.label}”行（{spec.item}）", f"table 2 row not found: {path}",
                              pointer=pointer(path)))
            continue
        lr = row.line
        count = row.take
        obj: dict[str, Any]
        if lr is None:
            obj = {}
        elif row.parts is None and not lr.dec:  # the common row: plain numbers on one line
            # (count <= len(columns) == len(ptrs), count <= len(lr.values): what the zips made, by index)
            obj = {}
            vals = lr.values
            for i in range(count):
                obj[columns[i]] = vals[i]
                d[ptrs[i]] = (lr, i)
        else:
            if row.parts is not None:
                vals, where = row.cells()
            else:
                vals = lr.values[:count]
                where = list(zip(repeat(lr), range(count)))
            if any(type(v) is str for v in vals):  # a decimal: what _take_values makes of it
                vals = [tables.parse_number(v, money=bool(spec.money)) if type(v) is str else v for v in vals]
            obj = dict(zip(columns, vals, strict=False))
            d.update(zip(ptrs, where, strict=False))
        if spec.money and path == "active.procurement" and fmt == "2019":
            obj["amount_unit"] = row.unit
        if count < len(columns):
            notes.append(Note("ROW_INCOMPLETE", f"表二“{spec.label}”行只有 {count} 个单元格",
                              f"table 2 row {path} has only {count} cells", pointer=pointer(path)))
        cur = out
        for k in parents:
            cur = cur.setdefault(k, {})
        cur[last] = obj
    return out


# label texts that are never where a value belongs (_value_position is False for them even on a
# line of values after a value, its most permissive case): the column headers every report writes
_HEADER_TEXTS: set[str] = set()


def _value_text(text: str, valued: bool, cnt: int) -> bool:
    """tables._value_position, remembering the texts it can never answer True for."""
    if tables._value_position(text, valued, cnt):
        return True
    if len(_HEADER_TEXTS) < _MATCH_MEMO_MAX and len(text) < 200 and not tables._value_position(text, True, 1):
        _HEADER_TEXTS.add(text)
    return False


def _fused_review(lines: list[tables.LineRow]) -> _FRead | None:
    """assemble_review over plain lines, or None when it finds no value (the blank template)."""
    out = _FRead()
    labels = out.labels
    slots = out.slots
    total = len(REVIEW_COLUMNS) * len(REVIEW_BLOCKS)
    words = tables._REVIEW_HEADER_WORDS
    seen = False
    block_title = tables._review_block_title
    width = len(REVIEW_COLUMNS)
    header = _HEADER_TEXTS
    for lr in lines:
        labs = lr.labels
        if labs:
            n = len(slots)
            for text in labs:
                if not seen:
                    seen = any(k in text for k in words)
                elif n < total and (
                        (text not in header and _value_text(text, lr.valued, n))
                        or (n and n != width * block_title(text) > 0)):
                    # text where a value belongs, or a block's title after a short block: the
                    # general path keeps the column (null) or moves the fill on to that block
                    return None
            labels += labs
        # the blank cells of a line without values are padding, not values
        if not seen or not lr.valued or len(slots) >= total:
            if slots and len(slots) < total and not lr.labels and lr.values == [None]:
                return None  # a lone blank cell between values is a value: the general path's reading
            if lr.valued:
                return None  # numbers before the header or after the fifteen cells: the general path notes them
            continue
        if lr.dec:
            return None
        room = total - len(slots)
        if len(lr.values) > room:
            if _any_number(lr.values, room):
                return None  # numbers beyond the fifteen cells: the general path notes them
            slots.extend(zip(repeat(lr), range(room)))
        else:
            slots.extend(zip(repeat(lr), range(len(lr.values))))
    if not slots or len(slots) == total - 1:
        return None  # the blank template, or one value short (the general path looks for the first)
    # the blocks that got a cell (rows are only looked up by path: one shared placeholder)
    out.rows = dict.fromkeys(_REVIEW_PATHS[:-(-len(slots) // width)], _REVIEW_ROW)
    return out


_REVIEW_PATHS = tuple(f"review.{b}" for b in REVIEW_BLOCKS)
_REVIEW_ROW = _FRow(None, None, -1)
# per table-四 block: its name, path, cell pointers and where its cells start among the slots
_REVIEW_PLAN = tuple((b, f"review.{b}", _pointers(f"review.{b}", REVIEW_COLUMNS), k * len(REVIEW_COLUMNS))
                     for k, b in enumerate(REVIEW_BLOCKS))


def _fused_build_review(read: _FRead, locations: Locations, notes: list[Note]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    width = len(REVIEW_COLUMNS)
    slots = read.slots
    d = locations._d
    for b, path, ptrs, k in _REVIEW_PLAN:
        items = slots[k:k + width]
        if not items:
            notes.append(Note("ROW_MISSING", f"表四未找到“{REVIEW_BLOCK_LABELS[b]['zh']}”各栏",
                              f"table 4 block not found: {path}", pointer=pointer(path)))
            continue
        obj = {}
        for col, ptr, slot in zip(REVIEW_COLUMNS, ptrs, items, strict=False):
            lr, i = slot
            obj[col] = lr.values[i]
            d[ptr] = slot  # (the slot is the (line, index) location entry itself)
        if len(items) < width:
            notes.append(Note("ROW_INCOMPLETE", f"表四“{REVIEW_BLOCK_LABELS[b]['zh']}”只有 {len(items)} 个单元格",
                              f"table 4 block {path} has only {len(items)} cells", pointer=pointer(path)))
        out[b] = obj
    return out
