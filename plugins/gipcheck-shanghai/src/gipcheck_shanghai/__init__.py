"""gipcheck-shanghai: Shanghai's own annual-report layout and Shanghai-specific checks for gipcheck.

The plugin applies when ``meta.region.province`` is 上海市 or with ``--region shanghai``.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

#: What the plugin declares about itself: the region it serves and the names ``--region`` accepts.
REGION = {
    "name": "shanghai",
    "province": "上海市",
    "aliases": ("shanghai", "上海", "上海市"),
    "layout": "shanghai",
    "layout_zh": "上海市年报版式（总体情况分项独立编号、表格重新编号、表内行名与数值分离）",
    "distribution": "gipcheck-shanghai",
}

#: The loader's name, and the plugin's settings (``[tool.gipcheck.plugins.shanghai]`` in the user's
#: configuration) with their defaults; here, so that registering them does not import the loader.
LOADER_NAME = "shanghai"
PLACE_BY_ORDER = "shanghai.place_by_order"
DEFAULTS: dict[str, Any] = {PLACE_BY_ORDER: True}
