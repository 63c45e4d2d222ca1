"""The parse trees the compiler works on, and a persistent cache of them.

Building the LALR parser and parsing every expression of the national pack costs ~150 ms per
start (plus importing Lark); the tree of an expression only depends on its text, the grammar and
the Lark version. So parse trees are converted into the small :class:`Tree` / :class:`Token`
classes below (the compiler only ever sees these, cached or fresh) and kept in one JSON file per
(grammar, Lark, gipcheck, format) in the user's cache directory. Only successful parses are
stored; every error path parses afresh. An unreadable, corrupt or foreign cache is ignored.

``GIPCHECK_CACHE_DIR`` sets the directory; ``GIPCHECK_NO_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

FORMAT = 2                # bump when the stored encoding changes
MAX_ENTRIES = 5_000       # entries kept in one cache file (oldest dropped beyond)
MAX_TEXT = 4_000          # longer expressions are not stored
MAX_FILE_BYTES = 8 << 20  # a bigger file is not read


class Tree:
    """An inner node: ``data`` is the rule alias (``add``, ``call``…), ``children`` trees/tokens."""

    __slots__ = ("data", "children")

    def __init__(self, data: str, children: list[Any]) -> None:
        self.data = data
        self.children = children

    def __repr__(self) -> str:
        return f"Tree({self.data!r}, {self.children!r})"


class Token(str):
    """A terminal: the text itself, with its ``type`` and 1-based ``line`` / ``column``."""

    type: str
    line: int
    column: int

    def __new__(cls, type_: str, value: str, line: int, column: int) -> Token:
        t = str.__new__(cls, value)
        t.type, t.line, t.column = type_, line, column
        return t


# ------------------------------------------------------------------ conversion
def from_lark(root: Any) -> Any:
    """Convert a Lark tree into :class:`Tree`/:class:`Token` (iteratively: chains may be long)."""
    from lark import Token as LToken

    def conv_tok(t: Any) -> Token:
        return Token(str(t.type), str(t), int(t.line or 1), int(t.column or 1))

    if isinstance(root, LToken):
        return conv_tok(root)
    out = Tree(str(root.data), [])
    stack = [(root, out)]
    while stack:
        src, dst = stack.pop()
        for c in src.children:
            if isinstance(c, LToken):
                dst.children.append(conv_tok(c))
            else:
                node = Tree(str(c.data), [])
                dst.children.append(node)
                stack.append((c, node))
    return out


def encode(root: Any) -> list[list[Any]]:
    """Post-order flat list: a token is ``[type, text, line, col]``, a tree ``[data, n_children]``."""
    out: list[list[Any]] = []
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if isinstance(node, Token):
            out.append([node.type, str(node), node.line, node.column])
        elif done:
            out.append([node.data, len(node.children)])
        else:
            stack.append((node, True))
            for c in reversed(node.children):
                stack.append((c, False))
    return out


class _Bad(Exception):
    pass


def _line_starts(src: str) -> list[int]:
    starts = [0]
    i = src.find("\n")
    while i >= 0:
        starts.append(i + 1)
        i = src.find("\n", i + 1)
    return starts


def decode(flat: Any, src: str, shapes: bool = True) -> Any:
    """Rebuild a tree from :func:`encode`; raises ``_Bad`` unless every item is well formed and
    every token's text sits at its stated position in ``src`` (and, with ``shapes``, every tree has
    a shape the grammar gives)."""
    if type(flat) is not list or not flat:
        raise _Bad
    starts = _line_starts(src)
    nlines = len(starts)
    stack: list[Any] = []
    # Token and Tree are made without calling their Python-level constructors (the same objects;
    # this loop rebuilds every parse tree at every start)
    new_str, new_tree = str.__new__, object.__new__
    for item in flat:
        if type(item) is not list:
            raise _Bad
        if len(item) == 4:
            ttype, text, line, col = item
            if type(ttype) is not str or type(text) is not str or type(line) is not int or type(col) is not int:
                raise _Bad
            if not 1 <= line <= nlines or col < 1:
                raise _Bad
            at = starts[line - 1] + col - 1
            if src[at:at + len(text)] != text:
                raise _Bad
            tok = new_str(Token, text)
            tok.type, tok.line, tok.column = ttype, line, col
            stack.append(tok)
        elif len(item) == 2:
            data, n = item
            if type(data) is not str or type(n) is not int or not 0 <= n <= len(stack):
                raise _Bad
            node = new_tree(Tree)
            node.data = data
            if n:
                node.children = stack[-n:]
                del stack[-n:]
            else:
                node.children = []
            stack.append(node)
        else:
            raise _Bad
    if len(stack) != 1:
        raise _Bad
    if shapes:
        _check_shape(stack[0])
    return stack[0]


# The shapes the grammar gives each rule: "E" an expression tree, "A" the args tree, a terminal's
# name a token of that type; a tree of any other shape never came from the parser (a corrupt or
# doctored cache file) and would crash the compiler, so it is refused.
_BIN = (("E", "E"),)
_SHAPES: dict[str, tuple[tuple[str, ...], ...]] = {
    **dict.fromkeys(("or_", "and_", "add", "sub", "mul", "div", "coalesce", "eq", "ne", "lt", "le", "gt", "ge",
                     "in_", "not_in", "index"), _BIN),
    "approx": (("E", "E"), ("E", "E", "E")),
    "not_": (("E",),), "neg": (("E",),), "star": (("E",),),
    "attr": (("E", "NAME"),),
    "ifexpr": (("E", "E", "E"),),
    "all_": (("NAME", "E", "E"),), "any_": (("NAME", "E", "E"),),
    "number": (("NUMBER",),), "string": (("STRING",),), "name": (("NAME",),),
    "true": ((),), "false": ((),), "null": ((),),
    "call": (("NAME",), ("NAME", "A")),
    "gen": (("NAME", "E", "NAME", "E"), ("NAME", "E", "NAME", "E", "E")),
    "list_": ((), ("A",)),
}
_TOKEN_RX = {"NUMBER": re.compile(r"[0-9]+(\.[0-9]+)?"), "NAME": re.compile(r"[^\W\d]\w*"),
             "STRING": re.compile(r'"([^"\\\n]|\\.)*"|\'([^\'\\\n]|\\.)*\'')}


def _check_shape(root: Any) -> None:
    todo = [root]
    if not isinstance(root, Tree) or root.data == "args":
        raise _Bad
    while todo:
        t = todo.pop()
        kids = t.children
        if t.data == "args":
            if not kids or not all(isinstance(k, Tree) and k.data != "args" for k in kids):
                raise _Bad
            todo.extend(kids)
            continue
        shapes = _SHAPES.get(t.data)
        if shapes is None or not any(len(sh) == len(kids) for sh in shapes):
            raise _Bad
        shape = next(sh for sh in shapes if len(sh) == len(kids))
        for want, k in zip(shape, kids, strict=True):
            if want == "E":
                if not isinstance(k, Tree) or k.data == "args":
                    raise _Bad
                todo.append(k)
            elif want == "A":
                if not isinstance(k, Tree) or k.data != "args":
                    raise _Bad
                todo.append(k)
            elif not isinstance(k, Token) or k.type != want or not _TOKEN_RX[want].fullmatch(k):
                raise _Bad


# ------------------------------------------------------------------ the persistent store
def _lark_version() -> str:
    """Lark's version without importing Lark (importlib.metadata alone costs ~40 ms)."""
    import importlib.util

    spec = importlib.util.find_spec("lark")
    if spec is None or not spec.origin:
        return "?"
    try:
        head = Path(spec.origin).read_text(encoding="utf-8")
    except OSError:
        return "?"
    m = re.search(r"__version__\s*(?::\s*str\s*)?=\s*['\"]([^'\"]+)['\"]", head)
    return m.group(1) if m else "?"


