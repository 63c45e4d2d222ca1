"""Reporters: render a :class:`~gipcheck.engine.model.RunResult` as text, JSON, SARIF, JUnit, HTML, CSV.

Each built-in reporter module exposes ``NAME``, ``MEDIA_TYPE``, ``EXTENSION``,
``render(run, options) -> str`` and ``render_report(result, options) -> str`` (one report's part,
rendered ahead by a batch worker and stitched by ``render``); they are registered through the plugin hook
``gipcheck_register_reporters`` like any province plugin's reporter would be.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

BUILTIN_REPORTER_MODULES: tuple[str, ...] = (
    "gipcheck.report.text",
    "gipcheck.report.json",
    "gipcheck.report.sarif",
    "gipcheck.report.junit",
    "gipcheck.report.html",
    "gipcheck.report.csv",
)

# The built-in formats' names: they need only the slim form of each result (gipcheck.batch.slim).
BUILTIN_NAMES: tuple[str, ...] = ("text", "json", "sarif", "junit", "html", "csv")


@dataclass
class ReporterSpec:
    name: str
    render: Callable[[Any, dict[str, Any]], str]
    media_type: str = "text/plain"
    extension: str = ".txt"
    plugin: str | None = None


_REGISTRY: dict[str, ReporterSpec] = {}


def register_reporter(name: str, render: Callable[[Any, dict[str, Any]], str], *, media_type: str = "text/plain",
                      extension: str = ".txt", plugin: str | None = None) -> None:
    """Register an output format (a later registration of the same name replaces the earlier)."""
    _REGISTRY[name] = ReporterSpec(name, render, media_type, extension, plugin)


def builtin_reporters() -> list[ReporterSpec]:
    """The built-in reporter modules that import cleanly, as specs."""
    specs = []
    for mod_name in BUILTIN_REPORTER_MODULES:
        try:
            mod = importlib.import_module(mod_name)
        except ImportError:
            continue
        specs.append(ReporterSpec(mod.NAME, mod.render, getattr(mod, "MEDIA_TYPE", "text/plain"),
                                  getattr(mod, "EXTENSION", ".txt"), "gipcheck"))
    return specs


def get_reporter(name: str) -> Callable[[Any, dict[str, Any]], str] | None:
    if not _REGISTRY:
        for spec in builtin_reporters():
            _REGISTRY.setdefault(spec.name, spec)
    found = _REGISTRY.get(name)
    return found.render if found else None


def reporter_names() -> list[str]:
    get_reporter("text")
    return sorted(_REGISTRY)
