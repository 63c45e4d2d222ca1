"""Terminal output for a clerk: per report, findings grouped by the report's sections, the cell
or sentence quoted, the clause named. Coloured on a terminal, plain otherwise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gipcheck.document.canon import SECTION_TITLES
from gipcheck.engine.model import meta_of
from gipcheck.report._common import visible as v

NAME = "text"
MEDIA_TYPE = "text/plain"
EXTENSION = ".txt"

_NUMERALS = "一二三四五六"
_SEV = {
    "zh": {"error": "错误", "warning": "警告", "info": "提示"},
    "en": {"error": "error", "warning": "warning", "info": "info"},
}
_COLOR = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m", "dim": "\033[2m", "bold": "\033[1m"}
_RESET = "\033[0m"
_ORDER = {"error": 0, "warning": 1, "info": 2}

_T = {
    "zh": {
        "colon": "：", "organ": "机关", "year": "年度", "format": "格式", "unreadable": "无法读取", "where": "位置",
        "line": "第 {n} 行", "basis": "依据", "whole": "报告整体（标题、机关、日期、期限、格式）", "not_eval": "未能评估（缺少数据）",
        "clean": "未发现问题", "subtotal": "错误 {error} · 警告 {warning} · 提示 {info}",
        "total": "共 {n} 份年报（{u} 份无法读取）：错误 {error} · 警告 {warning} · 提示 {info} · 未能评估 {ne}",
        "suppressed": "已豁免", "problems": "运行问题", "notes": "读取说明", "recovered": "（推算值）",
    },
    "en": {
        "colon": ": ", "organ": "organ", "year": "year", "format": "format", "unreadable": "unreadable", "where": "at",
        "line": "line {n}", "basis": "basis", "whole": "the report as a whole (title, organ, dates, period, format)", "not_eval": "not evaluated (missing data)",
        "clean": "no findings", "subtotal": "errors {error} · warnings {warning} · info {info}",
        "total": "{n} reports ({u} unreadable): errors {error} · warnings {warning} · info {info} · not evaluated {ne}",
        "suppressed": "suppressed", "problems": "run problems", "notes": "loader notes", "recovered": "(recovered)",
    },
}


def _section_heading(n: int | None, lang: str) -> str:
    if n is None or not 1 <= n <= 6:
        return _T[lang]["whole"]
    title = SECTION_TITLES[n]
    return f"{_NUMERALS[n - 1]}、{title}" if lang == "zh" else f"Section {n}: {title}"


def _clip(s: str, n: int = 60) -> str:
    s = v(" ".join(str(s).split()))
    return s if len(s) <= n else s[: n - 1] + "…"


def _options(options: dict[str, Any]) -> tuple[str, Callable[[str, str], str]]:
    lang = options.get("lang", "zh") if options.get("lang") in _T else "zh"
    color = bool(options.get("color"))

    def c(kind: str, s: str) -> str:
        code = _COLOR.get(kind)  # a plugin's own severity name has no colour: shown plain
        return f"{code}{s}{_RESET}" if color and code else s

    return lang, c


def render_report(rep: Any, options: dict[str, Any]) -> str:
    """One report's block of the output, ending with a blank line (what a batch worker renders ahead)."""
    lang, c = _options(options)
    t = _T[lang]
    out: list[str] = []
    meta = meta_of(rep.document)
    title = meta.get("title") or meta.get("organ") or rep.source
    # Every piece of report text or file name goes through v(): escapes and bidi controls in a
    # hostile report are shown, never sent to the terminal.
    out.append(c("bold", v(title)) + c("dim", f"  ({v(rep.source)})"))
    if not rep.readable:
        for p in rep.problems:
            out.append("  " + c("error", f"✗ {t['unreadable']}: {v(p.message)}"))
        out.append("")
        return "\n".join(out)
    out.append(c("dim", f"  {t['organ']}{t['colon']}{v(meta.get('organ') or '—')} · {t['year']}{t['colon']}"
                        f"{v(meta.get('year') or '—')} · {t['format']}{t['colon']}{v(meta.get('format') or '—')}"))
    for p in rep.problems:
        out.append("  " + c("warning", f"! {v(p.message)}"))
    for note in rep.notes:
        if note.get("level") in ("warning", "error"):
            out.append("  " + c("dim", f"· {t['notes']}: {v(note.get(lang) or note.get('zh'))}"))
    groups: dict[int | None, list[Any]] = {}
    for f in rep.findings:
        groups.setdefault(f.section, []).append(f)
    if not rep.findings:
        out.append("  " + c("info", f"✓ {t['clean']}"))
    for sec in sorted(groups, key=lambda s: (s is not None, s or 0)):
        out.append("  " + c("bold", f"── {_section_heading(sec, lang)} ──"))
        for f in sorted(groups[sec], key=lambda f: (_ORDER.get(f.severity, 3), f.rule)):
            mark = {"error": "✗", "warning": "!", "info": "i"}.get(f.severity, "·")
            sev = _SEV[lang].get(f.severity, f.severity)
            sup = f" [{t['suppressed']}: {v(f.suppressed.get('reason'))}]" if f.suppressed else ""
            out.append(f"  {c(f.severity, f'{mark} {v(sev)}')} {c('bold', v(f.rule))}  {v(f.title)}{c('dim', sup)}")
            out.append(f"      {v(f.message)}")
            for loc in f.locations[:3]:
                if loc.get("line") is None and not loc.get("where") and not loc.get("page"):
                    continue
                where = v(_where(loc, t, lang))
                label = v(loc.get("label") or loc.get("pointer") or "")
                text = _clip(loc.get("text") or "")
                rec = t["recovered"] if loc.get("recovered") else ""
                out.append(c("dim", f"      {t['where']}{t['colon']}{where} {label} “{text}”{rec}"))
            if f.basis:
                out.append(c("dim", f"      {t['basis']}{t['colon']}{v(f.basis)}"))
    if rep.not_evaluated:
        names = ", ".join(v(n.rule) for n in rep.not_evaluated[:12])
        more = f" …(+{len(rep.not_evaluated) - 12})" if len(rep.not_evaluated) > 12 else ""
        out.append("  " + c("dim", f"{t['not_eval']}: {names}{more}"))
    out.append("  " + t["subtotal"].format(**rep.counts()))
    out.append("")
    return "\n".join(out)


def _where(loc: dict[str, Any], t: dict[str, str], lang: str) -> str:
    """Where a person finds the cell: the line of a text file; for Word and PDF the loader's own
    description (page, table, row, cell) — the line of gipcheck's internal linear text means
    nothing to a reader there."""
    described = loc.get("where")
    page = loc.get("page")
    if described:
        if page and str(page) not in described:
            described = (f"第{page}页 " if lang == "zh" else f"page {page} ") + described
        return described
    where = t["line"].format(n=loc["line"]) if loc.get("line") is not None else ""
    if page:
        where = (f"第{page}页 " if lang == "zh" else f"page {page} ") + where
    return where.strip()


def render(run: Any, options: dict[str, Any]) -> str:
    lang, c = _options(options)
    t = _T[lang]
    out: list[str] = []
    for rep in run.reports:
        piece = getattr(rep, "pieces", {}).get(NAME)
        out.append(piece if piece is not None else render_report(rep, options))
    s = run.summary()
    out.append(c("bold", t["total"].format(n=s["reports"], u=s["unreadable"], ne=s["not_evaluated"], **s["findings"])))
    if run.problems:
        out.append(c("warning", f"{t['problems']}:"))
        for p in run.problems:
            out.append(c("warning", f"  ! {v(p.message)}"))
    return "\n".join(out)
