"""Built-in plugin: the format loaders of :mod:`gipcheck.load` (text, HTML, Word, PDF).

The list of loader modules stays where the loaders live
(:data:`gipcheck.load.registry.BUILTIN_LOADER_MODULES`); each module exposes ``NAME``,
``MEDIA_TYPES``, ``sniff`` and ``load`` (optionally ``EXTENSIONS``, ``PRIORITY``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gipcheck.plugins import hookimpl

# Loader modules that could not be imported (an optional dependency is missing), with the reason:
# shown by ``gipcheck plugins`` rather than reported as a plugin failure.
SKIPPED: dict[str, str] = {}


@hookimpl
def gipcheck_register_loaders(register: Callable[..., Any]) -> None:
    from gipcheck.load.registry import BUILTIN_LOADER_MODULES, builtin_loader_module

    for modname in BUILTIN_LOADER_MODULES:
        try:
            module = builtin_loader_module(modname)  # HTML, Word, PDF: imported when a file may be theirs
        except Exception as e:  # noqa: BLE001 - an optional format must not stop the others
            SKIPPED[modname] = f"{type(e).__name__}: {e}"
            continue
        SKIPPED.pop(modname, None)
        register(module)
