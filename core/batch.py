"""Batch runs: files, directories and globs → one :class:`RunResult`, in a deterministic order.

A supervising office checks hundreds of reports at once. Every input is accounted for: a file
that cannot be read becomes a report carrying that problem and never stops the batch. Reports
of the same organ for consecutive years in one batch are paired automatically as ``prev``.
Work is spread over processes (``-j``; default all cores); the compiled rule packs are built
once in the parent and inherited by the forked workers, with the tasks themselves: the parent
sends each worker only chunk numbers, over a pipe, and reads back each chunk's results.
"""

from __future__ import annotations

import contextlib
import gc
import glob
import os
import signal
import sys
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from pathlib import Path
from typing import Any

from gipcheck.engine.model import Problem, RenderedReport, ReportResult, RunResult, meta_of
from gipcheck.errors import GipcheckError

# Files a directory walk picks up; an explicitly named file is always tried, whatever its name.
REPORT_EXTENSIONS = (".txt", ".md", ".htm", ".html", ".docx", ".doc", ".pdf")
_GLOB_CHARS = set("*?[")
# Project documentation beside reports in a folder is not a report (named explicitly, it is tried).
_DOC_NAMES = ("readme", "sources", "changelog", "license")


def _is_doc(name: str) -> bool:
    return name.lower().split(".")[0] in _DOC_NAMES


