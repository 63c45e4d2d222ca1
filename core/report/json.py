"""JSON output: ``{"version", "reports": [...], "summary": {...}, "problems": [...]}``.

The shape is versioned and described by ``schemas/report.schema.json``."""

from __future__ import annotations

import json
from typing import Any

NAME = "json"
MEDIA_TYPE = "application/json"
EXTENSION = ".json"


def render(run: Any, options: dict[str, Any]) -> str:
    return json.dumps(run.to_json(), ensure_ascii=False, indent=1)
