"""Functions the engine adds to the rule language: the official table wording from
:mod:`gipcheck.document.canon`, so that rules can compare a report's labels with it."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import Any

from gipcheck.document import canon

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"'})


@lru_cache(maxsize=8192)
def _norm(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text).translate(_QUOTES))


def norm_label(text: Any) -> str:
    """A label as compared with the official wording: NFKC (full-width → half-width), no spaces,
    straight quotes. Wording differences (不予以处理, a dropped 第) survive on purpose."""
    return _norm(str(text))


_T3_EXTRA = ("申请人情况", "自然人", "法人或其他组织", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他",
             "总计", "三、本年度办理结果", "本年度办理结果",
             "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）")
_T2_EXTRA = ("信息内容",)
_T4_LABELS = ("行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


@cache
def _official(table: str, fmt: str) -> frozenset[str]:
    out: list[str] = []
    if table == "requests":
        for r in canon.request_rows(fmt):
            out.append(r.label)
        out.extend(canon.REQUEST_GROUPS.values())
        out.extend(_T3_EXTRA)
    elif table == "active":
        for a in canon.active_rows(fmt):
            out.extend((a.label, a.item))
            out.extend(lbl for _f, lbl in a.cells)
        out.extend(_T2_EXTRA)
    elif table == "review":
        out.extend(_T4_LABELS)
    return frozenset(norm_label(x) for x in out)


def official_labels(table: Any, fmt: Any = "2021") -> list[str]:
    """The official labels of ``table`` (``active``, ``requests`` or ``review``) in format ``fmt``,
    normalised with :func:`norm_label`."""
    return sorted(_official(str(table), "2019" if str(fmt) == "2019" else "2021"))


def unofficial_labels(labels: Any, table: Any, fmt: Any = "2021") -> list[str]:
    """The labels of ``labels`` (as the report writes them) that are not official wording for
    ``table`` in format ``fmt``, each once, in report order."""
    key = (str(table), "2019" if str(fmt) == "2019" else "2021")
    verdicts = _VERDICTS.get(key)
    if verdicts is None or len(verdicts) > 8192:
        verdicts = _VERDICTS[key] = {}
    if type(labels) is list and set(map(type, labels)) <= _STR_ONLY:
        # texts only (the loader's lists): the loop below, with the verdict lookups done in C
        uniq = dict.fromkeys(labels)
        if not uniq.keys() <= verdicts.keys():
            for label in uniq:
                if label not in verdicts:
                    verdicts[label] = _unofficial(label, key)
        return list(filter(verdicts.__getitem__, uniq))
    out: list[str] = []
    seen: set[str] = set()
    for label in labels if isinstance(labels, list) else []:
        if not isinstance(label, str) or label in seen:
            continue
        seen.add(label)
        odd = verdicts.get(label)
        if odd is None:
            odd = verdicts[label] = _unofficial(label, key)
        if odd:
            out.append(label)
    return out


_VERDICTS: dict[tuple[str, str], dict[str, bool]] = {}   # (table, format) → label → unofficial?
_STR_ONLY = frozenset((str,))


def _unofficial(label: str, key: tuple[str, str]) -> bool:
    official = _official(*key)
    n = norm_label(label)
    # A piece of an official label (a header cell wrapped over two lines) is not a deviation.
    return bool(n) and n not in official and not _is_fragment(n, official)


@lru_cache(maxsize=4096)
def _is_fragment(n: str, official: frozenset[str]) -> bool:
    return any(n in o for o in official)


@cache
def engine_functions() -> dict[str, Any]:
    from gipcheck.lang.functions import FunctionSpec

    return {
        "norm_label": FunctionSpec(norm_label, 1, 1, 2, "norm_label(text): label in comparable form"),
        "official_labels": FunctionSpec(official_labels, 1, 2, 5,
                                        'official_labels("requests", meta.format): official wording'),
        "unofficial_labels": FunctionSpec(unofficial_labels, 2, 3, 10,
                                          'unofficial_labels(labels.requests, "requests", meta.format): '
                                          "labels that differ from the official wording"),
    }
