"""Tables 二, 三 and 四 of Shanghai's PDF layout, placed by label where the label is unambiguous
and by the canonical order of rows where the converter cut the label away from its values.

Every cell placed keeps its source (line, column, raw text); rows placed by order say so in the
location (``placed_by: order``) and in a loader note, and the table's own sums are checked after
placement. A cell the report leaves blank is None; a cell that cannot be placed is absent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from gipcheck.document.canon import (
    REQUEST_COLUMNS,
    REVIEW_BLOCKS,
    REVIEW_COLUMNS,
    ActiveRow,
    RowSpec,
    pointer,
)
from gipcheck.load.base import Location, Note

from gipcheck_shanghai.cells import Cell, cells_of, is_noise, is_table_row, normalise_label, number_of


@dataclass
class TableResult:
    """What one table parser found: values by dotted path, their locations, labels seen, notes."""

    values: dict[str, Any] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    prose_lines: list[int] = field(default_factory=list)  # line indexes that are prose, not table
    last_value_line: int | None = None  # line index of the last table value


def _set(result: TableResult, path: str, key: str, cell: Cell | None, value: Any, *, by_order: bool = False,
         raw: str | None = None) -> None:
    result.values.setdefault(path, {})[key] = value
    if cell is not None:
        extra = {"placed_by": "order"} if by_order else None
        result.locations[pointer(path, key)] = Location(cell.line, cell.col, raw or cell.text, extra=extra)


def _is_prose(text: str) -> bool:
    t = text.strip()
    return t.startswith("注") or ("。" in t and not is_table_row(t))


# ------------------------------------------------------------------------------------------ table 二
_COLUMN_HINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("in_force", ("现行有效",)),
    ("repealed", ("失效", "废止")),
    ("issued", ("修订", "修改", "新制定", "制发", "新增")),
)


def _hint_column(note: str) -> str | None:
    """Which 第二十条第（一）项 column a note inside a cell speaks of: '其中修订 16 件' breaks
    down 本年制发, '含自然失效 29 件' breaks down 本年废止."""
    for column, words in _COLUMN_HINTS:
        if any(w in note for w in words):
            return column
    return None


def _active_row_of(label: str, rows: Sequence[ActiveRow]) -> ActiveRow | None:
    norm = normalise_label(label)
    found = [r for r in rows if any(k in norm for k in r.keywords)]
    return found[0] if len(found) == 1 else None


def _table_lines(lines: list[str], start: int, end: int, res: TableResult) -> Iterator[tuple[int, str]]:
    """The lines of a table between ``start`` and ``end`` that may hold cells: page furniture is
    skipped, and prose lines are kept aside in ``res.prose_lines`` (they belong to the section text)."""
    for i in range(start + 1, end):
        text = lines[i]
        if is_noise(text):
            continue
        if _is_prose(text):
            res.prose_lines.append(i)
            continue
        yield i, text


def parse_active(lines: list[str], start: int, end: int, rows: Sequence[ActiveRow]) -> TableResult:
    """Table 二 between line indexes ``start`` and ``end``."""
    res = TableResult()
    short: list[tuple[ActiveRow, list[Cell]]] = []
    orphans: list[tuple[Cell, str]] = []  # a value cut out of its row, with the note under it
    pending: ActiveRow | None = None
    for i, text in _table_lines(lines, start, end, res):
        stripped = text.strip()
        if stripped.startswith("（") and stripped.endswith("）") and not is_table_row(text):
            if orphans and not orphans[-1][1]:
                orphans[-1] = (orphans[-1][0], stripped)  # the note written under a value in its cell
            continue
        cells = [c for c in cells_of(text, i + 1) if not c.is_empty]
        numbers = [c for c in cells if c.is_number]
        label = "".join(c.text for c in cells if not c.is_number)
        if not numbers:
            row = _active_row_of(label, rows)
            if row is not None:
                pending = row  # its values follow on the next line
                res.labels.append(label)
            continue
        row = _active_row_of(label, rows) if label else pending
        pending = None
        if row is None:
            if label == "" and len(numbers) == 1:
                orphans.append((numbers[0], ""))
            continue
        if label:
            res.labels.append(label)
        res.last_value_line = i
        wanted = [k for k, _ in row.cells]
        if len(numbers) >= len(wanted):
            for key, cell in zip(wanted, numbers, strict=False):
                _set(res, row.path, key, cell, number_of(cell.text))
        else:
            short.append((row, numbers))
    for row, numbers in short:
        wanted = [k for k, _ in row.cells]
        missing = len(wanted) - len(numbers)
        placed: dict[str, tuple[Cell, str]] = {}
        while missing and orphans:
            cell, note = orphans[0]
            column = _hint_column(note)
            if column is None or column not in wanted or column in placed:
                break
            orphans.pop(0)
            placed[column] = (cell, note)
            missing -= 1
        rest = [k for k in wanted if k not in placed]
        if len(rest) != len(numbers):
            res.notes.append(Note(
                "SH_T2_CELLS_UNPLACED", f"表二“{row.label}”行只找到 {len(numbers)} 个数，无法确定所在列，未填入",
                f"table 2 row {row.label}: only {len(numbers)} values and no way to tell their columns; left out",
                pointer=pointer(row.path)))
            continue
        for key, (cell, note) in placed.items():
            _set(res, row.path, key, cell, number_of(cell.text), raw=cell.text + note)
            res.notes.append(Note(
                "SH_T2_NOTE_IN_CELL", f"表二“{row.label}”{dict(row.cells)[key]}格含说明“{note}”，取数 {cell.text}",
                f"table 2 {row.label}: the cell holds a note {note!r}; value {cell.text}",
                pointer=pointer(row.path, key), line=cell.line, level="info"))
        for key, cell in zip(rest, numbers, strict=True):
            _set(res, row.path, key, cell, number_of(cell.text))
        got = res.values.get(row.path, {})
        res.values[row.path] = {k: got[k] for k in wanted if k in got}  # keep the official column order
    for cell, note in orphans:
        res.notes.append(Note("SH_T2_STRAY_VALUE", f"表二中有无法归属的数 {cell.text}{note}",
                              f"table 2: a value {cell.text}{note} that belongs to no row", line=cell.line))
    return res


# ------------------------------------------------------------------------------------------ table 三
@dataclass
class ValueRow:
    label: str
    cells: list[Cell | None]  # 7 cells; None = a blank cell written as an empty table cell
    anchor_cell: Cell
    line: int  # 0-based index
    spec: int | None = None  # canonical row index from the label


def _value_run(cells: list[Cell], md: bool) -> tuple[str, list[Cell | None]] | None:
    """The label and the 7 value cells of a table-三 line, or None when it is not a value row."""
    idx = [k for k, c in enumerate(cells) if c.is_number]
    if not idx:
        return None
    first, last = idx[0], idx[-1]
    run = cells[first:last + 1]
    if any(not (c.is_number or c.is_empty) for c in run):
        return None
    values: list[Cell | None] = [c if c.is_number else None for c in run]
    if md and len(values) == 6 and last + 1 < len(cells) and cells[last + 1].is_empty:
        values.append(None)  # the 总计 cell left blank
    if len(values) != 7:
        return None
    label = "".join(c.text for c in cells[:first] if not c.is_empty)
    return label, values


_ROW_START = re.compile(r"(?:[一二三四]、|[（(][一二三四五六七][）)]|\d{1,2}[.．、])")


def own_label(label: str) -> str:
    """A row's own label without the group-heading fragments the PDF glued in front of it
    ("（三）不4.保护第三方合法权益" → "4.保护第三方合法权益", "三、（一）予以公开" → "（一）予以公开")."""
    starts = [m.start() for m in _ROW_START.finditer(label)]
    return label[starts[-1]:] if starts else label


def match_request_row(label: str, specs: Sequence[RowSpec]) -> int | None:
    """Index of the canonical row a label names, by its longest keyword; None when ambiguous."""
    norm = normalise_label(label)
    if not norm:
        return None
    scored: list[tuple[int, int]] = []
    for i, spec in enumerate(specs):
        best = max((sum(len(k) for k in kw) for kw in spec.keywords if all(k in norm for k in kw)), default=0)
        if best:
            scored.append((best, i))
    if not scored:
        return None
    scored.sort(reverse=True)
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return None
    return scored[0][1]


def parse_requests(lines: list[str], start: int, end: int, specs: Sequence[RowSpec], *,
                   place_by_order: bool = True) -> TableResult:
    """Table 三 between line indexes ``start`` and ``end`` (exclusive). ``place_by_order=False``
    (setting ``shanghai.place_by_order``): value rows cut from their labels are left out, not placed
    by the official row order — their cells stay absent and a warning note says how many."""
    res = TableResult()
    rows: list[ValueRow] = []
    header_text: list[str] = []
    for i, text in _table_lines(lines, start, end, res):
        md = is_table_row(text)
        cells = cells_of(text, i + 1)
        found = _value_run(cells, md)
        if found is None:
            numbers = [c for c in cells if c.is_number]
            if numbers:
                res.notes.append(Note(
                    "SH_T3_STRAY_VALUE", f"表三第 {i + 1} 行有不成行的数“{' '.join(c.text for c in numbers)}”，已忽略",
                    f"table 3 line {i + 1}: stray value(s) {' '.join(c.text for c in numbers)} ignored",
                    line=i + 1, level="info"))
            header_text.append("".join(c.text for c in cells))
            continue
        label, values = found
        anchor = next(c for c in values if c is not None)
        spec = match_request_row(label, specs)
        rows.append(ValueRow(label, values, anchor, i, spec))
        if spec is not None and (_ROW_START.search(label) or specs[spec].group is None):
            res.labels.append(own_label(label))  # a fragment cut from a wrapped label is not the report's wording
    res.last_value_line = rows[-1].line if rows else None
    _note_balance_text(res, header_text)
    assignment = _align(rows, len(specs), res)
    by_order = left_out = 0
    for row, k in zip(rows, assignment, strict=True):
        if k is None:
            continue
        spec = specs[k]
        ordered = row.spec is None
        if ordered and not place_by_order:
            left_out += 1
            continue
        by_order += ordered
        for column, cell in zip(REQUEST_COLUMNS, row.cells, strict=True):
            if cell is None:
                res.values.setdefault(spec.path, {})[column] = None
                res.locations[pointer(spec.path, column)] = Location(row.anchor_cell.line, None, "", extra={
                    "blank": True})
            else:
                _set(res, spec.path, column, cell, number_of(cell.text), by_order=ordered)
    if by_order:
        res.notes.append(Note(
            "SH_T3_PLACED_BY_ORDER",
            f"表三有 {by_order} 行数值与行名被拆开，已按官方表格行序放置，并用表内勾稽关系核对",
            f"table 3: {by_order} value rows were cut from their labels and placed by the official row "
            "order, then checked against the table's own sums", level="info"))
    if left_out:
        res.notes.append(Note(
            "SH_T3_NOT_PLACED",
            f"表三有 {left_out} 行数值与行名被拆开，按设置 shanghai.place_by_order = false 未按行序放置，这些单元格未读取",
            f"table 3: {left_out} value rows were cut from their labels and, with shanghai.place_by_order = false, "
            "were not placed by the official row order; their cells are not read"))
    res.notes.extend(_check_requests(res.values, specs))
    return res


def _note_balance_text(res: TableResult, header_text: list[str]) -> None:
    """Keep the 勾稽 note of the header when both of its halves survive the cut."""
    joined = "".join(header_text)
    if "第一项加第二项" in joined and "等于第三项加第四项之和" in joined:
        res.labels.append("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")


def _align(rows: list[ValueRow], n_specs: int, res: TableResult) -> list[int | None]:
    """Give each value row a canonical row: labelled rows are anchors (kept while increasing),
    the rows between two anchors fill the canonical rows between them when the counts agree."""
    assignment: list[int | None] = [None] * len(rows)
    last = -1
    anchors: list[tuple[int, int]] = [(-1, -1)]
    for pos, row in enumerate(rows):
        if row.spec is not None and row.spec > last and pos - anchors[-1][0] <= row.spec - last:
            assignment[pos] = row.spec
            anchors.append((pos, row.spec))
            last = row.spec
        elif row.spec is not None:
            row.spec = None  # an out-of-order label: treat the row as unlabelled
    anchors.append((len(rows), n_specs))
    for (p0, s0), (p1, s1) in zip(anchors, anchors[1:], strict=False):
        between = list(range(p0 + 1, p1))
        slots = list(range(s0 + 1, s1))
        if len(between) == len(slots):
            for pos, k in zip(between, slots, strict=True):
                assignment[pos] = k
        elif between or slots:
            res.notes.append(Note(
                "SH_T3_ROWS_UNPLACED",
                f"表三有 {len(between)} 行数值对应 {len(slots)} 个官方行，无法确定对应关系，未填入",
                f"table 3: {len(between)} value rows for {len(slots)} canonical rows; left unplaced"))
    return assignment


def _v(values: dict[str, Any], path: str, column: str) -> int | None:
    x = values.get(path, {}).get(column)
    return x if isinstance(x, int) else None


def _check_requests(values: dict[str, Any], specs: Sequence[RowSpec]) -> list[Note]:
    """The table's own arithmetic after placement: a failure here means the placement or the
    report is wrong, and the rules will name the cells; the note says which."""
    notes: list[Note] = []
    results = [s.path for s in specs if s.path.startswith("requests.results.") and s.path != "requests.results.total"]
    for column in REQUEST_COLUMNS:
        new, carried = _v(values, "requests.new", column), _v(values, "requests.carried_over", column)
        total, forward = _v(values, "requests.results.total", column), _v(values, "requests.carry_forward", column)
        parts = [_v(values, p, column) for p in results]
        if None not in parts and total is not None and sum(parts) != total:  # type: ignore[arg-type]
            notes.append(Note("SH_T3_CHECK_RESULT_SUM", f"表三{column}列：各办理结果之和 {sum(parts)} ≠（七）总计 {total}",  # type: ignore[arg-type]
                              f"table 3 column {column}: results add up to {sum(parts)}, (七) says {total}"))  # type: ignore[arg-type]
        if None not in (new, carried, total, forward) and new + carried != total + forward:  # type: ignore[operator]
            notes.append(Note("SH_T3_CHECK_BALANCE", f"表三{column}列：第一项加第二项 ≠ 第三项加第四项",
                              f"table 3 column {column}: new + carried over != results + carried forward"))
    return notes


# ------------------------------------------------------------------------------------------ table 四
# Header words of table 四 as the template prints them; the PDF cuts them in halves stacked in
# columns ("结果" over "维持"), so only whole words are kept as the report's labels.
_REVIEW_WORDS = frozenset({"行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉", "结果维持", "结果纠正",
                           "其他结果", "尚未审结", "总计"})


def parse_review(lines: list[str], start: int, end: int) -> TableResult:
    """Table 四: its 15 values in the official order, wherever the converter broke the lines."""
    res = TableResult()
    cells: list[Cell | None] = []
    for i in range(start + 1, end):
        text = lines[i]
        if len(cells) >= 15 or is_noise(text):
            if len(cells) >= 15 and not is_noise(text):
                res.prose_lines.append(i)
            continue
        row = cells_of(text, i + 1)
        if is_table_row(text):
            nums = [k for k, c in enumerate(row) if c.is_number]
            if nums:
                run = row[nums[0]:nums[-1] + 1]
                if all(c.is_number or c.is_empty for c in run):
                    cells.extend(c if c.is_number else None for c in run)
                    res.last_value_line = i
                    continue
            res.labels.extend(c.text for c in row if c.text in _REVIEW_WORDS)
            continue
        if row and all(c.is_number for c in row):
            cells.extend(row)
            res.last_value_line = i
            continue
        if _is_prose(text):
            res.prose_lines.append(i)
        elif text.strip() in _REVIEW_WORDS:
            res.labels.append(text.strip())
    if len(cells) < 15:
        res.notes.append(Note("SH_T4_INCOMPLETE", f"表四只找到 {len(cells)} 个数（应为 15 个），未填入",
                              f"table 4: only {len(cells)} of 15 values found; left out"))
        return res
    if len(cells) > 15:
        res.notes.append(Note("SH_T4_EXTRA", f"表四找到 {len(cells)} 个数，只取前 15 个",
                              f"table 4: {len(cells)} values, the first 15 used"))
    k = 0
    for block in REVIEW_BLOCKS:
        for column in REVIEW_COLUMNS:
            cell = cells[k]
            k += 1
            path = "review." + block
            if cell is None:
                res.values.setdefault(path, {})[column] = None
            else:
                _set(res, path, column, cell, number_of(cell.text))
    for block in REVIEW_BLOCKS:
        b = res.values["review." + block]
        parts = [b.get(c) for c in REVIEW_COLUMNS[:4]]
        if all(isinstance(x, int) for x in parts) and isinstance(b.get("total"), int) and sum(parts) != b["total"]:
            res.notes.append(Note("SH_T4_CHECK_SUM", f"表四{block}：四项之和 {sum(parts)} ≠ 总计 {b['total']}",
                                  f"table 4 {block}: parts add up to {sum(parts)}, total says {b['total']}"))
    return res
