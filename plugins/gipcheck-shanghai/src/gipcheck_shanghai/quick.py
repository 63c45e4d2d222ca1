"""The first test of :func:`gipcheck_shanghai.layout.shanghai_score`, which runs on every file the
core reads (sniff) and every report it checks (layout hint): whether a text can be Shanghai's at all.

It imports nothing heavy and compiles no pattern, so that a run on other provinces' reports loads
neither the layout nor the loader; and the sniff skips decoding the whole head when its bytes
already rule Shanghai out (:func:`head_maybe_shanghai`).
"""

from __future__ import annotations

# Shanghai's districts (16), as named in organ names and titles.
SHANGHAI_DISTRICTS = ("黄浦", "徐汇", "长宁", "静安", "普陀", "虹口", "杨浦", "闵行", "宝山", "嘉定",
                      "浦东新区", "金山", "松江", "青浦", "奉贤", "崇明")

REGULATION = "上海市政府信息公开规定"  # cited by Shanghai reports near their start
REGULATION_CHARS = 3000  # where the regulation is looked for
HEAD_CHARS = 400  # where a Shanghai name or district is looked for
_NAMES = ("上海市", "上海科技", "上海发布")
# Every district as "<name>区" (浦东新区 too, as 浦东新区区: the test has always spelt it so).
_DISTRICTS = frozenset(d + "区" for d in SHANGHAI_DISTRICTS)
_DISTRICT_LENGTHS = tuple(sorted({len(d) for d in _DISTRICTS}))
_HAI = "海".encode()  # in every name and in the regulation
_QU = "区".encode()  # ends every district
_PREFIX_BYTES = 4 * HEAD_CHARS  # enough bytes for HEAD_CHARS characters of valid UTF-8


def has_name(text: str) -> bool:
    """上海市, 上海科技 or 上海发布 within the first :data:`HEAD_CHARS` characters."""
    return any(text.find(n, 0, HEAD_CHARS) >= 0 for n in _NAMES)


def has_district(text: str) -> bool:
    """A district (``黄浦区`` …) within the first :data:`HEAD_CHARS` characters: each ends in 区, so
    only the few texts ending at a 区 there are looked up."""
    i = text.find("区", 0, HEAD_CHARS)
    while i >= 0:
        for n in _DISTRICT_LENGTHS:
            if n <= i + 1 and text[i + 1 - n:i + 1] in _DISTRICTS:
                return True
        i = text.find("区", i + 1, HEAD_CHARS)
    return False


def maybe_shanghai(text: str) -> bool:
    """False when ``text`` is certainly not Shanghai's (``shanghai_score`` is then 0)."""
    # the regulation and every name begin with 上海: one search rules both out in most reports
    if text.find("上海", 0, REGULATION_CHARS) >= 0 and (
            text.find(REGULATION, 0, REGULATION_CHARS) >= 0 or has_name(text)):
        return True
    return has_district(text)


def head_maybe_shanghai(head: bytes) -> bool:
    """:func:`maybe_shanghai` of ``head.decode("utf-8-sig", errors="ignore")``, mostly without
    decoding it. A character of the decoded text is its own UTF-8 bytes, in one piece, in ``head``
    (dropped bytes never make one): no 海 in the bytes, no name; no 区, no district."""
    if _HAI in head:
        return maybe_shanghai(head.decode("utf-8-sig", errors="ignore"))
    if _QU not in head:
        return False
    # Only the first HEAD_CHARS characters matter now. A cut head decodes to a prefix of the whole
    # (the cut character is dropped), which is all of them once it holds HEAD_CHARS of them.
    text = head[:_PREFIX_BYTES].decode("utf-8-sig", errors="ignore")
    if len(text) < HEAD_CHARS and len(head) > _PREFIX_BYTES:
        text = head.decode("utf-8-sig", errors="ignore")
    return has_district(text)
