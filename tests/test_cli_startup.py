"""The start-up shortcuts of the command line: a parser built for one command parses that command
exactly as the full parser does, and a check run as its own process resumes garbage collection."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from gipcheck import cli

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"

ARGVS = [
    ["check", "a.txt", "b", "--format", "json", "-j", "2", "--rules", "r1", "--rules", "r2", "--lang", "en"],
    ["check", "x.txt", "--prev", "p.txt", "-o", "out.json", "--no-progress", "--strict-plugins"],
    ["extract", "a.txt", "--locations", "--format", "yaml", "--region", "shanghai"],
    ["rules", "list", "--format", "json"],
    ["rules", "show", "N-001", "--rules", "d"],
    ["rules", "test", "d1", "d2"],
    ["plugins", "--format", "json"],
    ["explain", "N-001", "f.txt", "--prev", "p.txt", "--format", "json"],
    ["config", "show", "--profile", "strict"],
]


@pytest.mark.parametrize("argv", ARGVS, ids=lambda a: " ".join(a[:2]))
def test_parser_for_one_command_parses_like_the_full_parser(argv: list[str]) -> None:
    full = cli.build_parser().parse_args(argv)
    one = cli.build_parser(argv[0]).parse_args(argv)
    assert vars(one) == vars(full)


@pytest.mark.parametrize("command", sorted(cli.COMMANDS))
def test_help_of_one_command_is_unchanged(command: str) -> None:
    def sub_help(parser: object) -> str:
        action = next(a for a in parser._actions if a.dest == "command")  # type: ignore[attr-defined]
        return action.choices[command].format_help()

    assert sub_help(cli.build_parser(command)) == sub_help(cli.build_parser())
    # the top-level help lists every command whatever the parser was built for
    assert cli.build_parser(command).format_help() == cli.build_parser().format_help()


def test_in_process_check_leaves_garbage_collection_alone(capsys: pytest.CaptureFixture[str]) -> None:
    seed = next(iter(sorted(SEEDS.glob("*.txt"))), None)
    if seed is None:
        pytest.skip("../shared/seeds not found")
    assert gc.isenabled()
    cli.main(["check", str(seed), "--format", "json", "-j", "1", "--no-progress"])
    capsys.readouterr()
    assert gc.isenabled()


def test_check_in_its_own_process_resumes_garbage_collection() -> None:
    seed = next(iter(sorted(SEEDS.glob("*.txt"))), None)
    if seed is None:
        pytest.skip("../shared/seeds not found")
    code = ("import gc, io, sys; from gipcheck import cli; cli._STARTUP_GC[0] = True; "
            "out = sys.stdout; sys.stdout = io.StringIO(); "
            f"cli.main(['check', {str(seed)!r}, '--format', 'json', '-j', '1', '--no-progress']); "
            "sys.stdout = out; print(gc.isenabled(), gc.get_freeze_count() > 1000)")
    got = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert got.stdout.split() == ["True", "True"]
