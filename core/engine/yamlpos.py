"""YAML reading that keeps node positions, so every rule-file error can name ``file:line:col``.

Mappings load as :class:`PosDict` and sequences as :class:`PosList`; both remember the YAML nodes
of their members. Dates stay text (the canonical document holds ISO dates as strings), and a key
written twice in one mapping is an error rather than a silent overwrite; so are nesting past
:data:`MAX_DEPTH` and aliases that expand past :data:`MAX_PLAIN_NODES` values.

:func:`scalar_positions` maps each character of a scalar's value back to the file through the
scalar's style (plain, quoted with escapes, folded or literal block), so that an error at any
offset of an expression is reported at its exact ``line:col``; :class:`Lines` counts lines the
way YAML does (CR LF, CR, LF, NEL, LS, PS).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from gipcheck.errors import RuleError

if TYPE_CHECKING:
    import yaml
else:
    class _LazyYaml:
        """PyYAML, imported on first use: a start whose rule files all come from the start-up cache
        reads no YAML and never imports it (15-20 ms)."""

        def __getattr__(self, name: str) -> Any:
            import yaml as module

            globals()["yaml"] = module
            return getattr(module, name)

    yaml = _LazyYaml()

_LOADER_NAMES = ("_BASE_LOADER", "_PosLoader", "_PurePosLoader", "DuplicateKey", "TooDeep")


def __getattr__(name: str) -> Any:  # the loader classes live in gipcheck.engine.yamlload (imports PyYAML)
    if name in _LOADER_NAMES:
        from gipcheck.engine import yamlload

        return getattr(yamlload, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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


MAX_FILE_BYTES = 16 * 2**20  # the national pack is ~0.1 MB; a bigger .yaml is a data file in the wrong place
MAX_DEPTH = 64  # a rule file needs about a dozen levels; deeper is a slip that would exhaust the stack


# YAML's line breaks (YAML 1.1, which PyYAML and libyaml follow): the parser's marks count these.
_BREAK_RX = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_BREAKS = "\r\n\x85\u2028\u2029"
_WS = " \t"


class Lines:
    """Where each line of a YAML text starts and ends, split at YAML's own line breaks (CR LF,
    CR, LF, NEL, LS, PS) so line numbers agree with the parser's marks."""

    def __init__(self, text: str) -> None:
        self.text = text
        found = list(_BREAK_RX.finditer(text))
        self.starts = [0, *(m.end() for m in found)]
        self.ends = [*(m.start() for m in found), len(text)]

    def line_col(self, index: int) -> tuple[int, int]:
        """1-based line and character column of ``index``."""
        n = bisect.bisect_right(self.starts, index) - 1
        return n + 1, index - self.starts[n] + 1

    def line(self, line: int) -> str | None:
        return self.text[self.starts[line - 1]:self.ends[line - 1]] if 0 < line <= len(self.starts) else None


def source_line(text: str, line: int) -> str | None:
    return Lines(text).line(line)


# ------------------------------------------------------------------ scalar offsets → file positions
# A scalar's value is not its source text: quotes, escapes, folding and indentation are undone. To
# point at a character of the value (an expression error), each style's rules are replayed on the
# source, recording where every value character comes from; the replay must rebuild node.value
# exactly, or no map is given (the caller falls back to the scalar's start).

_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
            "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
            "L": "\u2028", "P": "\u2029"}
_HEX_LEN = {"x": 2, "u": 4, "U": 8}


class _Out:
    __slots__ = ("chars", "pos")

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.pos: list[int] = []

    def add(self, ch: str, at: int) -> None:
        self.chars.append(ch)
        self.pos.append(at)


def _break_at(text: str, i: int) -> tuple[str, int]:
    """The line break at ``i`` as the parser keeps it (CR LF, CR and NEL become LF) and the index after it."""
    if text.startswith("\r\n", i):
        return "\n", i + 2
    ch = text[i]
    return ("\n" if ch in "\r\n\x85" else ch), i + 1


