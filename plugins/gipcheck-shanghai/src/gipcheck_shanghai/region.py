"""Which reports are Shanghai's: from the organ name, the title, or ``--region shanghai``."""

from __future__ import annotations

import re
from typing import Any

from gipcheck.load.base import Note

from gipcheck_shanghai.quick import SHANGHAI_DISTRICTS

PROVINCE = "上海市"
NAMES = ("shanghai", "上海", "上海市")  # the names --region accepts for this pack


def is_region(name: str | None) -> bool:
    return bool(name) and str(name).strip().lower() in NAMES


def _district(text: str) -> str | None:
    for d in SHANGHAI_DISTRICTS:
        name = d if d.endswith("区") else d + "区"
        if name in text:
            return name
    return None


def detect(meta: dict[str, Any]) -> bool:
    """A report is Shanghai's when its organ or title names 上海市 or a Shanghai district as such."""
    region = meta.get("region") or {}
    if region.get("province") == PROVINCE:
        return True
    words = " ".join(str(meta.get(k) or "") for k in ("organ", "title"))
    return bool(re.search(r"上海市|^上海", words)) or (
        "上海" in words and _district(words) is not None)


def enrich(loaded: Any, config: dict[str, Any]) -> None:
    """Fill ``meta.region`` for a Shanghai report (province 上海市, a municipality: city 上海市).

    ``--region shanghai`` fills the province when the report does not name one; a report that
    names another province keeps it (a note says so), since the document must not be changed by a guess.
    """
    meta = loaded.document.setdefault("meta", {})
    region = dict(meta.get("region") or {})
    asked = is_region(config.get("region"))
    if not detect(meta):
        stated = region.get("province")
        if not asked:
            return
        if stated and stated != PROVINCE:
            loaded.notes.append(Note(
                "SH_REGION_MISMATCH", f"指定了 --region shanghai，但年报机关属于{stated}，未套用上海市规则",
                f"--region shanghai was given but the report's organ is in {stated}; Shanghai rules not applied",
                pointer="/meta/region", level="warning"))
            return
    region["province"] = PROVINCE
    region["city"] = region.get("city") or PROVINCE
    if not region.get("county"):
        region["county"] = _district(" ".join(str(meta.get(k) or "") for k in ("organ", "title")))
    meta["region"] = region
