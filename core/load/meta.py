"""Report metadata: title, organ (kind, level, region), year, publication date and its kind,
statistical period, cited document numbers, format version."""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any, cast

from gipcheck.document.gazetteer import classify_organ


class _Lazy:
    """A pattern compiled on first use: most reports never need the ones below, and a CJK class
    costs ~1 ms to compile at every start."""

    __slots__ = ("_src",)

    def __init__(self, src: str) -> None:
        self._src = src

    def __getattr__(self, name: str) -> Any:
        return getattr(re.compile(self._src), name)  # re keeps it compiled after the first time


def _lazy(src: str) -> re.Pattern[str]:
    return cast("re.Pattern[str]", _Lazy(src))


# key: value pairs of the page header ("发布机构: | 青云谱区商务局 | 生成日期: | 2024-01-17 |")
_KV_KEYS = ("标题", "发布机构", "发布机关", "发文机关", "发文单位", "信息来源", "来源", "发布时间", "发布日期",
            "成文日期", "生成日期", "印发日期", "日期")
_KV = re.compile(rf"({'|'.join(_KV_KEYS)})\s*:\s*\|?\s*([^|\n]{{0,80}})")
# the colons a key can stand before (after its last character or spaces), by a literal scan
_KV_COLON = re.compile(r":(?<=[\s" + "".join(sorted({k[-1] for k in _KV_KEYS})) + "]:)")
# the keys by length, longest first (no key starts another, so at most one matches at a place)
_KV_BY_LEN = tuple((n, frozenset(k for k in _KV_KEYS if len(k) == n))
                   for n in sorted({len(k) for k in _KV_KEYS}, reverse=True))
_DATE = re.compile(r"(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})\s*(?:月|-|/|\.)\s*(\d{1,2})\s*日?")
_DATED_LINE = re.compile(r"\s*\(?\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*\)?\s*")
_YEAR_IN_TITLE = re.compile(r"(20\d{2}|19\d{2})\s*年")
_PERIOD = re.compile(
    r"统计\s*(?:期限|时限|周期|区间|时间|范围|截止时间)[^0-9。]{0,10}?(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:起\s*)?"
    r"(?:至|到|—|–|-|~)\s*(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*日"
)
_AS_OF = re.compile(r"(?:截至|截止)\s*(?:到)?\s*(\d{4})\s*年\s*12\s*月\s*31\s*日")
# anchored on the bracketed year (or 令第), the issuer's short name is read backwards
# (one leading class, which the regex engine scans for fast; the lookarounds tell the two forms apart)
_CITED = _lazy(r"[〔\[(【令](?:(?<!令)\s*((?:19|20)\d{2})\s*[〕\])】]\s*(\d{1,4})\s*号|(?<=令)\s*第\s*(\d{1,4})\s*号)")
# what a citation holds before its 号 (besides spaces and digits)
_CITED_CHARS = frozenset("〔[(【〕])】令第")
_CITED_RUN = 64  # a longer run before a 号 is searched whole
_SPACES = re.compile(r"\s+")
_YEAR_ORGAN = _lazy(r"(?:20|19)\d{2}年度?(.+?)(?:政府信息公开|政务公开|信息公开)")
_ABOUT = re.compile(r"^关于")
_YEARS = re.compile(r"(20\d{2})\s*年")
_ISSUER = _lazy(r"[\u4e00-\u9fff]{1,10}$")
_ORGAN_SUFFIX = _lazy(
    r"(?:人民政府|政府|办公室|办公厅|局|委员会|委|厅|办|中心|院|街道办事处|管委会|管理委员会|公司|所|队|站|部)$"
)
_TITLE_WORDS = ("年度报告", "工作年报", "年报")
_LEADS = ("本报告", "根据", "依据", "按照", "本年度", "为")


def _iso(y: str, m: str, d: str) -> str | None:
    yi, mi, di = int(y), int(m), int(d)
    if not (1990 <= yi <= 2100 and 1 <= mi <= 12 and 1 <= di <= 31):
        return None
    if di > 28 and di > calendar.monthrange(yi, mi)[1]:
        return None  # no such day ("2月30日"): not a date, so not written as one
    return f"{yi:04d}-{mi:02d}-{di:02d}"


def _citations(norm: str) -> Iterator[re.Match[str]]:
    """The matches of ``_CITED`` in ``norm``, in order, without scanning the whole text: each ends
    at a 号, and everything between its start and that 号 is a space, a digit or one of
    ``_CITED_CHARS``; so only the run of such characters before each 号 is searched."""
    prev = -1
    h = norm.find("号")
    while h >= 0:
        lo = h
        while lo > prev + 1:
            c = norm[lo - 1]
            if not (c in _CITED_CHARS or c.isspace() or c.isdecimal()):
                break
            lo -= 1
            if h - lo > _CITED_RUN:
                lo = prev + 1  # bounded Python work: the regex takes the rest
                break
        if lo < h:
            yield from _CITED.finditer(norm, lo, h + 1)
        prev = h
        h = norm.find("号", h + 1)