def _empty_lines(text: str, i: int, end: int) -> tuple[list[tuple[str, int]], int]:
    """Blank lines after a break inside a flow scalar: their breaks, and the index of the next
    line's first non-blank character (leading white space is not content)."""
    breaks: list[tuple[str, int]] = []
    while True:
        while i < end and text[i] in _WS:
            i += 1
        if i < end and text[i] in _BREAKS:
            b, nxt = _break_at(text, i)
            breaks.append((b, i))
            i = nxt
        else:
            return breaks, i


def _fold(text: str, i: int, end: int, out: _Out) -> int:
    """Flow line folding at the break at ``i``: one break is a space, each blank line after it a
    newline (LS/PS are kept as they are)."""
    first, nxt = _break_at(text, i)
    breaks, nxt = _empty_lines(text, nxt, end)
    if first != "\n":
        out.add(first, i)
    elif not breaks:
        out.add(" ", i)
    for b, at in breaks:
        out.add(b, at)
    return nxt


def _white(text: str, i: int, end: int, out: _Out) -> int:
    """White space inside a flow scalar: content, unless only a line break follows it."""
    j = i
    while j < end and text[j] in _WS:
        j += 1
    if j < end and text[j] in _BREAKS:
        return _fold(text, j, end, out)
    for k in range(i, j):
        out.add(text[k], k)
    return j


def _flow(text: str, start: int, end: int, quote: str) -> _Out:
    out = _Out()
    i = start
    while i < end:
        ch = text[i]
        if quote == "'" and ch == "'":
            if text[i + 1] != "'":
                raise ValueError("lone quote")
            out.add("'", i)
            i += 2
        elif quote == '"' and ch == "\\":
            nxt = text[i + 1]
            if nxt in _ESCAPES:
                out.add(_ESCAPES[nxt], i)
                i += 2
            elif nxt in _HEX_LEN:
                n = _HEX_LEN[nxt]
                out.add(chr(int(text[i + 2:i + 2 + n], 16)), i)
                i += 2 + n
            elif nxt in _BREAKS:  # an escaped line break joins the lines with nothing between
                _b, j = _break_at(text, i + 1)
                breaks, i = _empty_lines(text, j, end)
                for b, at in breaks:
                    out.add(b, at)
            else:
                raise ValueError("unknown escape")
        elif ch in _WS:
            i = _white(text, i, end, out)
        elif ch in _BREAKS:
            i = _fold(text, i, end, out)
        else:
            out.add(ch, i)
            i += 1
    return out


def _block(text: str, body: int, indent: int, folded: bool, chomp: str) -> _Out:
    """A block scalar's content from index ``body`` (the line after its header) at ``indent``,
    folded (``>``) or literal (``|``), chomped ``clip``, ``strip`` or ``keep``."""
    out = _Out()
    n = len(text)

    def at_indent(i: int) -> int:  # skip up to ``indent`` spaces of a line
        k = 0
        while k < indent and i < n and text[i] == " ":
            i, k = i + 1, k + 1
        return i

    def blank_lines(i: int) -> tuple[list[tuple[str, int]], int]:
        breaks = []
        i = at_indent(i)
        while i < n and text[i] in _BREAKS:
            b, nxt = _break_at(text, i)
            breaks.append((b, i))
            i = at_indent(nxt)
        return breaks, i

    def is_content(i: int) -> bool:  # the line's indentation reaches ``indent`` and text remains
        return i < n and _column(text, i) == indent

    breaks, i = blank_lines(body)
    line_break, brk_at = "", n
    while is_content(i):
        for b, at in breaks:
            out.add(b, at)
        leading_non_space = text[i] not in _WS
        j = i
        while j < n and text[j] not in _BREAKS:
            out.add(text[j], j)
            j += 1
        if j < n:
            line_break, i = _break_at(text, j)
            brk_at = j
        else:
            line_break, i, brk_at = "", n, n
        breaks, i = blank_lines(i)
        if not is_content(i):
            break
        if folded and line_break == "\n" and leading_non_space and text[i] not in _WS:
            if not breaks:
                out.add(" ", brk_at)
        else:
            out.add(line_break, brk_at)
    if chomp != "strip" and line_break:
        out.add(line_break, brk_at)
    if chomp == "keep":
        for b, at in breaks:
            out.add(b, at)
    return out


