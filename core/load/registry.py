"""The loader registry: which loader reads which input, chosen by content (sniffing), not by name.

Built-in loaders are plain modules listed in :data:`BUILTIN_LOADER_MODULES`; each exposes
``NAME``, ``MEDIA_TYPES``, ``sniff(head, path) -> float`` and ``load(data, path, options)``
(optionally ``EXTENSIONS`` and ``PRIORITY``). A module that fails to import (e.g. its optional
dependency is missing) is skipped. Plugins add loaders through :func:`register_loader`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gipcheck.load.base import LoadedReport

BUILTIN_LOADER_MODULES: tuple[str, ...] = (
    "gipcheck.load.text",
    "gipcheck.load.html",
    "gipcheck.load.docx",
    "gipcheck.load.pdf",
)

SniffFn = Callable[[bytes, str], float]
LoadFn = Callable[[bytes, str, dict[str, Any]], LoadedReport]


@dataclass(frozen=True)
class LoaderSpec:
    """One registered loader."""

    name: str
    sniff: SniffFn
    load: LoadFn
    media_types: tuple[str, ...] = ()
    extensions: tuple[str, ...] = ()
    priority: int = 0
    plugin: str | None = None


_LOADERS: dict[str, LoaderSpec] = {}
_SKIPPED: dict[str, str] = {}
_BUILTINS_DONE = False


def register_loader(
    name: str,
    sniff: SniffFn,
    load: LoadFn,
    *,
    media_types: tuple[str, ...] | list[str] = (),
    extensions: tuple[str, ...] | list[str] = (),
    priority: int = 0,
    plugin: str | None = None,
) -> LoaderSpec:
    """Register (or replace) the loader ``name``; the signature matches the plugin hook's callback."""
    spec = LoaderSpec(name, sniff, load, tuple(media_types), tuple(e.lower() for e in extensions), priority, plugin)
    _LOADERS[name] = spec
    return spec


def unregister_loader(name: str) -> None:
    _LOADERS.pop(name, None)


def _ensure_builtins() -> None:
    global _BUILTINS_DONE
    if _BUILTINS_DONE:
        return
    _BUILTINS_DONE = True
    for modname in BUILTIN_LOADER_MODULES:
        try:
            mod = importlib.import_module(modname)
            register_loader(
                mod.NAME, mod.sniff, mod.load,
                media_types=getattr(mod, "MEDIA_TYPES", ()),
                extensions=getattr(mod, "EXTENSIONS", ()),
                priority=getattr(mod, "PRIORITY", 0),
                plugin="gipcheck",
            )
        except Exception as e:  # an optional loader (missing dependency, not yet written) is skipped
            _SKIPPED[modname] = f"{type(e).__name__}: {e}"


def loaders() -> list[LoaderSpec]:
    """All registered loaders (built-ins first imported on demand)."""
    _ensure_builtins()
    return list(_LOADERS.values())


def skipped_builtins() -> dict[str, str]:
    """Built-in loader modules that could not be imported, with the reason."""
    _ensure_builtins()
    return dict(_SKIPPED)


def get_loader(name: str) -> LoaderSpec | None:
    _ensure_builtins()
    return _LOADERS.get(name)


def choose_loader(head: bytes, path: str) -> LoaderSpec | None:
    """The loader most confident about ``head``; ties go to higher priority, then to a loader
    that claims the file's extension. ``None`` when no loader scores above 0."""
    _ensure_builtins()
    ext = ""
    dot = path.rfind(".")
    if dot >= 0:
        ext = path[dot:].lower()
    best: tuple[float, int, int] | None = None
    chosen: LoaderSpec | None = None
    for spec in _LOADERS.values():
        try:
            score = float(spec.sniff(head, path))
        except Exception:  # a broken sniffer must not stop the others
            continue
        if score <= 0:
            continue
        key = (score, spec.priority, 1 if ext and ext in spec.extensions else 0)
        if best is None or key > best:
            best, chosen = key, spec
    return chosen
