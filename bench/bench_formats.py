"""Load speed per input format (run on demand: `.venv/bin/python bench/bench_formats.py [-n RUNS]`).

Median in-process time of ``gipcheck.load.load_bytes`` (sniff + decode/unzip/parse + linearise +
the text parser) for: each seed rendered as a web page (UTF-8 and GBK), each seed filled into the
official Word template, the blank template, and the three corpus PDFs. Also the linearisation
alone (the format-specific part). Goals (issue 5): HTML ≤ 10 ms, DOCX ≤ 30 ms, PDF ≤ 500 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from machine import describe as machine_reference

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(REPO / "tests"))  # the seed renderers in tests/formats

from formats.render import fill_template, render_html, seeds  # noqa: E402

from gipcheck.load import load_bytes  # noqa: E402
from gipcheck.load.docx import linearise_docx  # noqa: E402
from gipcheck.load.html import decode_html, linearise  # noqa: E402
from gipcheck.load.pdf import linearise_pdf  # noqa: E402

GOALS_MS = {"html": 10.0, "docx": 30.0, "pdf": 500.0}


def median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm caches (imports, compiled patterns)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-n", "--runs", type=int, default=15)
    args = ap.parse_args()
    print(machine_reference())
    if not (SHARED / "seeds").is_dir():
        print("../shared (seeds, corpus) is not beside the checkout", file=sys.stderr)
        return 2
    template = (SHARED / "corpus" / "template_2021_blank.docx").read_bytes()
    inputs: list[tuple[str, str, bytes, Callable[[bytes], object]]] = []
    for s in seeds(SHARED):
        for enc in ("utf-8", "gbk"):
            inputs.append(("html", f"{s.name} ({enc})", render_html(s, encoding=enc),
                           lambda b: linearise(decode_html(b)[0])))
        inputs.append(("docx", s.name, fill_template(template, s), linearise_docx))
    inputs.append(("docx", "template_2021_blank", template, linearise_docx))
    for pdf in ("hongze_gov_2023.pdf", "hongze_gov_2024.pdf", "city_gov_2024_szfgs.pdf"):
        inputs.append(("pdf", pdf, (SHARED / "corpus" / pdf).read_bytes(), linearise_pdf))
    per_format: dict[str, list[float]] = {}
    print(f"{'format':6} {'input':34} {'size':>9} {'load ms':>9} {'linearise ms':>13}")
    for fmt, name, data, lin in inputs:
        runs = max(3, args.runs // 3) if fmt == "pdf" else args.runs
        full = median_ms(lambda d=data, n=name, f=fmt: load_bytes(d, f"{n}.{f}"), runs)
        part = median_ms(lambda d=data, f=lin: f(d), runs)
        per_format.setdefault(fmt, []).append(full)
        print(f"{fmt:6} {name:34} {len(data):9,} {full:9.2f} {part:13.2f}")
    print()
    for fmt, times in per_format.items():
        med = statistics.median(times)
        verdict = "ok" if med <= GOALS_MS[fmt] else "OVER GOAL"
        print(f"{fmt:5} median {med:8.2f} ms  max {max(times):8.2f} ms  goal ≤ {GOALS_MS[fmt]:g} ms  {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
