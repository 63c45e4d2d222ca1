"""The heading scan and the prose cleaner's shortcuts read exactly what the plain reading reads.

``find_headings`` finds each heading with one regex (numeral by lookbehind, title by lookahead,
table rows skipped); the reference is the earlier scan kept here (one match per 、, the title and
its checks in Python). ``clean_prose`` skips the per-line chrome test when the whole text shows
none can hold; the reference is ``CHROME.match`` on every line. Inputs: the seeds, the corpus and
examples as every loader linearises them, and damaged/random variants.
"""

from __future__ import annotations

import random
import re

from gipcheck.load import sections as S
from gipcheck.load.tables import normalize

# ---------------------------------------------------------------- the reference heading scan
_OLD_HEAD = re.compile(r"、(?<=([一二三四五六七八九十])、)")
_OLD_TITLE = re.compile(r"[^\d|\n。;；]{1,40}")


def _old_find_headings(norm: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    accepted: list[S.Heading] = []
    others: list[S.Heading] = []
    seen: set[int] = set()
    n = len(norm)
    for m in _OLD_HEAD.finditer(norm):
        i = m.start() - 1
        prev = norm[i - 1] if i > 0 else "\n"
        if prev in "、第" or prev in S._NUMERALS:
            continue
        j = i - 1
        while j >= 0 and norm[j] in " #":
            j -= 1
        line_start = j < 0 or norm[j] == "\n"
        k = m.end()
        while k < n and norm[k] == " ":
            k += 1
        tm = _OLD_TITLE.match(norm, k)
        if not tm:
            continue
        raw = tm.group(0)
        sm = S._SUFFIX.search(raw)
        cut = sm.end() if sm else -1
        if cut < 0:
            if line_start and (tm.end() >= n or norm[tm.end()] in "\n。"):
                cut = len(raw)
            else:
                continue
        number = S._NUMERALS[m.group(1)]
        title = raw[:cut].strip().rstrip("。:：")
        compact = title.replace(" ", "")
        not_section = any(w in compact for w in S._NOT_SECTION)
        keyed = number <= 6 and any(w in compact for w in S._KEYS[number])
        content = k + cut
        while content < n and norm[content] in "。.:： ":
            content += 1
        if number <= 6 and not not_section and keyed and number not in seen:
            seen.add(number)
            accepted.append(S.Heading(number, title, i, content, line_start=line_start))
        elif line_start and not not_section:
            others.append(S.Heading(number, title, i, content, line_start=line_start))
    for a, b in zip(accepted, accepted[1:], strict=False):
        a.end = b.start
    if accepted:
        accepted[-1].end = n
    return _tuples(accepted), _tuples(others)


def _tuples(heads: list[S.Heading]) -> list[tuple[object, ...]]:
    return [(h.number, h.title, h.start, h.content, h.end, h.line_start) for h in heads]


def _new(norm: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    acc, oth = S.find_headings(norm)
    return _tuples(acc), _tuples(oth)


_PIECES = ["一、", "二、", "三、", "四、", "五、", "六、", "七、", "十、", "十一、", "第一、", "、", "、、",
           " ", "  ", "#", "\n", "。", ":", "1", "|", "情况", "事项", "总体情况", "主动公开", "申请", "复议",
           "改进", "其他需要报告的事项", "本年新收", " 本年新收", "结转下年", "办理结果", "本年度办理",
           "一、本年新收政府信息公开申请数量", "三、本年度办理结果", "四、结转下年度继续办理"]


def _damaged(norm: str, rnd: random.Random, edits: int) -> str:
    chars = list(norm)
    for _ in range(edits):
        chars[rnd.randrange(len(chars))] = rnd.choice(_PIECES)
    return "".join(chars)


def test_headings_match_the_reference_scan(loader_texts: list[str]) -> None:
    rnd = random.Random(7)
    checked = 0
    for norm in loader_texts:
        assert _new(norm) == _old_find_headings(norm)
        for edits in (5, 40, 200):
            bad = _damaged(norm, rnd, edits)
            assert _new(bad) == _old_find_headings(bad)
            checked += 1
    assert checked >= 30


def test_headings_on_random_text() -> None:
    rnd = random.Random(8)
    for _ in range(400):
        text = normalize("".join(rnd.choice(_PIECES + ["政府信息", "。\n", "（一）", "2024年"])
                                 for _ in range(rnd.randrange(1, 60))))
        assert _new(text) == _old_find_headings(text)


def test_table_row_headings_are_skipped_and_others_kept() -> None:
    text = "一、本年新收政府信息公开申请数量\n一、 总体情况\n七、平台建设情况\n第二、主动公开"
    acc, oth = _new(text)
    assert acc == [(1, "总体情况", 17, 24, len(text), True)]
    assert oth == [(7, "平台建设情况", 25, 33, -1, True)]


# ---------------------------------------------------------------- the prose cleaner
def _old_clean_prose(text: str) -> str:
    if "\n" not in text:
        return text.strip(" |\r\t")
    lines = [ln for ln in text.split("\n") if ln.strip(" |\r\t") and not S.CHROME.match(ln)]
    return "\n".join(ln.strip() for ln in lines)


_CHROME_LINES = ["主办:某某政府", "  承办: 办公室", "版权所有 2024", "京ICP备12345号", "京公网安备 1101",
                 "打印本页 关闭窗口", "【打印】", "- 3 -", "—12—  ", "第 2 页", "附件下载:年报.pdf",
                 "年度报告.doc ", "x.xlsx\r", "责任编辑:王", "\x0b", " | | ", "|\r", "主动公开情况。",
                 "第二十条", "政府信息公开", "相关工作。", "_", "字号:大", "分享到", "扫一扫", "第3页共4页"]


def _pieces(norm: str) -> list[str]:
    """What parse_text cleans: the text between headings, and some line windows."""
    heads, _ = S.find_headings(norm)
    cuts = [0] + [p for h in heads for p in (h.start, h.content)] + [len(norm)]
    out = [norm[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]
    lines = norm.split("\n")
    out += ["\n".join(lines[i:i + 6]) for i in range(0, len(lines), 5)]
    return out


def test_clean_prose_matches_every_line_checked(loader_texts: list[str]) -> None:
    rnd = random.Random(9)
    n = 0
    for norm in loader_texts:
        for piece in _pieces(norm):
            assert S.clean_prose(piece) == _old_clean_prose(piece)
            lines = piece.split("\n")
            for _ in range(3):  # chrome and odd lines put in anywhere, the first line included
                for _ in range(rnd.randrange(1, 4)):
                    lines.insert(rnd.randrange(len(lines) + 1), rnd.choice(_CHROME_LINES))
                mixed = "\n".join(lines)
                assert S.clean_prose(mixed) == _old_clean_prose(mixed)
                n += 1
    assert n >= 100


def test_clean_prose_on_random_lines() -> None:
    rnd = random.Random(10)
    for _ in range(2000):
        text = "\n".join(rnd.choice(_CHROME_LINES + ["", " ", "||", "正文。", "  正文 |"])
                         for _ in range(rnd.randrange(1, 8)))
        assert S.clean_prose(text) == _old_clean_prose(text)
