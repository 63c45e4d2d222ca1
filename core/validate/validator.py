"""Validate a canonical report document against its JSON Schema; violations are data.

The schema files in ``schemas/`` are the single source of truth: they are read once, compiled into
closures (:mod:`gipcheck.validate.compiler`) and, should a schema ever use a keyword the compiler
does not know, validated with ``jsonschema`` instead — with the same :class:`Violation` output.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from gipcheck.resources import schemas_dir
from gipcheck.validate.compiler import Node, RawError, Unsupported, compile_schema

FORMATS = ("2021", "2019")
_TYPE_ZH = {"integer": "整数", "number": "数字", "string": "文本", "boolean": "是/否（布尔值）",
            "object": "对象", "array": "列表", "null": "空白（null）"}
_TYPE_EN = {"integer": "an integer", "number": "a number", "string": "text", "boolean": "true/false",
            "object": "an object", "array": "a list", "null": "null (blank)"}


@dataclass(frozen=True)
class Violation:
    """One way a document breaks its schema.

    ``pointer`` names the offending value — for ``required`` the missing member, for
    ``additionalProperties`` the unexpected member; ``instance_pointer`` is where the failed
    assertion sits (the containing object in those two cases, otherwise ``pointer``), as
    ``jsonschema`` reports it. ``label`` is the Chinese path from the schema's ``title``s, e.g.
    ``表三 / （七）总计 / 自然人``.
    """

    pointer: str
    instance_pointer: str
    keyword: str
    label: str
    zh: str
    en: str
    value: Any = None
    schema_path: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def to_json(self) -> dict[str, Any]:
        return {"pointer": self.pointer, "instance_pointer": self.instance_pointer, "keyword": self.keyword,
                "label": self.label, "zh": self.zh, "en": self.en, "value": _jsonable(self.value)}


def _jsonable(v: Any) -> Any:
    try:
        json.dumps(v)
        return v
    except (TypeError, ValueError):
        return repr(v)


def to_pointer(path: tuple[Any, ...] | list[Any]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


# ---------------------------------------------------------------- schemas

def schema_path(fmt: str) -> Path:
    return schemas_dir() / f"document-{fmt}.schema.json"


@cache
def load_schema(fmt: str) -> dict[str, Any]:
    """The document schema of ``fmt`` (``"2021"`` or ``"2019"``), parsed once."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    with schema_path(fmt).open(encoding="utf-8") as f:
        schema: dict[str, Any] = json.load(f)
    return schema


def schema_format(document: Any) -> str:
    """Which schema a document is validated against: 2019 when ``meta.format`` says so."""
    if isinstance(document, dict):
        meta = document.get("meta")
        if isinstance(meta, dict) and meta.get("format") == "2019":
            return "2019"
    return "2021"


class SchemaValidator:
    """A schema compiled for speed, with ``jsonschema`` as the fallback for unsupported keywords.

    ``force_jsonschema`` makes it use ``jsonschema`` even when the schema compiles (for tests and
    the benchmark).
    """

    def __init__(self, schema: dict[str, Any], *, force_jsonschema: bool = False) -> None:
        self.schema = schema
        self.root: Node | None = None
        self.fallback_reason: str | None = None
        self._js: Any = None
        if force_jsonschema:
            self.fallback_reason = "forced"
        else:
            try:
                self.root = compile_schema(schema)
            except Unsupported as exc:
                self.fallback_reason = str(exc)
        if self.root is None:
            from jsonschema import Draft202012Validator

            self._js = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)

    @property
    def compiled(self) -> bool:
        return self.root is not None

    def is_valid(self, instance: Any) -> bool:
        if self.root is not None:
            return self.root.ok(instance)
        return bool(self._js.is_valid(instance))

    def raw_errors(self, instance: Any) -> list[RawError]:
        if self.root is not None:
            if self.root.ok(instance):
                return []
            out: list[RawError] = []
            self.root.errors(instance, (), out)
            return out
        return _from_jsonschema(self._js.iter_errors(instance))

    def violations(self, instance: Any) -> list[Violation]:
        return [v for e in self.raw_errors(instance) for v in _violations(self.schema, e)]