def _digest(entries: dict[str, Any]) -> str:
    """The digest of the entries as saved (json keeps their order, so a reload reproduces it)."""
    text = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _saved_digest(text: str) -> str | None:
    """:func:`_digest` of the entries of a file as :meth:`Store.save` writes it, taken from the
    file's text (the entries come last, written as ``_digest`` writes them) rather than by
    writing them out again, which costs ~3 ms at every start. Any other text gives a digest
    that does not match (the file is then checked tree by tree)."""
    at = text.find('"entries":')
    if at < 0 or not text.endswith("}"):
        return None
    return hashlib.sha256(text[at + len('"entries":'):-1].encode("utf-8")).hexdigest()


def cache_dir() -> Path | None:
    if os.environ.get("GIPCHECK_NO_CACHE", "").lower() in ("1", "true", "yes"):
        return None
    d = os.environ.get("GIPCHECK_CACHE_DIR")
    if d:
        return Path(d)
    base = os.environ.get("XDG_CACHE_HOME") or (os.path.join(os.path.expanduser("~"), ".cache"))
    return Path(base) / "gipcheck"


class Store:
    """Expression text → flat tree, loaded lazily from one file; new entries saved by :meth:`save`."""

    def __init__(self, grammar: str) -> None:
        from gipcheck import __version__

        ident = f"{FORMAT}\n{__version__}\n{_lark_version()}\n{grammar}"
        self.key = hashlib.sha256(ident.encode("utf-8")).hexdigest()[:24]
        self.entries: dict[str, Any] | None = None
        self.dirty = False
        self.recording = 0   # > 0 while rule packs load: only their expressions are stored
        self.decoded: dict[str, Any] = {}   # trees already rebuilt in this process (never mutated)
        # entries exactly as this code saved them (their digest matches): their trees came from the
        # parser, so the per-tree shape check (a fifth of start-up's parse-tree work) is skipped
        self.trusted = False

    def path(self) -> Path | None:
        d = cache_dir()
        return None if d is None else d / f"ast-{self.key}.json"

    def _load(self) -> dict[str, Any]:
        if self.entries is None:
            self.entries = {}
            p = self.path()
            try:
                if p is not None and p.is_file() and p.stat().st_size <= MAX_FILE_BYTES:
                    text = p.read_text(encoding="utf-8")
                    data = json.loads(text)
                    if type(data) is dict and data.get("format") == FORMAT and data.get("key") == self.key \
                            and type(data.get("entries")) is dict:
                        self.entries = data["entries"]
                        self.trusted = _saved_digest(text) == data.get("digest")
                        # an older or edited file: rewritten at the next save with only the entries
                        # this run has checked, so that later runs trust it
                        self.dirty = not self.trusted
            except (OSError, ValueError, UnicodeDecodeError, RecursionError):
                self.entries = {}
        return self.entries

    def get(self, src: str) -> Any:
        """The tree of ``src`` or None (absent or not trustworthy)."""
        tree = self.decoded.get(src)
        if tree is not None:
            return tree
        flat = self._load().get(src)
        if flat is None:
            return None
        try:
            tree = self.decoded[src] = decode(flat, src, shapes=not self.trusted)
            return tree
        except (_Bad, ValueError, TypeError, IndexError):
            self.entries.pop(src, None)  # type: ignore[union-attr]
            return None

    def put(self, src: str, tree: Any) -> None:
        if self.recording <= 0 or len(src) > MAX_TEXT:
            return
        entries = self._load()
        entries[src] = encode(tree)
        self.dirty = True
        if len(self.decoded) > MAX_ENTRIES:
            self.decoded.clear()
        self.decoded[src] = tree

    def save(self) -> None:
        """Write new entries (atomically; any failure leaves the cache as it was)."""
        if not self.dirty or self.entries is None:
            return
        self.dirty = False
        p = self.path()
        if p is None:
            return
        entries = self.entries if self.trusted else {k: v for k, v in self.entries.items() if k in self.decoded}
        if len(entries) > MAX_ENTRIES:
            entries = dict(list(entries.items())[-MAX_ENTRIES:])
        try:
            # Another process may have added entries meanwhile: keep theirs too.
            if p.is_file() and p.stat().st_size <= MAX_FILE_BYTES:
                old = json.loads(p.read_text(encoding="utf-8"))
                if type(old) is dict and old.get("key") == self.key and type(old.get("entries")) is dict \
                        and old.get("digest") == _digest(old["entries"]):  # only a verified save is kept
                    entries = {**old["entries"], **entries}
            text = json.dumps({"format": FORMAT, "key": self.key, "digest": _digest(entries), "entries": entries},
                              ensure_ascii=False, separators=(",", ":"))
            _write_atomic(p, text)
        except (OSError, ValueError, RecursionError, UnicodeDecodeError):
            pass


