"""`gipcheck explain`, `rules list|show|test`, `plugins` and the plugin manager under hostile input:
a report given as its own previous year, empty packs, a deleted working directory, misspelt rule
ids, rules that do not apply, unreadable files, over-budget rules, and plugins that break every
part of the contract (tests/plugin_fixtures/gipfix_adversarial.py) — each reported by name while
the run goes on (exit 2 only under --strict-plugins)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from test_plugins import fake_entry_points
from test_plugins import make_dist as _make_dist

from gipcheck.cli import main
from gipcheck.errors import EXIT_INPUT, EXIT_USAGE, GipcheckError, LoadError
from gipcheck.plugins.manager import PluginError, PluginManager

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "plugin_fixtures"
SEEDS = TESTS.parents[1] / "shared" / "seeds"


def seed(prefix: str) -> str:
    found = sorted(SEEDS.glob(f"{prefix}*.txt")) if SEEDS.is_dir() else []
    if not found:
        pytest.skip("../shared/seeds is not beside the checkout")
    return str(found[0])


def write_pack(root: Path, name: str, rules: str | None) -> Path:
    d = root / name
    d.mkdir()
    (d / "pack.yaml").write_text(f'name: {name}\nversion: "1"\n', encoding="utf-8")
    if rules is not None:
        (d / "rules.yaml").write_text(rules, encoding="utf-8")
    return d


def checker(**kw: Any) -> Any:
    from gipcheck.api import Checker

    return Checker(autoload=False, **kw)


@pytest.fixture
def adversarial(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.syspath_prepend(str(FIXTURES))
    import gipfix_adversarial

    return gipfix_adversarial


@pytest.fixture
def uninstall() -> Any:
    """Plugin loaders put into the global loader registry are taken out again after the test."""
    managers: list[PluginManager] = []
    yield managers.append
    for m in managers:
        m.uninstall_loaders()


# ------------------------------------------------------------------ explain


def test_explain_prev_same_file_is_warned_and_not_compared(capsys: pytest.CaptureFixture[str]) -> None:
    from gipcheck.engine.explain import explain_data

    path = seed("000_")
    d = explain_data(checker(), "Y-CARRY-CHAIN", path, prev=path)
    assert [n["code"] for n in d.get("notes", [])] == ["PREV_SAME"]
    alone = explain_data(checker(), "Y-CARRY-CHAIN", path)
    assert d["status"] == alone["status"] and d["tree"] == alone["tree"]  # as if no --prev: not compared
    assert main(["explain", "S-SEC5-PREV", path, "--prev", path]) == 0
    assert "上一年度年报（--prev）就是本年报自身" in capsys.readouterr().out
    # another name for the same file (a relative path) is the same file
    rel = os.path.relpath(path)
    assert [n["code"] for n in explain_data(checker(), "S-SEC5-PREV", path, prev=rel).get("notes", [])] == ["PREV_SAME"]


def test_explain_unknown_rule_suggests_the_id_whatever_its_case(capsys: pytest.CaptureFixture[str]) -> None:
    path = seed("000_")
    assert main(["explain", "m-title", path]) == EXIT_USAGE
    assert "是否应为 M-TITLE" in capsys.readouterr().err
    assert main(["rules", "show", "m-title"]) == EXIT_USAGE
    assert "是否应为 M-TITLE" in capsys.readouterr().err
    assert main(["rules", "show", "M-TITEL", "--lang", "en"]) == EXIT_USAGE
    assert "did you mean M-TITLE" in capsys.readouterr().err
    from gipcheck.engine.explain import explain_data

    assert explain_data(checker(), " M-TITLE ", path)["status"] == "pass"  # pasted with spaces: the same rule


def test_explain_says_why_a_rule_does_not_apply(tmp_path: Path) -> None:
    from gipcheck.engine.explain import explain_data, render_text

    pack = write_pack(tmp_path, "np", """
- id: NP-OLD
  title: {zh: 旧格式, en: old format}
  severity: info
  basis: test
  applies: {format: ["2019"], year: {max: 2020}}
  expr: meta.year > 0
  message: {zh: x, en: x}
  examples: [{expect: pass, doc: {meta: {year: 1}}}, {expect: fail, doc: {meta: {year: 0}}}]
