"""YAML reading that keeps node positions, so every rule-file error can name ``file:line:col``.

Mappings load as :class:`PosDict` and sequences as :class:`PosList`; both remember the YAML nodes
of their members. Dates stay text (the canonical document holds ISO dates as strings), and a key
written twice in one mapping is an error rather than a silent overwrite.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

import yaml

from gipcheck.errors import RuleError
from gipcheck.parsemsg import yaml_problem_zh


class PosDict(dict):
    """A mapping that remembers its YAML node and the (key node, value node) of each member."""

    __slots__ = ("node", "members")

    def __init__(self) -> None:
        super().__init__()
        self.node: yaml.Node | None = None
        self.members: dict[Any, tuple[yaml.Node, yaml.Node]] = {}


class PosList(list):
    """A sequence that remembers its YAML node and the node of each item."""

    __slots__ = ("node", "items")

    def __init__(self) -> None:
        super().__init__()
        self.node: yaml.Node | None = None
        self.items: list[yaml.Node] = []


_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: rule loading is hot


class _PosLoader(_BASE_LOADER):  # type: ignore[misc,valid-type]
    """SafeLoader without the timestamp resolver, building PosDict/PosList."""


# Dates must stay ISO text: rule examples are document fragments, and documents hold dates as text.
_PosLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class DuplicateKey(yaml.MarkedYAMLError):
    pass


def _construct_map(loader: _PosLoader, node: yaml.MappingNode) -> Any:
    data = PosDict()
    data.node = node
    yield data
    seen: dict[Any, yaml.Node] = {}
    for knode, _v in node.value:
        if knode.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(knode, deep=True)
        if isinstance(key, (str, int, float, bool)) and key in seen:
            raise DuplicateKey(None, None, f"duplicate key {key!r}", knode.start_mark)
        if isinstance(key, (str, int, float, bool)):
            seen[key] = knode
    loader.flatten_mapping(node)
    for knode, vnode in node.value:
        key = loader.construct_object(knode, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(None, None, "unhashable key", knode.start_mark) from None
        data[key] = loader.construct_object(vnode, deep=True)
        data.members[key] = (knode, vnode)


def _construct_seq(loader: _PosLoader, node: yaml.SequenceNode) -> Any:
    data = PosList()
    data.node = node
    yield data
    for item in node.value:
        data.append(loader.construct_object(item, deep=True))
        data.items.append(item)


class _PurePosLoader(yaml.SafeLoader):
    """The pure-Python twin, re-run on a broken file so messages do not depend on libyaml."""


_PurePosLoader.yaml_implicit_resolvers = _PosLoader.yaml_implicit_resolvers
for _loader in (_PosLoader, _PurePosLoader):
    _loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
    _loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def source_line(text: str, line: int) -> str | None:
    lines = text.split("\n")
    return lines[line - 1].rstrip("\r") if 0 < line <= len(lines) else None


def _yaml_hint(problem: str) -> tuple[str | None, str | None]:
    p = problem or ""
    if "'\\t'" in p or "tab" in p.lower():
        return "YAML 不能用 Tab 缩进，请改用空格", "YAML does not allow tabs for indentation; use spaces"
    if "mapping values are not allowed" in p:
        return ("冒号“:”后要有空格；表达式里含“: ”时请写成块：expr: | 换行后缩进书写",
                "a colon needs a space after it; write expressions that contain ': ' as a block (expr: |)")
    if "duplicate key" in p:
        return "同一层里同一个字段只能写一次", "each key may appear only once in a mapping"
    if "could not find expected ':'" in p:
        return "检查上一行是否漏了冒号或缩进不一致", "check the line above for a missing colon or inconsistent indentation"
    if "found unexpected end of stream" in p or "found unexpected ':'" in p:
        return "检查引号是否成对", "check that quotes are paired"
    return "检查缩进与冒号、引号是否成对", "check indentation, colons and paired quotes"


def load_yaml(path: Path, text: str | None = None, display: str | None = None) -> tuple[Any, str]:
    """Parse ``path`` (or ``text``) keeping positions; raise :class:`RuleError` ``YAML`` with
    ``file:line:col`` (``display`` names the file) on bad YAML. Returns the data and the file text."""
    display = display or str(path)
    if text is None:
        try:
            raw = path.read_bytes()
        except OSError as e:
            raise RuleError("IO", f"无法读取规则文件：{e.strerror or e}", f"cannot read rule file: {e.strerror or e}",
                            file=display) from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise RuleError("ENCODING", "规则文件不是 UTF-8 编码", "the rule file is not UTF-8 encoded",
                            file=display, hint_zh="请以 UTF-8 保存", hint_en=f"save it as UTF-8 ({e.reason})") from None
    try:
        data = yaml.load(text, Loader=_PosLoader)  # noqa: S506 - _PosLoader is a SafeLoader
    except yaml.YAMLError:
        try:
            data = yaml.load(text, Loader=_PurePosLoader)  # noqa: S506 - a SafeLoader
        except yaml.YAMLError as e:
            _raise_yaml(e, text, display)
    return data, text


def _raise_yaml(e: yaml.YAMLError, text: str, display: str) -> NoReturn:
    if not isinstance(e, yaml.MarkedYAMLError):
        raise RuleError("YAML", f"YAML 格式错误：{e}", f"YAML syntax error: {e}", file=display) from None
    mark = e.problem_mark or e.context_mark
    line = mark.line + 1 if mark else None
    col = mark.column + 1 if mark else None
    problem = e.problem or str(e)
    if isinstance(e, DuplicateKey):
        zh, en = f"YAML 错误：字段重复 {problem[len('duplicate key '):]}", f"YAML error: {problem}"
    else:
        zh, en = f"YAML 格式错误：{yaml_problem_zh(problem)}", f"YAML syntax error: {problem}"
    hzh, hen = _yaml_hint(problem)
    raise RuleError("YAML", zh, en, file=display, line=line, col=col,
                    source_line=source_line(text, line) if line else None, hint_zh=hzh, hint_en=hen) from None


def node_at(root: Any, path: list[Any] | tuple[Any, ...], *, key: bool = False) -> yaml.Node | None:
    """The YAML node of the value at ``path`` below ``root`` (or of its key when ``key``); falls
    back to the deepest container that has a position."""
    cur = root
    node = getattr(root, "node", None)
    for i, step in enumerate(path):
        last = i == len(path) - 1
        if isinstance(cur, PosDict) and step in cur.members:
            knode, vnode = cur.members[step]
            node = knode if (last and key) else vnode
            cur = cur[step]
        elif isinstance(cur, PosList) and isinstance(step, int) and 0 <= step < len(cur.items):
            node = cur.items[step]
            cur = cur[step]
        else:
            break
    return node


MAX_PLAIN_NODES = 200_000  # a document fragment in a rule file is small; aliases must not blow it up


class TooLarge(ValueError):
    """A value expands past :data:`MAX_PLAIN_NODES` (YAML aliases repeating one another: an alias bomb)."""


def plain(value: Any, budget: list[int] | None = None) -> Any:
    """Deep copy into plain dicts and lists (what documents are made of). YAML aliases are
    expanded here, so the copy is bounded: past :data:`MAX_PLAIN_NODES` values it raises
    :class:`TooLarge` instead of eating the machine's memory."""
    if budget is None:
        budget = [MAX_PLAIN_NODES]
    budget[0] -= 1
    if budget[0] < 0:
        raise TooLarge("value too large")
    if isinstance(value, dict):
        return {k: plain(v, budget) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v, budget) for v in value]
    return value
