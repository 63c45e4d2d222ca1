"""SARIF 2.1.0 output, for code-scanning dashboards and CI.

One run; every input file is an artifact; every rule of the run is in ``tool.driver.rules`` with
its Chinese and English title; each finding is a result whose locations are line/column regions
in the report file (columns count Unicode characters, ``columnKind: unicodeCodePoints``). Rules
that could not be evaluated are results of ``kind: open``; suppressed findings carry a SARIF
suppression with the configured reason; unreadable files and run problems are tool
notifications. Validates against the OASIS SARIF 2.1.0 schema.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from gipcheck.report._common import (
    SEVERITY_ORDER,
    dumps_indented,
    finding_locations,
    json_safe,
    lang_of,
    meta_of,
    rule_info,
)

NAME = "sarif"
MEDIA_TYPE = "application/sarif+json"
EXTENSION = ".sarif"

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://gipcheck.invalid/"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_SRCROOT = "SRCROOT"
_NOT_A_BYTE = re.compile("[\ud800-\udc7f\udd00-\udfff]")


def _artifact_location(source: str) -> dict[str, Any]:
    """A relative path stays relative to ``SRCROOT`` (the working directory); an absolute one
    becomes a ``file:`` URI. Non-ASCII names are percent-encoded, as URIs require."""
    # a surrogate that is not a file name byte (surrogateescape keeps those) cannot be encoded at all
    p = Path(_NOT_A_BYTE.sub("\ufffd", source))
    if p.is_absolute():
        return {"uri": p.as_uri()}
    # surrogateescape: a name that is not UTF-8 keeps its own bytes (%FF), as a file: URI would
    return {"uri": quote(p.as_posix(), safe="/-._~", errors="surrogateescape"), "uriBaseId": _SRCROOT}


def _region(loc: dict[str, Any]) -> dict[str, Any] | None:
    line, col = loc.get("line"), loc.get("col")
    if not isinstance(line, int) or line < 1:
        return None
    region: dict[str, Any] = {"startLine": line}
    text = loc.get("text")
    if isinstance(col, int) and col >= 1:
        region["startColumn"] = col
        if isinstance(text, str) and text:
            # The region ends after the cell or sentence text, which may span lines (a wrapped title).
            parts = text.split("\n")
            if len(parts) == 1:
                region["endColumn"] = col + len(text)
            else:
                region["endLine"] = line + len(parts) - 1
                region["endColumn"] = len(parts[-1]) + 1
    if isinstance(text, str) and text:
        region["snippet"] = {"text": text}
    return region


def _rule_descriptor(rule_id: str, info: dict[str, Any], lang: str) -> dict[str, Any]:
    title = info.get("title") or {}
    zh, en = title.get("zh") or rule_id, title.get("en") or title.get("zh") or rule_id
    basis = info.get("basis") or ""
    d: dict[str, Any] = {
        "id": rule_id,
        "shortDescription": {"text": zh if lang == "zh" else en},
        "fullDescription": {"text": f"{zh} / {en}" + (f"（依据：{basis}）" if basis else "")},
        "defaultConfiguration": {"level": _LEVEL.get(info.get("severity", "warning"), "warning")},
        "properties": {"title_zh": zh, "title_en": en, "basis": basis, "pack": info.get("pack"),
                       "tags": [t for t in (info.get("pack"), f"section-{info['section']}" if info.get("section")
                                            else None) if t]},
    }
    if basis:
        d["help"] = {"text": basis}
    return d


def _notification(message: str, level: str, artifact: dict[str, Any] | None = None,
                  descriptor: str | None = None, properties: dict[str, Any] | None = None) -> dict[str, Any]:
    n: dict[str, Any] = {"level": level, "message": {"text": message}}
    if artifact is not None:
        n["locations"] = [{"physicalLocation": {"artifactLocation": artifact}}]
    if descriptor:
        n["descriptor"] = {"id": descriptor}
    if properties:
        n["properties"] = properties
    return n


def _base_ids() -> dict[str, Any]:
    """``SRCROOT``: the working directory relative names are relative to (left for the consumer to
    define when that directory has been deleted under the run)."""
    try:
        cwd = os.getcwd()
    except FileNotFoundError:
        return {}
    return {_SRCROOT: {"uri": Path(cwd).as_uri().rstrip("/") + "/"}}


def _rule_ids(run: Any) -> list[str]:
    """The run's rules in ``tool.driver.rules`` order: the catalogue, then any other rule a report names."""
    rule_ids: list[str] = list((getattr(run, "rules", None) or {}).keys())
    for rep in run.reports:
        for rid in [f.rule for f in rep.findings] + [n.rule for n in rep.not_evaluated]:
            if rid not in rule_ids:
                rule_ids.append(rid)
    return rule_ids


