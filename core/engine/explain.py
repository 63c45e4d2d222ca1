"""``gipcheck explain RULE FILE``: how one rule reached its verdict on one report, step by step
for a clerk: the rule, whether it applies, the outcome, the deciding values and every cell read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gipcheck.engine.engine import applies_to, build_finding, fmt_value, pointer_label
from gipcheck.errors import EXIT_USAGE, GipcheckError

_STATUS = {"pass": ("通过", "passed"), "fail": ("不通过", "failed"), "unknown": ("无法判断（数据为空或缺失）", "not evaluated"),
           "error": ("规则运行出错", "rule error")}


def _resolve(doc: Any, pointer: str) -> Any:
    cur = doc
    for part in pointer.strip("/").split("/"):
        if isinstance(cur, dict):
            cur = cur.get(part)
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return None
    return cur


def explain(checker: Any, rule_id: str, path: str | Path, *, prev: str | Path | None = None, lang: str = "zh") -> str:
    """Explain rule ``rule_id`` on the report at ``path``; ``checker`` is an api.Checker (its packs and
    loader are used)."""
    rule = next((r for p in checker.packs for r in p.rules if r.id == rule_id), None)
    if rule is None:
        raise GipcheckError("UNKNOWN_RULE", f"没有这条规则：{rule_id}", f"no such rule: {rule_id}", exit_code=EXIT_USAGE)
    zh = lang == "zh"
    loaded = checker.load(path)
    prev_doc = checker.load(prev).document if prev else None
    doc = loaded.document
    out = [rule.describe(lang), ""]
    ok, missing_meta = applies_to(rule, doc.get("meta") or {})
    if not ok:
        out.append("本规则不适用于这份年报（适用范围不符）。" if zh else "The rule does not apply to this report.")
        return "\n".join(out)
    if missing_meta:
        out.append(("适用范围无法判断，缺少：" if zh else "Cannot tell whether it applies; missing: ")
                   + "、".join(pointer_label(p, lang) for p in missing_meta))
        return "\n".join(out)
    outcome = rule.compiled.evaluate(doc, prev=prev_doc, record=True)
    zh_s, en_s = _STATUS.get(outcome.status, (outcome.status, outcome.status))
    out.append(f"{'结果' if zh else 'outcome'}: {zh_s if zh else en_s}")
    if outcome.status == "fail":
        finding, _ = build_finding(rule, outcome, doc, prev_doc, lang, loaded.locations)
        out.append(f"{'严重程度' if zh else 'severity'}: {finding.severity}")
        out.append(f"{'提示' if zh else 'message'}: {finding.message}")
    elif outcome.status == "unknown":
        out.append(("为空或缺失：" if zh else "blank or missing: ")
                   + "；".join(pointer_label(p, lang) for p in outcome.missing))
    elif outcome.status == "error":
        err = outcome.error
        out.append(err.message(lang) if hasattr(err, "message") else str(err))
    reads = list(dict.fromkeys(outcome.reads or []))
    if reads:
        out.append("")
        out.append("读取的数据：" if zh else "values read:")
        for p in reads[:80]:
            src = prev_doc if p.startswith("prev:") else doc
            value = _resolve(src, p[5:] if p.startswith("prev:") else p)
            loc = loaded.locations.get(p)
            where = f"  （第 {loc.line} 行）" if (loc is not None and loc.line and zh) else (
                f"  (line {loc.line})" if loc is not None and loc.line else "")
            if isinstance(value, dict) and "value" in value:  # a fact: its number and the sentence
                shown = fmt_value(value["value"], lang) + (f"  “{value['text'][:50]}”" if value.get("text") else "")
            else:
                shown = fmt_value(value, lang)
            if isinstance(value, str) and len(value) > 60:
                shown = value[:60] + "…"
            out.append(f"  {pointer_label(p, lang)} = {shown}{where}")
    return "\n".join(out)
