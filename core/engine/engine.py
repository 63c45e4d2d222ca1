"""The engine: select the rules that apply to a report, evaluate them, and turn outcomes into
findings (with rendered messages, deciding values and cell locations), not-evaluated entries and
problems. A rule that breaks at run time becomes a Problem; it never takes the run down."""

from __future__ import annotations

import datetime as _dt
import fnmatch
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from gipcheck.document import canon
from gipcheck.engine.model import Finding, NotEvaluated, Problem, ReportResult
from gipcheck.engine.packs import Pack, Rule
from gipcheck.lang.values import Unknown
from gipcheck.load.base import LoadedReport

MAX_MESSAGE_PARTS = 6
MAX_LOCATIONS = 60
_POINTER_ROOT_SECTION = {"meta": None, "active": 2, "requests": 3, "review": 4}
_FACT_LABELS = {
    "requests_received": ("收到申请件数", "requests received"),
    "requests_new": ("新收申请件数", "new requests"),
    "requests_carried_over": ("上年结转件数", "carried over"),
    "requests_completed": ("办结件数", "requests completed"),
    "requests_carry_forward": ("结转下年件数", "carried forward"),
    "reconsiderations": ("行政复议件数", "reconsiderations"),
    "lawsuits": ("行政诉讼件数", "lawsuits"),
    "regulations_issued": ("制发规章件数", "规章 issued"),
    "normative_documents_issued": ("制发规范性文件件数", "normative documents issued"),
    "stated_totals": ("“共N条，其中……”", "stated totals"),
    "fees": ("信息处理费", "information-processing fees"),
    "fees.notices_count": ("收费通知件数", "fee notices"),
    "fees.notices_amount": ("收费通知金额", "amount notified"),
    "fees.collected_amount": ("实际收取金额", "amount collected"),
}


# ------------------------------------------------------------------ value rendering
@lru_cache(maxsize=4096)
def _binding_label(value: str, lang: str, context: str | None) -> str:
    """The Chinese (or English) label of a quantifier binding such as a column or block name."""
    if value in canon.COLUMN_LABELS and context != "review":
        return canon.COLUMN_LABELS[value][lang]
    if value in canon.REVIEW_BLOCK_LABELS:
        return canon.REVIEW_BLOCK_LABELS[value][lang]
    if context == "review" and value in canon.REVIEW_COLUMN_LABELS:
        return canon.REVIEW_COLUMN_LABELS[value][lang]
    for rows in (canon.ACTIVE_ROWS_2021, canon.ACTIVE_ROWS_2019):
        for a in rows:
            if a.path == "active." + value:
                return a.label if lang == "zh" else value.replace("_", " ")
            for f, lbl in a.cells:
                if f == value and context == "active":
                    return lbl if lang == "zh" else value.replace("_", " ")
    for r in (*canon.REQUEST_ROWS_2021, *canon.REQUEST_ROWS_2019):
        if r.path.rsplit(".", 1)[-1] == value and context == "requests":
            return r.label if lang == "zh" else (r.en or value)
    if value in canon.REQUEST_GROUPS and context == "requests":
        return canon.REQUEST_GROUPS[value] if lang == "zh" else value.replace("_", " ")
    if value in canon.REVIEW_COLUMN_LABELS:
        return canon.REVIEW_COLUMN_LABELS[value][lang]
    return value


_ZH_NUM = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六"}
MAX_VALUE_CHARS = 200  # a location quotes a cell or a sentence, not a whole section


@lru_cache(maxsize=8192)
def pointer_label(pointer: str, lang: str = "zh") -> str:
    """Human label of a JSON pointer, e.g. ``表三 （七）总计 / 自然人``; ``prev:`` pointers get 上年."""
    prefix = ""
    if pointer.startswith("prev:"):
        pointer = pointer[5:]
        prefix = "上年 " if lang == "zh" else "previous year: "
    parts = pointer.strip("/").split("/")
    if parts and parts[0] == "sections" and len(parts) >= 2:
        return prefix + (f"第{parts[1]}个部分" if lang == "zh" else f"section #{parts[1]}")
    if parts and parts[0] == "facts" and len(parts) >= 2:
        zh_name, en_name = _FACT_LABELS.get(parts[1], (parts[1], parts[1].replace("_", " ")))
        if parts[1] == "fees" and len(parts) >= 3:
            zh_name, en_name = _FACT_LABELS.get("fees." + parts[2], (zh_name, en_name))
        return prefix + (f"正文所述{zh_name}" if lang == "zh" else f"stated in the text: {en_name}")
    if parts and parts[0] == "meta" and len(parts) >= 2:
        names = {"title": ("标题", "title"), "organ": ("发布机关", "organ"), "year": ("报告年度", "report year"),
                 "published": ("发布日期", "publication date"), "date_kind": ("日期类型", "date kind"),
                 "period": ("统计期限", "statistics period"), "format": ("格式版本", "format version"),
                 "organ_kind": ("机关类型", "organ kind"), "organ_level": ("层级", "organ level"),
                 "cited": ("引用文件", "cited documents"), "region": ("地区", "region")}
        zh, en = names.get(parts[1], (parts[1], parts[1]))
        return prefix + (zh if lang == "zh" else en) + ("" if len(parts) == 2 else " / " + "/".join(parts[2:]))
    return prefix + canon.label_of(pointer, lang)


