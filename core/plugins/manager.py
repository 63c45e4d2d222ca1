"""Loading plugins and calling their hooks without letting one broken plugin take the tool down.

:class:`PluginManager` registers the built-ins (:data:`gipcheck.plugins.builtins.DEFAULT_PLUGINS`),
any plugins given explicitly, and — unless ``GIPCHECK_DISABLE_PLUGIN_AUTOLOAD=1`` — every entry
point of the group ``gipcheck``, each in its own ``try``. It then calls the registration hooks,
one plugin implementation at a time, and records who registered what. Whatever goes wrong (an
import error, an exception inside a hook, a duplicate loader, function, reporter or rule id, a
malformed registration) becomes a :class:`~gipcheck.engine.model.Problem` naming the plugin, its
distribution and version; the run goes on. With ``strict=True`` (``--strict-plugins``) the same
problems raise :class:`PluginError` (exit code 2).

``GIPCHECK_TRACE_PLUGINS=1`` prints every hook call and registration to stderr.

Typical use::

    manager = PluginManager(strict=args.strict_plugins).load()
    manager.install_loaders()                     # feed gipcheck.load.registry
    packs = manager.load_rule_packs(region=args.region)
    run.problems.extend(manager.problems)
"""

from __future__ import annotations

import importlib
import json
import keyword
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import pluggy

from gipcheck.engine.model import Problem
from gipcheck.errors import EXIT_USAGE, GipcheckError
from gipcheck.plugins import hookspecs
from gipcheck.plugins.builtins import DEFAULT_PLUGINS, builtin_name

if TYPE_CHECKING:
    import importlib.metadata as md

    from gipcheck.load.base import LoadedReport

ENTRY_POINT_GROUP = "gipcheck"
ENV_DISABLE_AUTOLOAD = "GIPCHECK_DISABLE_PLUGIN_AUTOLOAD"
ENV_TRACE = "GIPCHECK_TRACE_PLUGINS"

KIND_BUILTIN, KIND_ENTRYPOINT, KIND_EXPLICIT = "builtin", "entrypoint", "explicit"

REGISTRATION_HOOKS: dict[str, str] = {
    "gipcheck_register_loaders": "loaders",
    "gipcheck_register_rule_packs": "rule_packs",
    "gipcheck_register_functions": "functions",
    "gipcheck_register_reporters": "reporters",
    "gipcheck_register_fact_patterns": "fact_patterns",
}
CATEGORIES: tuple[str, ...] = (*REGISTRATION_HOOKS.values(), "config_defaults")

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Words of the rule language that can never be function names.
_LANG_KEYWORDS = frozenset("if then else all any in not and or for within true false null let".split())
_TRUTHY = ("1", "true", "yes", "on")
# A layout hint this sure, for a plugin that is not installed, refuses the core's reading (NEEDS_PLUGIN);
# one at least LAYOUT_NOTE_CONFIDENCE only adds an info note beside the reading.
LAYOUT_MIN_CONFIDENCE = 0.75
LAYOUT_NOTE_CONFIDENCE = 0.5


def env_flag(name: str, environ: dict[str, str] | None = None) -> bool:
    """Whether the environment variable ``name`` is set to a true value (1/true/yes/on)."""
    return (environ if environ is not None else os.environ).get(name, "").strip().lower() in _TRUTHY


def hook_names() -> list[str]:
    """Every hook gipcheck defines, in the order of :mod:`gipcheck.plugins.hookspecs`."""
    return [n for n in vars(hookspecs) if n.startswith("gipcheck_") and callable(getattr(hookspecs, n))]


class PluginError(GipcheckError):
    """Plugin problems under ``--strict-plugins`` (exit code 2)."""

    exit_code = EXIT_USAGE


# ---------------------------------------------------------------- records


@dataclass
class PluginInfo:
    """One plugin as ``gipcheck plugins`` shows it."""

    name: str
    kind: str
    distribution: str | None = None
    version: str | None = None
    module: str | None = None
    entry_point: str | None = None
    plugin: Any = None  # the registered object; None when it could not be loaded
    index: int = 0
    registered: dict[str, list[str]] = field(default_factory=lambda: {c: [] for c in CATEGORIES})
    problems: list[Problem] = field(default_factory=list)

    @property
    def builtin(self) -> bool:
        return self.kind == KIND_BUILTIN

    def label(self, lang: str = "zh") -> str:
        """``shanghai（gipcheck-shanghai 0.1.0）`` — the name and, when known, what installed it."""
        dist = " ".join(x for x in (self.distribution, self.version) if x)
        if not dist:
            return self.name
        return f"{self.name}（{dist}）" if lang == "zh" else f"{self.name} ({dist})"


@dataclass(frozen=True)
class LoaderRegistration:
    name: str
    sniff: Callable[[bytes, str], float]
    load: Callable[[bytes, str, dict[str, Any]], Any]
    media_types: tuple[str, ...]
    extensions: tuple[str, ...]
    priority: int
    doc: str
    plugin: str


@dataclass(frozen=True)
class RulePackRegistration:
    path: Path
    name: str
    region: str | None
    plugin: str
    rule_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class FunctionRegistration:
    name: str
    func: Callable[..., Any]
    min_args: int
    max_args: int | None
    cost: int
    doc: str
    plugin: str


@dataclass(frozen=True)
class ReporterRegistration:
    name: str
    render: Callable[[Any, dict[str, Any]], str]
    media_type: str
    extension: str | None
    doc: str
    plugin: str


@dataclass(frozen=True)
class FactPatternRegistration:
    path: Path
    plugin: str


def _first_line(text: str | None) -> str:
    return (text or "").strip().split("\n", 1)[0].strip()


def _short(exc: BaseException) -> str:
    text = str(exc).strip().split("\n", 1)[0]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _raised_at(exc: BaseException) -> str | None:
    """``file:line`` of the innermost frame that raised, for the plugin author."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else None


def _ends_run(e: BaseException) -> bool:
    """Ctrl-C and SIGTERM end the run; anything else a plugin raises (SystemExit, GeneratorExit
    included) is that plugin's problem only."""
    if isinstance(e, KeyboardInterrupt):
        return True
    from gipcheck.batch import Terminated

    return isinstance(e, Terminated)


class PluginExit(Exception):  # noqa: N818 - shown to rule authors as what the function did
    """A plugin function raised SystemExit or GeneratorExit: a rule error, not the end of the run."""


