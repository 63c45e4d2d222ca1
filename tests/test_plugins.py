"""The plugin manager: built-ins through the same hooks, plugins loaded from (fake) entry points,
and broken plugins that are reported — never fatal unless strict."""

from __future__ import annotations

import importlib.metadata as md
import io
import json
from pathlib import Path

import pytest

from gipcheck.engine.model import Problem
from gipcheck.errors import EXIT_USAGE
from gipcheck.plugins.manager import (
    ENV_DISABLE_AUTOLOAD,
    ENV_TRACE,
    PluginError,
    PluginManager,
    describe_plugins,
    format_plugins_text,
)

FIXTURES = Path(__file__).resolve().parent / "plugin_fixtures"
BROKEN = {
    "broken": ("gipfix-broken", "gipfix_broken_import"),
    "raiser": ("gipfix-raiser", "gipfix_raises_in_hook"),
    "dup": ("gipfix-dup", "gipfix_dup_rule"),
}


def make_dist(site: Path, dist: str, version: str, entry_points: dict[str, str]) -> None:
    """A minimal installed distribution (``*.dist-info``) whose ``gipcheck`` entry points point at
    the fixture modules — nothing is installed."""
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8")
    lines = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[gipcheck]\n{lines}", encoding="utf-8")


def fake_entry_points(site: Path) -> list[md.EntryPoint]:
    return [ep for d in md.distributions(path=[str(site)]) for ep in d.entry_points if ep.group == "gipcheck"]


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(FIXTURES))
    site = tmp_path / "site"
    site.mkdir()
    return site


@pytest.fixture
def broken_site(site: Path) -> Path:
    for ep_name, (dist, module) in BROKEN.items():
        make_dist(site, dist, "0.3.1", {ep_name: module})
    return site


def test_builtins_register_through_the_hooks() -> None:
    m = PluginManager(autoload=False).load()
    assert m.problems == []
    assert {"text"} <= set(m.loaders) and m.loaders["text"].plugin == "gipcheck.loaders"
    assert [r.name for r in m.rule_packs] == ["national"]
    assert m.rule_packs[0].plugin == "gipcheck.rules" and "M-TITLE" in m.rule_packs[0].rule_ids
    assert {"json", "text"} <= set(m.reporters)
    assert all(r.plugin == "gipcheck.reporters" for r in m.reporters.values())
    names = [i.name for i in m.infos.values()]
    assert names == ["gipcheck.loaders", "gipcheck.rules", "gipcheck.reporters", "gipcheck.layouts"]


def test_no_builtins_means_nothing_registered() -> None:
    m = PluginManager(autoload=False, builtins=False).load()
    assert not m.loaders and not m.rule_packs and not m.reporters and m.infos == {}


def test_three_broken_plugins_are_reported_and_the_run_goes_on(broken_site: Path) -> None:
    m = PluginManager(entry_points=fake_entry_points(broken_site)).load()
    by_plugin: dict[str, list[Problem]] = {}
    for p in m.problems:
        by_plugin.setdefault(p.detail["plugin"], []).append(p)
    assert set(by_plugin) == {"broken", "raiser", "dup"}
    # each problem names the plugin, its distribution and version, and what went wrong
    (imp,) = by_plugin["broken"]
    assert imp.code == "PLUGIN_IMPORT" and imp.kind == "plugin"
    assert "broken（gipfix-broken 0.3.1）" in imp.message and "gipfix_missing_dependency" in imp.message
    assert imp.detail["version"] == "0.3.1" and imp.detail["distribution"] == "gipfix-broken"
    (hook,) = by_plugin["raiser"]
    assert hook.code == "PLUGIN_HOOK" and hook.detail["hook"] == "gipcheck_register_functions"
    assert "boom in register_functions" in hook.detail["en"]
    assert hook.detail["at"].endswith("gipfix_raises_in_hook.py:17")  # where the plugin raised
    assert sorted(p.code for p in by_plugin["dup"]) == ["PLUGIN_DUPLICATE", "PLUGIN_DUPLICATE_RULE"]
    dup_rule = next(p for p in by_plugin["dup"] if p.code == "PLUGIN_DUPLICATE_RULE")
    assert dup_rule.detail["name"] == "M-TITLE" and "national" in dup_rule.message
    # the run went on: built-ins intact, the raiser's earlier registration kept, the clashing pack left out
    assert m.loaders["text"].plugin == "gipcheck.loaders"
    assert m.reporters["gipfix-survivor"].plugin == "raiser"
    assert [r.name for r in m.rule_packs] == ["national"]
    packs = m.load_rule_packs()
    assert [p.name for p in packs] == ["national"]


