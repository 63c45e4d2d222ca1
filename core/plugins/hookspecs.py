"""The hooks gipcheck calls — the one door for built-ins and province plugins alike.

Every feature that can be added to gipcheck goes through one of these hooks: the built-in loaders,
the national rule pack and the reporters are registered through them exactly as a province
plugin's are (see :mod:`gipcheck.plugins.builtins`). A plugin is any module or object with
functions named like the hooks below, decorated with :data:`gipcheck.plugins.hookimpl`, and
published under the entry-point group ``gipcheck``::

    [project.entry-points.gipcheck]
    shanghai = "gipcheck_shanghai.plugin"

Registration hooks take a ``register`` callback rather than returning values, so that the core
records *which* plugin gave each loader, rule pack, function and reporter, and can say so in
findings and in ``gipcheck plugins``. A plugin may call ``register`` any number of times.

Hooks are called through :class:`gipcheck.plugins.manager.PluginManager`, which calls each
plugin's implementation on its own: an exception in one plugin's hook is reported as a problem
naming that plugin, and the other plugins still run. A hook implementation only has to accept
the arguments it uses (pluggy passes arguments by name).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from gipcheck.load.base import LoadedReport

PROJECT_NAME = "gipcheck"

# Private on purpose: plugins only ever need ``gipcheck.plugins.hookimpl``.
_hookspec = pluggy.HookspecMarker(PROJECT_NAME)


# ---------------------------------------------------------------- registration


@_hookspec
def gipcheck_register_loaders(register: Callable[..., Any]) -> None:
    """Register input loaders: readers that turn a file into the canonical document.

    Call ``register(name, sniff, load, *, media_types=(), extensions=(), priority=0, doc="")``
    once per loader, or ``register(obj)`` with a module or object that has ``NAME``, ``sniff``
    and ``load`` (and optionally ``MEDIA_TYPES``, ``EXTENSIONS``, ``PRIORITY``, ``__doc__``):

    - ``sniff(head: bytes, path: str) -> float`` — confidence 0..1 that the file (its first
      8 KiB, and its path for a tie-break only) is in this loader's format; 0 means "not mine".
    - ``load(data: bytes, path: str, options: dict) -> LoadedReport`` — read the whole file;
      raise :class:`gipcheck.errors.LoadError` for input that cannot be read.

    The most confident loader reads the file; ties go to the higher ``priority``, then to the
    loader that claims the file's extension. A loader name already taken (by a built-in or an
    earlier plugin) is refused and reported as a problem of the later plugin.

    :param register: the callback described above; it records the calling plugin.
    :return: nothing; results go through ``register``.

    Not ``firstresult``: every plugin's implementation is called.

    .. versionadded:: 0.1
    """


@_hookspec
def gipcheck_register_rule_packs(register: Callable[..., Any]) -> None:
    """Register rule packs: directories holding a ``pack.yaml`` and rule YAML files.

    Call ``register(path, *, region=None)``. ``region`` is the province (e.g. ``"上海市"``)
    whose reports the pack is meant for; such a pack is applied when a report's
    ``meta.region.province`` is that province or the user asks for it with ``--region``.
    ``None`` applies the pack to every report. A rule id that another registered pack already
    defines makes the whole later pack refused, reported as a problem naming both plugins.

    :param register: the callback described above; it records the calling plugin.
    :return: nothing; results go through ``register``.

    Not ``firstresult``: every plugin's implementation is called.

    .. versionadded:: 0.1
    """


@_hookspec
def gipcheck_register_functions(register: Callable[..., Any]) -> None:
    """Register functions for the rule language (``docs/language.md``).

    Call ``register(name, func, *, min_args, max_args=None, cost=1, doc="")``: ``func(*args)``
    receives plain values (a missing argument makes the call UNKNOWN without calling it);
    ``min_args``/``max_args`` are checked when a rule is compiled (``max_args=None``: no upper
    bound); ``cost`` is charged to the rule's step budget on every call, so an expensive
    function (text similarity) should say so; ``doc`` is a one-line signature and meaning shown
    in arity errors and in ``gipcheck plugins``. A name that is a built-in function or already
    registered is refused and reported.

    :param register: the callback described above; it records the calling plugin.
    :return: nothing; results go through ``register``.

    Not ``firstresult``: every plugin's implementation is called.

    .. versionadded:: 0.1
    """


@_hookspec
def gipcheck_register_reporters(register: Callable[..., Any]) -> None:
    """Register output formats (``gipcheck check --format NAME``).

    Call ``register(name, render, *, media_type="text/plain", extension=None, doc="")`` where
    ``render(run: RunResult, options: dict) -> str`` turns a whole run
    (:class:`gipcheck.engine.model.RunResult`) into the output text. A name already taken is
    refused and reported.

    :param register: the callback described above; it records the calling plugin.
    :return: nothing; results go through ``register``.

    Not ``firstresult``: every plugin's implementation is called.

    .. versionadded:: 0.1
    """


@_hookspec
def gipcheck_register_fact_patterns(register: Callable[..., Any]) -> None:
    """Register phrasing files: YAML files of the same shape as the bundled ``rules/facts.yaml``
    that teach the fact reader how a report's prose states a number (e.g. a province's own
    wording of 信息处理费 or 主动公开).

    Call ``register(path)`` with the path of one YAML file.

    :param register: the callback described above; it records the calling plugin.
    :return: nothing; results go through ``register``.

    Not ``firstresult``: every plugin's implementation is called.

    .. versionadded:: 0.1
    """


# ---------------------------------------------------------------- configuration


@_hookspec
def gipcheck_config_defaults() -> dict[str, Any] | None:
    """Give default values for configuration keys this plugin reads.

    Keys should be namespaced by the plugin (``"shanghai.place_by_order"``). The defaults are
    merged below the user's configuration — ``[tool.gipcheck.plugins.shanghai]`` in
    ``pyproject.toml`` (``[plugins.shanghai]`` in ``gipcheck.toml``), or ``Checker(config=…)`` —
    which is below the command line (``--region``): plugin default < file < command line. A user's
    value of another type than the default is a configuration error (exit 2); a key no plugin
    declares is reported as a configuration problem. ``gipcheck config show`` shows each value
    and where it came from. A key that two plugins both define keeps the first plugin's value
    and the clash is reported.

    :return: a mapping of key to default value, or ``None`` for none.

    Not ``firstresult``: every plugin's mapping is merged.

    .. versionadded:: 0.1
    """


@_hookspec
def gipcheck_configure(config: dict[str, Any]) -> None:
    """Called once when the configuration is final (defaults, configuration files and command
    line merged), before any report is read — the place to read options and prepare state.

    The same merged mapping reaches :func:`gipcheck_enrich_document` and, as
    ``options["config"]``, the plugin's loaders.

    :param config: the merged configuration; treat it as read-only.
    :return: nothing.

    Not ``firstresult``: every plugin's implementation is called.

    .. versionadded:: 0.1
    """


# ---------------------------------------------------------------- per report


@_hookspec
def gipcheck_enrich_document(loaded: LoadedReport, config: dict[str, Any]) -> None:
    """Enrich a freshly loaded report in place before its rules are evaluated, e.g. fill
    ``meta.region`` from the organ name, or add loader notes.

    Keep the document valid against the canonical schema: add what you know, never overwrite a
    value the report states with a guess, and leave a blank cell ``null`` (blank is not zero).

    :param loaded: the loaded report (:class:`gipcheck.load.base.LoadedReport`): its
        ``document``, ``locations``, ``notes`` and decoded ``text``.
    :param config: the merged configuration (read-only).
    :return: nothing; change ``loaded`` in place.

    Not ``firstresult``: every plugin's implementation is called, built-ins first.

    .. versionadded:: 0.1
    """


@_hookspec
def gipcheck_detect_layout(text: str, document: dict[str, Any] | None) -> dict[str, Any] | None:
    """Recognise a report layout that needs a particular plugin, so that the core can say "this
    is a Shanghai layout; install gipcheck-shanghai" instead of reading wrong numbers.

    Return a mapping ``{"name": "shanghai", "plugin": "gipcheck-shanghai", "confidence": 0.9,
    "zh": "…", "en": "…"}``: the layout's name, the distribution that reads it, a confidence
    0..1 and, optionally, a one-line reason in Chinese and English. Return ``None`` when the
    text is not a layout you know.

    Called for every report a checker reads, after its loader made a document (or failed to, for
    a text file). When the most confident hint of at least 0.75 names a distribution that is not
    installed, and no hint of an installed one reaches 0.75, the report is not read: it gets the
    load problem ``NEEDS_PLUGIN`` (exit 3) naming the distribution — the core reads such a layout
    into wrong numbers. A hint from 0.5 to 0.75 for a missing distribution only adds the info note
    ``LAYOUT_PLUGIN_AVAILABLE`` to the reading. Keep the hook cheap (a literal test first): it
    runs on every report.

    :param text: the report's decoded text (as the loader read it).
    :param document: the canonical document a loader made of it, or ``None`` if none could.
    :return: a layout hint or ``None``.

    Not ``firstresult``: every hint is collected and the most confident one is used.

    .. versionadded:: 0.1
    """
