"""JUnit XML output, for CI systems that show test results.

One ``<testsuite>`` per report, one ``<testcase>`` per rule evaluated on it (``classname`` the
report file, ``name`` the rule id and title). An error- or warning-severity finding is a
``<failure>``; an info finding passes with its message in ``<system-out>``; a rule that could not
be evaluated, or a suppressed finding, is ``<skipped>``; an unreadable file is one ``<error>``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import quoteattr

from gipcheck.report._common import SEVERITY_LABEL, finding_locations, lang_of, meta_of, rule_info, visible

NAME = "junit"
MEDIA_TYPE = "application/xml"
EXTENSION = ".xml"

# Noncharacters XML 1.0 cannot carry: dropped. Controls and lone surrogates (which it cannot
# carry either) are written out visibly by visible().
_XML_BAD = re.compile("[\ufffe\uffff]")


def _clean(s: Any) -> str:
    return _XML_BAD.sub("", visible(s, keep="\t\n\r"))


def _text(s: Any) -> str:
    return _clean(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(s: Any) -> str:
    return quoteattr(_clean(s), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


# A testcase name (rule id and title) recurs in every report of a batch: escaped once.
_name_attr = lru_cache(maxsize=4096)(_attr)


def _where(loc: dict[str, Any], lang: str) -> str:
    pos = ""
    if loc.get("line") is not None:
        pos = f"第 {loc['line']} 行" if lang == "zh" else f"line {loc['line']}"
        if loc.get("col") is not None:
            pos += f" 第 {loc['col']} 列" if lang == "zh" else f" col {loc['col']}"
    label = loc.get("label") or loc.get("pointer") or ""
    text = " ".join(str(loc.get("text") or "").split())
    text = text if len(text) <= 80 else text[:79] + "…"
    return f"{pos} {label}" + (f" “{text}”" if text else "")


_COUNTS = ("tests", "failures", "errors", "skipped")


def _suite(rep: Any, info_of: Callable[[str], dict[str, Any]], lang: str) -> tuple[str, dict[str, int]]:
    """One report's ``<testsuite>`` and its counts; ``info_of`` gives a rule's catalogue entry."""
    sev_label = SEVERITY_LABEL[lang]
    meta = meta_of(rep)
    cases: list[str] = []
    counts = dict.fromkeys(_COUNTS, 0)
    cls = _attr(rep.source)  # the classname of every testcase of the report
    if not rep.readable:
        msg = "；".join(p.message for p in rep.problems) or "unreadable"
        code = rep.problems[0].code if rep.problems else "LOAD"
        cases.append(f'    <testcase classname={cls} name={_attr("load")}>\n'
                     f'      <error message={_attr(msg)} type={_attr(code)}>{_text(msg)}</error>\n'
                     f'    </testcase>')
        counts["tests"] += 1
        counts["errors"] += 1
    else:
        by_rule = {f.rule: f for f in rep.findings}
        ne = {n.rule: n for n in rep.not_evaluated}
        order = list(dict.fromkeys([*rep.passed, *by_rule, *ne]))
        for rid in sorted(order):
            info = info_of(rid)
            title = (info.get("title") or {}).get(lang) or (info.get("title") or {}).get("zh") or rid
            head = f'    <testcase classname={cls} name={_name_attr(f"{rid} {title}")}'
            counts["tests"] += 1
            f = by_rule.get(rid)
            if f is not None:
                body = [f.message, *(_where(loc, lang) for loc in finding_locations(rep, f))]
                if f.basis:
                    body.append(("依据：" if lang == "zh" else "basis: ") + f.basis)
                detail = _text("\n".join(body))
                if f.suppressed:
                    counts["skipped"] += 1
                    why = ("已豁免：" if lang == "zh" else "suppressed: ") + str(f.suppressed.get("reason"))
                    cases.append(f"{head}>\n      <skipped message={_attr(why)}/>\n"
                                 f"      <system-out>{detail}</system-out>\n    </testcase>")
                elif f.severity in ("error", "warning"):
                    counts["failures"] += 1
                    cases.append(f"{head}>\n      <failure message={_attr(f.message)} "
                                 f"type={_attr(sev_label.get(f.severity, f.severity))}>{detail}</failure>\n"
                                 f"    </testcase>")
                else:
                    cases.append(f"{head}>\n      <system-out>{detail}</system-out>\n    </testcase>")
            elif rid in ne:
                counts["skipped"] += 1
                cases.append(f"{head}>\n      <skipped message={_attr(ne[rid].reason)}/>\n    </testcase>")
            else:
                cases.append(f"{head}/>")
        for p in rep.problems:  # a rule that raised, a plugin that failed on this report
            counts["tests"] += 1
            counts["errors"] += 1
            cases.append(f'    <testcase classname={cls} name={_attr(p.kind + " " + p.code)}>\n'
                         f'      <error message={_attr(p.message)} type={_attr(p.code)}>{_text(p.message)}</error>\n'
                         f'    </testcase>')
    props = "".join(f'      <property name={_attr(k)} value={_attr(meta.get(k))}/>\n'
                    for k in ("organ", "year", "format") if meta.get(k) is not None)
    props = f"    <properties>\n{props}    </properties>\n" if props else ""
    suite = (f'  <testsuite name={cls} tests="{counts["tests"]}" failures="{counts["failures"]}" '
             f'errors="{counts["errors"]}" skipped="{counts["skipped"]}">\n{props}' + "\n".join(cases)
             + ("\n" if cases else "") + "  </testsuite>")
    return suite, counts


# A rendered piece: the suite's counts, then this separator, then the suite (XML text never holds
# a raw NUL: visible() writes every control character out).
_SEP = "\x00"


def render_report(rep: Any, options: dict[str, Any]) -> str:
    """One report's ``<testsuite>``, rendered ahead by a batch worker, its counts in front.

    ``options["rules"]``: the run's rule catalogue (``RunResult.rules``), where rule titles come
    from. A report that names a rule outside it is left to the whole-run rendering (the title then
    comes from the findings of any report): ``LookupError``."""
    catalog = options["rules"]

    def info_of(rid: str) -> dict[str, Any]:
        got = catalog.get(rid)
        if not got:
            raise LookupError(f"rule {rid} is not in the run's catalogue")
        return got  # type: ignore[no-any-return]

    suite, counts = _suite(rep, info_of, lang_of(options))
    return " ".join(str(counts[k]) for k in _COUNTS) + _SEP + suite


def render(run: Any, options: dict[str, Any]) -> str:
    lang = lang_of(options)
    suites: list[str] = []
    tot = dict.fromkeys(_COUNTS, 0)
    for rep in run.reports:
        piece = getattr(rep, "pieces", {}).get(NAME)
        if piece is None:
            suite, counts = _suite(rep, lambda rid: rule_info(run, rid), lang)
        else:
            head, _, suite = piece.partition(_SEP)
            counts = dict(zip(_COUNTS, map(int, head.split()), strict=True))
        suites.append(suite)
        for k in tot:
            tot[k] += counts[k]
    if run.problems:
        cases = [f'    <testcase classname="gipcheck" name={_attr(p.kind + " " + p.code)}>\n'
                 f'      <system-out>{_text(p.message)}</system-out>\n    </testcase>' for p in run.problems]
        tot["tests"] += len(cases)
        suites.append(f'  <testsuite name="gipcheck" tests="{len(cases)}" failures="0" errors="0" skipped="0">\n'
                      + "\n".join(cases) + "\n  </testsuite>")
    head = (f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="gipcheck" tests="{tot["tests"]}" '
            f'failures="{tot["failures"]}" errors="{tot["errors"]}" skipped="{tot["skipped"]}">')
    return "\n".join([head, *suites, "</testsuites>"]) + "\n"
