"""The engine: select the rules that apply to a report, evaluate them, and turn outcomes into
findings (with rendered messages, deciding values and cell locations), not-evaluated entries and
problems. A rule that breaks at run time becomes a Problem; it never takes the run down."""

from __future__ import annotations

import datetime as _dt
import fnmatch
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from gipcheck.document import canon
from gipcheck.engine.model import Finding, NotEvaluated, Problem, ReportResult
from gipcheck.engine.packs import Pack, Rule
from gipcheck.lang.values import Unknown
from gipcheck.load.base import LoadedReport, Location

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
        # the list index is 0-based and a missing heading is not in the list: say "the n-th part", 1-based
        nth = int(parts[1]) + 1 if parts[1].isdigit() else parts[1]
        return prefix + (f"第{nth}个部分" if lang == "zh" else f"section #{nth}")
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
        if type(cur) is dict or isinstance(cur, dict):
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
    t = type(v)
    if t in _SCALARS:
        return v
    if t is dict:  # a fact or a row: its members are mostly plain values, converted without a call
        return {k if type(k) is str else str(k): x if type(x) in _SCALARS else _jsonable(x) for k, x in v.items()}
    if t is list:
        return [x if type(x) in _SCALARS else _jsonable(x) for x in v]
    if _is_unknown(v):
        return None
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return v


@lru_cache(maxsize=8192)
def _table_of(pointer: str) -> str | None:
    root = pointer[5:] if pointer.startswith("prev:") else pointer
    seg = root.strip("/").split("/", 1)[0]
    return seg if seg in ("active", "requests", "review") else None


def _context_of(reads: Sequence[str]) -> str | None:
    """The table (``active``, ``requests``, ``review``) of the first read that is in one."""
    for p in reads:
        seg = _table_of(p)
        if seg is not None:
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


_ABSENT = object()  # a placeholder an evidence does not bind
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
    return _fill(_template_parts(template), values, unresolved), unresolved


def _fill(parts: tuple[tuple[str, str | None], ...], values: dict[str, str], unresolved: set[str]) -> str:
    """The text of parsed ``parts`` with ``values`` filled in; names without a value go to ``unresolved``."""
    out: list[str] = []
    for text, name in parts:
        out.append(text)
        if name is not None:
            v = values.get(name)
            if v is None and name not in values:
                unresolved.add(name)
                out.append("{" + name + "}")
            else:
                out.append(v)  # type: ignore[arg-type]
    return "".join(out)


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
    if isinstance(reg, dict):  # tuples written out: generators cost a frame per item
        p, c, n = reg.get("province"), reg.get("city"), reg.get("county")
        region: tuple[Any, ...] = ((type(p), p), (type(c), c), (type(n), n))
    else:
        region = (type(reg), bool(reg))
    f, k, lv, y = meta.get("format"), meta.get("organ_kind"), meta.get("organ_level"), meta.get("year")
    key = (((type(f), f), (type(k), k), (type(lv), lv), (type(y), y)), region)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _applicable(pack: Pack, meta: dict[str, Any], key: Any) -> list[tuple[Rule, list[str]]]:
    """The rules of ``pack`` that apply to a report with this ``meta`` (see :func:`applies_to`),
    each with the meta fields it misses; remembered per pack for reports of the same kind
    (``key``: :func:`_meta_key` of ``meta``, worked out once per report, not once per pack)."""
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
class _RuleText:
    """What :func:`build_finding` needs of a rule's message in one language, worked out once."""

    __slots__ = ("template", "parts", "wanted", "names", "per_ev", "want_value", "lets")

    def __init__(self, rule: Rule, template: str) -> None:
        self.template = template
        self.parts = _template_parts(template)
        self.names = tuple(dict.fromkeys(name for _text, name in self.parts if name is not None))
        self.wanted = frozenset(self.names)
        # the comparison's own values make every evidence's message its own
        self.per_ev = tuple(n for n in ("left", "right", "diff") if n in self.wanted)
        self.want_value = "value" in self.wanted
        lets: list[tuple[str, Any]] = []
        for name in rule.placeholders:
            if name in rule.all_lets:
                try:
                    lets.append((name, rule.let_expression(name)))
                except Exception:  # shown as "?", as a let that fails at run time
                    lets.append((name, None))
        self.lets = tuple(lets)


