"""The Shanghai loader end to end: the canonical document of the two corpus reports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from gipcheck.errors import LoadError

from gipcheck_shanghai.loader import load, load_text

KEWEI = "002_shanghai_kewei_2024.md.txt"
GOV_OFFICE = "003_shanghai_gov_office_2025.md.txt"


@pytest.fixture(scope="module")
def kewei(corpus: Path) -> Any:
    return load((corpus / KEWEI).read_bytes(), str(corpus / KEWEI), {})


@pytest.fixture(scope="module")
def office(corpus: Path) -> Any:
    return load((corpus / GOV_OFFICE).read_bytes(), str(corpus / GOV_OFFICE), {})


def _codes(loaded: Any) -> set[str]:
    return {n.code for n in loaded.notes}


def test_kewei_sections_are_the_canonical_six(kewei: Any) -> None:
    sections = kewei.document["sections"]
    assert [s["number"] for s in sections] == [1, 2, 3, 4, 5, 6]
    overview = sections[0]["text"]
    # the report's own numbered parts are aspects of 总体情况 and stay in its text
    for part in ("二、工作机制保障", "五、政府信息管理", "六、政府信息公开平台建设", "全年收到政府信息公开申请 34 件"):
        assert part in overview
    assert sections[4]["text"].startswith("（一）主要问题")
    assert "三是重新涉及部门网站政务公开栏目" in sections[4]["text"]
    assert sections[5]["text"].endswith("市科委未发生政府信息公开收费事项。")
    assert {"SH_OWN_NUMBERING", "SH_SECTION5_HEADING_INFERRED", "SH_T3_PLACED_BY_ORDER"} <= _codes(kewei)


def test_kewei_prose_facts_match_the_tables(kewei: Any) -> None:
    doc = kewei.document
    facts = doc["facts"]
    assert facts["requests_received"]["value"] == doc["requests"]["new"]["total"] == 34
    assert facts["requests_carried_over"]["value"] == doc["requests"]["carried_over"]["total"] == 2
    assert facts["requests_carry_forward"]["value"] == doc["requests"]["carry_forward"]["natural_person"] == 1
    # "有 1 件涉及政府信息公开工作的行政复议": Shanghai's own phrasing (plugin facts.yaml)
    assert facts["reconsiderations"]["value"] == doc["review"]["reconsideration"]["total"] == 1
    assert facts["lawsuits"]["value"] == 0


def test_kewei_blank_total_is_null_with_its_place(kewei: Any) -> None:
    forward = kewei.document["requests"]["carry_forward"]
    assert forward["total"] is None
    assert kewei.locations["/requests/carry_forward/total"].line == 178


def test_meta(kewei: Any, office: Any) -> None:
    k, o = kewei.document["meta"], office.document["meta"]
    assert k["title"] == "2024 年上海市科委政府信息公开工作年度报告"
    assert k["organ"] == "上海市科委"  # as the title names it (the organ's own short name)
    assert (k["organ_kind"], k["region"]["province"]) == ("department", "上海市")
    assert (k["year"], o["year"]) == (2024, 2025)
    assert k["period"] == {"start": "2024-01-01", "end": "2024-12-31"}
    assert o["organ"] == "上海市人民政府办公厅"
    assert "国办公开办函〔2021〕30号" in o["cited"]
    assert k["source"]["loader"] == o["source"]["loader"] == "shanghai"


def test_office_sections_and_note_under_table_4(office: Any) -> None:
    sections = office.document["sections"]
    assert [s["number"] for s in sections] == [1, 2, 3, 4, 5, 6]
    assert sections[3]["text"] == "注：行政复议、行政诉讼数量含上年度结转数量。"
    assert sections[4]["text"].startswith("（一）2024 年工作中存在问题的改进情况")
    assert "— 2 —" not in sections[0]["text"]  # page footers are not prose
    assert "（三）政府信息管理方面" in sections[0]["text"]


def test_office_facts(office: Any) -> None:
    doc = office.document
    facts = doc["facts"]
    assert facts["requests_received"]["value"] == doc["requests"]["new"]["total"] == 1295
    assert facts["requests_completed"]["value"] == doc["requests"]["results"]["total"]["total"] == 1191
    assert facts["requests_carried_over"]["value"] == doc["requests"]["carried_over"]["total"] == 189


def test_locations_point_at_the_cells(office: Any, corpus: Path) -> None:
    lines = (corpus / GOV_OFFICE).read_text(encoding="utf-8").splitlines()
    for ptr in ("/requests/new/total", "/review/reconsideration/total", "/active/normative_documents/in_force"):
        loc = office.locations[ptr]
        assert lines[loc.line - 1][loc.col - 1:].startswith(loc.text.split("（")[0])


def test_not_a_shanghai_report() -> None:
    with pytest.raises(LoadError) as e:
        load_text("上海市某局\n一、总体情况\n本年度无。\n")
    assert e.value.code == "NOT_A_REPORT"
