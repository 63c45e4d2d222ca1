"""Helpers shared by the reporters: rule texts, resolved locations, severity order."""

from __future__ import annotations

import json
import json.encoder
import re
from collections.abc import Callable
from json.encoder import encode_basestring as _json_str
from typing import Any

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
SEVERITY_LABEL = {
    "zh": {"error": "错误", "warning": "警告", "info": "提示"},
    "en": {"error": "error", "warning": "warning", "info": "info"},
}


# What a terminal or a reader must not receive raw from report text or a file name: C0 controls,
# DEL, C1 controls (0x9b is a CSI), bidi overrides and isolates (they reorder what is shown), line
# and paragraph separators, and lone surrogates (a file name that is not UTF-8).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                     "\ud800-\udfff]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _shown(ch: str) -> str:
    o = ord(ch)
    if ch in _NAMED:
        return _NAMED[ch]
    if 0xDC80 <= o <= 0xDCFF:  # a byte of a non-UTF-8 file name (surrogateescape): show the byte
        return f"\\x{o - 0xDC00:02x}"
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}"


def visible(s: Any, keep: str = "") -> str:
    """``s`` with every control, bidi and separator character (except those in ``keep``) written
    out as an escape (``\\x1b``, ``\\u202e``), so that text from a report cannot drive a terminal
    or disguise itself."""
    t = "" if s is None else str(s)
    if not _UNSAFE.search(t):
        return t
    return _UNSAFE.sub(lambda m: m.group() if m.group() in keep else _shown(m.group()), t)


