"""The pytest plugin for plugin authors (gipcheck.testing.pytest_plugin), run on a small plugin
project with pytester: the isolated checker fixture and rule examples collected as test items."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

FIXTURES = Path(__file__).resolve().parent / "plugin_fixtures"

BAD_RULE = """\
- id: GIPFIX-WRONG-EXAMPLE
  title: {zh: 示例写错的规则, en: a rule whose example is wrong}
  severity: info
  basis: test fixture
  expr: gipfix_twice(meta.year) > 4000
  message: {zh: "两倍年度 {left}", en: "twice the year {left}"}
  examples:
    - {expect: pass, doc: {meta: {year: 1000}}}
    - {expect: fail, doc: {meta: {year: 1000}}}
"""

AUTHOR_TEST = """\
import pytest



def test_checker_has_builtins_plus_the_plugin_only(gipcheck_checker):
    m = gipcheck_checker.manager
    assert "gipfix_full" in m.plugin_names()
    assert not {"shanghai", "jiangsu"} & set(m.plugin_names())
    assert [p.name for p in gipcheck_checker.packs] == ["national", "gipfix-province"]


def test_checker_loads_enriches_and_checks(gipcheck_checker):
    result = gipcheck_checker.check("GIPFIX REPORT\\n测试县人民政府\\n", path="r.gipfix")
    assert result.document["meta"]["region"]["province"] == "测试省"
    assert "GIPFIX-TWICE" in result.passed


@pytest.mark.gipcheck_plugins()
def test_marker_overrides_the_ini(gipcheck_checker):
    assert "gipfix_full" not in gipcheck_checker.manager.plugin_names()


def test_strict_checker_fails_on_a_broken_plugin(make_gipcheck_checker):
    from gipcheck.plugins.manager import PluginError

    with pytest.raises(PluginError, match="gipfix_raises_in_hook"):
        make_gipcheck_checker(["gipfix_raises_in_hook"])
    lenient = make_gipcheck_checker(["gipfix_raises_in_hook"], strict=False)
    assert [p.code for p in lenient.problems] == ["PLUGIN_HOOK"]
"""


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    """Import and compile once out here: modules first imported inside an in-process pytester
    run are dropped after it, and would be imported and compiled again for every run."""
    from gipcheck.plugins.manager import PluginManager

    manager = PluginManager(autoload=False).load()
    manager.load_rule_packs()
    import gipcheck.load  # noqa: F401


@pytest.fixture
def author_project(pytester: pytest.Pytester, request: pytest.FixtureRequest) -> pytest.Pytester:
    pytester.syspathinsert(FIXTURES)
    shutil.copytree(FIXTURES / "gipfix_full" / "rules", pytester.path / "rules")
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests" / "test_author.py").write_text(AUTHOR_TEST, encoding="utf-8")
    pytester.makeini("""
        [pytest]
        testpaths = tests rules
        gipcheck_plugins = gipfix_full
        gipcheck_examples = true
    """)
    return pytester


def _run(pytester: pytest.Pytester, request: pytest.FixtureRequest, *args: str) -> pytest.RunResult:
    extra = [] if request.config.pluginmanager.has_plugin("gipcheck") else ["-p", "gipcheck.testing.pytest_plugin"]
    return pytester.runpytest_inprocess(*extra, "-p", "no:cacheprovider", *args)


def test_plugin_project_tests_itself_with_plain_pytest(author_project: pytest.Pytester,
                                                       request: pytest.FixtureRequest) -> None:
    result = _run(author_project, request, "-v")
    result.assert_outcomes(passed=4 + 3)
    result.stdout.fnmatch_lines(["*rules/twice.yaml::GIPFIX-TWICE?0:pass? PASSED*",
                                 "*rules/twice.yaml::GIPFIX-TWICE?2:unknown? PASSED*"])


def test_a_wrong_rule_example_fails_with_its_file_and_line(author_project: pytest.Pytester,
                                                           request: pytest.FixtureRequest) -> None:
    (author_project.path / "rules" / "wrong.yaml").write_text(BAD_RULE, encoding="utf-8")
    result = _run(author_project, request, "rules")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(["*wrong.yaml:8: rule GIPFIX-WRONG-EXAMPLE, example 0: expected pass, got fail*"])


def test_examples_are_not_collected_unless_asked(author_project: pytest.Pytester,
                                                 request: pytest.FixtureRequest) -> None:
    author_project.makeini("""
        [pytest]
        testpaths = tests rules
        gipcheck_plugins = gipfix_full
    """)
    result = _run(author_project, request)
    result.assert_outcomes(passed=4)


def test_broken_rule_file_is_a_collection_error_naming_the_position(author_project: pytest.Pytester,
                                                                    request: pytest.FixtureRequest) -> None:
    (author_project.path / "rules" / "broken.yaml").write_text(
        BAD_RULE.replace("gipfix_twice(meta.year) > 4000", "meta.year = 4000"), encoding="utf-8")
    result = _run(author_project, request, "rules")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*broken.yaml:5:*", "*meta.year = 4000*"])
    result.stdout.no_fnmatch_line("*Traceback*")
