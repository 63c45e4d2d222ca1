"""The gipcheck hooks of the Shanghai plugin (entry point ``shanghai`` in group ``gipcheck``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pluggy

# loader and layout are imported only for a text that may be Shanghai's (start-up of every run)
from gipcheck_shanghai import DEFAULTS, LOADER_NAME, REGION, functions, quick, region

hookimpl = pluggy.HookimplMarker("gipcheck")

PACK_DIR = Path(__file__).resolve().parent / "rules"
FACTS_FILE = Path(__file__).resolve().parent / "facts.yaml"


def sniff(head: bytes, path: str) -> float:
    """Confidence that a file is a Shanghai-layout report (0 for anything else)."""
    try:
        if not quick.head_maybe_shanghai(head):  # what shanghai_score of the decoded head would say
            return 0.0
        text = head.decode("utf-8-sig", errors="ignore")
    except Exception:  # not bytes
        return 0.0
    return _score(text)


def _score(text: str) -> float:
    """:func:`gipcheck_shanghai.layout.shanghai_score`, importing the layout only when it can say more than 0."""
    if not quick.maybe_shanghai(text):
        return 0.0
    from gipcheck_shanghai import layout

    return layout.shanghai_score(text)


def load(data: bytes, path: str, options: dict[str, Any] | None = None) -> Any:
    """:func:`gipcheck_shanghai.loader.load`, imported with the first Shanghai report read."""
    from gipcheck_shanghai import loader

    return loader.load(data, path, options)


@hookimpl
def gipcheck_register_loaders(register: Any) -> None:
    register(LOADER_NAME, sniff, load, media_types=("text/plain", "text/markdown"),
             extensions=(".txt", ".md"), priority=10)


@hookimpl
def gipcheck_config_defaults() -> dict[str, Any]:
    """``shanghai.place_by_order`` (true): place table-三 value rows cut from their labels by the
    official row order; false leaves them unread (a warning note says how many)."""
    return dict(DEFAULTS)


@hookimpl
def gipcheck_register_rule_packs(register: Any) -> None:
    register(PACK_DIR, region=REGION["province"])


@hookimpl
def gipcheck_register_fact_patterns(register: Any) -> None:
    register(FACTS_FILE)


@hookimpl
def gipcheck_detect_layout(text: str, document: dict[str, Any] | None) -> dict[str, Any] | None:
    """Name Shanghai's layout (the core then uses this plugin's loader or names the plugin)."""
    meta = document.get("meta") if isinstance(document, dict) else None
    source = meta.get("source") if isinstance(meta, dict) else None
    if isinstance(source, dict) and source.get("loader") == LOADER_NAME:
        score = 0.9  # our loader read it (its sniff won): the layout is ours, no need to score it again
    else:
        score = _score(text)
    if score < 0.6:
        return None
    return {"name": REGION["layout"], "plugin": REGION["distribution"], "confidence": score,
            "zh": REGION["layout_zh"], "en": "Shanghai's own report layout (own section numbering, renumbered "
            "tables, labels cut from their values)"}


@hookimpl
def gipcheck_register_functions(register: Any) -> None:
    register("stated_results", functions.stated_results, min_args=2, max_args=2, cost=20,
             doc="stated_results(text, requests): outcomes the prose states, each {label, key, count, percent, "
                 "table, share} beside table 三 (Shanghai practice)")


@hookimpl
def gipcheck_enrich_document(loaded: Any, config: dict[str, Any]) -> None:
    region.enrich(loaded, config)


__all__ = ["REGION", "hookimpl"]
