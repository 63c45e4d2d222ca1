"""The national pack against an independent oracle: every rule hand-written in plain Python in
bench/bench_floor_pack.py (the speed floor of issue 3). Both must give the same verdict — pass,
fail, not evaluated, not applicable — on the seeds, on mutated and structurally edited copies of
them (with and without a previous year) and on every rule's own examples. A change to a rule or
to the engine that moves a verdict shows here, and must be made in the oracle too, on purpose."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
sys.path.insert(0, str(REPO / "bench"))

floor = pytest.importorskip("bench_floor_pack")

from gipcheck.engine import default_pack_dirs, load_packs  # noqa: E402
from gipcheck.load import load_path  # noqa: E402

pytestmark = pytest.mark.skipif(not sorted(SEEDS.glob("*.txt")), reason="../shared (seeds) is not beside the checkout")


def test_every_national_rule_has_an_oracle() -> None:
    rules = {r.id for p in load_packs(default_pack_dirs()) for r in p.rules}
    assert rules == set(floor.FLOOR)


def test_engine_and_oracle_agree_on_seeds_mutants_and_examples() -> None:
    rules = {r.id: r for p in load_packs(default_pack_dirs()) for r in p.rules}
    docs = [(s.name, load_path(s).document) for s in sorted(SEEDS.glob("*.txt"))]
    n, bad = floor.verify(rules, docs, 12)
    assert n > 10_000
    assert bad == []