def _rule_text(rule: Rule, lang: str) -> _RuleText:
    template = rule.message.get(lang) or rule.message["zh"]
    rt = rule.render_memo.get(lang)
    if rt is None or rt.template is not template:
        rt = rule.render_memo[lang] = _RuleText(rule, template)
    return rt


MAX_MESSAGE_CHARS = 4000  # far above any real message (a few hundred characters)


def _bounded(v: Any) -> Any:
    """``v`` with every text longer than :data:`MAX_MESSAGE_CHARS` cut (only called when one is)."""
    if type(v) is str:
        return v if len(v) <= MAX_MESSAGE_CHARS else v[:MAX_MESSAGE_CHARS - 1] + "…"
    if isinstance(v, dict):
        return {k: _bounded(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_bounded(x) for x in v]
    return v


def _has_long_text(failing: list[dict[str, Any]]) -> bool:
    """Whether an evidence entry holds a text longer than :data:`MAX_MESSAGE_CHARS`."""
    for e in failing:
        for x in e.values():
            if type(x) is str and len(x) > MAX_MESSAGE_CHARS:
                return True
    return False


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
    rt = _rule_text(rule, lang)
    lets: dict[str, str] = {}
    for name, cexpr in rt.lets:
        try:
            lets[name] = fmt_value(cexpr.compute(doc, prev=prev, shared=shared), lang)  # type: ignore[union-attr]
        except Exception:  # a message value must never break the finding
            lets[name] = "?"
    tparts = rt.parts
    wanted = rt.wanted
    per_ev = rt.per_ev
    want_value = rt.want_value
    parts: list[str] = []
    unresolved: set[str] = set()
    reads: list[str] = []
    seen: set[str] = set()
    failing: list[dict[str, Any]] = []
    base: str | None = None  # the message from the lets alone, when an evidence adds nothing it shows
    by_binding: dict[Any, str] = {}  # the shown bound names' values → that message
    bound_labels: dict[str | None, dict[str, str]] = {}
    evidence = outcome.evidence
    if not evidence:
        parts.append(_fill(tparts, lets, unresolved))
    for ev in evidence or ():
        ctx_reads = getattr(ev, "reads", None) or ()
        left, right, diff = ev.left, ev.right, ev.diff
        entry = {"left": left if type(left) in _SCALARS else _jsonable(left),
                 "right": right if type(right) in _SCALARS else _jsonable(right),
                 "diff": diff if type(diff) in _SCALARS else _jsonable(diff)}
        bindings = ev.bindings
        rendered = None
        if bindings:
            # the table of the first read that is in one (usually the very first)
            context = _table_of(ctx_reads[0]) if ctx_reads else None
            if context is None:
                context = _context_of(ctx_reads)
            shown = bound_labels.get(context)  # a bound row or column recurs across evidence: label it once
            if shown is None:
                shown = bound_labels[context] = {}
            rendered = {}
            for k, b in bindings.items():
                if type(b) is str:
                    label = shown.get(b)
                    if label is None:
                        label = shown[b] = _render_text_binding(b, lang, context)
                    rendered[k] = label
                else:
                    rendered[k] = _render_binding(b, lang, context)
            entry.update(rendered)
        failing.append(entry)
        for r in ctx_reads:
            if r not in seen:
                seen.add(r)
                reads.append(r)
        if not per_ev and not (want_value and ctx_reads) and rendered is not None \
                and not wanted.isdisjoint(rendered):
            # only bound names vary (T3-EMPTY: one row, many cells): one message per distinct row
            names = rt.names
            key = rendered.get(names[0], _ABSENT) if len(names) == 1 else \
                tuple([rendered.get(n, _ABSENT) for n in names])
            if key in by_binding:
                continue
            vals = dict(lets)
            vals.update(rendered)
            text = by_binding[key] = _fill(tparts, vals, unresolved)
        elif per_ev or (want_value and ctx_reads) or (rendered is not None and not wanted.isdisjoint(rendered)):
            vals = dict(lets)
            # only the placeholders the message shows are formatted
            if per_ev:
                if "left" in per_ev:
                    vals["left"] = fmt_value(left, lang)
                if "right" in per_ev:
                    vals["right"] = fmt_value(right, lang)
                if "diff" in per_ev:
                    vals["diff"] = fmt_value(diff, lang)
            if rendered is not None:
                vals.update(rendered)
            if ctx_reads and want_value:
                vals["value"] = fmt_value(_resolve(doc, prev, ctx_reads[0]), lang)
            text = _fill(tparts, vals, unresolved)
        else:
            if base is None:
                base = _fill(tparts, lets, unresolved)
            text = base
        if text not in parts:
            parts.append(text)
    values: dict[str, Any] = {}
    if failing:
        values.update(failing[0])
        if len(failing) > 1:
            values["failing"] = failing
    for k, v in lets.items():
        if k not in values:
            values[k] = v
    sep = "；" if lang == "zh" else "; "
    if len(parts) == 1:
        message = parts[0]
    else:
        message = sep.join(parts[:MAX_MESSAGE_PARTS])
        if len(parts) > MAX_MESSAGE_PARTS:
            more = len(parts) - MAX_MESSAGE_PARTS
            message += f"{sep}……另有 {more} 处" if lang == "zh" else f"{sep}… and {more} more"
    # a plugin function's megabyte of text must not become the message or the values (failing rules only)
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[:MAX_MESSAGE_CHARS - 1] + "…"
    # (the lets' values are texts from fmt_value or "?")
    if (lets and max(map(len, lets.values())) > MAX_MESSAGE_CHARS) or _has_long_text(failing):
        values = _bounded(values)
    locs = _locations(reads[:MAX_LOCATIONS], doc, prev, lang, locations, shared) if reads else []
    section = rule.section
    if section is None:
        section = _section_from(reads, doc)
    # positional: half the cost of keywords, and a Finding is built per failing rule
    title = rule.title.get(lang) or rule.title["zh"]
    return Finding(rule.id, severity, message, title, rule.basis, values, locs, section, rule.pack), unresolved


@lru_cache(maxsize=8192)
def _location_of(pointer: str, lang: str) -> tuple[bool, tuple[str, ...], str]:
    """What a location needs of its pointer alone: (previous year?, path parts, label)."""
    is_prev, parts = _pointer_parts(pointer)
    return is_prev, parts, pointer_label(pointer, lang)


def _locations(reads: list[str], doc: Any, prev: Any, lang: str, locations: dict[str, Any] | None,
               shared: dict[Any, Any] | None) -> list[dict[str, Any]]:
    """The cells and sentences a finding cites, with their labels, values and source positions."""
    locs: list[dict[str, Any]] = []
    where = locations if locations is not None else {}
    # the same cell is often quoted by several findings (X-SCOPE repeats the X-NARR-* cells)
    memo: dict[str, dict[str, Any]] | None = None
    if shared is not None:
        mkey = ("locations", lang, id(where))
        memo = shared.get(mkey)
        if memo is None:
            memo = shared[mkey] = {}
    for p in reads:
        if memo is not None:
            hit = memo.get(p)
            if hit is not None:
                locs.append(dict(hit))
                continue
        is_prev, parts, label = _location_of(p, lang)
        value = prev if is_prev else doc
        for part in parts:  # _resolve, inlined: a finding may cite dozens of cells
            if type(value) is dict or isinstance(value, dict):
                value = value.get(part)
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                value = None
                break
        tv = type(value)
        if tv is str:
            if len(value) > MAX_VALUE_CHARS:
                value = value[: MAX_VALUE_CHARS - 1] + "…"
        elif tv in _SCALARS:
            pass
        elif isinstance(value, dict) and "number" in value and "text" in value:
            # a whole section: name it by its own number and keep the location small (not its full text)
            n = value.get("number")
            label = (f"第{_ZH_NUM.get(n, n) if isinstance(n, int) else n}部分" if lang == "zh" else f"section {n}")
            value = {"number": _jsonable(n), "title": _jsonable(value.get("title"))}
        elif isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
            value = _jsonable(value[: MAX_VALUE_CHARS - 1] + "…")
        else:
            value = _jsonable(value)
        src = where[p] if p in where else None   # `in` first: a missing key must not cost a KeyError
        loc: dict[str, Any]
        if src is None:
            loc = {"pointer": p, "label": label, "value": value}
        elif type(src) is Location and not (src.recovered or src.page is not None or src.where is not None
                                            or src.extra):
            # Location.to_json() of a plain cell, without the call and the merge (tests/test_engine.py)
            loc = {"pointer": p, "label": label, "value": value, "line": src.line, "col": src.col, "text": src.text}
        else:
            loc = {"pointer": p, "label": label, "value": value,
                   **(src.to_json() if hasattr(src, "to_json") else dict(src))}
        locs.append(loc)
        if memo is not None:
            memo[p] = loc  # only read while this report is evaluated: a copy is made per use
    return locs


@lru_cache(maxsize=8192)
def _section_source(p: str) -> tuple[int | None, str | None]:
    """How a read pointer tells its section: (a fixed section or None, the pointer of the cell that
    holds it or None); (None, None) when it does not."""
    if p.startswith("prev:"):
        return None, None
    parts = p.strip("/").split("/")
    if parts[0] in _POINTER_ROOT_SECTION:
        return _POINTER_ROOT_SECTION[parts[0]], "fixed"
    if parts[0] == "sections" and len(parts) > 1 and parts[1].isdigit():
        return None, f"/sections/{parts[1]}/number"
    if parts[0] == "facts" and len(parts) > 1:
        return None, f"/facts/{parts[1]}/section"
    return None, None


def _section_from(reads: list[str], doc: Any) -> int | None:
    for p in reads:
        fixed, cell = _section_source(p)
        if cell is None:
            continue
        if cell == "fixed":
            return fixed
        s = _resolve(doc, None, cell)
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


_VALIDATE: list[Any] = []  # gipcheck.validate.validate_document, imported on first use


def _violation_notes(doc: Any) -> list[dict[str, Any]]:
    if not _VALIDATE:
        try:
            from gipcheck.validate import validate_document
        except ImportError:
            return []
        _VALIDATE.append(validate_document)
    try:
        violations = _VALIDATE[0](doc)
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
    only_list = ([only] if isinstance(only, str) else list(only)) if only else None  # "T3-*" is one pattern
    shared: dict[Any, Any] = {}  # pack-level lets and rows() computed once for all rules of this report
    passed = result.passed.append  # most rules pass: one attribute lookup, not one per rule
    meta_key = _meta_key(meta)
    for pack in packs:
        for rule, missing_meta in _applicable(pack, meta, meta_key):
            if only_list and not _selected(rule, only_list):
                continue
            if missing_meta:
                result.not_evaluated.append(_not_evaluated(rule, missing_meta, [], lang))
                continue
            try:
                outcome = rule.compiled.check(doc, prev_doc, 100_000, shared)
                if outcome is None:
                    passed(rule.id)
                    continue
                status = outcome.status
                if status == "pass":
                    passed(rule.id)
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
