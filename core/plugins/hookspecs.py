"""The hooks gipcheck calls — the one door for built-ins and province plugins alike.

(First draft of the spec; the plugin system owner refines docs, types and versions.)
Registration hooks take a ``register`` callback so that the core knows which plugin gave what.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import pluggy

if TYPE_CHECKING:
    from gipcheck.load.base import LoadedReport

hookspec = pluggy.HookspecMarker("gipcheck")


@hookspec
def gipcheck_register_loaders(register: Callable[..., None]) -> None:
    """Register input loaders: ``register(name, sniff, load, *, media_types=(), extensions=(), priority=0)``.

    ``sniff(head: bytes, path: str) -> float`` gives 0..1 confidence from the first bytes;
    ``load(data: bytes, path: str, options: dict) -> LoadedReport``.
    """


@hookspec
def gipcheck_register_rule_packs(register: Callable[..., None]) -> None:
    """Register rule pack directories: ``register(path)`` (a directory with a ``pack.yaml``)."""


@hookspec
def gipcheck_register_functions(register: Callable[..., None]) -> None:
    """Register rule-language functions: ``register(name, func, *, min_args, max_args, cost=1, doc="")``."""


@hookspec
def gipcheck_register_reporters(register: Callable[..., None]) -> None:
    """Register output formats: ``register(name, render, *, media_type, extension)`` where
    ``render(run: RunResult, options: dict) -> str``."""


@hookspec
def gipcheck_register_fact_patterns(register: Callable[..., None]) -> None:
    """Register prose phrasing files (YAML, same shape as ``rules/facts.yaml``): ``register(path)``."""


@hookspec
def gipcheck_enrich_document(loaded: LoadedReport, config: dict[str, Any]) -> None:
    """Enrich a freshly loaded document in place (e.g. fill ``meta.region``)."""
