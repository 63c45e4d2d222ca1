"""``gipcheck explain RULE FILE``: why one rule passed, failed or was not evaluated on one report.

The rule language compiles to closures that keep no per-node values, so explain re-walks the
parsed expression (the same LALR grammar, with source positions) and evaluates every
sub-expression with the same compiler and runtime. Inside ``all``/``any``/generators the bound
variable is replaced by the literal value (a column name) or the path of the bound row, so each
binding's body is evaluated on its own. Every value lists the cells it read: their JSON pointer,
official label, value and where they came from in the file (line, column, raw text).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Tree

from gipcheck.engine.engine import applies_to, evaluate, fmt_value, pointer_label
from gipcheck.engine.model import meta_of
from gipcheck.errors import EXIT_USAGE, GipcheckError
from gipcheck.load.base import LoadedReport

MAX_NODES = 400        # sub-expressions shown per explanation
MAX_DEPTH = 8          # nesting shown
MAX_BINDINGS = 12      # quantifier bindings listed; only failing/deciding ones are expanded
MAX_EXPANDED = 3
MAX_READS = 12         # cells listed per sub-expression

_LITERALS = {"number", "string", "true", "false", "null"}
_LEAVES = {"name", "attr", "index", "star", "gen", "list_"}
_STATUS = {
    "zh": {"pass": "通过", "fail": "不通过", "unknown": "未能评估", "error": "出错", "not_applicable": "不适用"},
    "en": {"pass": "passed", "fail": "failed", "unknown": "not evaluated", "error": "error",
           "not_applicable": "does not apply"},
}


@cache
def _parser() -> Lark:
    grammar = (Path(str(__import__("gipcheck.lang.compiler", fromlist=["x"]).__file__)).with_name("grammar.lark")
               .read_text(encoding="utf-8"))
    return Lark(grammar, parser="lalr", lexer="contextual", start="start", propagate_positions=True)


def _literal(v: Any, ptr: str | None) -> str | None:
    """An expression text standing for one bound value: a literal, or the path of a bound row."""
    if ptr:
        root, rest = ("prev", ptr[5:]) if ptr.startswith("prev:") else (None, ptr)
        parts = [p.replace("~1", "/").replace("~0", "~") for p in rest.strip("/").split("/") if p]
        if not parts:
            return root
        head = root or parts.pop(0)
        return head + "".join(f"[{int(p)}]" if p.isdigit() else f'["{p}"]' for p in parts)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, str) and '"' not in v and "\\" not in v and "\n" not in v:
        return f'"{v}"'
    return None


class _Explainer:
    def __init__(self, rule: Any, loaded: LoadedReport, prev: LoadedReport | None, lang: str) -> None:
        from gipcheck.engine.functions import engine_functions

        self.rule, self.loaded, self.prev, self.lang = rule, loaded, prev, lang
        self.doc = loaded.document
        self.prev_doc = prev.document if prev else None
        self.functions = engine_functions()
        self.lets = {k: {"expr": v.text} for k, v in rule.all_lets.items()}
        self.count = 0

    # ------------------------------------------------------------ evaluation
    def value_of(self, text: str) -> dict[str, Any]:
        """Compile ``text`` with the rule's lets and evaluate it on the report."""
        from gipcheck.lang import compile_expression, is_unknown

        try:
            compiled = compile_expression(text, lets=self.lets, functions=self.functions)
        except Exception as e:  # noqa: BLE001 - a fragment that cannot stand alone is shown without value
            return {"ok": False, "error": getattr(e, "zh" if self.lang == "zh" else "en", str(e))}
        o = compiled.evaluate(self.doc, prev=self.prev_doc, record=True)
        v = o.value
        out: dict[str, Any] = {"ok": True, "reads": list(dict.fromkeys(o.reads or []))}
        if o.status == "error" and getattr(o.error, "code", "") != "NOT_BOOLEAN":
            out["error"] = o.error.message(self.lang) if hasattr(o.error, "message") else str(o.error)
        if is_unknown(v) or o.status == "unknown":
            out["unknown"] = True
            out["missing"] = sorted(getattr(v, "missing", []) or o.missing or [])
            out["reasons"] = sorted(getattr(v, "reasons", []) or o.reasons or [])
        out["value"] = v
        out["ptrs"] = getattr(v, "ptrs", None)
        return out

    def cells(self, reads: list[str]) -> list[dict[str, Any]]:
        from gipcheck.engine.engine import _resolve

        out = []
        for p in reads[:MAX_READS]:
            is_prev = p.startswith("prev:")
            src = (self.prev if is_prev else self.loaded)
            key = p[5:] if is_prev else p
            loc = None
            while src is not None and key and loc is None:  # a fact's value sits where the fact does
                loc = src.locations.get(key)
                key = key.rsplit("/", 1)[0]
            entry: dict[str, Any] = {"pointer": p, "label": pointer_label(p, self.lang),
                                     "value": _resolve(self.doc, self.prev_doc, p)}
            if loc is not None:
                entry.update({k: v for k, v in loc.to_json().items() if k in ("line", "col", "text", "page", "where",
                                                                             "recovered")})
                entry["file"] = "prev" if is_prev else "report"
            out.append(entry)
        if len(reads) > MAX_READS:
            out.append({"more": len(reads) - MAX_READS})
        return out

    # ------------------------------------------------------------ tree walk
    def text_of(self, t: Any, src: str, subst: dict[str, str]) -> str:
        """The source text of sub-tree ``t``, bound names replaced by their values."""
        a, b = t.meta.start_pos, t.meta.end_pos
        repl: list[tuple[int, int, str]] = []

        def walk(n: Any, shadowed: frozenset[str]) -> None:
            if isinstance(n, Token):
                return
            if n.data == "name":
                tok = n.children[0]
                if str(tok) in subst and str(tok) not in shadowed:
                    repl.append((tok.start_pos, tok.end_pos, subst[str(tok)]))
                return
            if n.data in ("all_", "any_"):
                walk(n.children[1], shadowed)
                walk(n.children[2], shadowed | {str(n.children[0])})
                return
            if n.data == "gen":
                inner = shadowed | {str(n.children[2])}
                walk(n.children[1], inner)
                walk(n.children[3], shadowed)
                for c in n.children[4:]:
                    walk(c, inner)
                return
            if n.data == "attr":
                walk(n.children[0], shadowed)  # the attribute name is a key, never a variable
                return
            for c in n.children:
                walk(c, shadowed)

        walk(t, frozenset())
        out = src[a:b]
        for s, e, lit in sorted(repl, reverse=True):
            out = out[: s - a] + lit + out[e - a:]
        return " ".join(out.split())

    def node(self, t: Any, src: str, subst: dict[str, str], depth: int) -> dict[str, Any] | None:
        if isinstance(t, Token) or self.count >= MAX_NODES:
            return None
        self.count += 1
        text = self.text_of(t, src, subst)
        got = self.value_of(text)
        n: dict[str, Any] = {"expr": text, **{k: v for k, v in got.items() if k != "ptrs"}}
        if got.get("reads"):
            n["cells"] = self.cells(got["reads"])
        if t.data in ("name",) and str(t.children[0]) in self.rule.all_lets:
            n["let"] = str(t.children[0])
        if depth >= MAX_DEPTH:
            return n
        kids: list[dict[str, Any]] = []
        data = t.data
        if data in ("all_", "any_"):
            var, coll_t, body_t = t.children
            cn = self.node(coll_t, src, subst, depth + 1)
            if cn:
                kids.append(cn)
            coll = self.value_of(self.text_of(coll_t, src, subst))
            items = coll.get("value")
            if isinstance(items, list):
                ptrs = coll.get("ptrs") or getattr(items, "ptrs", None)
                bindings = []
                expanded = 0
                for i, item in enumerate(items[:MAX_BINDINGS * 4]):
                    ptr = ptrs[i] if ptrs and i < len(ptrs) else None
                    lit = _literal(item, ptr)
                    if lit is None:
                        continue
                    inner = {**subst, str(var): lit}
                    body = self.value_of(self.text_of(body_t, src, inner))
                    v = body.get("value")
                    deciding = (v is False) if data == "all_" else (v is True)
                    entry: dict[str, Any] = {"binding": f"{var} = {lit}", "value": v,
                                             "unknown": body.get("unknown", False)}
                    if ptr:
                        entry["label"] = pointer_label(ptr, self.lang)
                    if body.get("missing"):
                        entry["missing"] = body["missing"]
                    if (deciding or body.get("unknown")) and expanded < MAX_EXPANDED:
                        expanded += 1
                        sub = self.node(body_t, src, inner, depth + 2)
                        if sub:
                            entry["body"] = sub
                    bindings.append(entry)
                # Deciding and unknown bindings first, so a long loop shows what matters.
                bindings.sort(key=lambda b: (0 if "body" in b else 1))
                n["bindings"] = bindings[:MAX_BINDINGS]
                if len(bindings) > MAX_BINDINGS:
                    n["more_bindings"] = len(bindings) - MAX_BINDINGS
            n["children"] = kids
            return n
        if data in _LEAVES or data in _LITERALS:
            return n
        if data in ("or_", "and_", "add", "sub", "mul", "div", "coalesce"):
            parts: list[Any] = []
            cur = t
            while isinstance(cur, Tree) and cur.data in (data, *(("add", "sub") if data in ("add", "sub") else ()),
                                                         *(("mul", "div") if data in ("mul", "div") else ())):
                parts.append(cur.children[1])
                cur = cur.children[0]
            parts.append(cur)
            children = list(reversed(parts))
        elif data == "call":
            children = list(t.children[1].children) if len(t.children) > 1 else []
        else:
            children = [c for c in t.children if isinstance(c, Tree)]
        for c in children:
            if isinstance(c, Tree) and c.data in _LITERALS:
                continue
            k = self.node(c, src, subst, depth + 1)
            if k:
                kids.append(k)
        n["children"] = kids
        return n

    def tree(self, src: str) -> dict[str, Any] | None:
        try:
            t = _parser().parse(src)
        except Exception:  # noqa: BLE001 - the rule compiled, so this cannot happen in practice
            return None
        if isinstance(t, Token):
            return None
        return self.node(t, src, {}, 0)


