"""Errors of the rule language, with positions mapped back into the rule's YAML file."""

from __future__ import annotations

from dataclasses import dataclass

from gipcheck.errors import RuleError

# Codes raised at load time (compile) and at run time (inside an Outcome, never raised).
COMPILE_CODES = ("SYNTAX", "UNKNOWN_NAME", "UNKNOWN_PATH", "UNKNOWN_FUNCTION", "ARITY", "LET_CYCLE",
                 "FORBIDDEN", "TOO_DEEP", "TOO_LONG", "BAD_REGEX", "BAD_LITERAL", "TYPE")
RUNTIME_CODES = ("BUDGET", "TYPE", "PLUGIN", "INTERNAL")


class LangError(RuleError):
    """A rule expression is broken (at load time) or failed (at run time).

    Besides the :class:`RuleError` fields, ``expr_line``/``expr_col`` give the position inside
    the expression text itself (1-based) and ``let`` the name of the ``let`` the error is in.
    """

    def __init__(self, code: str, zh: str, en: str, *, file: str | None = None, line: int | None = None,
                 col: int | None = None, source_line: str | None = None, hint_zh: str | None = None,
                 hint_en: str | None = None, expr_line: int | None = None, expr_col: int | None = None,
                 let: str | None = None) -> None:
        super().__init__(code, zh, en, file=file, line=line, col=col, source_line=source_line,
                         hint_zh=hint_zh, hint_en=hint_en)
        self.expr_line, self.expr_col, self.let = expr_line, expr_col, let

    def __str__(self) -> str:
        where = ":".join(str(x) for x in (self.file, self.line, self.col) if x is not None)
        return f"{where}: [{self.code}] {self.en}" if where else f"[{self.code}] {self.en}"


@dataclass(frozen=True)
class SourceMap:
    """Maps a position inside an expression text to ``file:line:col``.

    ``line``/``col`` are where the expression's first character is in the file. For a YAML block
    scalar (``expr: |``) pass ``indent`` (the number of indentation characters YAML strips from
    every line) so lines after the first map back exactly. ``source_text`` (the whole file), when
    given, supplies the real file line for the caret display.
    """

    file: str | None
    line: int
    col: int
    expr: str
    indent: int | None = None
    source_text: str | None = None

    def locate(self, eline: int, ecol: int) -> tuple[int, int, str]:
        line = self.line + eline - 1
        expr_lines = self.expr.split("\n")
        eline_text = expr_lines[eline - 1] if 0 < eline <= len(expr_lines) else ""
        if eline == 1:
            col = self.col + ecol - 1
            prefix = self.col - 1
        elif self.indent is not None:
            col = self.indent + ecol
            prefix = self.indent
        else:
            col, prefix = ecol, 0
        src: str | None = None
        if self.source_text is not None:
            file_lines = self.source_text.split("\n")
            if 0 < line <= len(file_lines):
                src = file_lines[line - 1].rstrip("\r")
        if src is None:
            src = " " * prefix + eline_text
        return line, col, src

    def error(self, code: str, zh: str, en: str, eline: int = 1, ecol: int = 1, *, hint_zh: str | None = None,
              hint_en: str | None = None, let: str | None = None) -> LangError:
        line, col, src = self.locate(eline, ecol)
        return LangError(code, zh, en, file=self.file, line=line, col=col, source_line=src, hint_zh=hint_zh,
                         hint_en=hint_en, expr_line=eline, expr_col=ecol, let=let)


def runtime_error(code: str, zh: str, en: str, *, hint_zh: str | None = None, hint_en: str | None = None) -> LangError:
    return LangError(code, zh, en, hint_zh=hint_zh, hint_en=hint_en)


class RuntimeFailure(Exception):
    """Internal: unwinds an evaluation that cannot go on; ``evaluate`` turns it into an outcome."""

    def __init__(self, error: LangError) -> None:
        super().__init__(error.en)
        self.error = error


# Full-width (and typographic) punctuation people type in Chinese input mode.
FULLWIDTH_HINTS: dict[str, str] = {
    "（": "(", "）": ")", "＝": "=", "，": ",", "：": ":", "［": "[", "］": "]", "“": '"', "”": '"',
    "‘": "'", "’": "'", "＜": "<", "＞": ">", "＋": "+", "－": "-", "＊": "*", "／": "/", "．": ".",
    "！": "!", "？": "?", "～": "~", "、": ",", "。": ".", "；": ";", "｛": "{", "｝": "}",
}
