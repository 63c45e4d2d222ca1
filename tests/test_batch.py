"""Batch runs: inputs expanded in a stable order, every file accounted for, pairing by organ and
year, the same output whatever the number of processes."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

from _reporting import checker, seeds

from gipcheck.batch import Progress, expand_inputs, run_batch
from gipcheck.config import Settings
from gipcheck.report import get_reporter


def batch(inputs, **kw):
    kw.setdefault("settings", Settings())
    return run_batch([str(i) for i in inputs], checker=checker(), progress=None, **kw)


def test_expand_dirs_globs_and_missing_names(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    for name in ("b/2.txt", "b/1.txt", "a.pdf", "notes.xlsx", ".hidden/x.txt", "b/.x.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    got = expand_inputs([str(tmp_path), str(tmp_path / "b" / "*.txt"), str(tmp_path / "nope-*.txt"),
                         str(tmp_path / "gone.txt")])
    rel = [os.path.relpath(p, tmp_path) for p in got]
    assert rel == ["a.pdf", "b/1.txt", "b/2.txt", "nope-*.txt", "gone.txt"]


def test_thousand_reports_and_unreadable_files_all_accounted_for_in_order(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    src = seeds()
    for i in range(1000):
        shutil.copyfile(src[i % len(src)], (a if i < 500 else b) / f"r{i:04d}.txt")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 64)
    inputs = [a, tmp_path / "empty.txt", b, tmp_path / "binary.txt", tmp_path / "missing.txt"]
    run = batch(inputs, jobs=2, full=False)
    expected = ([str(a / f"r{i:04d}.txt") for i in range(500)] + [str(tmp_path / "empty.txt")]
                + [str(b / f"r{i:04d}.txt") for i in range(500, 1000)]
                + [str(tmp_path / "binary.txt"), str(tmp_path / "missing.txt")])
    assert [r.source for r in run.reports] == expected
    assert run.summary()["reports"] == 1003 and run.summary()["unreadable"] == 3
    codes = {r.source.rsplit("/", 1)[-1]: r.problems[0].code for r in run.reports if not r.readable}
    assert codes == {"empty.txt": "EMPTY", "binary.txt": "BINARY", "missing.txt": "IO"}
    # Copies of the same seed give the same verdict wherever they fall in the batch.
    by_seed: dict[int, set[tuple[str, ...]]] = {}
    readable = [r for r in run.reports if r.readable]
    for i, r in enumerate(readable):
        by_seed.setdefault(i % len(src), set()).add(tuple(sorted(f.rule for f in r.findings)))
    assert all(len(v) == 1 for v in by_seed.values())
    data = json.loads(get_reporter("json")(run, {}))
    assert len(data["reports"]) == 1003


def test_same_output_with_one_or_two_processes(tmp_path):
    for i, p in enumerate(seeds() * 2):
        shutil.copyfile(p, tmp_path / f"{i:02d}_{p.name}")
    one = get_reporter("json")(batch([tmp_path], jobs=1, full=False), {})
    two = get_reporter("json")(batch([tmp_path], jobs=2, full=False), {})
    assert one == two


def _shift_year(text: str) -> str:
    """The same organ's report one year earlier (every year and date moved back by one)."""
    for y in ("2023", "2024", "2025"):
        text = text.replace(y, str(int(y) - 1))
    return text


def test_consecutive_years_of_one_organ_are_paired_as_prev(tmp_path):
    seed = next(p for p in seeds() if p.name.startswith("000_"))
    cur = tmp_path / "清徐县2024.txt"
    old = tmp_path / "清徐县2023.txt"
    shutil.copyfile(seed, cur)
    old.write_text(_shift_year(seed.read_text(encoding="utf-8")), encoding="utf-8")
    other = next(p for p in seeds() if p.name.startswith("001_"))
    run = batch([cur, other, old], jobs=1, full=True)
    r_cur, r_other, r_old = run.reports
    assert r_cur.document["meta"]["year"] == 2024 and r_old.document["meta"]["year"] == 2023
    paired = [n for n in r_cur.notes if n.get("code") == "PREV_PAIRED"]
    assert len(paired) == 1 and str(old) in paired[0]["zh"]
    assert not any(n.get("code") == "PREV_PAIRED" for n in r_old.notes + r_other.notes)
    # The batch's pairing gives exactly what naming the previous report explicitly gives.
    explicit = checker().check(str(cur), prev=str(old))
    assert sorted(f.rule for f in r_cur.findings) == sorted(f.rule for f in explicit.findings)
    assert sorted(r_cur.passed) == sorted(explicit.passed)
    alone = checker().check(str(cur))
    yoy = {r for r in (*explicit.passed, *(f.rule for f in explicit.findings)) if r.startswith("Y-")}
    assert yoy, "year-over-year rules decided with prev"
    assert sorted(r_cur.passed) != sorted(alone.passed) or \
        sorted(f.rule for f in r_cur.findings) != sorted(f.rule for f in alone.findings)


