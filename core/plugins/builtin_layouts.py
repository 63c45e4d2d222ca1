"""Built-in plugin: recognises report layouts that only a province plugin reads correctly, so
that without the plugin the core names the layout and the plugin to install instead of reading
wrong numbers.

Kept deliberately conservative: a hint needs both the province and a layout feature of its own.
"""

from __future__ import annotations

import re
from typing import Any

from gipcheck.plugins import hookimpl

_HEAD = 1500  # title, preamble and the first heading are enough to know the province

# Shanghai numbers aspects of 总体情况 as top-level sections (二、工作机制保障 … 六、政府信息公开平台建设)
# and then restarts the numbering for the tables (一、主动公开政府信息情况).
_SH_OWN_SECTION = re.compile(
    r"(?m)^\s*[二三四五六七八九十]\s*[、.．]\s*(工作机制保障|政府信息管理|(政府信息公开)?平台建设|监督保障)\s*$")
_SH_CITES_RULES = "上海市政府信息公开规定"
_PAGE_FOOTER = re.compile(r"(?m)^\s*[—–-]\s*\d{1,3}\s*[—–-]\s*$")


def shanghai_hint(text: str) -> dict[str, Any] | None:
    head = text[:_HEAD]
    if "上海" not in head:
        return None
    own_sections = len(_SH_OWN_SECTION.findall(text))
    cites = _SH_CITES_RULES in text
    footers = len(_PAGE_FOOTER.findall(text))
    if own_sections >= 2:
        confidence = 0.95
        why_zh, why_en = "总体情况的各方面编为独立的一级标题，表格部分重新编号", "aspects of 总体情况 numbered as sections; tables renumbered"
    elif cites and footers >= 2:
        confidence = 0.8
        why_zh, why_en = "PDF 版式，页脚“— 1 —”夹在表格中", "PDF layout, page footers inside the tables"
    elif cites:
        confidence = 0.5
        why_zh, why_en = "引用《上海市政府信息公开规定》", "cites the Shanghai disclosure regulation"
    else:
        return None
    return {
        "name": "shanghai", "plugin": "gipcheck-shanghai", "confidence": confidence,
        "zh": f"上海市年报版式（{why_zh}）", "en": f"Shanghai report layout ({why_en})",
    }


@hookimpl
def gipcheck_detect_layout(text: str, document: dict[str, Any] | None) -> dict[str, Any] | None:
    return shanghai_hint(text)
