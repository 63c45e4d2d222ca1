"""The library API: everything the CLI does, callable from a web page, a batch job or a notebook.

    >>> from gipcheck import api
    >>> result = api.check("报告.txt")            # load → document → validate → evaluate
    >>> [f.rule for f in result.findings]

One :class:`Checker` holds what is expensive to build — the plugin manager, the loaders, the
compiled rule packs — and is reused for every report of a run.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from gipcheck.engine.model import Problem, ReportResult, RunResult
from gipcheck.errors import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_USAGE,
    GipcheckError,
    LoadError,
)
from gipcheck.load.base import LoadedReport, Note


def _source_path(document: Any) -> str | None:
    from gipcheck.engine.model import meta_of

    src = meta_of(document).get("source")
    path = src.get("path") if isinstance(src, dict) else None
    return path if isinstance(path, str) else None


class Checker:
    """Plugins, loaders and compiled rule packs for one run.

    :param rule_dirs: extra rule pack directories (``--rules``), after the built-in and plugin packs.
    :param strict_plugins: a plugin problem raises instead of being reported.
    :param region: apply the province plugin of this region (``--region``) whatever the document says.
    :param config: the user's plugin settings (``{"shanghai.place_by_order": False}``, or nested
        tables as in ``[tool.gipcheck.plugins]``; :meth:`gipcheck.config.Settings.plugin_config` gives
        them from a configuration file). Precedence: the plugins' defaults < ``config`` < ``region``
        (the command line). The merged mapping is :attr:`config`: what ``gipcheck_configure``,
        ``gipcheck_enrich_document`` and the loaders (``options["config"]``) get.
    """

    def __init__(self, *, rule_dirs: Sequence[str | Path] = (), strict_plugins: bool = False,
                 region: str | None = None, lang: str = "zh", plugins: Sequence[Any] = (),
                 autoload: bool | None = None, config: Mapping[str, Any] | None = None) -> None:
        from gipcheck.engine import load_packs
        from gipcheck.plugins.manager import PluginManager

        self.lang = lang
        self.region = region
        if autoload is None:
            autoload = os.environ.get("GIPCHECK_DISABLE_PLUGIN_AUTOLOAD", "") not in ("1", "true", "yes")
        self.plugins = PluginManager(strict=strict_plugins, autoload=autoload, plugins=list(plugins)).load()
        self.plugins.install_loaders()
        registered = self.plugins.load_rule_packs(region)
        with self.plugins.functions_in_scope():  # a --rules pack may use the plugins' functions
            extra = load_packs([Path(d) for d in rule_dirs])
        self.packs = [*registered, *self.plugins.extra_packs(registered, extra)]
        # plugin defaults < the user's settings < the command line; gipcheck_configure called once,
        # before any report is read
        from gipcheck.config import flatten_plugin_table

        user = {k: v for k, (v, _parts) in
                flatten_plugin_table(dict(config or {}), self.plugins.config_defaults).items()}
        self.config = self.plugins.configure({**user, "region": region})
        self.problems: list[Problem] = list(self.plugins.problems)
        # the phrasing files plugins registered (a province's own wording), read by every loader
        self.fact_files = self.plugins.extra_fact_files()

    # -------------------------------------------------------------- load
    def load(self, path: str | Path) -> LoadedReport:
        """Read one file into the canonical document (raises :class:`LoadError`)."""
        from gipcheck.load import load_path

        # "plugins": the layout hints are asked about every report read (gipcheck.load.load_bytes);
        # "config": the merged configuration, for plugin loaders that have settings
        loaded = load_path(path, options={"region": self.region, "plugins": self.plugins,
                                          "fact_files": self.fact_files, "config": self.config})
        # A plugin that fails while enriching this report is named in the report, and the run goes on.
        for problem in self.plugins.enrich(loaded, self.config) or ():
            loaded.notes.append(Note(f"PLUGIN_{problem.code}", problem.message,
                                     str(problem.detail.get("en", problem.message)), level="warning"))
        return loaded

    # -------------------------------------------------------------- check
    def check(self, source: str | Path | LoadedReport, *, prev: str | Path | LoadedReport | None = None,
              only: Iterable[str] | None = None) -> ReportResult:
        """Check one report; an unreadable file becomes a result carrying that problem."""
        from gipcheck.engine import evaluate

        name = str(source) if not isinstance(source, LoadedReport) else (
            _source_path(source.document) or "<document>")
        try:
            loaded = source if isinstance(source, LoadedReport) else self.load(source)
        except GipcheckError as e:
            return ReportResult(source=name, problems=[Problem("load", e.code, e.message(self.lang))])
        prev_loaded: LoadedReport | None = None
        problems: list[Problem] = []
        same = False
        if isinstance(prev, (str, os.PathLike)) and isinstance(source, (str, os.PathLike)):
            try:
                same = os.path.samefile(source, prev)
            except (OSError, ValueError):
                same = False
        if same:  # the report compared with itself would pass every year-over-year check
            prev = None
        if prev is not None:
            try:
                prev_loaded = prev if isinstance(prev, LoadedReport) else self.load(prev)
            except GipcheckError as e:
                problems.append(Problem("load", e.code, f"上一年度年报 / previous report {prev}: "
                                        f"{e.message(self.lang)}"))
        result = evaluate(loaded, self.packs, prev=prev_loaded, lang=self.lang,
                          only=([only] if isinstance(only, str) else set(only)) if only else None)
        result.source = name
        result.problems[:0] = problems
        if same:
            result.notes.append({"code": "PREV_SAME", "level": "warning",
                                 "zh": "上一年度年报就是本年报自身，未作上下年度比较",
                                 "en": "the previous year's report is this report itself; "
                                       "no year-over-year comparison was made"})
        return result


@cache
def _default_checker(rule_dirs: tuple[str, ...] = (), strict: bool = False, region: str | None = None,
                     lang: str = "zh", config_key: str = "{}") -> Checker:
    c = Checker(rule_dirs=rule_dirs, strict_plugins=strict, region=region, lang=lang,
                config=_CONFIGS.get(config_key))
    _default_checker._live.append(c)  # type: ignore[attr-defined]
    return c


_default_checker._live = []  # type: ignore[attr-defined]
_CONFIGS: dict[str, dict[str, Any]] = {}  # the plugin settings behind each cache key


def _config_key(config: Mapping[str, Any]) -> str:
    import json

    key = json.dumps(config, sort_keys=True, ensure_ascii=False, default=repr)
    _CONFIGS.setdefault(key, dict(config))
    return key


_FOUND: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {}  # cwd → (files' stat stamp, plugin settings)


def _config_stamp(cwd: str) -> tuple[Any, ...]:
    """The size and modification time of every configuration file the upward search could read:
    unchanged, the search's answer is unchanged (a few stat calls instead of parsing TOML)."""
    from gipcheck.config import CONFIG_NAMES

    here = Path(cwd)
    stamp: list[Any] = []
    for d in (here, *here.parents):
        for name in CONFIG_NAMES:
            try:
                st = os.stat(d / name)
            except OSError:
                continue
            stamp.append((str(d / name), st.st_mtime_ns, st.st_size))
    return tuple(stamp)


