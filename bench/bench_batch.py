"""Whole-command batch throughput: ``gipcheck check DIR --format json -j N`` on N copies of the
seeds, start-up included, as a supervising office would run it.

Run: .venv/bin/python bench/bench_batch.py [--copies 1000] [--jobs 1 2] [--repeat 3] [--profile]

Prints, per ``-j``, the best and median wall time over the repeats and reports/s, plus the
start-up time alone (one report). ``--profile`` also profiles one in-process ``-j 1`` batch
with cProfile and prints where the time goes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import describe as machine_reference

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"


def gipcheck_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("gipcheck")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "gipcheck"]


def make_copies(root: Path, n: int) -> Path:
    seeds = sorted(SEEDS.glob("*.txt"))
    if not seeds:
        sys.exit("../shared/seeds not found")
    d = root / "reports"
    d.mkdir()
    for i in range(n):
        s = seeds[i % len(seeds)]
        shutil.copyfile(s, d / f"r{i:05d}_{s.name}")
    return d


def timed(cmd: list[str], cwd: Path) -> float:
    t = time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t
    if p.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.decode()[-500:]}")
    return dt


def profile(d: Path, top: int = 25) -> None:
    import cProfile
    import pstats

    from gipcheck import api

    pr = cProfile.Profile()
    pr.enable()
    run = api.check_paths([str(d)], jobs=1, progress=None, full=False)
    api.render(run, "json")
    pr.disable()
    pstats.Stats(pr).sort_stats("cumulative").print_stats(top)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--copies", type=int, default=1000)
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    a = ap.parse_args()
    env_note = f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else ""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        d = make_copies(root, a.copies)
        one = sorted(d.iterdir())[0]
        base = [*gipcheck_cmd(), "check", "--format", "json", "--no-progress"]
        startup = min(timed([*base, "-j", "1", str(one)], root) for _ in range(a.repeat))
        print(f"gipcheck batch benchmark: {a.copies} reports, {env_note}")
        print(machine_reference())
        print(f"  start-up + 1 report:  {startup:.2f} s")
        for j in a.jobs:
            times = [timed([*base, "-j", str(j), str(d)], root) for _ in range(a.repeat)]
            best, med = min(times), statistics.median(times)
            print(f"  -j {j}: best {best:.2f} s ({a.copies / best:.0f} reports/s), "
                  f"median {med:.2f} s ({a.copies / med:.0f} reports/s)")
        if a.profile:
            profile(d)


if __name__ == "__main__":
    main()
