"""gipcheck's plugin system (pluggy).

Plugins implement the hooks documented in :mod:`gipcheck.plugins.hookspecs` with the
:data:`hookimpl` marker and publish them under the entry-point group ``gipcheck``. The core's own
loaders, national rule pack and reporters are plugins of the same hooks
(:mod:`gipcheck.plugins.builtins`); :mod:`gipcheck.plugins.manager` loads them all, surviving
plugins that fail.
"""

import pluggy

hookimpl = pluggy.HookimplMarker("gipcheck")
"""Marks a function as the implementation of a gipcheck hook: ``@hookimpl def gipcheck_…``."""

__all__ = ["hookimpl"]
