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
from gipcheck.errors import EXIT_USAGE, GipcheckError, LoadError
from gipcheck.load.base import LoadedReport

MAX_NODES = 400        # sub-expressions shown per explanation
MAX_DEPTH = 8          # nesting shown
MAX_BINDINGS = 12      # quantifier bindings listed; only failing/deciding ones are expanded
MAX_EXPANDED = 3
MAX_READS = 12         # cells listed per sub-expression

_ZH_NUMERALS: dict[Any, str] = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六"}
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
    def __init__(self, rule: Any, loaded: LoadedReport, prev: LoadedReport | None, lang: str,
                 plugin_functions: dict[str, Any] | None = None) -> None:
        from gipcheck.engine.functions import engine_functions

        self.rule, self.loaded, self.prev, self.lang = rule, loaded, prev, lang
        self.doc = loaded.document
        self.prev_doc = prev.document if prev else None
        # a plugin's rule calls the plugin's functions: every part is compiled with them too
        self.functions = {**engine_functions(), **(plugin_functions or {})}
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
            out["code"] = getattr(o.error, "code", None)
        if is_unknown(v) or o.status == "unknown":
            out["unknown"] = True
            out["missing"] = sorted(getattr(v, "missing", []) or o.missing or [])
            out["reasons"] = sorted(getattr(v, "reasons", []) or o.reasons or [])
        out["value"] = v
        out["ptrs"] = getattr(v, "ptrs", None)
        return out

    def label(self, pointer: str) -> str:
        """The pointer's label; a section is named by its heading in this report (its index in
        ``sections`` is not its number when a heading is missing)."""
        is_prev = pointer.startswith("prev:")
        parts = (pointer[5:] if is_prev else pointer).strip("/").split("/")
        doc = self.prev_doc if is_prev else self.doc
        secs = doc.get("sections") if isinstance(doc, dict) else None
        if len(parts) >= 2 and parts[0] == "sections" and parts[1].isdigit() and isinstance(secs, list) \
                and int(parts[1]) < len(secs) and isinstance(secs[int(parts[1])], dict):
            sec = secs[int(parts[1])]
            title = " ".join(str(sec.get("title") or "").split())[:40]
            num = sec.get("number")
            zh = self.lang == "zh"
            head = ("上年 " if zh else "previous year: ") if is_prev else ""
            name = (f"第{_ZH_NUMERALS.get(num, num)}部分" if zh else f"section {num}") if num else \
                pointer_label(pointer, self.lang)[len(head):]
            return head + name + (f"（{title}）" if zh and title else f" ({title})" if title else "")
        return pointer_label(pointer, self.lang)

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
            entry: dict[str, Any] = {"pointer": p, "label": self.label(p),
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
            # over budget as a whole: each binding alone may fit and would wrongly read as passing
            if isinstance(items, list) and got.get("code") != "BUDGET":
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


def find_rule(checker: Any, rule_id: str) -> tuple[Any, Any]:
    """The rule ``rule_id`` and its pack; an unknown id is a usage error (exit 2) that names the
    nearest id — rule ids are upper case, so ``m-title`` is answered with ``M-TITLE``."""
    import difflib

    want = str(rule_id).strip()  # " M-TITLE" pasted from a report line is M-TITLE
    for p in checker.packs:
        for r in p.rules:
            if r.id == want:
                return r, p
    ids = [r.id for p in checker.packs for r in p.rules]
    by_upper = {i.upper(): i for i in ids}
    text = str(rule_id)
    near = [by_upper[text.upper()]] if text.upper() in by_upper else [
        by_upper[m] for m in difflib.get_close_matches(text.upper(), list(by_upper), n=1)]
    from gipcheck.report._common import visible

    shown = visible(text)
    hint_zh, hint_en = (f"，是否应为 {near[0]}？" if near else ""), (f"; did you mean {near[0]}?" if near else "")
    raise GipcheckError("UNKNOWN_RULE", f"没有这条规则：{shown}{hint_zh}", f"no such rule: {shown}{hint_en}",
                        exit_code=EXIT_USAGE)


def _load(checker: Any, path: str | Path, what_zh: str, what_en: str) -> LoadedReport:
    """Load one file; its error names the file (explain reads two, and the loader's message may not)."""
    from gipcheck.report._common import visible

    try:
        return checker.load(path)  # type: ignore[no-any-return]
    except LoadError as e:
        shown = visible(str(path))
        zh = e.zh if shown in e.zh and not what_zh else f"{what_zh}{shown}：{e.zh}"
        en = e.en if shown in e.en and not what_en else f"{what_en}{shown}: {e.en}"
        raise LoadError(e.code, zh, en, exit_code=e.exit_code) from None


_APPLIES_KEYS = {"format": ("格式", "format"), "organ_kind": ("机关类型", "organ kind"),
                 "organ_level": ("机关层级", "organ level")}


def why_not_applicable(rule: Any, meta: dict[str, Any], lang: str = "zh") -> list[str]:
    """Why ``rule`` does not apply to a report with this ``meta``: one line per condition of its
    ``applies`` that the report does not meet (each tested alone with the engine's own test)."""
    from types import SimpleNamespace

    zh = lang == "zh"
    a = rule.applies or {}
    out: list[str] = []
    for key, cond in a.items():
        if applies_to(SimpleNamespace(applies={key: cond}), meta)[0]:  # type: ignore[arg-type]
            continue
        if key in _APPLIES_KEYS:
            lz, le = _APPLIES_KEYS[key]
            want = "、".join(str(c) for c in cond) if isinstance(cond, list) else str(cond)
            out.append(f"本规则只适用于{lz}为 {want} 的年报，本年报为 {meta.get(key)}" if zh else
                       f"the rule applies only to reports of {le} {want}; this report's is {meta.get(key)}")
        elif key == "year" and isinstance(cond, dict):
            lo, hi = cond.get("min"), cond.get("max")
            if lo is not None and hi is not None:
                span_zh, span_en = f"{lo}–{hi} 年度", f"the years {lo}–{hi}"
            elif lo is not None:
                span_zh, span_en = f"{lo} 年度及以后", f"{lo} and later years"
            else:
                span_zh, span_en = f"{hi} 年度及以前", f"{hi} and earlier years"
            out.append(f"本规则只适用于 {span_zh}的年报，本年报为 {meta.get('year')} 年度" if zh else
                       f"the rule applies only to reports for {span_en}; this report is for {meta.get('year')}")
        elif key == "region":
            want = "、".join(str(c) for c in cond) if isinstance(cond, list) else str(cond)
            reg = meta.get("region")
            names = [str(reg.get(k)) for k in ("province", "city", "county") if reg.get(k)] \
                if isinstance(reg, dict) else []
            if names:
                out.append(f"本规则只适用于 {want} 的年报，本年报所属地区为 {''.join(names)}" if zh else
                           f"the rule applies only to reports of {want}; this report is of {' '.join(names)}")
            else:
                out.append(f"本规则只适用于 {want} 的年报，未能从年报中识别所属地区" if zh else
                           f"the rule applies only to reports of {want}; the report's region could not be told")
        else:
            out.append(f"不满足适用条件 {key}: {cond}" if zh else f"the condition {key}: {cond} is not met")
    return out


def explain_data(checker: Any, rule_id: str, path: str | Path | LoadedReport, *,
                 prev: str | Path | LoadedReport | None = None, lang: str = "zh") -> dict[str, Any]:
    """The explanation as data: the rule, the verdict, the finding or the missing cells, and the
    tree of sub-expressions with their values and the cells they read."""
    rule, pack = find_rule(checker, rule_id)
    notes: list[dict[str, str]] = []
    if prev is not None and not isinstance(prev, LoadedReport) and not isinstance(path, LoadedReport):
        from gipcheck.batch import _same_file, prev_same_note

        if _same_file(str(path), str(prev)):  # compared with itself every year-over-year rule would pass
            prev = None
            notes.append(prev_same_note())
    loaded = path if isinstance(path, LoadedReport) else _load(checker, path, "", "")
    prev_loaded: LoadedReport | None = None
    if isinstance(prev, LoadedReport):
        prev_loaded = prev
    elif prev is not None:
        try:  # as in `check`: an unreadable previous report leaves the year-over-year cells unknown, the run goes on
            prev_loaded = _load(checker, prev, "上一年度年报（--prev）", "previous year's report (--prev) ")
        except LoadError as e:
            notes.append({"code": "PREV_UNREADABLE", "level": "warning",
                          "zh": f"{e.zh}；未作上下年度比较", "en": f"{e.en}; no year-over-year comparison was made"})
    meta = meta_of(loaded.document)
    ok, missing_meta = applies_to(rule, meta)
    result = evaluate(loaded, [pack], prev=prev_loaded, lang=lang, only=[rule.id])
    if not ok:
        status = "not_applicable"
    elif result.findings:
        status = "fail"
    elif result.not_evaluated:
        status = "unknown"
    elif rule.id in result.passed:
        status = "pass"
    else:
        status = "error"
    plugins = getattr(checker, "plugins", None)
    x = _Explainer(rule, loaded, prev_loaded, lang, plugins.function_specs() if plugins is not None else None)
    data: dict[str, Any] = {
        "rule": rule.id, "title": rule.title.get(lang) or rule.title.get("zh"), "severity": rule.severity,
        "basis": rule.basis, "pack": rule.pack, "file": rule.file, "line": rule.line, "expr": rule.expr.text.strip(),
        "applies": rule.applies, "source": str(path if not isinstance(path, LoadedReport) else "<document>"),
        "status": status, "meta": {k: meta.get(k) for k in ("organ", "year", "format", "organ_kind", "organ_level")},
    }
    if notes:
        data["notes"] = notes
    if not ok:
        data["why_not"] = why_not_applicable(rule, meta, lang)
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
        if c.get("page"):  # a PDF: the line is of the extracted text, the page is what the reader can find
            where = (f"第 {c['page']} 页，" if lang == "zh" else f"page {c['page']}, ") + where
        if c.get("file") == "prev":
            where = ("上年年报 " if lang == "zh" else "previous report ") + where
    elif c.get("where"):
        where = str(c["where"])
    else:
        where = "原文中无位置" if lang == "zh" else "no position in the text"
    raw = " ".join(str(c.get("text") or "").split())
    raw = raw if len(raw) <= 50 else raw[:49] + "…"
    rec = ("（推算值）" if lang == "zh" else " (recovered)") if c.get("recovered") else ""
    value = " ".join(fmt_value(c.get("value"), lang).split())  # a section's text is one short line here
    value = value if len(value) <= 60 else value[:59] + "…"
    return (f"{c['label']} = {value}  ← {where}"
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
    for n in data.get("notes", []):
        out.append("! " + str(n["zh" if zh else "en"]))
    if data["status"] == "not_applicable":
        reasons = data.get("why_not") or [str(data.get("applies"))]
        out.extend(("原因：" if zh else "reason: ") + r for r in reasons)
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


MAX_JSON_TEXT = 2000   # characters of one value in the JSON explanation (a section, a plugin's text)
MAX_JSON_ITEMS = 200   # elements of one list value


def _strip(v: Any) -> Any:
    """The explanation bounded for JSON: every node repeats the values it read, and one huge text
    (a plugin function's result, a whole section) must not make it megabytes long."""
    if isinstance(v, dict):
        return {k: _strip(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        out = [_strip(x) for x in v[:MAX_JSON_ITEMS]]
        if len(v) > MAX_JSON_ITEMS:
            out.append(f"…（共 {len(v)} 项 / {len(v)} items）")
        return out
    if isinstance(v, str) and len(v) > MAX_JSON_TEXT:
        return v[:MAX_JSON_TEXT] + f"…（共 {len(v)} 字 / {len(v)} characters）"
    return v