- id: NP-REGION
  title: {zh: 外省, en: elsewhere}
  severity: info
  basis: test
  applies: {region: ["上海市"]}
  expr: meta.year > 0
  message: {zh: x, en: x}
  examples: [{expect: pass, doc: {meta: {year: 1}}}, {expect: fail, doc: {meta: {year: 0}}}]
""")
    c = checker(rule_dirs=[pack])
    d = explain_data(c, "NP-OLD", seed("000_"))  # a 2024 report in the 2021 format
    assert d["status"] == "not_applicable"
    assert any("格式为 2019" in w and "2021" in w for w in d["why_not"])
    assert any("2020 年度及以前" in w and "2024" in w for w in d["why_not"])
    d = explain_data(c, "NP-REGION", seed("000_"), lang="en")
    assert d["why_not"] == ["the rule applies only to reports of 上海市; this report is of 山西省 太原市 清徐县"]
    assert "原因：本规则只适用于 上海市 的年报" in render_text(explain_data(c, "NP-REGION", seed("000_")))


def test_explain_names_the_file_that_cannot_be_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gipcheck.engine.explain import explain_data

    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    path = seed("000_")
    # an unreadable previous report is a warning, as in `check`: the rule is still explained
    assert main(["explain", "Y-CARRY-CHAIN", path, "--prev", str(empty)]) == 0
    out = capsys.readouterr().out
    assert "结果: 通过" in out
    assert f"! 上一年度年报（--prev）{empty}：文件为空；未作上下年度比较" in out
    d = explain_data(checker(), "Y-CARRY-CHAIN", path, prev=str(empty), lang="en")
    assert [n["code"] for n in d["notes"]] == ["PREV_UNREADABLE"]
    assert d["notes"][0]["en"].endswith("the file is empty; no year-over-year comparison was made")
    assert main(["explain", "M-TITLE", str(empty), "--lang", "en"]) == EXIT_INPUT
    assert "empty.txt: the file is empty" in capsys.readouterr().err
    with pytest.raises(LoadError):  # the library keeps the error's class
        explain_data(checker(), "M-TITLE", str(empty))


def test_explain_over_budget_rule_shows_the_error_not_passing_bindings(tmp_path: Path) -> None:
    from gipcheck.engine.explain import explain_data

    lst = "[" + ",".join(str(i) for i in range(1, 51)) + "]"
    pack = write_pack(tmp_path, "bp", f"""
- id: BP-HEAVY
  title: {{zh: 很重, en: heavy}}
  severity: warning
  basis: test
  expr: "meta.year == 1 or (all a in {lst}: all b in {lst}: all c in {lst}: a * b * c > 0)"
  message: {{zh: x, en: x}}
  examples: [{{expect: pass, doc: {{meta: {{year: 1}}}}}}, {{expect: fail, doc: {{meta: {{year: 2}}}}}}]
""")
    d = explain_data(checker(rule_dirs=[pack]), "BP-HEAVY", seed("000_"))
    assert d["status"] == "error" and "步数上限" in d["problems"][0]["message"]
    quant = next(k for k in d["tree"]["children"] if k["expr"].startswith("all a"))
    assert quant["code"] == "BUDGET" and "bindings" not in quant  # each binding alone fits: not shown as "true"


def test_explain_evaluates_parts_that_call_plugin_functions(monkeypatch: pytest.MonkeyPatch) -> None:
    from gipcheck.engine.explain import explain_data

    monkeypatch.syspath_prepend(str(FIXTURES))
    c = checker(plugins=["gipfix_full"])
    d = explain_data(c, "GIPFIX-TWICE", seed("000_"))
    assert d["status"] == "pass"
    call = d["tree"]["children"][0]
    assert call["expr"] == "gipfix_twice(meta.year)" and call["value"] == 4048 and "error" not in call


def test_explain_labels_a_section_by_its_heading() -> None:
    from gipcheck.engine.engine import pointer_label
    from gipcheck.engine.explain import _Explainer

    assert pointer_label("/sections/4/text") == "第5个部分"  # 0-based index: the fifth part listed
    from gipcheck.engine.explain import find_rule

    loaded = checker().load(seed("000_"))
    rule, _ = find_rule(checker(), "S-SEC5-PREV")
    x = _Explainer(rule, loaded, None, "zh")
    secs = loaded.document["sections"]
    i = next(i for i, s in enumerate(secs) if s.get("number") == 5)
    assert x.label(f"/sections/{i}/text").startswith("第五部分（")


# ------------------------------------------------------------------ rules


def test_rules_test_on_a_pack_without_rules_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = write_pack(tmp_path, "empty", None)
    assert main(["rules", "test", str(empty)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "规则包中没有规则，未运行任何示例" in err and "empty" in err
    comments = write_pack(tmp_path, "comments", "# nothing yet\n")
    assert main(["rules", "test", str(comments), "--lang", "en"]) == EXIT_USAGE
    assert "no example was run" in capsys.readouterr().err


def test_rules_test_of_a_plugin_pack_sees_the_plugins_functions(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from gipcheck import api

    monkeypatch.syspath_prepend(str(FIXTURES))
    c = checker(plugins=["gipfix_full"])
    monkeypatch.setattr(api, "checker", lambda **kw: c)
    copy = tmp_path / "author-checkout"  # the plugin author's working copy, never compiled before
    shutil.copytree(FIXTURES / "gipfix_full" / "rules", copy)
    results = api.test_rules([copy])
    assert len(results) == 3 and all(r["ok"] for r in results)
    # and a --rules pack of the user's may call them too
    user = write_pack(tmp_path, "user", """