def has_surrogates(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate. The strict UTF-16 encoder refuses exactly those
    (and runs several times faster than a regular-expression search over a batch's megabytes)."""
    if text.isascii():  # constant time in CPython: an ASCII string holds no surrogate
        return False
    try:
        text.encode("utf-16-le")
    except UnicodeEncodeError:
        return True
    return False


def json_safe(text: str) -> str:
    """Rendered JSON (``ensure_ascii=False``) without lone surrogates, which UTF-8 cannot carry:
    each is written as a visible escape inside its string (``bad\\\\xff.txt`` reads back ``bad\\xff.txt``)."""
    if not has_surrogates(text):
        return text
    return _SURROGATES.sub(lambda m: _shown(m.group()).replace("\\", "\\\\"), text)


def no_surrogates(text: str) -> str:
    """``text`` with each lone surrogate written out visibly (``\\xff``), so that it can be encoded."""
    if not has_surrogates(text):
        return text
    return _SURROGATES.sub(lambda m: _shown(m.group()), text)


# What the indenting encoder writes itself: these exact types (a subclass goes to json.dumps).
_SCALARS = frozenset({str, int, float, bool, type(None)})
_INFINITY = float("inf")
_flat_encoders: dict[int, Callable[[Any], str]] = {}
_c_make_encoder: Any = getattr(json.encoder, "c_make_encoder", None)


def _scalar(v: Any) -> str:
    """A JSON scalar, written as json's encoder writes it."""
    t = type(v)
    if t is str:
        return _json_str(v)  # type: ignore[no-any-return]
    if v is None:
        return "null"
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return int.__repr__(v)
    if v != v:
        return "NaN"
    if v == _INFINITY:
        return "Infinity"
    if v == -_INFINITY:
        return "-Infinity"
    return float.__repr__(v)


def _flat(level: int) -> Callable[[Any], str]:
    """The C encoder, for a list or object of scalars only at depth ``level``: with ``indent=1``
    its items are separated by a comma, a newline and ``level + 1`` spaces, which it writes as the
    item separator (the brackets' own newlines are added around)."""
    enc = _flat_encoders.get(level)
    if enc is None:
        sep = ",\n" + " " * (level + 1)
        if _c_make_encoder is None:  # no C accelerator: the same layout from the Python encoder
            encoder = json.JSONEncoder(ensure_ascii=False, separators=(sep, ": "))

            def enc(v: Any) -> str:
                return encoder.encode(v)[1:-1]
        else:
            c = _c_make_encoder(None, None, _json_str, None, ": ", sep, False, False, True)

            def enc(v: Any) -> str:
                return "".join(c(v, 0))[1:-1]
        _flat_encoders[level] = enc
    return enc


def dumps_indented(value: Any, level: int = 0) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=1)`` with every line after the first indented
    by ``level`` more spaces (the text the value has at that depth of an indented document), the
    same text but written several times faster: the standard encoder indents in pure Python, while
    here every list or object of scalars alone is written by the C encoder."""
    t = type(value)
    if t is dict:
        if not value:
            return "{}"
        flat = True
        for k, v in value.items():
            if type(k) is not str:  # json's own conversion of the key (a number, null) applies
                return json.dumps(value, ensure_ascii=False, indent=1).replace("\n", "\n" + " " * level)
            if type(v) not in _SCALARS:
                flat = False
        pad = "\n" + " " * (level + 1)
        if flat:
            return "{" + pad + _flat(level)(value) + "\n" + " " * level + "}"
        return "{" + pad + ("," + pad).join(
            [_json_str(k) + ": " + (_scalar(v) if type(v) in _SCALARS else dumps_indented(v, level + 1))
             for k, v in value.items()]) + "\n" + " " * level + "}"
    if t is list or t is tuple:
        if not value:
            return "[]"
        pad = "\n" + " " * (level + 1)
        for v in value:
            if type(v) not in _SCALARS:
                break
        else:
            return "[" + pad + _flat(level)(value) + "\n" + " " * level + "]"
        return "[" + pad + ("," + pad).join(
            [_scalar(v) if type(v) in _SCALARS else dumps_indented(v, level + 1) for v in value]) \
            + "\n" + " " * level + "]"
    if t in _SCALARS:
        return _scalar(value)
    return json.dumps(value, ensure_ascii=False, indent=1).replace("\n", "\n" + " " * level)


def lang_of(options: dict[str, Any]) -> str:
    return "en" if options.get("lang") == "en" else "zh"


def rule_info(run: Any, rule_id: str) -> dict[str, Any]:
    """The rule's catalogue entry (``run.rules``), or what its findings say of it."""
    got = (getattr(run, "rules", None) or {}).get(rule_id)
    if got:
        return got
    for rep in run.reports:
        for f in rep.findings:
            if f.rule == rule_id:
                return {"title": {"zh": f.title, "en": f.title}, "severity": f.severity, "basis": f.basis,
                        "pack": f.pack}
        for n in rep.not_evaluated:
            if n.rule == rule_id:
                return {"title": {"zh": n.title, "en": n.title}, "severity": n.severity, "basis": "", "pack": None}
    return {"title": {"zh": rule_id, "en": rule_id}, "severity": "warning", "basis": "", "pack": None}


def _loc_json(v: Any) -> dict[str, Any]:
    return v.to_json() if hasattr(v, "to_json") else dict(v)


def resolve_location(result: Any, loc: dict[str, Any]) -> dict[str, Any]:
    """A finding location with a line: its own, or that of its nearest ancestor pointer that has
    one (a section's text → the section heading); ``inherited`` marks the latter."""
    if loc.get("line") is not None:
        return loc
    p = str(loc.get("pointer") or "")
    if p.startswith("prev:"):
        return loc  # a cell of the previous year's report: not in this file
    locations = getattr(result, "locations", None) or {}
    while p:
        src = locations.get(p)
        if src is not None:
            j = _loc_json(src)
            if j.get("line") is not None:
                return {**loc, **{k: v for k, v in j.items() if k in ("line", "col", "text", "page", "where")},
                        "inherited": p}
        p = p.rsplit("/", 1)[0]
    return loc


def finding_locations(result: Any, finding: Any) -> list[dict[str, Any]]:
    """The finding's locations, each resolved to a line where one is known, without repeats."""
    out, seen = [], set()
    for loc in finding.locations:
        r = resolve_location(result, loc)
        key = (r.get("pointer"), r.get("line"), r.get("col"))
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def meta_of(result: Any) -> dict[str, Any]:
    """The ``meta`` of a result's document (an empty one when it is not an object)."""
    from gipcheck.engine.model import meta_of as document_meta

    return document_meta(result.document)
