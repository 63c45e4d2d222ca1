"""Where the bundled rule packs, schemas and examples are.

In an installed wheel they ship inside the package (``gipcheck/_data/…``); in a source checkout
(or an editable install) they are the top-level ``rules/``, ``schemas/`` and ``examples/``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """Return the directory of bundled data ``name`` (``rules``, ``schemas`` or ``examples``)."""
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"gipcheck data directory {name!r} is missing from this installation")


def rules_dir() -> Path:
    return data_dir("rules")


def schemas_dir() -> Path:
    return data_dir("schemas")


def examples_dir() -> Path:
    return data_dir("examples")
