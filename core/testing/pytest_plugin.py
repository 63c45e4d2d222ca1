"""pytest plugin for authors of gipcheck plugins (entry point ``pytest11``; active wherever gipcheck
is installed).

It gives a province pack two things, so that it tests itself with plain ``pytest``:

1. **An isolated checker** — the fixture ``gipcheck_checker`` builds a
   :class:`~gipcheck.plugins.manager.PluginManager` with only the built-ins plus the plugin(s)
   under test (never other installed plugins), in strict mode: any problem the plugin causes
   (import error, a hook that raises, a duplicate rule id) fails the test. The plugin under test
   is named by entry-point name, distribution name or module name, in this order of precedence:
   the marker ``@pytest.mark.gipcheck_plugins("shanghai")``, the option ``--gipcheck-plugin``,
   the ini option ``gipcheck_plugins``. ``make_gipcheck_checker(plugins=…, strict=…)`` builds
   others (e.g. one *without* the plugin, to see the "install the plugin" message).

2. **Rule examples as test items** — with ``gipcheck_examples = true`` in the ini file (or
   ``--gipcheck-examples``), every rule file of a pack (a YAML file in a directory with a
   ``pack.yaml``) that pytest meets becomes a file of items, one per entry of each rule's
   ``examples:``; the plugins under test provide the rule-language functions. For example::

       [tool.pytest.ini_options]
       testpaths = ["tests", "src/gipcheck_shanghai/rules"]
       gipcheck_plugins = ["shanghai"]
       gipcheck_examples = true

Everything gipcheck is imported lazily: this module is loaded in every pytest run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from gipcheck.engine.model import ReportResult
    from gipcheck.load.base import LoadedReport
    from gipcheck.plugins.manager import PluginManager

_RULE_SUFFIXES = (".yaml", ".yml")
_PACK_FILES = ("pack.yaml", "pack.yml")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gipcheck", "gipcheck plugin testing")
    group.addoption("--gipcheck-plugin", action="append", default=[], dest="gipcheck_plugins",
                    help="gipcheck plugin under test (entry-point, distribution or module name); repeatable")
    group.addoption("--gipcheck-examples", action="store_true", default=False, dest="gipcheck_examples",
                    help="collect the examples of rule files in rule packs as test items")
    parser.addini("gipcheck_plugins", type="linelist", default=[],
                  help="gipcheck plugins under test (entry-point, distribution or module names)")
    parser.addini("gipcheck_examples", type="bool", default=False,
                  help="collect rule examples of rule packs as test items")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "gipcheck_plugins(*names): the gipcheck plugins the gipcheck_checker "
                                       "fixture loads besides the built-ins")


def _configured_plugins(config: pytest.Config) -> list[str]:
    return list(config.getoption("gipcheck_plugins") or []) or list(config.getini("gipcheck_plugins"))


# ---------------------------------------------------------------- the checker


def _resolve(names: list[str]) -> tuple[list[Any], list[str]]:
    """Split plugin names into installed entry points (matched by entry-point or distribution
    name) and module names to import."""
    from gipcheck.plugins.manager import _dist_name, _installed_entry_points, _norm_dist

    installed = _installed_entry_points()  # broken metadata on sys.path is no reason to fail every test
    eps: list[Any] = []
    modules: list[str] = []
    for name in names:
        want = _norm_dist(name)
        match = [ep for ep in installed
                 if ep.name == name or _norm_dist(_dist_name(getattr(ep, "dist", None)) or "") == want]
        if match:
            eps.extend(m for m in match if m not in eps)
        else:
            modules.append(name)
    return eps, modules


class GipcheckChecker:
    """An isolated gipcheck: the built-ins plus the plugins under test.

    :ivar manager: its :class:`~gipcheck.plugins.manager.PluginManager` (loaded).
    :ivar packs: the rule packs it evaluates (compiled, with the plugins' functions).
    """

    def __init__(self, plugins: list[Any], *, strict: bool = True, region: str | None = None,
                 config: dict[str, Any] | None = None) -> None:
        from gipcheck.plugins.manager import PluginManager

        names = [p for p in plugins if isinstance(p, str)]
        objects = [p for p in plugins if not isinstance(p, str)]
        eps, modules = _resolve(names)
        self.manager: PluginManager = PluginManager(strict=strict, autoload=False, entry_points=eps,
                                                    plugins=[*modules, *objects]).load()
        self.config = self.manager.configure(config or {})
        self.packs = self.manager.load_rule_packs(region=region)
        self.manager.install_loaders()
        self.fact_files = self.manager.extra_fact_files()  # the plugins' phrasing files, as Checker keeps them

    @property
    def problems(self) -> list[Any]:
        return self.manager.problems

    def close(self) -> None:
        """Take the plugin loaders out of the global loader registry again."""
        self.manager.uninstall_loaders()

    def load(self, source: str | Path | bytes, *, path: str = "<test>", options: dict[str, Any] | None = None,
             ) -> LoadedReport:
        """Load a report (a path, or its bytes/text) with every loader and enrich it."""
        from gipcheck.load import load_bytes, load_path

        if isinstance(source, str) and _names_a_file(source):  # check("tests/data/report.txt"), as documented
            source = Path(source)
        # as a real run loads: the plugins (layout hints), their settings and their phrasing files
        options = {"plugins": self.manager, "config": self.config,
                   "fact_files": self.fact_files, **(options or {})}
        if isinstance(source, Path):
            loaded = load_path(source, options=options)
        elif isinstance(source, bytes):
            loaded = load_bytes(source, path, options=options)
        else:
            loaded = load_bytes(source.encode("utf-8"), path, options=options)
        self.manager.enrich(loaded, self.config)
        return loaded

    def check(self, source: str | Path | bytes | LoadedReport, *, path: str = "<test>", lang: str = "zh",
              prev: Any = None) -> ReportResult:
        """Load (unless given a loaded report) and evaluate every rule pack on it."""
        from gipcheck.engine import evaluate
        from gipcheck.load.base import LoadedReport

        loaded = source if isinstance(source, LoadedReport) else self.load(source, path=path)
        if isinstance(prev, (str, Path, bytes)):  # a previous year's report given as a file or text: load it too
            prev = self.load(prev, path="<prev>")
        return evaluate(loaded, self.packs, prev=prev, lang=lang)

    def run_examples(self) -> list[Any]:
        """Run the examples of every rule in this checker's packs
        (:class:`gipcheck.engine.examples.ExampleResult` each)."""
        from gipcheck.engine.examples import run_rule_examples

        return run_rule_examples(self.packs)

    def layout_hint(self, text: str) -> dict[str, Any] | None:
        """The layout a missing plugin would read (see ``PluginManager.missing_layout_plugin``)."""
        return self.manager.missing_layout_plugin(text)


def _names_a_file(text: str) -> bool:
    """Whether a text given to :meth:`GipcheckChecker.load` is a file name rather than a report."""
    import os

    if "\n" in text or len(text) > 4096:
        return False
    try:
        return os.path.isfile(text)
    except (OSError, ValueError):
        return False


@pytest.fixture
def make_gipcheck_checker() -> Iterator[Callable[..., GipcheckChecker]]:
    """Factory: ``make_gipcheck_checker(plugins=[...], strict=True, region=None, config=None)``."""
    made: list[GipcheckChecker] = []

    def make(plugins: list[Any] | tuple[Any, ...] = (), **kwargs: Any) -> GipcheckChecker:
        checker = GipcheckChecker(list(plugins), **kwargs)
        made.append(checker)
        return checker

    yield make
    for checker in made:
        checker.close()


@pytest.fixture
def gipcheck_checker(request: pytest.FixtureRequest,
                     make_gipcheck_checker: Callable[..., GipcheckChecker]) -> GipcheckChecker:
    """An isolated, strict checker with the built-ins plus the plugins under test (marker
    ``gipcheck_plugins``, option ``--gipcheck-plugin`` or ini ``gipcheck_plugins``)."""
    marker = request.node.get_closest_marker("gipcheck_plugins")
    names = list(marker.args) if marker else _configured_plugins(request.config)
    return make_gipcheck_checker(names)


# ---------------------------------------------------------------- rule examples as items


def _pack_root(path: Path) -> Path | None:
    for parent in list(path.parents)[:4]:
        if any((parent / f).is_file() for f in _PACK_FILES):
            return parent
    return None


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    # as the engine lists rule files: any suffix case, hidden names are not rules
    if (file_path.suffix.lower() not in _RULE_SUFFIXES or file_path.name.lower() in _PACK_FILES
            or file_path.name.startswith(".")):
        return None
    config = parent.config
    if not (config.getoption("gipcheck_examples") or config.getini("gipcheck_examples")):
        return None
    if _pack_root(file_path) is None:
        return None
    return RuleFile.from_parent(parent, path=file_path)


_PACK_CACHE_KEY = pytest.StashKey[dict[Path, Any]]()


def _pack_for(config: pytest.Config, root: Path) -> Any:
    """The compiled pack at ``root``, loaded once per session with the plugins under test (so
    their functions are known)."""
    cache = config.stash.setdefault(_PACK_CACHE_KEY, {})
    key = root.resolve()
    if key not in cache:
        from gipcheck.engine.packs import load_pack
        from gipcheck.plugins.manager import _call_load_pack

        checker = GipcheckChecker(_configured_plugins(config), strict=False)
        try:
            registered = next((p for p in checker.packs if Path(p.directory).resolve() == key), None)
            cache[key] = registered or _call_load_pack(load_pack, key, checker.manager.function_specs())
        finally:
            checker.close()
    return cache[key]


class RuleFile(pytest.File):
    """A rule YAML file of a pack: one item per example of each rule in it."""

    def collect(self) -> Iterator[pytest.Item]:
        root = _pack_root(self.path)
        assert root is not None
        from gipcheck.errors import RuleError

        try:
            pack = _pack_for(self.config, root)
        except RuleError as e:  # a broken rule file: its file:line:col, the line and a caret, no traceback
            raise self.CollectError(e.render("en")) from e
        here = self.path.resolve()
        for rule in pack.rules:
            if Path(rule.file).resolve() != here:
                continue
            for example in rule.examples:
                yield RuleExampleItem.from_parent(self, name=f"{rule.id}[{example.index}:{example.expect}]",
                                                  rule=rule, example=example)


class RuleExampleFailure(Exception):
    """An example did not give what it expects."""


class RuleExampleItem(pytest.Item):
    def __init__(self, *, rule: Any, example: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rule = rule
        self.example = example

    def runtest(self) -> None:
        from gipcheck.engine.examples import run_example

        result = run_example(self.rule, self.example)
        if not result.ok:
            raise RuleExampleFailure(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, RuleExampleFailure):
            r = excinfo.value.args[0]
            lines = [f"{r.where}: rule {r.rule}, example {r.index}: expected {r.expect}, got {r.got}"]
            if r.detail:
                lines.append(f"    {r.detail}")
            if r.message:
                lines.append(f"    message: {r.message}")
            return "\n".join(lines)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, (self.example.line - 1) if self.example.line else None, f"{self.rule.id} example {self.example.index}"