def _identity(path: str) -> tuple[Any, ...]:
    """What makes two names one file: its device and inode (``a.txt``, ``./a.txt``, a link to
    it), or, for a name that does not exist, its absolute normalised form."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        st = None
    if st is None or not st.st_ino:  # some file systems (FAT, a few network mounts) report no inode
        try:
            return ("path", os.path.normcase(os.path.abspath(path)))
        except OSError:  # the working directory was deleted under the run
            return ("path", os.path.normpath(path))
    return ("file", st.st_dev, st.st_ino)


def _glob(pattern: str) -> list[str]:
    """``glob.glob`` — except that ``**`` does not descend into symlinked folders: Python's glob
    follows them, and a link back up (``sub/up -> ..``) makes it run for ever."""
    if "**" not in pattern:
        return sorted(glob.glob(pattern, recursive=True))
    anchor, rest = ("/", pattern.lstrip("/")) if os.path.isabs(pattern) else (".", pattern)
    def dotted(parts: Sequence[str]) -> bool:
        return any(part.startswith(".") and part not in (".", "..") for part in parts)

    hidden = dotted(rest.split("/"))
    out = []
    try:
        for m in Path(anchor).glob(rest):  # pathlib (3.11, 3.12) does not follow links at **
            if hidden or not dotted(m.relative_to(anchor).parts):  # as glob: no dot-names unless asked
                out.append(str(m))
    except (OSError, ValueError):  # an unreadable folder on the way, a malformed pattern
        return sorted(glob.glob(pattern))
    return sorted(out)


def expand_inputs(args: Sequence[str], exclude: Sequence[str] = (),
                  errors: dict[str, str] | None = None) -> list[str]:
    """Expand directories (recursively, report files only) and globs; keep order, drop repeats
    (the same file under two names is checked once). A name that exists is taken as it is, even
    with glob characters in it (``年报[2023].txt``). ``exclude``: files never to pick up from a
    folder or glob (the output file of the run).

    A name that matches nothing is kept, so that it is reported as unreadable rather than lost; so
    is a folder that cannot be listed (its reports would be lost), with why in ``errors``."""
    out: list[str] = []
    seen: set[tuple[Any, ...]] = {_identity(x) for x in exclude if os.path.exists(x)}

    def add(p: str) -> None:
        key = _identity(p)
        if key not in seen:
            seen.add(key)
            out.append(p)

    def unlistable(e: OSError) -> None:
        where = e.filename if isinstance(e.filename, str) else str(e.filename)
        if errors is not None:
            errors[where] = e.strerror or str(e)
        add(where)

    def walk(directory: str) -> None:
        for root, dirs, files in os.walk(directory, onerror=unlistable):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for f in sorted(files):
                if f.lower().endswith(REPORT_EXTENSIONS) and not f.startswith(".") and not _is_doc(f):
                    add(os.path.join(root, f))

    for arg in args:
        if os.path.isdir(arg):
            walk(arg)
        elif _GLOB_CHARS & set(arg) and not os.path.lexists(arg):
            matches = _glob(arg)
            if not matches:
                add(arg)
            for m in matches:
                # a matched folder is walked; anything else that is not a regular file (a dangling
                # link, a pipe) is kept so that it is reported, never silently dropped
                walk(m) if os.path.isdir(m) else add(m)
        else:
            add(arg)
    return out


# Set in the parent before forking; workers inherit it (os.fork) instead of receiving a pickled
# Checker, and send back only slim results (see :func:`slim`) or rendered ones.
_WORKER_CHECKER: Any = None
_WORKER_SLIM = True
_WORKER_KEEP_TEXT = True
# (format, render_report, options): render each report's part of the output in the worker. The
# options carry the run's rule catalogue ("rules") and, per report, its place in the run ("index").
_WORKER_RENDER: tuple[str, Callable[[ReportResult, dict[str, Any]], str], dict[str, Any]] | None = None
_WORKER_INDEX: dict[str, int] = {}  # each input's place in the run (paths are unique), for "index"

PairKey = tuple[str, int]


def slim(result: ReportResult, keep_text: bool = True) -> ReportResult:
    """Keep what reporters use: ``meta`` of the document, the text (HTML shows it), and the
    locations findings point at — not the whole document and every cell's location, which cost
    more to send between processes than to recompute."""
    if not keep_text:
        result.text = None
    if result.document is not None:
        result.document = {"meta": meta_of(result.document)}
    if result.locations:
        used: dict[str, None] = {}  # ordered, for a deterministic result
        for f in result.findings:  # each pointer and its ancestors (a sentence's section, a cell's row)
            for loc in f.locations:
                p = str(loc.get("pointer") or "")
                while p and p not in used:
                    used[p] = None
                    p = p.rsplit("/", 1)[0]
        locations = result.locations  # thousands of cells: look the few used ones up, not the reverse
        result.locations = {k: locations[k] for k in used if k in locations}
    return result


def _finish(result: ReportResult) -> ReportResult:
    """What a worker sends back: the report rendered ahead, or its slim form."""
    if _WORKER_RENDER is not None:
        fmt, render_report, options = _WORKER_RENDER
        at = _WORKER_INDEX.get(result.source)
        try:
            piece = render_report(result, options if at is None else {**options, "index": at})
            return RenderedReport.of(result, {fmt: piece})
        except Exception:  # noqa: BLE001 — a reporter bug surfaces where the parent renders, not here
            pass
    return slim(result, _WORKER_KEEP_TEXT) if _WORKER_SLIM else result


def _pair_key(document: dict[str, Any] | None) -> PairKey | None:
    meta = meta_of(document)
    organ, year = meta.get("organ"), meta.get("year")
    if isinstance(organ, str) and organ and isinstance(year, int) and not isinstance(year, bool):
        return organ, year
    return None


def _unreadable(path: str, code: str, message: str) -> ReportResult:
    return ReportResult(source=path, problems=[Problem("load", code, message)])


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def prev_same_note() -> dict[str, str]:
    """The warning of a report given as its own previous year's report (also used by explain)."""
    return {"code": "PREV_SAME", "level": "warning",
            "zh": "上一年度年报（--prev）就是本年报自身，未作上下年度比较",
            "en": "the previous year's report (--prev) is this report itself; "
                  "no year-over-year comparison was made"}


def _check_one(task: tuple[str, str | None]) -> tuple[ReportResult, PairKey | None]:
    """Load and check one file (with its previous-year report when paired); never raises."""
    path, prev = task
    checker = _WORKER_CHECKER
    try:
        loaded = checker.load(path)
    except GipcheckError as e:
        if e.code == "PLUGIN_STRICT":  # --strict-plugins: the parent ends the run (exit 2)
            return _finish(ReportResult(source=path, problems=[Problem("plugin", e.code, e.message(checker.lang),
                                                                       {"zh": e.zh, "en": e.en})])), None
        return _finish(_unreadable(path, e.code, e.message(checker.lang))), None
    except Exception as e:  # noqa: BLE001 — a loader bug must not stop the batch; it is reported
        return _finish(_unreadable(path, "INTERNAL", f"读取时发生内部错误 / internal error: "
                                                     f"{type(e).__name__}: {e}")), None
    key = _pair_key(loaded.document)
    same = prev is not None and _same_file(path, prev)
    if same:
        prev = None  # a report compared with itself would show every year-over-year check as passed
    try:
        result = checker.check(loaded, prev=prev)
    except GipcheckError as e:  # e.g. a plugin failure under --strict-plugins: this report only
        result = ReportResult(source=path, document=loaded.document, text=loaded.text,
                              problems=[Problem("plugin" if "PLUGIN" in e.code else "rule", e.code,
                                                e.message(checker.lang))])
    except Exception as e:  # noqa: BLE001
        result = ReportResult(source=path, document=loaded.document, text=loaded.text,
                              problems=[Problem("rule", "INTERNAL", f"检查时发生内部错误 / internal error: "
                                                                    f"{type(e).__name__}: {e}")])
    result.source = path
    if same:
        result.notes.append(prev_same_note())
    elif prev is not None and not any(p.kind == "load" for p in result.problems):  # only when it was read
        result.notes.append({"code": "PREV_PAIRED", "level": "info",
                             "zh": f"已与同一机关上一年度年报配对：{prev}",
                             "en": f"paired with the previous year's report {prev}"})
    return _finish(result), key


