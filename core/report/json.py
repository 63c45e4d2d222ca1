"""JSON output: ``{"version", "reports": [...], "summary": {...}, "problems": [...]}``.

The shape is versioned and described by ``schemas/report.schema.json``. Layout: the envelope is
indented, and each report is one compact line (``jq``/``grep`` friendly, and fast to write for a
batch of thousands: a batch worker renders its reports' lines itself — :meth:`ReportResult.json_text`)."""

from __future__ import annotations

from typing import Any

from gipcheck.engine.model import JSON_VERSION, dump_compact
from gipcheck.report._common import json_safe

NAME = "json"
MEDIA_TYPE = "application/json"
EXTENSION = ".json"


def render_report(result: Any, options: dict[str, Any]) -> str:
    """One report's line of the output (what a batch worker renders ahead), its lone surrogates
    (a non-UTF-8 file name) escaped: a non-UTF-8 file name must not make the output unwritable."""
    return json_safe(result.json_text())


def _block(lines: list[str]) -> str:
    return "[\n  " + ",\n  ".join(lines) + "\n ]" if lines else "[]"


def render(run: Any, options: dict[str, Any]) -> str:
    # json_safe is character by character: escaping each line and the envelope apart equals escaping
    # the whole, and a batch's lines come escaped from its workers (no pass over all the megabytes here)
    lines = [piece if (piece := getattr(r, "pieces", {}).get(NAME)) is not None else render_report(r, options)
             for r in run.reports]
    # One join for the whole output: a batch's reports are megabytes, each copy of them counts.
    parts = [f'{{\n "version": {dump_compact(JSON_VERSION)},\n "reports": ']
    if lines:
        parts.append("[\n  ")
        for line in lines:
            parts += (line, ",\n  ")
        parts[-1] = "\n ]"
    else:
        parts.append("[]")
    parts.append(json_safe(f',\n "summary": {dump_compact(run.summary())},\n'
                           f' "problems": {_block([dump_compact(p.to_json()) for p in run.problems])}\n}}'))
    return "".join(parts)
