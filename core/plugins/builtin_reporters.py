"""Built-in plugin: the output formats of :mod:`gipcheck.report`.

The six built-in formats are registered from a table without importing their modules (importing
all of them costs start-up time — ``junit`` alone pulls in much of the standard library); a
format's module is imported the first time it renders. Any other module of :mod:`gipcheck.report`
that exposes ``NAME`` and ``render(run, options)`` is imported and registered as found.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

from gipcheck.plugins import hookimpl

SKIPPED: dict[str, str] = {}

# name → (module, media type, extension, one-line description)
BUILTIN_FORMATS: dict[str, tuple[str, str, str, str]] = {
    "text": ("gipcheck.report.text", "text/plain", ".txt", "终端文本，按年报部分分组 / terminal text grouped by section"),
    "json": ("gipcheck.report.json", "application/json", ".json", "JSON（schemas/report.schema.json）"),
    "sarif": ("gipcheck.report.sarif", "application/sarif+json", ".sarif", "SARIF 2.1.0"),
    "junit": ("gipcheck.report.junit", "application/xml", ".xml", "JUnit XML"),
    "html": ("gipcheck.report.html", "text/html", ".html", "单文件 HTML，问题在原文中高亮 / self-contained HTML"),
    "csv": ("gipcheck.report.csv", "text/csv", ".csv", "批量汇总 CSV，每份年报一行 / one row per report"),
}


# Formats whose modules also expose ``render_report(result, options)``: one report's part of the
# output, which batch workers render ahead (gipcheck.batch) so that the parent only joins them.
PIECEWISE = frozenset({"json", "text", "csv", "sarif", "junit", "html"})


def _lazy(modname: str, piecewise: bool = False) -> Callable[[Any, dict[str, Any]], str]:
    def render(run: Any, options: dict[str, Any]) -> str:
        return importlib.import_module(modname).render(run, options)  # type: ignore[no-any-return]

    def render_report(result: Any, options: dict[str, Any]) -> str:
        return importlib.import_module(modname).render_report(result, options)  # type: ignore[no-any-return]

    render.__qualname__ = f"{modname}.render"
    if piecewise:
        render.render_report = render_report  # type: ignore[attr-defined]
    return render


@hookimpl
def gipcheck_register_reporters(register: Callable[..., Any]) -> None:
    import gipcheck.report as report_pkg

    for name, (modname, media_type, extension, doc) in BUILTIN_FORMATS.items():
        register(name, _lazy(modname, name in PIECEWISE), media_type=media_type, extension=extension, doc=doc)
    known = {m for m, *_ in BUILTIN_FORMATS.values()}
    for info in sorted(pkgutil.iter_modules(report_pkg.__path__), key=lambda m: m.name):
        modname = f"{report_pkg.__name__}.{info.name}"
        if info.name.startswith("_") or modname in known:
            continue
        try:
            module = importlib.import_module(modname)
        except Exception as e:  # noqa: BLE001 - one broken format must not hide the others
            SKIPPED[modname] = f"{type(e).__name__}: {e}"
            continue
        fmt_name, render = getattr(module, "NAME", None), getattr(module, "render", None)
        if not isinstance(fmt_name, str) or not callable(render):
            continue  # a helper module, not a format
        register(fmt_name, render, media_type=getattr(module, "MEDIA_TYPE", "text/plain"),
                 extension=getattr(module, "EXTENSION", None), doc=(module.__doc__ or "").strip().split("\n")[0])