class Progress:
    """A one-line progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, total: int, enabled: bool, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        self.total, self.done = total, 0
        self.enabled = enabled and total > 1 and self.stream.isatty()
        self._shown = -1

    def step(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        if filled == self._shown and self.done != self.total and self.done % 50:
            return  # redraw only when the bar moves, to keep a fast batch fast
        self._shown = filled
        self.stream.write(f"\r检查中 [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


def _check_many(tasks: list[tuple[str, str | None]]) -> list[tuple[ReportResult, PairKey | None]]:
    return [_check_one(t) for t in tasks]


def _chunks(tasks: list[tuple[str, str | None]], jobs: int) -> list[list[tuple[str, str | None]]]:
    """Guided scheduling: large chunks first (each round trip costs the parent CPU time that the
    workers would use), shrinking towards the end so that every core finishes at about once."""
    out, i = [], 0
    while i < len(tasks):
        n = max(1, min(32, (len(tasks) - i) // (jobs * 4)))
        out.append(tasks[i:i + n])
        i += n
    return out


class Terminated(BaseException):
    """The run was asked to stop (SIGTERM, as a CI job being cancelled) while workers were running."""


def _on_sigterm(_signum: int, _frame: Any) -> None:
    raise Terminated


def _worker_init() -> None:
    # Ctrl-C reaches the whole process group: only the parent handles it (it ends the workers). A
    # worker that took it would print a traceback and lose its chunk.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent ends its workers with SIGTERM: just go


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_exact(fd: int, n: int) -> bytearray | None:
    """``n`` bytes from the pipe, or ``None`` at its end (the other side is gone)."""
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        k = os.readv(fd, [view[got:]])
        if not k:
            return None
        got += k
    return buf


_PIPE_SIZE = 1 << 20  # the most an unprivileged process may ask for, by default
_HEAD_SIZE = 12  # a worker's answer: its chunk number (4 bytes) and the length of the pickled results (8)


def _worker_loop(chunks: list[list[tuple[str, str | None]]], task_r: int, result_w: int) -> None:
    """A forked worker: read chunk numbers until the parent closes the pipe; answer each with
    the chunk's results. The tasks themselves came with the fork, so nothing else is sent."""
    import pickle

    while (raw := _read_exact(task_r, 4)) is not None:
        i = int.from_bytes(raw, "little")
        try:
            answer: tuple[bool, Any] = (True, _check_many(chunks[i]))
        except BaseException as e:  # noqa: BLE001 — raised again in the parent, as a pool does
            answer = (False, e)
        try:
            data = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
        except Exception as e:  # noqa: BLE001 — an unpicklable exception: its text then
            data = pickle.dumps((False, RuntimeError(f"{type(e).__name__}: {e}")), pickle.HIGHEST_PROTOCOL)
        _write_all(result_w, i.to_bytes(4, "little") + len(data).to_bytes(8, "little") + data)


def _lost(chunk: list[tuple[str, str | None]], status: int | None) -> list[tuple[ReportResult, PairKey | None]]:
    """The results of a chunk whose worker ended before answering (killed, out of memory)."""
    how = f"signal {os.WTERMSIG(status)}" if status is not None and os.WIFSIGNALED(status) else "exit"
    return [(_unreadable(path, "INTERNAL", f"检查时发生内部错误 / internal error: 检查进程意外结束 / "
                                           f"the worker process ended ({how})"), None) for path, _prev in chunk]


