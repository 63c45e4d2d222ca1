"""The Jiangsu plugin through gipcheck's door (the ``gipcheck_checker`` fixture of gipcheck's
pytest plugin: built-ins plus this plugin, strict): region, functions and rules on the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from gipcheck.testing.pytest_plugin import GipcheckChecker

import gipcheck_jiangsu.plugin as plugin
from gipcheck_jiangsu.text_reuse import copied_ratio


def test_registrations(gipcheck_checker: GipcheckChecker) -> None:
    manager = gipcheck_checker.manager
    assert {"copied_ratio", "text_overlap", "copied_passages"} <= set(manager.function_specs())
    assert plugin.PACK_DIR in manager.rule_pack_dirs("jiangsu")
    assert plugin.PACK_DIR not in manager.rule_pack_dirs("shanghai")
    assert "jiangsu" in [p.name for p in gipcheck_checker.packs]


def test_section5_copied_from_last_year(gipcheck_checker: GipcheckChecker, corpus: Path) -> None:
    pytest.importorskip("pdfplumber", reason="reading the PDFs needs gipcheck[pdf]")
    now = gipcheck_checker.load(corpus / "hongze_gov_2024.pdf")
    prev = gipcheck_checker.load(corpus / "hongze_gov_2023.pdf")
    assert now.document["meta"]["region"] == {"province": "江苏省", "city": "淮安市", "county": "洪泽区"}
    assert "国务院令第711号" in now.document["meta"]["cited"]
    with_prev = {f.rule: f for f in gipcheck_checker.check(now, prev=prev).findings}
    copied = with_prev["JS-SEC5-COPIED"]
    sec5 = [next(s["text"] for s in d.document["sections"] if s["number"] == 5) for d in (now, prev)]
    pct = round(copied_ratio(*sec5) * 100, 1)
    assert 30 <= pct < 50
    assert copied.severity == "info"  # between the 30% (info) and 50% (warning) thresholds
    assert f"{pct}%" in copied.message
    assert "JS-CITE-ORDER" not in with_prev
    alone = {f.rule for f in gipcheck_checker.check(now).findings}
    assert "JS-SEC5-COPIED" not in alone  # no previous report: nothing to compare


def test_overview_aspects(gipcheck_checker: GipcheckChecker, corpus: Path) -> None:
    shuyang = gipcheck_checker.load(corpus / "001_shuyang_county_gov_2025.txt")
    assert shuyang.document["meta"]["region"]["province"] == "江苏省"
    assert shuyang.document["meta"]["region"]["city"] == "宿迁市"
    found = {f.rule: f for f in gipcheck_checker.check(shuyang).findings}
    assert found["JS-OVERVIEW-FIVE"].severity == "info"
    assert "政府信息管理" in found["JS-OVERVIEW-FIVE"].message


def test_not_applied_outside_jiangsu(gipcheck_checker: GipcheckChecker, corpus: Path) -> None:
    pingtan = gipcheck_checker.load(corpus / "010_pingtan_2025.page.txt")
    assert (pingtan.document["meta"].get("region") or {}).get("province") != "江苏省"
    assert not [f for f in gipcheck_checker.check(pingtan).findings if f.rule.startswith("JS-")]