def test_strict_mode_turns_plugin_problems_into_exit_2(broken_site: Path) -> None:
    with pytest.raises(PluginError) as err:
        PluginManager(strict=True, entry_points=fake_entry_points(broken_site)).load()
    assert err.value.exit_code == EXIT_USAGE == 2
    for name in ("broken", "raiser", "dup", "M-TITLE"):
        assert name in err.value.zh and name in err.value.en


@pytest.mark.parametrize("ep_name", sorted(BROKEN))
def test_each_broken_plugin_alone_fails_strict_and_not_lenient(site: Path, ep_name: str) -> None:
    dist, module = BROKEN[ep_name]
    make_dist(site, dist, "1.0", {ep_name: module})
    lenient = PluginManager(entry_points=fake_entry_points(site)).load()
    assert lenient.problems and all(p.detail["plugin"] == ep_name for p in lenient.problems)
    with pytest.raises(PluginError):
        PluginManager(strict=True, entry_points=fake_entry_points(site)).load()


def test_a_good_plugin_in_strict_mode_loads(site: Path) -> None:
    make_dist(site, "gipfix-full", "2.0.0", {"full": "gipfix_full"})
    m = PluginManager(strict=True, entry_points=fake_entry_points(site)).load()
    info = m.infos["full"]
    assert (info.distribution, info.version, info.kind) == ("gipfix-full", "2.0.0", "entrypoint")
    assert m.loaders["gipfix"].plugin == "full"


def test_hook_error_at_report_time_names_the_plugin(site: Path) -> None:
    from gipcheck.load.base import LoadedReport

    make_dist(site, "gipfix-raiser", "0.1", {"raiser": "gipfix_raises_in_hook"})
    m = PluginManager(entry_points=fake_entry_points(site)).load()
    loaded = LoadedReport(document={"meta": {}})
    problems = m.enrich(loaded, {})
    assert [p.code for p in problems] == ["PLUGIN_HOOK"]
    assert problems[0].detail["hook"] == "gipcheck_enrich_document" and "raiser" in problems[0].message
    strict = PluginManager(strict=True, builtins=False, plugins=["gipfix_raises_in_hook"])
    with pytest.raises(PluginError):
        strict.load()


def test_autoload_reads_installed_entry_points_unless_disabled(broken_site: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(broken_site))
    monkeypatch.delenv(ENV_DISABLE_AUTOLOAD, raising=False)
    m = PluginManager().load()
    assert {"broken", "raiser", "dup"} <= set(m.infos)
    monkeypatch.setenv(ENV_DISABLE_AUTOLOAD, "1")
    m = PluginManager().load()
    assert not {"broken", "raiser", "dup"} & set(m.infos)
    assert m.problems == []


def test_typo_and_unmarked_hooks_are_reported(site: Path) -> None:
    m = PluginManager(autoload=False, plugins=["gipfix_typo"]).load()
    codes = {(p.code, p.detail["hook"]) for p in m.problems}
    assert codes == {("PLUGIN_UNKNOWN_HOOK", "gipcheck_register_loader"),
                     ("PLUGIN_UNMARKED_HOOK", "gipcheck_register_reporters")}


def test_duplicate_plugin_name_is_not_loaded_twice(site: Path) -> None:
    make_dist(site, "gipfix-full", "1.0", {"full": "gipfix_full"})
    make_dist(site, "gipfix-other", "1.0", {"full": "gipfix_raises_in_hook"})
    m = PluginManager(entry_points=fake_entry_points(site)).load()
    assert [p.code for p in m.problems] == ["PLUGIN_DUPLICATE"]
    assert m.infos["full"].plugin.__name__ in {"gipfix_full", "gipfix_raises_in_hook"}


