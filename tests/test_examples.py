"""The bundled examples show what examples/README.md says they show.

The README's defect tables are parsed, so the documentation and the behaviour cannot drift apart:
each listed rule with a severity must fire with that severity, a rule listed with "—" must be
*not evaluated*, and the reports described as clean must have no error or warning.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gipcheck import api

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _expectations() -> dict[str, dict[str, str]]:
    text = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    out: dict[str, dict[str, str]] = {}
    current = None
    for line in text.splitlines():
        if m := re.match(r"\*\*`([^`]+\.txt)`\*\*", line.strip()):
            current = m.group(1)
            out[current] = {}
        elif current and (m := re.match(r"\|\s*`([A-Z0-9-]+)`\s*\|\s*([a-z—-]+)\s*\|", line)):
            out[current][m.group(1)] = m.group(2)
    return out


def _clean_files() -> list[str]:
    text = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    return re.findall(r"\|\s*`([^`]+\.txt)`\s*\|[^\n]*\|\s*clean", text)


EXPECTED = _expectations()


def test_readme_lists_defects_and_clean_reports() -> None:
    assert len(EXPECTED) >= 2 and all(EXPECTED.values())
    assert len(_clean_files()) >= 1


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_shows_its_deliberate_defects(name: str) -> None:
    result = api.check(EXAMPLES / name)
    fired = {f.rule: f.severity for f in result.findings}
    not_evaluated = {n.rule for n in result.not_evaluated}
    for rule, severity in EXPECTED[name].items():
        if severity in ("—", "-"):
            assert rule in not_evaluated, f"{name}: {rule} should be not evaluated"
        else:
            assert fired.get(rule) == severity, f"{name}: {rule} should fire as {severity}, got {fired.get(rule)}"
    unexpected = {r for r, s in fired.items() if s in ("error", "warning") and r not in EXPECTED[name]}
    assert not unexpected, f"{name}: undocumented errors/warnings {unexpected}"


@pytest.mark.parametrize("name", _clean_files())
def test_clean_example_is_clean(name: str) -> None:
    result = api.check(EXAMPLES / name)
    assert [f.rule for f in result.findings if f.severity in ("error", "warning")] == []
    assert result.not_evaluated == []


def test_year_over_year_pair_is_checked_in_a_batch() -> None:
    run = api.check_paths([str(EXAMPLES / "county_gov_2023.txt"), str(EXAMPLES / "county_gov_2024.txt")],
                          jobs=1, progress=None)
    later = run.reports[1]
    assert any(n.get("code") == "PREV_PAIRED" for n in later.notes)
    assert "Y-CARRY-CHAIN" in later.passed and "Y-VALID-CHAIN" in later.passed