def _column(text: str, i: int) -> int:
    """0-based column of index ``i`` (characters since the last YAML line break)."""
    k = i
    while k > 0 and text[k - 1] not in _BREAKS:
        k -= 1
    return i - k


def _after_properties(text: str, i: int) -> int:
    """Where a node's content starts: its mark is at its anchor (``&x``) or tag (``!!str``) if it
    has them, and white space, line breaks or a comment may follow those."""
    if i >= len(text) or text[i] not in "!&":
        return i
    while i < len(text):
        ch = text[i]
        if ch in "!&":  # no content starts with these: each is a property
            while i < len(text) and text[i] not in _WS + _BREAKS:
                i += 1
        elif ch in _WS:
            i += 1
        elif ch in _BREAKS:
            i = _break_at(text, i)[1]
        elif ch == "#" and text[i - 1] in _WS + _BREAKS:
            while i < len(text) and text[i] not in _BREAKS:
                i += 1
        else:
            return i
    return i


def _block_candidates(text: str, node: yaml.ScalarNode) -> Iterator[_Out]:
    i = _after_properties(text, node.start_mark.index) + 1
    chomp, explicit = "clip", None
    while i < len(text) and text[i] in "+-123456789":
        if text[i] in "+-":
            chomp = "keep" if text[i] == "+" else "strip"
        else:
            explicit = int(text[i])
        i += 1
    while i < len(text) and text[i] not in _BREAKS:
        i += 1
    if i >= len(text):
        yield _Out()
        return
    _b, body = _break_at(text, i)
    # The indentation: the first non-blank line's (or the widest leading blank line's); an explicit
    # indicator counts from the parent's indentation, which only the parser knows, so the likely
    # ones and then every indentation up to the widest (at most 100) are tried, lazily: the first
    # that rebuilds the value wins.
    widest, k = 0, body
    while k < len(text):
        j = k
        while j < len(text) and text[j] == " ":
            j += 1
        widest = max(widest, j - k)
        if j < len(text) and text[j] in _BREAKS:
            k = _break_at(text, j)[1]
        else:
            break
    likely = []
    if explicit:  # the parent's indentation is usually the header line's: `  expr: |2` → 2 + 2
        line_start = max(text.rfind(c, 0, node.start_mark.index) for c in _BREAKS) + 1
        head = text[line_start:node.start_mark.index]
        likely.append(len(head) - len(head.lstrip(" ")) + explicit)
    tries = [*likely, *([widest] if widest else []), *range(1, min(max(widest, explicit or 1), 100) + 1)]
    for d in dict.fromkeys(tries):
        yield _block(text, body, d, node.style == ">", chomp)


def scalar_positions(text: str, node: Any) -> list[int] | None:
    """For each character of the scalar ``node``'s value, the index in ``text`` it comes from (a
    folded space or newline: its line break; an escape: its backslash), plus one entry for the
    end of the value. None when the node is no scalar or its source cannot be replayed."""
    if not isinstance(node, yaml.ScalarNode) or not isinstance(node.value, str):
        return None
    start, end = _after_properties(text, node.start_mark.index), node.end_mark.index
    style = node.style or None
    try:
        candidates: Iterable[_Out]
        if style in ("|", ">"):
            candidates = _block_candidates(text, node)
        elif style in ('"', "'"):
            if text[start] != style or text[end - 1] != style:
                return None
            candidates = [_flow(text, start + 1, end - 1, style)]
        else:
            candidates = [_flow(text, start, end, "")]
        for out in candidates:
            if "".join(out.chars) == node.value:
                last = out.pos[-1] + 1 if out.pos else start
                return [*out.pos, {None: end, '"': end - 1, "'": end - 1}.get(style, last)]
    except (IndexError, ValueError):
        return None
    return None


def scalar_point(text: str, node: Any, offset: int, lines: Lines | None = None) -> tuple[int, int] | None:
    """The 1-based (line, column) in ``text`` of character ``offset`` of the scalar ``node``'s value."""
    pos = scalar_positions(text, node)
    if pos is None or not 0 <= offset < len(pos):
        return None
    return (lines or Lines(text)).line_col(pos[offset])