def test_tracing_writes_hook_calls(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setenv(ENV_TRACE, "1")
    PluginManager(autoload=False, plugins=["gipfix_full"], trace_stream=stream).load()
    out = stream.getvalue()
    assert "call gipcheck_register_functions -> gipfix_full" in out
    assert "gipfix_full registered function gipfix_twice" in out
    monkeypatch.delenv(ENV_TRACE)
    quiet = io.StringIO()
    PluginManager(autoload=False, trace_stream=quiet).load()
    assert quiet.getvalue() == ""


def test_describe_plugins_lists_what_each_plugin_registered(broken_site: Path) -> None:
    make_dist(broken_site, "gipfix-full", "2.0.0", {"full": "gipfix_full"})
    m = PluginManager(entry_points=fake_entry_points(broken_site)).load()
    rows = describe_plugins(m)
    json.dumps(rows, ensure_ascii=False)  # the --format json output must serialise
    by_name = {r["name"]: r for r in rows}
    assert rows[0]["name"] == "gipcheck.loaders" and rows[0]["kind"] == "builtin"
    full = by_name["full"]
    assert full["version"] == "2.0.0" and full["distribution"] == "gipfix-full" and full["loaded"]
    assert "gipcheck_register_functions" in full["hooks"] and "gipcheck_detect_layout" in full["hooks"]
    assert full["registered"]["functions"][0] == {"name": "gipfix_twice", "min_args": 1, "max_args": 1, "cost": 2,
                                                  "doc": "gipfix_twice(x): 2 × x"}
    assert full["registered"]["rule_packs"][0]["region"] == "测试省"
    assert full["registered"]["rule_packs"][0]["rules"] == 1
    assert by_name["broken"]["loaded"] is False and by_name["broken"]["problems"][0]["code"] == "PLUGIN_IMPORT"
    text = format_plugins_text(rows)
    assert "full  (gipfix-full 2.0.0)" in text and "规则函数: gipfix_twice" in text and "[未加载]" in text
    assert "rule functions" not in text and "functions: gipfix_twice" in format_plugins_text(rows, "en")


def test_plugin_function_cannot_shadow_a_builtin_function(site: Path) -> None:
    from gipcheck.plugins import hookimpl

    class Shadow:
        @hookimpl
        def gipcheck_register_functions(self, register):
            register("sum", len, min_args=1)
            register("not", len, min_args=1)
            register("fine_name", len, min_args=2, max_args=1)

    m = PluginManager(autoload=False, plugins=[Shadow()]).load()
    codes = [p.code for p in m.problems]
    assert codes == ["PLUGIN_DUPLICATE", "PLUGIN_BAD_REGISTRATION", "PLUGIN_BAD_REGISTRATION"]
    assert m.functions == {}


def test_plugin_rule_pack_with_its_own_function_compiles(site: Path) -> None:
    m = PluginManager(autoload=False, plugins=["gipfix_full"]).load()
    packs = m.load_rule_packs()
    assert [p.name for p in packs] == ["national", "gipfix-province"]
    assert m.problems == []
    from gipcheck.engine.functions import engine_functions

    assert "gipfix_twice" not in engine_functions()  # nothing leaks into the engine's own table


def test_region_selects_region_packs(site: Path) -> None:
    m = PluginManager(autoload=False, plugins=["gipfix_full"]).load()
    national = m.rule_packs[0].path
    assert m.rule_pack_dirs() == [national, m.rule_packs[1].path]
    assert m.rule_pack_dirs("测试省") == m.rule_pack_dirs("测试") == m.rule_pack_dirs()
    assert m.rule_pack_dirs("上海市") == [national]


def test_check_runs_on_real_reports_complete_with_broken_plugins(broken_site: Path, shared_dir: Path) -> None:
    """The whole pipeline (load → enrich → evaluate) on the five seed reports, with the three broken
    plugins installed: every report is read and checked, and the run's problems name each plugin."""
    from gipcheck.engine import evaluate
    from gipcheck.engine.model import RunResult
    from gipcheck.load import load_path

    m = PluginManager(entry_points=fake_entry_points(broken_site)).load()
    packs = m.load_rule_packs()
    m.install_loaders()
    try:
        reports = []
        for seed in sorted((shared_dir / "seeds").glob("*.txt")):
            loaded = load_path(seed)
            problems = m.enrich(loaded, m.configure({}))
            result = evaluate(loaded, packs)
            result.problems.extend(problems)
            reports.append(result)
    finally:
        m.uninstall_loaders()
    run = RunResult(reports=reports, problems=list(m.problems))
    assert len(run.reports) == 5 and all(r.readable for r in run.reports)
    assert all(len(r.passed) + len(r.findings) > 20 for r in run.reports)  # the national pack really ran
    named = {p["detail"]["plugin"] for p in run.to_json()["problems"]}
    assert named == {"broken", "raiser", "dup"}
    # the raiser's enrich hook fails on every report, and each report says so
    assert all([p.detail["plugin"] for p in r.problems] == ["raiser"] for r in run.reports)
    assert run.summary()["plugin_problems"] == len(m.problems) == 4  # per-report hook errors stay per report
