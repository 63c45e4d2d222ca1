"""A small gazetteer (``gazetteer.yaml``): provinces, their prefecture-level divisions and the
county-level cities we are sure of. Tells an organ's level and region from its name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

_FILE = Path(__file__).with_name("gazetteer.yaml")
# characters that never occur in the name part of a county or township unit
_STOP = set("和与及局委办厅部会室所站院政府公开信息管理服务中心的")
_COUNTY = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:自治县|自治旗|县|区|旗|市|林区|特区)")
_TOWN = re.compile(r"[\u4e00-\u9fff]{1,6}?(?:街道办事处|街道|民族乡|乡|镇|苏木)")
_ANY_PROVINCE = re.compile(r"[\u4e00-\u9fff]{2,7}?(?:省|自治区)")
_ANY_CITY = re.compile(r"[\u4e00-\u9fff]{2,7}?(?:市|自治州|地区|盟)")
_SPACES = re.compile(r"\s+")
_TOWN_GOV = re.compile(r"(?:乡|镇)人民政府$")
_NATIONAL = ("国务院", "国家", "中华人民共和国", "中国", "中央")


@dataclass(frozen=True)
class Gazetteer:
    provinces: dict[str, str]                 # full name → kind
    short: dict[str, str]                     # short name → full name
    city_province: dict[str, str]             # prefecture-level name → province
    county_city: dict[str, tuple[str | None, str]]  # county-level city → (prefecture or None, province)


def _data() -> Any:
    """The YAML file's data (kept as JSON in the start-up cache: reading the YAML cost ~8 ms at
    every start and in every batch worker)."""
    from gipcheck.resources import cached_yaml

    text = _FILE.read_text(encoding="utf-8")
    # a cached copy must name the same provinces as the file
    return cached_yaml(text, "gazetteer", lambda got: type(got) is dict and type(got.get("provinces")) is dict
                       and all(type(k) is str and k in text for k in got["provinces"]))


@cache
def gazetteer() -> Gazetteer:
    data: Any = _data()
    provinces: dict[str, str] = {}
    city_province: dict[str, str] = {}
    county_city: dict[str, tuple[str | None, str]] = {}
    for prov, info in (data.get("provinces") or {}).items():
        provinces[prov] = info.get("kind", "province")
        for c in info.get("cities") or []:
            city_province[c] = prov
        for c, counties in (info.get("county_cities") or {}).items():
            for cc in counties or []:
                county_city[cc] = (c, prov)
        for cc in info.get("direct_county_cities") or []:
            county_city[cc] = (None, prov)
    return Gazetteer(provinces, dict(data.get("short_names") or {}), city_province, county_city)


@cache
def _prefix_index() -> tuple[dict[str, tuple[str, ...]], ...]:
    """Province, short and city names by their first character, each group in table order: the
    names that start an organ name are then found by one look-up and a startswith or two."""
    g = gazetteer()
    out = []
    for t in (g.provinces, g.short, g.city_province):
        heads: dict[str, list[str]] = {}
        for k in t:
            if k:  # (the file names no empty place)
                heads.setdefault(k[0], []).append(k)
        out.append({h: tuple(ks) for h, ks in heads.items()})
    return tuple(out)


def _starting(rest: str, table: dict[str, tuple[str, ...]]) -> list[str]:
    """The names of ``table`` that ``rest`` starts with, in table order."""
    return [k for k in table.get(rest[:1], ()) if rest.startswith(k)]


def _unit(rx: re.Pattern[str], s: str) -> str | None:
    m = rx.match(s)
    if not m:
        return None
    name = m.group(0)
    if not _STOP.isdisjoint(name[:-1]):  # (a set and a str: any(ch in _STOP for ch in ...))
        return None
    return name


def classify_organ(organ: str | None) -> tuple[str | None, str | None, dict[str, str | None]]:
    """``(organ_kind, organ_level, region)`` from an organ name such as 太原市清徐县人民政府."""
    region: dict[str, str | None] = {"province": None, "city": None, "county": None}
    if not organ:
        return None, None, region
    name = _SPACES.sub("", organ)
    kind = "government" if name.endswith("人民政府") or _TOWN_GOV.search(name) else "department"
    if name.startswith(_NATIONAL):
        return kind, "national", region
    g = gazetteer()
    level: str | None = None
    rest = name
    prov_i, short_i, city_i = _prefix_index()
    for full in _starting(rest, prov_i)[:1]:
        region["province"] = full
        rest = rest[len(full):]
        level = "provincial"
    if level is None:
        for short in _starting(rest, short_i)[:1]:
            region["province"] = g.short[short]
            rest = rest[len(short):]
            level = "provincial"
    if region["province"] is None and (m := _ANY_PROVINCE.match(rest)):
        # a province the gazetteer does not list (or an invented one, as in the examples)
        region["province"], rest, level = m.group(0), rest[m.end():], "provincial"
    for city in _starting(rest, city_i):
        prov = g.city_province[city]
        if region["province"] in (None, prov):
            region["city"], region["province"] = city, prov
            rest = rest[len(city):]
            level = "prefecture"
            break
    else:
        if level == "provincial" and (m := _ANY_CITY.match(rest)):
            # after a province, the next "…市/自治州/地区/盟" is a prefecture-level unit
            region["city"], rest, level = m.group(0), rest[m.end():], "prefecture"
    county = _unit(_COUNTY, rest)
    if county and county.endswith("市") and county not in g.county_city:
        # an unknown "…市" right at the start may be a prefecture we do not list; not a county
        county = None if level is None else county
    if county:
        region["county"] = county
        known = g.county_city.get(county)
        if known:
            region["city"] = region["city"] or known[0]
            region["province"] = region["province"] or known[1]
        rest = rest[len(county):]
        level = "county"
    town = _unit(_TOWN, rest)
    if town and (level in ("county", None)):
        level = "township"
    return kind, level, region
