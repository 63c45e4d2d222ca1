"""Benchmark the engine: rule load + compile time, and the whole national pack on one seed report.

Run: .venv/bin/python bench/bench_engine.py [SEED.txt]   (in-process; prints medians)
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from gipcheck.engine import default_pack_dirs, evaluate, load_packs
from gipcheck.engine import packs as packs_mod
from gipcheck.load.base import LoadedReport

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"


def _document(seed: Path | None) -> tuple[LoadedReport, str]:
    if seed is None:
        seed = sorted(SEEDS.glob("000_*.txt"))[0]
    try:
        from gipcheck.load import load_path

        return load_path(seed), f"{seed.name} (loaded by gipcheck.load)"
    except Exception as e:  # the loader may be unavailable; fall back to the hand-verified document
        exp = json.loads((seed.parent / "expected" / (seed.stem + ".json")).read_text(encoding="utf-8"))
        doc = exp["document"]
        doc["sections"] = [{"number": n, "title": "", "text": ""} for n in doc["sections"]]
        return LoadedReport(doc), f"{seed.name} expected document (loader failed: {e})"


def _compile_caches_cleared() -> None:
    packs_mod.clear_cache()
    import gipcheck.lang.compiler as comp

    cache = getattr(comp, "_CACHE", None)
    if isinstance(cache, dict):
        cache.clear()


def main() -> None:
    seed = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    t0 = time.perf_counter()
    packs = load_packs(default_pack_dirs())
    first = time.perf_counter() - t0
    loads = []
    for _ in range(5):
        _compile_caches_cleared()
        t = time.perf_counter()
        packs = load_packs(default_pack_dirs())
        loads.append(time.perf_counter() - t)
    t = time.perf_counter()
    load_packs(default_pack_dirs())
    cached = time.perf_counter() - t
    n_rules = sum(len(p.rules) for p in packs)

    loaded, what = _document(seed)
    for _ in range(50):
        evaluate(loaded, packs)
    runs, cpu = [], []
    for _ in range(500):
        t, c = time.perf_counter(), time.process_time()
        res = evaluate(loaded, packs)
        runs.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    med = statistics.median(runs)
    # Per rule, the bare compiled expression (no finding building), to show where the time goes.
    per_rule = []
    for pack in packs:
        for rule in pack.rules:
            t = time.perf_counter()
            for _ in range(100):
                rule.compiled.evaluate(loaded.document, shared={})
            per_rule.append(((time.perf_counter() - t) / 100, rule.id))
    per_rule.sort(reverse=True)
    print(f"document: {what}")
    print(f"rules: {n_rules} in {len(packs)} pack(s); findings {len(res.findings)}, passed {len(res.passed)}, "
          f"not evaluated {len(res.not_evaluated)}, problems {len(res.problems)}")
    print(f"load + compile (first, incl. grammar): {first * 1e3:.1f} ms")
    print(f"load + compile (median of 5, caches cleared): {statistics.median(loads) * 1e3:.1f} ms")
    print(f"load (cached, files unchanged): {cached * 1e3:.2f} ms")
    print(f"whole pack on one document: median {med * 1e3:.3f} ms, p90 "
          f"{sorted(runs)[int(len(runs) * 0.9)] * 1e3:.3f} ms; CPU time median {statistics.median(cpu) * 1e3:.3f} ms "
          "(goal ≤ 0.3 ms)")
    print(f"bare expressions, all rules: {sum(t for t, _ in per_rule) * 1e3:.3f} ms; slowest: "
          + ", ".join(f"{rid} {t * 1e6:.0f} µs" for t, rid in per_rule[:6]))


if __name__ == "__main__":
    main()