@lru_cache(maxsize=8192)
def _pointer_parts(pointer: str) -> tuple[bool, tuple[str, ...]]:
    is_prev = pointer.startswith("prev:")
    if is_prev:
        pointer = pointer[5:]
    return is_prev, tuple(p for p in pointer.strip("/").split("/") if p != "")


def _resolve(doc: Any, prev: Any, pointer: str) -> Any:
    is_prev, parts = _pointer_parts(pointer)
    cur = prev if is_prev else doc
    for part in parts:
        if isinstance(cur, dict):
            cur = cur.get(part)
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return None
    return cur


def _is_unknown(v: Any) -> bool:
    t = type(v)
    return t is Unknown or t.__name__ == "Unknown"


_PLAIN = frozenset((int, str))
_SCALARS = frozenset((int, str, float, bool, type(None)))


def fmt_value(v: Any, lang: str = "zh") -> str:
    """A value as a clerk would write it: 57, 670.5862, 2025-01-31, 空."""
    if type(v) in _PLAIN:
        return str(v)
    if _is_unknown(v) or v is None:
        return "空" if lang == "zh" else "blank"
    if isinstance(v, bool):
        return ("是" if v else "否") if lang == "zh" else ("true" if v else "false")
    if isinstance(v, float):
        if v.is_integer():
            return str(int(v))
        text = repr(v)
        # Stated figures keep their decimals (180.338174); computed ones (0.7368421…) are rounded.
        return text if len(text.split(".")[-1]) <= 6 else f"{round(v, 4):g}"
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return ("、" if lang == "zh" else ", ").join(fmt_value(x, lang) for x in v)
    if isinstance(v, dict):
        return "{…}"
    return str(v)


def _jsonable(v: Any) -> Any:
    if type(v) in _SCALARS:
        return v
    if _is_unknown(v):
        return None
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return v


def _context_of(reads: list[str]) -> str | None:
    for p in reads:
        root = p[5:] if p.startswith("prev:") else p
        seg = root.strip("/").split("/", 1)[0]
        if seg in ("active", "requests", "review"):
            return seg
    return None


_TABLE_PREFIX = re.compile(r"^(表[二三四]|Table [234]) ")


@lru_cache(maxsize=8192)
def _render_text_binding(v: str, lang: str, context: str | None) -> str:
    if v.startswith("/") or v.startswith("prev:/"):
        # A bound row: its own label; the message already names the table.
        return _TABLE_PREFIX.sub("", pointer_label(v, lang))
    return _binding_label(v, lang, context)


def _render_binding(v: Any, lang: str, context: str | None) -> str:
    if type(v) is str:
        return _render_text_binding(v, lang, context)
    if isinstance(v, str):
        if v.startswith("/") or v.startswith("prev:/"):
            # A bound row: its own label; the message already names the table.
            return _TABLE_PREFIX.sub("", pointer_label(v, lang))
        return _binding_label(v, lang, context)
    if isinstance(v, int) and not isinstance(v, bool) and context is None and 1 <= v <= 6:
        return str(v)
    return fmt_value(v, lang)


_PH = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@lru_cache(maxsize=4096)
def _template_parts(template: str) -> tuple[tuple[str, str | None], ...]:
    """``template`` as (literal text, placeholder name or None) pieces, parsed once."""
    out: list[tuple[str, str | None]] = []
    pos = 0
    for m in _PH.finditer(template):
        out.append((template[pos:m.start()], m.group(1)))
        pos = m.end()
    out.append((template[pos:], None))
    return tuple(out)


