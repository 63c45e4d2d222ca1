"""How much of one text is copied from another: the rule-language functions of the Jiangsu pack.

Texts are compared after normalisation (no white space or punctuation, every digit as ``0`` so
that "2023 年" and "2024 年" do not hide a copied sentence, PDF page footers removed). A run of at
least :data:`SHINGLE` characters shared with the other text counts as copied.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

SHINGLE = 12  # characters: shorter shared runs are set phrases (依申请公开工作, 政府信息公开工作)
_FOOTER = re.compile(r"[-—－–]\s*\d{1,3}\s*[-—－–]")


def normalise(text: str) -> str:
    text = _FOOTER.sub("", text)
    out: list[str] = []
    for ch in text:
        if ch.isdigit():
            out.append("0")
        elif ch.isspace() or unicodedata.category(ch).startswith(("P", "S", "Z")):
            continue
        else:
            out.append(ch)
    return "".join(out)


def _shingles(s: str, k: int) -> set[str]:
    return {s[i:i + k] for i in range(len(s) - k + 1)}


def _as_text(x: Any) -> str:
    return x if isinstance(x, str) else ""


def copied_ratio(a: Any, b: Any, k: Any = SHINGLE) -> float:
    """Share (0..1) of the characters of ``a`` that lie in a run of ``k`` or more characters also
    found in ``b``; 0.0 when either text is empty."""
    k = int(k) if isinstance(k, (int, float)) and k >= 4 else SHINGLE
    na, nb = normalise(_as_text(a)), normalise(_as_text(b))
    if len(na) < k or len(nb) < k:
        return 0.0
    seen = _shingles(nb, k)
    covered = [False] * len(na)
    for i in range(len(na) - k + 1):
        if na[i:i + k] in seen:
            for j in range(i, i + k):
                covered[j] = True
    return round(sum(covered) / len(na), 4)


def text_overlap(a: Any, b: Any, k: Any = SHINGLE) -> float:
    """Symmetric overlap (0..1): Jaccard index of the ``k``-character runs of the two texts."""
    k = int(k) if isinstance(k, (int, float)) and k >= 4 else SHINGLE
    sa, sb = _shingles(normalise(_as_text(a)), k), _shingles(normalise(_as_text(b)), k)
    if not sa or not sb:
        return 0.0
    return round(len(sa & sb) / len(sa | sb), 4)


def copied_passages(a: Any, b: Any, min_len: Any = 20) -> list[str]:
    """The passages of ``a`` (normalised) of at least ``min_len`` characters copied from ``b``."""
    n = int(min_len) if isinstance(min_len, (int, float)) and min_len >= SHINGLE else 20
    na, nb = normalise(_as_text(a)), normalise(_as_text(b))
    if len(na) < SHINGLE or len(nb) < SHINGLE:
        return []
    seen = _shingles(nb, SHINGLE)
    covered = [False] * len(na)
    for i in range(len(na) - SHINGLE + 1):
        if na[i:i + SHINGLE] in seen:
            covered[i:i + SHINGLE] = [True] * SHINGLE
    out: list[str] = []
    start = None
    for i, c in enumerate([*covered, False]):
        if c and start is None:
            start = i
        elif not c and start is not None:
            if i - start >= n:
                out.append(na[start:i])
            start = None
    return out
