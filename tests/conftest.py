"""Shared test setup: installed third-party plugins never leak into the project's own tests."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ["GIPCHECK_DISABLE_PLUGIN_AUTOLOAD"] = "1"
# the parse-tree cache of the rule language goes to a private directory, not the user's ~/.cache
if "GIPCHECK_CACHE_DIR" not in os.environ:
    _CACHE_DIR = tempfile.mkdtemp(prefix="gipcheck-test-cache-")
    os.environ["GIPCHECK_CACHE_DIR"] = _CACHE_DIR
    atexit.register(shutil.rmtree, _CACHE_DIR, ignore_errors=True)  # one per run, not one left per run

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared (seeds and corpus) is not beside the checkout")
    return SHARED


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    return REPO


@pytest.fixture(scope="session")
def loader_texts() -> list[str]:
    """The normalised text of every seed, corpus file and example as its loader hands it to the
    parser (tests/_loader_texts.py): the inputs of the parser shortcuts' differential tests."""
    from _loader_texts import loader_texts as read

    return read()
