"""Loaders: turn a report file (text, HTML, Word, PDF, a province's own layout) into the canonical
document of ``shared/design/document.md`` plus the location of every value.

Entry points: :func:`load_path` and :func:`load_bytes`. The loader is chosen by content (see
:mod:`gipcheck.load.registry`); every failure is a :class:`~gipcheck.errors.LoadError` with a
stable code and a one-line Chinese and English message.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Any

from gipcheck.errors import LoadError
from gipcheck.load.base import LoadedReport, Location, Note
from gipcheck.load.decode import decode_bytes, looks_binary
from gipcheck.load.registry import (
    BUILTIN_LOADER_MODULES,
    LoaderSpec,
    choose_loader,
    loaders,
    register_loader,
)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

__all__ = [
    "BUILTIN_LOADER_MODULES", "DEFAULT_MAX_BYTES", "LoadedReport", "LoaderSpec", "Location", "Note",
    "load_bytes", "load_path", "loaders", "register_loader",
]


def _max_bytes(options: dict[str, Any]) -> int:
    try:
        return int(options.get("max_bytes", DEFAULT_MAX_BYTES))
    except (TypeError, ValueError):
        return DEFAULT_MAX_BYTES


def _too_large(size: int, limit: int) -> LoadError:
    return LoadError(
        "TOO_LARGE",
        f"文件过大（{size / 1048576:.1f} MB，上限 {limit / 1048576:.0f} MB），未读取",
        f"file too large ({size / 1048576:.1f} MB, limit {limit / 1048576:.0f} MB); not read",
    )


def load_path(path: str | os.PathLike[str], *, options: dict[str, Any] | None = None) -> LoadedReport:
    """Read the file at ``path`` and load it. The size limit (``options["max_bytes"]``, default
    20 MB) is checked from ``stat`` before anything is read."""
    opts = dict(options) if options else {}
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"load_path takes a path, not {type(path).__name__}")
    name = _path_name(path)
    # one printable line, whatever the file is called (newlines, NUL bytes)
    shown = name
    if not shown.isprintable():
        shown = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in shown)
    try:
        st = os.stat(name)  # (what Path.stat does with the same string)
    except FileNotFoundError:
        raise LoadError("IO", f"文件不存在：{shown}", f"no such file: {shown}") from None
    except (OSError, ValueError) as e:  # ValueError: a NUL byte in the path
        reason = getattr(e, "strerror", None) or str(e)
        raise LoadError("IO", f"无法读取文件：{shown}（{reason}）", f"cannot read {shown}: {reason}") from None
    if stat.S_ISDIR(st.st_mode):
        raise LoadError("IO", f"这是一个目录，不是文件：{shown}", f"is a directory, not a file: {shown}")
    if not stat.S_ISREG(st.st_mode):
        # a pipe or device has no size to check before reading, and may never end
        raise LoadError("IO", f"不是普通文件（管道或设备），请先保存为文件再检查：{shown}",
                        f"not a regular file (a pipe or device); save it to a file first: {shown}")
    limit = _max_bytes(opts)
    size = st.st_size
    if size > limit:
        raise _too_large(size, limit)
    if size == 0:
        raise LoadError("EMPTY", "文件为空", "the file is empty")
    try:
        data = _read(name, size, limit)
    except OSError as e:
        raise LoadError("IO", f"无法读取文件：{name}（{e.strerror}）", f"cannot read {name}: {e.strerror}") from None
    return load_bytes(data, name, options=opts)


_PATH_TYPE = type(Path())


def _path_name(path: str | os.PathLike[str]) -> str:
    """``str(Path(path))``: the name as pathlib spells it (``a//b`` → ``a/b``, ``./a`` → ``a``). A
    pathlib path is spelt so already, and so is a string with no empty or dot part (no "//", no
    "/." and no trailing "/", not starting with "."): building the Path object costs more."""
    if type(path) is _PATH_TYPE:
        return str(path)
    if (type(path) is str and path and path[0] != "." and path[-1] != "/"
            and "//" not in path and "/." not in path and os.sep == "/"):
        return path
    return str(Path(path))


def _read(name: str, size: int, limit: int) -> bytes:
    """The first ``limit + 1`` bytes of the file (``load_bytes`` refuses more than ``limit``). One
    read of the size stat saw, plus one byte, returns the whole file (a 20 MB read buffer costs more
    than the file); a file that changed since is read on to its end, still bounded by the limit."""
    fd = os.open(name, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        data = os.read(fd, size + 1)
        if len(data) != size:  # (grown, shrunk, or a short read: read on until the end or the limit)
            parts = [data]
            got = len(data)
            while got <= limit:
                chunk = os.read(fd, min(limit + 1 - got, 1 << 20))
                if not chunk:
                    break
                parts.append(chunk)
                got += len(chunk)
            data = b"".join(parts)
    finally:
        os.close(fd)
    return data


def load_bytes(data: bytes, path: str, *, options: dict[str, Any] | None = None) -> LoadedReport:
    """Load a report from its bytes; ``path`` is used for messages, the source record and as a
    tie-breaker between loaders (the content decides).

    ``options["plugins"]`` (a :class:`~gipcheck.plugins.manager.PluginManager`, as
    :meth:`gipcheck.api.Checker.load` passes it): the plugins' layout hints are asked about the
    result — a layout only a plugin that is not installed reads raises ``NEEDS_PLUGIN`` (exit 3);
    ``options["detect_layout"] = False`` skips that."""
    opts = dict(options or {})
    limit = _max_bytes(opts)
    if len(data) > limit:
        raise _too_large(len(data), limit)
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise LoadError("EMPTY", "文件为空", "the file is empty")
    head = data[:8192]
    spec = opts.get("loader")
    chosen: LoaderSpec | None = None
    if isinstance(spec, str):
        chosen = next((s for s in loaders() if s.name == spec), None)
        if chosen is None:
            raise LoadError("UNSUPPORTED", f"没有名为 {spec} 的读取器", f"no loader named {spec}")
    else:
        chosen = choose_loader(head, path)
    if chosen is None:
        if looks_binary(head):
            raise LoadError("BINARY", "文件是二进制数据，不是可识别的年报格式", "binary data in no supported report format")
        decode_bytes(data)  # raises ENCODING when the text cannot be decoded cleanly
        raise LoadError("UNSUPPORTED", "无法识别文件格式", "unrecognised file format")
    try:
        report = chosen.load(data, path, opts)
    except LoadError as e:
        _refuse_missing_layout(opts, data, head, None, e)
        raise
    except (RecursionError, MemoryError):
        raise LoadError("LIMIT", "文件结构过于复杂，超出处理限度", "input too complex to process") from None
    except Exception as e:  # a loader bug must still end in a one-line message, not a traceback
        corrupt = LoadError(
            "CORRUPT",
            f"读取失败（{chosen.name} 读取器：{type(e).__name__}: {e}）",
            f"loading failed ({chosen.name} loader: {type(e).__name__}: {e})",
        )
        _refuse_missing_layout(opts, data, head, None, corrupt)  # a layout the loader cannot take: say which
        raise corrupt from e
    src = report.document.setdefault("meta", {}).setdefault("source", {})
    src.setdefault("path", path)
    src.setdefault("loader", chosen.name)
    if not src.get("sha256"):
        src["sha256"] = hashlib.sha256(data).hexdigest()
    _refuse_missing_layout(opts, data, head, report, None)
    return report


def _refuse_missing_layout(opts: dict[str, Any], data: bytes, head: bytes, report: LoadedReport | None,
                           error: LoadError | None) -> None:
    """Ask the plugins' layout hints (``options["plugins"]``, the run's plugin manager) about the
    report just read, or that its loader failed to read: a layout that a plugin which is not
    installed reads raises ``NEEDS_PLUGIN`` (exit 3) in place of the core's reading or error — the
    core reads such a layout into wrong numbers —, a weaker hint adds an info note to the reading."""
    manager = opts.get("plugins")
    check = getattr(manager, "check_layout", None)
    if check is None or opts.get("detect_layout") is False:
        return
    text: str | None = None
    document: dict[str, Any] | None = None
    if report is not None:
        text, document = report.text, report.document
    elif error is None or error.code in ("TOO_LARGE", "EMPTY", "IO", "LIMIT", "TIMEOUT"):
        return
    if text is None and not looks_binary(head):  # a failed load, or a loader that keeps no text
        try:
            text, _encoding = decode_bytes(data)
        except LoadError:
            return
    if not isinstance(text, str) or not text:
        return
    found = check(text, document)
    if found is None:
        return
    from gipcheck.plugins.manager import layout_note, needs_plugin_error

    verdict, hint = found
    if verdict == "error":
        raise needs_plugin_error(hint) from error
    if report is not None and not any(n.code == "LAYOUT_PLUGIN_AVAILABLE" for n in report.notes):
        report.notes.append(layout_note(hint))
