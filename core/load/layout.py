"""Shared by the HTML, Word and PDF loaders: turn paragraphs and tables (with merged cells) into
the line text that :func:`gipcheck.load.text.parse_text` reads, and remember where each line and
each cell came from.

Linearisation contract (what makes label-driven parsing right):

* a paragraph is one line; a table row is one pipe line ``cell | cell | cell |``;
* a cell spanning several columns is written once (no padding), so a row reads
  ``labels… | values…`` exactly as in the official template;
* a cell continued from the row above (``rowspan`` / Word ``vMerge``) is left out when it is a
  label (the row keeps its own labels and its values in column order), and written as a blank
  cell when it is a value (blank stays blank — never 0 — and the value columns keep their order);
* a table holding nested tables, or a single-column table, is a layout frame: its contents are
  written as paragraphs and tables in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from gipcheck.errors import LoadError

# CJK characters and full-width punctuation: spaces next to them are layout, not content.
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0\u3000]+|[ \t\u00a0\u3000]+(?=[{_CJK}])")
_WS = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_VALUEISH = re.compile(r"^[-−+]?[\d０-９][\d０-９,，.．]*(?:%|％)?$")
# A footnote mark set as a superscript after a cell's value: "1", "[1]", "*", "注1", circled digits.
NOTE_MARK = re.compile(r"[\[［(（]?(?:注\s*)?(?:\d{1,2}|[*＊※†‡]{1,3}|[\u2460-\u2473])[\]］)）]?")
_MARKERS = frozenset({"/", "／", "-", "－", "—", "——", "–", "无", "\\", "×", "—/—"})


def clean_inline(text: str) -> str:
    """Collapse whitespace runs to one space and trim (HTML/Word run text)."""
    return _WS.sub(" ", text).strip()


_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0\u3000]+(?=[{_CJK}])")


def squeeze_cjk(text: str, *, keep_number_gaps: bool = False) -> str:
    """Drop spaces that only separate CJK characters from their neighbours (PDF and wrapped cell
    text: ``总 计`` → ``总计``, ``2023 年`` → ``2023年``); spaces between Latin words or between
    two numbers stay. ``keep_number_gaps`` keeps the space between a label and a number (a printed
    table row: ``规章 1 0 11``)."""
    return (_SPACE_BETWEEN_CJK if keep_number_gaps else _SPACE_NEAR_CJK).sub("", text)


def join_cell_lines(parts: list[str]) -> str:
    """Join the lines of one cell: no separator between CJK characters (a label wrapped in its
    cell), one space otherwise."""
    out = ""
    for p in parts:
        p = clean_inline(p)
        if not p:
            continue
        if out and not (re.match(rf"[{_CJK}]", out[-1]) or re.match(rf"[{_CJK}]", p[0])):
            out += " "
        out += p
    return out


def is_value_text(text: str) -> bool:
    """A cell that holds a number or a null marker (not a label)."""
    t = text.strip()
    return bool(_VALUEISH.match(t.replace(" ", ""))) or t in _MARKERS


def safe_cell(text: str) -> str:
    """Cell or line text that cannot break the pipe syntax."""
    return text.replace("|", "｜").replace("\n", " ").replace("\r", " ")


# ---------------------------------------------------------------- the grid of one table

@dataclass
class Cell:
    """One cell as the source declares it. ``continues`` marks a Word ``vMerge`` continuation
    cell (its text belongs to the cell above); ``blocks`` holds nested tables/paragraphs."""

    text: str
    colspan: int = 1
    rowspan: int = 1
    continues: bool = False
    origin: dict[str, Any] = field(default_factory=dict)
    has_nested: bool = False
    phantom: bool = False  # grid space that is no cell (Word gridBefore/gridAfter): never written


@dataclass(slots=True)
class Slot:
    """One grid position: the cell that starts here, or the cell that covers it from the left
    (``across``) or from above (``from_above``)."""

    cell: Cell | None
    across: bool = False
    from_above: bool = False


def _fill_pending(pending: dict[tuple[int, int], Cell], r: int, c: int, out: list[Slot], max_cols: int) -> int:
    """Place the cells spanning down into row ``r`` from column ``c`` on; return the next column."""
    while (r, c) in pending and c < max_cols:
        origin = pending.pop((r, c))
        out.append(Slot(origin, from_above=True))
        c += 1
        while (r, c) in pending and pending[(r, c)] is origin:
            pending.pop((r, c))
            out.append(Slot(origin, across=True, from_above=True))
            c += 1
    return c


MAX_GRID_SLOTS = 250_000  # grid positions of one table: the report's tables have a few hundred
MAX_DOC_GRID_SLOTS = 2_000_000  # grid positions of all tables of one document


def _too_big(limit: int) -> LoadError:
    return LoadError("LIMIT", f"表格过大或过多（展开合并单元格后超过 {limit} 格），疑为异常文件，未读取",
                     f"tables too large or too many (over {limit} grid cells once merged cells are expanded); "
                     "possibly a hostile file, not read")


def build_grid(rows: list[list[Cell]], *, max_cols: int = 512, max_slots: int = MAX_GRID_SLOTS) -> list[list[Slot]]:
    """Place declared cells on the grid, honouring ``colspan``, ``rowspan`` and ``continues``.
    A ``rowspan`` stops at the last row (as in browsers); more than ``max_slots`` grid
    positions raise ``LoadError LIMIT`` (memory stays bounded whatever the spans claim)."""
    grid: list[list[Slot]] = []
    pending: dict[tuple[int, int], Cell] = {}  # (row, col) -> cell spanning down into it
    slots = 0
    for r, row in enumerate(rows):
        if r:
            slots += len(grid[-1])
            if slots > max_slots:
                raise _too_big(max_slots)
        out: list[Slot] = []
        c = _fill_pending(pending, r, 0, out, max_cols)
        for cell in row:
            c = _fill_pending(pending, r, c, out, max_cols)
            if c >= max_cols:
                break
            span = max(1, min(cell.colspan, max_cols - c))
            if cell.continues:
                above = grid[r - 1][c].cell if r > 0 and c < len(grid[r - 1]) else None
                if above is not None:
                    out.append(Slot(above, from_above=True))
                    out.extend(Slot(above, across=True, from_above=True) for _ in range(span - 1))
                    c += span
                    continue
                cell.continues = False  # a continuation with nothing above starts a cell
            out.append(Slot(cell))
            out.extend(Slot(cell, across=True) for _ in range(span - 1))
            down = max(1, min(cell.rowspan, len(rows) - r))
            slots += (down - 1) * span
            if slots > max_slots:
                raise _too_big(max_slots)
            for dr in range(1, down):
                for dc in range(span):
                    pending[(r + dr, c + dc)] = cell
            c += span
        _fill_pending(pending, r, c, out, max_cols)
        grid.append(out)
    return grid


def label_columns(grid: list[list[Slot]]) -> set[int]:
    """Grid columns that are label space: in the rows that hold values, they hold label text
    more often than values. Header rows (no values) do not count, so a value column is never
    label space even when nothing in it is filled."""
    labels: dict[int, int] = {}
    values: dict[int, int] = {}
    for row in grid:
        own = [(c, s.cell.text.strip()) for c, s in enumerate(row)
               if s.cell is not None and not s.across and not s.from_above and s.cell.text.strip()]
        if not any(is_value_text(t) for _, t in own):
            continue
        for c, t in own:
            d = values if is_value_text(t) else labels
            d[c] = d.get(c, 0) + 1
    return {c for c, n in labels.items() if n > values.get(c, 0)}


def row_cells(slots: list[Slot], label_cols: set[int] | frozenset[int] = frozenset(),
              full_width: int | None = None) -> list[tuple[str, dict[str, Any]]]:
    """The cells one grid row contributes to its pipe line (see the module contract). Blank cells
    in ``label_cols`` (see :func:`label_columns`) are empty label space and left out."""
    out: list[tuple[str, dict[str, Any]]] = []
    valued = any(s.cell is not None and not s.across and not s.from_above and is_value_text(s.cell.text)
                 for s in slots)
    if full_width is not None and sum(1 for c, s in enumerate(slots) if not s.from_above or c in label_cols) >= full_width:
        valued = False  # its own cells and labels fill the table: what spans into it pushed it wider, not aside
    for c, s in enumerate(slots):
        if s.cell is None:
            if c not in label_cols:
                out.append(("", {}))
            continue
        if s.across or s.cell.phantom:
            continue
        if c in label_cols and not s.cell.text.strip():
            continue
        if s.from_above:
            text = s.cell.text.strip()
            if text and not is_value_text(text) and (c in label_cols or not valued):
                continue  # a spanned label: this row keeps its own labels
            out.append(("", dict(s.cell.origin, spanned=True)))
            continue
        out.append((s.cell.text, s.cell.origin))
    return out


# ---------------------------------------------------------------- the linear text

@dataclass
class _Line:
    text: str
    origin: dict[str, Any]
    cells: list[tuple[int, int, dict[str, Any]]] | None = None  # (start col, end col, origin), 1-based


class Linear:
    """Collects lines and their origins; :meth:`origin` is the ``origin`` callback for
    ``parse_text`` (``origin(line)`` or ``origin(line, col)`` for the cell under ``col``)."""

    def __init__(self) -> None:
        self.lines: list[_Line] = []
        self.grid_budget = MAX_DOC_GRID_SLOTS  # grid positions the remaining tables may use

    def __len__(self) -> int:
        return len(self.lines)

    def para(self, text: str, origin: dict[str, Any],
             parts: list[tuple[int, int, dict[str, Any]]] | None = None) -> None:
        """One prose line; ``parts`` optionally maps column ranges to finer origins (a PDF
        paragraph joined from several printed lines)."""
        text = safe_cell(text).strip()
        if text:
            self.lines.append(_Line(text, origin, parts))

    def row(self, cells: list[tuple[str, dict[str, Any]]], origin: dict[str, Any]) -> None:
        if not cells:
            return
        parts: list[str] = []
        spans: list[tuple[int, int, dict[str, Any]]] = []
        pos = 1  # where this cell's text starts
        region = 1  # the cell owns the columns from after the previous pipe to before its own
        for text, org in cells:
            t = safe_cell(text).strip()
            pipe = pos + len(t) + 1  # "text |"
            spans.append((region, pipe - 1, org))
            parts.append(t)
            region = pipe + 1
            pos = pipe + 2
        self.lines.append(_Line(" | ".join(parts) + " |", origin, spans))

    def text(self) -> str:
        return "\n".join(line.text for line in self.lines) + "\n"

    def origin(self, line: int, col: int | None = None) -> dict[str, Any]:
        """Where 1-based ``line`` (and, for a table row, the cell at 1-based ``col``) came from."""
        if not 1 <= line <= len(self.lines):
            return {}
        ln = self.lines[line - 1]
        if col is not None and ln.cells:
            for start, end, org in ln.cells:
                if start <= col <= end:
                    return dict(org) if org else dict(ln.origin)
        return dict(ln.origin)


def emit_table(lin: Linear, rows: list[list[Cell]], table_origin: dict[str, Any],
               row_origin: Any) -> None:
    """Write a non-layout table: one pipe line per grid row. ``row_origin(r)`` gives the origin
    of row ``r`` (0-based)."""
    if lin.grid_budget < MAX_GRID_SLOTS:  # the document's tables together are near their limit
        try:
            grid = build_grid(rows, max_slots=max(lin.grid_budget, 0))
        except LoadError:
            raise _too_big(MAX_DOC_GRID_SLOTS) from None
    else:
        grid = build_grid(rows)
    lin.grid_budget -= sum(len(r) for r in grid)
    label_cols = label_columns(grid)
    full = max((sum(1 for s in slots if not s.from_above) for slots in grid), default=0)
    for r, slots in enumerate(grid):
        cells = row_cells(slots, label_cols, full)
        if cells:
            lin.row(cells, row_origin(r))
