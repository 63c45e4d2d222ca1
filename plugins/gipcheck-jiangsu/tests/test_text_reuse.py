"""The text-reuse functions on real report text: 洪泽区 2024 repeats two of its three 2023
improvement measures word for word."""

from __future__ import annotations

from pathlib import Path

import pytest

from gipcheck_jiangsu.text_reuse import copied_passages, copied_ratio, normalise, text_overlap


def _section(corpus: Path, name: str, number: int) -> str:
    from gipcheck.load import load_path

    doc = load_path(corpus / name).document
    return next(s["text"] for s in doc["sections"] if s["number"] == number)


@pytest.fixture(scope="module")
def hongze(corpus: Path) -> tuple[str, str]:
    pytest.importorskip("pdfplumber", reason="reading the PDFs needs gipcheck[pdf]")
    return _section(corpus, "hongze_gov_2023.pdf", 5), _section(corpus, "hongze_gov_2024.pdf", 5)


def test_normalise_ignores_years_spaces_and_punctuation() -> None:
    assert normalise("2024 年，全区政府信息公开工作") == normalise("2025年全区政府信息公开工作。")


def test_hongze_section5_partly_copied(hongze: tuple[str, str]) -> None:
    s23, s24 = hongze
    ratio = copied_ratio(s24, s23)
    assert 0.3 < ratio < 0.5
    passages = copied_passages(s24, s23)
    assert any("扎实推进依申请公开工作全面梳理和优化工作流程" in p for p in passages)
    assert any("实行政府信息公开工作人员跟班学习制度" in p for p in passages)
    # the problems of 2024 are new: the part before 针对存在问题 is not copied
    assert copied_ratio(s24.split("针对存在问题")[0], s23) < 0.2
    assert 0 < text_overlap(s24, s23) < ratio


def test_identical_and_unrelated_text(hongze: tuple[str, str], corpus: Path) -> None:
    s23, s24 = hongze
    assert copied_ratio(s24, s24) == 1.0
    shuyang = (corpus / "001_shuyang_county_gov_2025.txt").read_text(encoding="utf-8")
    assert copied_ratio(s24, shuyang) < 0.1
    assert copied_ratio("", s23) == 0.0 and copied_ratio(s24, None) == 0.0