class _Worker:
    def __init__(self, pid: int, task_w: int, result_r: int) -> None:
        self.pid, self.task_w, self.result_r = pid, task_w, result_r
        self.pending: list[int] = []  # chunk numbers sent and not yet answered
        self.status: int | None = None  # its wait status, once reaped

    def send(self, i: int) -> bool:
        try:
            _write_all(self.task_w, i.to_bytes(4, "little"))
        except OSError:  # it is gone: its end of the pipe is closed
            return False
        self.pending.append(i)
        return True

    def reap(self, block: bool) -> None:
        if self.status is None:
            try:
                pid, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
            except ChildProcessError:
                pid, status = self.pid, 0
            if pid:
                self.status = status


def _flush_std_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass


def _fork_workers(chunks: list[list[tuple[str, str | None]]], n: int) -> list[_Worker]:
    import fcntl  # here: POSIX only, as fork is

    workers: list[_Worker] = []
    ours: list[int] = []  # the parent's pipe ends so far: a new worker must not hold them open
    _flush_std_streams()  # else what the parent has buffered would be written once more by each worker
    for _ in range(n):
        task_r, task_w = os.pipe()
        result_r, result_w = os.pipe()
        # Room for a whole chunk's answer (Linux): the worker writes it and goes on at once instead
        # of waiting, 64 KiB at a time, for a parent that competes with it for the same cores.
        with contextlib.suppress(OSError, AttributeError):
            fcntl.fcntl(result_w, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
        pid = os.fork()
        if pid == 0:  # the worker: it never returns into the parent's code
            code = 0
            try:
                _worker_init()
                for fd in (*ours, task_w, result_r):
                    os.close(fd)
                _worker_loop(chunks, task_r, result_w)
            except BaseException:  # noqa: BLE001 — the parent sees the pipe close and reports the loss
                code = 1
            finally:
                _flush_std_streams()  # what a plugin printed in the worker
                os._exit(code)  # no exit handlers or buffered output of the parent's, run or written twice
        os.close(task_r)
        os.close(result_w)
        ours += (task_w, result_r)
        workers.append(_Worker(pid, task_w, result_r))
    return workers


def _fork_map(chunks: list[list[tuple[str, str | None]]], workers: list[_Worker]
              ) -> Generator[list[tuple[ReportResult, PairKey | None]], None, None]:
    """Each chunk's results, in order, from the forked ``workers``. Chunks are handed out as
    workers answer (two in hand each, so that none waits for the parent). A worker that ends
    early loses the chunk it was checking, reported as internal errors; the one it had not begun
    goes to another. Closed before its end (an error, Ctrl-C, SIGTERM), it ends the workers."""
    import pickle
    import selectors
    from collections import deque

    done: dict[int, list[tuple[ReportResult, PairKey | None]]] = {}
    todo = deque(range(len(chunks)))  # chunks not handed out yet
    finished = False
    sel = selectors.DefaultSelector()

    def hand_out(w: _Worker) -> None:
        if todo and w.send(todo[0]):
            todo.popleft()

    try:
        for w in workers:
            sel.register(w.result_r, selectors.EVENT_READ, w)
            hand_out(w)
            hand_out(w)
        for want in range(len(chunks)):
            while want not in done:
                if not sel.get_map():  # every worker is gone: what was never handed out is lost too
                    while todo:
                        i = todo.popleft()
                        done[i] = _lost(chunks[i], None)
                    continue
                for key, _ev in sel.select():
                    w = key.data
                    head = _read_exact(w.result_r, _HEAD_SIZE)
                    data = None if head is None else _read_exact(w.result_r, int.from_bytes(head[4:], "little"))
                    if head is None or data is None:  # the worker ended while checking its first chunk in hand
                        sel.unregister(w.result_r)
                        w.reap(block=True)
                        if w.pending:
                            done[w.pending[0]] = _lost(chunks[w.pending[0]], w.status)
                            todo.extendleft(reversed(w.pending[1:]))
                        w.pending.clear()
                        for k in sel.get_map().values():  # a worker with nothing left in hand takes them
                            while todo and len(k.data.pending) < 2 and k.data.send(todo[0]):
                                todo.popleft()
                        continue
                    i = int.from_bytes(head[:4], "little")
                    w.pending.remove(i)
                    hand_out(w)  # the next one first: the worker goes on meanwhile
                    ok, value = pickle.loads(data)
                    if not ok:
                        raise value
                    done[i] = value
            yield done.pop(want)
        finished = True
    finally:
        sel.close()
        _end_workers(workers, kill=not finished)


def _end_workers(workers: list[_Worker], kill: bool) -> None:
    """Close the pipes (a worker waiting for its next chunk then leaves), end the workers still
    busy when the run stops early, and reap them all."""
    for w in workers:
        for fd in (w.task_w, w.result_r):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        w.task_w = w.result_r = -1  # closed once: a later call must not close a reused number
    for w in workers:
        if kill:
            w.reap(block=False)
            if w.status is None:
                try:
                    os.kill(w.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        w.reap(block=True)


def _iter_results(tasks: list[tuple[str, str | None]], jobs: int
                  ) -> Iterator[tuple[ReportResult, PairKey | None]]:
    parallel = jobs > 1 and len(tasks) >= 4 and hasattr(os, "fork")
    # The first report is checked here, before forking: what the loaders and the engine build on
    # first use (patterns, gazetteer, validator) is then built once and inherited by every worker,
    # not once in each. An unreadable file builds little, so up to three are tried.
    head = 0
    while head < len(tasks) and (not parallel or head < 3):
        first = _check_one(tasks[head])
        head += 1
        yield first
        if parallel and first[0].readable:
            break
    tasks = tasks[head:]
    if len(tasks) < 3:  # forking costs more than checking so few here
        for t in tasks:
            yield _check_one(t)
        return
    # The parent's objects (compiled packs, plugins) stay out of the workers' garbage collections,
    # which would otherwise touch — and so copy — every page of them.
    gc.freeze()
    main_thread = threading.current_thread() is threading.main_thread()
    term_set, old_term = False, None
    chunks = _chunks(tasks, jobs)
    workers: list[_Worker] = []
    results = None
    try:
        # The workers are forked with Ctrl-C ignored from their first instruction (a Ctrl-C while
        # they start would otherwise kill one before it is ready); the parent takes Ctrl-C again
        # as soon as they exist.
        old_int = signal.signal(signal.SIGINT, signal.SIG_IGN) if main_thread else None
        try:
            workers = _fork_workers(chunks, min(jobs, len(tasks)))
        finally:
            if main_thread:
                signal.signal(signal.SIGINT, old_int if old_int is not None else signal.default_int_handler)
        # SIGTERM would kill the parent at once and leave the workers running: turn it into an
        # exception that ends them first.
        if main_thread:
            old_term, term_set = signal.signal(signal.SIGTERM, _on_sigterm), True
        results = _fork_map(chunks, workers)
        for chunk in results:
            yield from chunk
    finally:
        if results is not None:
            results.close()  # stopped early: the workers are ended
        _end_workers(workers, kill=True)  # those a generator never started did not end (else nothing left)
        if term_set:  # a handler set outside Python reads back as None: the default then
            signal.signal(signal.SIGTERM, old_term if old_term is not None else signal.SIG_DFL)
        gc.unfreeze()


def rule_catalog(packs: Sequence[Any]) -> dict[str, dict[str, Any]]:
    """Every rule of the run with its Chinese and English title, for the reporters."""
    return {r.id: {"title": dict(r.title), "severity": r.severity, "basis": r.basis, "pack": p.name,
                   "section": r.section, "file": r.file, "line": r.line}
            for p in packs for r in p.rules}


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def max_jobs() -> int:
    """The most worker processes a run starts: checking is CPU-bound, and ``-j 10000`` must not
    fork thousands of processes (each a copy of the parent) for no gain."""
    return 4 * default_jobs()


def run_batch(inputs: Sequence[str], *, rule_dirs: Sequence[str | Path] = (), prev: str | None = None,
              lang: str = "zh", region: str | None = None, strict_plugins: bool = False, jobs: int | None = None,
              profile: str | None = None, config: str | None = None, no_suppressions: bool = False,
              progress: str | None = "auto", checker: Any = None, settings: Any = None, full: bool = True,
              keep_text: bool = True, on_result: Callable[[ReportResult], None] | None = None,
              render: tuple[str, dict[str, Any]] | None = None, exclude: Sequence[str] = ()) -> RunResult:
    """Check every input; see the module docstring. ``jobs`` 0 or None: the configuration's
    ``jobs`` or all cores. ``full=False`` keeps only what reporters need of each document
    (:func:`slim`; ``keep_text=False`` drops the report text too, which only HTML shows).
    ``settings``: an already loaded configuration (else ``config``/``profile``).

    ``render``: ``(format, options)`` the run will be rendered with and nothing else. When that
    format's reporter can render one report at a time (a ``render_report`` attribute on its render
    function) and the configuration changes no result, each report comes back already rendered
    (a :class:`~gipcheck.engine.model.RenderedReport`), in the workers, in parallel."""
    global _WORKER_CHECKER, _WORKER_SLIM, _WORKER_KEEP_TEXT, _WORKER_RENDER, _WORKER_INDEX
    from gipcheck.api import checker as cached_checker
    from gipcheck.config import load_config

    if settings is None:
        settings = load_config(config, profile=profile, lang=lang)
    if checker is None:
        dirs = [*settings.option("rules"), *rule_dirs]
        # the cached checker: the reporter lookup after the run uses the same plugins
        checker = cached_checker(rule_dirs=dirs, strict_plugins=strict_plugins,
                                 region=region or settings.option("region"), lang=lang,
                                 config=settings.plugin_table)
    settings.known_rules = {r.id for p in checker.packs for r in p.rules}

    walk_errors: dict[str, str] = {}
    paths = expand_inputs(inputs, exclude, walk_errors)
    jobs = min(jobs or settings.option("jobs") or default_jobs(), max_jobs())
    _WORKER_CHECKER, _WORKER_SLIM, _WORKER_KEEP_TEXT = checker, not full, keep_text
    _WORKER_RENDER = None
    catalog = rule_catalog(checker.packs)  # the run's rules, which pieces rendered ahead refer to
    if render is not None and on_result is None and not settings.changes_results:
        from gipcheck.api import find_reporter

        render_report = getattr(find_reporter(render[0], using=checker), "render_report", None)
        if render_report is not None:
            _WORKER_RENDER = (render[0], render_report, {**render[1], "rules": catalog})
            _WORKER_INDEX = {p: i for i, p in enumerate(paths)}
    bar = Progress(len(paths), enabled=progress == "auto")
    results: list[ReportResult] = []
    keys: list[PairKey | None] = []
    try:
        for result, key in _iter_results([(p, prev) for p in paths], jobs):
            results.append(result)
            keys.append(key)
            bar.step()
        # Year over year within the batch (unless --prev names one report for all): re-check each
        # report whose organ has the previous year's report in the batch, in parallel again.
        if prev is None:
            by_key: dict[PairKey, int] = {}
            for i, k in enumerate(keys):
                if k is not None:
                    by_key.setdefault(k, i)  # the first of duplicates, for a deterministic pairing
            redo = [(i, paths[by_key[(k[0], k[1] - 1)]]) for i, k in enumerate(keys)
                    if k is not None and (k[0], k[1] - 1) in by_key]
            if redo:
                again = _iter_results([(paths[i], p) for i, p in redo], jobs)
                for (i, _p), (result, _k) in zip(redo, again, strict=True):
                    results[i] = result
    finally:
        bar.close()
        _WORKER_CHECKER, _WORKER_RENDER, _WORKER_INDEX = None, None, {}

    for i, path in enumerate(paths):
        if path in walk_errors:  # a folder that could not be listed: its reports were not seen
            why = walk_errors[path]
            results[i] = _unreadable(path, "IO", f"无法列出文件夹中的文件：{path}（{why}）" if lang == "zh"
                                     else f"cannot list the files of the folder {path} ({why})")
    for r in results:
        for p in r.problems:
            if p.code == "PLUGIN_STRICT":
                raise GipcheckError(p.code, p.detail.get("zh", p.message), p.detail.get("en", p.message))

    for r in results:
        settings.apply(r, no_suppressions=no_suppressions)
    if on_result:
        for r in results:
            on_result(r)
    run = RunResult(reports=results, problems=list(checker.problems), rules=catalog)
    if not paths:
        shown = "、".join(inputs) or "—"
        kinds = " ".join(REPORT_EXTENSIONS)
        run.problems.append(Problem("input", "NO_REPORTS", f"没有找到可检查的年报文件（{shown}；支持 {kinds}）"
                                    if lang == "zh" else f"no report files found ({', '.join(inputs)}; "
                                    f"supported: {kinds})"))
    run.problems.extend(settings.run_problems(run, no_suppressions=no_suppressions))
    return run
