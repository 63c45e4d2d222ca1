"""The gipcheck hooks of the Jiangsu plugin (entry point ``jiangsu`` in group ``gipcheck``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pluggy

from gipcheck_jiangsu import REGION, region, text_reuse

hookimpl = pluggy.HookimplMarker("gipcheck")

PACK_DIR = Path(__file__).resolve().parent / "rules"


@hookimpl
def gipcheck_register_rule_packs(register: Any) -> None:
    register(PACK_DIR, region=REGION["province"])


@hookimpl
def gipcheck_register_functions(register: Any) -> None:
    register("copied_ratio", text_reuse.copied_ratio, min_args=2, max_args=3, cost=50,
             doc="copied_ratio(a, b[, k]): share 0..1 of text a lying in runs of ≥k (12) characters "
                 "also found in b (digits, spaces and punctuation ignored)")
    register("text_overlap", text_reuse.text_overlap, min_args=2, max_args=3, cost=50,
             doc="text_overlap(a, b[, k]): Jaccard index 0..1 of the k-character runs of two texts")
    register("copied_passages", text_reuse.copied_passages, min_args=2, max_args=3, cost=50,
             doc="copied_passages(a, b[, min_len]): passages of a (≥ min_len, default 20 characters) copied from b")


@hookimpl
def gipcheck_enrich_document(loaded: Any, config: dict[str, Any]) -> None:
    region.enrich(loaded, config)


__all__ = ["REGION", "hookimpl"]
