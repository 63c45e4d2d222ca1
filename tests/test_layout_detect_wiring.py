"""``gipcheck_detect_layout`` on a real run: every report a :class:`~gipcheck.api.Checker` reads is
shown to the layout hints; a layout that a plugin which is not installed reads becomes the load
problem ``NEEDS_PLUGIN`` (exit 3) instead of the core's reading, a weaker hint an info note beside
it, and with the plugin installed nothing changes."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gipcheck import api
from gipcheck.errors import EXIT_INPUT, LoadError
from gipcheck.load import registry
from gipcheck.plugins import hookimpl

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS, SEEDS = SHARED / "corpus", SHARED / "seeds"
SHANGHAI = ("002_shanghai_kewei_2024.md.txt", "003_shanghai_gov_office_2025.md.txt")

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared (seeds and corpus) is not beside the checkout")


def _others() -> list[Path]:
    """Every seed and every corpus report that is not Shanghai's (text, PDF, Word)."""
    return [*sorted(SEEDS.glob("*.txt")),
            *sorted(p for p in CORPUS.iterdir() if p.name != "SOURCES.md" and p.name not in SHANGHAI)]


@pytest.fixture
def core_only() -> Iterator[api.Checker]:
    """The built-ins only (gipcheck-shanghai "not installed"), with no plugin loader left in the
    global loader registry by an earlier checker."""
    saved = [s for s in registry.loaders() if s.plugin and not s.plugin.startswith("gipcheck.")]
    for s in saved:
        registry.unregister_loader(s.name)
    yield api.Checker(autoload=False)
    for s in saved:
        registry.register_loader(s.name, s.sniff, s.load, media_types=s.media_types, extensions=s.extensions,
                                 priority=s.priority, plugin=s.plugin)


@pytest.mark.parametrize("name", SHANGHAI)
def test_shanghai_report_without_its_plugin_is_a_needs_plugin_problem(core_only: api.Checker, name: str) -> None:
    with pytest.raises(LoadError) as err:
        core_only.load(CORPUS / name)
    assert err.value.code == "NEEDS_PLUGIN" and err.value.exit_code == EXIT_INPUT
    # the hint's words: the layout, the distribution and how to install it
    assert "上海市年报版式" in err.value.zh and "pip install gipcheck-shanghai" in err.value.zh
    assert "pip install gipcheck-shanghai" in err.value.en
    result = core_only.check(CORPUS / name)
    assert not result.readable and [p.code for p in result.problems] == ["NEEDS_PLUGIN"]


def test_batch_run_exit_code_is_3_for_the_shanghai_report_only(core_only: api.Checker) -> None:
    from gipcheck.batch import run_batch

    seed = sorted(SEEDS.glob("*.txt"))[0]
    run = run_batch([str(CORPUS / SHANGHAI[1]), str(seed)], checker=core_only, jobs=1, progress=None)
    by_name = {Path(r.source).name: r for r in run.reports}
    assert [p.code for p in by_name[SHANGHAI[1]].problems] == ["NEEDS_PLUGIN"]
    assert "pip install gipcheck-shanghai" in by_name[SHANGHAI[1]].problems[0].message
    assert by_name[seed.name].readable
    assert api.exit_code(run) == EXIT_INPUT


