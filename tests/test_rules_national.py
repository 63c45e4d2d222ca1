"""The national pack carries exactly the catalogue: every id of rules.md with its severity."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gipcheck.engine import default_pack_dirs, load_packs

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CATALOGUE = SHARED / "design" / "rules.md"


def catalogue() -> dict[str, str]:
    if not CATALOGUE.is_file():
        pytest.skip("../shared/design/rules.md is not beside the checkout")
    out: dict[str, str] = {}
    for line in CATALOGUE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 5 and re.fullmatch(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)+", cells[1]):
            out[cells[1]] = re.match(r"(error|warning|info)", cells[4]).group(1)  # type: ignore[union-attr]
    return out


def national():  # type: ignore[no-untyped-def]
    return next(p for p in load_packs(default_pack_dirs()) if p.name == "national")


def test_national_pack_has_every_catalogue_rule_with_its_severity() -> None:
    expected = catalogue()
    assert len(expected) == 74
    got = {r.id: r.severity for r in national().rules}
    assert got == expected


def test_unconfirmed_sources_are_said_so_in_basis() -> None:
    text = CATALOGUE.read_text(encoding="utf-8") if CATALOGUE.is_file() else pytest.skip("no catalogue")
    marked = {cells[1] for line in text.splitlines()
              if (cells := [c.strip() for c in line.split("|")]) and len(cells) > 5
              and ("[M]" in cells[3] or "unconfirmed" in cells[3])}
    assert marked, "the catalogue marks some sources unconfirmed"
    rules = {r.id: r for r in national().rules}
    for rid in marked:
        assert "未经核实" in rules[rid].basis or "unconfirmed" in rules[rid].basis, rid


def test_column_rules_name_the_failing_column() -> None:
    rules = {r.id: r for r in national().rules}
    for rid in ("T3-COL-BALANCE", "T3-RESULT-SUM", "Y-CARRY-CHAIN"):
        assert "all c in columns:" in rules[rid].expr.text
        assert "{c}" in rules[rid].message["zh"] and "{c}" in rules[rid].message["en"]


def test_narrative_count_message_says_not_stated_instead_of_printing_a_blank() -> None:
    """Prose that states only the total received: the message says the new count is not stated
    (it printed "新收 空 件", a blank shown as if it were a number)."""
    from gipcheck.engine import evaluate
    from gipcheck.load.base import LoadedReport

    def message(facts: dict, lang: str) -> str:
        doc = {"meta": {"format": "2021"}, "facts": facts,
               "requests": {"new": {"total": 59}, "carried_over": {"total": 2}}}
        r = evaluate(LoadedReport(document=doc, locations={}, notes=[]), [national()], lang=lang,
                     only={"X-NARR-APPS"})
        return r.findings[0].message

    only_total = {"requests_received": {"value": 21}}
    both = {"requests_received": {"value": 21}, "requests_new": {"value": 20}}
    assert message(only_total, "zh") == "正文称收到申请 21 件（未写新收件数），表三本年新收 59 件、上年结转 2 件，前后不一致"
    assert message(both, "zh") == "正文称收到申请 21 件（新收 20 件），表三本年新收 59 件、上年结转 2 件，前后不一致"
    assert message(only_total, "en") == ("the text states 21 requests received (new not stated), "
                                         "but table 3 shows 59 new and 2 carried over")
