"""Findings and report results: the data every reporter renders."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("error", "warning", "info")
JSON_VERSION = "1.0"  # of the --format json output (schemas/report.schema.json)


def meta_of(document: Any) -> dict[str, Any]:
    """The document's ``meta`` object, or an empty one when the document or its meta is not an
    object (a hand-made document, a plugin's slip): reporting must never break on it."""
    meta = document.get("meta") if isinstance(document, dict) else None
    return meta if isinstance(meta, dict) else {}


def _typed(value: Any, kind: type) -> Any:
    return value if type(value) is kind else None


@dataclass
class Finding:
    """One rule that failed on one report.

    ``values`` holds the deciding values (``left``, ``right``, ``diff``, bound names such as ``c``);
    ``locations`` the cells and sentences involved: ``{"pointer", "line", "col", "text", "label", …}``.
    ``section`` is the report section (1–6) the finding belongs to, for grouping.
    """

    rule: str
    severity: str
    message: str
    title: str
    basis: str
    values: dict[str, Any] = field(default_factory=dict)
    locations: list[dict[str, Any]] = field(default_factory=list)
    section: int | None = None
    pack: str | None = None
    plugin: str | None = None
    suppressed: dict[str, Any] | None = None  # {"reason", "expires", "source"} when suppressed

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "rule": self.rule, "severity": self.severity, "message": self.message, "title": self.title,
            "basis": self.basis, "values": self.values, "locations": self.locations, "section": self.section,
            "pack": self.pack,
        }
        if self.plugin:
            d["plugin"] = self.plugin
        if self.suppressed:
            d["suppressed"] = self.suppressed
        return d


@dataclass
class NotEvaluated:
    """A rule that ended UNKNOWN: never passed, never failed. ``missing`` names the blank/absent
    cells (JSON pointers) that kept it from a verdict."""

    rule: str
    title: str
    severity: str
    missing: list[str]
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "title": self.title, "severity": self.severity,
                "missing": self.missing, "reason": self.reason}


@dataclass
class Problem:
    """Something that went wrong around a report rather than in it: an unreadable file, a rule
    that raised, a plugin that crashed. ``kind`` is ``load``, ``rule`` or ``plugin``."""

    kind: str
    code: str
    message: str
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "code": self.code, "message": self.message, **({"detail": self.detail} if self.detail else {})}


@dataclass
class ReportResult:
    """Everything gipcheck has to say about one input file."""

    source: str
    document: dict[str, Any] | None = None
    locations: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    not_evaluated: list[NotEvaluated] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    text: str | None = None

    @property
    def readable(self) -> bool:
        return self.document is not None

    def counts(self) -> dict[str, int]:
        """Unsuppressed findings per severity."""
        c = {s: 0 for s in SEVERITIES}
        for f in self.findings:
            if not f.suppressed:
                c[f.severity] = c.get(f.severity, 0) + 1
        return c

    def json_text(self) -> str:
        """:meth:`to_json` as compact JSON on one line (the form ``--format json`` prints per report)."""
        return dump_compact(self.to_json())

    def to_json(self) -> dict[str, Any]:
        meta = meta_of(self.document)
        return {
            "source": self.source,
            # as schemas/report.schema.json types them, whatever a hand-made document holds
            "organ": _typed(meta.get("organ"), str),
            "year": _typed(meta.get("year"), int),
            "format": _typed(meta.get("format"), str),
            "findings": [f.to_json() for f in self.findings],
            "not_evaluated": [n.to_json() for n in self.not_evaluated],
            "passed": self.passed,
            "problems": [p.to_json() for p in self.problems],
            "notes": self.notes,
            "counts": self.counts(),
        }


def dump_compact(data: Any) -> str:
    """Compact one-line JSON, Chinese kept as is (the C encoder: ``indent`` would force the slow one)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@dataclass
class RenderedReport(ReportResult):
    """A report result already rendered by a batch worker for the run's output format.

    ``pieces`` maps a format name to this report's part of that format's output, as that format's
    ``render_report`` wrote it: the reporter stitches them, and only it reads them (a piece may
    carry its own bookkeeping — the report's place in the run, its counts). Only what the run needs besides — counts (``tally``), problems, not-evaluated rules and
    ``meta`` — is kept, so that the worker sends little back; render it in no other format."""

    pieces: dict[str, str] = field(default_factory=dict)
    tally: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, result: ReportResult, pieces: dict[str, str]) -> RenderedReport:
        meta = meta_of(result.document)
        return cls(source=result.source, document=None if result.document is None else {"meta": meta},
                   not_evaluated=result.not_evaluated, problems=result.problems, pieces=pieces,
                   tally=result.counts())

    def counts(self) -> dict[str, int]:
        return dict(self.tally)

    def to_json(self) -> dict[str, Any]:
        piece = self.pieces.get("json")
        return json.loads(piece) if piece is not None else super().to_json()

    def json_text(self) -> str:
        piece = self.pieces.get("json")
        return piece if piece is not None else super().json_text()


@dataclass
class RunResult:
    """A whole run: one result per input, in input order."""

    reports: list[ReportResult]
    problems: list[Problem] = field(default_factory=list)  # run-level: plugin failures etc.
    # The rules of the run (id → title {zh, en}, severity, basis, pack), for SARIF/JUnit/HTML; not in JSON.
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        totals = {s: 0 for s in SEVERITIES}
        for r in self.reports:
            for k, v in r.counts().items():
                totals[k] = totals.get(k, 0) + v
        return {
            "reports": len(self.reports),
            "unreadable": sum(1 for r in self.reports if not r.readable),
            "findings": totals,
            "not_evaluated": sum(len(r.not_evaluated) for r in self.reports),
            "plugin_problems": len(self.problems),
        }

    def to_json(self) -> dict[str, Any]:
        return {"version": JSON_VERSION, "reports": [r.to_json() for r in self.reports], "summary": self.summary(),
                "problems": [p.to_json() for p in self.problems]}