def test_slim_results_keep_what_reporters_need(tmp_path):
    run = batch(seeds()[:2], jobs=1, full=False)
    for r in run.reports:
        assert set(r.document) == {"meta"} and r.text
        used = {loc["pointer"] for f in r.findings for loc in f.locations}
        assert set(r.locations) <= {p for u in used for p in _ancestors(u)}


def _ancestors(p: str) -> list[str]:
    out = []
    while p:
        out.append(p)
        p = p.rsplit("/", 1)[0]
    return out


def test_progress_bar_only_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        bar = Progress(200, enabled=True, stream=stream)
        for _ in range(200):
            bar.step()
        bar.close()
    assert pipe.getvalue() == ""
    out = tty.getvalue()
    assert "200/200" in out and out.endswith("\n") and out.count("\r") <= 60


def test_cli_batch_exit_code_and_formats(tmp_path, capsys):
    from gipcheck.cli import main

    for p in seeds()[:2]:
        shutil.copyfile(p, tmp_path / p.name)
    (tmp_path / "empty.txt").write_bytes(b"")
    code = main(["check", str(tmp_path), "--format", "csv", "-j", "2", "--no-progress",
                 "-o", str(tmp_path / "out.csv")])
    assert code == 3  # an input could not be read; the others were still checked
    raw = (tmp_path / "out.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = raw.decode("utf-8-sig").strip().split("\r\n")
    assert len(rows) == 1 + 3
    assert main(["check", str(tmp_path), "--format", "nope", "--no-progress"]) == 2
    assert "nope" in capsys.readouterr().err


def test_negative_jobs_is_a_usage_error(capsys):
    from gipcheck.cli import main

    assert main(["check", str(seeds()[0]), "-j", "-1", "--no-progress"]) == 2
    assert "-j" in capsys.readouterr().err


def test_reports_rendered_in_the_workers_match_the_parents_rendering(tmp_path):
    for i, p in enumerate(seeds() * 2):
        shutil.copyfile(p, tmp_path / f"{i:02d}_{p.name}")
    (tmp_path / "empty.txt").write_bytes(b"")
    for fmt in ("json", "text", "csv"):
        options = {"lang": "en", "color": fmt == "text"}
        plain = batch([tmp_path], jobs=2, full=False)
        ahead = batch([tmp_path], jobs=2, full=False, render=(fmt, options))
        assert all(fmt in r.pieces for r in ahead.reports), fmt  # rendered in the workers indeed
        assert get_reporter(fmt)(ahead, options) == get_reporter(fmt)(plain, options), fmt
        assert ahead.summary() == plain.summary()
    # JSON layout: an indented envelope with each report on one line.
    lines = get_reporter("json")(ahead, {}).splitlines()
    assert lines[:3] == ["{", ' "version": "1.0",', ' "reports": [']
    assert [json.loads(x.rstrip(","))["source"] for x in lines[3:3 + len(ahead.reports)]] == \
        [r.source for r in ahead.reports]


def test_a_configuration_that_changes_results_is_applied_before_rendering(tmp_path):
    from gipcheck.config import load_config

    for i, p in enumerate(seeds()):
        shutil.copyfile(p, tmp_path / f"{i:02d}_{p.name}")
    plain = batch([tmp_path], jobs=2, full=False)
    rule = next(f.rule for r in plain.reports for f in r.findings)
    (tmp_path / "gipcheck.toml").write_text(f'[[suppressions]]\nrule = "{rule}"\nreason = "测试"\n',
                                            encoding="utf-8")
    settings = load_config(cwd=tmp_path)
    run = batch([tmp_path], jobs=2, full=False, settings=settings, render=("json", {}))
    data = json.loads(get_reporter("json")(run, {}))
    assert all(f.get("suppressed") for r in data["reports"] for f in r["findings"] if f["rule"] == rule)
    assert any(f["rule"] == rule for r in data["reports"] for f in r["findings"])


def test_nothing_to_check_is_exit_3_and_glob_matches_are_never_dropped(tmp_path: Path) -> None:
    """An empty folder is reported, not a silent success; a glob's folders are walked and its
    dangling links are reported as unreadable."""
    from gipcheck import api

    empty = tmp_path / "empty"
    empty.mkdir()
    run = api.check_paths([str(empty)], jobs=1, progress=None)
    assert run.reports == [] and api.exit_code(run) == 3
    assert [p.code for p in run.problems if p.kind == "input"] == ["NO_REPORTS"]

    (tmp_path / "g" / "sub").mkdir(parents=True)
    (tmp_path / "g" / "sub" / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "g" / "dangle.txt").symlink_to(tmp_path / "nowhere")
    run = api.check_paths([str(tmp_path / "g" / "*")], jobs=1, progress=None)
    assert [Path(r.source).name for r in run.reports] == ["dangle.txt", "a.txt"]
    assert all(not r.readable for r in run.reports) and api.exit_code(run) == 3


def test_a_single_path_string_is_one_input_not_its_characters(tmp_path: Path) -> None:
    from gipcheck import api

    f = tmp_path / "r.txt"
    f.write_text("x", encoding="utf-8")
    assert len(api.check_paths(str(f), jobs=1, progress=None).reports) == 1
    assert len(api.extract_many(str(f))) == 1
    assert api.check("a\x00b.txt").problems[0].code == "IO"


def _eight_reports(tmp_path: Path) -> list[Path]:
    out = []
    for i, p in enumerate(seeds() * 2):
        if len(out) == 8:
            break
        out.append(tmp_path / f"{i:02d}_{p.name}")
        shutil.copyfile(p, out[-1])
    return out


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_worker_that_dies_loses_only_its_reports_and_the_run_ends(tmp_path, monkeypatch):
    """A worker killed mid-batch (out of memory, a crash in a library): its report is an internal
    error, every other report is checked as usual, and no process is left behind."""
    import signal

    from gipcheck import batch as b

    files = _eight_reports(tmp_path)
    parent, real = os.getpid(), b._check_one
    pids = tmp_path / "pids"

    def check_one(task):
        if os.getpid() != parent:
            with open(pids, "a", encoding="utf-8") as f:
                f.write(f"{os.getpid()}\n")
            if task[0] == str(files[3]):
                os.kill(os.getpid(), signal.SIGKILL)
        return real(task)

    monkeypatch.setattr(b, "_check_one", check_one)
    run = batch(files, jobs=2, full=False)
    assert [r.source for r in run.reports] == [str(p) for p in files]
    lost = [r for r in run.reports if not r.readable]
    assert [r.source for r in lost] == [str(files[3])]
    assert lost[0].problems[0].code == "INTERNAL" and "signal 9" in lost[0].problems[0].message
    plain = batch(files, jobs=1, full=False)
    assert [sorted(f.rule for f in r.findings) for i, r in enumerate(run.reports) if i != 3] == \
        [sorted(f.rule for f in r.findings) for i, r in enumerate(plain.reports) if i != 3]
    seen = {int(x) for x in pids.read_text(encoding="utf-8").split()}
    assert len(seen) == 2 and all(_gone(p) for p in seen)


def test_when_every_worker_dies_every_report_is_still_accounted_for(tmp_path, monkeypatch):
    import signal

    from gipcheck import batch as b

    files = _eight_reports(tmp_path)
    parent, real = os.getpid(), b._check_one

    def check_one(task):
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(task)

    monkeypatch.setattr(b, "_check_one", check_one)
    run = batch(files, jobs=2, full=False)
    assert [r.source for r in run.reports] == [str(p) for p in files]
    assert run.reports[0].readable  # the first is checked before forking, to build what workers share
    assert all(r.problems[0].code == "INTERNAL" for r in run.reports[1:])


def test_an_exception_escaping_a_worker_is_raised_in_the_parent(tmp_path, monkeypatch):
    import pytest

    from gipcheck import batch as b

    files = _eight_reports(tmp_path)
    parent, real = os.getpid(), b._check_one

    def check_one(task):
        if os.getpid() != parent:
            raise RuntimeError(f"boom {Path(task[0]).name}")
        return real(task)

    monkeypatch.setattr(b, "_check_one", check_one)
    with pytest.raises(RuntimeError, match="boom"):
        batch(files, jobs=2, full=False)
    with pytest.raises(ChildProcessError):  # every worker was reaped
        os.waitpid(-1, os.WNOHANG)


def test_the_first_readable_report_is_checked_before_forking(tmp_path, monkeypatch):
    """What loaders and engine build on first use is built once, in the parent: the reports up to
    the first readable one are checked there, the rest by the workers, in the same order."""
    from gipcheck import batch as b

    (tmp_path / "00_empty.txt").write_bytes(b"")
    files = [tmp_path / "00_empty.txt", *_eight_reports(tmp_path)]
    parent, real = os.getpid(), b._check_one
    log = tmp_path / "who"

    def check_one(task):
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{Path(task[0]).name} {os.getpid() == parent}\n")
        return real(task)

    monkeypatch.setattr(b, "_check_one", check_one)
    run = batch(files, jobs=2, full=False)
    assert [r.source for r in run.reports] == [str(p) for p in files]
    where = dict(line.split() for line in log.read_text(encoding="utf-8").splitlines())
    assert [where[p.name] for p in files] == ["True", "True"] + ["False"] * 7


def test_the_fast_surrogate_test_agrees_with_the_pattern():
    """Reporters and the output writer test megabytes of a batch's output for lone surrogates (a
    non-UTF-8 file name) with the strict UTF-16 encoder: it must refuse exactly what the pattern finds."""
    import re

    from gipcheck.report._common import has_surrogates, json_safe

    pattern = re.compile("[\ud800-\udfff]")
    samples = ["", "ascii", "年报", "é", "😀", "\U0010ffff", "bad\udcff.txt", "\ud83d\ude00", "a\ud800",
               "\udfff年", "\ufffe\uffff", "x" * 5000 + "\udc80"]
    for s in samples:
        assert has_surrogates(s) == bool(pattern.search(s)), repr(s)
    assert json_safe('{"source":"bad\udcff.txt"}') == '{"source":"bad\\\\xff.txt"}'