def render_message(template: str, values: dict[str, str]) -> tuple[str, set[str]]:
    """Fill ``{name}`` placeholders; returns the text and the names that had no value."""
    unresolved: set[str] = set()
    parts: list[str] = []
    for text, name in _template_parts(template):
        parts.append(text)
        if name is not None:
            v = values.get(name)
            if v is None and name not in values:
                unresolved.add(name)
                parts.append("{" + name + "}")
            else:
                parts.append(v)  # type: ignore[arg-type]
    return "".join(parts), unresolved


# ------------------------------------------------------------------ applies
def applies_to(rule: Rule, meta: dict[str, Any]) -> tuple[bool, list[str]]:
    """Whether ``rule`` applies to a report with this ``meta``: ``(False, [])`` when it plainly does
    not, ``(True, missing)`` when it does or may (``missing`` names the meta fields that are blank)."""
    a = rule.applies
    if not a:
        return True, []
    missing: list[str] = []
    for key in ("format", "organ_kind", "organ_level"):
        allowed = a.get(key)
        if allowed is None:
            continue
        v = meta.get(key)
        if v is None:
            missing.append(f"/meta/{key}")
        elif str(v) not in allowed:
            return False, []
    yr = a.get("year")
    if yr:
        y = meta.get("year")
        if not isinstance(y, int) or isinstance(y, bool):
            missing.append("/meta/year")
        elif ("min" in yr and y < yr["min"]) or ("max" in yr and y > yr["max"]):
            return False, []
    regions = a.get("region")
    if regions:
        reg = meta.get("region") or {}
        raw = [reg.get(k) for k in ("province", "city", "county")] if isinstance(reg, dict) else []
        names = [str(n) for n in raw if n]
        if not names:
            # a province pack applies where the report is known to be of that region (or --region says so)
            return False, []
        if not any(r == n or (len(r) >= 2 and n.startswith(r)) for r in regions for n in names):
            return False, []
    return True, missing


def _meta_key(meta: dict[str, Any]) -> Any:
    """What :func:`applies_to` reads of ``meta``, typed (``True`` is not ``1``); None if unhashable."""
    reg = meta.get("region")
    region = tuple((type(x), x) for x in (reg.get(k) for k in ("province", "city", "county"))) \
        if isinstance(reg, dict) else (type(reg), bool(reg))
    key = (tuple((type(x), x) for x in (meta.get(k) for k in ("format", "organ_kind", "organ_level", "year"))),
           region)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _applicable(pack: Pack, meta: dict[str, Any]) -> list[tuple[Rule, list[str]]]:
    """The rules of ``pack`` that apply to a report with this ``meta`` (see :func:`applies_to`),
    each with the meta fields it misses; remembered per pack for reports of the same kind."""
    key = _meta_key(meta)
    if key is not None:
        key = (key, id(pack.rules), len(pack.rules))
        hit = pack.applies_memo.get(key)
        if hit is not None:
            return hit
    out = []
    for rule in pack.rules:
        ok, missing = applies_to(rule, meta)
        if ok:
            out.append((rule, missing))
    if key is not None:
        if len(pack.applies_memo) > 256:
            pack.applies_memo.clear()
        pack.applies_memo[key] = out
    return out


def _selected(rule: Rule, only: list[str] | None) -> bool:
    if not only:
        return True
    return any(rule.id == o or fnmatch.fnmatchcase(rule.id, o) for o in only)


