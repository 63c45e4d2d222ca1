"""The loader registry: which loader reads which input, chosen by content (sniffing), not by name.

Built-in loaders are plain modules listed in :data:`BUILTIN_LOADER_MODULES`; each exposes
``NAME``, ``MEDIA_TYPES``, ``sniff(head, path) -> float`` and ``load(data, path, options)``
(optionally ``EXTENSIONS`` and ``PRIORITY``). A module that fails to import (e.g. its optional
dependency is missing) is skipped. Plugins add loaders through :func:`register_loader`.
"""

from __future__ import annotations

import importlib
import re
import sys
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

# The costly loaders (their modules and what they import take ~30 ms and compile dozens of regular
# expressions) are imported when a file may be theirs: ``maybe`` is a cheap test that holds for
# every input the module's own ``sniff`` scores above 0, so the choice of loader never changes.
# NAME… and the docstring's first line are the module's own (tests/test_startup_cache.py checks).
# html: a tag it counts is "<", maybe spaces, then an ASCII letter, "!" or "?" (not the "<" of
# Chinese 《…<…>…》 titles); an .mht names multipart/related; UTF-16 (BOM or NULs) it decodes first
_TAG_START = re.compile(rb"<\s*[!?A-Za-z]")
_MULTIPART = b"multipart/related"


def _names_multipart(head: bytes) -> bool:
    """``_MULTIPART in head.lower()``, looked for only around each "/" followed by "r" or "R" (lower()
    keeps "/" and makes no other byte one): lowering the whole head costs more than a few slices."""
    n = len(head)
    i = head.find(b"/", 9)
    for _ in range(8):  # (past a few "/", one lowering pass costs less)
        if i < 0:
            return False
        # (x | 0x20 == 0x72: x is "r" or "R", the bytes lower() makes "r")
        if i + 8 <= n and head[i + 1] | 0x20 == 0x72 and head[i - 9:i + 8].lower() == _MULTIPART:
            return True
        i = head.find(b"/", i + 1)
    return i >= 0 and head.lower().find(_MULTIPART) >= 0


_TAG_NEXT = frozenset(b"!?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_SPACES = frozenset(b" \t\n\r\x0b\x0c")  # what \s matches in a bytes pattern


def _has_tag_start(head: bytes) -> bool:
    """``_TAG_START.search(head) is not None``, tried only at each "<" (where any match begins), by
    the byte after it (the pattern is needed only when that is a space): the search steps through
    every byte of the head, as a report citing 《…<…>…》 makes it do."""
    n = len(head)
    i = head.find(b"<")
    for _ in range(8):  # (past a few "<", one search costs less)
        if i < 0 or i + 1 >= n:
            return False
        c = head[i + 1]
        if c in _TAG_NEXT or (c in _SPACES and _TAG_START.match(head, i) is not None):
            return True
        i = head.find(b"<", i + 1)
    return i >= 0 and _TAG_START.search(head, i) is not None


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
LAZY_LOADERS: dict[str, dict[str, Any]] = {
    "gipcheck.load.html": {
        "NAME": "html", "MEDIA_TYPES": ("text/html", "application/xhtml+xml"),
        "EXTENSIONS": (".html", ".htm", ".shtml", ".xhtml", ".mht", ".mhtml"), "PRIORITY": 10, "requires": (),
        "doc": "Web pages: real ``<table>`` markup (rowspan/colspan expanded), GBK/GB2312 pages, site",
        "maybe": lambda head: (_has_tag_start(head) or _names_multipart(head)
                               or head.startswith((b"\xff\xfe", b"\xfe\xff")) or head.find(b"\x00", 0, 4096) >= 0)},
    "gipcheck.load.docx": {
        "NAME": "docx", "MEDIA_TYPES": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                                        "application/msword"),
        "EXTENSIONS": (".docx", ".docm", ".dotx", ".doc", ".dot", ".wps"), "PRIORITY": 10, "requires": ("defusedxml",),
        "doc": "Word documents: ``.docx`` read through its structure (paragraphs, tables with ``gridSpan`` and",
        "maybe": lambda head: head.startswith((b"PK\x03\x04", b"{\\rtf", _OLE_MAGIC))},
    "gipcheck.load.pdf": {
        "NAME": "pdf", "MEDIA_TYPES": ("application/pdf",), "EXTENSIONS": (".pdf",), "PRIORITY": 10, "requires": (),
        "doc": "PDF with a text layer: ruled tables (merged cells, tables continuing across pages joined,",
        "maybe": lambda head: head.find(b"%PDF-", 0, 1028) >= 0},
}


