"""Find the report's six top-level headings (一、总体情况 … 六、其他需要报告的事项), also when they
stand inline in running text (web pages flattened to one long line), and cut the prose.

Table rows that look like headings ("一、本年新收…", "三、本年度办理结果", "四、结转下年度继续办理")
are not sections: a heading is accepted only when its title has the words of that section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TITLE = r"[^\d|\n。;；]{1,40}"
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
_NUMERAL_CHARS = "".join(_NUMERALS)
# "X、" found from its 、 (a literal the regex engine scans for fast), the numeral by lookbehind
# when not after 、/第/another numeral ("第一、", "十一、"), and the title after the spaces by
# lookahead (so a later "Y、" inside it is still found); a title that starts with a table row's
# words is never a section and is skipped here (_NOT_SECTION below drops it anyway)
_HEAD = re.compile(
    rf"、(?<=(?<![、第{_NUMERAL_CHARS}])([{_NUMERAL_CHARS}])、)"
    rf"(?= *+(?!{'|'.join(map(re.escape, _NOT_SECTION))})({_TITLE}))"
)
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


# what a title's words say, by the title as written: the same headings recur in every report
_MEMO_MAX = 4096
_WORDS: dict[tuple[str, int], tuple[int, str, bool, bool]] = {}


def _title_words(raw: str, number: int) -> tuple[int, str, bool, bool]:
    """Where the first 情况/事项 of ``raw`` ends (or -1), the title (``raw`` up to there, or
    whole), whether it is a table row's (not a section), and whether it has the words of section
    ``number``."""
    sm = _SUFFIX.search(raw)
    cut = sm.end() if sm else -1
    title = raw[:cut if sm else len(raw)].strip().rstrip("。:：")
    compact = title.replace(" ", "")
    hit = (cut, title, _NOT_SECTION_RE.search(compact) is not None,
           number <= 6 and _KEYS_RE[number].search(compact) is not None)
    if len(_WORDS) < _MEMO_MAX:
        _WORDS[raw, number] = hit
    return hit


def find_headings(norm: str) -> tuple[list[Heading], list[Heading]]:
    """Accepted headings in text order, and the rejected numbered headings that still look like
    top-level headings of another layout (numbers seen twice, unknown titles at a line start)."""
    accepted: list[Heading] = []
    others: list[Heading] = []
    seen: set[int] = set()
    n = len(norm)
    words = _WORDS
    for m in _HEAD.finditer(norm):
        i = m.start() - 1  # where the numeral is
        # the start of the line, skipping Markdown and spaces
        j = i - 1
        while j >= 0 and norm[j] in " #":
            j -= 1
        line_start = j < 0 or norm[j] == "\n"
        numeral, raw = m.groups()
        number = _NUMERALS[numeral]
        cut, title, not_section, keyed = words.get((raw, number)) or _title_words(raw, number)
        k = m.start(2)
        if cut < 0:
            end = k + len(raw)
            if line_start and (end >= n or norm[end] in "\n。"):
                cut = len(raw)
            else:
                continue
        content = k + cut
        while content < n and norm[content] in "。.:： ":
            content += 1
        if number <= 6 and not not_section and keyed and number not in seen:
            seen.add(number)
            accepted.append(Heading(number, title, i, content, -1, line_start))
        elif line_start and not not_section:
            others.append(Heading(number, title, i, content, -1, line_start))
    for a, b in zip(accepted, accepted[1:], strict=False):
        a.end = b.start
    if accepted:
        accepted[-1].end = n
    return accepted, others


def clean_prose(text: str) -> str:
    """Drop page furniture and site chrome lines, strip the rest."""
    if "\n" not in text:
        return text.strip(" |\r\t")
    if not text.strip(" |\r\t\n"):
        return ""  # every line is only pipes and spaces: none is kept
    # (a CR of CRLF line ends is whitespace: a line of only pipes and a CR is no prose)
    lines = text.split("\n")
    if len(lines) > 3 and not _any_chrome(text):
        # no line can be chrome: the same lines without asking each (worth it from a few lines on)
        return "\n".join([ln.strip() for ln in lines if ln.strip(" |\r\t")])
    return "\n".join([ln.strip() for ln in lines if ln.strip(" |\r\t") and not _chrome(ln)])


# the first character of every CHROME alternative that is not ".*…" (after the leading spaces)
_CHROME_FIRST = frozenset("主承协版网政打关【分扫选字责相附第-—–_")
_CHROME_EXTS = (".doc", ".docx", ".pdf", ".wps", ".xls", ".xlsx")
# a line (after the first) whose first non-space is in _CHROME_FIRST; a line ending in an extension
_LINE_FIRST = re.compile(r"\n\s*+[" + re.escape("".join(sorted(_CHROME_FIRST))) + "]")
_EXT_END = re.compile(r"\.(?:docx?|pdf|wps|xlsx?)\s*(?:\n|\Z)")


def _any_chrome(text: str) -> bool:
    """Whether ``_chrome`` may hold for a line of ``text``: False only when it holds for none (each
    of its three tests, asked of the whole text at once; \\s and str.strip are the same spaces)."""
    return (text.lstrip()[:1] in _CHROME_FIRST or _LINE_FIRST.search(text) is not None
            or "ICP备" in text or "公网安备" in text or ("." in text and _EXT_END.search(text) is not None))


def _chrome(ln: str) -> bool:
    """``CHROME.match(ln)`` for one line (no newline in it), without running the three ".*"
    alternatives over every long prose line: they are a substring or suffix test (str.strip and
    the pattern's \\s are the same whitespace)."""
    if ln.lstrip()[:1] in _CHROME_FIRST:
        return CHROME.match(ln) is not None
    return "ICP备" in ln or "公网安备" in ln or ln.rstrip().endswith(_CHROME_EXTS)