def explain_data(checker: Any, rule_id: str, path: str | Path | LoadedReport, *,
                 prev: str | Path | LoadedReport | None = None, lang: str = "zh") -> dict[str, Any]:
    """The explanation as data: the rule, the verdict, the finding or the missing cells, and the
    tree of sub-expressions with their values and the cells they read."""
    rule = pack = None
    for p in checker.packs:
        for r in p.rules:
            if r.id == rule_id:
                rule, pack = r, p
    if rule is None:
        import difflib

        ids = [r.id for p in checker.packs for r in p.rules]
        near = difflib.get_close_matches(rule_id, ids, n=1)
        hint_zh, hint_en = (f"，是否应为 {near[0]}？" if near else ""), (f"; did you mean {near[0]}?" if near else "")
        raise GipcheckError("UNKNOWN_RULE", f"没有这条规则：{rule_id}{hint_zh}", f"no such rule: {rule_id}{hint_en}",
                            exit_code=EXIT_USAGE)
    loaded = path if isinstance(path, LoadedReport) else checker.load(path)
    prev_loaded = prev if isinstance(prev, LoadedReport) or prev is None else checker.load(prev)
    meta = meta_of(loaded.document)
    ok, missing_meta = applies_to(rule, meta)
    result = evaluate(loaded, [pack], prev=prev_loaded, lang=lang, only=[rule_id])
    if not ok:
        status = "not_applicable"
    elif result.findings:
        status = "fail"
    elif result.not_evaluated:
        status = "unknown"
    elif rule_id in result.passed:
        status = "pass"
    else:
        status = "error"
    x = _Explainer(rule, loaded, prev_loaded, lang)
    data: dict[str, Any] = {
        "rule": rule.id, "title": rule.title.get(lang) or rule.title.get("zh"), "severity": rule.severity,
        "basis": rule.basis, "pack": rule.pack, "file": rule.file, "line": rule.line, "expr": rule.expr.text.strip(),
        "applies": rule.applies, "source": str(path if not isinstance(path, LoadedReport) else "<document>"),
        "status": status, "meta": {k: meta.get(k) for k in ("organ", "year", "format", "organ_kind", "organ_level")},
    }
    if not ok:
        return data
    if missing_meta:
        data["missing_meta"] = missing_meta
    if result.findings:
        data["finding"] = result.findings[0].to_json()
    if result.not_evaluated:
        data["not_evaluated"] = result.not_evaluated[0].to_json()
    if result.problems:
        data["problems"] = [p.to_json() for p in result.problems]
    data["tree"] = x.tree(rule.expr.text)
    used = [name for name in rule.all_lets if _mentions(rule.expr.text, name) or
            any(_mentions(rule.all_lets[o].text, name) for o in rule.all_lets if _mentions(rule.expr.text, o))]
    data["lets"] = {}
    for name in used:
        data["lets"][name] = x.tree(rule.all_lets[name].text)
    return data


