"""Built-in plugin: recognises report layouts that only a province plugin reads correctly, so
that without the plugin the core names the layout and the plugin to install instead of reading
wrong numbers.

Kept deliberately conservative: a hint needs both the province and a layout feature of its own.
It runs on every report read, so it is literal-first: a substring test decides almost every file
in microseconds, and the regular expressions only ever see the few candidate lines.
"""

from __future__ import annotations

import re
from typing import Any

from gipcheck.plugins import hookimpl

_HEAD = 1500  # title, preamble and the first heading are enough to know the province

# Shanghai numbers aspects of 总体情况 as top-level sections (二、工作机制保障 … 六、政府信息公开平台建设)
# and then restarts the numbering for the tables (一、主动公开政府信息情况).
_SH_WORDS = ("工作机制保障", "政府信息管理", "平台建设", "监督保障")
_SH_OWN_SECTION = re.compile(
    r"\s*[二三四五六七八九十]\s*[、.．]\s*(?:工作机制保障|政府信息管理|(?:政府信息公开)?平台建设|监督保障)\s*")
_SH_CITES_RULES = "上海市政府信息公开规定"
# a page footer line "— 4 —"; anchored on a literal newline (searched for "\n" + text), which the
# regex engine scans for quickly, instead of trying ``(?m)^`` at every character
_PAGE_FOOTER = re.compile(r"\n\s*[—–-]\s*\d{1,3}\s*[—–-][^\S\n]*(?=\n|\Z)")


def _own_sections(text: str) -> int:
    """Lines that are nothing but a numbered Shanghai aspect heading (``二、工作机制保障``): each
    keyword is found literally and only the line around it is matched."""
    lines: set[int] = set()
    for word in _SH_WORDS:
        i = text.find(word)
        while i >= 0:
            start = text.rfind("\n", 0, i) + 1
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            if start not in lines and _SH_OWN_SECTION.fullmatch(text, start, end):
                lines.add(start)
            i = text.find(word, end)
    return len(lines)


def shanghai_hint(text: str) -> dict[str, Any] | None:
    """The Shanghai layout hint for ``text``, or ``None`` (almost every report: no 上海 at its head)."""
    if text.find("上海", 0, _HEAD) < 0:
        return None
    if _own_sections(text) >= 2:
        confidence = 0.95
        why_zh, why_en = "总体情况的各方面编为独立的一级标题，表格部分重新编号", "aspects of 总体情况 numbered as sections; tables renumbered"
    elif _SH_CITES_RULES not in text:
        return None
    elif len(_PAGE_FOOTER.findall("\n" + text)) >= 2:
        confidence = 0.8
        why_zh, why_en = "PDF 版式，页脚“— 1 —”夹在表格中", "PDF layout, page footers inside the tables"
    else:
        confidence = 0.5
        why_zh, why_en = "引用《上海市政府信息公开规定》", "cites the Shanghai disclosure regulation"
    return {
        "name": "shanghai", "plugin": "gipcheck-shanghai", "confidence": confidence,
        "zh": f"上海市年报版式（{why_zh}）", "en": f"Shanghai report layout ({why_en})",
    }


@hookimpl
def gipcheck_detect_layout(text: str, document: dict[str, Any] | None) -> dict[str, Any] | None:
    return shanghai_hint(text)
