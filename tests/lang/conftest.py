"""Collect tests/lang/conformance/*.yaml as pytest items: each case is one rule-language test.

A file is ``{env: <default document>, prev: <optional>, cases: [...]}``; a case is
``{expr, env?, prev?, lets?, expect, missing?, hint?}`` where ``expect`` is a value, ``UNKNOWN``,
``{date: "YYYY-MM-DD"}``, ``{status: fail|pass|error, ...}`` or ``{error: CODE, at: "line:col"}``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".yaml" and file_path.parent.name == "conformance":
        return ConformanceFile.from_parent(parent, path=file_path)
    return None


class ConformanceFile(pytest.File):
    def collect(self) -> Any:
        data = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        env = data.get("env") or {}
        prev = data.get("prev")
        for i, case in enumerate(data["cases"]):
            name = case.get("name") or f"{i:03d}: {str(case['expr'])[:60]}"
            yield ConformanceCase.from_parent(self, name=name, case=case, env=case.get("env", env),
                                              prev=case.get("prev", prev))


class ConformanceFailure(Exception):
    pass


def _expand(expr: Any) -> str:
    # `repeat: [text, n]` builds huge inputs without storing them in the YAML file.
    if isinstance(expr, dict):
        return str(expr.get("prefix", "")) + str(expr["repeat"][0]) * int(expr["repeat"][1]) + str(expr.get("suffix", ""))
    return str(expr)


def _same(a: Any, b: Any) -> bool:
    if isinstance(b, float) or isinstance(a, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and abs(a - b) < 1e-9
    if type(a) is bool or type(b) is bool:
        return a is b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=False))
    return a == b


class ConformanceCase(pytest.Item):
    def __init__(self, *, case: dict[str, Any], env: Any, prev: Any, **kw: Any) -> None:
        super().__init__(**kw)
        self.case, self.env, self.prev = case, env, prev

    def runtest(self) -> None:
        from gipcheck.lang import LangError, compile_expression, is_unknown

        case = self.case
        expr = _expand(case["expr"])
        expect = case["expect"]
        want_error = isinstance(expect, dict) and "error" in expect
        try:
            compiled = compile_expression(expr, lets=case.get("lets"))
        except LangError as e:
            if not want_error:
                raise ConformanceFailure(f"unexpected compile error: {e}") from None
            if e.code != expect["error"]:
                raise ConformanceFailure(f"error {e.code} ({e.en}), expected {expect['error']}") from None
            if "at" in expect and f"{e.line}:{e.col}" != expect["at"]:
                raise ConformanceFailure(f"error at {e.line}:{e.col}, expected {expect['at']}") from None
            for key in ("hint", "message"):
                if key in case:
                    text = (e.hint_en or "") + " " + (e.hint_zh or "") if key == "hint" else e.en + " " + e.zh
                    if case[key] not in text:
                        raise ConformanceFailure(f"{key} {text!r} lacks {case[key]!r}") from None
            return
        outcome = compiled.evaluate(self.env, prev=self.prev, budget=case.get("budget", 100_000))
        if want_error:
            if outcome.status != "error" or outcome.error.code != expect["error"]:
                raise ConformanceFailure(f"expected error {expect['error']}, got {outcome!r}")
            return
        if expect == "UNKNOWN":
            if not is_unknown(outcome.value) or outcome.status not in ("unknown",):
                raise ConformanceFailure(f"expected UNKNOWN, got {outcome!r}")
        elif isinstance(expect, dict) and "date" in expect:
            if outcome.value != dt.date.fromisoformat(expect["date"]):
                raise ConformanceFailure(f"expected date {expect['date']}, got {outcome.value!r}")
        elif isinstance(expect, dict) and "status" in expect:
            if outcome.status != expect["status"]:
                raise ConformanceFailure(f"expected status {expect['status']}, got {outcome!r}")
            if "evidence" in expect:
                got = [e.to_json() for e in outcome.evidence]
                for want, have in zip(expect["evidence"], got, strict=True):
                    for k, v in want.items():
                        if not _same(have.get(k), v):
                            raise ConformanceFailure(f"evidence {k}: {have.get(k)!r} != {v!r} in {got}")
        else:
            if outcome.status == "error" and outcome.error.code != "NOT_BOOLEAN":
                raise ConformanceFailure(f"evaluation error: {outcome.error}")
            if not _same(outcome.value, expect):
                raise ConformanceFailure(f"value {outcome.value!r}, expected {expect!r}")
        if "missing" in case and outcome.missing != case["missing"]:
            raise ConformanceFailure(f"missing {outcome.missing}, expected {case['missing']}")

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        if isinstance(excinfo.value, ConformanceFailure):
            return f"{self.path.name}: {self.case['expr']!s:.200}\n  {excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"conformance: {self.name}"