def _mentions(text: str, name: str) -> bool:
    import re

    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", text) is not None


# ------------------------------------------------------------------ text
def _val(n: dict[str, Any], lang: str) -> str:
    if n.get("error") and "value" not in n:
        return ("（无法单独求值：" if lang == "zh" else "(cannot evaluate alone: ") + str(n["error"]) + ("）" if lang == "zh" else ")")
    if n.get("error"):
        return ("出错：" if lang == "zh" else "error: ") + str(n["error"])
    if n.get("unknown"):
        miss = n.get("missing") or []
        s = ("未知（空或缺失）" if lang == "zh" else "unknown (blank or missing)")
        if miss:
            s += "：" + "；".join(pointer_label(m, lang) for m in miss[:4]) + (" …" if len(miss) > 4 else "")
        elif n.get("reasons"):
            s += "：" + "；".join(n["reasons"][:3])
        return s
    v = n.get("value")
    if isinstance(v, list) and len(v) > 12:
        return fmt_value(v[:12], lang) + f" …（共 {len(v)} 项）"
    text = fmt_value(v, lang)
    return text if len(text) <= 160 else text[:159] + "…"


def _cell_line(c: dict[str, Any], lang: str) -> str:
    if "more" in c:
        return (f"…另有 {c['more']} 格" if lang == "zh" else f"… and {c['more']} more cells")
    where = ""
    if c.get("line") is not None:
        where = (f"第 {c['line']} 行第 {c.get('col') or '?'} 列" if lang == "zh" else f"line {c['line']} col {c.get('col') or '?'}")
        if c.get("file") == "prev":
            where = ("上年年报 " if lang == "zh" else "previous report ") + where
    elif c.get("where"):
        where = str(c["where"])
    else:
        where = "原文中无位置" if lang == "zh" else "no position in the text"
    raw = " ".join(str(c.get("text") or "").split())
    raw = raw if len(raw) <= 50 else raw[:49] + "…"
    rec = ("（推算值）" if lang == "zh" else " (recovered)") if c.get("recovered") else ""
    return (f"{c['label']} = {fmt_value(c.get('value'), lang)}  ← {where}"
            + (f"「{raw}」" if raw else "") + rec + f"  [{c['pointer']}]")


