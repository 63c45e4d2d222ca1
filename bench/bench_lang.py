"""Rule-language benchmark: compile and evaluate timings, and the same arithmetic rules in CEL.

Run on demand (not part of the test suite):

    .venv/bin/python bench/bench_lang.py [--json]

Reports, for sample expressions on a seed document: compile time (cold, cache bypassed),
evaluation time (median of repeated runs, µs), and for the arithmetic rules the same rule written
in CEL evaluated by cel-python (when installed) with the speed ratio.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from machine import describe as machine_reference

from gipcheck.lang import compile_expression
from gipcheck.lang.compiler import build

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seeds" / "expected" / "000_be94cdfbcf579bbe.json"

COLS = '["natural_person","commercial","research","nonprofit","legal_service","other_org","total"]'
APPL = '["natural_person","commercial","research","nonprofit","legal_service","other_org"]'

# (name, gipcheck expression, CEL expression or None)
SAMPLES: list[tuple[str, str, str | None]] = [
    ("T4-REVIEW-SUM",
     "review.reconsideration.total == review.reconsideration.upheld + review.reconsideration.corrected"
     " + review.reconsideration.other + review.reconsideration.pending",
     "review.reconsideration.total == review.reconsideration.upheld + review.reconsideration.corrected"
     " + review.reconsideration.other + review.reconsideration.pending"),
    ("T3-TOTAL-BALANCE",
     "requests.new.total + requests.carried_over.total == requests.results.total.total + requests.carry_forward.total",
     "requests.new.total + requests.carried_over.total == requests.results.total.total + requests.carry_forward.total"),
    ("T3-COL-BALANCE",
     "all c in columns: requests.new[c] + requests.carried_over[c] == requests.results.total[c] + requests.carry_forward[c]",
     f"{COLS}.all(c, requests.new[c] + requests.carried_over[c] == requests.results.total[c] + requests.carry_forward[c])"),
    ("T4-ALL-SUMS",
     "all b in review_blocks: review[b].total == review[b].upheld + review[b].corrected + review[b].other + review[b].pending",
     '["reconsideration","litigation_direct","litigation_after_reconsideration"].all(b, review[b].total =='
     " review[b].upheld + review[b].corrected + review[b].other + review[b].pending)"),
    ("T3-WITHHELD-ROWS",
     "all r in requests.results.withheld[*]: r.total == sum(r[c] for c in applicant_columns)",
     "requests.results.withheld.all(k, requests.results.withheld[k].total == "
     + " + ".join(f"requests.results.withheld[k].{c}" for c in json.loads(APPL)) + ")"),
    ("T3-ROW-TOTAL", "all r in rows(requests): r.total == sum(r[c] for c in applicant_columns)", None),
    ("T3-RESULT-SUM",
     "all c in columns: requests.results.total[c] == sum(r[c] for r in detail_rows(requests.results))", None),
    ("T3-NONNEG-INT", "all r in rows(requests): all x in r[*]: not present(x) or (is_int(x) and x >= 0)", None),
    ("FEE-MENTION", 'has(section(6), ["信息处理费", "处理费"])', None),
    ("M-DEADLINE-GOV", "meta.published <= date(meta.year + 1, 3, 31)", None),
    ("T2-FEE-PRECISION", "decimals(active.fees.amount) <= 4 and active.fees.amount ~= 670.5862", None),
    ("X-NARR-APPS", "not present(facts.requests_new.value) or facts.requests_new.value == requests.new.total", None),
]


def timeit_us(fn: Callable[[], Any], min_time: float = 0.15) -> float:
    """Median µs per call over batches lasting at least ``min_time`` seconds in total."""
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt > 0.02:
            break
        n *= 4
    batches = []
    end = time.perf_counter() + min_time
    while time.perf_counter() < end or len(batches) < 5:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        batches.append((time.perf_counter() - t0) / n * 1e6)
    return statistics.median(batches)


def cel_program(expr: str) -> Any:
    import celpy  # type: ignore[import-not-found]

    env = celpy.Environment()
    return env.program(env.compile(expr))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    print(machine_reference())
    if not SEED.is_file():
        print(f"seed document not found: {SEED}", file=sys.stderr)
        return 2
    doc = json.loads(SEED.read_text(encoding="utf-8"))["document"]
    try:
        import celpy  # type: ignore[import-not-found]

        activation = {k: celpy.json_to_cel(v) for k, v in doc.items() if k in ("requests", "review")}
        have_cel = True
    except ImportError:
        have_cel = False
        activation = {}

    rows: list[dict[str, Any]] = []
    total_eval = 0.0
    for name, expr, cel_expr in SAMPLES:
        compile_us = timeit_us(lambda e=expr: build(e, None, None, None, None, None), 0.1)
        compiled = compile_expression(expr)
        shared: dict[Any, Any] = {}
        status = compiled.evaluate(doc, shared=shared).status
        eval_us = timeit_us(lambda c=compiled, s=shared: c.evaluate(doc, shared=s))
        total_eval += eval_us
        row: dict[str, Any] = {"rule": name, "status": status, "compile_us": round(compile_us, 1),
                               "eval_us": round(eval_us, 2)}
        if cel_expr and have_cel:
            prog = cel_program(cel_expr)
            cel_value = bool(prog.evaluate(activation))
            cel_us = timeit_us(lambda p=prog: p.evaluate(activation), 0.3)
            row.update(cel_us=round(cel_us, 1), cel_value=cel_value, speedup=round(cel_us / eval_us, 1))
        rows.append(row)

    cel_rows = [r for r in rows if "speedup" in r]
    summary = {
        "eval_total_us": round(total_eval, 1),
        "eval_median_us": round(statistics.median(r["eval_us"] for r in rows), 2),
        "cel_python": have_cel,
        "cel_speedup_min": min((r["speedup"] for r in cel_rows), default=None),
        "cel_speedup_median": statistics.median(r["speedup"] for r in cel_rows) if cel_rows else None,
    }
    if args.json:
        print(json.dumps({"rows": rows, "summary": summary}, ensure_ascii=False, indent=1))
        return 0
    print(f"{'rule':<18} {'status':<7} {'compile µs':>11} {'eval µs':>9} {'cel µs':>9} {'×':>7}")
    for r in rows:
        print(f"{r['rule']:<18} {r['status']:<7} {r['compile_us']:>11.1f} {r['eval_us']:>9.2f} "
              f"{r.get('cel_us', float('nan')):>9.1f} {r.get('speedup', float('nan')):>7.1f}")
    print(f"\nsum of {len(rows)} sample rules: {summary['eval_total_us']} µs per document; "
          f"median rule {summary['eval_median_us']} µs")
    if cel_rows:
        print(f"cel-python on the same {len(cel_rows)} arithmetic rules: "
              f"{summary['cel_speedup_min']}× to {max(r['speedup'] for r in cel_rows)}× slower "
              f"(median {summary['cel_speedup_median']}×)")
    else:
        print("cel-python not installed: pip install cel-python for the CEL comparison")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