def _kv_matches(norm: str, end: int) -> list[re.Match[str]]:
    """``list(_KV.finditer(norm, 0, end))``, without trying the keys at every character: a match
    ends its key (and spaces) at a colon, so only the colons after a key's last character or a
    space are looked at; the match starts at the leftmost key ending there that is not inside
    the previous match (as finditer takes them), and is then _KV's own match at that place."""
    out: list[re.Match[str]] = []
    last = 0
    for c in _KV_COLON.finditer(norm, 0, end):
        e = c.start()
        while e > last and norm[e - 1].isspace():
            e -= 1  # where a key would end
        for n, keys in _KV_BY_LEN:
            q = e - n
            if q >= last and norm[q:e] in keys:
                m = _KV.match(norm, q, end)
                if m is not None:  # (always: a key, spaces and the colon)
                    out.append(m)
                    last = m.end()
                break
    return out


def _header_lines(norm: str, limit: int) -> list[tuple[int, int]]:
    """(start, end) of the non-empty lines before ``limit`` (at most 40)."""
    out: list[tuple[int, int]] = []
    pos = 0
    while pos < limit and len(out) < 40:
        nl = norm.find("\n", pos, limit)
        end = limit if nl < 0 else nl
        if norm[pos:end].strip():
            out.append((pos, end))
        if nl < 0:
            break
        pos = nl + 1
    return out