def user_plugin_config(*, config: str | None = None, profile: str | None = None) -> dict[str, Any]:
    """The plugin settings of the user's configuration (``config``, or the ``gipcheck.toml`` /
    ``pyproject.toml`` found upward), as :class:`Checker` takes them; raises ConfigError (exit 2)."""
    from gipcheck.config import load_config

    if config is not None or profile is not None:
        return load_config(config, profile=profile).plugin_table
    try:
        cwd = os.getcwd()
    except OSError:  # the working directory was deleted: nothing to find upward
        return {}
    stamp = _config_stamp(cwd)
    cached = _FOUND.get(cwd)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    table = load_config(None, cwd=cwd).plugin_table
    _FOUND[cwd] = (stamp, table)
    return table


def checker(*, rule_dirs: Sequence[str | Path] = (), strict_plugins: bool = False, region: str | None = None,
            lang: str = "zh", config: Mapping[str, Any] | None = None) -> Checker:
    """A cached :class:`Checker` for these settings. ``config``: the user's plugin settings; ``None``
    means those of the configuration file found from the current directory upward, as the CLI uses."""
    if config is None:
        from gipcheck.errors import ConfigError

        try:
            config = user_plugin_config()
        except ConfigError:  # reported by the commands that read the file (check, config show); with
            config = {}      # --config FILE elsewhere, a broken file here must not stop the run
    dirs = tuple(str(d) for d in rule_dirs)
    if not config:  # the common case keeps the four-argument key
        return _default_checker(dirs, strict_plugins, region, lang)
    return _default_checker(dirs, strict_plugins, region, lang, _config_key(config))


# ------------------------------------------------------------------ extract
def extract(path: str | Path, *, region: str | None = None) -> LoadedReport:
    """Load one report (raises :class:`LoadError` with a clear message when it cannot)."""
    return checker(region=region).load(path)


