"""Shanghai's own report layout: how to recognise it and how its parts map onto the canonical six.

Two layouts are seen in the reports of Shanghai organs converted from PDF:

* **own numbering** (e.g. 上海市科委 2024): 总体情况's aspects are top-level numbered sections
  (一、总体情况 二、工作机制保障 三、主动公开工作情况 四、政府信息公开申请情况 五、政府信息管理
  六、政府信息公开平台建设), then the numbering starts again for the tables
  (一、主动公开政府信息情况 二、收到和处理… 三、…行政复议、行政诉讼情况), the 问题 part and
  五、其他需要报告的事项.
* **canonical numbering with PDF damage** (e.g. 上海市人民政府办公厅 2025): the six canonical
  headings, but tables whose labels are cut from their values, page footers inside tables, notes
  inside cells, and the 五、 heading lost by the converter.

Mapping decision (documented in the README): every part of the first series (the report's own
总体情况 and its aspects) becomes canonical section 1 — the 2021 format puts 主动公开、依申请公开、
政府信息管理、平台建设、监督保障 inside 总体情况 — and the part headings stay in its text. The
second series maps by title. A 问题/改进 part whose heading was lost between table 四 and
其他需要报告的事项 becomes section 5 with a loader note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gipcheck_shanghai.cells import FOOTER, is_table_row
from gipcheck_shanghai.quick import SHANGHAI_DISTRICTS as SHANGHAI_DISTRICTS  # where it was defined before
from gipcheck_shanghai.quick import maybe_shanghai

_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_HEADING = re.compile(r"^\s*([一二三四五六七八九十]{1,2})\s*[、．.]\s*(\S.{0,40}?)\s*$")
# Fragments of table-三 row labels that look like headings once a PDF line is cut.
_NOT_A_HEADING = ("本年新收", "上年结转", "结转下年", "办理结果", "本法提供", "|", "。", "；")
# Aspects of 总体情况 that Shanghai reports number as their own sections.
OVERVIEW_PARTS = ("工作机制", "政府信息管理", "平台建设", "监督保障", "保障")


def numeral_value(numeral: str) -> int:
    if len(numeral) == 2 and numeral[0] == "十":
        return 10 + _NUMERALS[numeral[1]]
    return _NUMERALS.get(numeral, 0)


def title_class(title: str) -> int | None:
    """Canonical section number of a heading title; 0 for an aspect of 总体情况; None if the
    line is not a section heading at all."""
    if any(s in title for s in _NOT_A_HEADING):
        return None
    if "总体情况" in title:
        return 1
    if "其他需要报告" in title:
        return 6
    if "问题" in title or "改进" in title:
        return 5
    if "复议" in title or "诉讼" in title:
        return 4
    if "收到和处理" in title or "申请情况" in title or "依申请" in title:
        return 3
    if "主动公开" in title:
        return 2
    if any(p in title for p in OVERVIEW_PARTS):
        return 0
    return None


@dataclass
class Heading:
    index: int  # 0-based line index
    numeral: int
    title: str
    kind: int  # title_class


@dataclass
class Part:
    """A canonical section: number, the title as printed, and its 0-based line range."""

    number: int
    title: str
    start: int  # line index of the heading (or first line when the heading is lost)
    end: int  # exclusive
    headings: list[Heading] = field(default_factory=list)
    inferred: bool = False


def find_headings(lines: list[str]) -> list[Heading]:
    out: list[Heading] = []
    for i, raw in enumerate(lines):
        if is_table_row(raw):
            continue
        m = _HEADING.match(raw)
        if not m:
            continue
        kind = title_class(m.group(2))
        if kind is None:
            continue
        out.append(Heading(i, numeral_value(m.group(1)), m.group(2).strip(), kind))
    return out


def series_of(headings: list[Heading]) -> list[list[Heading]]:
    """Split headings where the numbering starts again (一 after 六)."""
    series: list[list[Heading]] = []
    for h in headings:
        if not series or h.numeral <= series[-1][-1].numeral:
            series.append([h])
        else:
            series[-1].append(h)
    return series


def map_parts(lines: list[str]) -> tuple[list[Part], bool]:
    """Canonical parts of a Shanghai-layout report and whether its own numbering restarts."""
    headings = find_headings(lines)
    series = series_of(headings)
    restarts = len(series) >= 2 and series[0][0].kind == 1 and len(series[0]) >= 3
    parts: list[Part] = []
    for si, group in enumerate(series):
        for h in group:
            number = 1 if (restarts and si == 0) else h.kind
            if number == 0:
                number = parts[-1].number if parts else 1
            if parts and parts[-1].number == number:
                parts[-1].headings.append(h)  # an aspect of the section before it
                continue
            if any(p.number == number for p in parts):
                parts[-1].headings.append(h)  # a repeated number: keep it inside the current part
                continue
            parts.append(Part(number, h.title, h.index, len(lines), [h]))
    for a, b in zip(parts, parts[1:], strict=False):
        a.end = b.start
    return parts, restarts


def shanghai_score(text: str) -> float:
    """0..1: how sure we are that ``text`` is a Shanghai report in one of the layouts above."""
    # runs on every file (sniff, layout hint): the regulation, a Shanghai name or a district near the start
    if not maybe_shanghai(text):
        return 0.0
    lines = text.splitlines()
    parts, restarts = map_parts(lines)
    signals = 0
    if restarts:
        signals += 2
    if re.search(r"^[#\s]*表[二三四]\s*[:：]", text, re.M):
        signals += 1
    if sum(1 for ln in lines if FOOTER.match(ln)) >= 2:
        signals += 1
    # table-三 value rows with no label on their line: the cut-label layout
    if re.search(r"^\|(?:\s*\d+\s*\|){7}\s*$", text, re.M):
        signals += 1
    if any(h.kind == 0 for h in find_headings(lines)):
        signals += 1  # 工作机制保障, 政府信息管理 … as numbered sections of their own
    if signals == 0:
        return 0.2  # a Shanghai report in an ordinary layout: the core's text loader reads it
    # above the core text loader's 0.8, so that this loader reads every file the core refuses
    return min(1.0, 0.85 + 0.05 * signals)
