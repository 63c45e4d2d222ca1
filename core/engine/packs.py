"""Rule packs: directories of YAML rule files, validated, compiled once and cached.

A pack is a directory with ``pack.yaml`` (name, version, description, optional pack-level ``let``)
and rule files (``*.yaml``; each holds one rule or a list of rules, see
``schemas/rule.schema.json``). Every problem — bad YAML, a schema violation, a broken expression,
a duplicate id — is a :class:`~gipcheck.errors.RuleError` pointing at ``file:line:col``.
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gipcheck.engine.yamlpos import (
    Lines,
    PosDict,
    PosList,
    TooLarge,
    load_yaml,
    node_at,
    plain,
    read_rule_text,
    scalar_point,
    source_line,
)
from gipcheck.errors import RuleError
from gipcheck.resources import rules_dir, schemas_dir

if TYPE_CHECKING:
    import yaml
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

RULE_FILE_SUFFIXES = (".yaml", ".yml")
MAX_SCHEMA_ERRORS = 50
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
SECTION_TAG = re.compile(r"^section:([1-6])$")


@dataclass
class Example:
    """One example of a rule: a document fragment, an optional previous-year fragment, and the
    expected outcome (``pass`` / ``fail`` / ``unknown``)."""

    doc: dict[str, Any]
    prev: dict[str, Any] | None
    expect: str
    index: int
    line: int | None
    note: str | None = None


@dataclass
class ExprSource:
    """An expression's text and where it sits in its file (for error positions)."""

    text: str
    file: str
    line: int
    col: int
    indent: int | None
    file_text: str
    node: Any = None  # the YAML scalar, to map a position in ``text`` back into the file exactly
    key: Any = None   # the YAML key naming it (a let's name), for errors about the name itself


@dataclass
class Rule:
    id: str
    title: dict[str, str]
    severity: str
    basis: str
    expr: ExprSource
    message: dict[str, str]
    file: str
    line: int
    pack: str
    applies: dict[str, Any] = field(default_factory=dict)
    lets: dict[str, ExprSource] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    severity_when: list[tuple[ExprSource, str]] = field(default_factory=list)
    compiled: Any = None
    severity_compiled: list[tuple[Any, str]] = field(default_factory=list)
    section: int | None = None
    placeholders: tuple[str, ...] = ()
    col: int = 1  # column of the id's value, for errors that name the rule
    _let_exprs: dict[str, Any] = field(default_factory=dict, repr=False)

    def let_expression(self, name: str) -> Any:
        """The compiled expression of one ``let`` name (pack or rule level), for message values."""
        got = self._let_exprs.get(name)
        if got is None:
            got = self._let_exprs[name] = _compile_source(
                ExprSource(name, self.file, self.expr.line, self.expr.col, None, self.expr.file_text),
                self.all_lets, self.functions)
        return got

    all_lets: dict[str, ExprSource] = field(default_factory=dict, repr=False)
    # the function table the rule was loaded with, when its lets are compiled on first use (a
    # plugin's functions are only in the engine's table while its pack loads)
    functions: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    # lang → what build_finding needs of the message every time (engine.py), worked out once
    render_memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def describe(self, lang: str = "zh") -> str:
        """A readable account of the rule for ``gipcheck rules show ID``."""
        zh = lang == "zh"
        lines = [f"{self.id}  {self.title.get(lang) or self.title['zh']}",
                 f"{'严重程度' if zh else 'severity'}: {self.severity}"
                 + "".join(f"（{'当' if zh else 'when'} {s.text.strip()} → {sev}）" for s, sev in self.severity_when),
                 f"{'依据' if zh else 'basis'}: {self.basis}"]
        if self.applies:
            lines.append(f"{'适用' if zh else 'applies'}: " + "; ".join(f"{k}={v}" for k, v in self.applies.items()))
        lines.append(f"{'规则包' if zh else 'pack'}: {self.pack}   {'文件' if zh else 'file'}: {self.file}:{self.line}")
        if self.tags:
            lines.append(f"{'标签' if zh else 'tags'}: {', '.join(self.tags)}")
        lines.append(f"{'表达式' if zh else 'expression'}:")
        lines.extend("    " + ln for ln in self.expr.text.rstrip().splitlines())
        for name, src in self.lets.items():
            lines.append(f"  let {name} = " + " ".join(src.text.split()))
        lines.append(f"{'提示' if zh else 'message'}: {self.message.get(lang) or self.message['zh']}")
        lines.append(f"{'示例' if zh else 'examples'}: " + ", ".join(e.expect for e in self.examples))
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "severity": self.severity, "basis": self.basis,
                "applies": self.applies, "expr": self.expr.text, "let": {k: v.text for k, v in self.lets.items()},
                "message": self.message, "tags": self.tags, "pack": self.pack, "file": self.file, "line": self.line,
                "severity_when": [{"if": s.text, "severity": sev} for s, sev in self.severity_when],
                "examples": len(self.examples)}


@dataclass
class Pack:
    name: str
    version: str
    description: str
    directory: Path
    lets: dict[str, ExprSource] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)
    # meta key → the rules that apply to such a report, with the meta fields they miss (engine.py)
    applies_memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)


# ------------------------------------------------------------------ schemas
@cache
def _schema(name: str) -> dict[str, Any]:
    return json.loads((schemas_dir() / name).read_text(encoding="utf-8"))


@cache
def _rule_schema() -> dict[str, Any]:
    full = _schema("rule.schema.json")
    return {"$schema": full["$schema"], "$defs": full["$defs"], "$ref": "#/$defs/rule"}


@cache
def _rule_validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_rule_schema())


@cache
def _pack_validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_schema("pack.schema.json"))


@cache
def _fast_check(kind: str) -> Any:
    """The compiled validator's exact yes/no predicate for rule or pack files (None if it cannot
    compile the schema): valid files never import jsonschema, which costs ~80 ms at start-up;
    any file it rejects is re-checked by jsonschema, which words the error."""
    from gipcheck.validate.compiler import Unsupported, compile_schema

    try:
        return compile_schema(_rule_schema() if kind == "rule" else _schema("pack.schema.json")).ok
    except Unsupported:
        return None


_TYPE_ZH = {"string": "文字", "object": "映射（字段: 值）", "array": "列表", "integer": "整数",
            "number": "数字", "null": "空", "boolean": "真/假"}


# the Chinese a rule author may write for a keyword the rule file spells in English
_ZH_WORDS = {"通过": "pass", "合格": "pass", "失败": "fail", "不通过": "fail", "未通过": "fail", "未知": "unknown",
             "错误": "error", "严重": "error", "警告": "warning", "提示": "info", "信息": "info"}


def _type_of(v: Any) -> tuple[str, str]:
    if isinstance(v, bool):
        return "真/假", "boolean"
    if isinstance(v, dict):
        return _TYPE_ZH["object"], "mapping"
    if isinstance(v, list):
        return "列表", "list"
    if isinstance(v, int):
        return "整数", "integer"
    if isinstance(v, float):
        return "数字", "number"
    if v is None:
        return "空", "null"
    return "文字", "text"