- id: USER-TWICE
  title: {zh: 两倍, en: twice}
  severity: info
  basis: test
  expr: gipfix_twice(meta.year) > 0
  message: {zh: x, en: x}
  examples: [{expect: pass, doc: {meta: {year: 1}}}, {expect: fail, doc: {meta: {year: 0}}}]
""")
    c2 = checker(plugins=["gipfix_full"], rule_dirs=[user])
    assert "USER-TWICE" in {r.id for p in c2.packs for r in p.rules}


def test_commands_work_from_a_deleted_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from gipcheck.engine import packs

    pack = write_pack(tmp_path, "p", """
- id: DEL-ONE
  title: {zh: 一, en: one}
  severity: info
  basis: test
  expr: meta.year > 0
  message: {zh: x, en: x}
  examples: [{expect: pass, doc: {meta: {year: 1}}}, {expect: fail, doc: {meta: {year: 0}}}]
""")
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    assert packs._display(pack / "pack.yaml") == str(pack / "pack.yaml")
    packs._CACHE.clear()
    assert main(["rules", "test", str(pack)]) == 0
    assert "2 passed, 0 failed" in capsys.readouterr().out
    assert main(["rules", "test", "relative-pack"]) == EXIT_USAGE  # a clear error, not exit 70
    assert "规则目录不存在" in capsys.readouterr().err


# ------------------------------------------------------------------ plugins


def make_dist(site: Path, dist: str, entry_points: dict[str, str]) -> None:
    _make_dist(site, dist, "0.1", entry_points)


def test_entry_points_naming_missing_modules_attributes_and_twins(tmp_path: Path, adversarial: Any) -> None:
    site = tmp_path / "site"
    make_dist(site, "gipadv-missing", {"nomod": "gipfix_no_such_module", "noattr": "gipfix_adversarial:nothing"})
    make_dist(site, "gipadv-one", {"twin": "gipfix_adversarial:wrong_types"})
    make_dist(site, "gipadv-two", {"twin": "gipfix_adversarial:bad_functions"})
    m = PluginManager(entry_points=fake_entry_points(site)).load()
    by = {(p.code, p.detail["plugin"]) for p in m.problems}
    assert {("PLUGIN_IMPORT", "nomod"), ("PLUGIN_IMPORT", "noattr"), ("PLUGIN_DUPLICATE", "twin")} <= by
    assert any("gipfix_no_such_module" in p.message for p in m.problems)
    assert m.loaders["text"]  # the built-ins are all there
    with pytest.raises(PluginError) as e:
        PluginManager(entry_points=fake_entry_points(site), strict=True).load()
    assert e.value.exit_code == EXIT_USAGE and "noattr" in e.value.zh


def test_hooks_returning_wrong_types_are_reported(adversarial: Any) -> None:
    m = PluginManager(autoload=False, plugins=[adversarial.wrong_types]).load()
    codes = {(p.code, p.detail.get("hook")) for p in m.problems}
    assert ("PLUGIN_BAD_REGISTRATION", "gipcheck_config_defaults") in codes
    assert ("PLUGIN_BAD_REGISTRATION", "gipcheck_register_reporters") in codes  # returned instead of register()
    assert m.detect_layout("any text") == []  # a text as a layout hint is refused, not used


def test_base_exceptions_in_hooks_are_contained(adversarial: Any, tmp_path: Path) -> None:
    m = PluginManager(autoload=False, plugins=[adversarial.exits]).load()
    hooks = {p.detail.get("hook") for p in m.problems}
    assert {"gipcheck_register_functions", "gipcheck_register_reporters"} <= hooks
    assert all("WrongTypes" not in p.message for p in m.problems)
    merged = m.configure({})  # GeneratorExit in gipcheck_configure
    assert isinstance(merged, dict)
    c = checker(plugins=[adversarial.exits])
    loaded = c.load(seed("000_"))  # SystemExit in gipcheck_enrich_document
    assert any("SystemExit" in n.zh and "Exits" in n.zh for n in loaded.notes)


def test_ctrl_c_and_sigterm_still_end_the_run_from_a_hook() -> None:
    from gipcheck.batch import Terminated

    class Stops:
        from gipcheck.plugins import hookimpl

        def __init__(self, exc: BaseException) -> None:
            self.exc = exc

        @hookimpl
        def gipcheck_config_defaults(self) -> Any:
            raise self.exc

    for exc in (KeyboardInterrupt(), Terminated()):
        with pytest.raises(type(exc)):
            PluginManager(autoload=False, builtins=False, plugins=[Stops(exc)]).load()


def test_loaders_that_raise_or_return_nonsense_are_named(adversarial: Any, tmp_path: Path, uninstall: Any) -> None:
    from gipcheck.load import load_path

    c = checker(plugins=[adversarial.bad_loaders])
    uninstall(c.plugins)
    # the sniffer that always raises, the NaN and the text scores: skipped, and each report says so
    loaded = c.load(seed("000_"))
    notes = [n.zh for n in loaded.notes if "BadLoaders" in n.zh]
    assert any("gipadv-raiser" in n and "sniff always fails" in n for n in notes)
    assert any("gipadv-nan" in n for n in notes) and any("gipadv-text" in n for n in notes)
    assert loaded.document["meta"]["source"]["loader"] == "text"
    # a binary file no honest loader claims is not handed to the NaN scorer (whose load exits 0)
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x00\x01\x02\x03binary")
    with pytest.raises(LoadError) as e:
        load_path(binary)
    assert e.value.code == "BINARY"
    # a loader that claims a file and returns None: a LoadError naming the plugin, not an internal error
    claimed = tmp_path / "adv.txt"
    claimed.write_text("GIPADV\n", encoding="utf-8")
    with pytest.raises(LoadError) as e:
        c.load(str(claimed))
    assert e.value.exit_code == EXIT_INPUT and "BadLoaders" in e.value.zh and "None" in e.value.zh


def test_loader_exit_becomes_a_load_error_and_strict_ends_the_run(adversarial: Any, tmp_path: Path,
                                                                  uninstall: Any) -> None:
    m = PluginManager(autoload=False, plugins=[adversarial.bad_loaders]).load()
    load = m.loaders["gipadv-raiser"].load  # raises SystemExit
    with pytest.raises(LoadError) as e:
        load(b"x", "x.txt", {})
    assert "SystemExit" in e.value.zh and "gipadv-raiser" in e.value.zh
    strict = PluginManager(autoload=False, plugins=[adversarial.bad_loaders], strict=True).load()
    with pytest.raises(PluginError):
        strict.loaders["gipadv-none"].load(b"GIPADV", "x.txt", {})
    assert m.loaders["gipadv-nan"].sniff(b"", "x") == 0.0
    # under --strict-plugins the sniffer's failure on a real report ends the run (exit 2)
    c = checker(plugins=[adversarial.bad_loaders], strict_plugins=True)
    uninstall(c.plugins)
    with pytest.raises(PluginError) as e:
        c.load(seed("000_"))
    assert e.value.code == "PLUGIN_STRICT" and "sniff always fails" in e.value.zh


def test_reporters_that_raise_or_return_non_text_exit_2_naming_the_plugin(
        adversarial: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from gipcheck import api

    c = checker(plugins=[adversarial.bad_reporters])
    monkeypatch.setattr(api, "_default_checker", _fake_cache(c))
    path = seed("000_")
    for fmt, why in (("gipadv-raises", "reporter broke"), ("gipadv-bytes", "bytes"), ("gipadv-none", "None"),
                     ("gipadv-exit", "SystemExit")):
        code = main(["check", path, "--format", fmt, "--no-progress", "-j", "1"])
        err = capsys.readouterr().err
        assert code == EXIT_USAGE, (fmt, err)
        assert "BadReporters" in err and fmt in err and why in err and "内部错误" not in err


def _fake_cache(c: Any) -> Any:
    def get(*_a: Any, **_k: Any) -> Any:
        return c

    get.cache_info = lambda: type("I", (), {"currsize": 1})()  # type: ignore[attr-defined]
    get._live = [c]  # type: ignore[attr-defined]
    return get


def _checkers_with(plugins: list[Any]) -> Any:
    """A stand-in for ``api._default_checker``: the same cache keys, these plugins instead of the
    installed ones."""
    made: dict[Any, Any] = {}

    def get(rule_dirs: tuple[str, ...] = (), strict: bool = False, region: str | None = None,
            lang: str = "zh") -> Any:
        key = (rule_dirs, strict, region, lang)
        if key not in made:
            made[key] = checker(plugins=plugins, rule_dirs=rule_dirs, strict_plugins=strict, region=region, lang=lang)
        return made[key]

    get.cache_info = lambda: type("I", (), {"currsize": len(made)})()  # type: ignore[attr-defined]
    get._live = []  # type: ignore[attr-defined]
    return get


def test_plugin_functions_returning_odd_values_or_exiting_fail_their_rule_only(adversarial: Any,
                                                                              tmp_path: Path) -> None:
    rules = "".join(f"""