def _report_parts(rep: Any, ai: int, index: dict[str, int]
                  ) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """One report's artifact, results and tool notifications; ``ai`` its artifact index, ``index``
    each rule's index in ``tool.driver.rules``."""
    art = {**_artifact_location(rep.source), "index": ai}
    meta = meta_of(rep)
    artifact: dict[str, Any] = {"location": _artifact_location(rep.source)}
    loader = (meta.get("source") or {}).get("loader") if isinstance(meta.get("source"), dict) else None
    props = {k: meta.get(k) for k in ("organ", "year", "format") if meta.get(k) is not None}
    if loader:
        props["loader"] = loader
    if props:
        artifact["properties"] = props
    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    if not rep.readable:
        for p in rep.problems:
            notifications.append(_notification(p.message, "error", art, p.code, {"kind": p.kind}))
        return artifact, results, notifications
    for p in rep.problems:
        notifications.append(_notification(p.message, "warning", art, p.code, {"kind": p.kind}))
    for f in sorted(rep.findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 3), f.rule)):
        locations = []
        for loc in finding_locations(rep, f):
            phys: dict[str, Any] = {"artifactLocation": art}
            # Word and PDF locations are page/table/cell (in properties): a line/column there would
            # point into gipcheck's internal linear text, not into the file a reader opens.
            region = None if (loc.get("where") or loc.get("page")) else _region(loc)
            if region:
                phys["region"] = region
            entry: dict[str, Any] = {"physicalLocation": phys}
            if loc.get("pointer"):
                entry["logicalLocations"] = [{"name": str(loc.get("label") or loc["pointer"]),
                                              "fullyQualifiedName": str(loc["pointer"]), "kind": "element"}]
            lp = {k: loc[k] for k in ("value", "recovered", "page", "where", "inherited") if loc.get(k) is not None}
            if lp:
                entry["properties"] = lp
            locations.append(entry)
        if not locations:
            locations = [{"physicalLocation": {"artifactLocation": art}}]
        res: dict[str, Any] = {
            "ruleId": f.rule, "ruleIndex": index[f.rule], "kind": "fail",
            "level": _LEVEL.get(f.severity, "warning"),
            "message": {"text": f.message},
            "locations": locations,
            "properties": {"severity": f.severity, "title": f.title, "basis": f.basis, "section": f.section,
                           "values": f.values, "pack": f.pack},
        }
        if f.suppressed:
            res["suppressions"] = [{"kind": "external", "status": "accepted",
                                    "justification": str(f.suppressed.get("reason") or ""),
                                    "properties": {k: v for k, v in f.suppressed.items() if k != "reason"}}]
        results.append(res)
    for n in rep.not_evaluated:
        results.append({
            "ruleId": n.rule, "ruleIndex": index[n.rule], "kind": "open", "level": "none",
            "message": {"text": n.reason},
            "locations": [{"physicalLocation": {"artifactLocation": art}}],
            "properties": {"missing": n.missing, "severity": n.severity},
        })
    return artifact, results, notifications


def _driver(run: Any, rule_ids: list[str], lang: str) -> dict[str, Any]:
    from gipcheck import __version__

    return {"driver": {
        "name": "gipcheck", "version": __version__, "semanticVersion": __version__,
        "informationUri": INFORMATION_URI,
        "fullName": "gipcheck 政府信息公开工作年度报告合规检查 / annual report compliance checker",
        "language": "zh-CN" if lang == "zh" else "en-US",
        "rules": [_rule_descriptor(rid, rule_info(run, rid), lang) for rid in rule_ids],
    }}


def _run_notifications(run: Any) -> list[dict[str, Any]]:
    return [_notification(p.message, "warning", None, p.code, {"kind": p.kind, **(p.detail or {})})
            for p in run.problems]


def build(run: Any, options: dict[str, Any]) -> dict[str, Any]:
    """The SARIF log as a dict."""
    lang = lang_of(options)
    rule_ids = _rule_ids(run)
    index = {rid: i for i, rid in enumerate(rule_ids)}
    artifacts: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for ai, rep in enumerate(run.reports):
        artifact, res, notes = _report_parts(rep, ai, index)
        artifacts.append(artifact)
        results += res
        notifications += notes
    notifications += _run_notifications(run)
    sarif_run: dict[str, Any] = {
        "tool": _driver(run, rule_ids, lang),
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
        "originalUriBaseIds": _base_ids(),
        "artifacts": artifacts,
        "results": results,
        "columnKind": "unicodeCodePoints",
        "properties": {"summary": run.summary()},
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [sarif_run]}


