"""Median time per document of the compiled validator vs a cached jsonschema validator.

Run: .venv/bin/python bench/bench_validate.py [--repeat N]
Documents: the five seeds as the loader reads them (when gipcheck.load.load_path exists), else
their hand-verified readings in ../shared/seeds/expected; plus a built 2019-format document.
Goal: compiled ≤ 0.05 ms per valid document.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _schema_docs import document_2019, expected_documents, loaded_documents  # noqa: E402

from gipcheck.validate import SchemaValidator, load_schema, validate_document  # noqa: E402
from gipcheck.validate.validator import schema_format  # noqa: E402


def median_ms(fn: Any, doc: Any, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn(doc)
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1e3


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=2000)
    args = ap.parse_args()
    docs = loaded_documents() or expected_documents()
    broken = copy.deepcopy(docs[0][1])  # the error path: three defects in one document
    broken["requests"]["new"]["total"] = -1
    broken["review"]["reconsideration"]["upheld"] = "两"
    broken["meta"].pop("year", None)
    docs = [*docs, ("built-2019", document_2019()), (docs[0][0] + "+3 defects", broken)]
    compiled = {f: SchemaValidator(load_schema(f)) for f in ("2021", "2019")}
    reference = {f: SchemaValidator(load_schema(f), force_jsonschema=True) for f in ("2021", "2019")}
    print(f"{'document':28} {'violations':>10} {'compiled ms':>12} {'validate_document ms':>21} {'jsonschema ms':>14} {'speed-up':>9}")
    for name, doc in docs:
        fmt = schema_format(doc)
        n = len(validate_document(doc))
        c = median_ms(compiled[fmt].violations, doc, args.repeat)
        d = median_ms(validate_document, doc, args.repeat)
        r = median_ms(reference[fmt].violations, doc, max(50, args.repeat // 20))
        print(f"{name:28} {n:>10} {c:>12.4f} {d:>21.4f} {r:>14.4f} {r / c:>8.0f}x")


if __name__ == "__main__":
    main()
