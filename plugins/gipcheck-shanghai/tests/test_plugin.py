"""The plugin through gipcheck's own door (the ``gipcheck_checker`` fixture of gipcheck's pytest
plugin: built-ins plus this plugin, strict): without it the core names it; with it the Shanghai
corpus reports load complete and the Shanghai rules run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from gipcheck.document.canon import REQUEST_COLUMNS, REVIEW_BLOCKS, REVIEW_COLUMNS, request_rows
from gipcheck.errors import LoadError
from gipcheck.testing.pytest_plugin import GipcheckChecker

import gipcheck_shanghai.plugin as shanghai_plugin

FILES = ("002_shanghai_kewei_2024.md.txt", "003_shanghai_gov_office_2025.md.txt")


def _get(doc: dict[str, Any], path: str) -> Any:
    node: Any = doc
    for k in path.split("."):
        node = node[k]
    return node


@pytest.mark.parametrize("name", FILES)
def test_core_alone_names_the_plugin_instead_of_reading_numbers(
        name: str, corpus: Path, make_gipcheck_checker: Callable[..., GipcheckChecker]) -> None:
    core_only = make_gipcheck_checker([])
    with pytest.raises(LoadError) as e:
        core_only.load(corpus / name)
    assert e.value.code == "NEEDS_PLUGIN"
    assert "gipcheck-shanghai" in e.value.zh and "gipcheck-shanghai" in e.value.en


@pytest.mark.parametrize("name", FILES)
def test_with_plugin_tables_are_complete(name: str, corpus: Path, gipcheck_checker: GipcheckChecker) -> None:
    doc = gipcheck_checker.load(corpus / name).document
    assert doc["meta"]["source"]["loader"] == "shanghai"
    assert doc["meta"]["region"]["province"] == "上海市"
    assert [s["number"] for s in doc["sections"]] == [1, 2, 3, 4, 5, 6]
    for spec in request_rows("2021"):
        assert set(_get(doc, spec.path)) == set(REQUEST_COLUMNS), spec.path
    blanks = [(s.path, c) for s in request_rows("2021") for c in REQUEST_COLUMNS if _get(doc, s.path)[c] is None]
    # only 市科委's 结转下年度继续办理/总计 is blank in the report
    assert blanks == ([("requests.carry_forward", "total")] if name.startswith("002") else [])
    for b in REVIEW_BLOCKS:
        assert all(isinstance(doc["review"][b][c], int) for c in REVIEW_COLUMNS)
    for row in ("regulations", "normative_documents"):
        assert set(doc["active"][row]) == {"issued", "repealed", "in_force"}


def test_shanghai_rules_applied(corpus: Path, gipcheck_checker: GipcheckChecker) -> None:
    assert "shanghai" in [p.name for p in gipcheck_checker.packs]
    kewei, office = (gipcheck_checker.check(corpus / name) for name in FILES)
    assert "SH-OWN-NUMBERING" in {f.rule for f in kewei.findings}
    assert "SH-OWN-NUMBERING" not in {f.rule for f in office.findings}
    # the prose counts and percentages agree with the tables as loaded: independent evidence
    for r in (kewei, office):
        assert "SH-RESULT-COUNTS" in _ids(r.passed)
    assert "SH-RESULT-SHARES" in _ids(office.passed)
    for r in (kewei, office):
        assert [f for f in r.findings if f.severity == "error" and f.rule.startswith(("T3-", "T4-"))] == []


def _ids(items: Any) -> set[str]:
    return {getattr(x, "rule", None) or getattr(x, "id", None) or str(x) for x in items}


def test_region_option_applies_the_plugin(make_gipcheck_checker: Callable[..., GipcheckChecker],
                                          corpus: Path) -> None:
    checker = make_gipcheck_checker(["shanghai"], region="shanghai", config={"region": "shanghai"})
    assert "shanghai" in [p.name for p in checker.packs]
    assert shanghai_plugin.PACK_DIR in checker.manager.rule_pack_dirs("shanghai")
    assert shanghai_plugin.PACK_DIR not in checker.manager.rule_pack_dirs("jiangsu")
    seeds = corpus.parent / "seeds"
    # 青云谱区商务局: the report names no province, so --region shanghai supplies it
    unnamed = checker.load(seeds / "002_fef44fb29382a984.txt")
    assert unnamed.document["meta"]["region"]["province"] == "上海市"
    # 太原市清徐县人民政府 names its province: it is kept, and the user is told
    named = checker.load(seeds / "000_be94cdfbcf579bbe.txt")
    assert named.document["meta"]["region"]["province"] == "山西省"
    assert "SH_REGION_MISMATCH" in {n.code for n in named.notes}
    plain = make_gipcheck_checker(["shanghai"])
    assert plain.load(seeds / "002_fef44fb29382a984.txt").document["meta"]["region"]["province"] is None


def test_layout_hint(corpus: Path, gipcheck_checker: GipcheckChecker) -> None:
    text = (corpus / FILES[0]).read_text(encoding="utf-8")
    ours = [h for h in gipcheck_checker.manager.detect_layout(text) if not h["by"].startswith("gipcheck.")]  # ours, not the built-in hint
    assert len(ours) == 1 and ours[0]["plugin"] == "gipcheck-shanghai" and ours[0]["confidence"] >= 0.85
    assert gipcheck_checker.layout_hint(text) is None  # the plugin is installed: nothing is missing
    other = (corpus / "001_shuyang_county_gov_2025.txt").read_text(encoding="utf-8")
    assert all(h["name"] != "shanghai" for h in gipcheck_checker.manager.detect_layout(other))
