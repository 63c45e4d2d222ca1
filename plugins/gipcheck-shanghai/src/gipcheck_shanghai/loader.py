"""Load a Shanghai-layout report into the canonical document.

The plugin does only what is Shanghai's own: which lines form which canonical section, and where
the table cells are. Metadata (organ, year, period, dates, cited documents) and the numbers stated
in the prose come from the core's own extractors, run over the same text and the sections found
here, so a Shanghai report is read with the same phrasing rules as every other report.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from gipcheck.document.canon import SECTION_TITLES, active_rows, request_rows
from gipcheck.document.gazetteer import classify_organ
from gipcheck.errors import LoadError
from gipcheck.load.base import LoadedReport, Location, Note
from gipcheck.textwidth import display_width

from gipcheck_shanghai import DEFAULTS, LOADER_NAME, PLACE_BY_ORDER, core_bridge
from gipcheck_shanghai.cells import is_noise
from gipcheck_shanghai.layout import Part, map_parts
from gipcheck_shanghai.tables import TableResult, parse_active, parse_requests, parse_review


def decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise LoadError("ENCODING", "无法识别文件编码（应为 UTF-8 或 GB18030）",
                    "cannot decode the file (expected UTF-8 or GB18030)")


def _title(lines: list[str]) -> tuple[str | None, int | None]:
    """The title, which the PDF converter breaks over two or three short lines under '正文'."""
    parts: list[str] = []
    first: int | None = None
    for i, raw in enumerate(lines[:12]):
        t = raw.strip()
        if not t or t in ("正文", "目录") or is_noise(t):
            if parts:
                break
            continue
        if len(t) > 40 or t.startswith(("根据", "本年度", "本报告", "依据")):
            break
        first = i if first is None else first
        parts.append(t)
        if t.endswith("年度报告"):
            break
    title = "".join(parts)
    return (title or None), first


def _organ_from_title(title: str | None) -> str | None:
    if not title:
        return None
    m = re.match(r"^\s*(?:\d{4}\s*年度?)?\s*(.+?)\s*(?:\d{4}\s*年度?)?\s*政府信息公开(?:工作)?年度报告", title)
    if not m:
        return None
    return m.group(1).strip()


_SENTENCE_END = "。！？；：”」）)"
_NEW_PARAGRAPH = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、|[一二三四五六七八九十]是|\d+[.．、]|注[:：])")


def join_wrapped(lines: list[str], idx: list[int]) -> tuple[str, list[int]]:
    """Prose of the given lines with the PDF's line wraps undone (a line that does not end a
    sentence continues on the next one), and for each character of the result its 0-based line."""
    out: list[str] = []
    where: list[int] = []
    kept = [lines[i].strip() for i in idx if lines[i].strip() and not is_noise(lines[i])]
    widths = sorted(display_width(t) for t in kept)
    full = widths[len(widths) * 3 // 4] if widths else 0  # a full PDF line: a shorter one ends its paragraph
    prev = ""
    for i in idx:
        t = lines[i].strip()
        if not t or is_noise(t):
            continue
        if out:
            wrapped = prev[-1] not in _SENTENCE_END and display_width(prev) >= 0.85 * full and not _NEW_PARAGRAPH.match(t)
            sep = "" if wrapped else "\n"
            out.append(sep)
            where.extend([i] * len(sep))
        out.append(t)
        where.extend([i] * len(t))
        prev = t
    return "".join(out), where


@dataclass
class Section:
    number: int
    title: str
    lines: list[int]


def _sections(lines: list[str], parts: list[Part], tables: dict[int, TableResult],
              notes: list[Note]) -> list[Section]:
    out: list[Section] = []
    have = {p.number for p in parts}
    for p in parts:
        body = list(range(p.start + 1, p.end))
        table = tables.get(p.number)
        if table is None:
            out.append(Section(p.number, p.title, body))
            continue
        prose = sorted(set(table.prose_lines))
        tail = [i for i in prose if table.last_value_line is not None and i > table.last_value_line]
        # the 问题 part whose heading the converter lost sits right after table 四
        if p.number == 4 and 5 not in have and tail and re.search(
                "问题|改进", "".join(lines[i] for i in tail)):
            out.append(Section(4, p.title, [i for i in prose if i not in tail]))
            out.append(Section(5, SECTION_TITLES[5], tail))
            notes.append(Note(
                "SH_SECTION5_HEADING_INFERRED",
                f"第 {tail[0] + 1} 行起的“问题及改进”部分没有标题（PDF 转换丢失），按位置认定为第五部分",
                f"the 问题/改进 part from line {tail[0] + 1} has no heading (lost in PDF conversion); "
                "taken as section 5 by its place", line=tail[0] + 1, level="info"))
            continue
        out.append(Section(p.number, p.title, prose))
    return out


def _line_offsets(text: str) -> list[int]:
    """Character offset of the start of each line (and one past the end)."""
    out = [0]
    for line in text.splitlines(keepends=True):
        out.append(out[-1] + len(line))
    return out


def _location(text: str, offsets: list[int], start: int, end: int) -> Location:
    line = max(0, bisect.bisect_right(offsets, start) - 1)
    return Location(line + 1, start - offsets[line] + 1, text[start:end])


def _put(document: dict[str, Any], path: str, row: dict[str, Any]) -> None:
    node = document
    keys = path.split(".")
    for k in keys[:-1]:
        node = node.setdefault(k, {})
    node.setdefault(keys[-1], {}).update(row)


def load_text(text: str, *, source: str | None = None, data: bytes | None = None,
              fact_files: tuple[str, ...] = (), place_by_order: bool = True) -> LoadedReport:
    """Read the text of a Shanghai-layout report. Raises :class:`LoadError` when it is not one."""
    lines = text.splitlines()
    parts, restarts = map_parts(lines)
    numbers = {p.number for p in parts}
    if not {2, 3}.issubset(numbers):
        raise LoadError("NOT_A_REPORT", "未找到上海版式年报的表格部分（主动公开、依申请公开）",
                        "no table parts (主动公开, 依申请公开) of a Shanghai-layout report found")
    notes: list[Note] = []
    offsets = _line_offsets(text)
    meta, meta_where = core_bridge.meta_of(text, offsets[parts[0].start])
    title, title_line = _title(lines)
    if title and (meta.get("title") or "").replace(" ", "") != title.replace(" ", ""):
        meta["title"] = title  # the converter breaks the title over short lines under “正文”
        meta_where["/meta/title"] = (offsets[title_line or 0], offsets[title_line or 0] + len(title))
    organ = meta.get("organ") or _organ_from_title(meta.get("title"))
    if organ and organ != meta.get("organ"):
        meta["organ"] = organ
        meta["organ_kind"], meta["organ_level"], meta["region"] = classify_organ(organ)
    meta["source"] = {"path": source, "media_type": "text/plain", "encoding": "utf-8",
                      "sha256": hashlib.sha256(data if data is not None else text.encode()).hexdigest(),
                      "loader": LOADER_NAME}
    document: dict[str, Any] = {"meta": meta}
    tables: dict[int, TableResult] = {}
    locations: dict[str, Location] = {ptr: _location(text, offsets, s, e) for ptr, (s, e) in meta_where.items()}
    labels: dict[str, list[str]] = {"active": [], "requests": [], "review": [], "notes": []}
    fmt = "2021"
    for p in parts:
        if p.number == 2:
            tables[2] = parse_active(lines, p.start, p.end, active_rows("2021"))
            fmt = core_bridge.format_of(tables[2].labels, [], meta.get("cited") or [], meta.get("year"))
            if fmt == "2019":
                tables[2] = parse_active(lines, p.start, p.end, active_rows(fmt))
        elif p.number == 3:
            tables[3] = parse_requests(lines, p.start, p.end, request_rows(fmt), place_by_order=place_by_order)
        elif p.number == 4:
            tables[4] = parse_review(lines, p.start, p.end)
    meta["format"] = fmt
    for number, key in ((2, "active"), (3, "requests"), (4, "review")):
        t = tables.get(number)
        if t is None:
            continue
        for path, row in t.values.items():
            _put(document, path, row)
        locations.update(t.locations)
        notes.extend(t.notes)
        for label in t.labels:
            (labels["notes"] if "勾稽" in label else labels[key]).append(label)
    sections = _sections(lines, parts, tables, notes)
    joined = [join_wrapped(lines, sec.lines) for sec in sections]
    document["sections"] = [{"number": sec.number, "title": sec.title, "text": text}
                            for sec, (text, _) in zip(sections, joined, strict=True)]
    document["labels"] = labels
    if restarts:
        notes.append(Note("SH_OWN_NUMBERING",
                          "本报告把总体情况的各方面编为独立的一级标题，表格部分重新编号；已并入第一部分“总体情况”",
                          "the report numbers the aspects of 总体情况 as top-level sections and restarts the "
                          "numbering for the tables; they are read as section 1", level="info"))
    facts, fact_lines = core_bridge.facts_of(
        [(sec.number, prose, where) for sec, (prose, where) in zip(sections, joined, strict=True)], fact_files)
    document["facts"] = facts
    for ptr, (i, snippet) in fact_lines.items():
        locations[ptr] = Location(i + 1, None, snippet)
    return LoadedReport(document=document, locations=locations, notes=notes, text=text)


def load(data: bytes, path: str, options: dict[str, Any] | None = None) -> LoadedReport:
    """The loader entry registered with the core: bytes of a file → :class:`LoadedReport`."""
    opts = options or {}
    files = tuple(str(f) for f in opts.get("fact_files") or ())
    config = opts.get("config") if isinstance(opts.get("config"), dict) else {}
    by_order = config.get(PLACE_BY_ORDER, DEFAULTS[PLACE_BY_ORDER])
    return load_text(decode(data), source=path, data=data, fact_files=files, place_by_order=by_order is not False)
