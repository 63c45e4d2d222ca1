"""Recognising Shanghai's layout and mapping its parts onto the canonical six sections."""

from __future__ import annotations

from pathlib import Path

from gipcheck_shanghai.layout import map_parts, shanghai_score


def test_kewei_own_numbering_maps_first_series_into_section_1(kewei_text: str) -> None:
    parts, restarts = map_parts(kewei_text.splitlines())
    assert restarts
    assert [p.number for p in parts] == [1, 2, 3, 4, 6]  # 五's heading (问题) is lost in the PDF text
    overview = parts[0]
    assert [h.title for h in overview.headings] == [
        "总体情况", "工作机制保障", "主动公开工作情况", "政府信息公开申请情况", "政府信息管理", "政府信息公开平台建设"]
    assert parts[1].title == "主动公开政府信息情况"
    assert parts[4].title == "其他需要报告的事项"


def test_gov_office_cut_label_is_not_a_heading(gov_office_text: str) -> None:
    parts, restarts = map_parts(gov_office_text.splitlines())
    assert not restarts
    assert [p.number for p in parts] == [1, 2, 3, 4, 6]
    # "三、本法提供" (a table-三 label cut by the converter) must not start a section
    assert all("本法提供" not in p.title for p in parts)


def test_scores(kewei_text: str, gov_office_text: str, corpus: Path) -> None:
    assert shanghai_score(kewei_text) >= 0.6
    assert shanghai_score(gov_office_text) >= 0.6
    shuyang = (corpus / "001_shuyang_county_gov_2025.txt").read_text(encoding="utf-8")
    assert shanghai_score(shuyang) == 0.0
    ordinary = "2024年上海市财政局政府信息公开工作年度报告\n一、总体情况\n正文。\n二、主动公开政府信息情况\n"
    assert 0 < shanghai_score(ordinary) < 0.6
