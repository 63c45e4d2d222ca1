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
        sm = _SUFFIX.search(raw)
        if sm:
            cut = sm.end()
        elif line_start and (tm.end() >= n or norm[tm.end()] in "\n。"):
            cut = len(raw)
        else:
            continue
        title = raw[:cut].strip().rstrip("。:：")
        number = _NUMERALS[m.group(1)]
        compact = title.replace(" ", "")
        content = k + cut
        while content < n and norm[content] in "。.:： ":
            content += 1
        not_section = _NOT_SECTION_RE.search(compact) is not None
        if number <= 6 and not not_section and _KEYS_RE[number].search(compact) and number not in seen:
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
    lines = [ln for ln in text.split("\n") if ln.strip(" |\r\t") and not CHROME.match(ln)]
    return "\n".join(ln.strip() for ln in lines)
