"""Rule packs: directories of YAML rule files, validated, compiled once and cached.

A pack is a directory with ``pack.yaml`` (name, version, description, optional pack-level ``let``)
and rule files (``*.yaml``; each holds one rule or a list of rules, see
``schemas/rule.schema.json``). Every problem — bad YAML, a schema violation, a broken expression,
a duplicate id — is a :class:`~gipcheck.errors.RuleError` pointing at ``file:line:col``.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from gipcheck.engine.yamlpos import PosDict, PosList, TooLarge, load_yaml, node_at, plain, source_line
from gipcheck.errors import RuleError
from gipcheck.resources import rules_dir, schemas_dir

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

RULE_FILE_SUFFIXES = (".yaml", ".yml")
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
    _let_exprs: dict[str, Any] = field(default_factory=dict, repr=False)

    def let_expression(self, name: str) -> Any:
        """The compiled expression of one ``let`` name (pack or rule level), for message values."""
        got = self._let_exprs.get(name)
        if got is None:
            got = self._let_exprs[name] = _compile_source(
                ExprSource(name, self.file, self.expr.line, self.expr.col, None, self.expr.file_text),
                self.all_lets)
        return got

    all_lets: dict[str, ExprSource] = field(default_factory=dict, repr=False)
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


def _where(path: list[Any]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _suggest(word: str, options: list[str]) -> str | None:
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
    if v == "required":
        missing = [k for k in e.validator_value if not (isinstance(inst, dict) and k in inst)]
        k = missing[0] if missing else "?"
        zh, en = f"{prefix_zh}缺少必填字段“{k}”", f"{prefix_en}missing required field '{k}'"
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
        zh = f"{prefix_zh}“{inst}”不是允许的取值，应为：{'、'.join(options)}"
        en = f"{prefix_en}{inst!r} is not allowed; expected one of: {', '.join(options)}"
        s = _suggest(str(inst), options)
        if s:
            hint_zh, hint_en = f"是否应为“{s}”？", f"did you mean '{s}'?"
    elif v == "type":
        want = e.validator_value if isinstance(e.validator_value, list) else [e.validator_value]
        got_zh, got_en = _type_of(inst)
        zh = f"{prefix_zh}应为{'或'.join(_TYPE_ZH.get(str(t), str(t)) for t in want)}，实际是{got_zh}"
        en = f"{prefix_en}expected {' or '.join(str(t) for t in want)}, got {got_en}"
        if "string" in want and isinstance(inst, (dict, list)):
            hint_zh = "含冒号、方括号或花括号的文字请加引号，或写成块（字段: | 换行后缩进）"
            hint_en = "quote text that contains ':', '[' or '{', or write it as a block (key: |)"
    elif v in ("minLength", "minItems", "minProperties"):
        zh, en = f"{prefix_zh}不能为空", f"{prefix_en}must not be empty"
    elif v == "pattern":
        if path and path[-1] == "id":
            zh = f"{prefix_zh}规则编号“{inst}”格式不对：应由大写字母、数字和连字符组成"
            en = f"{prefix_en}rule id {inst!r} is malformed: use capital letters, digits and hyphens"
            hint_zh = hint_en = "例 / e.g. T3-COL-BALANCE"
        else:
            zh = f"{prefix_zh}“{inst}”格式不对（应匹配 {e.validator_value}）"
            en = f"{prefix_en}{inst!r} does not match {e.validator_value}"
    elif v == "contains" and "x-message-zh" in e.schema:
        zh, en = f"{prefix_zh}{e.schema['x-message-zh']}", f"{prefix_en}{e.schema['x-message-en']}"
    elif v == "uniqueItems":
        zh, en = f"{prefix_zh}有重复项", f"{prefix_en}has repeated items"
    elif v == "propertyNames":
        zh = f"{prefix_zh}名称“{inst}”不合法：只能用字母、数字和下划线，且不以数字开头"
        en = f"{prefix_en}name {inst!r} is invalid: letters, digits and underscores, not starting with a digit"
        path = path + [inst]
        key_node = True
    else:
        zh, en = f"{prefix_zh}不符合规则文件格式：{e.message}", f"{prefix_en}does not fit the rule file schema: {e.message}"
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
    errors = list(validator.iter_errors(data))
    if not errors:
        return None
    made = [_schema_error(e, root, file, text, base) for e in errors]
    made.sort(key=lambda r: (r.line or 0, r.col or 0))
    return made[0]


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
    return ExprSource(str(value), file, line, col, indent, text)


# ------------------------------------------------------------------ compiling
def _lang() -> Any:
    import gipcheck.lang as lang

    return lang


_IDENT = re.compile(r"[^\W\d]\w*")
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')


def _names_in(text: str) -> set[str]:
    return set(_IDENT.findall(_STRING.sub(" ", text)))


def _lets_used(text: str, lets: dict[str, ExprSource]) -> dict[str, ExprSource]:
    """The lets ``text`` may reach (names in it, transitively): compiling only those keeps load fast."""
    todo, used = [text], {}
    while todo:
        for name in _names_in(todo.pop()):
            if name in lets and name not in used:
                used[name] = lets[name]
                todo.append(lets[name].text)
    return {k: v for k, v in lets.items() if k in used}


def _compile_source(src: ExprSource, lets: dict[str, ExprSource]) -> Any:
    """Compile with gipcheck.lang, giving it the position of the expression and of each let."""
    from gipcheck.engine.functions import engine_functions

    lets = _lets_used(src.text, lets)
    let_args = {k: {"expr": v.text, "origin": (v.file, v.line, v.col), "indent": v.indent} for k, v in lets.items()}
    return _lang().compile_expression(src.text, lets=let_args, functions=engine_functions(),
                                      origin=(src.file, src.line, src.col), indent=src.indent,
                                      source_text=src.file_text)


# ------------------------------------------------------------------ loading
def _pos_error(code: str, zh: str, en: str, file: str, text: str, node: yaml.Node | None,
               hint_zh: str | None = None, hint_en: str | None = None) -> RuleError:
    line = node.start_mark.line + 1 if node is not None else None
    col = node.start_mark.column + 1 if node is not None else None
    return RuleError(code, zh, en, file=file, line=line, col=col,
                     source_line=source_line(text, line) if line else None, hint_zh=hint_zh, hint_en=hint_en)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _read_pack_yaml(directory: Path) -> tuple[str, str, str, dict[str, ExprSource]]:
    path = directory / "pack.yaml"
    file = _display(path)
    if not path.is_file():
        raise RuleError("NO_PACK", f"规则包目录缺少 pack.yaml：{_display(directory)}",
                        f"rule pack directory has no pack.yaml: {_display(directory)}", file=file,
                        hint_zh="在目录中新建 pack.yaml，至少写 name: 和 version:",
                        hint_en="create pack.yaml with at least name: and version:")
    data, text = load_yaml(path, display=file)
    if not isinstance(data, PosDict):
        raise _pos_error("SCHEMA", "pack.yaml 应为映射（name、version、description…）",
                         "pack.yaml must be a mapping (name, version, description…)", file, text,
                         getattr(data, "node", None))
    err = _first_error("pack", data, data, file, text, [])
    if err:
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
                line=id_node.start_mark.line + 1, pack=pack.name, applies=applies, lets=lets, tags=tags,
                examples=examples, severity_when=sev_when, section=_section_of(tags))
    rule.placeholders = tuple(dict.fromkeys(PLACEHOLDER.findall(rule.message["zh"] + " " + rule.message["en"])))
    overlap = set(pack.lets) & set(lets)
    if overlap:
        name = sorted(overlap)[0]
        raise _pos_error("LET_SHADOW", f"let 名称“{name}”与规则包 pack.yaml 中的同名 let 冲突",
                         f"let name '{name}' clashes with the pack-level let of the same name", file, text,
                         raw["let"].members[name][0], hint_zh="换一个名字", hint_en="pick another name")
    rule.all_lets = {**pack.lets, **lets}
    rule.compiled = _compile_source(rule.expr, rule.all_lets)
    rule.severity_compiled = [(_compile_source(src, rule.all_lets), sev) for src, sev in sev_when]
    for name in lets:  # every let compiles at load time, used or not (and message values are ready)
        rule.let_expression(name)
    _check_message(rule, raw, file, text)
    return rule


_BOUND = re.compile(r"\b(?:all|any|for)\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\b")
_ENGINE_VALUES = ("left", "right", "diff", "value")  # what the engine fills from the deciding comparison


def _check_message(rule: Rule, raw: PosDict, file: str, text: str) -> None:
    """Every ``{name}`` in a message must be something the engine can fill — a deciding value, a
    name bound in the expression, or a let — and braces must pair; else a load error at the message,
    not a finding that prints ``{nonexistent}`` to a clerk."""
    sources = [rule.expr.text, *(src.text for src in rule.all_lets.values())]
    allowed = {*_ENGINE_VALUES, *rule.all_lets, *(m for src in sources for m in _BOUND.findall(src))}
    msg, msg_node = raw["message"], raw.members["message"][1]
    for lang in ("zh", "en"):
        template = rule.message.get(lang, "")
        stray = PLACEHOLDER.sub("", template)
        bad = next((c for c in stray if c in "{}"), None)
        names = [n for n in PLACEHOLDER.findall(template) if n not in allowed]
        if bad is None and not names:
            continue
        where = msg.members[lang][1] if isinstance(msg, PosDict) and lang in msg.members else msg_node
        choices = "、".join(sorted(allowed))
        if bad is not None:
            raise _pos_error("MESSAGE", f"消息（{lang}）中有不成对的“{bad}”：占位符应写成 {{名称}}",
                             f"message ({lang}) has an unpaired '{bad}': placeholders are written {{name}}",
                             file, text, where, f"可用的占位符：{choices}", f"placeholders available: {choices}")
        raise _pos_error("MESSAGE", f"消息（{lang}）中的占位符 {{{names[0]}}} 没有对应的值",
                         f"message ({lang}): placeholder {{{names[0]}}} has no value",
                         file, text, where, f"可用的占位符：{choices}", f"placeholders available: {choices}")


def _rule_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.suffix in RULE_FILE_SUFFIXES and p.is_file()
                  and p.name not in ("pack.yaml", "pack.yml"))


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
        raise RuleError("NO_PACK", f"规则目录不存在：{directory}", f"rule directory does not exist: {directory}",
                        file=str(directory))
    key = str(directory.resolve())
    sig = _signature(directory)
    hit = _CACHE.get(key)
    if hit and hit[0] == sig:
        return hit[1]
    from gipcheck.lang.compiler import save_tree_cache, tree_store

    store = tree_store()
    store.recording += 1   # the parse trees of rule files are kept across runs
    try:
        pack = _load_pack_uncached(directory)
    finally:
        store.recording -= 1
    _CACHE[key] = (sig, pack)
    save_tree_cache()  # parse trees learnt here make the next start fast
    return pack


def _load_pack_uncached(directory: Path) -> Pack:
    name, version, description, lets = _read_pack_yaml(directory)
    pack = Pack(name=name, version=version, description=description, directory=directory, lets=lets)
    for let_name, src in lets.items():  # pack-level lets are checked once, even if no rule uses them
        _compile_source(ExprSource(let_name, src.file, src.line, src.col, None, src.file_text), lets)
    seen: dict[str, Rule] = {}
    for path in _rule_files(directory):
        file = _display(path)
        data, text = load_yaml(path, display=file)
        if isinstance(data, PosDict):
            items: list[tuple[PosDict, list[Any]]] = [(data, [])]
        elif isinstance(data, PosList) and data:
            items = [(r, [i]) for i, r in enumerate(data)]
        elif data is None:
            continue  # an empty file holds no rules
        else:
            raise _pos_error("SCHEMA", "规则文件应为一条规则（映射）或规则列表",
                             "a rule file must hold one rule (a mapping) or a list of rules", file, text,
                             getattr(data, "node", None))
        for raw, base in items:
            if not isinstance(raw, PosDict):
                node = data.items[base[0]] if base else None
                raise _pos_error("SCHEMA", "规则应为映射（id: …, title: …）", "a rule must be a mapping (id: …, title: …)",
                                 file, text, node)
            rule = _build_rule(raw, data, base, file, text, pack)
            if rule.id in seen:
                other = seen[rule.id]
                raise _pos_error("DUPLICATE_ID", f"规则编号 {rule.id} 重复：已在 {other.file}:{other.line} 定义",
                                 f"duplicate rule id {rule.id}: already defined at {other.file}:{other.line}",
                                 file, text, raw.members["id"][1])
            seen[rule.id] = rule
            pack.rules.append(rule)
    return pack


def load_packs(dirs: Iterable[Path | str], *, include_default: bool = False) -> list[Pack]:
    """Load every pack directory in order (after the bundled packs when ``include_default``);
    a rule id defined in two packs is an error naming both files."""
    all_dirs = [*(default_pack_dirs() if include_default else []), *(Path(d) for d in dirs)]
    packs = [load_pack(d) for d in all_dirs]
    seen: dict[str, Rule] = {}
    for pack in packs:
        for rule in pack.rules:
            if rule.id in seen:
                other = seen[rule.id]
                raise RuleError("DUPLICATE_ID",
                                f"规则编号 {rule.id} 重复：{rule.file}:{rule.line} 与 {other.file}:{other.line}"
                                f"（规则包 {other.pack}）",
                                f"duplicate rule id {rule.id}: {rule.file}:{rule.line} and {other.file}:{other.line}"
                                f" (pack {other.pack})",
                                file=rule.file, line=rule.line, col=1,
                                source_line=source_line(rule.expr.file_text, rule.line),
                                hint_zh="换一个编号，或不要同时加载两个规则包",
                                hint_en="rename one of them, or do not load both packs")
            seen[rule.id] = rule
    return packs


def default_pack_dirs() -> list[Path]:
    """The bundled packs: every directory under ``rules/`` that has a ``pack.yaml``."""
    root = rules_dir()
    return sorted(d for d in root.iterdir() if d.is_dir() and (d / "pack.yaml").is_file())


def clear_cache() -> None:
    _CACHE.clear()
