"""Acceptance: on each seed report, every rule in ``findings.must`` fires and none in ``must_not``.

The seeds are real report texts read by the real loader (``gipcheck.load.load_path``); the expected
ids are the hand-verified truth in ``../shared/seeds/expected/*.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gipcheck.engine import default_pack_dirs, evaluate, load_packs
from gipcheck.load import load_path

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
EXPECTED = sorted((SEEDS / "expected").glob("*.json")) if SEEDS.is_dir() else []


@pytest.fixture(scope="module")
def packs():  # type: ignore[no-untyped-def]
    return load_packs(default_pack_dirs())


@pytest.mark.skipif(not EXPECTED, reason="../shared/seeds is not beside the checkout")
@pytest.mark.parametrize("expected", EXPECTED, ids=[p.stem.split("_")[0] for p in EXPECTED])
def test_seed_findings(expected: Path, packs) -> None:  # type: ignore[no-untyped-def]
    truth = json.loads(expected.read_text(encoding="utf-8"))["findings"]
    result = evaluate(load_path(SEEDS / (expected.stem + ".txt")), packs)
    assert result.problems == []
    fired = {f.rule for f in result.findings}
    missing = sorted(set(truth["must"]) - fired)
    wrong = sorted(set(truth["must_not"]) & fired)
    assert not missing, f"must fire but did not: {missing}; not evaluated: " + str(
        [(n.rule, n.missing) for n in result.not_evaluated if n.rule in missing])
    assert not wrong, "must not fire but did: " + "; ".join(
        f"{f.rule}: {f.message}" for f in result.findings if f.rule in wrong)


@pytest.mark.skipif(not EXPECTED, reason="../shared/seeds is not beside the checkout")
def test_seed_000_narrative_findings_quote_both_sides(packs) -> None:  # type: ignore[no-untyped-def]
    result = evaluate(load_path(SEEDS / "000_be94cdfbcf579bbe.txt"), packs, only=["X-NARR-*", "S-GOV-50-4"])
    by = {f.rule: f for f in result.findings}
    assert by["X-NARR-REVIEW"].message == "正文称行政复议 4 件，表四行政复议总计为 10 件"
    assert by["X-NARR-CARRY"].values["stated_in"] == "1" and by["X-NARR-CARRY"].values["table_in"] == "2"
    assert by["S-GOV-50-4"].severity == "warning"


@pytest.mark.skipif(not EXPECTED, reason="../shared/seeds is not beside the checkout")
def test_seed_001_label_and_blank_findings(packs) -> None:  # type: ignore[no-untyped-def]
    result = evaluate(load_path(SEEDS / "001_752a671dabfd990e.txt"), packs, only=["S-LABEL-EXACT", "T3-EMPTY"])
    by = {f.rule: f for f in result.findings}
    assert "(五)不予以处理" in by["S-LABEL-EXACT"].message
    assert "第二十条(六)项" in by["S-LABEL-EXACT"].message
    blank = by["T3-EMPTY"]
    assert blank.section == 3
    rows = {loc["pointer"].rsplit("/", 1)[0] for loc in blank.locations}
    assert rows == {"/requests/results/other/overdue_correction", "/requests/results/other/unpaid_fee",
                    "/requests/results/other/other"}
