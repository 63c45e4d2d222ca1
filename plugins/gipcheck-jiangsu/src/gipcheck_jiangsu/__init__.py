"""gipcheck-jiangsu: Jiangsu-specific checks and text-reuse functions for gipcheck.

The plugin applies when ``meta.region.province`` is 江苏省 (filled from the organ name, e.g.
淮安市洪泽区人民政府, 沭阳县人民政府) or with ``--region jiangsu``.
"""

from __future__ import annotations

__version__ = "0.1.0"

#: What the plugin declares about itself: the region it serves and the names ``--region`` accepts.
REGION = {
    "name": "jiangsu",
    "province": "江苏省",
    "aliases": ("jiangsu", "江苏", "江苏省"),
    "layout": None,
    "distribution": "gipcheck-jiangsu",
}
