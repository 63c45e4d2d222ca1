"""Find the report's six top-level headings (一、总体情况 … 六、其他需要报告的事项), also when they
stand inline in running text (web pages flattened to one long line), and cut the prose.

Table rows that look like headings ("一、本年新收…", "三、本年度办理结果", "四、结转下年度继续办理")
are not sections: a heading is accepted only when its title has the words of that section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "X、" found from its 、 (a literal the regex engine scans for fast), the numeral by lookbehind
_HEAD = re.compile(r"、(?<=([一二三四五六七八九十])、)")
_TITLE = re.compile(r"[^\d|\n。;；]{1,40}")
_SUFFIX = re.compile(r"情况|事项")
_KEYS: dict[int, tuple[str, ...]] = {
    1: ("总体情况", "概述", "基本情况", "总体"),
    2: ("主动公开",),
    3: ("申请",),
    4: ("复议", "诉讼"),
    5: ("问题", "改进", "不足"),
    6: ("其他需要报告", "其他事项", "其他需报告", "其它需要报告", "其他"),
}
_NOT_SECTION = ("本年新收", "上年结转", "本年度办理", "结转下年", "办理结果")
# the same words as one search each (any(w in title ...) over a tuple costs more)
_KEYS_RE = {k: re.compile("|".join(map(re.escape, v))) for k, v in _KEYS.items()}
_NOT_SECTION_RE = re.compile("|".join(map(re.escape, _NOT_SECTION)))
_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
# Site chrome and footers that are not part of any section's prose.
# (\s*+ is possessive: a line of many spaces must not be retried at every split before ".*")
CHROME = re.compile(
    r"^\s*+(?:主办[:：]|承办[:：]|协办[:：]|版权所有|网站标识码|政府网站标识码|.*ICP备|.*公网安备|打印本页|关闭窗口|"
    r"【?打印】?|分享到|扫一扫|选择阅读字号|字号[:：]|责任编辑|相关附件|附件下载|"
    r"[-—–_]{1,3}\s*\d{1,4}\s*[-—–_]{1,3}\s*$|第\s*\d{1,4}\s*页|.*\.(?:docx?|pdf|wps|xlsx?)\s*$)"
)


@dataclass
class Heading:
    number: int
    title: str
    start: int          # where "一、" begins
    content: int        # where the section's content begins (after the title)
    end: int = -1       # where the next accepted heading begins (or the text ends)
    line_start: bool = False


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


# what a title's words say, by the title as written: the same headings recur in every report
_MEMO_MAX = 4096
_SUFFIXES: dict[str, int] = {}
_TITLES: dict[tuple[str, int, int], tuple[str, bool, bool]] = {}


def _suffix_end(raw: str) -> int:
    """Where the first 情况/事项 of ``raw`` ends, or -1."""
    end = _SUFFIXES.get(raw)
    if end is None:
        sm = _SUFFIX.search(raw)
        end = sm.end() if sm else -1
        if len(_SUFFIXES) < _MEMO_MAX:
            _SUFFIXES[raw] = end
    return end


def _title_words(raw: str, cut: int, number: int) -> tuple[str, bool, bool]:
    """The title in ``raw[:cut]``, whether it is a table row's (not a section), and whether it has
    the words of section ``number``."""
    key = (raw, cut, number)
    hit = _TITLES.get(key)
    if hit is None:
        title = raw[:cut].strip().rstrip("。:：")
        compact = title.replace(" ", "")
        not_section = _NOT_SECTION_RE.search(compact) is not None
        keyed = number <= 6 and _KEYS_RE[number].search(compact) is not None
        hit = (title, not_section, keyed)
        if len(_TITLES) < _MEMO_MAX:
            _TITLES[key] = hit
    return hit


def find_headings(norm: str) -> tuple[list[Heading], list[Heading]]:
    """Accepted headings in text order, and the rejected numbered headings that still look like
    top-level headings of another layout (numbers seen twice, unknown titles at a line start)."""
    accepted: list[Heading] = []
    others: list[Heading] = []
    seen: set[int] = set()
    n = len(norm)
    for m in _HEAD.finditer(norm):
        i = m.start() - 1  # where the numeral is
        prev = norm[i - 1] if i > 0 else "\n"
        if prev in "、第" or prev in _NUMERALS:
            continue  # "第一、", "十一、": not a top-level heading
        # the start of the line, skipping Markdown and spaces
        j = i - 1
        while j >= 0 and norm[j] in " #":
            j -= 1
        line_start = j < 0 or norm[j] == "\n"
        k = m.end()
        while k < n and norm[k] == " ":
            k += 1
        tm = _TITLE.match(norm, k)
        if not tm:
            continue
        raw = tm.group(0)
        cut = _suffix_end(raw)
        if cut < 0:
            if line_start and (tm.end() >= n or norm[tm.end()] in "\n。"):
                cut = len(raw)
            else:
                continue
        number = _NUMERALS[m.group(1)]
        title, not_section, keyed = _title_words(raw, cut, number)
        content = k + cut
        while content < n and norm[content] in "。.:： ":
            content += 1
        if number <= 6 and not not_section and keyed and number not in seen:
            seen.add(number)
            accepted.append(Heading(number, title, i, content, line_start=line_start))
        elif line_start and not not_section:
            others.append(Heading(number, title, i, content, line_start=line_start))
    for a, b in zip(accepted, accepted[1:], strict=False):
        a.end = b.start
    if accepted:
        accepted[-1].end = n
    return accepted, others


def clean_prose(text: str) -> str:
    """Drop page furniture and site chrome lines, strip the rest."""
    if "\n" not in text:
        return text.strip(" |\r\t")
    # (a CR of CRLF line ends is whitespace: a line of only pipes and a CR is no prose)
    lines = [ln for ln in text.split("\n") if ln.strip(" |\r\t") and not _chrome(ln)]
    return "\n".join(ln.strip() for ln in lines)


# the first character of every CHROME alternative that is not ".*…" (after the leading spaces)
_CHROME_FIRST = frozenset("主承协版网政打关【分扫选字责相附第-—–_")
_CHROME_EXTS = (".doc", ".docx", ".pdf", ".wps", ".xls", ".xlsx")


def _chrome(ln: str) -> bool:
    """``CHROME.match(ln)`` for one line (no newline in it), without running the three ".*"
    alternatives over every long prose line: they are a substring or suffix test (str.strip and
    the pattern's \\s are the same whitespace)."""
    if ln.lstrip()[:1] in _CHROME_FIRST:
        return CHROME.match(ln) is not None
    return "ICP备" in ln or "公网安备" in ln or ln.rstrip().endswith(_CHROME_EXTS)
