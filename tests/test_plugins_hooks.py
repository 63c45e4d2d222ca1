"""Every hook is documented and has a test of its own (``test_hook_<hookname>`` somewhere in
``tests/test_plugins*.py``); and each hook test shows the hook doing its job."""

from __future__ import annotations

import ast
import inspect
import io
from pathlib import Path

import pytest

import gipcheck.plugins as plugins_pkg
from gipcheck.plugins import hookspecs
from gipcheck.plugins.manager import PluginManager, hook_names, needs_plugin_error

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "plugin_fixtures"
SHARED = TESTS.parents[1] / "shared"
HOOKS = hook_names()


@pytest.fixture
def full(monkeypatch: pytest.MonkeyPatch) -> PluginManager:
    monkeypatch.syspath_prepend(str(FIXTURES))
    return PluginManager(autoload=False, plugins=["gipfix_full"]).load()


def test_the_hook_list_is_what_the_core_calls() -> None:
    assert len(HOOKS) >= 9
    for required in ("gipcheck_register_loaders", "gipcheck_register_rule_packs", "gipcheck_register_functions",
                     "gipcheck_register_reporters", "gipcheck_register_fact_patterns", "gipcheck_enrich_document",
                     "gipcheck_config_defaults", "gipcheck_configure", "gipcheck_detect_layout"):
        assert required in HOOKS


def test_package_exports_only_hookimpl_and_keeps_the_spec_marker_private() -> None:
    assert plugins_pkg.__all__ == ["hookimpl"]
    assert not hasattr(hookspecs, "hookspec")
    assert hasattr(hookspecs, "_hookspec")


def doc_problems(func: object) -> list[str]:
    """What a hook spec's documentation and typing lack (empty when complete)."""
    doc = inspect.getdoc(func) or ""
    sig = inspect.signature(func)  # type: ignore[arg-type]
    out = [f"no ':param {p}:'" for p in sig.parameters if f":param {p}:" not in doc]
    if ":return:" not in doc:
        out.append("does not say what it returns")
    if ".. versionadded::" not in doc:
        out.append("no '.. versionadded::'")
    if "firstresult" not in doc:
        out.append("does not say whether it is firstresult")
    says_first = "firstresult" in doc and "Not ``firstresult``" not in doc
    if says_first != bool(getattr(func, "gipcheck_spec", {}).get("firstresult")):
        out.append("docstring and firstresult disagree")
    if any(v.annotation is inspect.Parameter.empty for v in sig.parameters.values()) \
            or sig.return_annotation is inspect.Signature.empty:
        out.append("not fully typed")
    return out


@pytest.mark.parametrize("hook", HOOKS)
def test_plugin_hooks_are_documented(hook: str) -> None:
    assert doc_problems(getattr(hookspecs, hook)) == [], hook


def test_the_documentation_guard_catches_an_undocumented_hook() -> None:
    @hookspecs._hookspec(firstresult=True)
    def gipcheck_new_hook(text, config: dict) -> None:
        """Does something. Not ``firstresult``.

        :param text: the text.
        """

    assert doc_problems(gipcheck_new_hook) == [
        "no ':param config:'", "does not say what it returns", "no '.. versionadded::'",
        "docstring and firstresult disagree", "not fully typed"]


def _hook_test_names() -> set[str]:
    names: set[str] = set()
    for path in TESTS.glob("test_plugins*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_hook_"):
                names.add(node.name)
    return names


def has_hook_test(hook: str, tests: set[str]) -> bool:
    """A test ``test_hook_<hook>`` or ``test_hook_<hook>_<more>`` counts for the longest hook name
    it starts with — so ``test_hook_gipcheck_register_loaders`` is no test of a hook
    ``gipcheck_register``."""
    hooks = sorted({*HOOKS, hook}, key=len, reverse=True)
    for t in tests:
        owner = next((h for h in hooks if t == f"test_hook_{h}" or t.startswith(f"test_hook_{h}_")), None)
        if owner == hook:
            return True
    return False


