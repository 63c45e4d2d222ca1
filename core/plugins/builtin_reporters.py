"""Built-in plugin: every module of :mod:`gipcheck.report` that exposes ``NAME`` and
``render(run, options)`` (optionally ``MEDIA_TYPE``, ``EXTENSION``) is an output format."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from gipcheck.plugins import hookimpl

SKIPPED: dict[str, str] = {}


@hookimpl
def gipcheck_register_reporters(register: Callable[..., Any]) -> None:
    import gipcheck.report as report_pkg

    for info in sorted(pkgutil.iter_modules(report_pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        modname = f"{report_pkg.__name__}.{info.name}"
        try:
            module = importlib.import_module(modname)
        except Exception as e:  # noqa: BLE001 - one broken format must not hide the others
            SKIPPED[modname] = f"{type(e).__name__}: {e}"
            continue
        name, render = getattr(module, "NAME", None), getattr(module, "render", None)
        if not isinstance(name, str) or not callable(render):
            continue  # a helper module, not a format
        register(name, render, media_type=getattr(module, "MEDIA_TYPE", "text/plain"),
                 extension=getattr(module, "EXTENSION", None), doc=(module.__doc__ or "").strip().split("\n")[0])