def _write_atomic(p: Path, text: str) -> None:
    """Write ``text`` to ``p`` through a temporary file, so readers see the old or the new file whole."""
    import tempfile  # only when something new is saved

    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name.split('-', 1)[0]}-", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class DataStore:
    """Plain JSON data keyed by a digest of the text it was worked out from (the checked contents
    of rule files, see :mod:`gipcheck.engine.packs`), in one file per ``kind`` and ``ident`` beside
    the parse trees. The file is a header line (format, key, the SHA-256 of the rest) and the
    entries; a file whose digest does not match, or of another key, is ignored whole. Entries
    are only ever written by code that checked the text fully, so a hit may skip that work."""

    def __init__(self, kind: str, ident: str, max_entries: int = 500) -> None:
        from gipcheck import __version__

        self.kind = kind
        self.key = hashlib.sha256(f"{FORMAT}\n{__version__}\n{kind}\n{ident}".encode()).hexdigest()[:24]
        self.max_entries = max_entries
        self.entries: dict[str, Any] | None = None
        self.new: dict[str, Any] = {}

    def path(self) -> Path | None:
        d = cache_dir()
        return None if d is None else d / f"{self.kind}-{self.key}.json"

    def _read(self) -> dict[str, Any]:
        """The verified entries of the file on disk ({} when absent, foreign, edited or corrupt)."""
        p = self.path()
        try:
            if p is None or not p.is_file() or p.stat().st_size > MAX_FILE_BYTES:
                return {}
            raw = p.read_bytes()
            nl = raw.find(b"\n")
            head = json.loads(raw[:nl]) if nl > 0 else None
            body = raw[nl + 1:]
            if type(head) is not dict or head.get("format") != FORMAT or head.get("key") != self.key \
                    or head.get("digest") != hashlib.sha256(body).hexdigest():
                return {}
            entries = json.loads(body)
            return entries if type(entries) is dict else {}
        except (OSError, ValueError, UnicodeDecodeError, RecursionError):
            return {}

    def get(self, digest: str) -> Any:
        """The entry for ``digest``, once: its objects become the caller's (a later load in this
        process works afresh rather than share them)."""
        if self.entries is None:
            self.entries = self._read()
        return self.entries.pop(digest, None)

    def put(self, digest: str, value: Any) -> None:
        """Keep ``value`` for the next :meth:`save` (None keeps nothing)."""
        if value is not None:
            self.new[digest] = value

    def save(self) -> None:
        """Add this process's entries to the file (atomically; any failure leaves it as it was)."""
        if not self.new:
            return
        new, self.new = self.new, {}
        p = self.path()
        if p is None:
            return
        try:
            entries = {**self._read(), **new}   # another process may have added entries meanwhile
            if len(entries) > self.max_entries:
                entries = dict(list(entries.items())[-self.max_entries:])
            body = json.dumps(entries, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            head = json.dumps({"format": FORMAT, "key": self.key, "digest": hashlib.sha256(body).hexdigest()})
            _write_atomic(p, head + "\n" + body.decode("utf-8"))
        except (OSError, ValueError, RecursionError, UnicodeDecodeError):
            pass