def _yaml_hint(problem: str) -> tuple[str | None, str | None]:
    p = problem or ""
    if "'\\t'" in p or re.search(r"\btab\b", p, re.IGNORECASE):  # not "unconstructable"
        return "YAML 不能用 Tab 缩进，请改用空格", "YAML does not allow tabs for indentation; use spaces"
    if "mapping values are not allowed" in p:
        return ("冒号“:”后要有空格；表达式里含“: ”时请写成块：expr: | 换行后缩进书写",
                "a colon needs a space after it; write expressions that contain ': ' as a block (expr: |)")
    if "duplicate key" in p:
        return "同一层里同一个字段只能写一次", "each key may appear only once in a mapping"
    if "constructor for the tag" in p:
        return ("以“!”开头的是 YAML 标签；文字以“!”开头时请加引号（表达式里的“不等于”写 !=，不能放在开头）",
                "a leading '!' is a YAML tag: quote text that starts with '!'")
    if "cannot start any token" in p:
        return ("以 @ ` % 等符号开头的值要加引号，表达式可写成块（expr: | 换行后缩进）",
                "quote a value that starts with @, ` or %, or write an expression as a block (expr: |)")
    if "a comment or a line break" in p:
        return ("“|”“>”后面要换行：表达式从下一行起缩进书写", "after '|' or '>' start a new line and indent the text")
    if "sequence entries are not allowed" in p:
        return "列表项“- ”要另起一行，并与同级的列表项对齐", "start a list item '- ' on its own line, aligned with its siblings"
    if "chomping or indentation" in p or "indentation indicator" in p:
        return "块（| 或 >）的内容从下一行开始、缩进书写", "a block (| or >) starts on the next line, indented"
    if "tag handle" in p or "non-specific tag" in p or "URI" in p or "appended to the tag" in p \
            or re.match(r"expected '[!>]', but found", p):
        return "以“!”开头的是 YAML 标签；文字以“!”开头时请加引号", "a leading '!' is a YAML tag: quote text that starts with '!'"
    if "another document" in p:
        return ("一个文件里的多条规则写成一个列表（每条以“- id:”开头），不要用“---”分隔",
                "write several rules in one file as a list ('- id:' each), not as documents split by '---'")
    if "unhashable key" in p:
        return "字段名只能是文字，不能是列表或映射", "a key must be text, not a list or a mapping"
    if "recursive node" in p:
        return ("别名 *名称 不能写在它引用的锚点 &名称 里面", "an alias *name cannot sit inside the anchor &name it refers to")
    if "levels deep" in p:
        return ("规则和示例文档只需几层嵌套；检查方括号、花括号是否成对",
                "rules and example documents need only a few levels; check that brackets pair up")
    if "could not find expected ':'" in p:
        return "检查上一行是否漏了冒号或缩进不一致", "check the line above for a missing colon or inconsistent indentation"
    if "unknown escape" in p or "escape sequence" in p:
        return ("双引号里的反斜杠要写成“\\\\”；或改用单引号（单引号里不转义）",
                "inside double quotes write a backslash as '\\\\', or use single quotes (no escapes there)")
    if "alphabetic or numeric" in p:
        return "锚点、别名的名称只用英文字母、数字、“-”和“_”", "anchor and alias names use letters, digits, '-' and '_'"
    if "found unexpected end of stream" in p or "found unexpected ':'" in p:
        return "检查引号是否成对", "check that quotes are paired"
    return "检查缩进与冒号、引号是否成对", "check indentation, colons and paired quotes"