- id: FP-{n.upper()}
  title: {{zh: t, en: t}}
  severity: warning
  basis: test
  expr: gipadv_{n}(meta.year) == 1
  message: {{zh: x, en: x}}
  examples: [{{expect: pass, doc: {{meta: {{year: 1}}}}}}, {{expect: fail, doc: {{meta: {{year: 2}}}}}}]
""" for n in ("set", "none", "huge", "obj", "exit"))
    rules += """
- id: FP-SHOWN
  title: {zh: t, en: t}
  severity: warning
  basis: test
  let: {big: gipadv_huge(meta.year)}
  expr: meta.year == 1 or big == "x"
  message: {zh: "得到 {left}（{big}）", en: "got {left}"}
  examples: [{expect: pass, doc: {meta: {year: 1}}}, {expect: fail, doc: {meta: {year: 2}}}]
"""
    pack = write_pack(tmp_path, "fp", rules)
    c = checker(plugins=[adversarial.bad_functions], rule_dirs=[pack])
    result = c.check(seed("000_"))
    errors = {p.detail["rule"]: p.message for p in result.problems if p.kind == "rule"}
    assert set(errors) == {"FP-SET", "FP-OBJ", "FP-EXIT"}
    assert "SystemExit" in errors["FP-EXIT"] and "set" in errors["FP-SET"]
    assert "FP-NONE" in {n.rule for n in result.not_evaluated}
    from gipcheck.engine import run_examples

    none = [r for r in run_examples([p for p in c.packs if p.name == "fp"]) if r.rule == "FP-NONE"]
    assert none and all(r.got == "unknown" and r.detail == "reasons: gipadv_none() gave no value" for r in none)
    assert "FP-HUGE" in {f.rule for f in result.findings}
    shown = next(f for f in result.findings if f.rule == "FP-SHOWN")  # the huge text in its message and values
    assert len(shown.message) <= 4000 and len(json.dumps(shown.values, ensure_ascii=False)) < 20_000
    assert len(result.passed) > 20  # the national pack ran on
    # explaining the rule that got a 5-million-character text stays small, in text and in JSON
    from gipcheck.engine.explain import explain

    out = explain(c, "FP-HUGE", seed("000_"), fmt="json")
    assert len(out) < 100_000 and "5000000 characters" in out
    assert len(explain(c, "FP-HUGE", seed("000_"))) < 10_000


def test_plugins_command_lists_problems_and_strict_exits_2(adversarial: Any, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from gipcheck import api

    monkeypatch.setattr(api, "_default_checker", _checkers_with([adversarial.exits]))
    assert main(["plugins"]) == 0
    out = capsys.readouterr().out
    assert "Exits" in out and out.count("SystemExit: 3") == 1  # under its plugin, not repeated below
    assert main(["plugins", "--lang", "en"]) == 0
    assert "hook gipcheck_register_functions raised SystemExit: 3" in capsys.readouterr().out
    assert main(["plugins", "--strict-plugins"]) == EXIT_USAGE
    assert "--strict-plugins" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["rules", "list"], ["rules", "show", "M-TITLE"], ["rules", "test"],
                                  ["explain", "M-TITLE", "SEED"]])
def test_rules_and_explain_warn_of_plugin_problems_and_honour_strict(
        argv: list[str], adversarial: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from gipcheck import api

    argv = [seed("000_") if a == "SEED" else a for a in argv]
    monkeypatch.setattr(api, "_default_checker", _checkers_with([adversarial.exits]))
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "警告 / warning: 插件 Exits" in captured.err and "SystemExit: 3" in captured.err
    assert "Exits" not in captured.out  # the output itself stays clean
    assert main([*argv, "--strict-plugins"]) == EXIT_USAGE
    assert "插件出错（--strict-plugins）" in capsys.readouterr().err


def test_cli_json_explain_with_notes_is_valid_json(capsys: pytest.CaptureFixture[str]) -> None:
    path = seed("000_")
    assert main(["explain", "M-TITLE", path, "--prev", path, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["notes"][0]["code"] == "PREV_SAME"
    with pytest.raises(GipcheckError):
        from gipcheck.engine.explain import find_rule

        find_rule(checker(), "NO-SUCH-RULE-AT-ALL")


def test_pytest_plugin_checker_takes_a_path_as_documented() -> None:
    """docs/plugins.md: ``gipcheck_checker.check("tests/data/report.txt")`` — a file name, not the
    report's text; and ``prev=`` may be a file too."""
    from gipcheck.testing.pytest_plugin import GipcheckChecker

    c = GipcheckChecker([])
    try:
        path = seed("000_")
        result = c.check(path)
        assert "X-NARR-APPS" in {f.rule for f in result.findings}
        other = seed("001_")
        with_prev = c.check(path, prev=other)
        assert not [p for p in with_prev.problems if p.kind == "rule"]  # prev was a document, not a str
        with pytest.raises(LoadError):
            c.load("no such report text")  # a one-line text that names no file is still report text
    finally:
        c.close()


