"""The gipcheck rule language: parse with Lark (LALR), compile once into closures, evaluate many
times with Kleene three-valued logic. See docs/language.md."""

from __future__ import annotations

from gipcheck.lang.compiler import compile_expression, get_parser
from gipcheck.lang.errors import LangError, SourceMap
from gipcheck.lang.functions import BUILTINS, FunctionSpec
from gipcheck.lang.runtime import CompiledExpression
from gipcheck.lang.values import UNKNOWN, Evidence, Outcome, PList, Unknown, is_unknown

Evaluator = CompiledExpression  # the name docs/language.md uses for a compiled, evaluable rule

__all__ = [
    "BUILTINS", "CompiledExpression", "Evaluator", "Evidence", "FunctionSpec", "LangError", "Outcome", "PList",
    "SourceMap", "UNKNOWN", "Unknown", "compile_expression", "get_parser", "is_unknown",
]