def extract_meta(norm: str, text: str, body_start: int, fmt: str | None
                 ) -> tuple[dict[str, Any], dict[str, tuple[int, int]]]:
    """Metadata and, per meta pointer, the (start, end) of the text it came from. ``body_start``
    is where the first section heading (or the first table) begins."""
    meta: dict[str, Any] = {}
    where: dict[str, tuple[int, int]] = {}
    head_limit = min(len(norm), max(body_start, 0) if body_start > 0 else min(len(norm), 3000))
    kv: dict[str, tuple[str, int, int]] = {}
    for m in _kv_matches(norm, min(len(norm), max(head_limit, 600))):
        val = m.group(2).strip()
        if val and m.group(1) not in kv:
            kv[m.group(1)] = (text[m.start(2):m.start(2) + len(val)].strip(), m.start(2), m.start(2) + len(val))

    # ---- title
    title: str | None = None
    tpos: tuple[int, int] | None = None
    lines = _header_lines(norm, head_limit)
    if "标题" in kv:
        title, s, e = kv["标题"]
        tpos = (s, e)
    else:
        for i, (a, b) in enumerate(lines):
            ln = norm[a:b].strip().lstrip("#").strip()
            if len(ln) > 70 or "。" in ln or ln.startswith(_LEADS) or ":" in ln:
                continue
            if any(w in ln for w in _TITLE_WORDS) or (i + 1 < len(lines) and norm[lines[i + 1][0]:lines[i + 1][1]].strip() in ("年度报告", "工作年度报告")):
                s, e = a, b
                parts = [ln]
                if i + 1 < len(lines) and not any(w in ln for w in _TITLE_WORDS):
                    parts.append(norm[lines[i + 1][0]:lines[i + 1][1]].strip())
                    e = lines[i + 1][1]
                if i > 0 and _YEAR_IN_TITLE.match(ln):
                    pa, pb = lines[i - 1]
                    prev = norm[pa:pb].strip().lstrip("#").strip()
                    if len(prev) <= 30 and _ORGAN_SUFFIX.search(prev) and ":" not in prev:
                        parts.insert(0, prev)
                        s = pa
                title = "".join(parts) if len(parts) > 1 else text[a:b].strip().lstrip("#").strip()
                tpos = (s, e)
                break
    if title is not None:
        title = _SPACES.sub(" ", title).strip()  # the source's own spacing, collapsed
    meta["title"] = title
    if tpos:
        where["/meta/title"] = tpos

    # ---- organ
    organ: str | None = None
    if title:
        compact = title.replace(" ", "")
        ym = _YEAR_IN_TITLE.search(compact)
        if ym and ym.start() > 1:
            organ = compact[:ym.start()]
        elif ym and ym.start() == 0:
            m2 = _YEAR_ORGAN.match(compact)
            organ = m2.group(1) if m2 else None
        if organ:
            organ = _ABOUT.sub("", organ).strip()
    for key in ("发布机构", "发布机关", "发文机关", "发文单位"):
        if not organ and key in kv:
            organ = kv[key][0]
            where["/meta/organ"] = kv[key][1:]
    if organ and "/meta/organ" not in where and tpos:
        where["/meta/organ"] = tpos
    meta["organ"] = organ or None
    kind, level, region = classify_organ(organ)
    meta["organ_kind"] = kind
    meta["organ_level"] = level
    meta["region"] = region

    # ---- dates
    published: str | None = None
    date_kind: str | None = None
    for key in ("发布时间", "发布日期"):
        if key in kv:
            dm = _DATE.search(kv[key][0])
            if dm:
                published, date_kind = _iso(*dm.groups()), "published"
                where["/meta/published"] = kv[key][1:]
                break
    if published is None:
        for a, b in lines[:8]:
            dm = _DATED_LINE.fullmatch(norm[a:b])
            if dm:
                published, date_kind = _iso(*dm.groups()), "published"
                where["/meta/published"] = (a, b)
                break
    if published is None:
        # a signature date on one of the last lines of the report
        tail = norm.rstrip()
        for _ in range(3):
            nl = tail.rfind("\n")
            last = tail[nl + 1:]
            dm = _DATED_LINE.fullmatch(last)
            if dm:
                published, date_kind = _iso(*dm.groups()), "published"
                where["/meta/published"] = (nl + 1, len(tail))
                break
            if nl < 0 or len(last.strip()) > 40:
                break
            tail = tail[:nl].rstrip()
    for key, dk in (("成文日期", "written"), ("印发日期", "written"), ("生成日期", "generated")):
        if published is None and key in kv:
            dm = _DATE.search(kv[key][0])
            if dm:
                published, date_kind = _iso(*dm.groups()), dk
                where["/meta/published"] = kv[key][1:]
    meta["published"] = published
    meta["date_kind"] = date_kind if published else None

    # ---- period and year
    period: dict[str, str | None] | None = None
    pm = _PERIOD.search(norm, 0, min(len(norm), 6000))
    if pm:
        y1, m1, d1, y2, m2_, d2 = pm.groups()
        start = _iso(y1, m1, d1)
        end = _iso(y2 or y1, m2_, d2)
        if start and end:
            period = {"start": start, "end": end}
            where["/meta/period"] = (pm.start(), pm.end())
    meta["period"] = period
    year: int | None = None
    if title:
        ym = _YEAR_IN_TITLE.search(title)
        if ym:
            year = int(ym.group(1))
            where["/meta/year"] = tpos or (0, 0)
    if year is None and period:
        year = int(period["start"][:4])  # type: ignore[index]
        where["/meta/year"] = where["/meta/period"]
    if year is None:
        am = _AS_OF.search(norm, 0, min(len(norm), 6000))
        if am:
            year = int(am.group(1))
            where["/meta/year"] = (am.start(), am.end())
    if year is None:
        counts = Counter(int(y) for y in _YEARS.findall(norm[:8000]))
        if counts:
            pub_year = int(published[:4]) if published else 2100
            cands = [(c, y) for y, c in counts.items() if y <= pub_year]
            if cands:
                year = max(cands)[1]
    meta["year"] = year

    # ---- cited document numbers
    cited: list[str] = []
    for cm in _citations(norm):
        im = _ISSUER.search(norm, max(0, cm.start() - 10), cm.start() + (1 if cm.group(3) else 0))
        if im is None:
            continue
        if cm.group(1) is not None:
            doc = f"{im.group(0)}〔{cm.group(1)}〕{cm.group(2)}号"
        else:
            doc = f"{im.group(0)}第{cm.group(3)}号"
        if doc not in cited:
            cited.append(doc)
        if len(cited) >= 50:
            break
    meta["cited"] = cited
    meta["format"] = fmt
    return meta, where


def detect_format(active_labels: list[str], request_labels: list[str], cited: str, year: int | None) -> str:
    """``"2021"`` or ``"2019"`` from the table labels; then from the cited format notice and year."""
    joined = "".join(active_labels)
    if "本年制发件数" in joined or "现行有效件数" in joined or "本年废止件数" in joined:
        return "2021"
    if any(w in joined for w in ("本年新制作数量", "上一年项目数量", "对外公开总数量", "政府集中采购", "其他对外管理服务")):
        return "2019"
    req = "".join(request_labels)
    if "逾期不补正" in req or "收费通知" in req:
        return "2021"
    if "〔2021〕30号" in cited or "[2021]30号" in cited:
        return "2021"
    if "〔2019〕60号" in cited or "[2019]60号" in cited:
        return "2019"
    if year is not None and year <= 2020:
        return "2019"
    return "2021"
