"""Built-in plugin: the national rule pack (``rules/national``) and the prose phrasing file
(``rules/facts.yaml``) bundled with gipcheck."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gipcheck.plugins import hookimpl
from gipcheck.resources import rules_dir


@hookimpl
def gipcheck_register_rule_packs(register: Callable[..., Any]) -> None:
    register(rules_dir() / "national")


@hookimpl
def gipcheck_register_fact_patterns(register: Callable[..., Any]) -> None:
    facts = rules_dir() / "facts.yaml"
    if facts.is_file():  # the fact reader's phrasing file is optional until it is written
        register(facts)
