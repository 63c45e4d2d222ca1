"""Instructions per report, counted by valgrind (run on demand: `.venv/bin/python bench/icount.py`).

Wall times on this machine move by 2× within a day and with whatever else runs; instruction counts
do not. For extraction (``load_path``) and the national pack (``evaluate``) this runs the same
child twice under ``valgrind --tool=callgrind`` — once with the warm-up alone, once with ``--iters``
more passes over the seeds — and prints the difference per report. ``check`` counts what a batch
worker spends per report (``gipcheck check DIR --format json``): ``Checker.load`` + ``Checker.check``
with the default checker (plugins included) + the report's JSON line + pickling the chunk's
results, over a heap frozen after the warm-up as a forked worker has it; subtract ``extract`` and ``pack`` to see the overhead beyond them. Use it to compare two versions
of the code; the issues' goals are in milliseconds and are measured by bench_extract.py and
bench_engine.py.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
_REFS = re.compile(r"Collected\s*:\s*(\d+)")


def child(what: str, iters: int) -> None:
    from gipcheck.load import load_path

    files = sorted(SEEDS.glob("*.txt"))
    if what == "extract":
        for f in files:  # warm-up: imports, compiled patterns, gazetteer
            load_path(f)
        for _ in range(iters):
            for f in files:
                load_path(f)
        return
    if what == "check":
        check_child(files, iters)
        return
    from gipcheck.engine import default_pack_dirs, evaluate, load_packs

    packs = load_packs(default_pack_dirs())
    docs = [load_path(f) for f in files]
    for d in docs:
        evaluate(d, packs)
    for _ in range(iters):
        for d in docs:
            evaluate(d, packs)


def check_child(files: list[Path], iters: int) -> None:
    """As a forked batch worker does it (gipcheck.batch._worker_loop with the run's settings)."""
    import pickle

    from gipcheck import batch
    from gipcheck.api import checker, find_reporter

    c = checker()
    render_report = find_reporter("json", using=c).render_report
    batch._WORKER_CHECKER, batch._WORKER_SLIM, batch._WORKER_KEEP_TEXT = c, True, False
    batch._WORKER_RENDER = ("json", render_report, {"lang": "zh", "color": False})
    tasks: list[tuple[str, str | None]] = [(str(f), None) for f in files]
    pickle.dumps((True, batch._check_many(tasks)), pickle.HIGHEST_PROTOCOL)  # the warm-up
    # a forked worker inherits a frozen heap (gipcheck.batch freezes it before forking): without
    # this, full collections over the start-up objects add about 1 M instructions per report
    import gc

    gc.freeze()
    for _ in range(iters):
        pickle.dumps((True, batch._check_many(tasks)), pickle.HIGHEST_PROTOCOL)


# str hashes are salted per process, and dict and set layouts (so probe counts) with them: without a
# fixed seed the difference of two runs wanders by up to 0.15 M instructions per report
_ENV = {**os.environ, "PYTHONHASHSEED": "0"}


def warm(what: str) -> None:
    """One run outside valgrind, so that both counted runs find the start-up caches filled (after a
    code change the first run compiles the rule packs afresh, and the difference would be negative)."""
    subprocess.run([sys.executable, __file__, "--child", what, "--iters", "0"], check=True, env=_ENV)


def count(what: str, iters: int) -> int:
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
           sys.executable, __file__, "--child", what, "--iters", str(iters)]
    p = subprocess.run(cmd, capture_output=True, text=True, env=_ENV)
    m = _REFS.search(p.stderr)
    if p.returncode != 0 or not m:
        sys.exit(f"valgrind run failed ({p.returncode}): {p.stderr[-400:]}")
    return int(m.group(1))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--what", choices=["extract", "pack", "check", "both"], default="both")
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--child", choices=["extract", "pack", "check"], help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child, args.iters)
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian package valgrind)", file=sys.stderr)
        return 2
    n = len(list(SEEDS.glob("*.txt")))
    if not n:
        print("no seeds found beside the checkout", file=sys.stderr)
        return 2
    for what in (["extract", "pack"] if args.what == "both" else [args.what]):
        warm(what)
        base = count(what, 0)
        full = count(what, args.iters)
        per = (full - base) / (args.iters * n)
        print(f"{what:8} {per / 1e6:8.3f} M instructions per report "
              f"(mean over {n} seeds × {args.iters} passes, warm)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