def read_rule_text(path: Path, display: str | None = None) -> str:
    """The text of the rule file ``path`` (size-checked, UTF-8 with or without a BOM); raise
    :class:`RuleError` (``TOO_LARGE``, ``IO``, ``ENCODING``) naming ``display``."""
    display = display or str(path)
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # reading will say what is wrong
    if size > MAX_FILE_BYTES:
        mb = f"{size / 2**20:.0f}"
        raise RuleError("TOO_LARGE", f"规则文件过大（{mb} MB，上限 {MAX_FILE_BYTES // 2**20} MB）",
                        f"the rule file is too large ({mb} MB, limit {MAX_FILE_BYTES // 2**20} MB)", file=display,
                        hint_zh="这是规则文件吗？数据文件不要放在规则目录里（或改扩展名）",
                        hint_en="is it a rule file? keep data files out of the rules directory")
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise RuleError("IO", f"无法读取规则文件：{e.strerror or e}", f"cannot read rule file: {e.strerror or e}",
                        file=display, hint_zh="检查文件是否存在、是否有读取权限",
                        hint_en="check that the file exists and may be read") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise _not_utf8(raw, e, display) from None


def load_yaml(path: Path, text: str | None = None, display: str | None = None) -> tuple[Any, str]:
    """Parse ``path`` (or ``text``) keeping positions; raise :class:`RuleError` ``YAML`` with
    ``file:line:col`` (``display`` names the file) on bad YAML. Returns the data and the file text."""
    from gipcheck.engine.yamlload import _PosLoader, _PurePosLoader

    display = display or str(path)
    if text is None:
        text = read_rule_text(path, display)
    try:
        data = yaml.load(text, Loader=_PosLoader)  # noqa: S506 - _PosLoader is a SafeLoader
    except RecursionError:  # the composer recurses per level: find the level that is too deep
        _raise_yaml(_too_deep(text), text, display)
    except yaml.YAMLError as first:
        if "nesting depth" in str(first):  # libyaml's own limit (1000 levels): ours is lower
            _raise_yaml(_too_deep(text), text, display)
        try:
            data = yaml.load(text, Loader=_PurePosLoader)  # noqa: S506 - a SafeLoader
        except RecursionError:
            _raise_yaml(_too_deep(text), text, display)
        except yaml.YAMLError as e:
            _raise_yaml(e, text, display)
    if _ANCHOR.search(text) and _ALIAS.search(text):  # bound what aliases expand to before anyone walks it
        node = _blown_up(data, text)
        if node is not None:
            line = node.start_mark.line + 1
            raise RuleError("TOO_LARGE", "YAML 别名层层引用，展开后过大，已拒绝",
                            "YAML aliases referring to aliases expand to too many values; refused", file=display,
                            line=line, col=node.start_mark.column + 1, source_line=source_line(text, line),
                            hint_zh="规则和示例只需写出用到的几个值；不要让别名层层引用",
                            hint_en="a rule needs only the few values it uses; do not nest aliases in aliases")
    return data, text


# an anchor `&a` / alias `*a` where a node may start (not `a * b` or `R&D` inside text)
_ANCHOR = re.compile(r"(?:^|[\s\[{,])&[^\s,\[\]{}]", re.MULTILINE)
_ALIAS = re.compile(r"(?:^|[\s\[{,])\*[^\s,\[\]{}]", re.MULTILINE)


def _blown_up(data: Any, text: str) -> yaml.Node | None:
    """The innermost collection that expands (through aliases) past :data:`MAX_PLAIN_NODES`
    values, or None. An alias is the same object as its anchor, so sizes are counted once per
    object; nesting is bounded by :data:`MAX_DEPTH`, so the recursion is too."""
    sizes: dict[int, int] = {}

    def size(v: Any) -> int:
        if not isinstance(v, (dict, list)):
            return 1
        got = sizes.get(id(v))
        if got is None:
            got = 1
            for c in v.values() if isinstance(v, dict) else v:  # a plain loop: this runs on honest files too
                got += size(c) if isinstance(c, (dict, list)) else 1
            sizes[id(v)] = got
        return got

    limit = MAX_PLAIN_NODES + len(text)  # unaliased, a value takes 2+ characters: never near this
    if size(data) <= limit:
        return None
    cur = data
    while True:
        children = cur.values() if isinstance(cur, dict) else cur
        big = next((c for c in children if size(c) > limit), None)
        if big is None or getattr(big, "node", None) is None:
            return getattr(cur, "node", None)
        cur = big


