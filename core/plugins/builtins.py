"""The built-in plugins: gipcheck's own features, registered through the same hooks as any
province plugin (like pytest's ``default_plugins``).

Each entry is a module of :data:`gipcheck.plugins.hookimpl` functions; the plugin's name is the
module's last part without ``builtin_``, prefixed ``gipcheck.`` (``gipcheck.loaders`` …).
"""

from __future__ import annotations

DEFAULT_PLUGINS: tuple[str, ...] = (
    "gipcheck.plugins.builtin_loaders",  # text, HTML, Word, PDF readers (gipcheck.load.*)
    "gipcheck.plugins.builtin_rules",  # the national rule pack and the prose phrasing file
    "gipcheck.plugins.builtin_reporters",  # every gipcheck.report.* module with NAME and render
    "gipcheck.plugins.builtin_layouts",  # known province layouts that need a plugin
)

BUILTIN_PREFIX = "gipcheck."


def builtin_name(module_name: str) -> str:
    """``gipcheck.plugins.builtin_loaders`` → ``gipcheck.loaders``."""
    last = module_name.rsplit(".", 1)[-1]
    return BUILTIN_PREFIX + last.removeprefix("builtin_")
