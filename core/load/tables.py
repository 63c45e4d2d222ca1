"""Read the three fixed tables out of linearised text, by their labels.

The text of a table region is tokenised into a stream of cells (:func:`tokenize`): pipes and
newlines separate cells, Markdown separators and page furniture are dropped, and in free text
(PDF text, web pages that lost their borders) labels and digit groups are told apart. The
assemblers walk that stream: a cell matching a canonical row label starts the row, the value
cells after it (numbers, blanks, markers) fill its columns in order, group headings carry no
values. The functions take a cell stream and return rows with their raw items, so a province
plugin can reuse them on its own layout. :func:`fused_lines` reads a plain region (the common
case) without the stream, for the fused path of :func:`gipcheck.load.text.parse_text`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from itertools import repeat
from typing import Any

from gipcheck.document.canon import (
    ACTIVE_ROWS_2019,
    ACTIVE_ROWS_2021,
    REQUEST_COLUMNS,
    REQUEST_GROUPS,
    REVIEW_BLOCKS,
    REVIEW_COLUMNS,
    ActiveRow,
    RowSpec,
    request_rows,
)

# ------------------------------------------------------------------ normalisation
# Length-preserving (one character to one character), so positions in the normalised text are
# positions in the source text.
_NORM_TABLE = str.maketrans({
    "（": "(", "）": ")", "：": ":", "，": ",", "．": ".", "／": "/", "－": "-", "｜": "|",
    "％": "%", "\u3000": " ", "\xa0": " ", "\t": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ",
    "\u200b": " ", "\ufeff": " ", "\r": " ", "［": "[", "］": "]",
    **{chr(0xFF10 + i): str(i) for i in range(10)},
})


_NORM_PAIRS = tuple((chr(k), v) for k, v in _NORM_TABLE.items())


def normalize(text: str) -> str:
    """Half-width punctuation and digits, tabs and odd spaces as plain spaces; same length."""
    # str.replace per character present is much faster than str.translate on CJK text
    for ch, rep in _NORM_PAIRS:
        if ch in text:
            text = text.replace(ch, rep)
    return text


MARKERS = frozenset({"/", "-", "--", "—", "——", "–", "无", "\\", "∕", "×", "—/—"})

# ------------------------------------------------------------------ cells

LABEL, NUM, BLANK, MARK = "L", "N", "B", "M"


class Cell:
    """One cell of the stream. ``kind`` is L (label text), N (a number, or in free text a group
    of numbers separated only by spaces: ``tokens``), B (blank pipe cell) or M (a null marker).
    ``start``/``end`` are positions in the (normalised) text; ``header`` marks label cells of a
    line that holds only labels (a column header row); ``valued`` marks cells on a line that
    holds at least one number or marker."""

    __slots__ = ("kind", "text", "start", "end", "tokens", "pipe", "header", "valued")

    def __init__(self, kind: str, text: str, start: int, end: int,
                 tokens: list[tuple[str, int, int]] | None = None, pipe: bool = True) -> None:
        self.kind = kind
        self.text = text
        self.start = start
        self.end = end
        self.tokens = tokens
        self.pipe = pipe
        self.header = False
        self.valued = False

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Cell({self.kind},{self.text!r}@{self.start})"


ROW = "R"


class LoneBlank(Cell):
    """A blank cell alone on its line ("|" in a one-cell-per-line table): a value cell, where the
    blank cells of a line of labels or of padding are not."""

    __slots__ = ()



def _value_spans(segs: list[str], values: list[Any], x: int) -> list[tuple[int, int]]:
    """(start, end) of each value cell of pipe segments starting at ``x``: a number without its
    padding, a blank cell whole."""
    out = []
    for t, v in zip(segs, values, strict=True):
        n = len(t)
        if v is None:
            out.append((x, x + n))
        else:
            s0 = x + n - len(t.lstrip())
            out.append((s0, s0 + len(t.strip())))
        x += n + 1
    return out

class RowCells(Cell):
    """A whole pipe row of label cells followed by plain integers and blank cells (the common
    table row), kept as one stream element of kind R by :func:`scan`: its value cells become
    :class:`Cell`/:class:`Item` objects, and their positions are worked out, only when asked for.
    ``segs`` are the raw value segments (from ``x0`` in ``norm``), ``values`` an int per number
    cell and None per blank cell."""

    __slots__ = ("labels", "values", "segs", "x0", "norm", "_spans")

    def __init__(self, labels: list[Cell], values: list[int | None], segs: list[str], x0: int,
                 end: int, norm: str) -> None:
        self.kind = ROW
        self.text = ""
        if labels:
            self.start = labels[0].start
        else:
            t = segs[0]
            self.start = x0 if values[0] is None else x0 + len(t) - len(t.lstrip())
        last = segs[-1]
        self.end = end if values[-1] is None else end - (len(last) - len(last.rstrip()))
        self.tokens = None
        self.pipe = True
        self.header = False
        self.valued = True
        self.labels = labels
        self.values = values
        self.segs = segs
        self.x0 = x0
        self.norm = norm
        self._spans: list[tuple[int, int]] | None = None

    def spans(self) -> list[tuple[int, int]]:
        """(start, end) of each value cell: a number without its padding, a blank cell whole."""
        if self._spans is None:
            self._spans = _value_spans(self.segs, self.values, self.x0)
        return self._spans

    def end_of(self, i: int) -> int:
        """``spans()[i][1]`` without working out the others."""
        if i == len(self.values) - 1:
            return self.end
        if self._spans is not None:
            return self._spans[i][1]
        t = self.segs[i]
        e = self.x0 + len("|".join(self.segs[:i + 1]))
        return e if self.values[i] is None else e - (len(t) - len(t.rstrip()))

    def raw(self, i: int) -> str:
        if self.values[i] is None:
            return ""
        s, e = self.spans()[i]
        return self.norm[s:e]

    def item(self, i: int) -> Item:
        s, e = self.spans()[i]
        v = self.values[i]
        if v is None:
            return Item(BLANK, None, "", s, e)
        return Item(NUM, v, self.norm[s:e], s, e)

    def cells(self) -> list[Cell]:
        out = list(self.labels)
        for v, (s, e) in zip(self.values, self.spans(), strict=True):
            if v is None:
                c = Cell(BLANK, "", s, e)
            else:
                t = self.norm[s:e]
                c = Cell(NUM, t, s, e, [(t, s, e)])
            c.valued = True
            out.append(c)
        return out


# at most 15 digits before the point (and after it): a longer digit string is no number a report
# states (and would not convert exactly), so it is an unreadable cell, never a number
MAX_DIGITS = 15
_NUM_FULL = re.compile(r"[-−]?(?:\d{1,3}(?:,\d{3}){1,4}|\d{1,15})(?:\.\d{1,15})?")
_MD_SEP = re.compile(r"\s*:?-{2,}:?\s*")


def _md_rule(segs: list[str]) -> bool:
    """Separator cells that make a Markdown separator row: several cells, or one of three dashes
    or more; a lone "--" cell (one cell per line) is a null marker, not a table rule."""
    return len(segs) > 1 or segs[0].count("-") >= 3
_FURNITURE = re.compile(
    r"\s*(?:[-—–_]{1,3}\s*\d{1,4}\s*[-—–_]{1,3}|第\s*\d{1,4}\s*页(?:\s*[,/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}|[=]{3,}.*|正文|表[一二三四]\s*[:：]?.{0,20})\s*"
)
# Free text: a date (words of a sentence, never cells: "截至2024年12月31日"), numbers (with an
# optional sign), words, whitespace.
_FREE = re.compile(r"(\d{4}年\d{1,2}月(?:\d{1,2}日)?)|([-−]?\d+(?:\.\d+)?)|([^\d\s]+)|(\s+)")
# Where a run of label text starts a new label (a table row number or heading).
_LABEL_SPLIT = re.compile(r"(?<!第)(?=\([一二三四五六七]\))|(?<=[^\d(])(?=[一二三四]、)")
_PROSE_MIN = 40
# A real table region has a few hundred cells; more is hostile or not a table.
MAX_CELLS = 4000
# Longest digit run handed to the splitter (7 cells of at most 12 digits, plus spaces).
MAX_RUN = 120


def _emit_label(out: list[Cell], text: str, start: int, end: int) -> None:
    """Append label text, split where a new row number or group heading begins."""
    text = text.strip()
    if not text:
        return
    if len(text) > 4 and ("(" in text or "、" in text):
        pos = [m.start() for m in _LABEL_SPLIT.finditer(text) if m.start() > 0]
        if pos:
            prev = 0
            for p in [*pos[:MAX_CELLS], len(text)]:
                piece = text[prev:p]
                if piece.strip():
                    out.append(Cell(LABEL, piece.replace(" ", ""), start + prev, start + p, pipe=False))
                prev = p
            return
    out.append(Cell(LABEL, text.replace(" ", ""), start, end, pipe=False))


def _free_cells(norm: str, a: int, b: int, out: list[Cell], cap: int = MAX_CELLS) -> bool:
    """Tokenise free text (no pipes) between ``a`` and ``b``; True when it stopped at ``cap`` cells
    (the numbers of a group each count as one)."""
    seg = norm[a:b]
    lab_start = -1
    lab_end = -1
    lab_parts: list[str] = []
    group: list[tuple[str, int, int]] = []
    gap = False  # whitespace seen since the last number of the group

    def flush_label() -> None:
        nonlocal lab_start
        if lab_parts:
            _emit_label(out, "".join(lab_parts), lab_start, lab_end)
            lab_parts.clear()
        lab_start = -1

    def flush_group() -> None:
        if group:
            out.append(Cell(NUM, norm[group[0][1]:group[-1][2]], group[0][1], group[-1][2],
                            tokens=list(group), pipe=False))
            group.clear()

    cut = False
    pending_ordinal = ""
    ordinal_pos = -1
    for m in _FREE.finditer(seg):
        if len(out) + len(group) >= cap:
            cut = True
            break  # hostile input: a real table has a few hundred cells
        date, num, word, space = m.groups()
        if date is not None:
            word = date
        elif num is not None and m.end() < len(seg) and seg[m.end()] in _WORD_UNITS and m.start() \
                and "\u4e00" <= seg[m.start() - 1] <= "\u9fff" and not _row_label_before(lab_parts):
            # glued between a word and its unit ("申请15件"): a sentence's number, not a cell (but
            # "行政许可2418件" is a row's)
            word, num = num, None
        s, e = a + m.start(), a + m.end()
        if space is not None:
            gap = True
            continue
        if num is not None:
            # A bare digit glued to a following ".label" is that label's row number.
            nxt = m.end()
            if "." not in num and nxt < len(seg) and seg[nxt] in ".、" and nxt + 1 < len(seg) \
                    and not seg[nxt + 1].isdigit():
                value_part, pending_ordinal = num[:-1], num[-1]
                ordinal_pos = e - 1
                if value_part and value_part not in "-−":
                    if lab_parts:
                        flush_label()
                    group.append((value_part, s, e - 1))
                flush_group()
                gap = False
                continue
            if lab_parts:
                flush_label()
            group.append((num, s, e))
            gap = False
            continue
        # a word
        if pending_ordinal:
            flush_group()
            flush_label()
            lab_parts.append(pending_ordinal)
            lab_start = ordinal_pos
            pending_ordinal = ""
        if word in MARKERS and (gap or m.start() == 0) and (m.end() >= len(seg) or seg[m.end()].isspace()):
            # a standalone marker is a null cell: inside a number group ("0 / 0"), after another
            # marker ("/ / /") or right after a row's label ("…申请数量 / / …"), never label text
            flush_group()
            flush_label()
            out.append(Cell(MARK, word, s, e, pipe=False))
            gap = False
            continue
        flush_group()
        if not lab_parts:
            lab_start = s
        lab_parts.append(word)
        lab_end = e
        gap = False
    flush_group()
    flush_label()
    return cut


def tokenize(norm: str, start: int, end: int) -> list[Cell]:
    """Cut ``norm[start:end]`` into a cell stream (see module doc). At most :data:`MAX_CELLS`
    cells are produced, so hostile input costs bounded work."""
    return scan(norm, start, end, fast=False)[0]


def scan(norm: str, start: int, end: int, *, fast: bool = True) -> tuple[list[Cell], int]:
    """:func:`tokenize`, with (``fast``) each whole pipe row of labels, plain integers and blanks
    kept as one :class:`RowCells`; returns the stream and the number of cells it stands for."""
    out: list[Cell] = []
    extra = 0  # cells that RowCells stand for beyond their one list slot
    pos = start
    row_line = _ROW_LINE.fullmatch
    for line in norm[start:end].split("\n"):
        if len(out) + extra >= MAX_CELLS:
            break
        a = pos
        b = pos = a + len(line)
        pos += 1
        room = MAX_CELLS - len(out) - extra
        if len(line) > room and line.count("|") > room:
            # one line of more cells than the limit leaves (hostile): read up to it, then stop
            k = -1
            for _ in range(room):
                k = line.index("|", k + 1)
            line = line[:k + 1]
            b = a + len(line)
            extra += MAX_CELLS  # counted as over the limit whatever the cut-off line yields
        if fast:
            pipes = line.count("|")
            if pipes > 2:  # a RowCells is four cells at least
                m = row_line(line)
                if m is not None:
                    more = _match_row(norm, a, line, m, out)
                    if more >= 0:
                        extra += more
                        continue
            elif pipes == 1 and _one_cell(a, line, out):
                continue
        stripped = line.strip()
        if not stripped:
            continue
        if stripped[0] in _FURN_START and _FURNITURE.fullmatch(stripped):
            continue
        if stripped[0] == "#":
            off = line.index("#")
            while off < len(line) and line[off] in "# ":
                off += 1
            a += off
            line = norm[a:b]
            stripped = line.strip()
            if not stripped:
                continue
        first = len(out)
        if "|" in line:
            extra += _pipe_cells(norm, a, b, line, out, fast)  # marks its own cells
            continue
        cap = MAX_CELLS - extra
        # Prose sentences inside a table region are not cells (free_spans keeps the rest).
        for s0, e0 in free_spans(line):
            if _free_cells(norm, a + s0, a + e0, out, cap):
                extra += MAX_CELLS  # cut off at the limit: counted as over it
        _mark_line(out, first)
    return out, len(out) + extra


def expand(cells: list[Cell]) -> list[Cell]:
    """A :func:`scan` stream as the plain cell stream of :func:`tokenize`."""
    if not any(c.kind == ROW for c in cells):
        return cells
    out: list[Cell] = []
    for c in cells:
        if c.kind == ROW:
            out.extend(c.cells())  # type: ignore[attr-defined]
        else:
            out.append(c)
    return out


def labels_of(cells: list[Cell]) -> list[str]:
    """The label texts of a (scan or tokenize) stream, in order."""
    out: list[str] = []
    for c in cells:
        if c.kind == LABEL:
            out.append(c.text)
        elif c.kind == ROW:
            out.extend([lab.text for lab in c.labels])  # type: ignore[attr-defined]
    return out


def _has_cjk_prose(s: str) -> bool:
    return "," in s and len(s) > 20


# ---- prose in a table region
# A number written against one of these (after it, one space allowed: "截至2021年底", "共14件",
# "749 件"; before it: "注1", "第3项") is a quantity, date or mark in a sentence, not a cell.
PROSE_UNIT_AFTER = frozenset("年月日时号件条个人次项份万亿元%％页天周家批起宗例")
PROSE_MARK_BEFORE = frozenset("第注")
_MONEY_AFTER = frozenset("万亿元")  # alone, a table-二 amount cell ("4166.24万元"), not a sentence
_WORD_UNITS = PROSE_UNIT_AFTER - _MONEY_AFTER
_PROSE_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@cache
def _cjk() -> re.Pattern[str]:
    """One CJK ideograph; compiled on first use: its character range costs ~1.5 ms to compile at
    every start, and few reports reach the one test that uses it."""
    return re.compile(r"[\u4e00-\u9fff]")


_PERIOD = re.compile("。")
_PROSE_DIGITS = 9  # a longer digit string is table cells run together, never a sentence's number
_YEAR_END = re.compile(r"(?:19|20)\d\d")


def _unit_after(text: str, e: int) -> str:
    """The character after a number ending at ``e``, past one space ("" at the end)."""
    n = len(text)
    if e < n and text[e] == " ":
        e += 1
    return text[e] if e < n else ""


def cell_like(text: str, s: int, e: int) -> bool:
    """Whether the number at ``text[s:e]`` stands as a cell would, not written against a unit
    after it or a mark before it (one space allowed)."""
    if _unit_after(text, e) in PROSE_UNIT_AFTER:
        return False
    if s > 0:
        c = text[s - 1]
        if c == " " and s > 1:
            c = text[s - 2]
        if c in PROSE_MARK_BEFORE:
            return False
    return True


def prose_text(t: str, ended: bool = False) -> bool:
    """Whether ``t`` (normalised free text, or one cell) is a sentence, not cells: it has words
    of its own (3 CJK characters besides the units of its numbers), its numbers are all written
    against a unit or mark (none :func:`cell_like`), and it ends in 。 (or ``ended``: cut off
    before its 。) or one number at least stands inside its words against a count or date unit
    ("申请15件"; a money unit alone is an amount cell, "4166.24万元")."""
    ended = ended or t.endswith("。")
    count = 0
    units = 0  # CJK units after the numbers (not words of the sentence)
    unit = ended
    for m in _PROSE_NUMBER.finditer(t):
        s, e = m.span()
        if e - s > _PROSE_DIGITS or cell_like(t, s, e):
            return False
        count += 1
        c = _unit_after(t, e)
        if c > "\u4e00":
            units += 1
        if not unit and c in PROSE_UNIT_AFTER and c not in _MONEY_AFTER:
            # written inside the words ("申请15件"; "行政许可 2418件" is a row with a unit in its
            # cell), and no reference ("第1项": table 二's sub-table title in OCR, "第二十条第1项")
            b = t[s - 1] if s else ""
            unit = not b or ("\u4e00" <= b <= "\u9fff" and b != "第")
    if not ((count > 0 or ended) and unit and len(_cjk().findall(t)) - units >= 3):
        return False
    first = _PROSE_NUMBER.search(t)
    # a row's label and its number with a unit ("行政许可 2418件"): a table row, not a sentence
    return first is None or t[:first.start()].replace(" ", "") not in _row_labels()


def _row_label_before(parts: list[str]) -> bool:
    """Whether the label text before a number (its words, split at spaces) ends in a row label."""
    labels = _row_labels()
    return bool(parts) and (parts[-1] in labels or "".join(parts) in labels)


@cache
def _row_labels() -> frozenset[str]:
    """The official row labels of tables 二 and 三 (both formats), normalised, with and without
    their row numbers ("(一)予以公开", "予以公开")."""
    words = {a.label for a in (*ACTIVE_ROWS_2019, *ACTIVE_ROWS_2021)}
    for fmt in ("2019", "2021"):
        words.update(r.label for r in request_rows(fmt))
    out = set()
    for w in words:
        w = normalize(w).replace(" ", "")
        out.add(w)
        m = _ROW_NUMBER.match(w)
        if m:
            out.add(w[m.end():])
    return frozenset(out)


def _maybe_prose(st: str) -> bool:
    """Whether stripped text is a sentence (:func:`prose_text`, after the cheap test that it can
    be: a digit or a 。) or a unit caption ("单位:件"), neither of them cells."""
    if st.startswith(_CAPTION_START) and _CAPTION.fullmatch(st) is not None:
        return True
    return (st.endswith("。") or _ANY_DIGIT.search(st) is not None) and prose_text(st)


_CAPTION_START = ("单位", "(单位")
_CAPTION = re.compile(r"\(?单位:[^\d|]{1,8}")


def _prose_cut(seg: str, long: bool) -> int:
    """Where the sentence that ends ``seg`` (free text up to a 。) begins: after the last number
    that stands as a cell (cells run together before it, on a flattened web page), or 0 when it
    is all prose; ``len(seg)`` when it ends in no sentence. A ``long`` piece (a paragraph:
    40 characters or a comma) is prose whole unless cells clearly precede its sentence."""
    last = 0
    cells = 0
    run = False
    for m in _PROSE_NUMBER.finditer(seg):
        s, e = m.span()
        if e - s > _PROSE_DIGITS or cell_like(seg, s, e):
            last = e
            cells += 1
            run = run or e - s >= 7
    while last and last < len(seg) and seg[last] in _MONEY_AFTER:
        last += 1  # "…2895.90元": the amount's unit stays with the cells
    if last and seg.startswith("年", last) and last >= 5 and seg[last - 5].isdigit() \
            and _YEAR_END.fullmatch(seg, last - 4, last):
        last -= 4  # "…41619" + "2024年…": the sentence's year is glued to the last cells
    if not prose_text(seg[last:].strip(), True):
        return 0 if long else len(seg)  # (a short piece of cells and labels: tokenised whole)
    if last and long and cells < 3 and not run:
        return 0  # a paragraph ("畅通12345热线，…"): no table cells before its sentence
    return last


def _lone_prose(segs: list[str]) -> bool:
    """Whether the pipe cells ``segs`` are one sentence (:func:`prose_text`) and blank cells."""
    text = ""
    for t in segs:
        if t.strip():
            if text:
                return False
            text = t
    return _maybe_prose(text.strip())


def free_spans(line: str) -> list[tuple[int, int]]:
    """The parts of a free-text line (no pipe) that :func:`scan` tokenises, as offsets in
    ``line``: sentences (a paragraph piece up to 。, a short sentence with numbers, the sentence
    after cells run together) are left out."""
    if "。" not in line:
        return [] if _maybe_prose(line.strip()) else [(0, len(line))]
    out = []
    start = 0
    for m in _PERIOD.finditer(line):
        end = m.end()
        long = end - start >= _PROSE_MIN or _has_cjk_prose(line[start:end])
        cut = _prose_cut(line[start:end - 1], long)
        if cut:
            out.append((start, start + cut))
        start = end
    if start < len(line):
        if not _maybe_prose(line[start:].strip()):
            out.append((start, len(line)))
    return out


_NUM_START = frozenset("0123456789-−")
_ASCII_DIGIT = re.compile("[0-9]")
_ANY_DIGIT = re.compile(r"\d")
_FURN_START = frozenset("-—–_第正表0123456789")


def _pipe_cells(norm: str, a: int, b: int, line: str, out: list[Cell], fast: bool = False) -> int:
    """Cells of one pipe row, marked as :func:`_mark_line` would (hot path: one loop, no regex
    for plain digits). With ``fast``, a row of labels, integers and blanks becomes one
    :class:`RowCells`; returns how many cells beyond one that element stands for."""
    segs = line.split("|")
    if len(segs) > 2 and not line.replace("|", "").strip():
        return 0  # two blank cells or more and nothing else ("||"): padding, not one blank cell
    lo, hi = 0, len(segs)
    # text after the last pipe is padding when blank; a leading pipe (Markdown) opens no cell
    if not segs[-1].strip():
        hi -= 1
    x = a
    if hi - lo > 1 and not segs[0].strip() and line.lstrip().startswith("|"):
        x += len(segs[0]) + 1
        lo = 1
    if lo >= hi:
        return 0
    if lo or hi < len(segs):
        segs = segs[lo:hi]
    if "--" in line and all(_MD_SEP.fullmatch(t) or not t.strip() for t in segs) and _md_rule(segs):
        return 0
    if not "".join(segs).strip():  # only blank cells: one per line is a cell, more are padding
        if len(segs) == 1:
            out.append(LoneBlank(BLANK, "", x, x + len(segs[0])))
        return 0
    if _lone_prose(segs):
        return 0  # a sentence in a row of its own (a note row, padded with blank cells): no cell
    # a lone cell per line is cheaper as a plain Cell; a row without an ASCII digit has no
    # integer cell, so it is never one RowCells (header rows: skip the attempt)
    if fast and len(segs) > 3 and _ASCII_DIGIT.search(line):
        more = _fast_row(norm, x, segs, out)
        if more >= 0:
            return more
    cells: list[Cell] = []
    add = cells.append
    labels = 0
    valued = False
    for t in segs:
        st = t.strip()
        n = len(t)
        if not st:
            add(Cell(BLANK, "", x, x + n))
            x += n + 1
            continue
        s0 = x + (n - len(t.lstrip()))
        e0 = s0 + len(st)
        x += n + 1
        c0 = st[0]
        if c0 in _NUM_START and ((st.isdigit() and st.isascii() and len(st) <= MAX_DIGITS) or _NUM_FULL.fullmatch(st)):
            add(Cell(NUM, st, s0, e0, [(st.replace(",", "") if "," in st else st, s0, e0)]))
            valued = True
        elif st in MARKERS:
            add(Cell(MARK, st, s0, e0))
            valued = True
        elif c0 in _FURN_START and _FURNITURE.fullmatch(st):
            continue
        else:
            if " " in st:
                if _ANY_DIGIT.search(st):  # without a digit _free_cells finds only labels
                    sub: list[Cell] = []
                    _free_cells(norm, s0, e0, sub)
                    if len(sub) > 1 and sub[0].kind == LABEL and all(c.kind == NUM for c in sub[1:]):
                        cells.extend(sub)  # "label 1 2 3" inside one cell
                        labels += 1
                        valued = True
                        continue
                add(Cell(LABEL, st.replace(" ", ""), s0, e0))
            else:
                add(Cell(LABEL, st, s0, e0))
            labels += 1
    if not valued and not labels:  # all blank
        if len(cells) == 1:
            c = cells[0]
            out.append(LoneBlank(BLANK, "", c.start, c.end))  # one cell per line: a lone blank is a cell
        return 0
    if valued:
        for c in cells:
            c.valued = True
    elif labels >= 3 and cells[0].pipe and not numbered_row(next(c.text for c in cells if c.kind == LABEL)):
        for c in cells:
            c.header = True
    out.extend(cells)
    return 0


# value segments "seg|seg|…|seg", each spaces, optionally digits and spaces (unambiguous: linear)
_PLAIN_TAIL = re.compile(r"(?: *+(?:[0-9]++ *+)?\|)*+ *+(?:[0-9]++ *+)?")


def _fast_row(norm: str, x: int, segs: list[str], out: list[Cell]) -> int:
    """The cells of ``segs`` (starting at ``x``) as one :class:`RowCells` when they are label
    cells (no inner spaces, not numbers, markers or furniture) followed by plain ASCII integers
    and blanks, at least one integer; else -1 and nothing added."""
    labels: list[Cell] = []
    k = 0
    nseg = len(segs)
    while k < nseg:
        t = segs[k]
        st = t.strip()
        if not st or (st.isdigit() and st.isascii()):
            break
        c0 = st[0]
        if " " in st or st in MARKERS or (c0 in _NUM_START and _NUM_FULL.fullmatch(st)) \
                or (c0 in _FURN_START and _FURNITURE.fullmatch(st)):
            return -1
        n = len(t)
        s0 = x + (n - len(t.lstrip()))
        c = Cell(LABEL, st, s0, s0 + len(st))
        c.valued = True
        labels.append(c)
        x += n + 1
        k += 1
    if k == nseg:
        return -1
    tail = segs[k:] if k else segs
    end = x + len("|".join(tail))
    if not _PLAIN_TAIL.fullmatch(norm, x, end):
        return -1
    if max(map(len, tail)) > MAX_DIGITS and any(len(t.strip()) > MAX_DIGITS for t in tail):
        return -1  # a digit string too long to be a number: the cell by cell reading says so
    values = [int(t) if t.strip() else None for t in tail]
    if values.count(None) == len(values):
        return -1
    out.append(RowCells(labels, values, tail, x, end, norm))
    return len(labels) + len(values) - 1


# A whole line "labels | values": an optional Markdown leading pipe, cells that are neither blank
# nor plain digits, then only digit-or-blank cells, one at least with digits (possessive: linear).
_ROW_LINE = re.compile(r"( *+\|)?((?:(?! *+[0-9]*+ *+(?:\||$))[^|]++\|)*+)(?: *+\|)*+ *+[0-9]++ *+(?:\| *+[0-9]*+ *+)*+")
# Most value cells are small integers: their text → value by one lookup.
_SMALL_INT: dict[str, int | None] = {"": None, **{str(i): i for i in range(1000)}}
_NOT_SMALL = repeat(_MISS := object())


def _match_row(norm: str, a: int, line: str, m: re.Match[str], out: list[Cell]) -> int:
    """What ``_pipe_cells(fast=True)`` makes of a line that :data:`_ROW_LINE` matched, when that
    is one :class:`RowCells` (returns the cells it stands for beyond one); else -1, nothing added."""
    x = m.end(1)
    if x < 0:
        x = 0
    lab_end = m.end(2)
    segs = line[lab_end:].split("|")
    if not segs[-1].strip():
        segs.pop()
    if not segs:
        return -1
    labels: list[Cell] = []
    if lab_end > x:
        labs = line[x:lab_end - 1].split("|")
        if len(labs) + len(segs) <= 3:
            return -1
        c0 = line.lstrip()[0]
        if c0 == "#" or (c0 in _FURN_START and _furniture(line.strip())):
            return -1
        x += a
        for t in labs:
            st = t.strip()
            if not st or " " in st or st in MARKERS or (st.isdigit() and st.isascii()):
                return -1
            c0 = st[0]
            if (c0 in _NUM_START and st[-1].isdigit() and _NUM_FULL.fullmatch(st)) or (c0 in _FURN_START and _furniture(st)):
                return -1
            n = len(t)
            s0 = x + n - len(t.lstrip())
            c = Cell(LABEL, st, s0, s0 + len(st))
            c.valued = True
            labels.append(c)
            x += n + 1
    else:
        if len(segs) <= 3:
            return -1
        if x == 0:  # no leading pipe: the line starts with a digit or a blank cell
            c0 = line.lstrip()[0]
            if c0 in _FURN_START and _furniture(line.strip()):
                return -1
        x += a
    values: list[Any] = list(map(_SMALL_INT.get, map(str.strip, segs), _NOT_SMALL))
    if _MISS in values:
        if any(len(t.strip()) > MAX_DIGITS for t in segs):
            return -1  # a digit string too long to be a number: the cell by cell reading says so
        values = [int(t) if t.strip() else None for t in segs]
    if values.count(None) == len(values):
        return -1
    out.append(RowCells(labels, values, segs, x, x + len("|".join(segs)), norm))
    return len(labels) + len(values) - 1


_ROW_NUMBER = re.compile(r"\(?[一二三四五六七八九十]{1,2}[)、]|[1-9][.、]")


def numbered_row(text: str) -> bool:
    """Whether label text starts with a row number ("(六)…", "1.…", "一、…"): a line of such a
    label, other text and blank cells is a table row whose cells are blank, not a column header."""
    return _ROW_NUMBER.match(text) is not None


def _furniture(st: str) -> bool:
    """``_FURNITURE.fullmatch(st)`` for stripped text that starts with a :data:`_FURN_START`
    character; the regex runs only when it can match (a digit start needs "/", 第 needs 页)."""
    c0 = st[0]
    if c0 == "第":
        if "页" not in st:
            return False
    elif "0" <= c0 <= "9" and "/" not in st:
        return False
    return _FURNITURE.fullmatch(st) is not None


def _one_cell(a: int, line: str, out: list[Cell]) -> bool:
    """What :func:`scan` makes of a line "cell |" (one cell per line), when that is simple to
    tell; False (nothing added) for the general path."""
    t, rest = line.split("|")
    if rest.strip():
        return False
    st = t.strip()
    if not st:
        out.append(LoneBlank(BLANK, "", a, a + len(t)))
        return True
    c0 = st[0]
    if c0 == "#" or " " in st:
        return False
    if c0 in _FURN_START and _furniture(line.strip()):
        return True  # page furniture
    if "--" in st and _MD_SEP.fullmatch(t) and _md_rule([t]):
        return True  # a Markdown separator
    s0 = a + len(t) - len(t.lstrip())
    e0 = s0 + len(st)
    if c0 in _NUM_START and ((st.isdigit() and st.isascii() and len(st) <= MAX_DIGITS) or _NUM_FULL.fullmatch(st)):
        c = Cell(NUM, st, s0, e0, [(st.replace(",", "") if "," in st else st, s0, e0)])
        c.valued = True
    elif st in MARKERS:
        c = Cell(MARK, st, s0, e0)
        c.valued = True
    elif c0 in _FURN_START and _furniture(st):
        return True
    elif _maybe_prose(st):
        return True  # a sentence alone in a cell (a note row): no cell
    else:
        c = Cell(LABEL, st, s0, e0)
    out.append(c)
    return True


def _mark_line(out: list[Cell], first: int) -> None:
    labels = 0
    valued = False
    for c in out[first:]:
        if c.kind == LABEL:
            labels += 1
        elif c.kind in (NUM, MARK):
            valued = True
    if valued:
        for c in out[first:]:
            c.valued = True
    elif labels >= 3 and out[first].pipe:
        for c in out[first:]:
            c.header = True


# ------------------------------------------------------------------ rows

@dataclass(slots=True)
class Item:
    """One value cell of a row: kind N/B/M, value, raw text and position; ``recovered`` when it
    came from splitting a digit run."""

    kind: str
    value: int | float | None
    text: str
    start: int
    end: int
    recovered: bool = False


class Row:
    """One table row found by its label: the value ``items`` in column order, or ``run``, a glued
    digit run waiting for recovery. Items taken whole from a :class:`RowCells` stay there until
    ``items`` is read (``count`` and :meth:`values` do not need them)."""

    __slots__ = ("path", "label", "start", "width", "_items", "_src", "run", "unit")

    def __init__(self, path: str, label: str, start: int, width: int, items: list[Item] | None = None,
                 run: Cell | None = None, unit: str | None = None) -> None:
        self.path = path
        self.label = label
        self.start = start
        self.width = width
        self._items: list[Item] = [] if items is None else items
        self._src: tuple[RowCells, int] | None = None  # items = the first n value cells of a RowCells
        self.run = run
        self.unit = unit

    @property
    def items(self) -> list[Item]:
        if self._src is not None:
            rc, n = self._src
            self._src = None
            self._items = [rc.item(i) for i in range(n)]
        return self._items

    @items.setter
    def items(self, value: list[Item]) -> None:
        self._items = value
        self._src = None

    @property
    def count(self) -> int:
        """``len(items)``."""
        return self._src[1] if self._src is not None else len(self._items)

    @property
    def full(self) -> bool:
        return self.run is not None or self.count >= self.width

    def cells(self) -> list[tuple[Any, int, int, str | None, bool]]:
        """(value, start, end, raw text, recovered) of each item, without making Items."""
        if self._src is not None:
            rc, n = self._src
            sp = rc.spans()
            return [(rc.values[i], *sp[i], rc.raw(i), False) for i in range(n)]
        return [(it.value, it.start, it.end, it.text, it.recovered) for it in self._items]

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Row({self.path!r}, {self.label!r}, {self.start}, {self.width}, items={self.items!r}, run={self.run!r})"


@dataclass
class TableRead:
    """What an assembler found: rows by path, raw labels in order, header notes, and the end of
    the last consumed cell (prose after it belongs to the section text again)."""

    rows: dict[str, Row] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    start: int = -1
    end: int = -1
    overflow: int = 0
    # value cells that are not numbers ("59件", "+59"): (row path, column index, raw text, start)
    unreadable: list[tuple[str, int, str, int]] = field(default_factory=list)
    # a row label met again after its row was read: the repeat's own cells (the first one is used)
    duplicates: list[Row] = field(default_factory=list)
    # numbers no cell was left for (beyond a full row, or where no row is open), for the note
    extra: list[Extra] = field(default_factory=list)


@dataclass(slots=True)
class Extra:
    """Numbers of a table that no cell took: ``path`` is the row they follow (its cells all
    filled), or None when no row was open, ``after`` then the group heading they follow (a
    REQUEST_GROUPS key, or label text; "" before any row); ``spans`` their (start, end)."""

    path: str | None
    after: str
    spans: list[tuple[int, int]]


def _add_extra(out: TableRead, path: str | None, after: str, spans: list[tuple[int, int]]) -> None:
    """Record surplus numbers, merged with the previous record when they follow the same row."""
    if not spans:
        return
    if out.extra:
        prev = out.extra[-1]
        if prev.path == path and prev.after == after:
            prev.spans.extend(spans)
            return
    out.extra.append(Extra(path, after, spans))


def _num_spans(cell: Cell, skip: int = 0) -> list[tuple[int, int]]:
    """(start, end) of the numbers of a value cell (of its tokens after the first ``skip``)."""
    if cell.kind == ROW:
        rc: RowCells = cell  # type: ignore[assignment]
        vals = rc.values
        if all(v is None for v in vals[skip:]):
            return []
        sp = rc.spans()
        return [sp[i] for i in range(skip, len(vals)) if vals[i] is not None]
    if cell.kind != NUM:
        return []
    return [(s, e) for _, s, e in (cell.tokens or [(cell.text, cell.start, cell.end)])[skip:]]


def parse_number(text: str, *, money: bool = False) -> int | float | None:
    t = text.replace(",", "").replace("−", "-").strip()
    if not t or len(t.lstrip("-").partition(".")[0]) > MAX_DIGITS:
        return None  # blank, or a digit string too long to be a number a report states
    try:
        if "." in t:
            f = float(t)
            return int(f) if (not money and f.is_integer()) else f
        return int(t)
    except ValueError:
        return None


def _take_values(row: Row, cell: Cell, money: bool, allow_run: bool) -> list[tuple[str, int, int]]:
    """Put a value cell into ``row``; return number tokens left over."""
    if cell.kind == BLANK:
        row.items.append(Item(BLANK, None, "", cell.start, cell.end))
        return []
    if cell.kind == MARK:
        row.items.append(Item(MARK, None, cell.text, cell.start, cell.end))
        return []
    toks = cell.tokens or []
    need = row.width - len(row.items)
    if allow_run and not cell.pipe and not row.items and len(toks) < row.width and row.width > 1:
        row.run = cell
        return []
    for t, s, e in toks[:need]:
        row.items.append(Item(NUM, parse_number(t, money=money), t, s, e))
    return toks[need:]


def _unrun(row: Row, mark: Cell, money: bool = False) -> None:
    """A few numbers taken as a glued digit run, then a standalone marker on their line ("7 1 3 /
    0 0 74"): they were separate cells, so they become the row's first items again."""
    run = row.run
    if run is None or mark.pipe or not run.tokens or len(run.tokens) >= row.width or mark.start < run.end:
        return
    row.run = None
    for t, s, e in run.tokens:
        row.items.append(Item(NUM, parse_number(t, money=money), t, s, e))


# ---- table 三

_GROUP_BY_NUMERAL = {"三": "withheld", "四": "unavailable", "五": "not_processed", "六": "other"}
_PAREN_ROW = {"一": "requests.results.granted", "二": "requests.results.partially_granted",
              "七": "requests.results.total"}
_PAREN = re.compile(r"\(([一二三四五六七])\)")
_ORDINAL = re.compile(r"(?<![\d.])([1-9])[.、](?!\d)")
_GROUP_WORDS = (("不予公开", "withheld"), ("无法提供", "unavailable"), ("不予处理", "not_processed"),
                ("不予以处理", "not_processed"), ("其他处理", "other"))
_NOTE_WORDS = ("勾稽", "第一项加第二项", "本列数据")
_STRONG_START = ("本年新收", "上年结转", "予以公开", "部分公开", "本年度办理结果")


class _ReqSpecs:
    """Table-三 rows of one format, indexed for label matching."""

    def __init__(self, fmt: str | None) -> None:
        self.rows = request_rows(fmt)
        self.by_group: dict[str, list[RowSpec]] = {}
        for r in self.rows:
            if r.group:
                self.by_group.setdefault(r.group, []).append(r)
        words = sorted({k for r in self.rows for kws in r.keywords for k in kws}, key=len, reverse=True)
        # a lookahead finds overlapping keywords in one pass over the label
        self.finder = re.compile("(?=(" + "|".join(re.escape(w) for w in words) + "))")
        # first keyword of a tuple → (row index, row, the tuple, its score)
        self.by_first: dict[str, list[tuple[int, RowSpec, tuple[str, ...], int]]] = {}
        for i, r in enumerate(self.rows):
            for kws in r.keywords:
                self.by_first.setdefault(kws[0], []).append((i, r, kws, sum(len(k) for k in kws)))
        self.index = {r.path: i for i, r in enumerate(self.rows)}
        self.spec = {r.path: r for r in self.rows}
        oo = [(i, r) for i, r in enumerate(self.rows) if r.path.endswith("other.other")]
        self.other_other: tuple[int, RowSpec] | None = oo[0] if oo else None
        self.fmt = fmt
        self._official: dict[tuple[str, str | None, bool], tuple[str, str | None, str | None, bool]] | None = None

    def official(self) -> dict[tuple[str, str | None, bool], tuple[str, str | None, str | None, bool]]:
        """The matcher's answer for the official label wordings (canon) in every state:
        (label, group, started) → (kind, path, group after, started after). Built once, by the
        matcher itself, so that a report in the official wording skips the keyword search."""
        if self._official is None:
            words = [r.label for r in self.rows] + list(REQUEST_GROUPS.values()) + ["三、本年度办理结果"]
            table = {}
            for w in dict.fromkeys(normalize(x) for x in words):
                for group in (None, *_GROUP_BY_NUMERAL.values()):
                    for started in (False, True):
                        st = _T3State(self.fmt)
                        st.group, st.started = group, started
                        kind, path = _match_request_label(w, st)
                        table[(w, group, started)] = (kind, path, st.group, st.started)
            self._official = table
        return self._official


@cache
def _request_specs(fmt: str | None) -> _ReqSpecs:
    return _ReqSpecs(fmt)


def _scores(text: str, specs: _ReqSpecs) -> dict[str, int]:
    """Row path → keyword score (total length of the best keyword tuple found in ``text``), in
    row order."""
    found = set(specs.finder.findall(text))
    if not found:
        return {}
    best: dict[int, tuple[str, int]] = {}
    for k in found:
        for i, spec, kws, w in specs.by_first.get(k, ()):
            if (len(kws) == 1 or all(x in found for x in kws)) and w > best.get(i, ("", 0))[1]:
                best[i] = (spec.path, w)
    if len(best) == 1:
        return dict(best.values())
    return {path: w for _, (path, w) in sorted(best.items())}


class _T3State:
    def __init__(self, fmt: str | None) -> None:
        self.fmt = fmt
        self.group: str | None = None
        self.started = False


def match_request_label(label: str, st: _T3State) -> tuple[str, str | None]:
    """Classify a table-三 label: ("row", path), ("group", name), ("context", None) or ("none", None)."""
    hit = _request_specs(st.fmt).official().get((label, st.group, st.started))
    if hit is not None:
        kind, path, st.group, st.started = hit
        return kind, path
    return _match_request_label(label, st)


def _match_request_label(label: str, st: _T3State) -> tuple[str, str | None]:
    specs = _request_specs(st.fmt)
    rows, by_group = specs.rows, specs.by_group
    oo = specs.other_other
    text = label.replace(" ", "") if " " in label else label
    om = _ORDINAL.search(text)
    pm = _PAREN.search(text)
    if om and (pm is None or om.start() > pm.start()):
        head, sub, ordinal = text[:om.start()], text[om.end():], int(om.group(1))
        hm = _PAREN.search(head)
        if hm and hm.group(1) in _GROUP_BY_NUMERAL:
            st.group = _GROUP_BY_NUMERAL[hm.group(1)]
        else:
            for w, g in _GROUP_WORDS:
                if w in head:
                    st.group = g
        best: RowSpec | None = None
        score = 0
        best_i = len(rows)
        # rows are tried in order and the first best score wins
        for path, sc in _scores(sub, specs).items():
            spec = specs.spec[path]
            if not spec.group or (oo is not None and spec is oo[1]):
                continue
            if spec.group == st.group:
                sc += 100
            if sc > score:
                best, score, best_i = spec, sc, specs.index[path]
        if oo is not None:
            sc = 2 if sub.strip(".、,") in ("其他", "其它") or (st.group == "other" and ordinal == 3 and sub.startswith("其他")) else 0
            if sc and oo[1].group == st.group:
                sc += 100
            if sc > score or (sc and sc == score and oo[0] < best_i):
                best, score = oo[1], sc
        if best is None and st.group in by_group and ordinal <= len(by_group[st.group]):
            cand = by_group[st.group][ordinal - 1]
            if cand.ordinal == ordinal:
                best = cand
        if best is not None:
            if st.fmt == "2019" and best.group == "other":
                return "none", None
            st.group = best.group
            st.started = True
            return "row", best.path
        return "none", None
    if pm:
        n = pm.group(1)
        if n in _PAREN_ROW:
            st.started = True
            st.group = None
            return "row", _PAREN_ROW[n]
        if n in _GROUP_BY_NUMERAL:
            st.group = _GROUP_BY_NUMERAL[n]
            st.started = True
            if st.fmt == "2019" and st.group == "other":
                return "row", "requests.results.other"
            return "group", st.group
    # no numbering: keywords
    for w, g in _GROUP_WORDS:
        if w in text and len(text) <= 8:
            st.group = g
            if st.fmt == "2019" and g == "other":
                return "row", "requests.results.other"
            return "group", g
    if "本年度办理结果" in text or text in ("三、", "办理结果"):
        st.started = True
        return "context", None
    best = None
    score = 0
    for path, sc in _scores(text, specs).items():
        spec = specs.spec[path]
        if oo is not None and spec is oo[1]:
            continue
        if spec.path == "requests.results.total":
            sc = 2 if st.started and text.startswith(("总计", "(七)", "七")) else 0
        if spec.group and spec.group == st.group and sc:
            sc += 100
        if sc > score:
            best, score = spec, sc
    if best is not None:
        if not st.started and not any(k in text for k in _STRONG_START):
            return "none", None
        st.started = True
        if best.group:
            st.group = best.group
        return "row", best.path
    return "none", None


_ZERO_LOOKALIKES = frozenset("Oo")
_CJK_NUMERALS = frozenset("〇零一二三四五六七八九十百千万两壹贰叁肆伍陆柒捌玖拾佰仟")


# words of the column headers (and header notes) of tables 三 and 四: a cell holding one is
# header text, never a value cell
_HEADER_WORDS = ("自然人", "法人", "组织", "商业", "企业", "科研", "机构", "公益", "法律", "服务", "其他",
                 "其它", "总计", "申请人", "情况", "复议", "诉讼", "维持", "纠正", "审结", "结果", "起诉",
                 "勾稽", "本列数据", "第一项", "尚未", "结转", "办理")


def _value_position(text: str, valued: bool, cnt: int) -> bool:
    """Whether a pipe cell of text that is no row label, met while a row still has cells to fill,
    stands where a value belongs (an unreadable value: null, its column kept) rather than being
    label text: it has a digit, or it is short text ("暂无", "不涉及") on a line of values or
    after the row's first value, and no header word."""
    if _ANY_DIGIT.search(text) is not None or text in _ZERO_LOOKALIKES:
        return True
    if text.startswith(_CAPTION_START):
        return False  # a unit caption ("单位:件"), not a value
    if not (valued or cnt > 0):
        return False
    if all(ch in _CJK_NUMERALS for ch in text):
        return True
    return len(text) <= 4 and not any(w in text for w in _HEADER_WORDS)


def assemble_requests(cells: list[Cell], fmt: str | None) -> TableRead:
    """Walk a table-三 cell stream (of :func:`tokenize` or :func:`scan`) and fill its rows by label."""
    st = _T3State(fmt)
    out = TableRead()
    width = len(REQUEST_COLUMNS)
    cur: Row | None = None
    pending = ""
    pending_start = -1
    official = _request_specs(fmt).official()
    last: tuple[RowCells, int] | None = None
    dup: Row | None = None  # the repeat of a row already read, collecting its cells for a note
    # row → its last label continuation (the cell, the label before it), to undo if it was a value
    conts: dict[int, tuple[Row, Cell, int]] = {}
    on_values = False  # the current row's label cell stands on a line of values
    after = ""  # the group heading (or context label) last met, for numbers found outside any row

    def label(cell: Cell) -> None:
        nonlocal cur, pending, pending_start, dup, on_values, after
        text = cell.text
        row = cur
        cnt = -1  # cur.count when cur is a row still being filled cell by cell
        if row is not None and row.run is None:
            src = row._src
            cnt = src[1] if src is not None else len(row._items)
            # before the row's first value, text is a value only on the row label's own line of
            # values ("label | 暂无 | 0 …"); at the start of a line it is the label's broken-off end
            if (cnt < row.width and cell.pipe and not cell.header
                    and _value_position(text, cell.valued and on_values, cnt)
                    and match_request_label(text, st)[0] == "none"):
                # a value cell that is not a plain number keeps its column, as null: the cells
                # after it must not slide one column to the left
                out.unreadable.append((row.path, cnt, text, cell.start))
                row.items.append(Item(MARK, None, text, cell.start, cell.end))
                return
        if "勾稽" in text or "第一项加第二项" in text or "本列数据" in text:  # _NOTE_WORDS
            out.notes.append(text)
            if out.start < 0:
                out.start = cell.start
            return
        if cell.header:
            return
        if cnt == 0 and not _PAREN.search(text) and not _ORDINAL.search(text):
            kind, path = match_request_label(text, st)
            if kind == "none":
                if cell.pipe:
                    conts[id(row)] = (row, cell, len(row.label))  # type: ignore[arg-type,union-attr,assignment]
                row.label += text  # type: ignore[union-attr]  # a label broken across lines
                return
        else:
            hit = official.get((text, st.group, st.started))  # match_request_label, inlined
            if hit is not None:
                kind, path, st.group, st.started = hit
            else:
                kind, path = _match_request_label(text, st)
        if kind == "none" and pending:
            joined = pending + text
            kind, path = match_request_label(joined, st)
            if kind != "none":
                text = joined
        if kind == "none":
            if st.started and len(pending) < 60:
                if not pending:
                    pending_start = cell.start
                pending += text
            return
        start = pending_start if text.startswith(pending) and pending else cell.start
        pending = ""
        if kind in ("group", "context"):
            out.labels.append(text)
            cur = dup = None
            after = st.group if kind == "group" and st.group else text
            return
        assert path is not None
        if out.start < 0:
            out.start = start
        if cnt == 0 and row.path == path:  # type: ignore[union-attr]
            return
        out.labels.append(text)
        if path in out.rows:
            cur = None  # a repeated header or a duplicate row never overwrites
            dup = Row(path, text, start, width)
            out.duplicates.append(dup)
            return
        dup = None
        cur = Row(path, text, start, width)
        on_values = cell.valued and cell.pipe
        out.rows[path] = cur

    for cell in cells:
        kind = cell.kind
        if kind == LABEL:
            label(cell)
            continue
        if kind == ROW:
            assert isinstance(cell, RowCells)
            for lab in cell.labels:
                label(lab)
            pending = ""
            vals = cell.values
            if cur is not None and cur.run is None:
                src = cur._src
                cnt = src[1] if src is not None else len(cur._items)
            if cur is None or cur.run is not None or cnt >= cur.width:
                out.overflow += len(vals) - vals.count(None)
                took = 0
                if cur is None and dup is not None:
                    took = max(0, min(dup.width - len(dup.items), len(vals)))
                    dup.items.extend(cell.item(i) for i in range(took))
                if len(vals) > took:
                    at = cur if cur is not None else dup
                    _add_extra(out, None if at is None else at.path, after, _num_spans(cell, took))
                continue
            take = min(cur.width - cnt, len(vals))
            if cnt == 0:
                cur._src = (cell, take)
            else:
                cur.items.extend(cell.item(i) for i in range(take))
            if take < len(vals):
                rest = vals[take:]
                out.overflow += len(rest) - rest.count(None)
                _add_extra(out, cur.path, after, _num_spans(cell, take))
            # the end of the last value taken, worked out when a later cell or the end needs it
            # (a later row lies on a later line, so it ends after this one)
            last = (cell, take - 1)
            continue
        pending = ""
        if kind == MARK and cur is not None:
            _unrun(cur, cell)
        if cur is None or cur.run is not None or (
                (cur._src[1] if cur._src is not None else len(cur._items)) >= cur.width):  # cur.count
            if kind in (NUM, MARK):
                out.overflow += 1
            if cur is None and dup is not None and dup.run is None and len(dup.items) < dup.width:
                left = _take_values(dup, cell, False, False)
                if left:
                    _add_extra(out, dup.path, after, [(s, e) for _, s, e in left])
            elif kind == NUM:
                at = cur if cur is not None else dup
                _add_extra(out, None if at is None else at.path, after, _num_spans(cell))
            continue
        toks = cell.tokens
        if cell.pipe and toks is not None and len(toks) == 1 and kind == NUM:
            t, s, e = toks[0]  # hot path of _take_values: one number in its own pipe cell
            cur.items.append(Item(NUM, int(t) if t.isdigit() and t.isascii() and len(t) <= MAX_DIGITS
                                  else parse_number(t), t, s, e))
        else:
            left = _take_values(cur, cell, False, True)
            if left:
                out.overflow += len(left)
                _add_extra(out, cur.path, after, [(s, e) for _, s, e in left])
        if last is not None:
            out.end = max(out.end, last[0].end_of(last[1]))
            last = None
        if cell.end > out.end:
            out.end = cell.end
    if last is not None:
        out.end = max(out.end, last[0].end_of(last[1]))
    for row, cell, n in conts.values():
        if row.run is not None or not _value_position(cell.text, True, 0):
            continue
        items = row.items
        # the "continuation" was the row's first value cell (one cell per line: "暂无 |"), as the
        # row's six other cells show (then its end: nothing, or the lone blank cell that one-cell
        # layouts put after each row): null in its own column, not the others shifted
        if len(items) == width and items[-1].kind == BLANK and any(it.kind == NUM for it in items):
            items.pop()
        if len(items) == width - 1:
            items.insert(0, Item(MARK, None, cell.text, cell.start, cell.end))
            row.label = row.label[:n]
            out.unreadable.append((row.path, 0, cell.text, cell.start))
    if out.duplicates:
        _prefer_filled(out)
    return out


def _all_blank(row: Row) -> bool:
    """Every cell of ``row`` is blank or a null marker (not unreadable text, not a digit run)."""
    return row.run is None and all(it.kind == BLANK or (it.kind == MARK and it.text in MARKERS) for it in row.items)


def _prefer_filled(out: TableRead) -> None:
    """A row whose first occurrence is entirely blank and a later one has numbers (a blank template
    row left above the filled one): the filled occurrence is used, the blank one is kept as the
    duplicate so that the note names both. Conflicting filled occurrences stay as they are."""
    for k, dup in enumerate(out.duplicates):
        kept = out.rows.get(dup.path)
        if kept is None or dup.run is not None or not _all_blank(kept):
            continue
        if any(it.value is not None for it in dup.items):
            out.rows[dup.path] = dup
            out.duplicates[k] = kept


# ---- table 二

@cache
def _active_specs(fmt: str | None) -> tuple[ActiveRow, ...]:
    rows = ACTIVE_ROWS_2019 if fmt == "2019" else ACTIVE_ROWS_2021
    # longer keywords first so that 行政规范性文件 is not taken for 规章 and vice versa
    return tuple(sorted(rows, key=lambda a: -max(len(k) for k in a.keywords)))


@cache
def _active_official(fmt: str | None) -> dict[str, Any]:
    """The matcher's answer for the official wordings of table 二 (row labels, 第二十条 items,
    column headers), worked out once by the matcher itself: the common labels skip the search."""
    words = {"信息内容"}
    for row in (*ACTIVE_ROWS_2019, *ACTIVE_ROWS_2021):
        words.update((row.label, row.item, *(c for _, c in row.cells)))
    return {w: _match_active_label(w, fmt) for w in dict.fromkeys(normalize(x) for x in sorted(words))}


def match_active_label(label: str, fmt: str | None) -> ActiveRow | None:
    hit = _active_official(fmt).get(label, _MISS)
    if hit is not _MISS:
        return hit  # type: ignore[no-any-return]
    return _match_active_label(label, fmt)


def _match_active_label(label: str, fmt: str | None) -> ActiveRow | None:
    text = label.replace(" ", "")
    best: ActiveRow | None = None
    at = -1
    for spec in _active_specs(fmt):
        # several row names in one glued label ("行政许可/第二十条…行政处罚2113"): the numbers
        # after it belong to the name that ends last, nearest to them
        end = max((text.rfind(k) + len(k) for k in spec.keywords if k in text), default=-1)
        if end > at:
            best, at = spec, end
    return best


_UNIT_RE = re.compile(r"^(万元|元)")


def assemble_active(cells: list[Cell], fmt: str | None) -> TableRead:
    """Walk a table-二 cell stream; rows by label, widths from the canonical columns."""
    out = TableRead()
    cur: Row | None = None
    cur_spec: ActiveRow | None = None
    last: tuple[RowCells, int] | None = None
    # row → text met before its first value that may be that value ("规章 |", "暂无 |", "0 |", "0 |")
    firsts: dict[int, tuple[Row, Cell]] = {}
    on_values = False  # the current row's label cell stands on a line of values
    dups: set[int] = set()  # rows that repeat a row already read
    after = ""  # the label that closed the last row, for numbers found outside any row

    def label(cell: Cell) -> None:
        nonlocal cur, cur_spec, on_values, after
        out.labels.append(cell.text)
        if cur is not None and cur_spec is not None and cur_spec.money and (cur.count or cur.run):
            um = _UNIT_RE.match(cell.text)
            if um:
                cur.unit = um.group(1)
        if cell.header:
            return
        spec = match_active_label(cell.text, fmt)
        if spec is None:
            if (cur is not None and cur.run is None and cell.pipe and cur.count < cur.width
                    and not _UNIT_RE.match(cell.text)
                    and _value_position(cell.text, cell.valued and (on_values or cur.count > 0), cur.count)):
                # text where a value belongs ("暂无", "1e5"): null in its own column, noted
                if id(cur) not in dups:
                    out.unreadable.append((cur.path, cur.count, cell.text, cell.start))
                cur.items.append(Item(MARK, None, cell.text, cell.start, cell.end))
                out.labels.pop()
                return
            if cur is not None and (cur.count or cur.run):
                cur = None
                after = cell.text
            elif (cur is not None and cell.pipe and not _UNIT_RE.match(cell.text)
                  and _value_position(cell.text, True, 0)):
                firsts[id(cur)] = (cur, cell)
            return
        if out.start < 0:
            out.start = cell.start
        if spec.path in out.rows:
            if cur is out.rows[spec.path] and not cur.count and cur.run is None:
                return  # the label again before any value: the same row
            # a repeat of a row already read: its cells are collected for the note (and used
            # instead when the first was entirely blank), never mixed into the first
            cur = Row(spec.path, cell.text, cell.start, len(spec.cells))
            dups.add(id(cur))
            out.duplicates.append(cur)
        else:
            cur = Row(spec.path, cell.text, cell.start, len(spec.cells))
            out.rows[spec.path] = cur
        on_values = cell.valued and cell.pipe
        cur_spec = spec

    for cell in cells:
        if cell.kind == LABEL:
            label(cell)
            continue
        if cell.kind == ROW:  # plain integers and blanks: what _take_values makes of them
            assert isinstance(cell, RowCells)
            for lab in cell.labels:
                label(lab)
            if cur is None or cur.full:
                _add_extra(out, None if cur is None else cur.path, after, _num_spans(cell))
                continue
            take = min(cur.width - cur.count, len(cell.values))
            if cur.count == 0:
                cur._src = (cell, take)
            else:
                cur.items.extend(cell.item(i) for i in range(take))
            if take < len(cell.values):
                _add_extra(out, cur.path, after, _num_spans(cell, take))
            last = (cell, take - 1)  # its end when needed (as in assemble_requests)
            continue
        if cell.kind == MARK and cur is not None:
            _unrun(cur, cell, bool(cur_spec and cur_spec.money))
        if cur is None or cur.full:
            if cell.kind == NUM:
                _add_extra(out, None if cur is None else cur.path, after, _num_spans(cell))
            continue
        left = _take_values(cur, cell, bool(cur_spec and cur_spec.money), True)
        if left:
            _add_extra(out, cur.path, after, [(s, e) for _, s, e in left])
        if last is not None:
            out.end = max(out.end, last[0].end_of(last[1]))
            last = None
        out.end = max(out.end, cell.end)
    if last is not None:
        out.end = max(out.end, last[0].end_of(last[1]))
    for row, cell in firsts.values():
        if row.run is None and row.count == row.width - 1:
            # the row is one short and the text stood where its first value belongs: null there
            row.items.insert(0, Item(MARK, None, cell.text, cell.start, cell.end))
            if id(row) not in dups:
                out.unreadable.append((row.path, 0, cell.text, cell.start))
            out.labels.remove(cell.text)
    if out.duplicates:
        _prefer_filled(out)
    return out


# ---- table 四

_REVIEW_HEADER_WORDS = ("复议", "诉讼", "维持", "纠正", "审结")
_LAST_BLOCK = f"review.{REVIEW_BLOCKS[-1]}"

def assemble_review(cells: list[Cell]) -> TableRead:
    """Table 四 is one row of 15 values under a two-level header (or three labelled blocks of
    five): values fill the blocks in order; a block label seen after values moves the fill on
    to that block."""
    out = TableRead()
    slots: list[Item | None] = []  # None: a cell of a block cut short (absent, not blank)
    width = len(REVIEW_COLUMNS)
    total = width * len(REVIEW_BLOCKS)
    run: Cell | None = None
    seen_header = False
    # the cell just before the first value, when it may be the first value itself (a lone blank or
    # text cell): taken if the values come one short of the fifteen
    before: Cell | None = None
    over: int | None = None  # where a block title says the next block begins, when the fill is past it
    for cell in cells:
        if over is not None and cell.kind != LABEL and (cell.kind != BLANK or cell.valued or type(cell) is LoneBlank):
            out.overflow += len(slots) - over  # values of the blocks above beyond their cells: not read
            _add_extra(out, f"review.{REVIEW_BLOCKS[over // width - 1]}", "",
                       [(it.start, it.end) for it in slots[over:] if it is not None and it.kind == NUM])
            del slots[over:]
            over = None
        if not slots and cell.kind in (LABEL, BLANK):
            before = cell if seen_header and not cell.header and (
                type(cell) is LoneBlank or (cell.kind == LABEL and _value_position(cell.text, True, 0))) else None
        if cell.kind == ROW:  # labels, then plain integers and blanks: their Items directly
            assert isinstance(cell, RowCells)
            if not slots and not cell.labels and _leading_pipe(cell):
                before = Cell(BLANK, "", cell.x0 - 1, cell.x0 - 1)  # " | 2 | 2 …": the first cell is blank
            for lab in cell.labels:
                if (seen_header and run is None and len(slots) < total
                        and _value_position(lab.text, True, len(slots))):
                    # text where a value belongs, before the line's numbers: null in its own column
                    out.unreadable.append((f"review.{REVIEW_BLOCKS[len(slots) // width]}", len(slots) % width,
                                           lab.text, lab.start))
                    slots.append(Item(MARK, None, lab.text, lab.start, lab.end))
                    before = None
                    continue
                out.labels.append(lab.text)
                if not seen_header and any(k in lab.text for k in _REVIEW_HEADER_WORDS):
                    seen_header = True
                    out.start = lab.start
            if not seen_header or run is not None:
                _add_extra(out, "review" if seen_header else None, "", _num_spans(cell))
                continue
            for i in range(len(cell.values)):
                if len(slots) >= total:
                    _add_extra(out, _LAST_BLOCK, "", _num_spans(cell, i))
                    break
                it = cell.item(i)
                slots.append(it)
                if it.end > out.end:
                    out.end = it.end
            continue
        if cell.kind == LABEL:
            text = cell.text
            # (before any value, only a title line of its own counts: "### 行政诉讼（…）", not a header cell)
            k = _review_block_title(text) if (slots or (seen_header and not cell.pipe)) and not cell.header \
                and run is None else 0
            if k and len(slots) < k * width:
                # a block's own title after the values of the block(s) before it ("### 行政诉讼（未经复议
                # 直接起诉）"): what follows is that block's, so a short block above stays short
                slots.extend([None] * (k * width - len(slots)))
            elif k and len(slots) > k * width:
                over = k * width  # the blocks above hold too many (a value line twice): cut when values follow
            if (seen_header and run is None and cell.pipe and not cell.header and len(slots) < total
                    and _value_position(text, cell.valued, len(slots))):
                # text where a value belongs ("暂无", "1e5"): null in its own column, noted
                out.unreadable.append((f"review.{REVIEW_BLOCKS[len(slots) // width]}", len(slots) % width,
                                       text, cell.start))
                slots.append(Item(MARK, None, text, cell.start, cell.end))
                out.end = max(out.end, cell.end)
                before = None  # taken already
                continue
            out.labels.append(text)
            if not seen_header and any(k in text for k in _REVIEW_HEADER_WORDS):
                seen_header = True
                out.start = cell.start
            continue
        if cell.kind == MARK and run is not None and not cell.pipe and run.tokens and cell.start >= run.end:
            # numbers then a standalone marker ("0 1 1 / 0 …"): separate cells, not a glued run
            slots.extend(Item(NUM, parse_number(t), t, s, e) for t, s, e in run.tokens)
            run = None
        if not seen_header or len(slots) >= total or run is not None:
            if cell.kind == NUM:
                _add_extra(out, None if not seen_header else "review" if run is not None else _LAST_BLOCK, "",
                           _num_spans(cell))
            continue
        if cell.kind == BLANK and not cell.valued and (not slots or type(cell) is not LoneBlank):
            continue  # padding (after the first value, a blank cell alone on its line is a value)
        if cell.kind == NUM and not cell.pipe and not slots and cell.tokens and len(cell.tokens) < total:
            # fewer numbers than cells: a glued run for the digit splitter
            run = cell
            out.end = cell.end
            continue
        if cell.kind == NUM:
            toks = cell.tokens or []
            room = total - len(slots)
            for t, s, e in toks[:room]:
                slots.append(Item(NUM, parse_number(t), t, s, e))
            if len(toks) > room:
                _add_extra(out, _LAST_BLOCK, "", [(s, e) for _, s, e in toks[room:]])
        elif cell.kind == MARK:
            slots.append(Item(MARK, None, cell.text, cell.start, cell.end))
        else:
            slots.append(Item(BLANK, None, "", cell.start, cell.end))
        out.end = max(out.end, cell.end)
    if run is None and len(slots) == total - 1 and before is not None:
        if before.kind == LABEL:
            if before.text in out.labels:
                out.labels.remove(before.text)
            out.unreadable.append((f"review.{REVIEW_BLOCKS[0]}", 0, before.text, before.start))
            slots.insert(0, Item(MARK, None, before.text, before.start, before.end))
        else:
            slots.insert(0, Item(BLANK, None, "", before.start, before.end))
    for k, block in enumerate(REVIEW_BLOCKS):
        row = Row(f"review.{block}", "", out.start, width)
        items = slots[k * width:(k + 1) * width]
        while items and items[-1] is None:  # cells of a block cut short by the next block's title
            items.pop()
        row.items = [it for it in items if it is not None]
        if k == 0 and run is not None:
            row.run = run
        if row.items or row.run is not None:
            out.rows[row.path] = row
    return out


def _review_block_title(text: str) -> int:
    """1 or 2 when ``text`` is the title of the second or third block of table 四 (行政诉讼 with
    its kind: 未经复议直接起诉 / 复议后起诉), else 0."""
    if "诉讼" not in text:
        return 0
    if "直接起诉" in text:
        return 1
    return 2 if "复议后起诉" in text else 0


def _leading_pipe(rc: RowCells) -> bool:
    """Whether the line of a label-less :class:`RowCells` starts with a pipe (read as a Markdown
    leading pipe, which may instead close a blank first cell)."""
    norm = rc.norm
    a = norm.rfind("\n", 0, rc.x0) + 1
    return norm[a:rc.x0].strip() == "|"


_BLANK_PIPE_ROW = re.compile(r"[ \t\u3000]*(?:\|[ \t\u3000]*){14,}")


def blank_review_row(norm: str, start: int, end: int, read: TableRead) -> bool:
    """Table 四 whose whole value row is blank (the blank official template): padding lines of
    blank cells are dropped by :func:`tokenize`, so look for one 15 cells wide after the header and
    read it as 15 nulls — never zeros. Returns whether it was found (``read`` is filled in)."""
    pos = start
    while pos < end:
        nl = norm.find("\n", pos, end)
        nl = end if nl < 0 else nl
        line = norm[pos:nl]
        if _BLANK_PIPE_ROW.fullmatch(line):
            cuts = [pos + i for i, ch in enumerate(line) if ch == "|"]
            width = len(REVIEW_COLUMNS)
            cells = cuts[: width * len(REVIEW_BLOCKS)]
            if len(cells) < width * len(REVIEW_BLOCKS):  # a Markdown-style leading pipe: 14 pipes, 15 cells
                cells = [pos, *cells]
            for k, block in enumerate(REVIEW_BLOCKS):
                row = Row(f"review.{block}", "", pos, width)
                row.items = [Item(BLANK, None, "", c, c) for c in cells[k * width:(k + 1) * width]]
                read.rows[row.path] = row
            read.end = max(read.end, nl)
            return True
        pos = nl + 1
    return False



# ------------------------------------------------------------------ fused line reader
# The plain table region (pipe rows of labels, then integers and blank cells; header lines of
# labels; one cell per line) read in one pass, one light record per line (per run of one-number
# lines), without a cell stream. :func:`fused_lines` answers None the moment a line is anything
# else, and the caller (text.parse_text) takes the general path for that table.

_DECIMAL = re.compile(r"[0-9]{1,15}\.[0-9]{1,15}")


class LineRow:
    """One line of a plain table region (starting at ``a``, cut at its pipes into ``segs``): the
    labels of its first ``k`` cells (spaces removed, as the cell stream has them), then its value
    cells, an int per number, None per blank cell, the text of a decimal (``dec``). Positions are
    worked out on demand, as :class:`RowCells` does, so a deferred location can point at
    ``(line, i)``."""

    __slots__ = ("a", "segs", "k", "labels", "values", "norm", "valued", "dec", "_spans")

    def __init__(self, a: int, segs: list[str], k: int, labels: list[str], values: list[Any],
                 norm: str, valued: bool, dec: bool) -> None:
        self.a = a
        self.segs = segs
        self.k = k
        self.labels = labels
        self.values = values
        self.norm = norm
        self.valued = valued
        self.dec = dec
        self._spans: list[tuple[int, int]] | None = None

    def start_of(self, j: int) -> int:
        """Start of label ``j`` (its text without padding)."""
        x = self.a + sum(len(t) + 1 for t in self.segs[:j])
        t = self.segs[j]
        return x + len(t) - len(t.lstrip())

    def spans(self) -> list[tuple[int, int]]:
        """(start, end) of each value cell: a number without its padding, a blank cell whole."""
        if self._spans is None:
            segs, k = self.segs, self.k
            self._spans = _value_spans(segs[k:k + len(self.values)], self.values,
                                       self.a + sum(len(t) + 1 for t in segs[:k]))
        return self._spans

    def raw(self, i: int) -> str:
        if self.values[i] is None:
            return ""
        s, e = self.spans()[i]
        return self.norm[s:e]

    def first(self) -> int:
        """Start of the line's first cell."""
        if self.labels:
            return self.start_of(0)
        return self.spans()[0][0]

    def last(self) -> int:
        """End of the line's last cell."""
        if self.values:
            segs = self.segs
            e = self.a + sum(map(len, segs)) + len(segs) - 1  # the end of the last cell's segment
            if self.values[-1] is None:
                return e
            t = segs[-1]
            return e - (len(t) - len(t.rstrip()))
        j = self.k - 1
        return self.start_of(j) + len(self.segs[j].strip())


class ColRun(LineRow):
    """Consecutive lines of one number each (one cell per line, "0 |"): one record, as the cells
    fill a row the same way whether they stand on one line or on several."""

    __slots__ = ("xs",)

    def __init__(self, x: int, seg: str, value: int, norm: str) -> None:
        super().__init__(x, [seg], 0, [], [value], norm, True, False)
        self.xs = [x]  # where each cell's segment starts

    def add(self, x: int, seg: str, value: int) -> None:
        self.xs.append(x)
        self.segs.append(seg)
        self.values.append(value)

    def spans(self) -> list[tuple[int, int]]:
        if self._spans is None:
            out = []
            for x, t in zip(self.xs, self.segs, strict=True):
                s0 = x + len(t) - len(t.lstrip())
                out.append((s0, s0 + len(t.strip())))
            self._spans = out
        return self._spans

    def last(self) -> int:
        return self.spans()[-1][1]


class GapLine(LineRow):
    """A line of labels and blank cells in any order, without a value ("行政复议 |  | 行政诉讼 |"):
    ``labels`` are its label texts; ``k`` is its number of cells (labels and blanks)."""

    __slots__ = ()

    def last(self) -> int:
        segs = self.segs
        if segs[-1].strip():
            return super().last()
        return self.a + sum(map(len, segs)) + len(segs) - 1  # a blank cell: its whole segment


def _gap_line(a: int, segs: list[str], norm: str) -> GapLine | None:
    """``segs`` (the first one a label) as a :class:`GapLine`, or None when one is a value."""
    labels = []
    for t in segs:
        st = t.strip()
        if st:
            text = _SEG_LABELS.get(st, _MISS)
            if text is _MISS:
                text = _seg_label(st)
            if not text or text is _PROSE:
                return None  # a value or a sentence (or anything the general path must see)
            labels.append(text)
    return GapLine(a, segs, len(segs), labels, [], norm, False, False)  # type: ignore[arg-type]


_VALUE = ""  # _seg_label: the cell is a value


def _seg_label(st: str) -> str | None:
    """What the cell stream makes of a stripped non-blank pipe cell before the first value: its
    label text (spaces removed), :data:`_VALUE` for a number, None for anything the fused reader
    leaves to the general path (a marker, furniture, spaced text with digits)."""
    c0 = st[0]
    if c0 in _NUM_START and ((st.isdigit() and st.isascii() and len(st) <= MAX_DIGITS) or _NUM_FULL.fullmatch(st)):
        return _VALUE
    if st in MARKERS or (c0 in _FURN_START and _FURNITURE.fullmatch(st)):
        return None
    if " " in st:
        return None if _ANY_DIGIT.search(st) else st.replace(" ", "")
    if _maybe_prose(st):
        return _PROSE
    return st


_PROSE = "\x00prose"  # _seg_label: the cell is a sentence (compared by identity)


_MEMO_MAX = 4096  # entries of each memo below (short strings only): bounded memory whatever the input
_SEG_LABELS: dict[str, str | None] = {}  # _seg_label memo: the official wordings recur in every report
_SMALL_SEG = re.compile(r" ?(0|[1-9][0-9]{0,2}) ?")  # a small integer cell: at most one space of padding
_SMALL_LINE = re.compile(r"((?:0|[1-9][0-9]{0,2}) ?)\|")  # such a cell alone on its line, with its pipe


class _SegInts(dict):  # type: ignore[type-arg]
    """A value cell as written between pipes (padding included) → its value, for the common ones
    (a blank of up to 4 spaces, an integer below 1000 with at most one space each side); anything
    else → the miss marker. Filled as cells are met (bounded), not at import: start-up stays cheap
    and the cells every report writes (0, 1, 2 …) are a dict hit after the first."""

    misses = 0  # how many times the miss marker was answered (it is never stored)

    def __missing__(self, seg: str) -> Any:
        if len(seg) > 5:
            self.misses += 1
            return _MISS
        m = _SMALL_SEG.fullmatch(seg)
        if m is None:
            if seg.strip(" ") or len(seg) > 4:
                self.misses += 1
                return _MISS
            value: int | None = None
        else:
            value = int(m.group(1))
        if len(self) < _MEMO_MAX:
            self[seg] = value
        return value


class _LineInts(dict):  # type: ignore[type-arg]
    """A line of one small number and its pipe, as one-cell-per-line tables write it →
    (segment, value); None for any other line. Filled as met (bounded), like :class:`_SegInts`."""

    def __missing__(self, line: str) -> Any:
        if len(line) > 5:
            return None
        m = _SMALL_LINE.fullmatch(line)
        hit = None if m is None else (m.group(1), int(m.group(1)))
        if len(self) < _MEMO_MAX:
            self[line] = hit
        return hit


_SEG_INT = _SegInts()
_LINE_INT = _LineInts()


# lines without values (or with zero and blank cells only) read before → (offset of the first
# cell, segments, labels count, labels, values, valued, number of segments) or None for padding: the official labels,
# paddings and rows of zeros recur in every report
_PLAIN_LINES: dict[str, tuple[int, list[str], int, list[str], list[Any], bool, int] | None] = {}


def _remember_line(line: str, reading: tuple[int, list[str], int, list[str], list[Any], bool, int] | None) -> None:
    """Keep how ``line`` was read for the next time it is met (bounded; long lines are not kept)."""
    if len(_PLAIN_LINES) < _MEMO_MAX and len(line) < 200:
        _PLAIN_LINES[line] = reading


def fused_lines(norm: str, start: int, end: int) -> tuple[list[LineRow], int] | None:
    """The lines of ``norm[start:end]`` as :class:`LineRow` records, and the number of cells the
    cell stream of :func:`scan` would have, when every line is plain: blank, page furniture
    without a pipe, a pipe line of labels followed by value cells (ASCII integers, decimals,
    blanks), a line of labels and blank cells, with or without a Markdown leading pipe, a
    Markdown separator row, or one cell per line. None for anything else (free text, headings,
    markers, signs, commas, a label after a value, …), and for an empty or oversized region."""
    out: list[LineRow] = []
    count = 0
    pos = start
    mget = _SEG_LABELS.get
    seg_ints = _SEG_INT
    seg_int = _SEG_INT.__getitem__  # a miss is the miss marker (see _SegInts)
    run: ColRun | None = None
    line_int = _LINE_INT.__getitem__
    line_memo = _PLAIN_LINES.get
    new_row = object.__new__
    segs: list[str]
    labels: list[str]
    values: list[Any]
    lr: LineRow
    k: int
    off: int
    nseg: int
    valued: bool
    for line in norm[start:end].split("\n"):
        a = pos
        n = len(line)
        pos += n + 1
        # (_LineInts answers None for a line longer than 5 without remembering it: no call for it)
        if n <= 5 and (hit := line_int(line)) is not None:
            # "0 |": one number on its own line (as below, without the cutting)
            seg, v = hit
            if run is not None and out[-1] is run:
                run.xs.append(a)  # run.add, inlined
                run.segs.append(seg)
                run.values.append(v)
            else:
                run = ColRun(a, seg, v, norm)
                out.append(run)
            count += 1
            if count >= MAX_CELLS:
                return None
            continue
        seen = line_memo(line, _MISS)
        if seen is not _MISS:  # a line without values read before (a label line, padding)
            if seen is None:
                continue
            off, segs, k, labels, values, valued, nseg = seen  # type: ignore[misc]
            # LineRow(a + off, segs, k, labels, values, norm, valued, False), without its __init__
            # frame (a third of the cost of this branch, the most taken: the same slots, set the same way)
            lr = new_row(LineRow)
            lr.a = a + off
            lr.segs = segs
            lr.k = k
            lr.labels = labels
            lr.values = values
            lr.norm = norm
            lr.valued = valued
            lr.dec = False
            lr._spans = None
            out.append(lr)
            count += nseg
            if count >= MAX_CELLS:
                return None
            continue
        if "|" not in line:
            st = line.strip()
            if not st:
                _remember_line(line, None)
                continue
            if st[0] in _FURN_START and _FURNITURE.fullmatch(st):
                continue  # page furniture: the stream has no cell for it
            if st[0] == "#" or any(not line[s0:e0].isspace() for s0, e0 in free_spans(line)):
                return None  # free text with cells (or a heading): the general path
            _remember_line(line, None)
            continue  # a sentence (a note above, inside or under the table): no cell, as scan has it
        segs = line.split("|")
        st = segs[0].strip()
        off = 0
        if not st:
            if line.replace("|", "").strip():
                # Markdown: the leading pipe opens no cell (what _pipe_cells does with it)
                off = len(segs[0]) + 1
                del segs[0]
                st = segs[0].strip()
            elif len(segs) > 3:
                _remember_line(line, None)
                continue  # blank cells only: padding, no cell
            elif len(segs) == 3:
                _remember_line(line, None)
                continue  # "||": two blank cells and nothing else, padding (as _pipe_cells has it)
            else:
                # one blank cell (one cell per line): the stream keeps it
                off = 0
                _remember_line(line, (off, [segs[-2]], 0, [], [None], False, 1))
                out.append(LineRow(a + off, [segs[-2]], 0, [], [None], norm, False, False))
                count += 1
                continue
        if not segs[-1].strip():
            segs.pop()
        if "--" in line:
            if all(_MD_SEP.fullmatch(t) or not t.strip() for t in segs) and _md_rule(segs):
                _remember_line(line, None)
                continue  # a Markdown separator row: no cell
            return None
        x = a + off
        nseg = len(segs)
        labels = []
        k = 0
        if st:
            c0 = st[0]
            # a heading, or (表…) a line that may be furniture whole: the general path
            if c0 == "#" or c0 == "表":
                return None
            if nseg == 1:
                v = seg_int(segs[0])
                if v is not None and v is not _MISS:  # one number on its own line: the run of such lines is one record
                    if run is not None and out[-1] is run:
                        run.add(x, segs[0], v)
                    else:
                        run = ColRun(x, segs[0], v, norm)
                        out.append(run)
                    count += 1
                    if count >= MAX_CELLS:
                        return None
                    continue
            while True:
                text = mget(st, _MISS)
                if text is _MISS:
                    text = _seg_label(st)
                    if len(_SEG_LABELS) < _MEMO_MAX and len(st) < 200:
                        _SEG_LABELS[st] = text
                if text is None:
                    return None
                if text is _PROSE:
                    if k or any(t.strip() for t in segs[1:]):
                        return None  # a sentence among other cells: the general path
                    break  # a sentence in a row of its own (a note row): no cell, as scan has it
                if not text:
                    break  # the first value cell
                labels.append(text)  # type: ignore[arg-type]
                k += 1
                if k == nseg:
                    break
                st = segs[k].strip()
                if not st:
                    break
            if text is _PROSE:
                _remember_line(line, None)
                continue
        misses = seg_ints.misses
        values = list(map(seg_int, segs[k:] if k else segs))
        dec = False
        if seg_ints.misses != misses:  # (_MISS in values: only a miss answers the marker)
            gap = None
            values = []
            for t in segs[k:]:
                st = t.strip()
                if not st:
                    values.append(None)
                elif st.isdigit() and st.isascii() and len(st) <= MAX_DIGITS:
                    values.append(int(st))
                elif _DECIMAL.fullmatch(st):
                    values.append(st)
                    dec = True
                elif k:  # a label after a blank cell: a header line with gaps, or the general path
                    gap = _gap_line(x, segs, norm)
                    if gap is None:
                        return None
                    break
                else:
                    return None
            if gap is not None:
                out.append(gap)
                count += nseg
                if count >= MAX_CELLS:
                    return None
                continue
        if not values:
            valued = False
        elif values[0] is not None:
            valued = True
        else:
            valued = values.count(None) < len(values)
        if not dec and not (valued and any(values)):
            # no value, or zero and blank cells only (most cells of most reports are 0 or blank,
            # and most rows of zeros are the template's): the same line next time is one lookup
            _remember_line(line, (off, segs, k, labels, values, valued, nseg))
        out.append(LineRow(x, segs, k, labels, values, norm, valued, dec))
        count += nseg
        if count >= MAX_CELLS:
            return None
    if not out:
        return None
    return out, count