# Rendering: the log is written as ``json.dumps(build(run), indent=1)`` would write it, but each
# report's part separately (by a batch worker, in parallel: the indenting encoder is pure Python)
# and stitched. A value encoded alone and then indented by ``level`` spaces is the text the whole
# encoding gives at that depth: JSON strings carry no raw newline, so every newline is layout.
_ARTIFACT_LEVEL, _RESULT_LEVEL, _NOTE_LEVEL = 4, 4, 6  # depth of the items of those three lists
_SEP = "\x01"  # between the fields of a rendered piece: JSON text never holds a raw control character
_catalog_index: tuple[Any, dict[str, int]] = (None, {})


def _dumps(value: Any, level: int) -> str:
    return dumps_indented(value, level)


def _items(values: list[dict[str, Any]], level: int) -> str:
    """``values`` as the items of a list at depth ``level``, without its brackets ("" when none)."""
    return (",\n" + " " * level).join(_dumps(v, level) for v in values)


def _list(out: list[str], parts: list[str], level: int) -> None:
    """Append to ``out`` a list at depth ``level - 1`` whose items (at ``level``) are the non-empty
    ``parts`` (the output is joined once at the end: a batch's log is tens of megabytes)."""
    pad = "," + "\n" + " " * level
    start = len(out)
    for p in parts:
        if p:
            out += (pad, p)
    if len(out) == start:
        out.append("[]")
    else:
        out[start] = pad[1:]
        out.insert(start, "[")
        out.append("\n" + " " * (level - 1) + "]")


def _piece(rep: Any, ai: int, index: dict[str, int]) -> tuple[str, str, str]:
    artifact, results, notes = _report_parts(rep, ai, index)
    # lone surrogates escaped part by part (json_safe is character by character): the stitched
    # log needs no pass of its own over all of it
    return (json_safe(_dumps(artifact, _ARTIFACT_LEVEL)), json_safe(_items(results, _RESULT_LEVEL)),
            json_safe(_items(notes, _NOTE_LEVEL)))


def render_report(rep: Any, options: dict[str, Any]) -> str:
    """One report's artifact, results and notifications, rendered ahead by a batch worker.

    ``options["index"]`` is the report's place in the run and ``options["rules"]`` the run's rule
    catalogue (``RunResult.rules``): the artifact and rule indices depend on them. A report that
    names a rule outside the catalogue is left to the whole-run rendering (the rule's index then
    depends on the other reports): ``LookupError``."""
    global _catalog_index
    catalog = options["rules"]
    if _catalog_index[0] is not catalog:
        _catalog_index = (catalog, {rid: i for i, rid in enumerate(catalog)})
    index = _catalog_index[1]
    for rid in [f.rule for f in rep.findings] + [n.rule for n in rep.not_evaluated]:
        if rid not in index:
            raise LookupError(f"rule {rid} is not in the run's catalogue")
    ai = options["index"]
    return _SEP.join((str(ai), *_piece(rep, ai, index)))


def render(run: Any, options: dict[str, Any]) -> str:
    lang = lang_of(options)
    rule_ids = _rule_ids(run)
    index = {rid: i for i, rid in enumerate(rule_ids)}
    artifacts: list[str] = []
    results: list[str] = []
    notes: list[str] = []
    for ai, rep in enumerate(run.reports):
        piece = getattr(rep, "pieces", {}).get(NAME)
        if piece is None:
            artifact, res, note = _piece(rep, ai, index)
        else:
            at, artifact, res, note = piece.split(_SEP)
            if at != str(ai):
                raise ValueError(f"SARIF piece of report {at} given as report {ai}")
        artifacts.append(artifact)
        results.append(res)
        notes.append(note)
    notes.append(json_safe(_items(_run_notifications(run), _NOTE_LEVEL)))
    out = [json_safe("".join((
        "{\n",
        f' "$schema": {_dumps(SCHEMA_URI, 1)},\n',
        ' "version": "2.1.0",\n',
        ' "runs": [\n',
        "  {\n",
        f'   "tool": {_dumps(_driver(run, rule_ids, lang), 3)},\n',
        '   "invocations": [\n',
        "    {\n",
        '     "executionSuccessful": true,\n',
        '     "toolExecutionNotifications": ')))]
    _list(out, notes, _NOTE_LEVEL)
    out.append("\n    }\n   ],\n")
    out.append(f'   "originalUriBaseIds": {json_safe(_dumps(_base_ids(), 3))},\n   "artifacts": ')
    _list(out, artifacts, _ARTIFACT_LEVEL)
    out.append(',\n   "results": ')
    _list(out, results, _RESULT_LEVEL)
    out.append(',\n   "columnKind": "unicodeCodePoints",\n'
               f'   "properties": {_dumps({"summary": run.summary()}, 3)}\n  }}\n ]\n}}')
    return "".join(out)
