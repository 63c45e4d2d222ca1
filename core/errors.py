"""Errors that end an operation with a clear, one-line message — never a traceback.

Exit codes (documented in README and ``gipcheck --help``):

==== =====================================================================================
0    success; for ``check``: no error-severity finding
1    ``check`` found at least one error-severity finding
2    the run itself could not be done: bad arguments, unreadable or broken rule/config files,
     a plugin failure under ``--strict-plugins``
3    an input could not be read as a report (empty, binary, too large, corrupt, wrong format,
     not an annual report, needs a plugin), or no report file was found at all — the other
     inputs are still processed
4    ``extract``: a report was read but is incomplete (e.g. cut off inside table 三)
70   an internal error in gipcheck itself (a bug; reported in one line, ``GIPCHECK_DEBUG=1`` shows more)
==== =====================================================================================
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INPUT = 3
EXIT_INCOMPLETE = 4
EXIT_INTERNAL = 70


class GipcheckError(Exception):
    """Base class: carries a stable ``code``, a Chinese and an English message, and an exit code."""

    exit_code = EXIT_USAGE

    def __init__(self, code: str, zh: str, en: str, *, exit_code: int | None = None) -> None:
        super().__init__(en)
        self.code = code
        self.zh = zh
        self.en = en
        if exit_code is not None:
            self.exit_code = exit_code

    def message(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "zh": self.zh, "en": self.en}


class LoadError(GipcheckError):
    """An input file could not be read as a report (exit code 3).

    Codes: ``EMPTY``, ``BINARY``, ``TOO_LARGE``, ``ENCODING``, ``NOT_A_REPORT``, ``UNSUPPORTED``,
    ``CORRUPT``, ``SCANNED_PDF``, ``NEEDS_CONVERTER``, ``NEEDS_PLUGIN``, ``LIMIT``, ``TIMEOUT``, ``IO``.
    """

    exit_code = EXIT_INPUT


class RuleError(GipcheckError):
    """A rule file or rule expression is broken (exit code 2).

    ``file``, ``line`` and ``col`` (1-based; ``col`` counts characters) point at the fault;
    ``source_line`` is that line, ``hint`` a suggestion for the usual slips.
    """

    exit_code = EXIT_USAGE

    def __init__(self, code: str, zh: str, en: str, *, file: str | None = None, line: int | None = None,
                 col: int | None = None, source_line: str | None = None, hint_zh: str | None = None,
                 hint_en: str | None = None) -> None:
        super().__init__(code, zh, en)
        self.file, self.line, self.col = file, line, col
        self.source_line = source_line
        self.hint_zh, self.hint_en = hint_zh, hint_en

    def render(self, lang: str = "zh") -> str:
        """``file:line:col: message``, the source line, a caret under the column (East Asian
        width aware) and the hint."""
        from gipcheck.textwidth import caret_line

        where = ":".join(str(x) for x in (self.file or "<rule>", self.line, self.col) if x is not None)
        out = [f"{where}: {self.message(lang)}"]
        if self.source_line is not None and self.col is not None:
            line, prefix = self.source_line, self.source_line[:max(self.col - 1, 0)]
            if len(line) > 120:  # a very long line: show the stretch around the fault
                start = max(0, len(prefix) - 60)
                cut = line[start:start + 120]
                line = ("..." if start else "") + cut + ("..." if start + 120 < len(line) else "")
                prefix = ("..." if start else "") + prefix[start:]
            try:  # the terminal shows control/bidi characters escaped: measure the caret on what is shown
                from gipcheck.report._common import visible

                line, prefix = visible(line, keep="\t"), visible(prefix, keep="\t")
            except ImportError:  # pragma: no cover
                pass
            out.append("    " + line)
            out.append("    " + caret_line(prefix + " ", len(prefix) + 1))
        hint = self.hint_zh if lang == "zh" else self.hint_en
        if hint:
            out.append(("提示：" if lang == "zh" else "hint: ") + hint)
        return "\n".join(out)


class ConfigError(GipcheckError):
    exit_code = EXIT_USAGE
