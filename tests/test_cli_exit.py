"""The console command leaves without tearing the interpreter down (``gipcheck.cli.run``): what it
wrote arrives whole, its exit code is the run's, and exit handlers still run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from _reporting import seeds

RUN = "import sys; from gipcheck.cli import run; sys.argv[0] = 'gipcheck'; run()"


def _run(*args: str, **kw: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, timeout=180, **kw)  # type: ignore[call-overload]


def test_output_arrives_whole_and_the_exit_code_is_the_runs() -> None:
    p = _run("check", *map(str, seeds()), "--format", "json", "--no-progress")
    assert p.returncode == 1 and p.stderr == b""
    data = json.loads(p.stdout)  # every byte flushed before leaving: the JSON parses
    assert [Path(r["source"]).name for r in data["reports"]] == [s.name for s in seeds()]
    html = _run("check", *map(str, seeds()), "--format", "html", "--no-progress")
    assert html.returncode == 1 and html.stdout.rstrip().endswith(b"</html>")
    assert _run("rules", "list").returncode == 0


def test_exit_handlers_run_before_leaving(tmp_path: Path) -> None:
    flag = tmp_path / "ran"
    code = (f"import atexit, sys; atexit.register(lambda: open({str(flag)!r}, 'w').write('ran')); "
            f"sys.argv = ['gipcheck', 'check', {str(seeds()[0])!r}, '-o', {str(tmp_path / 'out.txt')!r}]; "
            "from gipcheck.cli import run; run()")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=180)
    assert p.returncode == 1, p.stderr
    assert flag.read_text() == "ran"
    assert "年度报告" in (tmp_path / "out.txt").read_text(encoding="utf-8")


def test_usage_errors_still_exit_through_argparse() -> None:
    p = _run("check", "--bogus", str(seeds()[0]))
    assert p.returncode == 2 and "unrecognized arguments: --bogus" in p.stderr.decode("utf-8")