@pytest.mark.parametrize("hook", HOOKS)
def test_plugin_hooks_have_tests(hook: str) -> None:
    assert has_hook_test(hook, _hook_test_names()), f"hook {hook} has no test named test_hook_{hook}"


def test_the_test_guard_catches_a_hook_without_a_test() -> None:
    tests = _hook_test_names()
    assert not has_hook_test("gipcheck_new_hook", tests)
    # a test of a longer-named hook does not count for its prefix
    assert not has_hook_test("gipcheck_register", tests)


# ---------------------------------------------------------------- one test per hook


def test_hook_gipcheck_register_loaders(full: PluginManager) -> None:
    reg = full.loaders["gipfix"]
    assert (reg.plugin, reg.extensions, reg.priority, reg.doc) == ("gipfix_full", (".gipfix",), 5, "GIPFIX test reports")
    from gipcheck.load import load_bytes, registry

    try:
        assert "gipfix" in full.install_loaders()
        loaded = load_bytes("GIPFIX REPORT\n测试县人民政府\n".encode(), "x.gipfix")
        assert loaded.document["meta"]["organ"] == "测试县人民政府"
        assert loaded.document["meta"]["source"]["loader"] == "gipfix"
        assert registry.get_loader("gipfix").plugin == "gipfix_full"
    finally:
        full.uninstall_loaders()
    assert registry.get_loader("gipfix") is None
    assert registry.get_loader("text") is not None  # built-ins stay


def test_hook_gipcheck_register_rule_packs(full: PluginManager) -> None:
    pack = full.rule_packs[1]
    assert (pack.name, pack.region, pack.plugin, pack.rule_ids) == ("gipfix-province", "测试省", "gipfix_full",
                                                                     ("GIPFIX-TWICE",))


def test_hook_gipcheck_register_functions(full: PluginManager) -> None:
    spec = full.function_specs()["gipfix_twice"]
    assert (spec.min_args, spec.max_args, spec.cost, spec.func(21)) == (1, 1, 2, 42)
    from gipcheck.engine.examples import run_rule_examples

    results = run_rule_examples(full.load_rule_packs()[1:])
    assert [(r.expect, r.got) for r in results] == [("pass", "pass"), ("fail", "fail"), ("unknown", "unknown")]


def test_hook_gipcheck_register_reporters(full: PluginManager) -> None:
    from gipcheck.engine.model import ReportResult, RunResult

    reg = full.reporters["gipfix-count"]
    assert reg.plugin == "gipfix_full" and reg.extension == ".txt"
    assert reg.render(RunResult(reports=[ReportResult(source="a"), ReportResult(source="b")]), {}) == "2 report(s)"


def test_hook_gipcheck_register_fact_patterns(full: PluginManager) -> None:
    assert [(f.path.name, f.plugin) for f in full.fact_patterns][-1] == ("facts.yaml", "gipfix_full")


def test_hook_gipcheck_config_defaults(full: PluginManager, monkeypatch: pytest.MonkeyPatch) -> None:
    assert full.config_defaults == {"gipfix.threshold": 3}
    from gipcheck.plugins import hookimpl

    class Clash:
        @hookimpl
        def gipcheck_config_defaults(self):
            return {"gipfix.threshold": 9}

    m = PluginManager(autoload=False, builtins=False, plugins=["gipfix_full", Clash()]).load()
    assert m.config_defaults == {"gipfix.threshold": 3}
    assert [p.code for p in m.problems] == ["PLUGIN_DUPLICATE"] and "Clash" in m.problems[0].message


def test_hook_gipcheck_configure(full: PluginManager) -> None:
    import gipfix_full

    gipfix_full.CONFIGURED.clear()
    merged = full.configure({"lang": "en", "gipfix.threshold": 5})
    assert merged == {"lang": "en", "gipfix.threshold": 5}
    assert gipfix_full.CONFIGURED == [merged]
    assert full.configure({})["gipfix.threshold"] == 3  # the plugin's default