def _from_jsonschema(errors: Any) -> list[RawError]:
    merged: dict[tuple[tuple[Any, ...], str], list[str]] = {}
    out: list[RawError] = []
    for e in errors:
        path = tuple(e.absolute_path)
        kw = str(e.validator)
        if kw in ("required", "additionalProperties") and isinstance(e.instance, dict):
            names = merged.setdefault((path, kw), [])
            if names:
                continue  # one RawError per object, listing every member concerned
            if kw == "required":
                names.extend(k for k in e.validator_value if k not in e.instance)
            else:
                from jsonschema._utils import find_additional_properties

                names.extend(sorted(map(str, find_additional_properties(e.instance, e.schema))))
            out.append(RawError(path, kw, e.schema, e.instance, tuple(names)))
        else:
            out.append(RawError(path, kw, e.schema, e.instance))
    return out


_lock = threading.Lock()


@cache
def _validator(fmt: str) -> SchemaValidator:
    with _lock:
        return SchemaValidator(load_schema(fmt))


def get_validator(fmt: str) -> SchemaValidator:
    """The cached compiled validator of a format's document schema."""
    return _validator("2019" if fmt == "2019" else "2021")


def validate_document(document: Any) -> list[Violation]:
    """Check ``document`` against the schema of its ``meta.format``; never raises on bad data.

    Returns an empty list for a valid document (the fast path costs a few tens of microseconds).
    """
    v = get_validator(schema_format(document))
    try:
        if v.is_valid(document):
            return []
        raw = v.raw_errors(document)
    except RecursionError:
        return [Violation("", "", "depth", "文档", "文档嵌套过深，无法校验", "document nested too deeply to validate")]
    except Exception as exc:  # non-JSON data (e.g. a non-text key) must still end as data, not a traceback
        return [Violation("", "", "invalid", "文档", f"文档含有非 JSON 数据，无法校验（{type(exc).__name__}）",
                          f"document holds non-JSON data and cannot be validated ({type(exc).__name__}: {exc})")]
    out: list[Violation] = []
    for e in raw:
        out.extend(_violations(v.schema, e))
    # a date that fails its pattern also fails its format: say it once
    fmt_at = {x.pointer for x in out if x.keyword == "format"}
    return [x for x in out if not (x.keyword == "pattern" and x.pointer in fmt_at)]


# ---------------------------------------------------------------- labels

