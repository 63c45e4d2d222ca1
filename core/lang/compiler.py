"""Parse rule expressions with the LALR grammar and compile them into closures.

No eval, no exec, no generated source: every node becomes a Python closure ``fn(ctx)``. Names,
paths, arity, literals and regexes are checked here, at load time, with positions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gipcheck.document import canon
from gipcheck.lang import runtime as rt
from gipcheck.lang.astcache import Store, Token, Tree, from_lark
from gipcheck.lang.errors import FULLWIDTH_HINTS, LangError, SourceMap
from gipcheck.lang.functions import (
    BUILTINS,
    Builtin,
    FunctionSpec,
    regex_leading_repeat,
    regex_sequential_repeats,
)
from gipcheck.lang.paths import ANY, LEAF, document_shape
from gipcheck.lang.values import UNKNOWN, Unknown

MAX_SOURCE = 10_000      # characters in one expression
MAX_BRACKETS = 64        # nesting of ( and [
MAX_AST_DEPTH = 100      # nesting of the compiled tree (if/else chains, not, -, …)
MAX_INT_DIGITS = 15
MAX_PATH = 32            # parts of one literal path (the document is far shallower)
FUSE = True              # fused fast paths for cell-wise quantifiers (tests compare with them off)

KEYWORDS = frozenset("if then else all any in not and or for within true false null let".split())
DOC_ROOTS = ("meta", "sections", "active", "requests", "review", "facts", "labels")
CONSTANTS: dict[str, list[str]] = {
    "columns": list(canon.REQUEST_COLUMNS),
    "applicant_columns": list(canon.APPLICANT_COLUMNS),
    "review_blocks": list(canon.REVIEW_BLOCKS),
    "review_parts": [c for c in canon.REVIEW_COLUMNS if c != "total"],
    "review_columns": list(canon.REVIEW_COLUMNS),
}
COMPARISON_TOKENS = frozenset(("==", "!=", "<", "<=", ">", ">=", "in", "~=", "not"))

if TYPE_CHECKING:
    from lark import Lark
    from lark.exceptions import UnexpectedInput


@cache
def grammar_text() -> str:
    return (Path(__file__).with_name("grammar.lark")).read_text(encoding="utf-8")


@cache
def get_parser() -> Lark:
    """The LALR parser, built once per process (only when a tree is not in the cache)."""
    from lark import Lark

    return Lark(grammar_text(), parser="lalr", lexer="contextual", start="start")


@cache
def tree_store() -> Store:
    """Parse trees kept across runs (see :mod:`gipcheck.lang.astcache`)."""
    return Store(grammar_text())


def save_tree_cache() -> None:
    """Write the parse trees learnt in this process to the persistent cache (never raises)."""
    tree_store().save()


# ------------------------------------------------------------------ compiled nodes
class Node:
    """A compiled sub-expression.

    ``fn(ctx)`` gives its value (UNKNOWN for blank/absent cells, recording reads). Document
    locations also offer ``raw(ctx)`` (value or None, no recording) with a static ``ptr``, or
    ``loc(ctx)`` → ``(value or None, pointer)`` when the pointer is only known at run time.
    """

    __slots__ = ("fn", "is_const", "const", "raw", "ptr", "loc", "shape", "path", "size", "tok",
                 "decimals", "is_null", "root", "keys", "slot", "vlookup", "vsrc", "vcheck", "vsafe", "vkind",
                 "rowcheck", "sumgen", "skey", "vbase", "colsum", "fixed", "lenkeys", "val", "hasarg", "plug1",
                 "keysof", "keymember")

    def __init__(self, fn: Callable[[Any], Any], size: int = 1, tok: Token | None = None) -> None:
        self.fn = fn
        self.is_const = False
        self.const: Any = None
        self.raw: Callable[[Any], Any] | None = None
        self.ptr: str | None = None
        self.loc: Callable[[Any], tuple[Any, str | None]] | None = None
        self.shape: Any = None
        self.path: str | None = None   # dotted text of a static path, for messages
        self.size = size
        self.tok = tok
        self.decimals: int | None = None
        self.is_null = False
        self.root: str | None = None                 # "doc" | "prev" for static paths
        self.keys: tuple[Any, ...] | None = None     # the literal keys of a static path
        self.slot: int | None = None                 # the variable slot of a bound name
        self.vlookup: Any = None                     # (base slot, key, key slot) of r[c] / r.total
        # Fused fast paths (see runtime.fused_cells): the lookup every leaf reads, a vcheck over
        # its raw values, whether the node can never raise, and what kind of node it is.
        self.vsrc: Any = None
        self.vcheck: Callable[[list[Any]], bool] | None = None
        self.vsafe = False
        self.vkind: str | None = None
        self.rowcheck: Any = None                    # (row slot, columns, vcheck, cost) of a fused all
        self.sumgen: Any = None                      # (columns, vlookup, cost) of sum(r[c] for c in CONST)
        self.skey: Any = None                        # structural key of a path / lookup on bound names
        self.vbase: Callable[[Any], Any] | None = None   # the value of the base of the fused lookup
        self.colsum: Any = None                      # (rows node, column slot, cost) of sum(r[c] for r in ROWS)
        self.fixed = False                           # depends on no bound name (rows(static path))
        self.lenkeys: Callable[[Any], Any] | None = None   # the argument of keys(x), for len(keys(x))
        # a document location's value without its pointer: raw value, None when blank/absent, or
        # the Unknown key/base that loc() gives; pure (no steps, no reads)
        self.val: Callable[[Any], Any] | None = None
        self.hasarg: Any = None     # (needles, plugin function or None, its cost, slot) of has(x / f(x), CONST)
        self.plug1: Any = None      # (function, cost, slot) of a plugin function called on a bound name
        self.keysof: Node | None = None   # the argument of keys(x), for all k in keys(x): P(x[k])
        self.keymember: Any = None   # (slot of k, node of x) of ``k in keys(x)``


def const_node(value: Any, tok: Token | None = None) -> Node:
    n = Node(lambda ctx: value, 1, tok)
    n.is_const, n.const = True, value
    return n


def first_token(t: Any) -> Token | None:
    while isinstance(t, Tree):
        if not t.children:
            return None
        t = t.children[0]
    return t if isinstance(t, Token) else None


def _suggest(word: str, options: list[str]) -> list[str]:
    import difflib  # error messages only: not imported at every start

    return difflib.get_close_matches(word, options, n=3, cutoff=0.6)


def _did_you_mean(word: str, options: list[str]) -> tuple[str | None, str | None]:
    close = _suggest(word, options)
    if close:
        alts = "、".join(f"`{c}`" for c in close)
        return f"是否想写 {alts}？", "did you mean " + " or ".join(f"`{c}`" for c in close) + "?"
    return None, None


# ------------------------------------------------------------------ source pre-scan
def _mask(src: str) -> str:
    """The source with string and comment contents blanked (same length, newlines kept)."""
    if '"' not in src and "'" not in src and "#" not in src:
        return src
    out = list(src)
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c in "\"'":
            j = i + 1
            while j < n and src[j] != c and src[j] != "\n":
                j += 2 if src[j] == "\\" else 1
            for k in range(i + 1, min(j, n)):
                if out[k] != "\n":
                    out[k] = " "
            i = j + 1
        elif c == "#":
            j = src.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                out[k] = " "
            i = j
        else:
            i += 1
    return "".join(out)


def _line_col(src: str, index: int) -> tuple[int, int]:
    line = src.count("\n", 0, index) + 1
    col = index - (src.rfind("\n", 0, index) + 1) + 1
    return line, col


_DUNDER = re.compile(r"\w*__\w*")


def _nested_repeat(pattern: str) -> bool:
    """Whether a regex repeats (``*``, ``+``, ``{m,}``…) something that itself varies — a repetition
    or an alternation: the shapes of catastrophic backtracking. Read from the parsed pattern, so
    escapes and classes are understood (``[ab]+`` is a class, not an alternation)."""
    try:
        from re import _parser as sre  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - Python < 3.11
        import sre_parse as sre  # type: ignore[no-redef]

    repeats = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)} - {None}

    def walk(items: object, inside_repeat: bool) -> bool:
        for op, av in items:  # type: ignore[attr-defined]
            if op in repeats:
                lo, hi, sub = av
                varies = lo != hi  # a{3} matches one length only and cannot make backtracking explode
                if inside_repeat and varies:
                    return True
                if walk(sub, inside_repeat or varies):
                    return True
            elif op == sre.SUBPATTERN:
                if walk(av[-1], inside_repeat):
                    return True
            elif op == sre.BRANCH:
                # alternatives under a repetition, (a|aa)*, can match one text in exponentially many ways
                if inside_repeat or any(walk(b, inside_repeat) for b in av[1]):
                    return True
            elif op in (sre.ASSERT, sre.ASSERT_NOT):
                if walk(av[1], inside_repeat):
                    return True
        return False

    try:
        return walk(sre.parse(pattern), False)
    except Exception:  # noqa: BLE001 - re.compile already accepted it; be permissive on odd internals
        return False


def prescan(src: str, sm: SourceMap, let: str | None = None) -> None:
    """Limits checked before parsing, so that no input can make the parser or compiler recurse
    deeply or run long: length, bracket depth, Python internals, ``**``."""
    if len(src) > MAX_SOURCE:
        line, col = _line_col(src, MAX_SOURCE)
        raise sm.error("TOO_LONG", f"表达式过长（{len(src)} 个字符，上限 {MAX_SOURCE}）",
                       f"expression too long ({len(src)} characters, limit {MAX_SOURCE})", line, col,
                       hint_zh="把它拆成几个 let 或几条规则", hint_en="split it into lets or several rules", let=let)
    masked = _mask(src)
    depth = 0
    for i, c in enumerate(masked):
        if c in "([":
            depth += 1
            if depth > MAX_BRACKETS:
                line, col = _line_col(src, i)
                raise sm.error("TOO_DEEP", f"括号嵌套过深（上限 {MAX_BRACKETS} 层）",
                               f"brackets nested too deeply (limit {MAX_BRACKETS})", line, col,
                               hint_zh="用 let 给中间结果起名", hint_en="name intermediate results with let", let=let)
        elif c in ")]":
            depth = max(depth - 1, 0)
    m = _DUNDER.search(masked)
    if m:
        line, col = _line_col(src, m.start())
        raise sm.error("FORBIDDEN", f"名称“{m.group()}”不允许：规则不能访问 Python 内部",
                       f"name `{m.group()}` is not allowed: rules cannot reach Python internals", line, col,
                       hint_zh="规则只能读取报告文档中的数据", hint_en="rules can only read the report document", let=let)
    k = masked.find("**")
    if k >= 0:
        line, col = _line_col(src, k)
        raise sm.error("FORBIDDEN", "不支持乘方“**”", "`**` (power) is not part of the rule language", line, col,
                       hint_zh="规则语言没有乘方；请写出乘法", hint_en="there is no power operator; write the multiplication",
                       let=let)


# ------------------------------------------------------------------ parse errors
def _syntax_error(e: UnexpectedInput, src: str, sm: SourceMap, let: str | None) -> LangError:
    from lark.exceptions import UnexpectedCharacters, UnexpectedToken

    if isinstance(e, UnexpectedCharacters):
        ch = src[e.pos_in_stream] if e.pos_in_stream is not None and e.pos_in_stream < len(src) else e.char
        line, col = e.line, e.column
        if ch in FULLWIDTH_HINTS:
            half = FULLWIDTH_HINTS[ch]
            return sm.error("SYNTAX", f"不能使用全角符号“{ch}”", f"full-width `{ch}` is not allowed", line, col,
                            hint_zh=f"请改用半角“{half}”（切换到英文输入法）",
                            hint_en=f"use the half-width `{half}`", let=let)
        if ch == "=":
            return sm.error("SYNTAX", "单个“=”不是比较运算", "a single `=` is not a comparison", line, col,
                            hint_zh="比较相等请写“==”", hint_en="write `==` to compare", let=let)
        if ch == "!":
            return sm.error("SYNTAX", "“!”不是运算符", "`!` is not an operator", line, col,
                            hint_zh="取反请写 not，不等请写 !=", hint_en="write `not` to negate, `!=` for not-equal", let=let)
        if ch in "&|":
            word = "and" if ch == "&" else "or"
            return sm.error("SYNTAX", f"“{ch}”不是运算符", f"`{ch}` is not an operator", line, col,
                            hint_zh=f"请写 {word}", hint_en=f"write `{word}`", let=let)
        if ch in "\"'":
            return sm.error("SYNTAX", "文字缺少结尾引号", "text is missing its closing quote", line, col,
                            hint_zh="文字须写在同一行的一对引号中", hint_en="close the quote on the same line", let=let)
        return sm.error("SYNTAX", f"无法识别的字符“{ch}”", f"unexpected character `{ch}`", line, col, let=let)
    if isinstance(e, UnexpectedToken) and e.token.type != "$END":
        tok = e.token
        val = str(tok)
        line, col = tok.line or 1, tok.column or 1
        if val in COMPARISON_TOKENS and val != "not":
            return sm.error("SYNTAX", f"比较不能连写：此处不应再出现“{val}”", f"comparisons do not chain: unexpected `{val}`",
                            line, col, hint_zh="请写成 a < b and b < c", hint_en="write `a < b and b < c`", let=let)
        hint_zh = hint_en = None
        if val in KEYWORDS:
            hint_zh, hint_en = f"“{val}”是关键字，不能作名称", f"`{val}` is a keyword and cannot be a name"
        exp = sorted(x for x in e.expected if not x.startswith("__"))
        if exp and not hint_en:
            hint_en = "expected one of: " + ", ".join(exp[:8])
        return sm.error("SYNTAX", f"语法错误：此处不应出现“{val}”", f"syntax error: unexpected `{val}`", line, col,
                        hint_zh=hint_zh, hint_en=hint_en, let=let)
    line, col = _line_col(src, len(src.rstrip()))
    return sm.error("SYNTAX", "表达式不完整", "the expression ends too early", line, col,
                    hint_zh="检查括号是否成对、运算符后是否缺少内容", hint_en="check for an unclosed bracket or a dangling operator",
                    let=let)


_PRESCANNED: set[str] = set()  # texts that passed prescan (a pack's lets are parsed once per rule using them)


def parse(src: str, sm: SourceMap, let: str | None = None) -> Any:
    if src not in _PRESCANNED:
        prescan(src, sm, let)
        if len(_PRESCANNED) > 4096:
            _PRESCANNED.clear()
        _PRESCANNED.add(src)
    if not src.strip():
        raise sm.error("SYNTAX", "表达式为空", "the expression is empty", 1, 1, let=let)
    store = tree_store()
    hit = store.get(src)
    if hit is not None:
        return hit
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    try:
        tree = from_lark(get_parser().parse(src))
    except (UnexpectedCharacters, UnexpectedToken, UnexpectedEOF) as e:
        raise _syntax_error(e, src, sm, let) from None
    except RecursionError:  # never expected after prescan; belt and braces
        raise sm.error("TOO_DEEP", "表达式嵌套过深", "expression nested too deeply", 1, 1, let=let) from None
    store.put(src, tree)
    return tree


_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "'": "'"}


def _unescape(body: str) -> str:
    """A text literal's value: the escapes of docs/language.md; any other backslash stays as
    written, so that ``"^\\s*无"`` in a YAML block is the regex it reads as (not ``^s*无``)."""
    if "\\" not in body:
        return body
    out: list[str] = []
    it = iter(body)
    for ch in it:
        if ch == "\\":
            nxt = next(it, "")
            esc = _ESCAPES.get(nxt)
            out.append(esc if esc is not None else "\\" + nxt)
        else:
            out.append(ch)
    return "".join(out)


# ------------------------------------------------------------------ the compiler
class LetDef:
    __slots__ = ("name", "text", "sm", "tree", "node", "index", "key", "deps")

    def __init__(self, name: str, text: str, sm: SourceMap) -> None:
        self.name, self.text, self.sm = name, text, sm
        self.tree: Any = None
        self.node: Node | None = None
        self.index = -1
        self.key: Any = None
        self.deps: list[str] = []


class Compiler:
    def __init__(self, sm: SourceMap, lets: dict[str, LetDef], functions: Mapping[str, FunctionSpec]) -> None:
        self.sm = sm
        self.lets = lets
        self.functions = functions
        self.scope: list[tuple[str, int]] = []
        self.nslots = 0
        self.depth = 0
        self.let_stack: list[str] = []
        self.let_order: list[LetDef] = []
        self.current_let: str | None = None
        self.loops = False   # a quantifier or generator over a document collection (recording costs more)

    # -------------------------------------------------------------- helpers
    def err(self, code: str, zh: str, en: str, tok: Token | None, **kw: Any) -> LangError:
        sm = self.lets[self.current_let].sm if self.current_let else self.sm
        line = getattr(tok, "line", None) or 1
        col = getattr(tok, "column", None) or 1
        if self.current_let:
            zh, en = f"let {self.current_let}：{zh}", f"let {self.current_let}: {en}"
        return sm.error(code, zh, en, line, col, let=self.current_let, **kw)

    def names_in_scope(self) -> list[str]:
        return [n for n, _ in self.scope] + list(self.lets) + list(DOC_ROOTS) + ["prev"] + list(CONSTANTS)

    def comp(self, t: Any) -> Node:
        self.depth += 1
        if self.depth > MAX_AST_DEPTH:
            raise self.err("TOO_DEEP", f"表达式嵌套过深（上限 {MAX_AST_DEPTH} 层）",
                           f"expression nested too deeply (limit {MAX_AST_DEPTH})", first_token(t),
                           hint_zh="用 let 给中间结果起名", hint_en="name intermediate results with let")
        try:
            meth = getattr(self, "c_" + t.data)
            return meth(t)
        finally:
            self.depth -= 1

    def truth_fn(self, n: Node, what: str) -> Callable[[Any], Any]:
        if n.is_const and type(n.const) is not bool and type(n.const) is not Unknown:
            raise self.err("TYPE", f"{what}需要真假值", f"{what} needs true/false", n.tok)
        return n.fn

    # -------------------------------------------------------------- literals
    def c_number(self, t: Tree) -> Node:
        tok = t.children[0]
        text = str(tok)
        intpart = text.split(".")[0]
        if len(intpart.lstrip("0")) > MAX_INT_DIGITS:
            raise self.err("BAD_LITERAL", f"数字过大（整数部分最多 {MAX_INT_DIGITS} 位）",
                           f"number too large (at most {MAX_INT_DIGITS} integer digits)", tok)
        if "." in text:
            if len(text) > 40:
                raise self.err("BAD_LITERAL", "小数位数过多", "too many decimal places", tok)
            n = const_node(float(text), tok)
            n.decimals = len(text) - text.index(".") - 1
        else:
            n = const_node(int(text), tok)
            n.decimals = 0
        return n

    def c_string(self, t: Tree) -> Node:
        tok = t.children[0]
        return const_node(_unescape(str(tok)[1:-1]), tok)

    def c_true(self, t: Tree) -> Node:
        return const_node(True)

    def c_false(self, t: Tree) -> Node:
        return const_node(False)

    def c_null(self, t: Tree) -> Node:
        n = const_node(UNKNOWN)
        n.is_null = True
        return n

    def c_list_(self, t: Tree) -> Node:
        items = [self.comp(c) for c in t.children[0].children] if t.children else []
        if all(i.is_const and not i.is_null for i in items):
            return const_node([i.const for i in items], first_token(t))
        fns = [i.fn for i in items]
        return Node(lambda ctx: [f(ctx) for f in fns], 1 + sum(i.size for i in items), first_token(t))

    # -------------------------------------------------------------- names and paths
    def c_name(self, t: Tree) -> Node:
        tok = t.children[0]
        name = str(tok)
        for bname, slot in reversed(self.scope):
            if bname == name:
                return self.var_node(slot, tok)
        if name in self.lets:
            return self.let_ref(name, tok)
        if name in DOC_ROOTS:
            return self.static_path("doc", (name,), document_shape()[name], tok)
        if name == "prev":
            return self.prev_root(tok)
        if name in CONSTANTS:
            return const_node(CONSTANTS[name], tok)
        hz, he = _did_you_mean(name, self.names_in_scope())
        if name in BUILTINS or name in self.functions:
            hz, he = f"{name} 是函数，请写 {name}(…)", f"`{name}` is a function: write {name}(…)"
        elif not name.isascii():
            hz, he = "文字要写在引号里，如 \"信息处理费\"", 'text must be quoted, e.g. "信息处理费"'
        elif name == "let":
            hz, he = "let 写在规则的 let: 部分", "define lets in the rule's `let:` section"
        elif hz is None:
            hz = "可用的根名称：" + "、".join((*DOC_ROOTS, "prev"))
            he = "roots are: " + ", ".join((*DOC_ROOTS, "prev"))
        raise self.err("UNKNOWN_NAME", f"未定义的名称“{name}”", f"unknown name `{name}`", tok, hint_zh=hz, hint_en=he)

    def var_node(self, slot: int, tok: Token) -> Node:
        n = Node(lambda ctx: ctx.vals[slot], 1, tok)
        n.loc = lambda ctx: (ctx.vals[slot], ctx.ptrs[slot])
        n.val = lambda ctx: ctx.vals[slot]
        n.slot = slot
        n.skey = ("var", slot)
        return n

    def prev_root(self, tok: Token) -> Node:
        unk = Unknown(frozenset(("prev:",)))

        def fn(ctx: Any) -> Any:
            p = ctx.prev
            return unk if p is None else p

        n = Node(fn, 1, tok)
        n.raw = lambda ctx: ctx.prev
        n.ptr = "prev:"
        n.shape = document_shape()
        n.path = "prev"
        n.loc = lambda ctx: (ctx.prev, "prev:")
        n.root, n.keys = "prev", ()
        return n

    def static_path(self, root: str, keys: tuple[Any, ...], shape: Any, tok: Token | None) -> Node:
        prefix = "prev:" if root == "prev" else ""
        ptr = prefix + "/" + "/".join(rt.escape(k) for k in keys)
        n = Node(rt.static_fn(root, keys, ptr), 1, tok)
        n.raw = rt.static_raw(root, keys)
        n.ptr = ptr
        n.shape = shape
        n.path = ".".join(str(k) for k in ((("prev",) if root == "prev" else ()) + keys))
        raw = n.raw
        n.loc = lambda ctx: (raw(ctx), ptr)
        n.val = raw
        n.root, n.keys = root, keys
        n.skey = ("path", root, keys)
        return n

    def c_attr(self, t: Tree) -> Node:
        return self.postfix_chain(t)

    def c_index(self, t: Tree) -> Node:
        return self.postfix_chain(t)

    def c_star(self, t: Tree) -> Node:
        return self.postfix_chain(t)

    def postfix_chain(self, t: Tree) -> Node:
        # Flatten x.a[b].c iteratively: long chains must not recurse.
        ops: list[Tree] = []
        while isinstance(t, Tree) and t.data in ("attr", "index", "star"):
            ops.append(t)
            t = t.children[0]
        ops.reverse()
        node = self.comp(t)
        for op in ops:
            if op.data == "attr":
                tok = op.children[1]
                node = self.step(node, str(tok), None, tok)
            elif op.data == "index":
                knode = self.comp(op.children[1])
                tok = knode.tok or first_token(op.children[1])
                if knode.is_const and not knode.is_null:
                    key = knode.const
                    if type(key) is str and key.startswith("__"):
                        raise self.err("FORBIDDEN", f"键“{key}”不允许：规则不能访问 Python 内部",
                                       f"key `{key}` is not allowed: rules cannot reach Python internals", tok)
                    if type(key) not in (str, int):
                        raise self.err("TYPE", "下标须为文字或整数", "an index must be text or an integer", tok)
                    node = self.step(node, key, None, tok)
                else:
                    node = self.step(node, None, knode, tok)
            else:
                node = rt.star_node(node, Node)
        if ops:
            node.tok = first_token(t)   # a path is reported where it starts
        return node

    def step(self, base: Node, key: Any, knode: Node | None, tok: Token | None) -> Node:
        if knode is None and base.keys is not None:
            if len(base.keys) >= MAX_PATH:
                raise self.err("TOO_DEEP", f"路径过长（上限 {MAX_PATH} 段）", f"path too long (limit {MAX_PATH} parts)", tok)
            shape = self.check_shape(base, key, tok)
            return self.static_path(base.root, base.keys + (key,), shape, tok)  # type: ignore[arg-type]
        n = rt.lookup_node(base, key, knode, tok, Node, FUSE)
        if base.skey is not None and (knode is None or knode.slot is not None):
            n.skey = ("get", base.skey, key if knode is None else ("var", knode.slot))
            if knode is not None:   # X[c]: a candidate for the fused quantifier paths
                n.vkind, n.vsrc, n.vbase = "value", (base.skey, None, knode.slot), base.fn
        return n

    def check_shape(self, base: Node, key: Any, tok: Token | None) -> Any:
        shape = base.shape
        if shape is ANY or shape is None:
            return ANY
        if type(key) is not str:
            return ANY
        if shape is LEAF or not shape:
            raise self.err("UNKNOWN_PATH", f"“{base.path}”是一个单元格，没有“{key}”部分",
                           f"`{base.path}` is a single cell; it has no part `{key}`", tok)
        if key not in shape:
            options = sorted(shape)
            hz, he = _did_you_mean(key, options)
            if hz is None:
                hz = "可用：" + "、".join(options[:12])
                he = "available: " + ", ".join(options[:12])
            raise self.err("UNKNOWN_PATH", f"文档中没有“{base.path}.{key}”",
                           f"the document has no `{base.path}.{key}`", tok, hint_zh=hz, hint_en=he)
        return shape[key]

    # -------------------------------------------------------------- lets
    def let_ref(self, name: str, tok: Token) -> Node:
        d = self.lets[name]
        if name in self.let_stack:
            cycle = self.let_stack[self.let_stack.index(name):] + [name]
            text = " → ".join(cycle)
            raise self.err("LET_CYCLE", f"let 循环引用：{text}", f"recursive let: {text}", tok,
                           hint_zh="let 之间不能互相引用成环", hint_en="lets must not refer to each other in a cycle")
        if self.current_let is not None and name not in self.lets[self.current_let].deps:
            self.lets[self.current_let].deps.append(name)
        self.compile_let(d)
        return rt.let_ref_node(d, Node, tok)

    def compile_let(self, d: LetDef) -> None:
        if d.node is not None:
            return
        saved = (self.scope, self.current_let, self.depth)
        self.scope, self.current_let, self.depth = [], d.name, 0
        self.let_stack.append(d.name)
        try:
            if d.tree is None:
                d.tree = parse(d.text, d.sm, d.name)
            d.node = self.comp(d.tree)
        finally:
            self.let_stack.pop()
            self.scope, self.current_let, self.depth = saved
        d.index = len(self.let_order)
        d.key = ("let", d.name, d.text, tuple(self.lets[x].key for x in sorted(d.deps)))
        self.let_order.append(d)

    # -------------------------------------------------------------- logic
    def _flatten(self, t: Tree, name: str) -> list[Any]:
        items: list[Any] = []
        while isinstance(t, Tree) and t.data == name:
            items.append(t.children[1])
            t = t.children[0]
        items.append(t)
        items.reverse()
        return items

    def c_or_(self, t: Tree) -> Node:
        nodes = [self.comp(c) for c in self._flatten(t, "or_")]
        fns = [self.truth_fn(n, "or ") for n in nodes]
        n = Node(rt.or_fn(fns), 1 + sum(x.size for x in nodes), nodes[0].tok)
        if len(nodes) == 2 and self.same_cell(nodes) and nodes[0].vsafe:
            a, b = nodes
            n.vsrc, n.vsafe, n.vbase = a.vsrc, b.vsafe, a.vbase
            n.vcheck = rt.vc_or_absent(b.vcheck) if a.vkind == "absent" else rt.vc_or(a.vcheck, b.vcheck)
        return n

    def c_and_(self, t: Tree) -> Node:
        nodes = [self.comp(c) for c in self._flatten(t, "and_")]
        fns = [self.truth_fn(n, "and ") for n in nodes]
        n = Node(rt.and_fn(fns), 1 + sum(x.size for x in nodes), nodes[0].tok)
        if self.same_cell(nodes):
            n.vsrc, n.vsafe, n.vbase = nodes[0].vsrc, all(x.vsafe for x in nodes), nodes[0].vbase
            n.vcheck = rt.vc_and([x.vcheck for x in nodes])
        return n

    # -------------------------------------------------------------- fused fast paths
    @staticmethod
    def same_cell(nodes: list[Node]) -> bool:
        src = nodes[0].vsrc
        return src is not None and all(x.vcheck is not None and x.vsrc == src for x in nodes)

    @staticmethod
    def cellwise(n: Node, arg: Node, check: Callable[[list[Any]], bool], safe: bool, kind: str) -> Node:
        """Mark ``n`` (a test of the bound lookup ``arg`` such as ``r[c]``) as fusable."""
        if arg.vkind == "value":
            n.vsrc, n.vcheck, n.vsafe, n.vkind, n.vbase = arg.vsrc, check, safe, kind, arg.vbase
        return n

    def c_not_(self, t: Tree) -> Node:
        count = 0
        while isinstance(t, Tree) and t.data == "not_":
            count += 1
            t = t.children[0]
        inner_t = t
        inner = self.comp(t)
        fn = self.truth_fn(inner, "not ")
        if count % 2 == 1 and isinstance(inner_t, Tree) and inner_t.data == "call" \
                and str(inner_t.children[0]) == "present" and "present" not in self.functions:
            arg = self.comp(inner_t.children[1].children[0])
            return self.cellwise(Node(rt.presence_fn(arg.fn, False, arg.val if FUSE else None), inner.size + 1, inner.tok), arg, rt.vc_absent,
                                 True, "absent")
        if count % 2 == 0:
            return Node(rt.not_fn(rt.not_fn(fn)), inner.size + 2, inner.tok)
        return Node(rt.not_fn(fn), inner.size + 1, inner.tok)

    def c_ifexpr(self, t: Tree) -> Node:
        c, a, b = (self.comp(x) for x in t.children)
        return Node(rt.if_fn(self.truth_fn(c, "if "), a.fn, b.fn), 1 + c.size + a.size + b.size, c.tok)

    def c_all_(self, t: Tree) -> Node:
        return self.quantifier(t, True)

    def c_any_(self, t: Tree) -> Node:
        return self.quantifier(t, False)

    def bind(self, tok: Token) -> int:
        name = str(tok)
        if name in DOC_ROOTS or name == "prev" or name in CONSTANTS or name in self.lets:
            raise self.err("SYNTAX", f"变量名“{name}”已被占用", f"the variable name `{name}` is already taken", tok,
                           hint_zh="换一个名称，如 c、r、x", hint_en="choose another name, e.g. c, r, x")
        slot = self.nslots
        self.nslots += 1
        self.scope.append((name, slot))
        return slot

    def quantifier(self, t: Tree, is_all: bool) -> Node:
        vtok, coll_t, body_t = t.children
        coll = self.comp(coll_t)
        if is_all or not coll.is_const:
            self.loops = True   # a recording `all` goes on past the first false (to report every failure)
        slot = self.bind(vtok)
        try:
            body = self.comp(body_t)
            binders = tuple(self.scope)
        finally:
            self.scope.pop()
        bfn = self.truth_fn(body, "all/any ")
        cost = body.size + 1
        scan = None
        if not is_all and FUSE and body.hasarg is not None and body.hasarg[3] == slot:
            needles, func, pcost, _ = body.hasarg
            scan = rt.has_scan(needles, func, pcost)
        fn = rt.all_fn(coll, slot, bfn, binders, cost) if is_all else rt.any_fn(coll, slot, bfn, binders, cost, scan)
        rowcheck = None
        if is_all and FUSE:
            items = coll.const if coll.is_const and type(coll.const) is list else None
            vsrc = body.vsrc
            if body.vcheck is not None and items is not None and all(type(i) is str for i in items) \
                    and vsrc is not None and vsrc[2] == slot and slot not in _slots_in(vsrc[0]):
                rec_slots = (vsrc[0][1], slot) if body.vkind in ("present", "absent") and vsrc[0][0] == "var" \
                    and len(vsrc[0]) == 2 and type(vsrc[0][1]) is int else None
                fn = rt.fused_cells(fn, body.vbase, items, body.vcheck, cost, rec_slots)
                rowcheck = (vsrc[0], items, body.vcheck, cost,
                            (body.vkind == "present", slot, binders) if rec_slots is not None else None)
            elif body.vcheck is not None and coll.keysof is not None and coll.keysof.skey is not None \
                    and vsrc is not None and vsrc[2] == slot and vsrc[0] == coll.keysof.skey \
                    and slot not in _slots_in(vsrc[0]):
                fn = rt.fused_key_cells(fn, body.vbase, body.vcheck, cost)
            elif body.rowcheck is not None and body.rowcheck[0] == ("var", slot) and not coll.is_const:
                _, cols, check, inner_cost, rec_cells = body.rowcheck
                fn = rt.fused_rows(fn, coll, cost, cols, check, inner_cost, slot, bfn,
                                   rec_cells if coll.fixed else None)
            elif body.colsum is not None and items is not None and all(type(i) is str for i in items) \
                    and body.colsum[1][1] == slot:
                base, (rows_node, _kslot, gen_cost) = body.colsum
                fn = rt.fused_col_sums(fn, base, rows_node.fn, items, cost, gen_cost, slot, bfn)
            elif body.keymember is not None and items is not None and all(type(i) is str for i in items) \
                    and body.keymember[0] == slot and body.keymember[1].skey is not None \
                    and slot not in _slots_in(body.keymember[1].skey):
                fn = rt.fused_key_members(fn, body.keymember[1].val, items, cost)
            elif body.sumgen is not None and not coll.is_const:
                (bslot, key, _), (cols, (gbslot, _gkey, gkslot), gen_cost) = body.sumgen
                if bslot == slot and gbslot == slot and gkslot is not None and gkslot != slot and type(key) is str:
                    fn = rt.fused_row_sums(fn, coll, cost, key, cols, gen_cost, slot, bfn)
        n = Node(fn, 1 + coll.size + body.size, vtok)
        n.rowcheck = rowcheck
        return n

    # -------------------------------------------------------------- comparisons
    def _binary(self, t: Tree) -> tuple[Node, Node]:
        a = self.comp(t.children[0])
        b = self.comp(t.children[1])
        return a, b

    def _compare(self, t: Tree, op: str) -> Node:
        a, b = self._binary(t)
        if op in ("==", "!=") and (a.is_null or b.is_null):
            other = b if a.is_null else a
            fn = rt.presence_fn(other.fn, op == "!=", other.val if FUSE else None)
            return Node(fn, 1 + other.size, a.tok)
        if a.is_null or b.is_null:
            raise self.err("TYPE", "null 只能用 == 或 != 比较", "null can only be compared with == or !=", a.tok,
                           hint_zh="判断是否填写请用 present(x)", hint_en="use present(x) to test for a value")
        n = Node(rt.compare_fn(op, a, b), 1 + a.size + b.size, a.tok)
        if op in ("<", "<=", ">", ">=") and b.is_const and type(b.const) in (int, float):
            self.cellwise(n, a, rt.vc_compare(op, b.const), False, "compare")
        if op == "==" and a.vlookup is not None and a.vlookup[2] is None and b.sumgen is not None:
            n.sumgen = (a.vlookup, b.sumgen)   # r.K == sum(r[c] for c in CONST)
        if op == "==" and a.vkind == "value" and a.vsrc[0][0] == "path" and b.colsum is not None \
                and a.vsrc[2] == b.colsum[1]:
            n.colsum = (a.vbase, b.colsum)     # X[c] == sum(r[c] for r in ROWS)
        return self.fold(n, a, b)

    def fold(self, n: Node, *parts: Node) -> Node:
        """Evaluate at load time when every part is a literal: literal type errors surface here."""
        if all(p.is_const for p in parts):
            ctx = rt.Ctx.blank()
            try:
                v = n.fn(ctx)
            except rt.RuntimeFailure as e:
                raise self.err(e.error.code if e.error.code != "INTERNAL" else "TYPE", e.error.zh, e.error.en,
                               parts[0].tok) from None
            except Exception:  # noqa: BLE001 - a slip in a built-in must not escape the loader; run time reports it
                return n
            c = const_node(v, n.tok)
            c.size = n.size
            return c
        return n

    def c_eq(self, t: Tree) -> Node:
        return self._compare(t, "==")

    def c_ne(self, t: Tree) -> Node:
        return self._compare(t, "!=")

    def c_lt(self, t: Tree) -> Node:
        return self._compare(t, "<")

    def c_le(self, t: Tree) -> Node:
        return self._compare(t, "<=")

    def c_gt(self, t: Tree) -> Node:
        return self._compare(t, ">")

    def c_ge(self, t: Tree) -> Node:
        return self._compare(t, ">=")

    def c_in_(self, t: Tree) -> Node:
        a, b = self._binary(t)
        n = self.fold(Node(rt.in_fn(a, b, False), 1 + a.size + b.size, a.tok), a, b)
        if FUSE and a.slot is not None and b.keysof is not None and b.keysof.val is not None:
            n.keymember = (a.slot, b.keysof)
        return n

    def c_not_in(self, t: Tree) -> Node:
        a, b = self._binary(t)
        return self.fold(Node(rt.in_fn(a, b, True), 1 + a.size + b.size, a.tok), a, b)

    def c_approx(self, t: Tree) -> Node:
        a = self.comp(t.children[0])
        b = self.comp(t.children[1])
        w = self.comp(t.children[2]) if len(t.children) > 2 else None
        if w is not None and w.is_const and (type(w.const) not in (int, float) or w.const < 0):
            raise self.err("TYPE", "within 后须为非负数字", "`within` needs a number ≥ 0", w.tok)
        for x in (a, b):
            if x.is_const and type(x.const) not in (int, float):
                raise self.err("TYPE", "~= 只能比较数字", "`~=` compares numbers only", x.tok)
        n = Node(rt.approx_fn(a, b, w), 1 + a.size + b.size + (w.size if w else 0), a.tok)
        return self.fold(n, a, b, *((w,) if w else ()))

    def c_coalesce(self, t: Tree) -> Node:
        items = [self.comp(c) for c in self._flatten(t, "coalesce")]
        return Node(rt.coalesce_fn([i.fn for i in items]), 1 + sum(i.size for i in items), items[0].tok)

    # -------------------------------------------------------------- arithmetic
    def _arith_chain(self, t: Tree, names: tuple[str, str]) -> Node:
        ops: list[tuple[str, Any]] = []
        while isinstance(t, Tree) and t.data in names:
            ops.append((t.data, t.children[1]))
            t = t.children[0]
        ops.reverse()
        node = self.comp(t)
        for opname, sub in ops:
            right = self.comp(sub)
            n = Node(rt.arith_fn(opname, node.fn, right.fn), 1 + node.size + right.size, node.tok)
            node = self.fold(n, node, right)
        return node

    def c_add(self, t: Tree) -> Node:
        return self._arith_chain(t, ("add", "sub"))

    def c_sub(self, t: Tree) -> Node:
        return self._arith_chain(t, ("add", "sub"))

    def c_mul(self, t: Tree) -> Node:
        return self._arith_chain(t, ("mul", "div"))

    def c_div(self, t: Tree) -> Node:
        return self._arith_chain(t, ("mul", "div"))

    def c_neg(self, t: Tree) -> Node:
        count = 0
        while isinstance(t, Tree) and t.data == "neg":
            count += 1
            t = t.children[0]
        inner = self.comp(t)
        if count % 2 == 0:
            if inner.is_const and type(inner.const) in (int, float):
                return inner
            # keep the type check (and turn a literal null into a plain UNKNOWN value)
            return self.fold(Node(rt.neg_fn(rt.neg_fn(inner.fn)), inner.size + 2, inner.tok), inner)
        n = self.fold(Node(rt.neg_fn(inner.fn), inner.size + 1, inner.tok), inner)
        if n.is_const:
            n.decimals = inner.decimals
        return n

    # -------------------------------------------------------------- calls
    def lookup_function(self, tok: Token, nargs: int) -> tuple[str, Builtin | FunctionSpec]:
        name = str(tok)
        spec: Builtin | FunctionSpec | None = BUILTINS.get(name) or self.functions.get(name)
        if spec is None:
            options = sorted({*BUILTINS, *self.functions})
            hz, he = _did_you_mean(name, options)
            if name in DOC_ROOTS or name == "prev" or name in self.lets or name in CONSTANTS:
                hz, he = f"“{name}”不是函数", f"`{name}` is not a function"
            raise self.err("UNKNOWN_FUNCTION", f"没有函数“{name}”", f"unknown function `{name}`", tok,
                           hint_zh=hz, hint_en=he)
        lo, hi = spec.min_args, spec.max_args
        if nargs < lo or (hi is not None and nargs > hi):
            want = f"{lo}" if lo == hi else (f"{lo}–{hi}" if hi is not None else f"≥{lo}")
            sig = spec.doc or name
            raise self.err("ARITY", f"{name}() 需要 {want} 个参数，这里给了 {nargs} 个",
                           f"{name}() takes {want} argument(s), {nargs} given", tok,
                           hint_zh=f"用法：{sig}", hint_en=f"usage: {sig}")
        return name, spec

    def c_call(self, t: Tree) -> Node:
        tok = t.children[0]
        arg_trees = t.children[1].children if len(t.children) > 1 else []
        name, spec = self.lookup_function(tok, len(arg_trees))
        args = [self.comp(a) for a in arg_trees]
        if name == "matches":
            pat = args[1]
            if not (pat.is_const and type(pat.const) is str):
                raise self.err("BAD_REGEX", "matches() 的正则表达式须直接写成文字",
                               "the regex of matches() must be a literal text", pat.tok or tok)
            try:
                rx = re.compile(pat.const)
            except re.error as e:
                raise self.err("BAD_REGEX", f"正则表达式有误：{e}", f"bad regular expression: {e}", pat.tok or tok) from None
            if _nested_repeat(pat.const):
                # Python's re has no time limit: (a+)+ and the like can take exponential time on a
                # long section, so such a pattern is refused when the rule is loaded.
                raise self.err("BAD_REGEX", "正则表达式在重复中又含重复或“|”分支（如 (a+)+、(a|aa)*），可能导致检查长时间卡住，请改写",
                               "the regex repeats a repetition or an alternation (like (a+)+ or (a|aa)*), which "
                               "can make a check hang; rewrite it",
                               pat.tok or tok)
            if regex_sequential_repeats(pat.const):
                raise self.err("BAD_REGEX", "正则表达式中两个不限次数的重复可匹配同一段文字（如 .*.*、.*，.*），"
                               "在长段落上可能卡住几分钟",
                               "two unbounded repetitions in a row can match the same text (like .*.* or .*,.*), "
                               "which can take minutes on a long section", pat.tok or tok,
                               hint_zh="用排除分隔符的字符类代替 .*，如 [^，]*", hint_en="use a class without the separator instead of .*, e.g. [^,]*")
            if regex_leading_repeat(pat.const):
                raise self.err("BAD_REGEX", "正则表达式以不限次数的重复开头（如 .*X）：查找时每个位置都要重扫，长段落上可能卡住",
                               "the regex begins with an unbounded repetition (like .*X): searching rescans it from "
                               "every position, which can hang on a long section", pat.tok or tok,
                               hint_zh="去掉开头的 .*（matches 本来就在任意位置查找）",
                               hint_en="drop the leading .* (matches() searches anywhere anyway)")
            args[1] = const_node(rx, pat.tok)
        if isinstance(spec, Builtin):
            self.check_literal_args(name, args)
            size = 1 + spec.cost + sum(a.size for a in args)
            if name == "present":      # the commonest calls get a closure of their own
                return self.cellwise(Node(rt.presence_fn(args[0].fn, True, args[0].val if FUSE else None), size, tok), args[0], rt.vc_present,
                                     True, "present")
            if name == "is_int" and not args[0].is_const:
                return self.cellwise(Node(rt.is_int_fn(args[0].fn), size, tok), args[0], rt.vc_is_int, True, "is_int")
            if name == "has" and args[1].is_const and type(args[1].const) is list:
                n = Node(rt.has_list_fn(args[0].fn, args[1].const), size, tok)
                a0 = args[0]
                if a0.slot is not None:
                    n.hasarg = (args[1].const, None, 0, a0.slot)
                elif a0.plug1 is not None:
                    n.hasarg = (args[1].const, *a0.plug1)
                return n
            if name == "len" and args[0].lenkeys is not None:   # len(keys(x)): no list is built
                return Node(rt.len_keys_fn(args[0].lenkeys), size, tok)
            n = Node(rt.builtin_call(name, spec, args, sized=True), size, tok)
            n.fixed = name in ("rows", "detail_rows") and args[0].keys is not None
            if name == "keys" and not args[0].is_const:
                n.lenkeys = args[0].fn
                n.keysof = args[0]
            if spec.pure and spec.mode != "located" and name != "present":
                return self.fold(n, *args)
            return n
        n = Node(rt.plugin_call(name, spec, args), 1 + spec.cost + sum(a.size for a in args), tok)
        if len(args) == 1 and args[0].slot is not None:
            n.plug1 = (spec.func, max(int(spec.cost), 1), args[0].slot)
        return n

    def check_literal_args(self, name: str, args: list[Node]) -> None:
        text_first = ("has", "matches", "similarity", "fuzzy_eq", "trim")
        for i, a in enumerate(args):
            if not a.is_const or a.is_null:
                continue
            v = a.const
            bad = False
            if name in text_first and i == 0 and type(v) is not str:
                bad = True
            elif name == "has" and i == 1 and not (type(v) is str or (type(v) is list and all(type(x) is str for x in v))):
                bad = True
            elif name in ("section", "section_title") and i == 0 and type(v) is not int:
                bad = True
            elif name in ("sum", "count", "sorted", "distinct") and type(v) is not list:
                bad = True
            if bad:
                raise self.err("TYPE", f"{name}() 的第 {i + 1} 个参数类型不对", f"argument {i + 1} of {name}() has the wrong type",
                               a.tok, hint_zh=f"用法：{BUILTINS[name].doc}", hint_en=f"usage: {BUILTINS[name].doc}")

    def c_gen(self, t: Tree) -> Node:
        ftok, elem_t, vtok, coll_t, *rest = t.children
        name, spec = self.lookup_function(ftok, 1)
        coll = self.comp(coll_t)
        if not coll.is_const:
            self.loops = True
        slot = self.bind(vtok)
        try:
            elem = self.comp(elem_t)
            cond = self.comp(rest[0]) if rest else None
        finally:
            self.scope.pop()
        cost = elem.size + (cond.size if cond else 0) + 1
        gen = Node(rt.gen_fn(coll, slot, elem.fn, self.truth_fn(cond, "if ") if cond else None, cost, elem.vlookup),
                   1 + coll.size + cost, ftok)
        if isinstance(spec, Builtin):
            n = Node(rt.builtin_call(name, spec, [gen]), 1 + gen.size + spec.cost, ftok)
            if name == "sum" and cond is None and elem.vlookup is not None and elem.vlookup[2] == slot \
                    and coll.is_const and type(coll.const) is list and all(type(i) is str for i in coll.const):
                n.sumgen = (coll.const, elem.vlookup, cost)
            if name == "sum" and cond is None and elem.vlookup is not None and elem.vlookup[0] == slot \
                    and elem.vlookup[2] is not None and elem.vlookup[2] != slot and coll.fixed:
                n.colsum = (coll, elem.vlookup[2], cost)   # sum(r[c] for r in ROWS), c bound outside
            return n
        return Node(rt.plugin_call(name, spec, [gen]), 1 + gen.size + spec.cost, ftok)


def _slots_in(skey: Any) -> set[int]:
    """The variable slots a structural key depends on."""
    out: set[int] = set()
    todo = [skey]
    while todo:
        k = todo.pop()
        if type(k) is tuple and k:
            if k[0] == "var":
                out.add(k[1])
            elif k[0] == "get":
                todo.extend((k[1], k[2]))
    return out


# ------------------------------------------------------------------ public entry
def _as_sourcemap(text: str, origin: Any, indent: int | None, source_text: str | None,
                  default_file: str | None = None) -> SourceMap:
    if origin is None:
        return SourceMap(default_file, 1, 1, text, indent, None)
    file, line, col, *rest = origin
    if rest and indent is None:
        indent = rest[0]
    return SourceMap(file, int(line or 1), int(col or 1), text, indent, source_text)


def build(source: str, lets: Mapping[str, Any] | None, functions: Mapping[str, FunctionSpec] | None,
          origin: Any, indent: int | None, source_text: str | None) -> rt.CompiledExpression:
    if not isinstance(source, str):
        raise SourceMap(None, 1, 1, "").error("TYPE", "表达式须为文字", "the expression must be text")
    sm = _as_sourcemap(source, origin, indent, source_text)
    fns: Mapping[str, FunctionSpec] = functions or {}
    letdefs: dict[str, LetDef] = {}
    for name, spec in (lets or {}).items():
        if isinstance(spec, Mapping):
            text = spec.get("expr", "")
            lsm = _as_sourcemap(text, spec.get("origin"), spec.get("indent"), spec.get("source_text", source_text),
                                sm.file)
        elif isinstance(spec, tuple):
            text = spec[0]
            lsm = _as_sourcemap(text, spec[1] if len(spec) > 1 else None, None, source_text, sm.file)
        else:
            text = spec
            lsm = SourceMap(sm.file, 1, 1, text if isinstance(text, str) else "")
        if not isinstance(name, str) or not name.isidentifier() or name in KEYWORDS or name.startswith("_"):
            raise lsm.error("SYNTAX", f"let 名称“{name}”无效", f"invalid let name `{name}`",
                            hint_zh="let 名称用英文字母、数字和下划线", hint_en="use letters, digits and _")
        if name in DOC_ROOTS or name == "prev" or name in CONSTANTS or name in BUILTINS or name in fns:
            raise lsm.error("SYNTAX", f"let 名称“{name}”与内置名称重复", f"let name `{name}` hides a built-in name",
                            hint_zh="换一个名称", hint_en="choose another name")
        if not isinstance(text, str):
            raise lsm.error("TYPE", f"let {name} 的表达式须为文字", f"let {name} must be an expression text")
        letdefs[name] = LetDef(name, text, lsm)
    c = Compiler(sm, letdefs, fns)
    tree = parse(source, sm)
    root = c.comp(tree)
    for d in letdefs.values():       # every let is checked, used or not
        c.compile_let(d)
    return rt.CompiledExpression(source, root, c.nslots, c.let_order, record_first=not c.loops)


_CACHE: dict[Any, rt.CompiledExpression] = {}


_SCALARS = (str, int, float, bool, type(None))


def _freeze(v: Any) -> Any:
    """A hashable stand-in for ``v`` (the compile cache's key; this runs for every let of every rule
    at start, so scalars, plain dicts and flat tuples take the short ways)."""
    t = type(v)
    if t in _SCALARS:
        return v
    if t is dict or isinstance(v, Mapping):
        return tuple(sorted((k, x if type(x) in _SCALARS else _freeze(x)) for k, x in v.items()))
    if t is tuple or t is list or isinstance(v, (list, tuple)):
        return tuple(x if type(x) in _SCALARS else _freeze(x) for x in v)
    return v


def compile_expression(source: str, lets: Mapping[str, Any] | None = None,
                       functions: Mapping[str, FunctionSpec] | None = None,
                       origin: tuple[Any, ...] | None = None, *, indent: int | None = None,
                       source_text: str | None = None) -> rt.CompiledExpression:
    """Compile ``source`` once (cached by source, lets and functions); raises :class:`LangError`.

    ``lets`` maps names to expression texts, or to ``(text, origin)`` tuples, or to
    ``{"expr": text, "origin": (file, line, col), "indent": n}`` so that errors inside a let
    point into its own YAML node. ``origin`` is ``(file, line, col)`` of the expression's first
    character (optionally a 4th item, the block-scalar ``indent``); ``source_text`` is the whole
    YAML file, used to show the real line under the error.
    """
    try:
        key: Any = (source, _freeze(lets or {}), tuple(sorted((k, (v.func, v.min_args, v.max_args, v.cost))
                                                               for k, v in (functions or {}).items())))
        hash(key)
    except TypeError:
        key = None
    if key is not None:
        hit = _CACHE.get(key)
        if hit is not None:
            return hit
    compiled = build(source, lets, functions, origin, indent, source_text)
    if key is not None:
        if len(_CACHE) > 4096:
            _CACHE.clear()
        _CACHE[key] = compiled
    return compiled


