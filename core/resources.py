"""Where the bundled rule packs, schemas and examples are.

In an installed wheel they ship inside the package (``gipcheck/_data/…``); in a source checkout
(or an editable install) they are the top-level ``rules/``, ``schemas/`` and ``examples/``.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

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


def cached_yaml(text: str, kind: str, verify: Callable[[Any], bool] = lambda data: True) -> Any:
    """The data of a YAML ``text`` that gipcheck reads at every start (the gazetteer, the prose
    phrasings), kept as JSON in the start-up cache keyed by a digest of the text: reading it from
    YAML costs milliseconds, and importing PyYAML itself 15-20 ms. The cache is the rule
    language's; a run that only loads reports does not import the language for it. A cached copy
    must pass ``verify`` (a doctored copy is read afresh). Raises :class:`yaml.YAMLError`."""
    astcache = sys.modules.get("gipcheck.lang.astcache")
    store = astcache.DataStore(kind, "1") if astcache is not None and astcache.cache_dir() is not None else None
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    got = store.get(digest) if store is not None else None
    if got is not None and verify(got):
        return got
    import yaml

    data: Any = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe loaders only
    if store is not None and isinstance(data, (dict, list)):
        try:
            if json.loads(json.dumps(data)) == data:  # only what JSON gives back as it was
                store.put(digest, data)
                store.save()
        except (TypeError, ValueError):
            pass
    return data
