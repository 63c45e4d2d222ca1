"""Which reports are Jiangsu's, from the organ, the title or the first lines; and the 国务院令
numbers a report cites, which Jiangsu reports write beside the 条例 ("（国令第 711 号）")."""

from __future__ import annotations

import re
from typing import Any

from gipcheck.load.base import Note

PROVINCE = "江苏省"
NAMES = ("jiangsu", "江苏", "江苏省")  # the names --region accepts for this pack

# Prefecture-level cities and their county-level units (2024 administrative divisions).
CITIES: dict[str, tuple[str, ...]] = {
    "南京市": ("玄武区", "秦淮区", "建邺区", "鼓楼区", "浦口区", "栖霞区", "雨花台区", "江宁区", "六合区", "溧水区", "高淳区"),
    "无锡市": ("锡山区", "惠山区", "滨湖区", "梁溪区", "新吴区", "江阴市", "宜兴市"),
    "徐州市": ("鼓楼区", "云龙区", "贾汪区", "泉山区", "铜山区", "丰县", "沛县", "睢宁县", "新沂市", "邳州市"),
    "常州市": ("天宁区", "钟楼区", "新北区", "武进区", "金坛区", "溧阳市"),
    "苏州市": ("虎丘区", "吴中区", "相城区", "姑苏区", "吴江区", "常熟市", "张家港市", "昆山市", "太仓市"),
    "南通市": ("通州区", "崇川区", "海门区", "如东县", "启东市", "如皋市", "海安市"),
    "连云港市": ("连云区", "海州区", "赣榆区", "东海县", "灌云县", "灌南县"),
    "淮安市": ("淮安区", "淮阴区", "清江浦区", "洪泽区", "涟水县", "盱眙县", "金湖县"),
    "盐城市": ("亭湖区", "盐都区", "大丰区", "响水县", "滨海县", "阜宁县", "射阳县", "建湖县", "东台市"),
    "扬州市": ("广陵区", "邗江区", "江都区", "宝应县", "仪征市", "高邮市"),
    "镇江市": ("京口区", "润州区", "丹徒区", "丹阳市", "扬中市", "句容市"),
    "泰州市": ("海陵区", "高港区", "姜堰区", "兴化市", "靖江市", "泰兴市"),
    "宿迁市": ("宿城区", "宿豫区", "沭阳县", "泗阳县", "泗洪县"),
}
# District names that other provinces also have: they count only together with their city.
_SHARED_NAMES = frozenset({"鼓楼区", "通州区", "海州区", "新北区", "滨湖区", "云龙区", "崇川区", "淮安区"})
# OCR confusions seen in the corpus (沭 read as 沐).
_OCR = {"沐阳县": "沭阳县"}

_COUNTY_INDEX: dict[str, str] = {}
for _city, _units in CITIES.items():
    for _u in _units:
        if _u not in _SHARED_NAMES:
            _COUNTY_INDEX[_u] = _city

# Every name above, and what locate needs to find them all with a few str.find calls: each name
# ends in 市, 区 or 县, so a name occurs exactly where one of those characters ends it.
_NAMES = frozenset(CITIES) | frozenset(u for units in CITIES.values() for u in units)
_NAME_LENGTHS = tuple(sorted({len(n) for n in _NAMES}))
_NAME_ENDS = tuple(sorted({n[-1] for n in _NAMES}))

_ORDER = re.compile(r"(?:国务院令|国令)\s*第\s*(\d+)\s*号")


def is_region(name: str | None) -> bool:
    return bool(name) and str(name).strip().lower() in NAMES


def locate(words: str) -> dict[str, str | None] | None:
    """``{province, city, county}`` for a Jiangsu organ or title, or None when it is not one."""
    for wrong, right in _OCR.items():
        words = words.replace(wrong, right)
    found = _names_in(words)  # (``name in found`` is ``name in words``, without 100 scans of the text)
    city = next((c for c in CITIES if c in found), None) if found else None
    county = None
    if city:
        county = next((u for u in CITIES[city] if u in found), None)
    elif found:
        for unit, unit_city in _COUNTY_INDEX.items():
            if unit in found:
                city, county = unit_city, unit
                break
    if city is None and PROVINCE not in words:
        return None
    return {"province": PROVINCE, "city": city, "county": county}


def _names_in(words: str) -> set[str]:
    """The city and county names of :data:`CITIES` that occur in ``words``: every occurrence ends
    at one of the few 市/区/县 in it, so only the texts ending there are looked up."""
    found: set[str] = set()
    for end in _NAME_ENDS:
        i = words.find(end)
        while i >= 0:
            for n in _NAME_LENGTHS:
                if n <= i + 1 and words[i + 1 - n:i + 1] in _NAMES:
                    found.add(words[i + 1 - n:i + 1])
            i = words.find(end, i + 1)
    return found


def cited_orders(text: str) -> list[str]:
    """The 国务院令 numbers cited in ``text``, as ``国务院令第711号``."""
    out: list[str] = []
    for m in _ORDER.finditer(text):
        n = f"国务院令第{int(m.group(1))}号"
        if n not in out:
            out.append(n)
    return out


def enrich(loaded: Any, config: dict[str, Any]) -> None:
    """Fill ``meta.region`` of a Jiangsu report and add the 国务院令 numbers it cites to ``meta.cited``.

    ``--region jiangsu`` fills the province when the report names none; a report that names
    another province keeps it (a note says so).
    """
    meta = loaded.document.setdefault("meta", {})
    region = meta.get("region") or {}
    head = (loaded.text or "")[:300]
    found = locate(" ".join(str(meta.get(k) or "") for k in ("organ", "title")) + " " + head)
    stated = region.get("province")
    if found is None and stated != PROVINCE:
        if not is_region(config.get("region")):
            return
        if stated:
            loaded.notes.append(Note(
                "JS_REGION_MISMATCH", f"指定了 --region jiangsu，但年报机关属于{stated}，未套用江苏省规则",
                f"--region jiangsu was given but the report's organ is in {stated}; Jiangsu rules not applied",
                pointer="/meta/region", level="warning"))
            return
    merged: dict[str, Any] = {"province": PROVINCE, "city": None, "county": None}
    merged.update({k: v for k, v in (found or {}).items() if v})
    merged.update({k: v for k, v in region.items() if v and k != "province"})  # never overwrite what the report says
    meta["region"] = merged
    cited = list(meta.get("cited") or [])
    for n in cited_orders(loaded.text or ""):
        if n not in cited:
            cited.append(n)
    meta["cited"] = cited