# ------------------------------------------------------------------ findings
def _let_values(rule: Rule, names: Iterable[str], doc: Any, prev: Any, lang: str,
                shared: dict[Any, Any] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in names:
        if name not in rule.all_lets:
            continue
        try:
            out[name] = fmt_value(rule.let_expression(name).compute(doc, prev=prev, shared=shared), lang)
        except Exception:  # a message value must never break the finding
            out[name] = "?"
    return out


def build_finding(rule: Rule, outcome: Any, doc: Any, prev: Any, lang: str,
                  locations: dict[str, Any] | None = None,
                  shared: dict[Any, Any] | None = None) -> tuple[Finding, set[str]]:
    """Turn a failing outcome into a Finding; also returns placeholders left unfilled."""
    severity = rule.severity
    for cexpr, sev in rule.severity_compiled:
        try:
            if cexpr.compute(doc, prev=prev, shared=shared) is True:
                severity = sev
                break
        except Exception:
            break
    evidence = list(outcome.evidence or [])
    lets = _let_values(rule, [p for p in rule.placeholders if p in rule.all_lets], doc, prev, lang, shared)
    template = rule.message.get(lang) or rule.message["zh"]
    parts: list[str] = []
    unresolved: set[str] = set()
    values: dict[str, Any] = {}
    reads: list[str] = []
    seen: set[str] = set()
    failing: list[dict[str, Any]] = []
    wanted = {name for _text, name in _template_parts(template) if name is not None}
    for ev in evidence or [None]:
        ctx_reads = list(getattr(ev, "reads", []) or [])
        vals = dict(lets)
        if ev is not None:
            # only the placeholders the message shows are formatted
            if "left" in wanted:
                vals["left"] = fmt_value(ev.left, lang)
            if "right" in wanted:
                vals["right"] = fmt_value(ev.right, lang)
            if "diff" in wanted:
                vals["diff"] = fmt_value(ev.diff, lang)
            entry = {"left": _jsonable(ev.left), "right": _jsonable(ev.right), "diff": _jsonable(ev.diff)}
            if ev.bindings:
                context = _context_of(ctx_reads)
                rendered = {k: _render_binding(b, lang, context) for k, b in ev.bindings.items()}
                vals.update(rendered)
                entry.update(rendered)
            if ctx_reads and "value" in wanted:
                vals["value"] = fmt_value(_resolve(doc, prev, ctx_reads[0]), lang)
            failing.append(entry)
            for r in ctx_reads:
                if r not in seen:
                    seen.add(r)
                    reads.append(r)
        text, miss = render_message(template, vals)
        unresolved |= miss
        if text not in parts:
            parts.append(text)
    if failing:
        values.update(failing[0])
        if len(failing) > 1:
            values["failing"] = failing
    values.update({k: v for k, v in lets.items() if k not in values})
    sep = "；" if lang == "zh" else "; "
    message = sep.join(parts[:MAX_MESSAGE_PARTS])
    if len(parts) > MAX_MESSAGE_PARTS:
        more = len(parts) - MAX_MESSAGE_PARTS
        message += f"{sep}……另有 {more} 处" if lang == "zh" else f"{sep}… and {more} more"
    locs: list[dict[str, Any]] = []
    where = locations if locations is not None else {}
    for p in reads[:MAX_LOCATIONS]:
        if shared is not None:
            # the same cell is often quoted by several findings (X-SCOPE repeats the X-NARR-* cells)
            lkey = ("loc", p, lang, id(where))
            hit = shared.get(lkey)
            if hit is not None:
                locs.append(dict(hit))
                continue
        value = _resolve(doc, prev, p)
        label = pointer_label(p, lang)
        if isinstance(value, dict) and "number" in value and "text" in value:
            # a whole section: name it by its own number and keep the location small (not its full text)
            n = value.get("number")
            label = (f"第{_ZH_NUM.get(n, n) if isinstance(n, int) else n}部分" if lang == "zh" else f"section {n}")
            value = {"number": n, "title": value.get("title")}
        elif isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
            value = value[: MAX_VALUE_CHARS - 1] + "…"
        loc: dict[str, Any] = {"pointer": p, "label": label, "value": _jsonable(value)}
        src = where[p] if p in where else None   # `in` first: a missing key must not cost a KeyError
        if src is not None:
            loc.update(src.to_json() if hasattr(src, "to_json") else dict(src))
        locs.append(loc)
        if shared is not None:
            shared[lkey] = dict(loc)
    section = rule.section
    if section is None:
        section = _section_from(reads, doc)
    title = rule.title.get(lang) or rule.title["zh"]
    return (Finding(rule=rule.id, severity=severity, message=message, title=title, basis=rule.basis,
                    values=values, locations=locs, section=section, pack=rule.pack), unresolved)


def _section_from(reads: list[str], doc: Any) -> int | None:
    for p in reads:
        if p.startswith("prev:"):
            continue
        parts = p.strip("/").split("/")
        if parts[0] in _POINTER_ROOT_SECTION:
            return _POINTER_ROOT_SECTION[parts[0]]
        if parts[0] == "sections" and len(parts) > 1 and parts[1].isdigit():
            s = _resolve(doc, None, f"/sections/{parts[1]}/number")
            if isinstance(s, int):
                return s
        if parts[0] == "facts" and len(parts) > 1:
            s = _resolve(doc, None, f"/facts/{parts[1]}/section")
            if isinstance(s, int):
                return s
    return None


def _not_evaluated(rule: Rule, missing: list[str], reasons: list[str], lang: str) -> NotEvaluated:
    labels = [pointer_label(p, lang) for p in missing[:5]]
    more = len(missing) - len(labels)
    if lang == "zh":
        reason = "以下数据为空或缺失：" + "；".join(labels) + (f" 等 {len(missing)} 处" if more > 0 else "")
        if not missing:
            reason = "无法判断" + (f"：{'；'.join(reasons)}" if reasons else "")
    else:
        reason = "blank or missing: " + "; ".join(labels) + (f" and {more} more" if more > 0 else "")
        if not missing:
            reason = "could not decide" + (f": {'; '.join(reasons)}" if reasons else "")
    return NotEvaluated(rule=rule.id, title=rule.title.get(lang) or rule.title["zh"], severity=rule.severity,
                        missing=list(missing), reason=reason)


def _violation_notes(doc: Any) -> list[dict[str, Any]]:
    try:
        from gipcheck.validate import validate_document
    except ImportError:
        return []
    try:
        violations = validate_document(doc)
    except Exception as e:  # a validator bug must not stop the rules
        return [{"code": "SCHEMA_CHECK_FAILED", "level": "warning", "source": "schema",
                 "zh": f"文档结构校验出错：{e}", "en": f"document schema check failed: {e}"}]
    out = []
    for v in violations:
        d = v.to_json() if hasattr(v, "to_json") else dict(v)
        out.append({"code": "SCHEMA", "level": "warning", "source": "schema", **d})
    return out


def evaluate(loaded: LoadedReport, packs: list[Pack], *, prev: LoadedReport | None = None, lang: str = "zh",
             only: Iterable[str] | None = None) -> ReportResult:
    """Evaluate every applicable rule of ``packs`` on one loaded report.

    :param prev: the same organ's previous-year report, for year-over-year rules (``prev`` in rules).
    :param lang: ``zh`` (default) or ``en`` for messages and labels.
    :param only: rule ids or glob patterns (``T3-*``) to restrict the run.
    """
    doc = loaded.document
    prev_doc = prev.document if isinstance(prev, LoadedReport) else prev
    meta = doc.get("meta") if isinstance(doc, dict) else None
    meta = meta if isinstance(meta, dict) else {}
    src = meta.get("source")
    source = (src.get("path") if isinstance(src, dict) else None) or "<document>"
    result = ReportResult(source=str(source), document=doc, locations=loaded.locations, text=loaded.text)
    result.notes = [{**n.to_json(), "source": "loader"} for n in loaded.notes] + _violation_notes(doc)
    only_list = list(only) if only else None
    shared: dict[Any, Any] = {}  # pack-level lets and rows() computed once for all rules of this report
    for pack in packs:
        for rule, missing_meta in _applicable(pack, meta):
            if only_list and not _selected(rule, only_list):
                continue
            if missing_meta:
                result.not_evaluated.append(_not_evaluated(rule, missing_meta, [], lang))
                continue
            try:
                outcome = rule.compiled.check(doc, prev_doc, 100_000, shared)
                if outcome is None:
                    result.passed.append(rule.id)
                    continue
                status = outcome.status
                if status == "pass":
                    result.passed.append(rule.id)
                elif status == "fail":
                    finding, _ = build_finding(rule, outcome, doc, prev_doc, lang, loaded.locations, shared)
                    result.findings.append(finding)
                elif status == "unknown":
                    result.not_evaluated.append(_not_evaluated(rule, list(outcome.missing),
                                                               list(getattr(outcome, "reasons", []) or []), lang))
                else:
                    err = outcome.error
                    code = getattr(err, "code", "RULE")
                    msg = err.message(lang) if hasattr(err, "message") else str(err)
                    result.problems.append(Problem(
                        kind="rule", code=code,
                        message=(f"规则 {rule.id} 运行出错：{msg}" if lang == "zh" else f"rule {rule.id} failed: {msg}"),
                        detail={"rule": rule.id, "file": rule.file, "line": rule.line, "pack": rule.pack}))
            except Exception as e:  # noqa: BLE001 - one broken rule must never end the run
                result.problems.append(Problem(
                    kind="rule", code="INTERNAL",
                    message=(f"规则 {rule.id} 运行出错：{type(e).__name__}: {e}" if lang == "zh"
                             else f"rule {rule.id} failed: {type(e).__name__}: {e}"),
                    detail={"rule": rule.id, "file": rule.file, "line": rule.line, "pack": rule.pack}))
    return result