def _too_deep(text: str) -> yaml.YAMLError:
    """The first collection nested past :data:`MAX_DEPTH`, found with the parser's events (which,
    unlike composing, do not recurse)."""
    from gipcheck.engine.yamlload import TooDeep

    depth = 0
    try:
        for ev in yaml.parse(text, Loader=yaml.SafeLoader):  # pure: libyaml stops at 1000 levels itself
            if isinstance(ev, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return TooDeep(None, None, f"nested more than {MAX_DEPTH} levels deep", ev.start_mark)  # type: ignore[arg-type]
            elif isinstance(ev, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as e:
        return e
    return TooDeep(None, None, f"nested more than {MAX_DEPTH} levels deep", None)


def _not_utf8(raw: bytes, e: UnicodeDecodeError, display: str) -> RuleError:
    """A rule file that is not UTF-8: where the first bad byte is, and what the file probably is."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return RuleError("ENCODING", "规则文件是 UTF-16 编码，不是 UTF-8", "the rule file is UTF-16, not UTF-8",
                         file=display, hint_zh="请另存为 UTF-8 编码", hint_en="save it as UTF-8")
    raw = e.object if isinstance(e.object, bytes) else raw  # utf-8-sig counts e.start after the BOM
    start = raw.rfind(b"\n", 0, e.start) + 1
    end = raw.find(b"\n", e.start)
    end = len(raw) if end < 0 else end
    line = raw.count(b"\n", 0, e.start) + 1
    col = len(raw[start:e.start].decode("utf-8", "replace")) + 1
    shown = raw[start:end].rstrip(b"\r")
    try:
        raw.decode("gb18030")
        gbk = True
        col = len(raw[start:e.start].decode("gb18030", "replace")) + 1  # columns as the author's editor shows them
        shown_text = shown.decode("gb18030", "replace")
    except UnicodeDecodeError:
        gbk = False
        shown_text = shown.decode("utf-8", "replace")
    if gbk:
        hint_zh = "文件看来是 GBK（GB2312/GB18030）编码；请在编辑器中“另存为”UTF-8 编码"
        hint_en = "the file looks GBK (GB2312/GB18030) encoded; save it as UTF-8"
    else:
        hint_zh, hint_en = "请以 UTF-8 编码保存", f"save it as UTF-8 ({e.reason})"
    return RuleError("ENCODING", "规则文件不是 UTF-8 编码", "the rule file is not UTF-8 encoded", file=display,
                     line=line, col=col, source_line=shown_text, hint_zh=hint_zh, hint_en=hint_en)


def _raise_yaml(e: yaml.YAMLError, text: str, display: str) -> NoReturn:
    from gipcheck.engine.yamlload import DuplicateKey, TooDeep

    if isinstance(e, yaml.reader.ReaderError) and isinstance(e.position, int):
        line, col = Lines(text).line_col(e.position)
        code = f"U+{e.character:04X}" if isinstance(e.character, int) else str(e.character)
        raise RuleError("YAML", f"YAML 格式错误：文件中有不允许的控制字符 {code}",
                        f"YAML syntax error: the file holds the control character {code}, which YAML does not allow",
                        file=display, line=line, col=col, source_line=source_line(text, line),
                        hint_zh="删除这个字符（常见于从网页或 Word 复制的文字）",
                        hint_en="delete it (it often comes with text copied from a web page or Word)") from None
    if not isinstance(e, yaml.MarkedYAMLError):
        raise RuleError("YAML", f"YAML 格式错误：{e}", f"YAML syntax error: {e}", file=display,
                        hint_zh="检查缩进与冒号、引号是否成对", hint_en="check indentation, colons and paired quotes") from None
    mark = e.problem_mark or e.context_mark
    problem = e.problem or str(e)
    if isinstance(e, DuplicateKey):
        zh, en = f"YAML 错误：字段重复 {problem[len('duplicate key '):]}", f"YAML error: {problem}"
    elif isinstance(e, TooDeep):
        zh, en = f"YAML 嵌套过深：超过 {MAX_DEPTH} 层", f"YAML {problem}"
    else:
        from gipcheck.parsemsg import yaml_problem_zh  # error path only: its patterns cost ~4 ms to compile

        zh, en = f"YAML 格式错误：{yaml_problem_zh(problem)}", f"YAML syntax error: {problem}"
    hzh, hen = _yaml_hint(problem if "scanning a tag" not in (e.context or "") else "tag handle")
    special = (_full_width(e, text) or _bare_placeholder(e, text) or _unclosed(e, problem)
               or _text_after_quote(e, problem, text) or _no_colon(e, problem))
    if special:
        mark, zh, en, hzh, hen = special
    at_line = mark.line + 1 if mark else None
    at_col = mark.column + 1 if mark else None
    raise RuleError("YAML", zh, en, file=display, line=at_line, col=at_col,
                    source_line=source_line(text, at_line) if at_line else None, hint_zh=hzh, hint_en=hen) from None


_Special = tuple[Any, str, str, str, str]


def _unclosed(e: yaml.MarkedYAMLError, problem: str) -> _Special | None:
    """An unclosed bracket or quote: the parser notices only at the end of the file (or lines
    later), so point at the bracket or quote that opened it."""
    ctx, opened = e.context_mark, e.problem_mark
    if ctx is None or opened is None:
        return None
    if e.context == "while scanning a quoted scalar" and "end of stream" in problem:
        return (ctx, "YAML 格式错误：引号没有闭合", "YAML syntax error: the quote is never closed",
                "在这段文字的末尾补上同样的引号；文字里的单引号写成两个（''）",
                "close it with the same quote; inside '…' write a single quote as ''")
    m = re.match(r"expected ',' or '([}\]])', but got '(.*)'", problem)
    if m and (m.group(2) == "<stream end>" or opened.line > ctx.line):
        close = m.group(1)
        start = "{" if close == "}" else "["
        return (ctx, f"YAML 格式错误：此处的“{start}”没有闭合（缺少“{close}”）",
                f"YAML syntax error: this '{start}' is never closed (missing '{close}')",
                f"在这一项的末尾补上“{close}”；两项之间用“,”分隔",
                f"add '{close}' at the end of the item; separate items with ','")
    return None


# YAML's own punctuation typed in Chinese input mode; text may hold these freely, so they are
# looked for only on the lines of a YAML error, and only where YAML needed the half-width one
_FW_KEY = re.compile(r"^[ \u3000]*(?:-[ \u3000]+)?[A-Za-z_][\w-]*[ \u3000]*(：)")
_FW_INDENT = re.compile(r"^ *(\u3000)")
_FW_DASH = re.compile(r"^[ \u3000]*(－)[ \u3000]")


_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\']|\'\')*\'')


def _fw_flow(line: str) -> int | None:
    """A full-width bracket, or a full-width comma or closer after a half-width opener (quoted text,
    which may hold any of these, is left out)."""
    line = _QUOTED.sub(lambda q: " " * len(q.group()), line)
    m = re.search(r"[｛［]", line)
    if m:
        return m.start()
    opened = re.search(r"[{\[]", line)
    m = re.compile(r"[，｝］]").search(line, opened.end()) if opened else None
    return m.start() if m else None


def _fw_at(rx: re.Pattern[str]) -> Any:
    def find(line: str) -> int | None:
        m = rx.search(line)
        return m.start(1) if m else None
    return find


def _full_width(e: yaml.MarkedYAMLError, text: str) -> _Special | None:
    lines = Lines(text)
    seen: list[tuple[int, bool]] = []
    for mark in (e.context_mark, e.problem_mark):
        if mark is not None:  # the line itself, then the one above it (not for brackets: too loose there)
            seen += [(mark.line + 1, True), (mark.line, False)]
    for n, own in dict.fromkeys(x for x in seen if x[0] >= 1):
        line = lines.line(n) or ""
        for find, ch, zh, en in (
                (_fw_at(_FW_INDENT), "\u3000", "缩进里有全角空格", "the indentation holds a full-width space"),
                (_fw_at(_FW_KEY), "：", "字段名后用了全角冒号“：”", "a full-width colon '：' after the key"),
                (_fw_at(_FW_DASH), "－", "列表项用了全角的“－”", "a full-width '－' starts the list item"),
                (_fw_flow if own else (lambda _line: None), "", "括号或逗号用了全角符号",
                 "a full-width bracket or comma")):
            at = find(line)
            if at is not None:
                col = at + 1
                half = {"\u3000": "半角空格", "：": "半角冒号加空格“: ”", "－": "半角“- ”"}.get(ch, "半角的 { } [ ] ,")
                mk = yaml.Mark("", 0, n - 1, col - 1, None, 0)
                return (mk, f"YAML 格式错误：{zh}", f"YAML syntax error: {en}",
                        f"YAML 的符号要用半角：改成{half}（切换到英文输入法）",
                        "YAML punctuation is half-width: switch the input method to English")
    return None


_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


def _bare_placeholder(e: yaml.MarkedYAMLError, text: str) -> _Special | None:
    """``zh: 新收 {left} 件`` unquoted: YAML reads ``{left}`` as a mapping."""
    for mark in (e.problem_mark, e.context_mark):
        if mark is None:
            continue
        line = _QUOTED.sub(lambda q: " " * len(q.group()), Lines(text).line(mark.line + 1) or "")
        # only where YAML stumbled on it, or where it opens a value (in block text it is fine)
        m = next((p for p in _PLACEHOLDER.finditer(line) if p.start() == mark.column
                  or re.fullmatch(r"\s*(?:-\s+)?[\w-]+:\s+", line[:p.start()])), None)
        if m:
            return (yaml.Mark("", 0, mark.line, m.start(), None, 0),
                    f"YAML 格式错误：含占位符 {m.group()} 的文字要加引号",
                    f"YAML syntax error: text with the placeholder {m.group()} must be quoted",
                    f"整段文字加上双引号，如 zh: \"新收 {m.group()} 件\"",
                    f"quote the whole text, e.g. en: \"{m.group()} new requests\"")
    return None


def _no_colon(e: yaml.MarkedYAMLError, problem: str) -> _Special | None:
    """A line of text among ``key: value`` lines: the parser notices on the next line; the text is at fault."""
    if "could not find expected ':'" not in problem or e.context_mark is None:
        return None
    return (e.context_mark, "YAML 格式错误：这一行缺少冒号“:”", "YAML syntax error: this line has no ':'",
            "应写成“字段: 值”；若这是上一行文字的续行，请比上一行的字段名多缩进，或把整段文字加上引号",
            "write 'key: value'; if it continues the line above, indent it more than that key, or quote the text")


def _text_after_quote(e: yaml.MarkedYAMLError, problem: str, text: str) -> _Special | None:
    """``expr: "中文" in x``: a value that starts with a quote ends at the closing quote."""
    mark = e.problem_mark
    if mark is None or "but found '<scalar>'" not in problem and "could not find expected ':'" not in problem:
        return None
    line = source_line(text, mark.line + 1) or ""
    before = line[:mark.column].rstrip()
    if not before.endswith(("\"", "'", "]", "}")) or ": " not in before:
        return None
    if before.endswith(("]", "}")):
        return (mark, "YAML 格式错误：“]”“}”之后不能再接文字（以“[”“{”开头的值是列表或映射，到对应的括号就结束了）",
                "YAML syntax error: text after a closing ']' or '}' (a value that starts with '[' or '{' ends there)",
                "表达式以“[”“{”开头时，请写成块：expr: | 换行后缩进书写，或把整个值加上引号",
                "when an expression starts with '[' or '{', write it as a block (expr: |), or quote the whole value")
    return (mark, "YAML 格式错误：引号结束后不能再接文字（以引号开头的值到结尾引号就结束了）",
            "YAML syntax error: text after the closing quote (a value that starts with a quote ends there)",
            "表达式以引号开头时，请写成块：expr: | 换行后缩进书写，或把整个值再加一层引号",
            "when an expression starts with a quote, write it as a block (expr: | then the text indented "
            "on the next line), or quote the whole value")


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
