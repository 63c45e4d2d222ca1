"""Shared fixtures: the corpus in ../shared beside the checkout (or $GIPCHECK_SHARED)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# installed third-party plugins must not leak into these tests; the plugin under test is added explicitly
os.environ["GIPCHECK_DISABLE_PLUGIN_AUTOLOAD"] = "1"

REPO = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("GIPCHECK_SHARED") or REPO.parent / "shared")


@pytest.fixture(scope="session")
def corpus() -> Path:
    d = SHARED / "corpus"
    if not d.is_dir():
        pytest.skip(f"corpus not found at {d} (../shared beside the checkout, or set GIPCHECK_SHARED)")
    return d