def test_a_rules_pack_reusing_a_built_in_rule_id_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from gipcheck.errors import RuleError
    from gipcheck.resources import rules_dir

    dup = write_pack(tmp_path, "dup", """
- id: M-TITLE
  title: {zh: 重复, en: dup}
  severity: error
  basis: test
  expr: meta.year == 1
  message: {zh: 我的, en: mine}
  examples: [{expect: pass, doc: {meta: {year: 1}}}, {expect: fail, doc: {meta: {year: 0}}}]
""")
    with pytest.raises(RuleError) as e:
        checker(rule_dirs=[dup])
    assert e.value.code == "DUPLICATE_ID" and "meta.yaml" in e.value.zh and e.value.line == 2
    # the built-in pack named again with --rules is the same pack: each id once
    c = checker(rule_dirs=[rules_dir() / "national"])
    ids = [r.id for p in c.packs for r in p.rules]
    assert ids.count("M-TITLE") == 1


def test_enrich_replacing_the_document_is_undone_and_named() -> None:
    from gipcheck.plugins import hookimpl

    class Clobber:
        @hookimpl
        def gipcheck_enrich_document(self, loaded: Any, config: Any) -> None:
            loaded.document = ["not", "a", "document"]

    c = checker(plugins=[Clobber()])
    loaded = c.load(seed("000_"))
    assert isinstance(loaded.document, dict) and loaded.document["meta"]["organ"]
    note = next(n for n in loaded.notes if n.code == "PLUGIN_PLUGIN_BAD_DOCUMENT")
    assert "Clobber" in note.zh and "list" in note.zh and note.en.startswith("plugin Clobber")
    result = c.check(loaded)
    assert len(result.passed) > 20  # the rules ran on the report, not on a list


