"""Batch runs: files, directories and globs → one :class:`RunResult`, in a deterministic order.

A supervising office checks hundreds of reports at once. Every input is accounted for: a file
that cannot be read becomes a report carrying that problem and never stops the batch. Reports
of the same organ for consecutive years in one batch are paired automatically as ``prev``.
Work is spread over processes (``-j``; default all cores); the compiled rule packs are built
once in the parent and inherited by the forked workers.
"""

from __future__ import annotations

import glob
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from gipcheck.engine.model import Problem, ReportResult, RunResult
from gipcheck.errors import GipcheckError
from gipcheck.load.base import LoadedReport

# Files a directory walk picks up; an explicitly named file is always tried, whatever its name.
REPORT_EXTENSIONS = (".txt", ".md", ".htm", ".html", ".docx", ".doc", ".pdf")
_GLOB_CHARS = set("*?[")


def expand_inputs(args: Sequence[str]) -> list[str]:
    """Expand directories (recursively, report files only) and globs; keep order, drop repeats.

    A name that matches nothing is kept, so that it is reported as unreadable rather than lost."""
    out: list[str] = []
    seen: set[str] = set()

    def add(p: str) -> None:
        if p not in seen:
            seen.add(p)
            out.append(p)

    for arg in args:
        if os.path.isdir(arg):
            for root, dirs, files in os.walk(arg):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if f.lower().endswith(REPORT_EXTENSIONS) and not f.startswith("."):
                        add(os.path.join(root, f))
        elif _GLOB_CHARS & set(arg):
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                add(arg)
            for m in matches:
                if os.path.isfile(m):
                    add(m)
        else:
            add(arg)
    return out


# Set in the parent before forking; workers inherit it (fork start method).
_WORKER_CHECKER: Any = None


def _check_one(path: str) -> tuple[ReportResult, LoadedReport | None]:
    checker = _WORKER_CHECKER
    try:
        loaded = checker.load(path)
    except GipcheckError as e:
        return ReportResult(source=path, problems=[Problem("load", e.code, e.message(checker.lang))]), None
    except Exception as e:  # noqa: BLE001 — a loader bug must not stop the batch; it is reported
        return ReportResult(source=path, problems=[Problem("load", "INTERNAL",
                                                           f"读取时发生内部错误 / internal error: {type(e).__name__}: {e}")]), None
    result = checker.check(loaded)
    result.source = path
    return result, loaded


def _pair_key(loaded: LoadedReport) -> tuple[str, int] | None:
    meta = loaded.document.get("meta") or {}
    organ, year = meta.get("organ"), meta.get("year")
    if organ and isinstance(year, int):
        return organ, year
    return None


class Progress:
    """A one-line progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.done = total, 0
        self.enabled = enabled and total > 1 and sys.stderr.isatty()

    def step(self, n: int = 1) -> None:
        self.done += n
        if self.enabled:
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            sys.stderr.write(f"\r检查中 [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def _iter_results(paths: list[str], jobs: int) -> Iterator[tuple[ReportResult, LoadedReport | None]]:
    if jobs <= 1 or len(paths) < 4:
        for p in paths:
            yield _check_one(p)
        return
    ctx = multiprocessing.get_context("fork")
    chunk = max(1, min(64, len(paths) // (jobs * 8) or 1))
    with ctx.Pool(processes=jobs) as pool:
        yield from pool.imap(_check_one, paths, chunksize=chunk)


def run_batch(inputs: Sequence[str], *, rule_dirs: Sequence[str | Path] = (), prev: str | None = None,
              lang: str = "zh", region: str | None = None, strict_plugins: bool = False, jobs: int = 0,
              profile: str | None = None, config: str | None = None, no_suppressions: bool = False,
              progress: str | None = "auto", checker: Any = None,
              on_result: Callable[[ReportResult], None] | None = None) -> RunResult:
    """Check every input; see the module docstring. ``jobs=0`` means all cores."""
    global _WORKER_CHECKER
    from gipcheck.api import Checker

    checker = checker or Checker(rule_dirs=rule_dirs, strict_plugins=strict_plugins, region=region, lang=lang)
    settings = None
    try:
        from gipcheck.config import load_config
    except ImportError:  # configuration support not installed in this build
        load_config = None  # type: ignore[assignment]
    if load_config is not None:
        settings = load_config(config, profile=profile)

    paths = expand_inputs(inputs)
    jobs = jobs or os.cpu_count() or 1
    _WORKER_CHECKER = checker
    bar = Progress(len(paths), enabled=progress == "auto")
    results: list[ReportResult] = []
    loaded_by_index: dict[int, LoadedReport] = {}
    try:
        for i, (result, loaded) in enumerate(_iter_results(paths, jobs)):
            results.append(result)
            if loaded is not None:
                loaded_by_index[i] = loaded
            bar.step()
    finally:
        bar.close()
        _WORKER_CHECKER = None

    # Year over year: an explicit --prev applies to every report; otherwise pair within the batch.
    if prev is not None:
        for i, loaded in loaded_by_index.items():
            results[i] = _recheck(checker, loaded, prev, paths[i])
    else:
        by_key = {k: i for i, lr in loaded_by_index.items() if (k := _pair_key(lr))}
        for i, loaded in loaded_by_index.items():
            key = _pair_key(loaded)
            if key and (key[0], key[1] - 1) in by_key:
                j = by_key[(key[0], key[1] - 1)]
                results[i] = _recheck(checker, loaded, loaded_by_index[j], paths[i])
                results[i].notes.append({"code": "PREV_PAIRED", "level": "info",
                                         "zh": f"已与同一机关上一年度年报配对：{paths[j]}",
                                         "en": f"paired with the previous year's report {paths[j]}"})

    if settings is not None:
        for r in results:
            settings.apply(r, no_suppressions=no_suppressions)
    if on_result:
        for r in results:
            on_result(r)
    run = RunResult(reports=results, problems=list(checker.problems))
    if settings is not None:
        run.problems.extend(settings.run_problems(run))
    return run


def _recheck(checker: Any, loaded: LoadedReport, prev: Any, path: str) -> ReportResult:
    result = checker.check(loaded, prev=prev)
    result.source = path
    return result