def _render_node(n: dict[str, Any], lang: str, indent: str, out: list[str]) -> None:
    out.append(f"{indent}{n['expr']}  ⇒ {_val(n, lang)}")
    for c in n.get("cells", []):
        out.append(f"{indent}    · {_cell_line(c, lang)}")
    for b in n.get("bindings", []):
        label = f"（{b['label']}）" if b.get("label") else ""
        out.append(f"{indent}  ▸ {b['binding']}{label}: {_val(b, lang)}")
        if "body" in b:
            _render_node(b["body"], lang, indent + "      ", out)
    if n.get("more_bindings"):
        out.append(f"{indent}  ▸ …" + (f"另有 {n['more_bindings']} 个取值" if lang == "zh" else f" {n['more_bindings']} more"))
    for k in n.get("children", []):
        _render_node(k, lang, indent + "  ", out)


def render_text(data: dict[str, Any], lang: str = "zh") -> str:
    zh = lang == "zh"
    st = _STATUS["zh" if zh else "en"][data["status"]]
    m = data["meta"]
    out = [
        f"{data['rule']}  {data['title']}（{data['severity']}，{data['pack']}，{data['file']}:{data['line']}）",
        ("年报：" if zh else "report: ") + f"{data['source']}（{m.get('organ') or '—'} {m.get('year') or '—'}，"
        + ("格式 " if zh else "format ") + f"{m.get('format') or '—'}）",
        ("结果: " if zh else "result: ") + st,
    ]
    if data["status"] == "not_applicable":
        out.append(("适用范围：" if zh else "applies to: ") + str(data.get("applies")))
        return "\n".join(out)
    if data.get("finding"):
        out.append(("说明：" if zh else "message: ") + data["finding"]["message"])
    if data.get("not_evaluated"):
        out.append(("原因：" if zh else "reason: ") + data["not_evaluated"]["reason"])
    for p in data.get("problems", []):
        out.append("! " + p["message"])
    out.append(("依据：" if zh else "basis: ") + data["basis"])
    out.append("")
    out.append("表达式：" if zh else "expression:")
    out.extend("  " + line for line in data["expr"].splitlines())
    out.append("")
    out.append("逐项取值（⇒ 值；· 读取的格及其在原文中的位置）：" if zh else
               "values of each part (⇒ value; · cells read and where they are in the file):")
    if data.get("tree"):
        _render_node(data["tree"], lang, "  ", out)
    for name, t in (data.get("lets") or {}).items():
        out.append("")
        out.append(f"let {name}:")
        if t:
            _render_node(t, lang, "  ", out)
    return "\n".join(out)


def explain(checker: Any, rule_id: str, path: str | Path, *, prev: str | Path | None = None, lang: str = "zh",
            fmt: str = "text") -> str:
    """``gipcheck explain``: the explanation as text (or JSON with ``fmt="json"``)."""
    data = explain_data(checker, rule_id, path, prev=prev, lang=lang)
    if fmt == "json":
        import json

        from gipcheck.engine.engine import _jsonable

        return json.dumps(_jsonable(_strip(data)), ensure_ascii=False, indent=1, default=str)
    return render_text(data, lang)


def _strip(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _strip(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_strip(x) for x in v]
    return v