def test_hook_gipcheck_enrich_document(full: PluginManager) -> None:
    from gipcheck.load.base import LoadedReport

    loaded = LoadedReport(document={"meta": {"organ": "测试县人民政府", "region": None}})
    assert full.enrich(loaded, {}) == []
    assert loaded.document["meta"]["region"] == {"province": "测试省", "city": None, "county": None}
    other = LoadedReport(document={"meta": {"organ": "青云谱区商务局", "region": None}})
    full.enrich(other, {})
    assert other.document["meta"]["region"] is None


def test_hook_gipcheck_detect_layout(full: PluginManager) -> None:
    hints = full.detect_layout("…GIPFIX-LAYOUT…", None)
    assert [(h["name"], h["by"], h["installed"]) for h in hints] == [("gipfix", "gipfix_full", False)]
    assert full.missing_layout_plugin("plain text") is None


def test_hook_gipcheck_detect_layout_names_the_shanghai_plugin_on_real_reports() -> None:
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        pytest.skip("../shared/corpus is not beside this checkout")
    m = PluginManager(autoload=False).load()  # the built-ins only: gipcheck-shanghai not loaded
    for name in ("002_shanghai_kewei_2024.md.txt", "003_shanghai_gov_office_2025.md.txt"):
        hint = m.missing_layout_plugin((corpus / name).read_text(encoding="utf-8"))
        assert hint is not None and hint["plugin"] == "gipcheck-shanghai" and hint["by"] == "gipcheck.layouts", name
        err = needs_plugin_error(hint)
        assert err.code == "NEEDS_PLUGIN" and err.exit_code == 3 and "pip install gipcheck-shanghai" in err.zh
    others = [corpus / "001_shuyang_county_gov_2025.txt", *sorted((SHARED / "seeds").glob("*.txt"))]
    for path in others:
        assert m.detect_layout(path.read_text(encoding="utf-8")) == [], path.name


def test_hook_calls_are_traced_per_plugin(full: PluginManager) -> None:
    stream = io.StringIO()
    full.tracing, full._trace_stream = True, stream
    full.detect_layout("x", None)
    assert "call gipcheck_detect_layout -> gipcheck.layouts" in stream.getvalue()
    assert "call gipcheck_detect_layout -> gipfix_full" in stream.getvalue()


def _seed_with_new_wording(tmp_path: Path) -> str:
    """Seed 001 (which states no 新收 count) with one sentence in a wording the bundled phrasings
    do not know, placed in section 一."""
    seed = next((SHARED / "seeds").glob("001_*.txt"), None)
    if seed is None:
        pytest.skip("../shared/seeds is not beside the checkout")
    lines = seed.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("一、"))
    lines.insert(at + 1, "本年度新登记依申请公开事项 5 件。")
    return "\n".join(lines)


def test_registered_phrasing_files_reach_every_loader(tmp_path: Path) -> None:
    """A province's phrasing file, registered through the hook, is read by the text and HTML
    loaders of a checker (it used to be registered and then never passed to any loader)."""
    from gipcheck import api
    from gipcheck.plugins import hookimpl

    phrasings = tmp_path / "province_facts.yaml"
    phrasings.write_text("version: 1\nfacts:\n  requests_new:\n"
                         "    - '新登记[^,。;；\\d]{0,12}?(?P<n>\\d+)\\s*件'\n", encoding="utf-8")

    class Province:
        @hookimpl
        def gipcheck_register_fact_patterns(self, register):
            register(phrasings)

    text = _seed_with_new_wording(tmp_path)
    report = tmp_path / "report.txt"
    report.write_text(text, encoding="utf-8")
    page = tmp_path / "report.html"
    body = "\n".join(f"<p>{line}</p>" for line in text.split("\n"))
    page.write_text(f"<html><head><meta charset='utf-8'></head><body>{body}</body></html>", encoding="utf-8")

    plain = api.Checker(autoload=False)
    assert "requests_new" not in plain.load(report).document["facts"]  # the bundled wording does not read it
    checker = api.Checker(autoload=False, plugins=[Province()])
    assert checker.fact_files == (str(phrasings),)
    for path in (report, page):
        fact = checker.load(path).document["facts"]["requests_new"]
        assert fact["value"] == 5 and "新登记" in fact["text"], path.suffix
