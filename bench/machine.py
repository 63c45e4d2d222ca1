"""A fixed pure-Python workload, printed by every benchmark so that numbers taken on different
machines (or on one machine on a busy day) can be compared: the goals are absolute milliseconds,
and the machines this project is measured on have differed by about 3× in this workload.
"""

from __future__ import annotations

import platform
import sys
import time


def _workload() -> int:
    # the loader's and engine's staple operations: str methods, dict lookups, small calls
    table = {str(i): i for i in range(200)}
    acc = 0
    for i in range(20_000):
        key = str(i % 250)
        acc += table.get(key, 0)
        acc += len("一、本年新收政府信息公开申请数量 | 15 | 1".split("|")[i % 3].strip())
    return acc


def reference_ms(repeat: int = 5) -> float:
    """Best of ``repeat`` timings of the fixed workload, in ms (lower = faster machine)."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        _workload()
        best = min(best, time.perf_counter() - t)
    return best * 1000


def describe() -> str:
    # the interpreter's build moves every number too: this machine's pyenv 3.11.7 (no PGO/LTO,
    # shared libpython) runs this workload in 8.4–9.1 ms when Debian's python3.11 takes 6.4–6.6 ms
    return (f"machine reference (bench/machine.py, fixed pure-Python workload, best of 5): {reference_ms():.1f} ms\n"
            f"interpreter: {platform.python_implementation()} {platform.python_version()} ({sys.executable})")
