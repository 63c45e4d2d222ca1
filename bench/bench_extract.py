"""Extraction speed per seed, against a floor (run on demand: `.venv/bin/python bench/bench_extract.py`).

For every seed: the median in-process time of ``load_path`` (read + decode + parse into the
document with locations and notes), and the floor for the same file: read + decode + one regex
scan of every line. Goal (issue 2): ≤ 0.5 ms per report and ≤ 3× the floor.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

from machine import describe as machine_reference

from gipcheck.load import load_path
from gipcheck.load.decode import decode_bytes

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
_LINE_SCAN = re.compile(r"\d+|[一二三四五六]、")


def floor_once(path: Path) -> None:
    text, _ = decode_bytes(path.read_bytes())
    for line in text.split("\n"):
        _LINE_SCAN.findall(line)


def median_ms(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--corpus", action="store_true", help="also time the corpus text files")
    args = ap.parse_args(argv)
    print(machine_reference())
    files = sorted((SHARED / "seeds").glob("*.txt"))
    if args.corpus:
        files += sorted((SHARED / "corpus").glob("*.txt"))
    if not files:
        print("no seeds found beside the checkout", file=sys.stderr)
        return 2
    for f in files:  # warm up: imports, compiled patterns, gazetteer
        try:
            load_path(f)
        except Exception:
            pass
    print(f"{'file':44} {'extract ms':>10} {'floor ms':>9} {'ratio':>6}")
    ext_all, floor_all = [], []
    for f in files:
        def extract(f: Path = f) -> None:
            try:
                load_path(f)
            except Exception:
                pass
        e = median_ms(extract, args.repeat)
        fl = median_ms(lambda f=f: floor_once(f), args.repeat)
        ext_all.append(e)
        floor_all.append(fl)
        print(f"{f.name:44} {e:10.3f} {fl:9.3f} {e / fl:6.1f}")
    print(f"{'median':44} {statistics.median(ext_all):10.3f} {statistics.median(floor_all):9.3f} "
          f"{statistics.median(ext_all) / statistics.median(floor_all):6.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
