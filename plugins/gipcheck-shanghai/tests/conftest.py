"""Shared fixtures: the corpus in ../shared beside the checkout (or $GIPCHECK_SHARED)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# installed third-party plugins must not leak into these tests; the plugin under test is added explicitly
os.environ["GIPCHECK_DISABLE_PLUGIN_AUTOLOAD"] = "1"

REPO = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("GIPCHECK_SHARED") or REPO.parent / "shared")

KEWEI = "002_shanghai_kewei_2024.md.txt"
GOV_OFFICE = "003_shanghai_gov_office_2025.md.txt"


@pytest.fixture(scope="session")
def corpus() -> Path:
    d = SHARED / "corpus"
    if not d.is_dir():
        pytest.skip(f"corpus not found at {d} (../shared beside the checkout, or set GIPCHECK_SHARED)")
    return d


@pytest.fixture(scope="session")
def kewei_text(corpus: Path) -> str:
    return (corpus / KEWEI).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def gov_office_text(corpus: Path) -> str:
    return (corpus / GOV_OFFICE).read_text(encoding="utf-8")
