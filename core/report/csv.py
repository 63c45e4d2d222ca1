"""CSV for batches: one row per report — source, organ, year, format, counts per severity, the
failed rule ids. UTF-8 with a byte-order mark and CRLF line ends, so Excel opens it as Chinese
text; cells that would start a spreadsheet formula are quoted with an apostrophe."""

from __future__ import annotations

import csv
import io
from typing import Any

from gipcheck.report._common import SEVERITY_ORDER, lang_of, meta_of, visible

NAME = "csv"
MEDIA_TYPE = "text/csv"
EXTENSION = ".csv"

BOM = "\ufeff"
HEADERS = {
    "zh": ["文件", "机关", "年度", "格式", "状态", "错误", "警告", "提示", "已豁免", "未能评估",
           "未通过的规则", "已豁免的规则", "问题说明"],
    "en": ["source", "organ", "year", "format", "status", "errors", "warnings", "info", "suppressed",
           "not_evaluated", "failed_rules", "suppressed_rules", "problems"],
}
_STATUS = {"zh": {"ok": "通过", "findings": "有问题", "unreadable": "无法读取"},
           "en": {"ok": "ok", "findings": "findings", "unreadable": "unreadable"}}


def _cell(v: Any) -> Any:
    if isinstance(v, str):
        v = visible(v, keep="\t\n\r")  # controls and lone surrogates (a non-UTF-8 file name) shown
        # Report text is untrusted: a cell starting with = + - @ would run as a formula in Excel.
        if v[:1] in ("=", "+", "-", "@", "\t", "\r"):
            return "'" + v
    return "" if v is None else v


def _row(rep: Any, lang: str) -> list[Any]:
    meta = meta_of(rep)
    counts = rep.counts()
    live = sorted((f for f in rep.findings if not f.suppressed),
                  key=lambda f: (SEVERITY_ORDER.get(f.severity, 3), f.rule))
    hidden = sorted(f.rule for f in rep.findings if f.suppressed)
    if not rep.readable:
        status = "unreadable"
    elif counts["error"] or counts["warning"]:
        status = "findings"
    else:
        status = "ok"
    return [_cell(x) for x in (
        rep.source, meta.get("organ"), meta.get("year"), meta.get("format"), _STATUS[lang][status],
        counts["error"], counts["warning"], counts["info"], len(hidden), len(rep.not_evaluated),
        " ".join(f.rule for f in live), " ".join(hidden), "；".join(p.message for p in rep.problems),
    )]


def render_report(rep: Any, options: dict[str, Any]) -> str:
    """One report's row, CRLF included (what a batch worker renders ahead)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(_row(rep, lang_of(options)))
    return buf.getvalue()


def render(run: Any, options: dict[str, Any]) -> str:
    lang = lang_of(options)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(HEADERS[lang])
    for rep in run.reports:
        piece = getattr(rep, "pieces", {}).get(NAME)
        if piece is not None:
            buf.write(piece)
        else:
            w.writerow(_row(rep, lang))
    return BOM + buf.getvalue()