def _guarded_function(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` whose SystemExit/GeneratorExit becomes an ordinary exception, which the rule
    language reports as that rule's PLUGIN error (it lets exits through, to end the run)."""
    import functools

    @functools.wraps(func)
    def guarded(*args: Any) -> Any:
        try:
            return func(*args)
        except Exception:
            raise
        except BaseException as e:  # noqa: BLE001 - sys.exit() inside a rule function must not end the run
            if _ends_run(e):
                raise
            raise PluginExit(_short(e)) from None

    return guarded


def _safe_str(v: Any, limit: int = 40) -> str:
    """At most ``limit`` characters of ``str(v)``, whatever ``v``'s ``__str__`` does."""
    try:
        return str(v)[:limit]
    except Exception:  # noqa: BLE001 - a hostile object's __str__
        return "?"


def _type_name(v: Any) -> str:
    return "None" if v is None else type(v).__name__


def _norm_dist(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# ---------------------------------------------------------------- the manager


class PluginManager:
    """gipcheck's plugin manager: a :class:`pluggy.PluginManager` plus the records of who
    registered what and the problems met on the way.

    :param strict: raise :class:`PluginError` on any plugin problem (``--strict-plugins``).
    :param autoload: load the ``gipcheck`` entry points; ``None`` means "unless
        ``GIPCHECK_DISABLE_PLUGIN_AUTOLOAD`` is set".
    :param builtins: register the built-in plugins (``True``), none (``False``), or the given
        module names.
    :param plugins: further plugins to register: objects/modules, or module names to import.
    :param entry_points: entry points to load instead of the installed ones (loaded even when
        autoloading is off: they are named explicitly).
    :param trace: trace hook calls to ``trace_stream``; ``None`` means ``GIPCHECK_TRACE_PLUGINS``.
    """

    def __init__(
        self,
        *,
        strict: bool = False,
        autoload: bool | None = None,
        builtins: bool | Iterable[str] = True,
        plugins: Iterable[Any] = (),
        entry_points: Iterable[md.EntryPoint] | None = None,
        trace: bool | None = None,
        trace_stream: TextIO | None = None,
    ) -> None:
        self.strict = strict
        self.autoload = (not env_flag(ENV_DISABLE_AUTOLOAD)) if autoload is None else autoload
        if builtins is True:
            self._builtin_modules: tuple[str, ...] = DEFAULT_PLUGINS
        elif builtins is False:
            self._builtin_modules = ()
        else:
            self._builtin_modules = tuple(builtins)  # type: ignore[arg-type]
        self._extra_plugins = list(plugins)
        self._entry_points = list(entry_points) if entry_points is not None else None
        self.tracing = env_flag(ENV_TRACE) if trace is None else trace
        self._trace_stream = trace_stream
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.infos: dict[str, PluginInfo] = {}
        self.problems: list[Problem] = []
        self.loaders: dict[str, LoaderRegistration] = {}
        self.rule_packs: list[RulePackRegistration] = []
        self.functions: dict[str, FunctionRegistration] = {}
        self.reporters: dict[str, ReporterRegistration] = {}
        self.fact_patterns: list[FactPatternRegistration] = []
        self.config_defaults: dict[str, Any] = {}
        self._config_sources: dict[str, str] = {}
        self._installed_loaders: list[str] = []
        self._impl_order: dict[str, tuple[list[Any], list[Any]]] = {}
        self._pending: dict[str, list[Problem]] = {}  # loader problems per file, until enrich() hands them on
        self.loaded = False

    # ------------------------------------------------------------ tracing and problems

    def trace(self, message: str) -> None:
        if self.tracing:
            print(f"[gipcheck plugins] {message}", file=self._trace_stream or sys.stderr, flush=True)

    def _problem(self, info: PluginInfo | None, code: str, zh: str, en: str, *, record: bool = True,
                 **detail: Any) -> Problem:
        """A problem of ``info``'s plugin (``None``: of the plugin system itself); ``record`` keeps it
        in :attr:`problems` (run-level) — per-report problems go to that report instead."""
        if info is not None:
            zh, en = f"插件 {info.label('zh')}：{zh}", f"plugin {info.label('en')}: {en}"
            detail = {"plugin": info.name, "distribution": info.distribution, "version": info.version, **detail}
        problem = Problem(kind="plugin", code=code, message=zh, detail={**detail, "en": en})
        if record:
            self.problems.append(problem)
            if info is not None:
                info.problems.append(problem)
        self.trace(f"PROBLEM {code}: {en}")
        return problem

    def raise_if_strict(self, problems: list[Problem] | None = None) -> None:
        """Under ``strict``, turn recorded problems (or the given ones) into :class:`PluginError`."""
        found = self.problems if problems is None else problems
        if self.strict and found:
            zh = "插件出错（--strict-plugins）：" + "；".join(p.message for p in found)
            en = "plugin problems (--strict-plugins): " + "; ".join(str(p.detail.get("en", p.message)) for p in found)
            raise PluginError("PLUGIN_STRICT", zh, en)

    # ------------------------------------------------------------ loading

    def load(self) -> PluginManager:
        """Register the built-ins, the explicit plugins and the entry points, then collect every
        registration. Returns ``self``; raises :class:`PluginError` under ``strict``."""
        if self.loaded:
            return self
        self.loaded = True
        for modname in self._builtin_modules:
            self._register_module(modname, builtin_name(modname), KIND_BUILTIN)
        for plugin in self._extra_plugins:
            if isinstance(plugin, str):
                self._register_module(plugin, plugin, KIND_EXPLICIT)
            else:
                name = getattr(plugin, "__name__", None) or type(plugin).__name__
                self.register(plugin, name, kind=KIND_EXPLICIT)
        if self._entry_points is not None:  # explicit entry points are loaded whatever the environment says
            self.load_entry_points(self._entry_points)
        elif self.autoload:
            self.load_entry_points()
        else:
            self.trace(f"entry-point autoloading disabled ({ENV_DISABLE_AUTOLOAD})")
        self._collect()
        self.raise_if_strict()
        return self

    def _register_module(self, modname: str, name: str, kind: str) -> None:
        info = PluginInfo(name=name, kind=kind, module=modname, index=len(self.infos))
        if kind == KIND_BUILTIN:
            info.distribution, info.version = "gipcheck", _gipcheck_version()
        try:
            module = importlib.import_module(modname)
        except BaseException as e:  # noqa: BLE001 - SystemExit from a plugin import must not end the run
            if _ends_run(e):
                raise
            self.infos.setdefault(name, info)
            self._problem(info, "PLUGIN_IMPORT", f"无法导入（{_short(e)}）", f"failed to import ({_short(e)})")
            return
        self.register(module, name, kind=kind, info=info)

    def load_entry_points(self, entry_points: Iterable[md.EntryPoint] | None = None) -> None:
        """Load each entry point of the ``gipcheck`` group in its own ``try``."""
        eps = list(entry_points) if entry_points is not None else _installed_entry_points()
        seen: set[tuple[str, str]] = set()
        for ep in eps:
            if (ep.name, ep.value) in seen:  # the same distribution found twice on sys.path
                continue
            seen.add((ep.name, ep.value))
            dist = getattr(ep, "dist", None)
            info = PluginInfo(
                name=ep.name, kind=KIND_ENTRYPOINT, module=ep.value.split(":", 1)[0], entry_point=ep.value,
                distribution=_dist_name(dist), version=getattr(dist, "version", None), index=len(self.infos),
            )
            if ep.name in self.infos:
                other = self.infos[ep.name]
                self._problem(info, "PLUGIN_DUPLICATE", f"插件名已被 {other.label('zh')} 使用，未加载",
                              f"plugin name already used by {other.label('en')}; not loaded")
                continue
            self.trace(f"load entry point {ep.name} = {ep.value}")
            try:
                obj = ep.load()
            except BaseException as e:  # noqa: BLE001 - one broken plugin must not take the tool down
                if _ends_run(e):
                    raise
                self.infos[ep.name] = info
                self._problem(info, "PLUGIN_IMPORT", f"无法导入（{_short(e)}）", f"failed to import ({_short(e)})",
                              entry_point=ep.value)
                continue
            self.register(obj, ep.name, kind=KIND_ENTRYPOINT, info=info)

    def register(self, plugin: Any, name: str, *, kind: str = KIND_EXPLICIT, info: PluginInfo | None = None) -> bool:
        """Register one plugin object under ``name``; problems are recorded, not raised."""
        if info is None:
            info = PluginInfo(name=name, kind=kind, module=getattr(plugin, "__name__", None), index=len(self.infos))
        if name in self.infos and self.infos[name].plugin is not None:
            self._problem(info, "PLUGIN_DUPLICATE", "插件名重复，未加载", "duplicate plugin name; not loaded")
            return False
        self.infos[name] = info
        try:
            self.pm.register(plugin, name=name)
        except Exception as e:  # noqa: BLE001 - pluggy rejects bad hook signatures and double registration
            self._problem(info, "PLUGIN_INVALID", f"无法注册（{_short(e)}）", f"could not be registered ({_short(e)})")
            return False
        info.plugin = plugin
        if info.distribution is None and kind == KIND_EXPLICIT:  # has_distribution() must know it too
            info.distribution, info.version = _distribution_of(info.module or getattr(plugin, "__module__", None))
        self.trace(f"registered plugin {name} ({kind})")
        self._check_hook_names(plugin, info)
        return True

    def _check_hook_names(self, plugin: Any, info: PluginInfo) -> None:
        """A ``gipcheck_…`` function that is not a known hook, or lacks ``@hookimpl``, is a silent
        no-op in pluggy; say so."""
        known = set(hook_names())
        try:
            names = dir(plugin)
        except Exception:  # noqa: BLE001 - an object whose __dir__ raises: pluggy has said what it could
            names = []
        for attr in names:
            if not attr.startswith("gipcheck_"):
                continue
            try:
                func = getattr(plugin, attr, None)
            except BaseException as e:  # noqa: BLE001 - a property that raises is this plugin's problem
                if _ends_run(e):
                    raise
                self._problem(info, "PLUGIN_INVALID", f"读取属性 {attr} 时出错（{_short(e)}）",
                              f"reading the attribute {attr} raised {_short(e)}", hook=attr)
                continue
            if not callable(func):
                continue
            opts = self.pm.parse_hookimpl_opts(plugin, attr)
            marked = opts is not None
            if attr in known and opts and (opts.get("hookwrapper") or opts.get("wrapper")):
                # gipcheck calls each plugin's implementation on its own (call_each): a wrapper never runs
                self._problem(info, "PLUGIN_UNSUPPORTED", f"{attr} 标为 hookwrapper/wrapper，gipcheck 不调用包装实现，"
                              "已忽略", f"{attr} is marked hookwrapper/wrapper; gipcheck never calls wrappers, "
                              "so it is ignored", hook=attr)
            if attr not in known:
                self._problem(info, "PLUGIN_UNKNOWN_HOOK", f"没有名为 {attr} 的钩子（拼写错误？），已忽略",
                              f"no hook named {attr} (a typo?); ignored", hook=attr)
            elif not marked:
                self._problem(info, "PLUGIN_UNMARKED_HOOK", f"{attr} 缺少 @hookimpl 标记，不会被调用",
                              f"{attr} lacks the @hookimpl marker and will never be called", hook=attr)

    # ------------------------------------------------------------ calling hooks

    def info_of(self, plugin_name: str) -> PluginInfo:
        return self.infos[plugin_name]

    def _ordered_impls(self, hook_name: str) -> list[Any]:
        """Implementations in call order: built-ins first, then ``tryfirst``, plain, ``trylast``,
        each in registration order — so the first registration of a name wins predictably."""
        current = getattr(self.pm.hook, hook_name).get_hookimpls()
        cached = self._impl_order.get(hook_name)
        if cached is not None and cached[0] == current:  # per-report hooks: sort once, not per report
            return cached[1]
        impls = [i for i in current if not (i.hookwrapper or i.wrapper)]

        def key(impl: Any) -> tuple[int, int, int]:
            info = self.infos.get(impl.plugin_name)
            group = 0 if impl.tryfirst else 2 if impl.trylast else 1
            return (0 if info and info.builtin else 1, group, info.index if info else 0)

        ordered = sorted(impls, key=key)
        self._impl_order[hook_name] = (current, ordered)
        return ordered

    def call_each(self, hook_name: str, make_kwargs: Callable[[PluginInfo], dict[str, Any]] | None = None,
                  *, record: bool = True, **kwargs: Any) -> list[tuple[PluginInfo, Any, Problem | None]]:
        """Call ``hook_name`` on every plugin separately: ``(plugin, result, problem)`` per call.
        ``make_kwargs`` gives per-plugin arguments (the ``register`` callbacks); ``record=False``
        leaves the problems out of :attr:`problems` (they belong to one report)."""
        out: list[tuple[PluginInfo, Any, Problem | None]] = []
        for impl in self._ordered_impls(hook_name):
            info = self.infos.get(impl.plugin_name) or PluginInfo(name=impl.plugin_name, kind=KIND_EXPLICIT)
            args = {**kwargs, **(make_kwargs(info) if make_kwargs else {})}
            if self.tracing:
                self.trace(f"call {hook_name} -> {info.name}")
            try:
                result = impl.function(*[args[a] for a in impl.argnames])
            except BaseException as e:  # noqa: BLE001 - a hook that raises is that plugin's problem only
                if _ends_run(e):
                    raise
                problem = self._problem(info, "PLUGIN_HOOK", f"钩子 {hook_name} 出错（{_short(e)}）",
                                        f"hook {hook_name} raised {_short(e)}", record=record, hook=hook_name,
                                        at=_raised_at(e))
                out.append((info, None, problem))
                continue
            out.append((info, result, None))
        return out

    # ------------------------------------------------------------ registrations

    def _collect(self) -> None:
        makers: dict[str, Callable[[PluginInfo], Callable[..., Any]]] = {
            "gipcheck_register_loaders": self._loader_callback,
            "gipcheck_register_rule_packs": self._pack_callback,
            "gipcheck_register_functions": self._function_callback,
            "gipcheck_register_reporters": self._reporter_callback,
            "gipcheck_register_fact_patterns": self._facts_callback,
        }
        for hook_name, make in makers.items():
            def register_kwargs(info: PluginInfo, make: Callable[[PluginInfo], Callable[..., Any]] = make,
                                ) -> dict[str, Any]:
                return {"register": make(info)}

            for info, result, problem in self.call_each(hook_name, register_kwargs):
                if problem is None and result is not None:  # e.g. returning the loader instead of registering it
                    self._problem(info, "PLUGIN_BAD_REGISTRATION",
                                  f"钩子 {hook_name} 返回了 {_type_name(result)}，但注册须调用 register(…)；返回值已忽略",
                                  f"hook {hook_name} returned a {_type_name(result)}, but registering is done by "
                                  "calling register(…); the value is ignored", hook=hook_name)
        self._check_rule_ids()
        for info, result, problem in self.call_each("gipcheck_config_defaults"):
            if problem or result is None:
                continue
            if not isinstance(result, dict):
                self._problem(info, "PLUGIN_BAD_REGISTRATION", "gipcheck_config_defaults 应返回映射",
                              "gipcheck_config_defaults must return a mapping", hook="gipcheck_config_defaults")
                continue
            for key, value in result.items():
                if key in self.config_defaults:
                    owner = self._config_sources[key]
                    self._problem(info, "PLUGIN_DUPLICATE", f"配置项 {key} 的默认值已由插件 {owner} 提供",
                                  f"config key {key} already defaulted by plugin {owner}", what="config", key=key)
                    continue
                self.config_defaults[key] = value
                self._config_sources[key] = info.name
                info.registered["config_defaults"].append(str(key))

    def _refuse(self, info: PluginInfo, what_zh: str, what_en: str, name: str, owner: str, what: str) -> None:
        self._problem(info, "PLUGIN_DUPLICATE", f"{what_zh} {name} 已由插件 {owner} 注册，本次注册被忽略",
                      f"{what_en} {name!r} is already registered by plugin {owner}; ignored", what=what, name=name)

    def _bad(self, info: PluginInfo, hook: str, zh: str, en: str) -> None:
        self._problem(info, "PLUGIN_BAD_REGISTRATION", zh, en, hook=hook)

    def _loader_callback(self, info: PluginInfo) -> Callable[..., None]:
        def register(name: Any, sniff: Any = None, load: Any = None, *, media_types: Iterable[str] = (),
                     extensions: Iterable[str] = (), priority: int = 0, doc: str = "") -> None:
            if not isinstance(name, str):  # register(module_or_object)
                obj = name
                name = getattr(obj, "NAME", None)
                sniff, load = getattr(obj, "sniff", None), getattr(obj, "load", None)
                media_types = getattr(obj, "MEDIA_TYPES", ())
                extensions = getattr(obj, "EXTENSIONS", ())
                priority = getattr(obj, "PRIORITY", 0)
                doc = doc or _first_line(getattr(obj, "__doc__", None))
            if not isinstance(name, str) or not name or not callable(sniff) or not callable(load):
                self._bad(info, "gipcheck_register_loaders", f"读取器注册无效（名称 {name!r}，需要 sniff 与 load 函数）",
                          f"invalid loader registration (name {name!r}; sniff and load must be callables)")
                return
            if name in self.loaders:
                self._refuse(info, "读取器", "loader", name, self.loaders[name].plugin, "loader")
                return
            if isinstance(media_types, str):  # ".gipfix", not (".gipfix",): one value, not its characters
                media_types = (media_types,)
            if isinstance(extensions, str):
                extensions = (extensions,)
            try:
                media, exts, prio = tuple(media_types), tuple(str(e).lower() for e in extensions), int(priority)
            except (TypeError, ValueError):
                self._bad(info, "gipcheck_register_loaders", f"读取器 {name} 的 media_types/extensions/priority 无效",
                          f"loader {name}: invalid media_types/extensions/priority")
                return
            if not info.builtin:  # a plugin's loader fails on its own, by name, never for the whole run
                sniff, load = self._guarded_sniff(info, name, sniff), self._guarded_load(info, name, load)
            self.loaders[name] = LoaderRegistration(name, sniff, load, media, exts, prio, _first_line(doc), info.name)
            info.registered["loaders"].append(name)
            self.trace(f"  {info.name} registered loader {name}")

        return register

    def _pack_callback(self, info: PluginInfo) -> Callable[..., None]:
        def register(path: Any, *, region: str | None = None) -> None:
            try:
                directory = Path(path)
            except TypeError:
                directory = None
            if directory is None or not (directory / "pack.yaml").is_file():
                self._bad(info, "gipcheck_register_rule_packs", f"规则包目录不存在或缺少 pack.yaml：{path}",
                          f"rule pack directory missing or without pack.yaml: {path}")
                return
            name = _pack_name(directory)
            for other in self.rule_packs:
                if other.path.resolve() == directory.resolve() or other.name == name:
                    self._refuse(info, "规则包", "rule pack", name, other.plugin, "rule_pack")
                    return
            self.rule_packs.append(RulePackRegistration(directory, name, region, info.name))
            info.registered["rule_packs"].append(name)
            self.trace(f"  {info.name} registered rule pack {name} ({directory})")

        return register

    def _function_callback(self, info: PluginInfo) -> Callable[..., None]:
        def register(name: str, func: Callable[..., Any], *, min_args: int, max_args: int | None = None,
                     cost: int = 1, doc: str = "") -> None:
            hook = "gipcheck_register_functions"
            if not isinstance(name, str) or not _IDENTIFIER.match(name) or name in _LANG_KEYWORDS \
                    or name.startswith("__") or keyword.iskeyword(name):
                self._bad(info, hook, f"规则函数名无效：{name!r}", f"invalid rule function name: {name!r}")
                return
            if not callable(func):
                self._bad(info, hook, f"规则函数 {name} 不可调用", f"rule function {name} is not callable")
                return
            ints_ok = isinstance(min_args, int) and min_args >= 0 and isinstance(cost, int) and cost >= 1 \
                and (max_args is None or (isinstance(max_args, int) and max_args >= min_args))
            if not ints_ok:
                self._bad(info, hook, f"规则函数 {name} 的参数个数或开销无效",
                          f"rule function {name}: invalid min_args/max_args/cost")
                return
            owner = "gipcheck.lang" if name in _core_function_names() else (
                self.functions[name].plugin if name in self.functions else None)
            if owner:
                self._refuse(info, "规则函数", "rule function", name, owner, "function")
                return
            if not info.builtin:
                func = _guarded_function(func)
            self.functions[name] = FunctionRegistration(name, func, min_args, max_args, cost, _first_line(doc), info.name)
            info.registered["functions"].append(name)
            self.trace(f"  {info.name} registered function {name}")

        return register

    def _reporter_callback(self, info: PluginInfo) -> Callable[..., None]:
        def register(name: str, render: Callable[..., str], *, media_type: str = "text/plain",
                     extension: str | None = None, doc: str = "") -> None:
            if not isinstance(name, str) or not name or not callable(render):
                self._bad(info, "gipcheck_register_reporters", f"输出格式注册无效：{name!r}",
                          f"invalid reporter registration: {name!r}")
                return
            if name in self.reporters:
                self._refuse(info, "输出格式", "reporter", name, self.reporters[name].plugin, "reporter")
                return
            if not info.builtin:  # a plugin's output format that fails is named, never an internal error
                render = self._guarded_render(info, name, render)
            self.reporters[name] = ReporterRegistration(name, render, media_type, extension, _first_line(doc), info.name)
            info.registered["reporters"].append(name)
            self.trace(f"  {info.name} registered reporter {name}")

        return register

    def extra_fact_files(self) -> tuple[str, ...]:
        """The registered phrasing files besides the bundled one (which the fact reader always
        reads first), in registration order: what the loaders get as ``options["fact_files"]``."""
        from gipcheck.load.facts import default_fact_file

        bundled = default_fact_file().resolve()
        return tuple(str(f.path) for f in self.fact_patterns if f.path.resolve() != bundled)

    def _facts_callback(self, info: PluginInfo) -> Callable[..., None]:
        def register(path: Any) -> None:
            p = Path(path)
            if not p.is_file():
                self._bad(info, "gipcheck_register_fact_patterns", f"措辞文件不存在：{path}",
                          f"phrasing file does not exist: {path}")
                return
            if any(f.path.resolve() == p.resolve() for f in self.fact_patterns):
                return  # the same file twice adds nothing
            self.fact_patterns.append(FactPatternRegistration(p, info.name))
            info.registered["fact_patterns"].append(str(p))
            self.trace(f"  {info.name} registered phrasing file {p}")

        return register

    # ------------------------------------------------------------ guarding what plugins registered

    def _guarded_sniff(self, info: PluginInfo, name: str, sniff: Callable[..., Any]) -> Callable[[bytes, str], float]:
        """``sniff`` that answers 0 (not mine) instead of raising or giving a non-number; the problem
        is kept for the report being read (see :meth:`enrich`), once per file."""

        def guarded(head: bytes, path: str) -> float:
            try:
                score = sniff(head, path)
            except BaseException as e:  # noqa: BLE001 - SystemExit included: only this loader is skipped
                if _ends_run(e):
                    raise
                self._loader_problem(info, path, f"读取器 {name} 识别文件时出错（{_short(e)}），已跳过该读取器",
                                     f"loader {name} raised while sniffing ({_short(e)}); the loader was skipped",
                                     at=_raised_at(e))
                return 0.0
            if isinstance(score, bool) or not isinstance(score, (int, float)) or score != score:
                shown = f"{_type_name(score)} {_safe_str(score)}"
                self._loader_problem(info, path, f"读取器 {name} 的识别结果应为 0 到 1 之间的数，实为 {shown}，"
                                     "已跳过该读取器", f"loader {name}: sniff must return a number from 0 to 1, "
                                     f"not {shown}; the loader was skipped")
                return 0.0
            return min(max(float(score), 0.0), 1.0)  # 5.0 must not outrank every honest loader

        return guarded

    def _guarded_load(self, info: PluginInfo, name: str, load: Callable[..., Any]) -> Callable[..., Any]:
        """``load`` whose failure (any exception, or a result that is not a LoadedReport with a
        document) is a LoadError naming the plugin — exit 3 for that file, the others go on."""
        from gipcheck.errors import LoadError
        from gipcheck.load.base import LoadedReport

        def fail(zh: str, en: str, **detail: Any) -> LoadError:
            problem = self._problem(info, "PLUGIN_LOADER", zh, en, record=False, loader=name, **detail)
            self.raise_if_strict([problem])
            return LoadError("PLUGIN_LOADER", problem.message, str(problem.detail["en"]))

        def guarded(data: bytes, path: str, options: dict[str, Any]) -> Any:
            try:
                report = load(data, path, options)
            except LoadError:
                raise
            except BaseException as e:  # noqa: BLE001 - SystemExit(0) from a loader must not end the run as a success
                if _ends_run(e):
                    raise
                raise fail(f"读取器 {name} 出错（{_short(e)}）", f"loader {name} raised {_short(e)}",
                           at=_raised_at(e)) from None
            if not isinstance(report, LoadedReport) or not isinstance(report.document, dict):
                got = _type_name(report if not isinstance(report, LoadedReport) else report.document)
                raise fail(f"读取器 {name} 应返回 LoadedReport（含 document 映射），实为 {got}",
                           f"loader {name} must return a LoadedReport with a document mapping, not {got}")
            return report

        return guarded

    def _guarded_render(self, info: PluginInfo, name: str, render: Callable[..., Any]) -> Callable[..., str]:
        """``render`` whose failure or non-text result ends the run with exit 2 and the plugin's
        name: there is no output in the format that was asked for."""

        def fail(zh: str, en: str, **detail: Any) -> PluginError:
            problem = self._problem(info, "PLUGIN_REPORTER", zh, en, record=False, reporter=name, **detail)
            return PluginError("PLUGIN_REPORTER", problem.message, str(problem.detail["en"]))

        def guard(func: Callable[..., Any]) -> Callable[..., str]:
            def guarded(run: Any, options: dict[str, Any]) -> str:
                try:
                    out = func(run, options)
                except BaseException as e:  # noqa: BLE001 - SystemExit from a reporter must not pass for a clean exit
                    if _ends_run(e):
                        raise
                    raise fail(f"输出格式 {name} 出错（{_short(e)}）", f"output format {name} raised {_short(e)}",
                               at=_raised_at(e)) from None
                if not isinstance(out, str):
                    raise fail(f"输出格式 {name} 应返回文本（str），实为 {_type_name(out)}",
                               f"output format {name} must return text (str), not {_type_name(out)}")
                return out

            return guarded

        whole = guard(render)
        piece = getattr(render, "render_report", None)  # one report at a time, in batch workers (gipcheck.batch)
        if callable(piece):
            whole.render_report = guard(piece)  # type: ignore[attr-defined]
        return whole

    def _loader_problem(self, info: PluginInfo, path: str, zh: str, en: str, **detail: Any) -> None:
        """A loader problem met while reading ``path``: given to that report by :meth:`enrich`."""
        problem = self._problem(info, "PLUGIN_LOADER", zh, en, record=False, **detail)
        pending = self._pending.setdefault(str(path), [])
        if problem.message not in [p.message for p in pending]:
            pending.append(problem)
        if len(self._pending) > 64:  # files that failed to load never collect theirs
            del self._pending[next(iter(self._pending))]

    @contextmanager
    def functions_in_scope(self) -> Iterator[None]:
        """Make the plugins' rule-language functions visible to packs compiled inside the block
        (``--rules`` packs, ``rules test DIR``), as they are to the plugins' own packs."""
        from gipcheck.engine.functions import engine_functions

        table = engine_functions()
        specs = self.function_specs()
        added = [n for n in specs if n not in table]
        table.update({n: specs[n] for n in added})
        try:
            yield
        finally:
            for n in added:
                table.pop(n, None)

    def _check_rule_ids(self) -> None:
        """A pack defining a rule id that an earlier pack already has is refused whole (its rules
        may depend on each other); the problem names both plugins."""
        owners: dict[str, RulePackRegistration] = {}
        kept: list[RulePackRegistration] = []
        for reg in self.rule_packs:
            ids = _scan_rule_ids(reg.path)
            clash = next((i for i in ids if i in owners), None)
            if clash is not None:
                other = owners[clash]
                info = self.infos[reg.plugin]
                self._problem(info, "PLUGIN_DUPLICATE_RULE",
                              f"规则包 {reg.name} 的规则编号 {clash} 与插件 {other.plugin} 的规则包 {other.name} 重复，"
                              "该规则包未加载",
                              f"rule pack {reg.name}: rule id {clash} is already defined by pack {other.name} "
                              f"of plugin {other.plugin}; pack not loaded",
                              what="rule", name=clash, pack=reg.name)
                info.registered["rule_packs"] = [n for n in info.registered["rule_packs"] if n != reg.name]
                continue
            full = RulePackRegistration(reg.path, reg.name, reg.region, reg.plugin, tuple(ids))
            for i in ids:
                owners.setdefault(i, full)
            kept.append(full)
        self.rule_packs = kept

    # ------------------------------------------------------------ using what was registered

    def plugin_names(self) -> list[str]:
        return [i.name for i in self.infos.values() if i.plugin is not None]

    def has_distribution(self, name: str) -> bool:
        """Whether a loaded plugin came from distribution ``name`` (or is named ``name``)."""
        want = _norm_dist(name)
        return any(i.plugin is not None and (_norm_dist(i.distribution or "") == want or _norm_dist(i.name) == want)
                   for i in self.infos.values())

    def broken_distribution(self, name: str) -> PluginInfo | None:
        """The plugin of distribution ``name`` that is installed but could not be loaded, if any."""
        want = _norm_dist(name)
        return next((i for i in self.infos.values() if i.plugin is None
                     and (_norm_dist(i.distribution or "") == want or _norm_dist(i.name) == want)), None)

    def rule_pack_dirs(self, region: str | None = None) -> list[Path]:
        """Pack directories to evaluate: every pack meant for all reports, plus — when ``region``
        (``--region``) is given — only the region packs matching it; without ``region`` every
        region pack is included and its rules' own ``applies.region`` decide per report."""
        return [r.path for r in self.rule_packs if region is None or r.region is None or _region_matches(r, region)]

    def load_rule_packs(self, region: str | None = None) -> list[Any]:
        """Load (with :func:`gipcheck.engine.packs.load_pack`) the packs of :meth:`rule_pack_dirs`.
        A broken built-in pack raises its :class:`~gipcheck.errors.RuleError`; a broken plugin
        pack becomes a problem of its plugin and is left out."""
        from gipcheck.engine.packs import load_pack
        from gipcheck.errors import RuleError

        wanted = set(self.rule_pack_dirs(region))
        packs: list[Any] = []
        for reg in self.rule_packs:
            if reg.path not in wanted:
                continue
            try:
                packs.append(_call_load_pack(load_pack, reg.path, self.function_specs()))
            except RuleError as e:
                info = self.infos[reg.plugin]
                if info.builtin:
                    raise
                where = ":".join(str(x) for x in (e.file, e.line, e.col) if x is not None)
                self._problem(info, "PLUGIN_RULE_PACK", f"规则包 {reg.name} 无法加载：{where} {e.zh}",
                              f"rule pack {reg.name} could not be loaded: {where} {e.en}", pack=reg.name)
        self.raise_if_strict()
        return packs

    @staticmethod
    def extra_packs(registered: list[Any], extra: list[Any]) -> list[Any]:
        """The ``--rules`` packs to add to the registered ones: a registered pack named again is
        one pack, not a clash with itself; a pack defining a rule id that a built-in or plugin
        pack already has is a :class:`~gipcheck.errors.RuleError` naming both files — as between
        two ``--rules`` packs — never two rules under one id (shown, suppressed, explained wrongly)."""
        from gipcheck.engine.packs import _same_dir_key, duplicate_id_error

        seen = {_same_dir_key(Path(p.directory)) for p in registered}
        extra = [p for p in extra if _same_dir_key(Path(p.directory)) not in seen]
        owners = {r.id: r for p in registered for r in p.rules}
        for pack in extra:
            for rule in pack.rules:
                other = owners.get(rule.id)
                if other is None:
                    continue
                raise duplicate_id_error(rule, other, "换一个编号：内置或插件规则包已有此编号",
                                         "rename it: a built-in or plugin pack already has this id")
        return extra

    def function_specs(self) -> dict[str, Any]:
        """Plugin functions as :class:`gipcheck.lang.FunctionSpec` for ``compile_expression``."""
        from gipcheck.lang import FunctionSpec

        return {n: FunctionSpec(r.func, r.min_args, r.max_args, r.cost, r.doc) for n, r in self.functions.items()}

    def install_loaders(self) -> list[str]:
        """Put every registered loader into :mod:`gipcheck.load.registry` (which
        :func:`gipcheck.load.load_path` uses); returns the names installed."""
        from gipcheck.load import registry

        names = []
        for reg in self.loaders.values():
            registry.register_loader(reg.name, reg.sniff, reg.load, media_types=reg.media_types,
                                     extensions=reg.extensions, priority=reg.priority, plugin=reg.plugin)
            names.append(reg.name)
        self._installed_loaders = names
        return names

    def uninstall_loaders(self) -> None:
        """Take the plugin (non-built-in) loaders installed by :meth:`install_loaders` out again."""
        from gipcheck.load import registry

        for name in self._installed_loaders:
            reg = self.loaders.get(name)
            if reg is not None and not self.infos[reg.plugin].builtin:
                registry.unregister_loader(name)
        self._installed_loaders = []

    def config_default_owner(self, key: str) -> str | None:
        """The plugin whose ``gipcheck_config_defaults`` gave ``key`` (``config show`` names it)."""
        return self._config_sources.get(key)

    def configure(self, config: dict[str, Any] | None = None) -> dict[str, Any]:
        """Merge the plugins' defaults below ``config``, call ``gipcheck_configure`` with the
        result and return it."""
        merged = {**self.config_defaults, **(config or {})}
        problems = [p for _i, _r, p in self.call_each("gipcheck_configure", config=merged) if p]
        self.raise_if_strict(problems)
        return merged

    def enrich(self, loaded: LoadedReport, config: dict[str, Any] | None = None) -> list[Problem]:
        """Call ``gipcheck_enrich_document`` on every plugin; returns the problems of this report
        (for its :attr:`ReportResult.problems`, not kept in :attr:`problems`), raising under ``strict``."""
        meta = loaded.document.get("meta") if isinstance(loaded.document, dict) else None
        src = meta.get("source") if isinstance(meta, dict) else None
        path = src.get("path") if isinstance(src, dict) else None
        problems = self._pending.pop(str(path), []) if path is not None else []  # from sniffing this file
        kept: dict[str, Any] = {"doc": loaded.document, "by": None}

        def keep_document(info: PluginInfo | None) -> dict[str, Any]:
            """Before each plugin (and after the last): a document replaced by a non-mapping is
            put back, and the plugin that did it is named — the rules must not run on a list."""
            if isinstance(loaded.document, dict):
                kept["doc"] = loaded.document
            elif kept["by"] is not None:
                got = _type_name(loaded.document)
                loaded.document = kept["doc"]
                problems.append(self._problem(
                    kept["by"], "PLUGIN_BAD_DOCUMENT",
                    f"钩子 gipcheck_enrich_document 把文档换成了 {got}，已还原", f"hook gipcheck_enrich_document "
                    f"replaced the document with a {got}; it was put back", record=False,
                    hook="gipcheck_enrich_document"))
            kept["by"] = info
            return {}

        problems += [p for _i, _r, p in self.call_each("gipcheck_enrich_document", keep_document, record=False,
                                                       loaded=loaded, config=config or {}) if p]
        keep_document(None)
        self.raise_if_strict(problems)
        return problems

    def detect_layout(self, text: str, document: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every plugin's layout hint for ``text``, most confident first; each names the plugin
        that gave it under ``by`` and whether the plugin that reads it is ``installed``."""
        hints: list[dict[str, Any]] = []
        for info, result, problem in self.call_each("gipcheck_detect_layout", record=False, text=text,
                                                    document=document):
            if problem or result is None:
                continue
            if not isinstance(result, dict) or not isinstance(result.get("name"), str) \
                    or not isinstance(result.get("plugin"), str):
                self._problem(info, "PLUGIN_BAD_REGISTRATION", "版式识别结果应为含 name 与 plugin 的映射",
                              "a layout hint must be a mapping with name and plugin", record=False,
                              hook="gipcheck_detect_layout")
                continue
            try:
                confidence = float(result.get("confidence", 1.0))
            except (TypeError, ValueError):
                confidence = 0.0
            hints.append({**result, "confidence": confidence, "by": info.name,
                          "installed": self.has_distribution(result["plugin"])})
        hints.sort(key=lambda h: -h["confidence"])
        return hints

    def missing_layout_plugin(self, text: str, document: dict[str, Any] | None = None,
                              min_confidence: float = LAYOUT_MIN_CONFIDENCE) -> dict[str, Any] | None:
        """The most confident layout hint whose plugin is not installed, if it reaches
        ``min_confidence`` and no installed plugin claims the layout; else ``None``."""
        hints = [h for h in self.detect_layout(text, document) if h["confidence"] >= min_confidence]
        if not hints or any(h["installed"] for h in hints):
            return None
        return hints[0]

    def check_layout(self, text: str, document: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]] | None:
        """What a report read by the core needs from the layout hints (called by
        :func:`gipcheck.load.load_bytes` for every report a :class:`~gipcheck.api.Checker` reads):
        ``("error", hint)`` when a plugin that is not installed reads this layout
        (:meth:`missing_layout_plugin`: the core's reading would be wrong numbers, so it is refused
        with :func:`needs_plugin_error`); ``("note", hint)`` for a weaker hint of such a plugin
        (``LAYOUT_NOTE_CONFIDENCE`` and up), kept as an info note beside the reading; else ``None``."""
        hints = self.detect_layout(text, document)
        if not hints:
            return None
        strong = [h for h in hints if h["confidence"] >= LAYOUT_MIN_CONFIDENCE]
        if strong:
            if not any(h["installed"] for h in strong):
                broken = self.broken_distribution(strong[0]["plugin"])
                return "error", {**strong[0], "broken": broken.label("zh") if broken else None}
            return None  # an installed plugin claims the layout: its loader has read it
        weak = [h for h in hints if h["confidence"] >= LAYOUT_NOTE_CONFIDENCE]
        if weak and not any(h["installed"] for h in weak):
            return "note", weak[0]
        return None


# ---------------------------------------------------------------- helpers


def layout_note(hint: dict[str, Any]) -> Any:
    """The info :class:`~gipcheck.load.base.Note` (``LAYOUT_PLUGIN_AVAILABLE``) of a weak layout hint:
    the reading stands (nothing says it is wrong), and the user learns which plugin knows such reports."""
    from gipcheck.load.base import Note

    zh_why, en_why = hint.get("zh") or hint["name"], hint.get("en") or hint["name"]
    return Note("LAYOUT_PLUGIN_AVAILABLE",
                f"可能是{zh_why}；插件 {hint['plugin']} 专门读取此类年报（pip install {hint['plugin']}）",
                f"this may be a {en_why}; the plugin {hint['plugin']} reads such reports "
                f"(pip install {hint['plugin']})", level="info")


def needs_plugin_error(hint: dict[str, Any]) -> GipcheckError:
    """The :class:`~gipcheck.errors.LoadError` (``NEEDS_PLUGIN``, exit 3) for a layout hint."""
    from gipcheck.errors import LoadError

    zh_why, en_why = hint.get("zh") or hint["name"], hint.get("en") or hint["name"]
    if hint.get("broken"):  # installed, but it failed to load: reinstalling alone would not help
        return LoadError("NEEDS_PLUGIN",
                         f"这是{zh_why}，需要插件 {hint['plugin']} 才能正确读取；该插件已安装但无法加载"
                         "（见 gipcheck plugins 列出的问题）",
                         f"this is a {en_why}; the plugin {hint['plugin']} reads it, but it is installed and "
                         "failed to load (see the problems gipcheck plugins lists)")
    return LoadError("NEEDS_PLUGIN",
                     f"这是{zh_why}，需要安装插件 {hint['plugin']}（pip install {hint['plugin']}）后才能正确读取",
                     f"this is a {en_why}; install the plugin {hint['plugin']} (pip install {hint['plugin']}) to read it")


_PACKAGE_DISTS: dict[str, list[str]] | None = None


def _distribution_of(module: str | None) -> tuple[str | None, str | None]:
    """The installed distribution (and version) a plugin module given explicitly comes from, so
    that a layout hint naming that distribution knows it is installed; ``(None, None)`` if none."""
    global _PACKAGE_DISTS
    if not module:
        return None, None
    try:
        import importlib.metadata as md  # explicit plugins only: not on the entry-point path

        if _PACKAGE_DISTS is None:
            _PACKAGE_DISTS = dict(md.packages_distributions())
        names = _PACKAGE_DISTS.get(module.split(".", 1)[0]) or []
        if not names or names[0].lower() == "gipcheck":
            return None, None
        return names[0], md.version(names[0])
    except Exception:  # noqa: BLE001 - broken metadata: the plugin is still registered
        return None, None


def _installed_entry_points() -> list[Any]:
    try:
        found = _scan_entry_points(ENTRY_POINT_GROUP)
        if found is not None:
            return found
        import importlib.metadata as md

        return list(md.entry_points(group=ENTRY_POINT_GROUP))
    except Exception:  # noqa: BLE001 - broken metadata on sys.path must not stop the run
        return []


# importlib.metadata's entry-point syntax: module[:attr.attr] [extras]
_EP_VALUE = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")


class _Dist:
    """The two fields of an installed distribution the plugin records show, read from its header."""

    __slots__ = ("metadata", "version")

    def __init__(self, info_dir: str, header_file: str) -> None:
        self.metadata: dict[str, str] = {}
        try:
            with open(os.path.join(info_dir, header_file), encoding="utf-8", errors="replace") as f:
                for line in f:
                    if not line.strip():
                        break  # the header ends at the first blank line; the description follows
                    key, sep, value = line.partition(":")
                    if sep and key in ("Name", "Version") and key not in self.metadata:
                        self.metadata[key] = value.strip()
        except OSError:
            pass
        self.version = self.metadata.get("Version")


class _EntryPoint:
    """An entry point found by :func:`_scan_entry_points`; loads like importlib.metadata's."""

    __slots__ = ("name", "value", "group", "dist")

    def __init__(self, name: str, value: str, group: str, dist: _Dist) -> None:
        self.name, self.value, self.group, self.dist = name, value, group, dist

    def load(self) -> Any:
        m = _EP_VALUE.match(self.value)
        if m is None:
            raise ValueError(f"invalid entry point {self.value!r}")
        obj = importlib.import_module(m.group("module"))
        for attr in filter(None, (m.group("attr") or "").split(".")):
            obj = getattr(obj, attr)
        return obj


def _scan_entry_points(group: str) -> list[Any] | None:
    """The installed entry points of ``group``, found as importlib.metadata finds them — the
    ``*.dist-info`` then ``*.egg-info`` directories of each ``sys.path`` entry, the first
    distribution of a name winning — without importing it (its import alone costs about a tenth
    of a one-report run). ``None`` where only importlib.metadata can look: a zip archive on
    ``sys.path`` or a finder that provides distributions of its own."""
    from importlib.machinery import PathFinder

    for finder in sys.meta_path:
        if finder is not PathFinder and getattr(finder, "find_distributions", None) is not None:
            return None
    seen: set[str] = set()
    out: list[Any] = []
    for entry in sys.path:
        where = entry or "."
        try:
            names = os.listdir(where)
        except NotADirectoryError:
            return None  # a zip archive
        except OSError:
            continue  # missing or unreadable: importlib.metadata finds nothing there either
        infos = [(n, "METADATA") for n in names if n.lower().endswith(".dist-info")]
        infos += [(n, "PKG-INFO") for n in names if n.lower().endswith(".egg-info")]
        for n, header in infos:
            key = re.sub(r"[-_.]+", "_", n[: n.rfind(".")].partition("-")[0]).lower()
            if key in seen:
                continue
            seen.add(key)
            info_dir = os.path.join(where, n)
            try:
                with open(os.path.join(info_dir, "entry_points.txt"), encoding="utf-8") as f:
                    text = f.read()
            except OSError:  # no entry points (or an egg-info file)
                continue
            if f"[{group}]" not in text:
                continue
            dist: _Dist | None = None
            section = None
            for line in text.splitlines():
                line = line.strip()
                if not line or line[0] in "#;":
                    continue
                if line[0] == "[" and line[-1] == "]":
                    section = line[1:-1].strip()
                    continue
                name, sep, value = line.partition("=")
                if section == group and sep:
                    dist = dist or _Dist(info_dir, header)
                    out.append(_EntryPoint(name.strip(), value.strip(), group, dist))
    return out


def _dist_name(dist: Any) -> str | None:
    if dist is None:
        return None
    try:
        return dist.metadata["Name"] or getattr(dist, "name", None)
    except Exception:  # noqa: BLE001
        return getattr(dist, "name", None)


def _gipcheck_version() -> str:
    from gipcheck import __version__

    return __version__


def _pack_name(directory: Path) -> str:
    from gipcheck.resources import cached_yaml

    try:  # the start-up cache's copy when the file is unchanged: no PyYAML on a warm start
        data = cached_yaml((directory / "pack.yaml").read_text(encoding="utf-8-sig"), "pack-yaml")
    except Exception:  # noqa: BLE001 - the engine reports a broken pack.yaml with its position
        data = None
    name = data.get("name") if isinstance(data, dict) else None
    return str(name) if name else directory.name


_ID_CACHE: dict[tuple[str, int, int], list[str]] = {}


def _disk_id_cache() -> tuple[Path | None, dict[str, Any]]:
    """The rule-id scan results kept between runs (beside the rule language's parse-tree cache),
    keyed by file path, modification time and size; unreadable or foreign content is ignored."""
    try:
        from gipcheck.lang.astcache import cache_dir

        d = cache_dir()
    except Exception:  # noqa: BLE001 - no cache is a slower start, never a failure
        return None, {}
    if d is None:
        return None, {}
    path = d / "rule-ids.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return path, data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return path, {}


def _scan_rule_ids(directory: Path) -> list[str]:
    """The rule ids of a pack, read plainly (the engine validates properly later); cached per
    file while it is unchanged, in memory and on disk (saves parsing every rule file at start-up)."""
    ids: list[str] = []
    disk_path, disk = _disk_id_cache()
    dirty = False
    from gipcheck.engine.packs import rule_files  # the engine's own listing: the same files it will load

    for path in rule_files(directory):
        st = path.stat()
        key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
        if key not in _ID_CACHE:
            stored = disk.get(key[0])
            if (isinstance(stored, list) and len(stored) == 3 and stored[:2] == [key[1], key[2]]
                    and isinstance(stored[2], list) and all(isinstance(i, str) for i in stored[2])):
                _ID_CACHE[key] = list(stored[2])
            else:
                import yaml

                try:
                    data = yaml.load(path.read_text(encoding="utf-8"),  # noqa: S506 - a safe loader
                                     Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
                except Exception:  # noqa: BLE001 - a broken file is the engine's to report, with its position
                    data = None
                items = data if isinstance(data, list) else [data]
                _ID_CACHE[key] = [str(r["id"]) for r in items if isinstance(r, dict) and r.get("id")]
                disk[key[0]] = [key[1], key[2], _ID_CACHE[key]]
                dirty = True
        ids.extend(_ID_CACHE[key])
    if dirty and disk_path is not None:
        try:
            disk_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = disk_path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(disk, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, disk_path)
        except OSError:
            pass
    return ids


def _core_function_names() -> frozenset[str]:
    names: set[str] = set()
    try:
        from gipcheck.lang import BUILTINS

        names.update(BUILTINS)
    except Exception:  # noqa: BLE001 - the language may be absent in a partial install
        pass
    try:
        from gipcheck.engine.functions import engine_functions

        names.update(engine_functions())
    except Exception:  # noqa: BLE001
        pass
    return frozenset(names)


def _call_load_pack(load_pack: Callable[..., Any], path: Path, functions: dict[str, Any]) -> Any:
    import inspect

    if "functions" in inspect.signature(load_pack).parameters:
        return load_pack(path, functions=functions)
    # Until load_pack takes ``functions=``: make the plugin functions visible through the engine's
    # own (cached, mutable) function table for the duration of this one compile only.
    from gipcheck.engine.functions import engine_functions

    table = engine_functions()
    added = [n for n in functions if n not in table]
    table.update({n: functions[n] for n in added})
    try:
        return load_pack(path)
    finally:
        for n in added:
            table.pop(n, None)


def _region_matches(reg: RulePackRegistration, region: str) -> bool:
    want = region.strip().lower()
    names = {reg.name.lower(), reg.plugin.lower()}
    if reg.region:
        names |= {reg.region.lower(), reg.region.rstrip("省市").lower()}
    return want in names or want.rstrip("省市") in names


def describe_plugins(manager: PluginManager) -> list[dict[str, Any]]:
    """The data of ``gipcheck plugins [--format json]``: one entry per plugin, built-ins first,
    with its name, version, hooks implemented, everything it registered and its problems."""
    if not manager.loaded:
        manager.load()
    from gipcheck.plugins import builtin_loaders, builtin_reporters

    unavailable = {**builtin_loaders.SKIPPED, **builtin_reporters.SKIPPED}
    out: list[dict[str, Any]] = []
    for info in sorted(manager.infos.values(), key=lambda i: (not i.builtin, i.index)):
        hooks = sorted({impl.name for impl in (manager.pm.get_hookcallers(info.plugin) or [])}) \
            if info.plugin is not None and manager.pm.is_registered(info.plugin) else []
        registered: dict[str, Any] = {
            "loaders": [{"name": n, "media_types": list(manager.loaders[n].media_types),
                         "extensions": list(manager.loaders[n].extensions), "priority": manager.loaders[n].priority}
                        for n in info.registered["loaders"] if n in manager.loaders],
            "rule_packs": [{"name": r.name, "path": str(r.path), "region": r.region, "rules": len(r.rule_ids)}
                           for r in manager.rule_packs if r.plugin == info.name],
            "functions": [{"name": n, "min_args": f.min_args, "max_args": f.max_args, "cost": f.cost, "doc": f.doc}
                          for n in info.registered["functions"] if (f := manager.functions.get(n))],
            "reporters": [{"name": n, "media_type": manager.reporters[n].media_type}
                          for n in info.registered["reporters"] if n in manager.reporters],
            "fact_patterns": list(info.registered["fact_patterns"]),
            "config_defaults": list(info.registered["config_defaults"]),
        }
        entry: dict[str, Any] = {
            "name": info.name, "kind": info.kind, "distribution": info.distribution, "version": info.version,
            "module": info.module, "loaded": info.plugin is not None, "hooks": hooks, "registered": registered,
            "problems": [p.to_json() for p in info.problems],
        }
        if info.builtin and info.module:
            mod_unavailable = {k: v for k, v in unavailable.items()
                               if info.module.endswith(("builtin_loaders", "builtin_reporters"))
                               and k.startswith("gipcheck.load." if "loaders" in info.module else "gipcheck.report.")}
            if mod_unavailable:
                entry["unavailable"] = mod_unavailable
        out.append(entry)
    return out


def format_plugins_text(rows: list[dict[str, Any]], lang: str = "zh") -> str:
    """A plain-text rendering of :func:`describe_plugins` for the terminal."""
    zh = lang == "zh"
    lines: list[str] = []
    for row in rows:
        dist = " ".join(x for x in (row.get("distribution"), row.get("version")) if x)
        status = "" if row["loaded"] else ("  [未加载]" if zh else "  [not loaded]")
        lines.append(f"{row['name']}" + (f"  ({dist})" if dist else "") + status)
        if row["hooks"]:
            lines.append(("  钩子: " if zh else "  hooks: ") + ", ".join(row["hooks"]))
        reg = row["registered"]
        labels = {"loaders": ("读取器", "loaders"), "rule_packs": ("规则包", "rule packs"),
                  "functions": ("规则函数", "functions"), "reporters": ("输出格式", "reporters"),
                  "fact_patterns": ("措辞文件", "phrasing files"), "config_defaults": ("配置默认值", "config defaults")}
        for key, (lz, le) in labels.items():
            items = reg.get(key) or []
            if not items:
                continue
            names = [i["name"] if isinstance(i, dict) else str(i) for i in items]
            if key == "rule_packs":
                names = [f"{i['name']} ({i['rules']})" for i in items]
            lines.append(f"  {lz if zh else le}: " + ", ".join(names))
        for name, why in (row.get("unavailable") or {}).items():
            lines.append(("  不可用: " if zh else "  unavailable: ") + f"{name} — {why}")
        for p in row["problems"]:
            msg = p["message"] if zh else p.get("detail", {}).get("en", p["message"])
            lines.append(("  问题: " if zh else "  problem: ") + msg)
    return "\n".join(lines)