@pytest.mark.parametrize("name", SHANGHAI)
def test_the_hint_refuses_wrong_numbers_even_when_the_core_loader_reads_on(
        core_only: api.Checker, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The text loader's own Shanghai check switched off (as for a layout a core loader does not
    know): it then reads 003's table 二 a column off (法规 废止 235, the number in force) — the hook
    must refuse that reading, whichever loader made it."""
    from gipcheck.load import text as text_loader

    monkeypatch.setattr(text_loader, "_shanghai_layout", lambda *a: False)
    wrong = api.Checker(autoload=False).plugins  # the same built-ins, used without the wiring below
    from gipcheck.load import load_path

    misread = load_path(CORPUS / name, options={"plugins": wrong, "detect_layout": False})
    assert misread.document["meta"]["source"]["loader"] == "text"  # the core did read it …
    if name.startswith("003"):
        assert misread.document["active"]["regulations"]["repealed"] == 235  # … into wrong numbers
    with pytest.raises(LoadError) as err:
        core_only.load(CORPUS / name)
    assert err.value.code == "NEEDS_PLUGIN"


def test_a_loader_failure_on_the_layout_becomes_needs_plugin(
        core_only: api.Checker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """市科委's report cut before its tables (a conversion that lost them): the text loader, its own
    Shanghai check off, says "not a report"; the layout hint names what would read it instead."""
    from gipcheck.load import text as text_loader

    monkeypatch.setattr(text_loader, "_shanghai_layout", lambda *a: False)
    full = (CORPUS / SHANGHAI[0]).read_text(encoding="utf-8")
    head = tmp_path / "kewei_head.txt"
    head.write_text(full[:full.index("一、主动公开政府信息情况")], encoding="utf-8")
    from gipcheck.load import load_path

    with pytest.raises(LoadError) as plain:
        load_path(head)  # no plugin manager: the loader's own verdict
    assert plain.value.code == "NOT_A_REPORT"
    with pytest.raises(LoadError) as err:
        core_only.load(head)
    assert err.value.code == "NEEDS_PLUGIN" and "gipcheck-shanghai" in err.value.zh


@pytest.mark.parametrize("path", _others(), ids=lambda p: p.name)
def test_seeds_and_other_corpus_reports_never_get_a_hint(core_only: api.Checker, path: Path) -> None:
    try:
        loaded = core_only.load(path)
    except LoadError as e:  # e.g. the blank template: whatever it is, it is not a layout hint
        assert e.code != "NEEDS_PLUGIN", path.name
        return
    assert not [n for n in loaded.notes if n.code.startswith("LAYOUT_")], path.name
    assert core_only.plugins.detect_layout(loaded.text or "", loaded.document) == [], path.name


class _FujianHint:
    """A province plugin that knows another province's layout (Pingtan's 2020 report) and names the
    plugin which reads it — installed nowhere."""

    def __init__(self, confidence: float) -> None:
        self.confidence = confidence

    @hookimpl
    def gipcheck_detect_layout(self, text: str, document: dict[str, Any] | None) -> dict[str, Any] | None:
        if "平潭" not in text[:600]:
            return None
        return {"name": "fujian", "plugin": "gipcheck-fujian-test", "confidence": self.confidence,
                "zh": "福建省年报版式", "en": "Fujian report layout"}


def test_a_plugin_hint_for_a_missing_plugin_refuses_the_report() -> None:
    c = api.Checker(autoload=False, plugins=[_FujianHint(0.9)])
    result = c.check(CORPUS / "015_pingtan_2020_oldformat.page.txt")
    assert [p.code for p in result.problems] == ["NEEDS_PLUGIN"]
    assert "pip install gipcheck-fujian-test" in result.problems[0].message
    assert c.check(CORPUS / "001_shuyang_county_gov_2025.txt").readable  # not Pingtan: no hint


def test_a_weak_hint_is_an_info_note_beside_the_reading() -> None:
    plain = api.Checker(autoload=False).load(CORPUS / "015_pingtan_2020_oldformat.page.txt")
    loaded = api.Checker(autoload=False, plugins=[_FujianHint(0.6)]).load(CORPUS / "015_pingtan_2020_oldformat.page.txt")
    notes = [n for n in loaded.notes if n.code == "LAYOUT_PLUGIN_AVAILABLE"]
    assert len(notes) == 1 and notes[0].level == "info" and "gipcheck-fujian-test" in notes[0].zh
    assert loaded.document["requests"] == plain.document["requests"]  # the reading itself is unchanged
    assert not loaded.incomplete


def test_below_the_note_level_nothing_is_said() -> None:
    loaded = api.Checker(autoload=False, plugins=[_FujianHint(0.3)]).load(CORPUS / "015_pingtan_2020_oldformat.page.txt")
    assert not [n for n in loaded.notes if n.code.startswith("LAYOUT_")]


@pytest.mark.skipif(importlib.util.find_spec("gipcheck_shanghai") is None, reason="gipcheck-shanghai is not installed")
@pytest.mark.parametrize("name", SHANGHAI)
def test_with_the_plugin_installed_shanghai_reports_read_as_before(name: str) -> None:
    c = api.Checker(autoload=True)
    try:
        assert c.plugins.has_distribution("gipcheck-shanghai")
        loaded = c.load(CORPUS / name)
        from gipcheck.load import load_path

        direct = load_path(CORPUS / name)  # the plugin's loader, with no layout hints asked
        assert loaded.document["meta"]["source"]["loader"] == "shanghai"
        assert loaded.document["requests"] == direct.document["requests"]
        assert loaded.document["active"] == direct.document["active"]
        assert not [n for n in loaded.notes if n.code.startswith("LAYOUT_")]
    finally:
        c.plugins.uninstall_loaders()


class _BrokenEntryPoint:
    """gipcheck-shanghai's entry point as a broken install leaves it: it names the distribution, and
    importing it fails."""

    name, value, group = "shanghai", "gipcheck_shanghai_gone.plugin", "gipcheck"

    class dist:  # noqa: N801 - the shape importlib.metadata gives
        metadata = {"Name": "gipcheck-shanghai"}
        version = "0.1.0"

    def load(self) -> Any:
        raise ImportError("No module named 'gipcheck_shanghai_gone'")


def test_an_installed_but_broken_plugin_is_named_as_such(core_only: api.Checker) -> None:
    from gipcheck.load import load_path
    from gipcheck.plugins.manager import PluginManager

    manager = PluginManager(entry_points=[_BrokenEntryPoint()]).load()  # type: ignore[list-item]
    assert [p.code for p in manager.problems] == ["PLUGIN_IMPORT"]
    with pytest.raises(LoadError) as err:
        load_path(CORPUS / SHANGHAI[0], options={"plugins": manager})
    assert err.value.code == "NEEDS_PLUGIN"
    assert "已安装但无法加载" in err.value.zh and "pip install" not in err.value.zh
    assert "failed to load" in err.value.en