def test_a_plugin_attribute_that_raises_is_reported_not_fatal() -> None:
    from gipcheck.plugins import hookimpl

    class Weird:
        @property
        def gipcheck_boom(self) -> Any:
            raise RuntimeError("property boom")

        @hookimpl
        def gipcheck_config_defaults(self) -> Any:
            return {"weird.x": 1}

    m = PluginManager(autoload=False, plugins=[Weird()]).load()
    assert [p.code for p in m.problems] == ["PLUGIN_INVALID"] and "property boom" in m.problems[0].message
    assert m.config_defaults == {"weird.x": 1} and m.loaders["text"]


def test_rule_selection_by_one_pattern_given_as_text() -> None:
    """``only="T3-*"`` is one glob, not the characters T, 3, -, * (where "*" selected every rule)."""
    from gipcheck.engine import evaluate

    c = checker()
    loaded = c.load(seed("000_"))
    by_text = evaluate(loaded, c.packs, only="T3-*")
    ran = {*by_text.passed, *(f.rule for f in by_text.findings), *(n.rule for n in by_text.not_evaluated)}
    assert ran and all(r.startswith("T3-") for r in ran)
    one = c.check(seed("000_"), only="M-TITLE")
    assert {*one.passed, *(f.rule for f in one.findings)} == {"M-TITLE"}


