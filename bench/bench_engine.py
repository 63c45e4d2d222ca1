"""Benchmark the engine (issue 3 goals), in one run:

1. the whole national pack on one document, in-process (median; goal ≤ 0.3 ms), with where the
   time goes (expressions, findings — timed for failing rules only — and the document schema check);
2. rule load + compile, cold (empty cache, parser built) and warm (parse trees and checked rule
   files cached, as at every start after the first);
3. CLI wall time for checking one report (subprocess, median of N; goal ≤ 300 ms);
4. the cel-python comparison (goal ≥ 100×) is bench/bench_lang.py.

Run: .venv/bin/python bench/bench_engine.py [SEED.txt] [--runs N]
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import describe as machine_reference

from gipcheck.engine import default_pack_dirs, evaluate, load_packs
from gipcheck.engine import engine as engine_mod
from gipcheck.engine import packs as packs_mod
from gipcheck.load.base import LoadedReport

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"


def _document(seed: Path) -> tuple[LoadedReport, str]:
    try:
        from gipcheck.load import load_path

        return load_path(seed), f"{seed.name} (loaded by gipcheck.load)"
    except Exception as e:  # the loader may be unavailable; fall back to the hand-verified document
        exp = json.loads((seed.parent / "expected" / (seed.stem + ".json")).read_text(encoding="utf-8"))
        doc = exp["document"]
        doc["sections"] = [{"number": n, "title": "", "text": ""} for n in doc["sections"]]
        return LoadedReport(doc), f"{seed.name} expected document (loader failed: {e})"


def _clear_in_process(parser: bool) -> None:
    import gipcheck.lang.compiler as comp

    packs_mod.clear_cache()
    packs_mod._data_store_cached.cache_clear()  # the pack cache is read from disk again, as at a start
    comp._CACHE.clear()
    comp._PRESCANNED.clear()
    comp.tree_store.cache_clear()
    if parser:
        comp.get_parser.cache_clear()


def _load_times(cache_dir: Path) -> tuple[float, float]:
    """(cold, warm) median ms of loading + compiling the bundled packs."""
    old = os.environ.get("GIPCHECK_CACHE_DIR")
    os.environ["GIPCHECK_CACHE_DIR"] = str(cache_dir)
    try:
        cold = []
        for _ in range(3):
            shutil.rmtree(cache_dir, ignore_errors=True)
            _clear_in_process(parser=True)
            t = time.perf_counter()
            load_packs(default_pack_dirs())
            cold.append(time.perf_counter() - t)
        warm = []
        for _ in range(5):
            _clear_in_process(parser=False)
            t = time.perf_counter()
            load_packs(default_pack_dirs())
            warm.append(time.perf_counter() - t)
    finally:
        if old is None:
            os.environ.pop("GIPCHECK_CACHE_DIR", None)
        else:
            os.environ["GIPCHECK_CACHE_DIR"] = old
        _clear_in_process(parser=False)
    return statistics.median(cold) * 1e3, statistics.median(warm) * 1e3


def _cli_times(seed: Path, runs: int, env: dict[str, str]) -> list[float]:
    exe = Path(sys.executable).with_name("gipcheck")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "gipcheck"]
    cmd += ["check", str(seed)]
    subprocess.run(cmd, env=env, capture_output=True, check=False)  # warm-up: .pyc and parse-tree cache
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - t)
    return times


def _split(loaded: LoadedReport, packs: list, n: int) -> dict[str, float]:
    """Median µs of the parts of one evaluate(): expressions, findings, the schema check."""
    doc = loaded.document
    meta = doc.get("meta") or {}
    parts: dict[str, list[float]] = {"expressions": [], "findings": [], "schema check": []}
    for _ in range(n):
        t0 = time.perf_counter()
        engine_mod._violation_notes(doc)
        parts["schema check"].append(time.perf_counter() - t0)
        shared: dict = {}
        ev = fi = 0.0
        for pack in packs:
            for rule in pack.rules:
                ok, missing = engine_mod.applies_to(rule, meta)
                if not ok or missing:
                    continue
                a = time.perf_counter()
                o = rule.compiled.evaluate(doc, shared=shared)
                ev += time.perf_counter() - a
                if o.status == "fail":  # only a failing rule builds a finding: time just that
                    b = time.perf_counter()
                    engine_mod.build_finding(rule, o, doc, None, "zh", loaded.locations, shared)
                    fi += time.perf_counter() - b
        parts["expressions"].append(ev)
        parts["findings"].append(fi)
    return {k: statistics.median(v) * 1e6 for k, v in parts.items()}


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    print(machine_reference())
    runs = 10
    if "--runs" in sys.argv:
        runs = int(sys.argv[sys.argv.index("--runs") + 1])
        args = [a for a in args if a != str(runs)]
    seeds = [Path(args[0])] if args else sorted(SEEDS.glob("*.txt"))
    if not seeds:
        sys.exit(f"no seed reports under {SEEDS}")

    with tempfile.TemporaryDirectory() as tmp:
        cold, warm = _load_times(Path(tmp) / "cache")
    packs = load_packs(default_pack_dirs())
    n_rules = sum(len(p.rules) for p in packs)
    print(f"rules: {n_rules} in {len(packs)} bundled pack(s)")
    print(f"load + compile: cold {cold:.1f} ms (empty parse-tree cache, parser built), "
          f"warm {warm:.1f} ms (parse trees and checked rule files cached)")

    print("whole pack on one document, in-process (evaluate(): rules, findings, schema notes; goal ≤ 0.3 ms):")
    for seed in seeds:
        loaded, what = _document(seed)
        for _ in range(50):
            evaluate(loaded, packs)
        times = []
        for _ in range(500):
            t = time.perf_counter()
            res = evaluate(loaded, packs)
            times.append(time.perf_counter() - t)
        split = _split(loaded, packs, 200)
        print(f"  {what}: median {statistics.median(times) * 1e3:.3f} ms "
              f"(p90 {sorted(times)[int(len(times) * 0.9)] * 1e3:.3f}); {len(res.findings)} findings, "
              f"{len(res.passed)} passed, {len(res.not_evaluated)} not evaluated — "
              + ", ".join(f"{k} {v:.0f} µs" for k, v in split.items()))

    seed = seeds[0] if args else sorted(SEEDS.glob("001_*.txt"))[0]
    env = dict(os.environ)
    as_is = _cli_times(seed, runs, env)
    with tempfile.TemporaryDirectory() as pyc:
        # As installed from a wheel: byte-code compiled (this sandbox sets PYTHONDONTWRITEBYTECODE).
        env_pyc = {**env, "PYTHONPYCACHEPREFIX": pyc}
        env_pyc.pop("PYTHONDONTWRITEBYTECODE", None)
        with_pyc = _cli_times(seed, runs, env_pyc)
    note = " (PYTHONDONTWRITEBYTECODE set: every module compiled from source)" \
        if env.get("PYTHONDONTWRITEBYTECODE") else ""
    print(f"CLI `gipcheck check {seed.name}` wall time, median of {runs} (goal ≤ 300 ms): "
          f"{statistics.median(with_pyc) * 1e3:.0f} ms with .pyc; "
          f"{statistics.median(as_is) * 1e3:.0f} ms in this environment{note}")
    print("rule language vs cel-python (goal ≥ 100×): run bench/bench_lang.py")


if __name__ == "__main__":
    main()