def _resolve_ref(root: dict[str, Any], node: Any) -> Any:
    if isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
        target: Any = root
        for part in node["$ref"][2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(target, dict) else {}
        return target
    return None


def _title(root: dict[str, Any], node: Any) -> tuple[str | None, bool]:
    """(title, omit-from-path) of a subschema, the referencing node's own title first."""
    if not isinstance(node, dict):
        return None, False
    target = _resolve_ref(root, node)
    title = node.get("title") or (target.get("title") if isinstance(target, dict) else None)
    omit = bool(node.get("x-path-omit") or (isinstance(target, dict) and target.get("x-path-omit")))
    return title, omit


def _child(root: dict[str, Any], node: Any, key: Any) -> tuple[Any, bool]:
    """The subschema that applies to member ``key`` of an instance of ``node`` (first match), and
    whether it is a named property (else the key itself is the best label)."""
    seen = 0
    while isinstance(node, dict) and seen < 32:
        seen += 1
        if isinstance(key, int):
            if "items" in node:
                return node["items"], True
        else:
            props = node.get("properties") or {}
            if key in props:
                return props[key], True
            for pat, sub in (node.get("patternProperties") or {}).items():
                if re.search(pat, key):
                    return sub, False
            add = node.get("additionalProperties")
            if isinstance(add, dict):
                return add, False
        target = _resolve_ref(root, node)
        if target is None:
            return None, False
        node = target
    return None, False


def label_for(root: dict[str, Any], path: tuple[Any, ...] | list[Any]) -> str:
    """Chinese label of an instance path, from the schema titles: ``表三 / （七）总计 / 自然人``."""
    parts: list[str] = []
    node: Any = root
    for key in path:
        node, named = _child(root, node, key) if node is not None else (None, False)
        if isinstance(key, int):
            parts.append(f"第{key + 1}项")
            continue
        if node is None or not named:
            parts.append(str(key))
            continue
        title, omit = _title(root, node)
        if not omit:
            parts.append(title or str(key))
    return " / ".join(parts) if parts else (root.get("title") or "文档")


# ---------------------------------------------------------------- messages

def _show(v: Any) -> str:
    if v is None:
        return "空白（null）"
    if v is True or v is False:
        return "true" if v else "false"
    if isinstance(v, str):
        return "“" + (v if len(v) <= 40 else v[:40] + "…") + "”"
    if isinstance(v, dict):
        return "对象{…}"
    if isinstance(v, list):
        return f"列表（{len(v)}项）"
    return str(v)


def _show_en(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, str):
        return repr(v if len(v) <= 40 else v[:40] + "…")
    if isinstance(v, dict):
        return "an object"
    if isinstance(v, list):
        return f"a list of {len(v)}"
    return repr(v)


def _expected(s: dict[str, Any]) -> tuple[str, str]:
    """What a schema node asks for, in words: ("非负整数或空白（null）", "a non-negative integer or null")."""
    types = s.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    zh, en = [], []
    for t in types:
        z, e = _TYPE_ZH.get(t, t), _TYPE_EN.get(t, t)
        if t in ("integer", "number") and s.get("minimum") == 0:
            z, e = ("非负整数" if t == "integer" else "非负数"), ("a non-negative " + ("integer" if t == "integer" else "number"))
        zh.append(z)
        en.append(e)
    return "或".join(zh), " or ".join(en)


def _violations(root: dict[str, Any], e: RawError) -> list[Violation]:
    at = to_pointer(e.path)
    label = label_for(root, e.path)
    s = e.schema if isinstance(e.schema, dict) else {}
    kw, v = e.keyword, e.instance
    if kw == "required":
        out = []
        for name in e.names:
            lab = label_for(root, (*e.path, name))
            out.append(Violation(at + "/" + name, at, kw, lab,
                                 f"{lab}：缺少此项（文档必须含有该字段，无法确定时填 null）",
                                 f"{to_pointer((*e.path, name))}: required member is missing (use null when unknown)",
                                 None))
        return out
    if kw == "additionalProperties":
        return [Violation(at + "/" + name, at, kw, f"{label} / {name}" if e.path else name,
                          f"{label}：出现文档格式之外的字段“{name}”",
                          f"{at or '/'}: member {name!r} is not part of the document format",
                          None) for name in e.names]
    if kw == "type":
        ez, ee = _expected(s)
        zh, en = f"{label}：应为{ez}，实际为{_show(v)}", f"{at}: expected {ee}, got {_show_en(v)}"
    elif kw in ("minimum", "exclusiveMinimum"):
        zh, en = f"{label}：不得小于{s[kw]}，实际为{_show(v)}", f"{at}: must be ≥ {s[kw]}, got {_show_en(v)}"
    elif kw in ("maximum", "exclusiveMaximum"):
        zh, en = f"{label}：不得大于{s[kw]}，实际为{_show(v)}", f"{at}: must be ≤ {s[kw]}, got {_show_en(v)}"
    elif kw == "enum":
        opts = "、".join(_show(o) for o in s.get("enum", []))
        zh, en = f"{label}：取值应为{opts}之一，实际为{_show(v)}", f"{at}: must be one of {s.get('enum')!r}, got {_show_en(v)}"
    elif kw == "const":
        zh, en = f"{label}：取值应为{_show(s.get('const'))}，实际为{_show(v)}", f"{at}: must be {s.get('const')!r}, got {_show_en(v)}"
    elif kw == "format" and s.get("format") == "date":
        zh, en = f"{label}：应为有效日期（YYYY-MM-DD），实际为{_show(v)}", f"{at}: expected a valid YYYY-MM-DD date, got {_show_en(v)}"
    elif kw == "pattern":
        zh, en = f"{label}：格式不符（应匹配 {s.get('pattern')}），实际为{_show(v)}", f"{at}: does not match {s.get('pattern')!r}: {_show_en(v)}"
    else:
        zh, en = f"{label}：不符合文档格式（{kw}），实际为{_show(v)}", f"{at}: fails schema keyword {kw!r}: {_show_en(v)}"
    return [Violation(at, at, kw, label, zh, en, v)]