def extract_many(paths: Sequence[str | Path], *, region: str | None = None) -> list[LoadedReport | GipcheckError]:
    """Load several reports; a file that cannot be read gives its error in its place."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]  # one path, not a sequence of its characters
    c = checker(region=region)
    out: list[LoadedReport | GipcheckError] = []
    for p in paths:
        try:
            out.append(c.load(p))
        except GipcheckError as e:
            out.append(e)
    return out


# ------------------------------------------------------------------ check
def check(source: str | Path | LoadedReport, *, prev: str | Path | LoadedReport | None = None,
          rule_dirs: Sequence[str | Path] = (), lang: str = "zh", region: str | None = None) -> ReportResult:
    """Check one report with the built-in packs, installed plugins and ``rule_dirs``."""
    return checker(rule_dirs=rule_dirs, lang=lang, region=region).check(source, prev=prev)


def check_paths(paths: Sequence[str], *, rule_dirs: Sequence[str | Path] = (), prev: str | None = None,
                lang: str = "zh", region: str | None = None, strict_plugins: bool = False, jobs: int | None = None,
                profile: str | None = None, config: str | None = None, no_suppressions: bool = False,
                progress: str | None = "auto", settings: Any = None, full: bool = True,
                keep_text: bool = True, render: tuple[str, dict[str, Any]] | None = None,
                exclude: Sequence[str] = ()) -> RunResult:
    """Check files, directories and globs as one batch (see :mod:`gipcheck.batch`); configuration
    (``config``/``profile`` or the ``gipcheck.toml``/``pyproject.toml`` found upward) is applied.
    ``render=(format, options)``: the run is only to be rendered so (reports may come back rendered).
    ``exclude``: files a folder or glob must not pick up (the run's own output file)."""
    from gipcheck.batch import run_batch
    from gipcheck.config import load_config

    if isinstance(paths, (str, os.PathLike)):
        paths = [os.fspath(paths)]  # one path, not a sequence of its characters
    if settings is None:
        settings = load_config(config, profile=profile, lang=lang)
    # the checker of this configuration: its plugin settings reach the plugins (and are checked)
    c = checker(rule_dirs=[*settings.option("rules"), *rule_dirs], strict_plugins=strict_plugins,
                region=region or settings.option("region"), lang=lang, config=settings.plugin_table)
    settings.plugin_config(c.plugins.config_defaults)  # a value of the wrong type: exit 2, naming file and key
    settings.known_plugin_keys = set(c.plugins.config_defaults)
    return run_batch(paths, rule_dirs=rule_dirs, prev=prev, lang=lang, region=region,
                     strict_plugins=strict_plugins, jobs=jobs, profile=profile, config=config,
                     no_suppressions=no_suppressions, progress=progress, checker=c, settings=settings, full=full,
                     keep_text=keep_text, render=render, exclude=exclude)


def load_settings(*, config: str | None = None, profile: str | None = None, lang: str = "zh") -> Any:
    """The effective configuration (:class:`gipcheck.config.Settings`); raises ConfigError (exit 2)."""
    from gipcheck.config import load_config

    return load_config(config, profile=profile, lang=lang)


def exit_code(run: RunResult) -> int:
    """0 clean, 1 an error-severity finding, 3 an input could not be read (2 is raised earlier)."""
    if any(not r.readable for r in run.reports) or any(p.code == "NO_REPORTS" for p in run.problems):
        return EXIT_INPUT  # an unreadable input, or nothing to check at all
    if any(r.counts()["error"] for r in run.reports):  # unsuppressed errors
        return EXIT_FINDINGS
    return EXIT_OK


def find_reporter(fmt: str, *, using: Checker | None = None) -> Any:
    """The render function registered under ``fmt``: a plugin's reporter (through the hook, on the
    checker's plugin manager) or a built-in one; ``None`` when there is none."""
    from gipcheck.report import get_reporter

    managers = [using.plugins] if using is not None else [c.plugins for c in _live_checkers()]
    for manager in managers:
        reg = getattr(manager, "reporters", {}).get(fmt)
        if reg is not None:
            return reg.render
    return get_reporter(fmt)


def _live_checkers() -> list[Checker]:
    """Checkers built so far in this process (most recent first), without building a new one."""
    info = _default_checker.cache_info()
    if not info.currsize:
        return []
    return [c for c in getattr(_default_checker, "_live", [])][::-1]


def render(run: RunResult, fmt: str = "text", *, lang: str = "zh", color: bool = False,
           using: Checker | None = None) -> str:
    """Render a run with the reporter registered under ``fmt`` (built-ins or plugins)."""
    reporter = find_reporter(fmt, using=using)
    if reporter is None:
        raise GipcheckError("UNKNOWN_FORMAT", f"未知的输出格式：{fmt}", f"unknown output format: {fmt}",
                            exit_code=EXIT_USAGE)
    return reporter(run, {"lang": lang, "color": color})


# ------------------------------------------------------------------ rules and plugins
def list_rules(*, rule_dirs: Sequence[str | Path] = (), lang: str = "zh", strict_plugins: bool = False,
               region: str | None = None) -> list[dict[str, Any]]:
    c = checker(rule_dirs=rule_dirs, lang=lang, strict_plugins=strict_plugins, region=region)
    rows = []
    for pack in c.packs:
        for rule in pack.rules:
            rows.append({"id": rule.id, "severity": rule.severity, "title": rule.title.get(lang) or rule.title.get("zh"),
                         "pack": pack.name})
    return rows


def show_rule(rule_id: str, *, rule_dirs: Sequence[str | Path] = (), lang: str = "zh", strict_plugins: bool = False,
              region: str | None = None) -> str:
    from gipcheck.engine.explain import find_rule

    c = checker(rule_dirs=rule_dirs, lang=lang, strict_plugins=strict_plugins, region=region)
    rule, _pack = find_rule(c, rule_id)  # unknown: exit 2, "did you mean"
    return rule.describe(lang) if hasattr(rule, "describe") else str(rule)


def test_rules(pack_dirs: Sequence[Path] | None = None, *, rule_dirs: Sequence[str | Path] = (), lang: str = "zh",
               strict_plugins: bool = False, region: str | None = None) -> list[dict[str, Any]]:
    """Run every rule's examples; one dict per example with ``ok``."""
    from gipcheck.engine import run_examples

    c = checker(rule_dirs=rule_dirs, lang=lang, strict_plugins=strict_plugins, region=region)

    if pack_dirs:
        from gipcheck.engine import load_packs

        with c.plugins.functions_in_scope():  # a plugin's pack uses its functions
            packs = load_packs([Path(d) for d in pack_dirs], include_default=False)
        # a pack with no rule (so no example) run is not a pass: say so and fail (exit 2)
        empty = [str(p.directory) for p in packs if not any(r.examples for r in p.rules)]
        if empty:
            shown = "、".join(empty)
            raise GipcheckError("NO_EXAMPLES", f"规则包中没有规则，未运行任何示例：{shown}",
                                f"no rule in the pack, so no example was run: {shown}", exit_code=EXIT_USAGE)
    else:
        packs = c.packs
    return [r if isinstance(r, dict) else r.to_json() for r in run_examples(packs)]


def describe_plugins(*, strict: bool = False) -> dict[str, Any]:
    from gipcheck.plugins.manager import describe_plugins as _describe

    c = checker(strict_plugins=strict)
    return {"plugins": _describe(c.plugins), "problems": [p.to_json() for p in c.problems]}


def explain(rule_id: str, path: str, *, prev: str | None = None, rule_dirs: Sequence[str | Path] = (),
            lang: str = "zh", fmt: str = "text", region: str | None = None, strict_plugins: bool = False) -> str:
    """Why ``rule_id`` passed, failed or was not evaluated on ``path``: every sub-expression's
    value and the cells it read, with their line/column in the file."""
    from gipcheck.engine.explain import explain as _explain

    c = checker(rule_dirs=rule_dirs, lang=lang, region=region, strict_plugins=strict_plugins)
    return _explain(c, rule_id, path, prev=prev, lang=lang, fmt=fmt)


def show_config(*, config: str | None = None, profile: str | None = None, lang: str = "zh") -> str:
    """``gipcheck config show``: the effective configuration and where each value came from, then
    its mistakes that need the rules to see (a misspelt rule id, a mandatory rule disabled, an
    expired suppression) — found here, not first in a batch run."""
    settings = load_settings(config=config, profile=profile, lang=lang)
    try:
        c = checker(rule_dirs=settings.option("rules"), region=settings.option("region"), lang=lang,
                    config=settings.plugin_table)
    except GipcheckError:
        return settings.describe(lang)  # broken rule packs: `check` reports them; the configuration is still shown
    defaults = {k: (v, c.plugins.config_default_owner(k) or "?") for k, v in c.plugins.config_defaults.items()}
    settings.plugin_config(c.plugins.config_defaults)  # a value of the wrong type: exit 2, naming file and key
    text = settings.describe(lang, plugin_defaults=defaults)
    settings.known_rules = {r.id for pack in c.packs for r in pack.rules}
    settings.known_plugin_keys = set(c.plugins.config_defaults)
    problems = settings.run_problems(no_suppressions=True)
    if not problems:
        return text
    head = "配置问题：" if lang == "zh" else "configuration problems:"
    return "\n".join([text, head, *(f"  ! {p.message}" for p in problems)])


__all__ = ["Checker", "LoadError", "check", "check_paths", "checker", "describe_plugins", "exit_code",
           "explain", "extract", "extract_many", "list_rules", "load_settings", "render", "show_config", "show_rule", "test_rules",
           "user_plugin_config"]
