"""Resource limits shared by the HTML, Word and PDF loaders, with their clear messages.

Every limit can be changed through the loader ``options`` (the CLI/config pass them through).
"""

from __future__ import annotations

import time
from typing import Any

from gipcheck.errors import LoadError

DEFAULTS: dict[str, float] = {
    "max_bytes": 20 * 1024 * 1024,          # any input file
    "docx_max_uncompressed": 200 * 1024 * 1024,  # all members of a .docx together
    "docx_max_members": 5000,
    "docx_max_ratio": 200.0,                 # uncompressed / compressed size of one member
    "docx_max_xml": 50 * 1024 * 1024,        # word/document.xml itself
    "pdf_max_pages": 200,
    "pdf_max_page_content": 2 * 1024 * 1024,  # decoded drawing instructions of one page; report pages have ~50 KB
    "time_limit": 60.0,                      # seconds of work on one file
    "convert_timeout": 120.0,                # seconds for LibreOffice to convert a .doc
}


def limit(options: dict[str, Any] | None, name: str) -> float:
    """The value of limit ``name``: ``options[name]`` when it is a positive number, else the default."""
    v = (options or {}).get(name)
    try:
        f = float(v) if v is not None else DEFAULTS[name]
    except (TypeError, ValueError):
        f = DEFAULTS[name]
    return f if f > 0 else DEFAULTS[name]


def mb(n: float) -> str:
    return f"{n / 1048576:.1f} MB" if n < 10 * 1048576 else f"{n / 1048576:.0f} MB"


def check_size(data: bytes, options: dict[str, Any] | None) -> None:
    cap = limit(options, "max_bytes")
    if len(data) > cap:
        raise LoadError("TOO_LARGE", f"文件过大（{mb(len(data))}，上限 {mb(cap)}），未读取",
                        f"file too large ({mb(len(data))}, limit {mb(cap)}); not read")


class Deadline:
    """Bounded work: :meth:`check` raises ``LoadError TIMEOUT`` once ``time_limit`` has passed."""

    def __init__(self, options: dict[str, Any] | None, what_zh: str, what_en: str) -> None:
        self.seconds = limit(options, "time_limit")
        self.end = time.monotonic() + self.seconds
        self.what_zh, self.what_en = what_zh, what_en

    def check(self) -> None:
        if time.monotonic() > self.end:
            raise LoadError("TIMEOUT", f"{self.what_zh}超过时间上限（{self.seconds:g} 秒），已停止",
                            f"{self.what_en} exceeded the time limit ({self.seconds:g} s); stopped")
