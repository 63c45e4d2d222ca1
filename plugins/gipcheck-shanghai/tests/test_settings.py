"""The plugin's one setting, ``shanghai.place_by_order`` (``[tool.gipcheck.plugins.shanghai]`` in
the user's configuration): declared through ``gipcheck_config_defaults`` and read by the loader
from the merged configuration the core passes it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from gipcheck.testing.pytest_plugin import GipcheckChecker

from gipcheck_shanghai.loader import PLACE_BY_ORDER, load

KEWEI = "002_shanghai_kewei_2024.md.txt"


def _filled(doc: dict[str, Any]) -> int:
    def count(node: Any) -> int:
        if isinstance(node, dict):
            return sum(count(v) for v in node.values())
        return int(isinstance(node, int))

    return count(doc["requests"])


def test_the_default_is_declared_and_merged(make_gipcheck_checker: Callable[..., GipcheckChecker]) -> None:
    checker = make_gipcheck_checker(["shanghai"])
    assert checker.manager.config_defaults == {PLACE_BY_ORDER: True}
    assert checker.config[PLACE_BY_ORDER] is True
    assert make_gipcheck_checker(["shanghai"], config={PLACE_BY_ORDER: False}).config[PLACE_BY_ORDER] is False


def test_place_by_order_false_leaves_cut_rows_unread(corpus: Path) -> None:
    data = (corpus / KEWEI).read_bytes()
    placed = load(data, KEWEI, {"config": {PLACE_BY_ORDER: True}})
    strict = load(data, KEWEI, {"config": {PLACE_BY_ORDER: False}})
    assert "SH_T3_PLACED_BY_ORDER" in {n.code for n in placed.notes}
    note = next(n for n in strict.notes if n.code == "SH_T3_NOT_PLACED")
    assert note.level == "warning" and "shanghai.place_by_order" in note.zh
    # ten 7-cell rows of 市科委's table 三 lost their labels in the PDF conversion
    assert _filled(placed.document) - _filled(strict.document) == 7 * int(note.en.split()[2])
    # rows the report labels itself are read the same; no cell is ever invented
    assert strict.document["requests"]["new"] == placed.document["requests"]["new"]
    assert strict.document["active"] == placed.document["active"]
    assert load(data, KEWEI, {}).document == placed.document  # no configuration: the default
