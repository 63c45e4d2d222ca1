"""Hostile test plugins, one object each (entry points name them as ``gipfix_adversarial:NAME``):
every one breaks the plugin contract in its own way and must be reported by name while the run
goes on (see tests/test_explain_rules_plugins_adversarial.py)."""

from __future__ import annotations

from typing import Any

from gipcheck.plugins import hookimpl


class WrongTypes:
    """Hooks that return the wrong type: a list of defaults, a text as a layout hint, a value from
    a registration hook (which returns nothing)."""

    @hookimpl
    def gipcheck_config_defaults(self) -> Any:
        return ["not", "a", "mapping"]

    @hookimpl
    def gipcheck_detect_layout(self, text: str, document: Any) -> Any:
        return "shanghai"

    @hookimpl
    def gipcheck_register_reporters(self, register: Any) -> Any:
        return {"name": "ignored"}


class Exits:
    """Hooks that raise BaseException subclasses a plain ``except Exception`` lets through."""

    @hookimpl
    def gipcheck_register_functions(self, register: Any) -> None:
        raise SystemExit(3)

    @hookimpl
    def gipcheck_register_reporters(self, register: Any) -> None:
        raise GeneratorExit("closed")

    @hookimpl
    def gipcheck_enrich_document(self, loaded: Any, config: Any) -> None:
        raise SystemExit("enrich wants out")

    @hookimpl
    def gipcheck_configure(self, config: Any) -> None:
        raise GeneratorExit


def _sniff_raises(head: bytes, path: str) -> float:
    raise RuntimeError("sniff always fails")


def _load_raises(data: bytes, path: str, options: Any) -> Any:
    raise SystemExit("load wants out")


def _sniff_claims(head: bytes, path: str) -> float:
    return 1.0 if head.startswith(b"GIPADV") else 0.0


def _load_none(data: bytes, path: str, options: Any) -> Any:
    return None


def _sniff_nan(head: bytes, path: str) -> Any:
    return float("nan")


def _sniff_text(head: bytes, path: str) -> Any:
    return "very likely"


def _load_exit(data: bytes, path: str, options: Any) -> Any:
    raise SystemExit(0)


class BadLoaders:
    """Loaders that raise on every file, claim files and return None, or score nonsense."""

    @hookimpl
    def gipcheck_register_loaders(self, register: Any) -> None:
        register("gipadv-raiser", _sniff_raises, _load_raises)
        register("gipadv-none", _sniff_claims, _load_none, priority=99)
        register("gipadv-nan", _sniff_nan, _load_exit)
        register("gipadv-text", _sniff_text, _load_exit)


def _render_raises(run: Any, options: Any) -> str:
    raise RuntimeError("reporter broke")


def _render_bytes(run: Any, options: Any) -> Any:
    return b"bytes, not text"


def _render_none(run: Any, options: Any) -> Any:
    return None


def _render_exit(run: Any, options: Any) -> Any:
    raise SystemExit(1)


class BadReporters:
    """Output formats that raise, exit, or give bytes or nothing instead of text."""

    @hookimpl
    def gipcheck_register_reporters(self, register: Any) -> None:
        register("gipadv-raises", _render_raises)
        register("gipadv-bytes", _render_bytes)
        register("gipadv-none", _render_none)
        register("gipadv-exit", _render_exit)


class BadFunctions:
    """Rule-language functions returning what the language has no value for."""

    @hookimpl
    def gipcheck_register_functions(self, register: Any) -> None:
        register("gipadv_set", lambda x: {1, 2, 3}, min_args=1, max_args=1)
        register("gipadv_none", lambda x: None, min_args=1, max_args=1)
        register("gipadv_huge", lambda x: "长" * 5_000_000, min_args=1, max_args=1)
        register("gipadv_obj", lambda x: object(), min_args=1, max_args=1)
        register("gipadv_exit", _exit_function, min_args=1, max_args=1)


def _exit_function(x: Any) -> Any:
    raise SystemExit(5)


wrong_types = WrongTypes()
exits = Exits()
bad_loaders = BadLoaders()
bad_reporters = BadReporters()
bad_functions = BadFunctions()


def _render_whole(run: Any, options: Any) -> str:
    return "whole"


def _render_piece(result: Any, options: Any) -> Any:
    raise SystemExit(4)


_render_whole.render_report = _render_piece  # type: ignore[attr-defined]


class PiecewiseReporter:
    """An output format rendered one report at a time in batch workers, whose piece exits."""

    @hookimpl
    def gipcheck_register_reporters(self, register: Any) -> None:
        register("gipadv-piece", _render_whole)


piecewise = PiecewiseReporter()