def test_a_piecewise_plugin_reporter_keeps_and_guards_render_report(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(FIXTURES))
    from gipfix_adversarial import PiecewiseReporter

    m = PluginManager(autoload=False, plugins=[PiecewiseReporter()]).load()
    reg = m.reporters["gipadv-piece"].render
    assert reg(None, {}) == "whole"
    with pytest.raises(PluginError) as e:
        reg.render_report(None, {})
    assert "PiecewiseReporter" in e.value.zh and "SystemExit: 4" in e.value.zh


def test_checker_configures_plugins_once_and_enrich_sees_their_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """hookspecs: gipcheck_configure is called once before any report is read, and enrich gets the
    merged configuration (the plugins' defaults included); a configure hook that exits is reported."""
    monkeypatch.syspath_prepend(str(FIXTURES))
    import gipfix_full

    from gipcheck.plugins import hookimpl

    seen: list[Any] = []

    class Reader:
        @hookimpl
        def gipcheck_enrich_document(self, loaded: Any, config: Any) -> None:
            seen.append(dict(config))

    before = len(gipfix_full.CONFIGURED)
    c = checker(plugins=["gipfix_full", Reader()], region="测试省")
    assert len(gipfix_full.CONFIGURED) == before + 1
    assert gipfix_full.CONFIGURED[-1]["gipfix.threshold"] == 3
    c.load(seed("000_"))
    assert seen and seen[-1]["gipfix.threshold"] == 3 and seen[-1]["region"] == "测试省"
    gipfix_adversarial = pytest.importorskip("gipfix_adversarial")
    bad = checker(plugins=[gipfix_adversarial.exits])
    assert any(p.detail.get("hook") == "gipcheck_configure" for p in bad.problems)
    with pytest.raises(PluginError):
        checker(plugins=[gipfix_adversarial.exits], strict_plugins=True)


def test_a_hook_wrapper_that_would_never_run_is_reported() -> None:
    from gipcheck.plugins import hookimpl

    class Wrapper:
        @hookimpl(hookwrapper=True)
        def gipcheck_enrich_document(self, loaded: Any, config: Any) -> Any:
            yield

    m = PluginManager(autoload=False, plugins=[Wrapper()]).load()
    assert [(p.code, p.detail["hook"]) for p in m.problems] == [("PLUGIN_UNSUPPORTED", "gipcheck_enrich_document")]


def test_explain_on_a_pdf_names_the_page_of_each_cell() -> None:
    from gipcheck.engine.explain import explain

    pdf = SEEDS.parent / "corpus" / "hongze_gov_2023.pdf"
    if not pdf.is_file():
        pytest.skip("../shared/corpus is not beside the checkout")
    pytest.importorskip("pdfplumber")
    import re

    text = explain(checker(), "X-NARR-APPS", str(pdf))
    assert re.search(r"← 第 \d+ 页，第 \d+ 行第 \d+ 列「", text)


def test_loader_extensions_given_as_one_text_are_one_extension() -> None:
    from gipcheck.plugins import hookimpl

    class OneExt:
        @hookimpl
        def gipcheck_register_loaders(self, register: Any) -> None:
            register("gipadv-ext", lambda h, p: 0.0, lambda d, p, o: None, extensions=".GIPX",
                     media_types="text/x-gip", priority="3")

    m = PluginManager(autoload=False, plugins=[OneExt()]).load()
    reg = m.loaders["gipadv-ext"]
    assert reg.extensions == (".gipx",) and reg.media_types == ("text/x-gip",) and reg.priority == 3
