"""Every example of every rule in the bundled packs is a pytest item (``gipcheck rules test``)."""

from __future__ import annotations

import pytest

from gipcheck.engine import default_pack_dirs, load_packs
from gipcheck.engine.examples import run_example

_PACKS = load_packs(default_pack_dirs())
_CASES = [(rule, ex) for pack in _PACKS for rule in pack.rules for ex in rule.examples]


@pytest.mark.parametrize(("rule", "example"), _CASES,
                         ids=[f"{r.id}[{e.index}:{e.expect}]" for r, e in _CASES])
def test_rule_example(rule, example) -> None:  # type: ignore[no-untyped-def]
    result = run_example(rule, example)
    assert result.ok, (f"{result.where}: {rule.id} example {example.index} expected {example.expect}, "
                       f"got {result.got}. {result.detail}")


def test_every_rule_has_a_passing_and_a_failing_example() -> None:
    for pack in _PACKS:
        for rule in pack.rules:
            kinds = {e.expect for e in rule.examples}
            assert {"pass", "fail"} <= kinds, rule.id