def _short(value: Any, limit: int = 40, depth: int = 2) -> str:
    """A value as an error message quotes it, cut short: a list or mapping (perhaps millions of
    values through YAML aliases) by its first few items only."""
    if isinstance(value, list):
        inner = [_short(v, limit, depth - 1) for v in value[:3]] if depth else ["…"]
        text = "[" + ", ".join(inner) + (", …" if len(value) > 3 and depth else "") + "]"
    elif isinstance(value, dict):
        inner = [f"{k}: {_short(v, limit, depth - 1)}" for k, v in list(value.items())[:3]] if depth else ["…"]
        text = "{" + ", ".join(inner) + (", …" if len(value) > 3 and depth else "") + "}"
    else:
        text = str(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _where(path: list[Any]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _suggest(word: str, options: list[str]) -> str | None:
    import difflib  # error paths only: not worth importing at every start

    m = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    return m[0] if m else None


def _schema_error(e: ValidationError, root: Any, file: str, text: str, base: list[Any]) -> RuleError:
    """Rewrite one jsonschema error into a plain-language RuleError at the right position."""
    path = list(e.absolute_path)
    where = _where(base + path)
    prefix_zh = f"字段 {where}：" if where else ""
    prefix_en = f"{where}: " if where else ""
    key_node = False
    hint_zh = hint_en = None
    v, inst = e.validator, e.instance
    if "propertyNames" in e.relative_schema_path:
        v = "propertyNames"  # jsonschema reports the inner check (pattern…) on the name; the name is at fault
    if v == "required":
        missing = [k for k in e.validator_value if not (isinstance(inst, dict) and k in inst)]
        k = missing[0] if missing else "?"
        zh, en = f"{prefix_zh}缺少必填字段“{k}”", f"{prefix_en}missing required field '{k}'"
        hint_zh = f"这里必须有：{'、'.join(map(str, e.validator_value))}"
        hint_en = f"required here: {', '.join(map(str, e.validator_value))}"
    elif v == "additionalProperties":
        allowed = list(e.schema.get("properties", {}))
        extra = [k for k in inst if k not in allowed] if isinstance(inst, dict) else []
        k = extra[0] if extra else "?"
        path = path + [k]
        key_node = True
        zh, en = f"{prefix_zh}未知字段“{k}”", f"{prefix_en}unknown field '{k}'"
        s = _suggest(str(k), allowed)
        hint_zh = f"是否应为“{s}”？可用字段：{'、'.join(allowed)}" if s else f"可用字段：{'、'.join(allowed)}"
        hint_en = f"did you mean '{s}'? allowed: {', '.join(allowed)}" if s else f"allowed: {', '.join(allowed)}"
    elif v in ("enum", "const"):
        options = [str(o) for o in (e.validator_value if v == "enum" else [e.validator_value])]
        options = list(dict.fromkeys(options))
        shown = "（空）" if inst is None else _short(inst)
        zh = f"{prefix_zh}“{shown}”不是允许的取值，应为：{'、'.join(options)}"
        en = f"{prefix_en}'{shown}' is not allowed; expected one of: {', '.join(options)}"
        s = _suggest(shown, options) if not isinstance(inst, (list, dict)) else None
        s = s or (_ZH_WORDS.get(inst) if isinstance(inst, str) and _ZH_WORDS.get(inst) in options else None)
        if s:
            hint_zh, hint_en = f"是否应为“{s}”？", f"did you mean '{s}'?"
        elif inst is None:
            hint_zh = f"冒号后要写值：{'、'.join(options)} 之一"
            hint_en = f"write a value after the colon: one of {', '.join(options)}"
        else:
            hint_zh, hint_en = f"从这几个中选一个：{'、'.join(options)}", f"pick one of: {', '.join(options)}"
    elif v == "type":
        want = e.validator_value if isinstance(e.validator_value, list) else [e.validator_value]
        got_zh, got_en = _type_of(inst)
        zh = f"{prefix_zh}应为{'或'.join(_TYPE_ZH.get(str(t), str(t)) for t in want)}，实际是{got_zh}"
        en = f"{prefix_en}expected {' or '.join(str(t) for t in want)}, got {got_en}"
        if "string" in want and isinstance(inst, (dict, list)):
            hint_zh = "含冒号、方括号或花括号的文字请加引号，或写成块（字段: | 换行后缩进）"
            hint_en = "quote text that contains ':', '[' or '{', or write it as a block (key: |)"
        elif "string" in want and isinstance(inst, bool):
            hint_zh = "YAML 把 yes/no/on/off/true/false 读作真/假；要写文字请加引号，表达式可写成块（expr: |）"
            hint_en = "YAML reads yes/no/on/off/true/false as booleans: quote text, or write an expression as a block"
        elif "string" in want and isinstance(inst, (int, float)):
            hint_zh, hint_en = f"写成文字请加引号：\"{inst}\"", f"quote it to make it text: \"{inst}\""
        elif inst is None:
            hint_zh, hint_en = "冒号后不能留空：写出内容，或删去这一行", "nothing follows the colon: fill it in, or drop the line"
        elif "array" in want and not isinstance(inst, list):
            key = path[-1] if path and isinstance(path[-1], str) else "…"
            hint_zh, hint_en = f"写成列表：{key}: [甲, 乙]，或每项一行以“- ”开头", f"write a list: {key}: [a, b], or one '- ' line each"
        elif "object" in want and path and path[-1] in ("title", "message"):
            hint_zh = f"中英文各写一份：{path[-1]}: {{zh: 中文…, en: English…}}"
            hint_en = f"give both languages: {path[-1]}: {{zh: …, en: …}}"
        elif "object" in want and len(path) >= 2 and path[-2] == "examples":
            hint_zh = "每个示例写成映射：- {expect: pass, doc: {…}}"
            hint_en = "write each example as a mapping: - {expect: pass, doc: {…}}"
        elif "object" in want and path and isinstance(path[-1], str):
            props = list(e.schema.get("properties", {}))
            shape = "{" + ", ".join(f"{p}: …" for p in props) + "}" if props else "{…: …}"
            shape_zh = shape_en = shape
            if path[-1] == "let":
                shape_zh, shape_en = "{名称: 表达式}（每行一个）", "{name: expression} (one per line)"
            hint_zh, hint_en = f"写成映射：{path[-1]}: {shape_zh}", f"write a mapping: {path[-1]}: {shape_en}"
    elif v in ("minLength", "minItems", "minProperties"):
        zh, en = f"{prefix_zh}不能为空", f"{prefix_en}must not be empty"
        hint_zh, hint_en = "写出内容；可选字段不用时整行删去", "fill it in; drop the line of an optional field you do not use"
    elif v == "pattern":
        if path and path[-1] == "id":
            zh = f"{prefix_zh}规则编号“{inst}”格式不对：应由大写字母、数字和连字符组成"
            en = f"{prefix_en}rule id {inst!r} is malformed: use capital letters, digits and hyphens"
            hint_zh = hint_en = "例 / e.g. T3-COL-BALANCE"
            if isinstance(inst, str) and re.fullmatch(str(e.validator_value), inst.upper()):
                hint_zh, hint_en = f"是否应为“{inst.upper()}”？", f"did you mean '{inst.upper()}'?"
        elif path == ["name"] and not base:  # pack.yaml's name
            zh = f"{prefix_zh}规则包名称“{inst}”不合法：只能用英文字母、数字和“.”“-”“_”"
            en = f"{prefix_en}pack name {inst!r} is invalid: use letters, digits, '.', '-' and '_'"
            fixed = re.sub(r"[^A-Za-z0-9_.-]+", "-", str(inst)).strip("-")
            if fixed:
                hint_zh, hint_en = f"例：{fixed}（中文说明写在 description 里）", f"e.g. {fixed}"
            else:
                hint_zh, hint_en = "例：shanghai-local（中文说明写在 description 里）", "e.g. shanghai-local"
        else:
            zh = f"{prefix_zh}“{inst}”格式不对（应匹配 {e.validator_value}）"
            en = f"{prefix_en}{inst!r} does not match {e.validator_value}"
    elif v == "contains" and "x-message-zh" in e.schema:
        zh, en = f"{prefix_zh}{e.schema['x-message-zh']}", f"{prefix_en}{e.schema['x-message-en']}"
        wanted = next((w for w in ("fail", "pass", "unknown") if f"expect: {w}" in zh), None)
        if wanted:
            hint_zh = f"在 examples 下加一条：- {{expect: {wanted}, doc: {{…}}}}（规则对它应得 {wanted}）"
            hint_en = f"add one under examples: - {{expect: {wanted}, doc: {{…}}}} (the rule must give {wanted})"
    elif v == "uniqueItems":
        rep = next((j for j, x in enumerate(inst) if x in inst[:j]), None) if isinstance(inst, list) else None
        shown = f"“{inst[rep]}”" if rep is not None else ""
        zh = f"{prefix_zh}有重复项{shown}"
        en = f"{prefix_en}has repeated items" + (f" {inst[rep]!r}" if rep is not None else "")
        if rep is not None:
            path = path + [rep]  # at the repetition, not the start of the list
    elif v == "propertyNames":
        zh = f"{prefix_zh}名称“{inst}”不合法：只能用英文字母、数字和下划线，且不以数字开头"
        en = f"{prefix_en}name {inst!r} is invalid: letters, digits and underscores, not starting with a digit"
        path = path + [inst]
        key_node = True
        hint_zh, hint_en = "例：new_total、t3_sum", "e.g. new_total, t3_sum"
    else:
        zh, en = f"{prefix_zh}不符合规则文件格式：{e.message}", f"{prefix_en}does not fit the rule file schema: {e.message}"
        hint_zh = hint_en = "schemas/rule.schema.json, docs/language.md"
    node = node_at(root, base + path, key=key_node)
    line = node.start_mark.line + 1 if node is not None else None
    col = node.start_mark.column + 1 if node is not None else None
    return RuleError("SCHEMA", zh, en, file=file, line=line, col=col,
                     source_line=source_line(text, line) if line else None, hint_zh=hint_zh, hint_en=hint_en)


def _first_error(kind: str, data: Any, root: Any, file: str, text: str, base: list[Any]) -> RuleError | None:
    fast = _fast_check(kind)
    if fast is not None and fast(data):
        return None
    validator = _rule_validator() if kind == "rule" else _pack_validator()
    # the first few errors are enough to find the earliest; an alias bomb would yield millions
    errors = list(itertools.islice(validator.iter_errors(data), MAX_SCHEMA_ERRORS))
    if not errors:
        return None
    # "missing expr" and "needs an expect: fail example" are often the echo of a misspelling
    # (`Expr:`, `expect: 失败`): the misspelling, at its own place, goes first
    rank = {"required": 1, "contains": 2}
    made = [(rank.get(str(e.validator), 0), _schema_error(e, root, file, text, base)) for e in errors]
    made.sort(key=lambda m: (m[0], m[1].line or 0, m[1].col or 0))
    return made[0][1]


# ------------------------------------------------------------------ expression sources
def _expr_source(container: PosDict, key: Any, file: str, text: str) -> ExprSource:
    """Where the expression scalar ``container[key]`` starts, and the block indent if any."""
    value = container[key]
    node = container.members[key][1]
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    style = getattr(node, "style", None)
    indent: int | None = None
    if style in ("|", ">"):
        # A block scalar's text starts on the next line, indented; find that indent in the file.
        lines = text.split("\n")
        first = node.start_mark.line + 1
        indent = 0
        for raw in lines[first:node.end_mark.line + 1]:
            if raw.strip():
                indent = len(raw) - len(raw.lstrip(" "))
                break
        line, col = first + 1, indent + 1
    elif style in ('"', "'"):
        col += 1
    return ExprSource(str(value), file, line, col, indent, text, node, container.members[key][0])


# ------------------------------------------------------------------ compiling
def _lang() -> Any:
    import gipcheck.lang as lang

    return lang


_IDENT = re.compile(r"[^\W\d]\w*")
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')


@lru_cache(maxsize=4096)
def _names_in(text: str) -> frozenset[str]:
    """The names in an expression (its strings left out); a pack's lets are scanned once, not per rule."""
    return frozenset(_IDENT.findall(_STRING.sub(" ", text)))


def _lets_used(text: str, lets: dict[str, ExprSource]) -> dict[str, ExprSource]:
    """The lets ``text`` may reach (names in it, transitively): compiling only those keeps load fast."""
    todo, used = [text], {}
    while todo:
        for name in _names_in(todo.pop()):
            if name in lets and name not in used:
                used[name] = lets[name]
                todo.append(lets[name].text)
    return {k: v for k, v in lets.items() if k in used}


def _compile_source(src: ExprSource, lets: dict[str, ExprSource], functions: dict[str, Any] | None = None) -> Any:
    """Compile with gipcheck.lang, giving it the position of the expression and of each let."""
    if functions is None:
        from gipcheck.engine.functions import engine_functions

        functions = engine_functions()
    lets = _lets_used(src.text, lets)
    let_args = {k: {"expr": v.text, "origin": (v.file, v.line, v.col), "indent": v.indent} for k, v in lets.items()}
    try:
        return _lang().compile_expression(src.text, lets=let_args, functions=functions,
                                          origin=(src.file, src.line, src.col), indent=src.indent,
                                          source_text=src.file_text)
    except RuleError as e:
        raise _with_hint(_relocated(e, src, lets)) from None


# a word for the compiler's errors that come without one (by code), so no rule error is bare
_FALLBACK_HINTS = {
    "SYNTAX": ("检查括号、引号是否成对，运算符两边是否都有内容；文字要加引号",
               "check that brackets and quotes pair up and every operator has both sides; quote text"),
    "BAD_REGEX": ("正则中的 [ ( { 要成对；要匹配这些字符本身，请在前面加反斜杠",
                  "brackets in a regular expression must pair up; put a backslash before one meant literally"),
    "TYPE": ("检查两边的值是否同类（数字与数字、文字与文字）", "check that both sides are of one kind (numbers, or texts)"),
}


def _with_hint(e: RuleError) -> RuleError:
    if e.hint_zh and e.hint_en:
        return e
    zh, en = e.hint_zh, e.hint_en
    if e.code == "UNKNOWN_FUNCTION":
        from gipcheck.engine.functions import engine_functions
        from gipcheck.lang import BUILTINS

        names = sorted({*BUILTINS, *engine_functions()})
        m = re.search(r"“([^”]+)”", e.zh)
        close = _suggest(m.group(1), names) if m else None
        e.hint_zh = (f"是否应为 {close}()？" if close else "") + f"可用函数：{'、'.join(names)}"
        e.hint_en = (f"did you mean {close}()? " if close else "") + f"functions: {', '.join(names)}"
    elif e.code in _FALLBACK_HINTS:
        e.hint_zh, e.hint_en = _FALLBACK_HINTS[e.code]
    e.hint_zh, e.hint_en = zh or e.hint_zh, en or e.hint_en  # the compiler's own words win
    return e


def _relocated(e: RuleError, src: ExprSource, lets: dict[str, ExprSource]) -> RuleError:
    """Put an expression error at its exact place in the file. The compiler counts lines and
    columns in the expression's value; only a ``|`` block or a one-line plain scalar has the
    same shape in the file, so for folded, quoted and multi-line plain scalars the offset is
    mapped back through the scalar's own folding and escaping rules."""
    eline, ecol = getattr(e, "expr_line", None), getattr(e, "expr_col", None)
    if eline is None or ecol is None:
        return e
    let = getattr(e, "let", None)
    candidates = [lets[let]] if let in lets else [src, *lets.values()]
    from gipcheck.lang.errors import SourceMap

    for cand in candidates:
        if cand.node is None:
            continue
        sm = SourceMap(cand.file, cand.line, cand.col, cand.text, cand.indent, cand.file_text)
        if let not in lets and (cand.file, *sm.locate(eline, ecol)[:2]) != (e.file, e.line, e.col):
            continue  # the error is not in this source
        if let is None and cand is not src and cand.key is not None:
            # about a let but not inside it (errors inside a let name it): the let's name is at fault
            e.line, e.col = cand.key.start_mark.line + 1, cand.key.start_mark.column + 1
            e.source_line = source_line(cand.file_text, e.line)
            return e
        rows = cand.text.split("\n")
        if not 0 < eline <= len(rows):
            return e
        offset = sum(len(r) + 1 for r in rows[:eline - 1]) + ecol - 1
        point = scalar_point(cand.file_text, cand.node, min(offset, len(cand.text)))
        if point is None:
            return e
        e.line, e.col = point
        e.source_line = source_line(cand.file_text, e.line)
        return e
    return e


# ------------------------------------------------------------------ loading
def _pos_error(code: str, zh: str, en: str, file: str, text: str, node: yaml.Node | None,
               hint_zh: str | None = None, hint_en: str | None = None) -> RuleError:
    line = node.start_mark.line + 1 if node is not None else None
    col = node.start_mark.column + 1 if node is not None else None
    return RuleError(code, zh, en, file=file, line=line, col=col,
                     source_line=source_line(text, line) if line else None, hint_zh=hint_zh, hint_en=hint_en)


def _root_node(text: str) -> yaml.Node | None:
    """The top node of a YAML text that loaded as a plain value (which keeps no position)."""
    import yaml

    try:
        return yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
    except OSError:  # the working directory was deleted: show the path as given (absolute for built-ins)
        return str(path)


def _read_pack_yaml(directory: Path, store: Any = None) -> tuple[str, str, str, dict[str, ExprSource]]:
    path = directory / "pack.yaml"
    file = _display(path)
    if not path.is_file():
        near = sorted(p.name for p in directory.iterdir() if p.name.lower() in ("pack.yaml", "pack.yml")
                      and p.name != "pack.yaml") if directory.is_dir() else []
        subs = sorted(_display(p.parent) for p in directory.glob("*/pack.yaml")) if directory.is_dir() else []
        if near:
            hint_zh, hint_en = f"把 {near[0]} 改名为 pack.yaml（全小写，扩展名 .yaml）", f"rename {near[0]} to pack.yaml"
        elif subs:  # a folder of packs, not a pack
            hint_zh = f"这里是放规则包的目录；请指向其中的规则包：{'、'.join(subs)}（可写多个 --rules）"
            hint_en = f"this folder holds packs; name them instead: {', '.join(subs)} (--rules may repeat)"
        else:
            hint_zh = "在目录中新建 pack.yaml，至少写 name: 和 version:"
            hint_en = "create pack.yaml with at least name: and version:"
        raise RuleError("NO_PACK", f"规则包目录缺少 pack.yaml：{_display(directory)}",
                        f"rule pack directory has no pack.yaml: {_display(directory)}", file=file,
                        hint_zh=hint_zh, hint_en=hint_en)
    text = read_rule_text(path, file)
    digest = "pack:" + _text_digest(text) if store is not None else ""
    got = store.get(digest) if store is not None else None
    if got is not None:
        try:
            lines = _Rows(text)
            name, version, description, let_recs = got
            if type(name) is str and type(version) is str and type(description) is str:
                lets = {k: _src_from(src, file, text, lines) for k, *src in let_recs}
                if all(type(k) is str for k in lets):
                    return name, version, description, lets
        except (_Stale, TypeError, ValueError):
            pass
    name, version, description, lets = _read_pack_yaml_full(path, file, text)
    if store is not None:
        record = [name, version, description, [[k, *_src_record(v)] for k, v in lets.items()]]
        store.put(digest, record if _exact(record) else None)
    return name, version, description, lets


def _read_pack_yaml_full(path: Path, file: str, text: str) -> tuple[str, str, str, dict[str, ExprSource]]:
    data, text = load_yaml(path, text=text, display=file)
    if not isinstance(data, PosDict):
        empty = data is None
        raise _pos_error("SCHEMA", "pack.yaml 是空的" if empty else "pack.yaml 应为映射（name、version、description…）",
                         "pack.yaml is empty" if empty else "pack.yaml must be a mapping (name, version, description…)",
                         file, text,
                         getattr(data, "node", None) or _root_node(text),
                         "至少写两行：name: my-pack（英文字母、数字、-）与 version: \"1.0\"",
                         "write at least name: my-pack and version: \"1.0\"")
    err = _first_error("pack", data, data, file, text, [])
    if err:
        if "rules" in data.members and "“rules”" in err.zh:
            err.hint_zh = "规则不写在 pack.yaml 里：放在同一目录的其他 .yaml 文件中（每个文件一个规则列表）"
            err.hint_en = "rules do not go in pack.yaml: put them in other .yaml files of the same directory"
        raise err
    lets = {}
    if isinstance(data.get("let"), PosDict):
        lets = {k: _expr_source(data["let"], k, file, text) for k in data["let"]}
    return str(data["name"]), str(data["version"]), str(data.get("description", "")), lets


def _section_of(tags: list[str]) -> int | None:
    for t in tags:
        m = SECTION_TAG.match(t)
        if m:
            return int(m.group(1))
    return None


def _build_rule(raw: PosDict, root: Any, base: list[Any], file: str, text: str, pack: Pack) -> Rule:
    err = _first_error("rule", raw, root, file, text, base)
    if err:
        raise err
    lets = {k: _expr_source(raw["let"], k, file, text) for k in raw.get("let", {})}
    examples = []
    for i, ex in enumerate(raw["examples"]):
        node = raw["examples"].items[i] if isinstance(raw["examples"], PosList) else None
        try:
            doc, prev = plain(ex.get("doc")) or {}, plain(ex.get("prev"))
        except TooLarge:
            raise _pos_error("TOO_LARGE", "示例文档展开后过大（YAML 别名层层引用？），已拒绝",
                             "the example document expands to too many values (YAML aliases referring to "
                             "aliases?); refused", file, text, node,
                             "示例只需写出规则用到的几个单元格", "an example needs only the few cells the rule reads") from None
        examples.append(Example(doc=doc, prev=prev, expect=ex["expect"],
                                index=i, line=node.start_mark.line + 1 if node is not None else None,
                                note=ex.get("note")))
        for part in ("doc", "prev"):
            _check_fragment(ex.get(part), raw, ["examples", i, part], file, text)
    sev_when = []
    for i, sw in enumerate(raw.get("severity_when", [])):
        sev_when.append((_expr_source(raw["severity_when"][i], "if", file, text), sw["severity"]))
    applies = plain(raw.get("applies", {}))
    if "format" in applies:
        applies["format"] = [str(f) for f in applies["format"]]
    tags = list(raw.get("tags", []))
    id_node = raw.members["id"][1]
    rule = Rule(id=raw["id"], title=plain(raw["title"]), severity=raw["severity"], basis=raw["basis"],
                expr=_expr_source(raw, "expr", file, text), message=plain(raw["message"]), file=file,
                line=id_node.start_mark.line + 1, col=id_node.start_mark.column + 1, pack=pack.name,
                applies=applies, lets=lets, tags=tags,
                examples=examples, severity_when=sev_when, section=_section_of(tags))
    return _finish_rule(rule, raw, file, text, pack)


def _finish_rule(rule: Rule, raw: PosDict | None, file: str, text: str, pack: Pack,
                 functions: dict[str, Any] | None = None) -> Rule:
    """What a rule needs beyond its own file (the pack's lets, the registered functions): checked
    on every load, cached or not. ``raw`` is None for a rule from the pack cache: any error then
    raises :class:`_Stale`, and the file is read afresh to word it at its place. ``functions``
    (from the cache, when the file was checked with these very pack lets and functions, so its
    lets compiled then and cannot fail now) puts off compiling the lets until a message needs one."""
    lets = rule.lets
    rule.placeholders = tuple(dict.fromkeys(PLACEHOLDER.findall(rule.message["zh"] + " " + rule.message["en"])))
    overlap = set(pack.lets) & set(lets)
    if overlap:
        if raw is None:
            raise _Stale
        name = sorted(overlap)[0]
        raise _pos_error("LET_SHADOW", f"let 名称“{name}”与规则包 pack.yaml 中的同名 let 冲突",
                         f"let name '{name}' clashes with the pack-level let of the same name", file, text,
                         raw["let"].members[name][0], hint_zh="换一个名字", hint_en="pick another name")
    rule.all_lets = {**pack.lets, **lets}
    try:
        rule.compiled = _compile_source(rule.expr, rule.all_lets)
        rule.severity_compiled = [(_compile_source(src, rule.all_lets), sev) for src, sev in rule.severity_when]
        if functions is not None:
            rule.functions = functions
        else:
            for name in lets:  # every let compiles at load time, used or not (and message values are ready)
                rule.let_expression(name)
    except RuleError:
        if raw is None:
            raise _Stale from None
        raise
    _check_message(rule, raw, file, text)
    return rule


def _check_fragment(fragment: Any, raw: PosDict, base: list[Any], file: str, text: str) -> None:
    """An example document may hold only what a document can: a misspelt name (``requets``) would
    make the example test nothing, silently. ``x_`` names are extensions and open."""
    if not fragment or not isinstance(fragment, dict):  # most `prev`s are absent, many docs tiny
        return
    from gipcheck.lang.paths import ANY, LEAF, document_shape

    todo: list[tuple[Any, Any, list[Any]]] = [(fragment, document_shape(), [])]
    while todo:
        value, shape, path = todo.pop()
        if shape is LEAF and isinstance(value, dict) and path:
            where = ".".join(str(p) for p in path)
            raise _pos_error(
                "UNKNOWN_PATH", f"示例文档的 {where} 是一个值（单元格），下面不能再分层",
                f"example document: {where} is a single value (a cell), with nothing below it",
                file, text, node_at(raw, [*base, *path]),
                f"直接写值：{path[-1]}: 3（空白写 null）", f"write the value itself: {path[-1]}: 3 (null when blank)")
        if shape is ANY or not isinstance(value, dict) or not isinstance(shape, dict) or not shape:
            continue
        for key, sub in value.items():
            if isinstance(key, str) and key.startswith("x_"):
                continue
            if key in shape:
                todo.append((sub, shape[key], [*path, key]))
                continue
            options = sorted(shape)
            hint = _suggest(str(key), options)
            where = ".".join(str(p) for p in path) or base[-1]
            parts = str(key).split(".")
            if len(parts) > 1 and parts[0] in shape:  # a path written as one key: requests.new.total: 3
                nested = "".join(f"{p}: {{" for p in parts[:-1]) + f"{parts[-1]}: …" + "}" * (len(parts) - 1)
                hint_zh, hint_en = f"示例文档要逐层写：{nested}", f"write the document level by level: {nested}"
            else:
                hint_zh = (f"是否应为“{hint}”？" if hint else "") + f"可用：{'、'.join(options)}"
                hint_en = (f"did you mean '{hint}'? " if hint else "") + f"allowed: {', '.join(options)}"
            raise _pos_error(
                "UNKNOWN_PATH", f"示例文档的 {where} 下没有“{key}”", f"example document: {where} has no '{key}'",
                file, text, node_at(raw, [*base, *path, key], key=True), hint_zh, hint_en)


_BOUND = re.compile(r"\b(?:all|any|for)\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\b")


@lru_cache(maxsize=4096)
def _bound_names(text: str) -> tuple[str, ...]:
    """The names ``all``/``any``/``for`` bind in ``text`` (a pack's lets are scanned once, not per rule)."""
    return tuple(_BOUND.findall(text))


_BRACE = re.compile(r"[{}]")
_ENGINE_VALUES = ("left", "right", "diff", "value")  # what the engine fills from the deciding comparison


def _check_message(rule: Rule, raw: PosDict | None, file: str, text: str) -> None:
    """Every ``{name}`` in a message must be something the engine can fill — a deciding value, a
    name bound in the expression, or a let — and braces must pair; else a load error at the message,
    not a finding that prints ``{nonexistent}`` to a clerk."""
    sources = [rule.expr.text, *(src.text for src in rule.all_lets.values())]
    allowed = {*_ENGINE_VALUES, *rule.all_lets, *(m for src in sources for m in _bound_names(src))}
    for lang in ("zh", "en"):
        template = rule.message.get(lang, "")
        # a brace outside any {name} (its offset in the template), and the first unknown {name}
        spans = [m.span() for m in PLACEHOLDER.finditer(template)]
        bad_at = next((i for i in (m.start() for m in _BRACE.finditer(template))
                       if not any(a <= i < b for a, b in spans)), None)
        unknown = next((m for m in PLACEHOLDER.finditer(template) if m.group(1) not in allowed), None)
        if bad_at is None and unknown is None:
            continue
        if raw is None:  # built from the pack cache: the full path words the error at its place
            raise _Stale
        msg, msg_node = raw["message"], raw.members["message"][1]
        where = msg.members[lang][1] if isinstance(msg, PosDict) and lang in msg.members else msg_node
        choices = "、".join(sorted(allowed))
        if bad_at is not None:
            bad = template[bad_at]
            braced = re.compile(r"\{([^{}\n]*)\}").match(template, bad_at)
            if braced:  # paired, but not a name: {} / { left } / {左}
                err = _pos_error("MESSAGE", f"消息（{lang}）中的占位符“{braced.group()}”写法不对：花括号里只写一个名称",
                                 f"message ({lang}): placeholder '{braced.group()}' is malformed: braces hold one name",
                                 file, text, where, f"名称用英文字母、数字和下划线，不加空格；可用：{choices}",
                                 f"a name is letters, digits and _, no spaces; available: {choices}")
            else:
                err = _pos_error("MESSAGE", f"消息（{lang}）中有不成对的“{bad}”：占位符应写成 {{名称}}",
                                 f"message ({lang}) has an unpaired '{bad}': placeholders are written {{name}}",
                                 file, text, where, f"可用的占位符：{choices}", f"placeholders available: {choices}")
            raise _at_offset(err, text, where, bad_at)
        assert unknown is not None
        err = _pos_error("MESSAGE", f"消息（{lang}）中的占位符 {{{unknown.group(1)}}} 没有对应的值",
                         f"message ({lang}): placeholder {{{unknown.group(1)}}} has no value",
                         file, text, where, f"可用的占位符：{choices}", f"placeholders available: {choices}")
        raise _at_offset(err, text, where, unknown.start())


def _at_offset(err: RuleError, text: str, node: Any, offset: int) -> RuleError:
    """Move ``err`` from the start of the scalar ``node`` to character ``offset`` of its value."""
    point = scalar_point(text, node, offset)
    if point is not None:
        err.line, err.col = point
        err.source_line = source_line(text, err.line)
    return err


def rule_files(directory: Path) -> list[Path]:
    """The rule files of a pack directory, in load order (what every reader of packs should list)."""
    return _rule_files(Path(directory))


def _rule_files(directory: Path) -> list[Path]:
    # hidden names are not rules: .github/workflows/*.yml of a pack kept in git, macOS ._x.yaml copies
    # and the suffix in any case: a rule file saved as 规则.YAML must not be skipped without a word
    # and a sub-directory with its own pack.yaml is a pack of its own, loaded (or not) by itself
    found: list[Path] = []
    inner: set[Path] = set()
    prefix = "" if str(directory) == "." else str(directory) + os.sep  # Path(".").rglob gives "r.yaml"
    for p in directory.rglob("*"):  # one walk, string tests: this runs on every (cached) load_pack
        text = str(p)
        if not text.lower().endswith(RULE_FILE_SUFFIXES):
            continue
        rel = text[len(prefix):] if text.startswith(prefix) else text
        if rel.startswith(".") or (os.sep + ".") in rel:
            continue
        name = p.name
        if name.lower() in ("pack.yaml", "pack.yml"):
            if name == "pack.yaml" and os.sep in rel:
                inner.add(p.parent)
        elif p.is_file():
            found.append(p)
    return sorted(p for p in found if not inner or not inner.intersection(p.parents))


def _signature(directory: Path) -> tuple[Any, ...]:
    files = [directory / "pack.yaml", *_rule_files(directory)]
    out: list[tuple[str, int | None, int | None]] = []
    for f in files:
        try:
            st = f.stat()
            out.append((str(f), st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((str(f), None, None))
    return tuple(out)


_CACHE: dict[str, tuple[tuple[Any, ...], Pack]] = {}


def load_pack(directory: Path) -> Pack:
    """Load, validate and compile one pack directory (cached while its files are unchanged)."""
    directory = Path(directory)
    if not directory.is_dir():
        what = ("是一个文件，不是目录", "is a file, not a directory") if directory.is_file() else ("不存在", "does not exist")
        raise RuleError("NO_PACK", f"规则目录{what[0]}：{directory}", f"rule directory {what[1]}: {directory}",
                        file=str(directory), hint_zh="--rules 应指向含 pack.yaml 的目录",
                        hint_en="--rules takes a directory that holds pack.yaml")
    key = str(directory.resolve())
    sig = _signature(directory)
    hit = _CACHE.get(key)
    if hit and hit[0] == sig:
        return hit[1]
    from gipcheck.lang.compiler import save_tree_cache, tree_store

    store = tree_store()
    store.recording += 1   # the parse trees of rule files are kept across runs
    # compiling makes many objects that all live on: the cycle collector's passes over them are
    # wasted work (~10% of a pack's load)
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        pack = _load_pack_uncached(directory, store=(data_store := _data_store()))
    finally:
        store.recording -= 1
        if gc_was_on:
            gc.enable()
    _CACHE[key] = (sig, pack)
    save_tree_cache()  # parse trees learnt here make the next start fast
    if data_store is not None:
        data_store.save()   # rule files checked here are not checked again at the next start
    return pack


def _load_pack_uncached(directory: Path, store: Any = None) -> Pack:
    try:
        return _load_pack_files(directory, store)
    except RuleError:
        if store is None:
            raise
        # found with cached records, whose positions lack the YAML nodes (a pack-level let used by
        # a broken rule file): read every file afresh so that the error's file:line:col is exact
        return _load_pack_files(directory, None)


def _load_pack_files(directory: Path, store: Any = None) -> Pack:
    name, version, description, lets = _read_pack_yaml(directory, store)
    pack = Pack(name=name, version=version, description=description, directory=directory, lets=lets)
    for let_name, src in lets.items():  # pack-level lets are checked once, even if no rule uses them
        _compile_source(ExprSource(let_name, src.file, src.line, src.col, None, src.file_text), lets)
    seen: dict[str, Rule] = {}
    context = _context(pack) if store is not None else ""
    for path in _rule_files(directory):
        file = _display(path)
        text = read_rule_text(path, file)
        digest = _text_digest(text) if store is not None else ""
        got = store.get(digest) if store is not None else None
        rules = _rules_from_record(got, file, text, pack, context) if got is not None else None
        if rules is None:
            rules = _load_rule_file(path, file, text, pack, seen)
            pack.rules.extend(rules)
            if store is not None:
                store.put(digest, _file_record(rules, context))
            continue
        for rule in rules:
            if rule.id in seen:
                other = seen[rule.id]
                raise RuleError("DUPLICATE_ID", f"规则编号 {rule.id} 重复：已在 {other.file}:{other.line} 定义",
                                f"duplicate rule id {rule.id}: already defined at {other.file}:{other.line}",
                                file=file, line=rule.line, col=rule.col, source_line=source_line(text, rule.line),
                                hint_zh="换一个编号：每条规则的编号须唯一", hint_en="pick another id: every rule needs its own")
            seen[rule.id] = rule
            pack.rules.append(rule)
    return pack


def _load_rule_file(path: Path, file: str, text: str, pack: Pack, seen: dict[str, Rule]) -> list[Rule]:
    """The rules of one file, read, validated and compiled in full (every error at ``file:line:col``)."""
    data, text = load_yaml(path, text=text, display=file)
    if isinstance(data, PosDict) and "id" not in data and isinstance(data.get("rules"), PosList):
        raise _pos_error("SCHEMA", "规则文件不需要“rules:”这一层", "a rule file needs no 'rules:' level", file, text,
                         data.members["rules"][0], "删去“rules:”一行，规则列表顶格写：每条以“- id:”开头",
                         "drop the 'rules:' line and write the list at the left margin, each rule starting '- id:'")
    if isinstance(data, PosDict):
        items: list[tuple[PosDict, list[Any]]] = [(data, [])]
    elif isinstance(data, PosList) and data:
        items = [(r, [i]) for i, r in enumerate(data)]
    elif data is None:
        return []  # an empty file holds no rules
    else:
        raise _pos_error("SCHEMA", "规则文件应为一条规则（映射）或规则列表",
                         "a rule file must hold one rule (a mapping) or a list of rules", file, text,
                         getattr(data, "node", None) or _root_node(text),
                         "每条规则以“- id: …”开头，下一行起缩进写 title、severity、expr 等字段",
                         "start each rule with '- id: …' and indent title, severity, expr… below it")
    out: list[Rule] = []
    for raw, base in items:
        if not isinstance(raw, PosDict):
            node = data.items[base[0]] if base else None
            raise _pos_error("SCHEMA", "规则应为映射（id: …, title: …）", "a rule must be a mapping (id: …, title: …)",
                             file, text, node, "每条规则以“- id: …”开头，下一行起缩进写 title、severity、expr 等字段",
                             "start each rule with '- id: …' and indent title, severity, expr… below it")
        rule = _build_rule(raw, data, base, file, text, pack)
        if rule.id in seen:
            other = seen[rule.id]
            raise _pos_error("DUPLICATE_ID", f"规则编号 {rule.id} 重复：已在 {other.file}:{other.line} 定义",
                             f"duplicate rule id {rule.id}: already defined at {other.file}:{other.line}",
                             file, text, raw.members["id"][1], "换一个编号：每条规则的编号须唯一",
                             "pick another id: every rule needs its own")
        seen[rule.id] = rule
        out.append(rule)
    return out


# ------------------------------------------------------------------ the pack cache
# What a rule file holds, once it has loaded cleanly (YAML read, schema checked, example documents
# checked), kept across runs keyed by a digest of its text: a hit skips that work (most of a cold
# start). What depends on more than the file (the pack's lets, the registered functions) is checked
# on every load; any error on a hit reads the file afresh, so errors keep their exact positions.
_DATA_FORMAT = 1
_CODE_FILES = ("engine/packs.py", "engine/yamlpos.py", "engine/yamlload.py", "lang/paths.py", "document/canon.py", "validate/compiler.py",
               "lang/compiler.py", "lang/runtime.py", "lang/functions.py", "lang/grammar.lark", "engine/functions.py")


class _Stale(Exception):
    """A cached record that cannot be used as it is (the full path decides)."""


@cache
def _data_store_cached(ident: str) -> Any:
    from gipcheck.lang.astcache import DataStore

    return DataStore("packs", ident)


def _data_store() -> Any:
    """The store of checked rule files (None when caching is off); its key covers the schemas and
    the code that checks and compiles rules, so editing either in a checkout never reuses an old
    verdict."""
    from gipcheck.lang.astcache import cache_dir

    if cache_dir() is None:
        return None
    parts = [str(_DATA_FORMAT)]
    try:
        for name in ("rule.schema.json", "pack.schema.json"):
            parts.append(_text_digest((schemas_dir() / name).read_text(encoding="utf-8")))
        pkg = Path(__file__).resolve().parents[1]
        for rel in _CODE_FILES:
            st = (pkg / rel).stat()
            parts.append(f"{rel}:{st.st_mtime_ns}:{st.st_size}")
    except (OSError, UnicodeDecodeError):
        return None
    return _data_store_cached("\n".join(parts))


def save_pack_cache() -> None:
    """Write the rule files checked in this process to the pack cache (never raises)."""
    store = _data_store()
    if store is not None:
        store.save()


def _text_digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _exact(v: Any) -> bool:
    """Whether ``v`` comes back from JSON as it is (else its file is not cached)."""
    t = type(v)
    if t is str or t is bool or t is int or v is None:
        return True
    if t is float:
        return v == v and v not in (float("inf"), float("-inf"))
    if t is list:
        return all(_exact(x) for x in v)
    if t is dict:
        return all(type(k) is str and _exact(x) for k, x in v.items())
    return False


def _src_record(src: ExprSource) -> list[Any]:
    return [src.text, src.line, src.col, src.indent]


def _context(pack: Pack) -> str:
    """What a rule file's lets compile against besides the file: the pack's lets and the functions."""
    from gipcheck.engine.functions import engine_functions

    funcs = sorted((k, v.min_args, v.max_args) for k, v in engine_functions().items())
    lets = sorted((k, v.text) for k, v in pack.lets.items())
    return _text_digest(json.dumps([lets, funcs], ensure_ascii=False))


def _file_record(rules: list[Rule], context: str) -> Any:
    recs = []
    for r in rules:
        recs.append({"id": r.id, "title": r.title, "severity": r.severity, "basis": r.basis, "line": r.line,
                     "col": r.col, "expr": _src_record(r.expr), "message": r.message, "applies": r.applies,
                     "tags": r.tags, "lets": [[k, *_src_record(v)] for k, v in r.lets.items()],
                     "examples": [[e.doc, e.prev, e.expect, e.line, e.note] for e in r.examples],
                     "severity_when": [[*_src_record(src), sev] for src, sev in r.severity_when]})
    record = {"rules": recs, "context": context}
    return record if _exact(record) else None


def _is_text_map(v: Any) -> bool:
    return type(v) is dict and all(type(x) is str for x in v.values())


class _Rows:
    """Line ``n`` of a text as YAML counts lines; a plain split when only LF breaks lines (the
    usual case, and 10x cheaper than :class:`Lines`)."""

    def __init__(self, text: str) -> None:
        self.lines = Lines(text) if any(c in text for c in "\r\x85\u2028\u2029") else None
        self.rows = text.split("\n") if self.lines is None else []

    def line(self, n: int) -> str | None:
        if self.lines is not None:
            return self.lines.line(n)
        return self.rows[n - 1] if 0 < n <= len(self.rows) else None


def _anchored(lines: _Rows, line: Any, col: Any, value: str, quoted_ok: bool = True) -> bool:
    """Whether the file holds the start of ``value`` at ``line:col`` (a cheap check that a record
    belongs to this text): up to its first character that quoting or folding may change."""
    if type(line) is not int or type(col) is not int or col < 1:
        return False
    src = lines.line(line)
    if src is None:
        return False
    at = src[col - 1:]
    if quoted_ok and at[:1] in ("'", '"') and not value.startswith(at[:1]):
        at = at[1:]
    n = 0
    while n < len(value) and n < 24 and value[n] not in "\\'\"\n \t":
        n += 1
    return at.startswith(value[:n])


def _src_from(rec: Any, file: str, text: str, lines: _Rows) -> ExprSource:
    expr, line, col, indent = rec
    if type(expr) is not str or not (indent is None or type(indent) is int) \
            or not _anchored(lines, line, col, expr, quoted_ok=False):
        raise _Stale
    return ExprSource(expr, file, line, col, indent, text)


def _rules_from_record(record: Any, file: str, text: str, pack: Pack, context: str) -> list[Rule] | None:
    """The rules of a cached record, finished against this pack; None when the record is unusable
    or anything fails (the caller then reads the file in full)."""
    try:
        lines = _Rows(text)
        out = []
        functions = None
        if record.get("context") == context:
            from gipcheck.engine.functions import engine_functions

            functions = dict(engine_functions())  # as it is now: a plugin's are only added while its pack loads
        for r in record["rules"]:
            if type(r["id"]) is not str or not _anchored(lines, r["line"], r["col"], r["id"]):
                raise _Stale
            if not (_is_text_map(r["title"]) and _is_text_map(r["message"]) and "zh" in r["message"]
                    and "en" in r["message"] and type(r["severity"]) is str and type(r["basis"]) is str
                    and type(r["applies"]) is dict and type(r["tags"]) is list
                    and all(type(t) is str for t in r["tags"])):
                raise _Stale
            examples = []
            for i, (doc, prev, expect, line, note) in enumerate(r["examples"]):
                if type(doc) is not dict or not (prev is None or type(prev) is dict) or type(expect) is not str \
                        or not (line is None or type(line) is int) or not (note is None or type(note) is str):
                    raise _Stale
                examples.append(Example(doc=doc, prev=prev, expect=expect, index=i, line=line, note=note))
            lets = {}
            for name, *src in r["lets"]:
                if type(name) is not str:
                    raise _Stale
                lets[name] = _src_from(src, file, text, lines)
            sev_when = []
            for *src, sev in r["severity_when"]:
                if type(sev) is not str:
                    raise _Stale
                sev_when.append((_src_from(src, file, text, lines), sev))
            tags = list(r["tags"])
            rule = Rule(id=r["id"], title=r["title"], severity=r["severity"], basis=r["basis"],
                        expr=_src_from(r["expr"], file, text, lines), message=r["message"], file=file,
                        line=r["line"], col=r["col"], pack=pack.name, applies=r["applies"], lets=lets, tags=tags,
                        examples=examples, severity_when=sev_when, section=_section_of(tags))
            out.append(_finish_rule(rule, None, file, text, pack, functions))
        return out
    except (_Stale, KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None


def load_packs(dirs: Iterable[Path | str], *, include_default: bool = False) -> list[Pack]:
    """Load every pack directory in order (after the bundled packs when ``include_default``);
    a rule id defined in two packs is an error naming both files."""
    all_dirs = [*(default_pack_dirs() if include_default else []), *(Path(d) for d in dirs)]
    # the same directory named twice (``--rules a --rules ./a``) is one pack, not a clash with itself
    unique = {_same_dir_key(d): d for d in reversed(all_dirs)}
    packs = [load_pack(d) for d in all_dirs if unique.get(_same_dir_key(d)) is d]
    seen: dict[str, Rule] = {}
    for pack in packs:
        for rule in pack.rules:
            if rule.id in seen:
                raise duplicate_id_error(rule, seen[rule.id], "换一个编号，或不要同时加载两个规则包",
                                         "rename one of them, or do not load both packs")
            seen[rule.id] = rule
    return packs


def duplicate_id_error(rule: Rule, other: Rule, hint_zh: str, hint_en: str) -> RuleError:
    """The DUPLICATE_ID error for ``rule``, whose id ``other`` (loaded first) already has."""
    return RuleError("DUPLICATE_ID",
                     f"规则编号 {rule.id} 重复：{rule.file}:{rule.line} 与 {other.file}:{other.line}"
                     f"（规则包 {other.pack}）",
                     f"duplicate rule id {rule.id}: {rule.file}:{rule.line} and {other.file}:{other.line}"
                     f" (pack {other.pack})",
                     file=rule.file, line=rule.line, col=rule.col,
                     source_line=source_line(rule.expr.file_text, rule.line),
                     hint_zh=hint_zh, hint_en=hint_en)


def _same_dir_key(d: Path) -> str:
    try:
        return str(d.resolve())
    except OSError:
        return str(d)


def default_pack_dirs() -> list[Path]:
    """The bundled packs: every directory under ``rules/`` that has a ``pack.yaml``."""
    root = rules_dir()
    return sorted(d for d in root.iterdir() if d.is_dir() and (d / "pack.yaml").is_file())


def clear_cache() -> None:
    _CACHE.clear()
