"""Running the examples every rule carries (``gipcheck rules test`` and the pytest items)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gipcheck.engine.engine import build_finding
from gipcheck.engine.packs import Example, Pack, Rule, load_packs


@dataclass
class ExampleResult:
    """The outcome of one example: ``ok`` when the rule gave what the example expects and, for a
    failing example, its message filled every placeholder in both languages."""

    rule: str
    pack: str
    file: str
    line: int | None
    index: int
    expect: str
    got: str
    ok: bool
    detail: str = ""
    message: str = ""

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "pack": self.pack, "file": self.file, "line": self.line, "index": self.index,
                "expect": self.expect, "got": self.got, "ok": self.ok, "detail": self.detail, "message": self.message}


def run_example(rule: Rule, ex: Example) -> ExampleResult:
    base = dict(rule=rule.id, pack=rule.pack, file=rule.file, line=ex.line, index=ex.index, expect=ex.expect)
    try:
        outcome = rule.compiled.evaluate(ex.doc, prev=ex.prev)
    except Exception as e:  # noqa: BLE001 - report, do not crash the test run
        return ExampleResult(**base, got="error", ok=False, detail=f"{type(e).__name__}: {e}")
    got = outcome.status
    if got == "error":
        err = outcome.error
        return ExampleResult(**base, got=got, ok=False, detail=f"[{getattr(err, 'code', '?')}] {getattr(err, 'zh', err)}")
    detail = ""
    message = ""
    ok = got == ex.expect
    if got == "unknown":  # blank cells read, or (a plugin function giving nothing) only reasons
        reasons = list(getattr(outcome, "reasons", None) or [])
        detail = "missing: " + ", ".join(outcome.missing) if outcome.missing or not reasons else \
            "reasons: " + "; ".join(reasons)
    if got == "fail":
        unresolved: set[str] = set()
        for lang in ("zh", "en"):
            finding, miss = build_finding(rule, outcome, ex.doc, ex.prev, lang)
            unresolved |= miss
            if lang == "zh":
                message = finding.message
        if unresolved:
            ok = False
            detail = "message placeholders without a value: " + ", ".join(sorted(unresolved))
    return ExampleResult(**base, got=got, ok=ok, detail=detail, message=message)


def run_rule_examples(packs: Iterable[Pack]) -> list[ExampleResult]:
    return [run_example(rule, ex) for pack in packs for rule in pack.rules for ex in rule.examples]


def run_examples(packs_or_dirs: Iterable[Pack | Path | str]) -> list[ExampleResult]:
    """Run every example of every rule of ``packs_or_dirs`` (loaded packs, or pack directories)."""
    items = list(packs_or_dirs)
    packs = [p for p in items if isinstance(p, Pack)]
    dirs = [Path(p) for p in items if not isinstance(p, Pack)]
    return run_rule_examples([*packs, *(load_packs(dirs) if dirs else [])])
