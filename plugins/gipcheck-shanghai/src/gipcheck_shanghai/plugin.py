"""The gipcheck hooks of the Shanghai plugin (entry point ``shanghai`` in group ``gipcheck``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pluggy

from gipcheck_shanghai import REGION, functions, layout, loader, region

hookimpl = pluggy.HookimplMarker("gipcheck")

PACK_DIR = Path(__file__).resolve().parent / "rules"
FACTS_FILE = Path(__file__).resolve().parent / "facts.yaml"


def sniff(head: bytes, path: str) -> float:
    """Confidence that a file is a Shanghai-layout report (0 for anything else)."""
    try:
        text = head.decode("utf-8-sig", errors="ignore")
    except Exception:  # pragma: no cover - decode with errors="ignore" does not raise
        return 0.0
    return layout.shanghai_score(text)


@hookimpl
def gipcheck_register_loaders(register: Any) -> None:
    register(loader.LOADER_NAME, sniff, loader.load, media_types=("text/plain", "text/markdown"),
             extensions=(".txt", ".md"), priority=10)


@hookimpl
def gipcheck_config_defaults() -> dict[str, Any]:
    """``shanghai.place_by_order`` (true): place table-三 value rows cut from their labels by the
    official row order; false leaves them unread (a warning note says how many)."""
    return dict(loader.DEFAULTS)


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
    if isinstance(source, dict) and source.get("loader") == loader.LOADER_NAME:
        score = 0.9  # our loader read it (its sniff won): the layout is ours, no need to score it again
    else:
        score = layout.shanghai_score(text)
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
