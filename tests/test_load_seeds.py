"""The five seeds are the acceptance test: every field listed in seeds/expected/*.json →
"document" must come out of the text loader with exactly that value."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gipcheck.load import load_path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = sorted((SHARED / "seeds").glob("*.txt")) if (SHARED / "seeds").is_dir() else []

pytestmark = pytest.mark.skipif(not SEEDS, reason="../shared/seeds is not beside the checkout")


def _expected(seed: Path) -> dict[str, Any]:
    return json.loads((seed.parent / "expected" / (seed.stem + ".json")).read_text(encoding="utf-8"))["document"]


def _diff(expected: Any, got: Any, path: str) -> list[str]:
    """Exact comparison of the listed fields; int vs float of equal value is a mismatch only
    when the expected value is a count (int) and the loader produced a non-integral number."""
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [f"{path}: expected an object, got {got!r}"]
        out: list[str] = []
        for k, v in expected.items():
            if k not in got:
                out.append(f"{path}/{k}: missing")
            else:
                out.extend(_diff(v, got[k], f"{path}/{k}"))
        return out
    if expected is None:
        return [] if got is None else [f"{path}: expected null, got {got!r}"]
    if isinstance(expected, bool) or isinstance(got, bool):
        return [] if expected is got else [f"{path}: expected {expected!r}, got {got!r}"]
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return [] if expected == got else [f"{path}: expected {expected!r}, got {got!r}"]
    return [] if expected == got else [f"{path}: expected {expected!r}, got {got!r}"]


@pytest.fixture(scope="module", params=SEEDS, ids=[s.stem for s in SEEDS])
def seed(request: pytest.FixtureRequest) -> tuple[dict[str, Any], Any]:
    return _expected(request.param), load_path(request.param)


def test_meta_fields(seed: tuple[dict[str, Any], Any]) -> None:
    exp, rep = seed
    assert _diff(exp["meta"], rep.document["meta"], "/meta") == []


def test_sections_in_order(seed: tuple[dict[str, Any], Any]) -> None:
    exp, rep = seed
    assert [s["number"] for s in rep.document["sections"]] == exp["sections"]
    for s in rep.document["sections"]:
        assert s["title"] and "|" not in s["text"]


@pytest.mark.parametrize("table", ["active", "requests", "review"])
def test_tables(seed: tuple[dict[str, Any], Any], table: str) -> None:
    exp, rep = seed
    if table not in exp:
        pytest.skip(f"{table} not listed in this seed's expected document")
    assert _diff(exp[table], rep.document.get(table), f"/{table}") == []


def test_facts(seed: tuple[dict[str, Any], Any]) -> None:
    exp, rep = seed
    facts = rep.document["facts"]
    for name, want in exp.get("facts", {}).items():
        if name == "stated_totals":
            got = facts.get("stated_totals", [])
            for st in want:
                assert any(all(g.get(k) == v for k, v in st.items()) for g in got), (st, got)
            continue
        assert name in facts, f"fact {name} not extracted"
        assert _diff(want, facts[name], f"/facts/{name}") == []
        assert facts[name]["text"], "a fact carries its sentence"


def test_every_table_cell_has_a_location(seed: tuple[dict[str, Any], Any]) -> None:
    _, rep = seed
    doc = rep.document

    def leaves(obj: Any, ptr: str) -> list[str]:
        if isinstance(obj, dict):
            return [p for k, v in obj.items() for p in leaves(v, f"{ptr}/{k}")]
        return [ptr]

    for table in ("active", "requests", "review"):
        for ptr in leaves(doc.get(table, {}), f"/{table}"):
            loc = rep.locations.get(ptr)
            assert loc is not None, ptr
            assert loc.line is not None and loc.line >= 1
            line = rep.text.splitlines()[loc.line - 1]
            # the located text is really there, at that column
            assert line[loc.col - 1:].startswith(loc.text), (ptr, loc, line)


def test_blank_cells_are_null_not_zero() -> None:
    seed = next((s for s in SEEDS if s.stem.startswith("001_")), None)
    if seed is None:
        pytest.skip("seed 001 missing")
    rep = load_path(seed)
    other = rep.document["requests"]["results"]["other"]
    assert all(v is None for row in other.values() for v in row.values())
    assert rep.document["requests"]["results"]["total"]["total"] == 14


def test_label_variants_are_recorded() -> None:
    seed = next((s for s in SEEDS if s.stem.startswith("001_")), None)
    if seed is None:
        pytest.skip("seed 001 missing")
    labels = load_path(seed).document["labels"]
    assert "(五)不予以处理" in labels["requests"]
    assert "第二十条(六)项" in labels["active"]
    assert any("第一项加第二项之和" in n for n in labels["notes"])
