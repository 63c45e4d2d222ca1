"""Documents for the schema and validator tests: the seeds' hand-verified readings (and, once the
loader reads them, the loaded seeds), plus a 2019-format document built from the canon."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from gipcheck.document import canon

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = SHARED / "seeds"


def _section_objects(numbers: list[int], organ: str) -> list[dict[str, Any]]:
    # the expected files list only section numbers; give each a real title and some prose
    return [{"number": n, "title": canon.SECTION_TITLES[n], "text": f"{organ}{canon.SECTION_TITLES[n]}。"}
            for n in numbers]


def expected_documents() -> list[tuple[str, dict[str, Any]]]:
    """(seed name, document) from ``seeds/expected/*.json`` "document", made whole where the
    expected file abbreviates (sections as numbers)."""
    out = []
    for path in sorted((SEEDS / "expected").glob("*.json")):
        doc = copy.deepcopy(json.loads(path.read_text(encoding="utf-8"))["document"])
        organ = doc["meta"].get("organ") or ""
        doc["sections"] = _section_objects(doc["sections"], organ)
        doc["meta"].setdefault("title", f"{organ}{doc['meta'].get('year')}年政府信息公开工作年度报告")
        for name, fact in doc.get("facts", {}).items():
            if isinstance(fact, dict) and "value" in fact:
                fact.setdefault("text", f"正文所述{fact['value']}件")
                fact.setdefault("section", 1)
            elif name == "stated_totals":
                for t in fact:
                    t.setdefault("text", "共N条，其中…")
        out.append((path.stem, doc))
    return out


def loaded_documents() -> list[tuple[str, dict[str, Any]]]:
    """The seeds as the project's own loader reads them; empty while no loader exists yet."""
    try:
        from gipcheck.load import load_path  # type: ignore[attr-defined]
    except ImportError:
        return []
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        try:
            loaded = load_path(path)
        except Exception:  # a loader still under construction must not break the schema tests
            continue
        doc = getattr(loaded, "document", loaded)
        if isinstance(doc, dict):
            out.append((path.stem, doc))
    return out


def document_2019() -> dict[str, Any]:
    """A whole 2019-format document (国办公开办函〔2019〕60号), every canonical cell filled."""
    active: dict[str, Any] = {}
    for i, row in enumerate(canon.ACTIVE_ROWS_2019):
        cells: dict[str, Any] = {}
        for j, (name, _label) in enumerate(row.cells):
            cells[name] = -15 if name == "delta" and i % 2 else (3802895.9 if name == "amount" else i * 3 + j)
        if row.path == "active.procurement":
            cells["amount_unit"] = "元"
        active[row.path.split(".", 1)[1]] = cells
    requests: dict[str, Any] = {}
    for k, row in enumerate(canon.REQUEST_ROWS_2019):
        node = requests
        parts = row.path.split(".")[1:]
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = {c: (k % 3 if c != "total" else 6 * (k % 3)) for c in canon.REQUEST_COLUMNS}
    review = {b: {c: 0 for c in canon.REVIEW_COLUMNS} for b in canon.REVIEW_BLOCKS}
    return {
        "meta": {"title": "示例县人民政府2020年政府信息公开工作年度报告", "organ": "示例县人民政府",
                 "organ_kind": "government", "organ_level": "county",
                 "region": {"province": "示例省", "city": "示例市", "county": "示例县"},
                 "year": 2020, "published": "2021-03-10", "date_kind": "published",
                 "cited": ["国办公开办函〔2019〕60号"], "period": {"start": "2020-01-01", "end": "2020-12-31"},
                 "format": "2019",
                 "source": {"path": "x.txt", "media_type": "text/plain", "encoding": "utf-8",
                            "sha256": "0" * 64, "loader": "text"}},
        "sections": _section_objects([1, 2, 3, 4, 5, 6], "示例县人民政府"),
        "active": active,
        "requests": requests,
        "review": review,
        "facts": {"requests_received": {"value": 21, "text": "共受理政府信息公开申请21件", "section": 1},
                  "stated_totals": [{"total": 10, "parts": [4, 6], "text": "共10条，其中4条、6条", "section": 1}],
                  "fees": {"mentioned": {"value": True, "text": "未收取信息处理费", "section": 6},
                           "says_none": {"value": True, "text": "未收取信息处理费", "section": 6}}},
        "labels": {"active": ["本年新制作数量"], "requests": ["（六）其他处理"], "review": ["结果维持"], "notes": []},
    }


def all_documents() -> list[tuple[str, dict[str, Any]]]:
    docs = [(f"expected:{n}", d) for n, d in expected_documents()] if SEEDS.is_dir() else []
    docs += [(f"loaded:{n}", d) for n, d in loaded_documents()] if SEEDS.is_dir() else []
    docs.append(("built:2019", document_2019()))
    return docs
