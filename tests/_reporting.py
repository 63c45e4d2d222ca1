"""Shared by the reporter, batch, config and explain tests: one checker, the seeds, runs on them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = sorted((SHARED / "seeds").glob("*.txt")) if (SHARED / "seeds").is_dir() else []


def seeds() -> list[Path]:
    if not SEEDS:
        pytest.skip("../shared/seeds is not beside the checkout")
    return SEEDS


def checker() -> Any:
    from gipcheck import api

    return api.checker()


def seed_run(extra: list[str] = (), **kw: Any) -> Any:
    """A run over every seed (plus ``extra`` inputs), one process, the full documents kept."""
    from gipcheck.batch import run_batch
    from gipcheck.config import Settings

    kw.setdefault("settings", Settings())
    return run_batch([str(p) for p in seeds()] + list(extra), jobs=1, checker=checker(), progress=None, **kw)


def file_line_text(path: str | Path, line: int, col: int, length: int) -> str:
    """The characters at line/col (1-based, characters) of a UTF-8 report file, as SARIF means them."""
    text = Path(path).read_bytes().decode("utf-8-sig")
    lines = text.split("\n")
    return "\n".join(lines[line - 1:])[col - 1:col - 1 + length]