class LazyLoaderModule:
    """Stands for a loader module until a file may be its: has the module's ``NAME``,
    ``MEDIA_TYPES``, ``EXTENSIONS``, ``PRIORITY``, ``sniff`` and ``load``."""

    def __init__(self, modname: str) -> None:
        spec = LAZY_LOADERS[modname]
        self.modname = modname
        self.NAME: str = spec["NAME"]
        self.MEDIA_TYPES: tuple[str, ...] = spec["MEDIA_TYPES"]
        self.EXTENSIONS: tuple[str, ...] = spec["EXTENSIONS"]
        self.PRIORITY: int = spec["PRIORITY"]
        self.__doc__ = spec["doc"]
        self._maybe: Callable[[bytes], bool] = spec["maybe"]
        self._module: Any = None

    def module(self) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self.modname)
        return self._module

    def sniff(self, head: bytes, path: str) -> float:
        if not self._maybe(head):
            return 0.0
        return float(self.module().sniff(head, path))

    def load(self, data: bytes, path: str, options: dict[str, Any]) -> LoadedReport:
        return self.module().load(data, path, options)  # type: ignore[no-any-return]


def builtin_loader_module(modname: str) -> Any:
    """The loader module ``modname`` to register: a :class:`LazyLoaderModule` for the costly ones
    (raising ImportError, as importing would, when a library it needs is missing), else the module."""
    if modname not in LAZY_LOADERS or modname in sys.modules:
        return importlib.import_module(modname)
    from importlib.util import find_spec

    for req in LAZY_LOADERS[modname]["requires"]:
        if find_spec(req) is None:
            raise ModuleNotFoundError(f"No module named {req!r}", name=req)
    return LazyLoaderModule(modname)


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
# the text loader's spec while the registry holds only the built-in loaders (None otherwise): then a
# head that no lazy loader's ``maybe`` takes is the text sniffer's alone (see choose_loader)
_TEXT_ONLY: LoaderSpec | None = None
_LAZY_MAYBES: tuple[Callable[[bytes], bool], ...] = tuple(s["maybe"] for s in LAZY_LOADERS.values())


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
    global _TEXT_ONLY
    _TEXT_ONLY = None  # (no longer only the built-ins)
    spec = LoaderSpec(name, sniff, load, tuple(media_types), tuple(e.lower() for e in extensions), priority, plugin)
    _LOADERS[name] = spec
    return spec


def unregister_loader(name: str) -> None:
    global _TEXT_ONLY
    _TEXT_ONLY = None
    _LOADERS.pop(name, None)


def _ensure_builtins() -> None:
    global _BUILTINS_DONE, _TEXT_ONLY
    if _BUILTINS_DONE:
        return
    _BUILTINS_DONE = True
    mine: list[LoaderSpec] = []
    for modname in BUILTIN_LOADER_MODULES:
        try:
            mod = builtin_loader_module(modname)
            mine.append(register_loader(
                mod.NAME, mod.sniff, mod.load,
                media_types=getattr(mod, "MEDIA_TYPES", ()),
                extensions=getattr(mod, "EXTENSIONS", ()),
                priority=getattr(mod, "PRIORITY", 0),
                plugin="gipcheck",
            ))
        except Exception as e:  # an optional loader (missing dependency, not yet written) is skipped
            _SKIPPED[modname] = f"{type(e).__name__}: {e}"
    text = _LOADERS.get("text")
    if (text is not None and text.sniff is getattr(sys.modules.get("gipcheck.load.text"), "sniff", None)
            and len(_LOADERS) == len(mine) and all(_LOADERS.get(s.name) is s for s in mine)):
        _TEXT_ONLY = text


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
    text = _TEXT_ONLY
    if text is None and not _BUILTINS_DONE:
        _ensure_builtins()
        text = _TEXT_ONLY
    # only the built-ins, and no lazy loader's ``maybe`` takes the head: their sniffers (the modules'
    # own too, once imported) score it 0, so the text sniffer's score alone decides
    if text is not None and not any(maybe(head) for maybe in _LAZY_MAYBES):
        try:
            score = float(text.sniff(head, path))
        except Exception:  # as the general loop: a broken sniffer scores nothing
            return None
        return text if score > 0 else None
    _ensure_builtins()
    return _most_confident(head, path)


def _most_confident(head: bytes, path: str) -> LoaderSpec | None:
    """choose_loader's general way: every registered sniffer asked, the highest score wins."""
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
