"""Hostile input on the output side: report text and file names that try to drive a terminal,
break out of HTML, make XML or SARIF invalid, run as a spreadsheet formula, or make the run
itself misbehave (glob characters, links, the output file, --prev, Ctrl-C, a closed pipe)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

import pytest
from _reporting import SHARED, checker, seeds

from gipcheck.cli import main
from gipcheck.config import ConfigError, Settings, load_config
from gipcheck.report import get_reporter

# Pieces a hostile report or file name may carry, each placed in the organ name.
HOSTILE = {
    "script": "</script><img src=x onerror=alert(1)>",
    "attr": '"><svg onload=alert(2)>',
    "csi": "\x1b[2J",
    "osc": "\x1b]0;pwned\x07",
    "bidi": "\u202e",
    "c0": "\x01\x0b\x0c",
    "c1": "\x9b31m",
}
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _seed_text(n: int = 0) -> str:
    return seeds()[n].read_text(encoding="utf-8")


def _hostile_report(tmp: Path) -> Path:
    """Seed 000 with the control pieces inside the organ name of its title line, every piece in
    its prose, and the markup pieces in its file name."""
    lines = _seed_text(0).split("\n")
    first = lines[0]
    assert first.startswith("太原市清徐县人民政府")
    controls = "".join(HOSTILE[k] for k in ("csi", "osc", "bidi", "c0", "c1"))
    lines[0] = "太原市清徐县" + controls + first[len("太原市清徐县"):]
    lines[6] = lines[6] + "".join(HOSTILE.values())
    p = tmp / ("<img src=x onerror=alert(1)>" + HOSTILE["attr"] + ".txt")
    p.write_text("\n".join(lines), encoding="utf-8")
    return p


def _write_or_skip(path: Path, n: int) -> None:
    """Write seed ``n`` under a name that is not UTF-8 (some file systems refuse such names)."""
    try:
        path.write_text(_seed_text(n), encoding="utf-8")
    except (OSError, UnicodeError):
        pytest.skip("this file system does not take file names that are not UTF-8")


def _run(paths: list[str], **kw: Any) -> Any:
    from gipcheck.batch import run_batch

    kw.setdefault("settings", Settings())
    kw.setdefault("jobs", 1)
    return run_batch(paths, checker=checker(), progress=None, **kw)


def _render(run: Any, fmt: str, **opts: Any) -> str:
    reporter = get_reporter(fmt)
    assert reporter is not None
    return reporter(run, {"lang": "zh", **opts})


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("hostile")
    p = _hostile_report(tmp)
    run = _run([str(p)], full=True)
    organ = run.reports[0].document["meta"]["organ"]
    # the hostile organ really reaches the reporters (else these tests would prove nothing)
    assert organ and "\x1b" in organ and "\u202e" in organ
    return run


# ------------------------------------------------------------------ text
def test_text_output_shows_escape_sequences_instead_of_sending_them(hostile_run: Any) -> None:
    for color in (False, True):
        out = _render(hostile_run, "text", color=color)
        plain = re.sub(r"\x1b\[[0-9;]*m", "", out) if color else out  # our own colours only
        assert not RAW_CONTROL.search(plain), repr(RAW_CONTROL.search(plain))
        assert "\\x1b[2J" in out and "\\x1b]0;pwned\\x07" in out and "\\u202e" in out and "\\x9b" in out
    # with colour on, the only escapes left are SGR colour codes gipcheck wrote itself
    assert set(re.findall(r"\x1b\[[0-9;]*[A-Za-z]", _render(hostile_run, "text", color=True))) <= {
        "\x1b[31m", "\x1b[33m", "\x1b[36m", "\x1b[2m", "\x1b[1m", "\x1b[0m"}


def test_a_file_name_with_an_escape_sequence_is_shown_not_obeyed(tmp_path: Path) -> None:
    p = tmp_path / "evil\x1b]0;x\x07name.txt"
    p.write_text(_seed_text(1), encoding="utf-8")
    out = _render(_run([str(p)]), "text")
    assert "\x1b" not in out and "\x07" not in out
    assert "evil\\x1b]0;x\\x07name.txt" in out


def test_explain_on_a_hostile_report_sends_no_escape_to_the_terminal(
        hostile_run: Any, capsys: pytest.CaptureFixture[str]) -> None:
    src = hostile_run.reports[0].source
    assert main(["explain", "M-TITLE", src]) == 0
    out = capsys.readouterr().out
    assert "\\x1b[2J" in out
    assert not RAW_CONTROL.search(out)


# ------------------------------------------------------------------ HTML
def test_html_stays_inert_and_self_contained(hostile_run: Any) -> None:
    from lxml import html as lxml_html

    out = _render(hostile_run, "html")
    low = out.lower()
    assert "<script" not in low and "<img" not in low and "<svg" not in low
    tree = lxml_html.fromstring(out.encode("utf-8"))
    assert not tree.xpath("//script | //img | //svg | //iframe | //object | //embed | //link")
    assert not [el for el in tree.iter() if isinstance(el.tag, str)
                for a in el.attrib if a.lower().startswith("on")], "an event handler attribute got through"
    # the text is there, escaped, and every outside reference is forbidden
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in out  # the prose
    assert "&lt;img src=x onerror=alert(1)&gt;&quot;&gt;&lt;svg onload=alert(2)&gt;.txt" in out  # the name
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:|//|javascript:)""", out, re.I)
    assert "default-src 'none'" in out
    assert not RAW_CONTROL.search(out)  # controls and bidi overrides are shown as escapes
    assert "\\u202e" in out


# ------------------------------------------------------------------ JUnit
def test_junit_is_well_formed_xml_with_controls_and_a_non_utf8_name(tmp_path: Path, hostile_run: Any) -> None:
    bad = tmp_path / os.fsdecode(b"bad\xff\x01.txt")
    _write_or_skip(bad, 2)
    runs = [hostile_run, _run([str(bad), str(tmp_path / os.fsdecode(b"missing\xfe.txt"))])]
    for run in runs:
        data = _render(run, "junit").encode("utf-8")  # a lone surrogate would fail right here
        root = ET.fromstring(data)
        assert root.tag == "testsuites"
    names = [s.get("name") for s in ET.fromstring(_render(runs[1], "junit").encode()).iter("testsuite")]
    assert names[0].endswith("bad\\xff\\x01.txt") and names[1].endswith("missing\\xfe.txt")
    organ = next(p.get("value") for p in ET.fromstring(_render(runs[0], "junit").encode()).iter("property")
                 if p.get("name") == "organ")
    assert "\\x1b[2J" in organ and "\\x01" in organ  # shown, not silently dropped


# ------------------------------------------------------------------ SARIF
NAMES = ["a b.txt", "x#y%z.txt", "年报 2024.txt", "two\nlines.txt", "q?.txt"]


def test_sarif_file_names_are_proper_uris_and_validate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import jsonschema

    schema_file = SHARED / "reference" / "sarif-schema-2.1.0.json"
    if not schema_file.is_file():
        pytest.skip("../shared/reference/sarif-schema-2.1.0.json is absent")
    monkeypatch.chdir(tmp_path)
    raw_names = [n.encode("utf-8") for n in NAMES] + [b"bad\xff.txt"]
    for i, raw in enumerate(raw_names):
        _write_or_skip(Path(os.fsdecode(raw)), i % 5)
    names = [os.fsdecode(r) for r in raw_names]
    absolute = str(tmp_path / os.fsdecode(b"abs \xfe#.txt"))
    _write_or_skip(Path(absolute), 0)
    run = _run([*names, absolute])
    text = _render(run, "sarif")
    text.encode("utf-8")  # no lone surrogate
    log = json.loads(text)
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(log)
    r = log["runs"][0]
    uris = [a["location"]["uri"] for a in r["artifacts"]]
    for uri in uris:  # nothing outside the URI character set: spaces, #, %, CJK, newlines are %-encoded
        assert re.fullmatch(r"[A-Za-z0-9\-._~:/%]+", uri), uri
    assert [unquote_to_bytes(u) for u in uris[:-1]] == raw_names  # relative to SRCROOT, byte for byte
    assert uris[-1].startswith("file:///") and unquote_to_bytes(uris[-1]).endswith(b"/abs \xfe#.txt")
    for res in r["results"]:
        for loc in res["locations"]:
            assert loc["physicalLocation"]["artifactLocation"]["uri"] in uris


# ------------------------------------------------------------------ CSV
def test_csv_neutralises_formulas_and_keeps_chinese_with_a_bom(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import csv
    import io

    monkeypatch.chdir(tmp_path)  # the source cell is the path as given: it starts with the name
    names = ["=cmd|' -C calc'!A0.txt", "+1.txt", "-2.txt", "@SUM(1).txt", "\tTAB.txt", "\rCR.txt", "年报.txt"]
    for i, n in enumerate(names):
        Path(n).write_text(_seed_text(i % 5), encoding="utf-8")
    out = _render(_run(names), "csv")
    assert out.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(out[1:], newline="")))
    sources = [row[0] for row in rows[1:]]
    assert sources == ["'" + n if n[0] in "=+-@\t\r" else n for n in names]
    assert rows[1][1] == "太原市清徐县人民政府"
    out.encode("utf-8")


def test_csv_shows_controls_and_a_non_utf8_name(tmp_path: Path, hostile_run: Any) -> None:
    out = _render(hostile_run, "csv")
    assert "\x1b" not in out and "\u202e" not in out and "\\x1b[2J" in out
    bad = tmp_path / os.fsdecode(b"bad\xff.txt")
    _write_or_skip(bad, 3)
    out = _render(_run([str(bad)]), "csv")
    assert out.encode("utf-8") and "bad\\xff.txt" in out


# ------------------------------------------------------------------ JSON and the command line
def test_json_lines_escaped_in_batch_workers_equal_the_whole_run_escaped(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch's JSON lines are escaped where they are rendered (the workers), the envelope apart:
    the output must equal escaping the whole run at once, and be valid UTF-8."""
    from gipcheck.report._common import json_safe

    monkeypatch.chdir(tmp_path)
    names = [os.fsdecode(b"bad\xff.txt"), "ok.txt", os.fsdecode(b"\xfe\xfd.txt"), "ok2.txt", "missing\udcfe.txt"]
    for i, n in enumerate(names[:4]):
        _write_or_skip(Path(n), i % 5)
    whole = _run(names)  # not rendered ahead: plain results
    ahead = _run(names, jobs=2, render=("json", {"lang": "zh"}))
    assert any(r.pieces for r in ahead.reports if hasattr(r, "pieces"))
    text = _render(ahead, "json")
    assert text == _render(whole, "json")
    text.encode("utf-8")  # strict: no lone surrogate left
    # the same as the old way: the unescaped lines joined, then escaped once
    lines = ",\n  ".join(r.json_text() for r in whole.reports)
    assert lines and json_safe(lines) in text
    assert [r["source"] for r in json.loads(text)["reports"]][:3] == ["bad\\xff.txt", "ok.txt", "\\xfe\\xfd.txt"]


def test_non_utf8_file_name_is_written_by_every_format_and_command(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    name = os.fsdecode(b"bad\xff.txt")
    _write_or_skip(Path(name), 1)
    for fmt in ("text", "json", "sarif", "junit", "html", "csv"):
        assert main(["check", name, "--format", fmt, "-o", f"out.{fmt}", "-j", "1", "--no-progress"]) in (0, 1), fmt
        data = Path(f"out.{fmt}").read_bytes().decode("utf-8")  # strict: valid UTF-8
        assert any(s in data for s in ("bad\\xff.txt", "bad\\\\xff.txt", "bad%FF.txt")), fmt
    assert json.loads(Path("out.json").read_text(encoding="utf-8"))["reports"][0]["source"] == "bad\\xff.txt"
    capsys.readouterr()
    # stdout of the capture is strict UTF-8, as a terminal in a UTF-8 locale
    assert main(["extract", name]) == 0
    assert json.loads(capsys.readouterr().out)["meta"]["source"]["path"] == "bad\\xff.txt"
    assert main(["explain", "M-TITLE", name]) == 0
    assert "bad\\xff.txt" in capsys.readouterr().out
    assert main(["check", name, "-j", "1", "--no-progress"]) in (0, 1)
    assert "bad\\xff.txt" in capsys.readouterr().out


@pytest.mark.parametrize("where", ["directory", "missing_dir"])
def test_unwritable_output_is_refused_before_the_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str) -> None:
    out = tmp_path if where == "directory" else tmp_path / "no" / "such" / "out.txt"
    code = main(["check", str(seeds()[0]), "-o", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("gipcheck: 输出") and err.count("\n") == 1 and "Traceback" not in err


def test_output_without_write_permission_is_refused_before_the_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from gipcheck import api

    ran: list[Any] = []
    monkeypatch.setattr(api, "check_paths", lambda *a, **k: ran.append(a))
    real = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **k: False if mode == os.W_OK else real(path, mode, **k))
    assert main(["check", str(seeds()[0]), "-o", str(tmp_path / "out.html"), "--format", "html"]) == 2
    assert "权限" in capsys.readouterr().err and not ran  # refused first: no batch wasted


def test_output_write_failure_is_exit_2_not_an_internal_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def fail(*_a: Any, **_k: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", fail)
    code = main(["check", str(seeds()[0]), "-o", str(tmp_path / "out.txt"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "No space left on device" in err and "内部错误" not in err


def test_output_named_as_an_input_is_refused_and_the_report_kept(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rep = tmp_path / "report.txt"
    rep.write_text(_seed_text(0), encoding="utf-8")
    before = rep.read_bytes()
    assert main(["check", str(rep), "-o", str(tmp_path / "." / "report.txt"), "--no-progress"]) == 2
    assert "会被覆盖" in capsys.readouterr().err
    assert rep.read_bytes() == before


def test_last_runs_output_in_the_folder_is_not_checked_as_a_report(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "reports"
    d.mkdir()
    (d / "a.txt").write_text(_seed_text(1), encoding="utf-8")
    out = d / "result.html"
    args = ["check", str(d), "--format", "html", "-o", str(out), "--no-progress", "-j", "1"]
    first = main(args)
    assert main(args) == first != 3  # the second run does not read result.html as an unreadable report
    assert out.read_text(encoding="utf-8").count('<section class="report"') == 1


# ------------------------------------------------------------------ inputs
def test_an_existing_name_with_glob_characters_is_that_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gipcheck.batch import expand_inputs

    monkeypatch.chdir(tmp_path)
    Path("a[1].txt").write_text("x", encoding="utf-8")
    Path("a1.txt").write_text("y", encoding="utf-8")
    Path("star*.txt").write_text("z", encoding="utf-8")
    Path("starry.txt").write_text("w", encoding="utf-8")
    assert expand_inputs(["a[1].txt"]) == ["a[1].txt"]
    assert expand_inputs(["star*.txt"]) == ["star*.txt"]
    assert expand_inputs(["a[0-9].txt"]) == ["a1.txt"]  # a pattern that names no file is still a glob


def test_the_same_file_under_several_names_is_checked_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gipcheck.batch import expand_inputs

    monkeypatch.chdir(tmp_path)
    d = Path("d")
    d.mkdir()
    (d / "r.txt").write_text("x", encoding="utf-8")
    (d / "s.txt").write_text("y", encoding="utf-8")
    got = expand_inputs(["d/r.txt", "./d/r.txt", "d//r.txt", "d", "d/", "./d", str(tmp_path / "d" / "r.txt"),
                         "missing.txt", "./missing.txt"])
    assert got == ["d/r.txt", "d/s.txt", "missing.txt"]


def test_recursive_glob_does_not_follow_a_symlink_loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gipcheck.batch import expand_inputs

    monkeypatch.chdir(tmp_path)
    sub = Path("sub")
    sub.mkdir()
    (sub / "a.txt").write_text(_seed_text(0), encoding="utf-8")
    try:
        os.symlink("..", sub / "up")
        os.symlink(".", "self")
        os.symlink("loop.txt", sub / "loop.txt")  # a link to itself
    except OSError:
        pytest.skip("symbolic links are not available here")
    # Python's glob descends sub/up/sub/up/… for ever: expand in a child process that can be ended
    code = "import json, sys; from gipcheck.batch import expand_inputs; print(json.dumps(expand_inputs(sys.argv[1:])))"
    p = subprocess.Popen([sys.executable, "-c", code, "sub/**/*.txt"], stdout=subprocess.PIPE,
                         start_new_session=True)
    try:
        out = p.communicate(timeout=60)[0]
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        pytest.fail("expanding sub/**/*.txt did not end")
    assert json.loads(out) == ["sub/a.txt", "sub/loop.txt"]
    assert expand_inputs([str(tmp_path / "**" / "a.txt")]) == [str(tmp_path / "sub" / "a.txt")]
    run = _run(["sub/**/*.txt"])
    assert [r.readable for r in run.reports] == [True, False]  # the self-link is reported, not lost


def test_a_batch_of_good_and_bad_files_is_each_accounted_once_in_order(tmp_path: Path) -> None:
    text = [_seed_text(i) for i in range(5)]
    names: list[str] = []
    for i in range(12):
        p = tmp_path / f"s{i:02d}.txt"
        p.write_text(text[i % 5], encoding="utf-8")
        names.append(str(p))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "gbk.txt").write_bytes(text[1].encode("gbk"))
    (tmp_path / "trunc.txt").write_text(text[2][: len(text[2]) // 2], encoding="utf-8")
    extra = [str(tmp_path / n) for n in ("empty.txt", "missing.txt", "binary.txt", "gbk.txt", "trunc.txt")]
    order = names[:4] + extra[:2] + names[4:8] + extra[2:] + names[8:] + [names[0]]  # and one repeat
    expect = order[:-1]
    outs = []
    for jobs in (1, 2):
        from gipcheck.batch import run_batch

        run = run_batch(order, jobs=jobs, checker=checker(), progress=None, settings=Settings(), full=False,
                        keep_text=False)
        assert [r.source for r in run.reports] == expect
        outs.append(_render(run, "json"))
    assert outs[0] == outs[1]
    by = {r["source"]: r for r in json.loads(outs[0])["reports"]}
    assert by[extra[0]]["problems"][0]["code"] == "EMPTY"
    assert by[extra[1]]["problems"][0]["code"] == "IO"
    assert by[extra[2]]["problems"][0]["code"] == "BINARY"
    assert by[extra[3]]["organ"] == by[names[1]]["organ"]  # GBK read as the same report


def test_jobs_are_capped(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from gipcheck import batch

    seen: list[int] = []
    real = batch._iter_results

    def spy(tasks: Any, jobs: int) -> Any:
        seen.append(jobs)
        return real(tasks, 1)

    monkeypatch.setattr(batch, "_iter_results", spy)
    p = tmp_path / "r.txt"
    p.write_text(_seed_text(0), encoding="utf-8")
    batch.run_batch([str(p)], jobs=10000, checker=checker(), progress=None, settings=Settings())
    assert seen and max(seen) == batch.max_jobs() < 10000


# ------------------------------------------------------------------ --prev
def test_prev_that_does_not_exist_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for prev in ("/no/such/prev.txt", str(tmp_path)):
        assert main(["check", str(seeds()[0]), "--prev", prev, "--no-progress"]) == 2
        err = capsys.readouterr().err
        assert "--prev" in err and err.count("\n") == 1


def test_prev_that_is_the_report_itself_is_not_a_pairing(tmp_path: Path) -> None:
    p = tmp_path / "r.txt"
    p.write_text(_seed_text(0), encoding="utf-8")
    run = _run([str(p)], prev=str(tmp_path / "." / "r.txt"))
    codes = [n["code"] for n in run.reports[0].notes]
    assert "PREV_SAME" in codes and "PREV_PAIRED" not in codes
    from gipcheck import api

    assert [n["code"] for n in api.check(p, prev=str(p)).notes] == ["PREV_SAME"]  # the library call too


def test_prev_that_cannot_be_read_is_not_called_paired(tmp_path: Path) -> None:
    p = tmp_path / "r.txt"
    p.write_text(_seed_text(0), encoding="utf-8")
    bad = tmp_path / "prev.txt"
    bad.write_bytes(b"")
    rep = _run([str(p)], prev=str(bad)).reports[0]
    assert any(pr.code == "EMPTY" for pr in rep.problems)
    assert not any(n["code"] == "PREV_PAIRED" for n in rep.notes)


# ------------------------------------------------------------------ configuration
def _cfg(tmp: Path, body: str) -> Path:
    p = tmp / "gipcheck.toml"
    p.write_text(textwrap.dedent(body), encoding="utf-8")
    return p


def test_misspelt_rule_in_a_suppression_or_mandatory_is_named(tmp_path: Path) -> None:
    cfg = _cfg(tmp_path, """
        mandatory = ["T9-*"]
        [[suppressions]]
        rule = "T3-EMTPY"
        reason = "拼错了"
    """)
    s = load_config(cfg)
    run = _run([str(seeds()[0])], settings=s)
    msgs = {p.code: p.message for p in run.problems if p.kind == "config"}
    assert "T3-EMTPY" in msgs["SUPPRESSION_UNMATCHED"] and "T3-EMPTY" in msgs["SUPPRESSION_UNMATCHED"]
    assert "不存在" in msgs["SUPPRESSION_UNMATCHED"]
    assert "T9-*" in msgs["CONFIG_UNKNOWN_RULE"]


def test_a_tool_gipcheck_that_is_not_a_table_is_an_error_not_ignored(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool]\ngipcheck = "strict"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(cwd=tmp_path)
    assert "tool.gipcheck" in e.value.zh and e.value.exit_code == 2


def test_config_that_is_a_folder_is_named_as_such(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as e:
        load_config(tmp_path)
    assert "目录" in e.value.zh and "不存在" not in e.value.zh


@pytest.mark.parametrize("body, key", [
    ('profile = "a"\n[profiles.a]\nextends = 5\n', "profiles.a.extends"),
    ('profile = "a"\n[profiles.a]\nextends = "a"\n', "profiles.a.extends"),
    ('[[suppressions]]\nrule = "M-ORGAN"\nreason = "x"\nexpires = "next year"\n', "suppressions[0].expires"),
    ('[[suppressions]]\nrule = "M-ORGAN"\nreason = "x"\nexpires = 07:30:00\n', "suppressions[0].expires"),
])
def test_broken_profile_or_expiry_is_a_config_error(tmp_path: Path, body: str, key: str) -> None:
    with pytest.raises(ConfigError) as e:
        load_config(_cfg(tmp_path, body))
    assert key in e.value.zh and e.value.exit_code == 2


# ------------------------------------------------------------------ pipes and Ctrl-C
def _gipcheck(*args: str) -> list[str]:
    return [sys.executable, "-m", "gipcheck", *args]


def test_closed_pipe_exits_quietly(tmp_path: Path) -> None:
    r, w = os.pipe()
    os.close(r)  # as `gipcheck check … | head -1` after head has gone
    try:
        p = subprocess.run(_gipcheck("check", str(seeds()[0]), "--format", "json"), stdout=w,
                           stderr=subprocess.PIPE, timeout=120, env={**os.environ, "GIPCHECK_DEBUG": ""})
    finally:
        os.close(w)
    assert p.stderr == b""
    # the run's verdict stands though nobody read it: `gipcheck check … | head` in a script must not pass
    whole = subprocess.run(_gipcheck("check", str(seeds()[0]), "--format", "json"), stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=120)
    assert whole.returncode == 1
    assert p.returncode == whole.returncode


def test_closed_pipe_keeps_the_decided_exit_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """In process: every write fails as a closed pipe does; check keeps 1, a clean `rules test` 0."""
    import io

    class Closed(io.StringIO):
        def write(self, s: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Closed())
    assert main(["check", str(seeds()[0]), "--no-progress"]) == 1
    assert main(["check", str(seeds()[0]), "--no-progress", "--format", "json"]) == 1
    assert main(["rules", "list"]) == 0  # nothing decided beyond success


INTERRUPT = """
import os, signal, sys, time
from gipcheck import batch
from gipcheck.cli import main
real, parent, flag, how = batch._check_one, os.getpid(), sys.argv[1], sys.argv[2]
def check_one(task):
    if os.getpid() != parent:
        try:
            fd = os.open(flag, os.O_CREAT | os.O_EXCL)  # the first worker only: Ctrl-C once
        except FileExistsError:
            pass
        else:
            os.close(fd)
            if how == "INT":
                os.killpg(0, signal.SIGINT)  # the whole process group, as a terminal's Ctrl-C
            else:
                os.kill(parent, signal.SIGTERM)  # the run alone, as a cancelled CI job
            time.sleep(0.5)
    return real(task)
batch._check_one = check_one
sys.exit(main(["check", *sys.argv[3:], "-j", "2", "--no-progress"]))
"""


@pytest.mark.parametrize("how, code, said", [("INT", 130, "已中断 / interrupted"),
                                             ("TERM", 143, "已终止 / terminated")])
def test_ctrl_c_or_sigterm_during_a_parallel_batch_ends_cleanly(tmp_path: Path, how: str, code: int,
                                                                said: str) -> None:
    files = []
    for i in range(8):
        p = tmp_path / f"r{i}.txt"
        p.write_text(_seed_text(i % 5), encoding="utf-8")
        files.append(str(p))
    p = subprocess.Popen([sys.executable, "-c", INTERRUPT, str(tmp_path / "flag"), how, *files],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        err = p.communicate(timeout=120)[1].decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)  # the run hung (a worker lost its task): end it and its workers
        p.communicate()
        pytest.fail("the interrupted batch did not end")
    assert p.returncode == code, err
    assert "Traceback" not in err and "ForkPoolWorker" not in err
    assert err.strip() == "gipcheck: " + said


def test_a_gbk_console_gets_text_it_can_show_and_files_stay_utf8(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    seed = str(seeds()[0])
    for fmt in ("text", "csv", "junit"):
        raw = io.BytesIO()
        out = io.TextIOWrapper(raw, encoding="gbk", write_through=True)  # a Chinese Windows redirect
        monkeypatch.setattr(sys, "stdout", out)
        assert main(["check", seed, "--format", fmt, "--no-progress"]) == 1, fmt  # not 70: ✗ is not in GBK
        out.flush()
        data = raw.getvalue()
        if fmt == "text":
            shown = data.decode("gbk")
            assert "太原市清徐县人民政府" in shown and "\\u2717" in shown
        else:  # a file format declares UTF-8 (CSV by its BOM, XML by its declaration): it is UTF-8
            assert data.decode("utf-8").lstrip("\ufeff").startswith(("文件", "<?xml"))


def test_closed_stdout_and_dash_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    seed = str(seeds()[0])
    monkeypatch.chdir(tmp_path)
    assert main(["check", seed, "--format", "csv", "-o", "-", "--no-progress"]) == 1
    assert capsys.readouterr().out.startswith("\ufeff文件,")
    assert not Path("-").exists()  # "-" is standard output, not a file named "-"
    monkeypatch.setattr(sys, "stdout", None)  # `gipcheck check … >&-`
    assert main(["check", seed, "--no-progress"]) == 1  # the result's code, not an internal error (70)


def test_the_configurations_lang_is_used_unless_lang_is_given(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    cfg = _cfg(tmp_path, 'lang = "en"\n')
    seed = str(seeds()[0])
    assert main(["check", seed, "--config", str(cfg), "--no-progress", "-j", "1"]) == 1
    assert "1 reports (0 unreadable): errors" in capsys.readouterr().out  # was Chinese: lang ignored
    assert main(["check", seed, "--config", str(cfg), "--no-progress", "-j", "1", "--lang", "zh"]) == 1
    assert "共 1 份年报" in capsys.readouterr().out


ALPHABET = ("\x00\x01\x1b\x07\x7f\x85\x9b\u202e\u2066\u2028\ud800\udcff\ufffe\uffff<>&\"'=+-@\t\r\n |年#%😀"
            "\U0010ffff")


def test_every_field_of_a_library_built_run_survives_every_reporter() -> None:
    """A plugin or library caller may hand the reporters anything: each field carries every
    awkward character, and each format still comes out valid."""
    import csv
    import io

    import jsonschema
    from lxml import html as lxml_html

    from gipcheck.engine.model import Finding, NotEvaluated, Problem, ReportResult, RunResult

    a = ALPHABET
    loc = {"pointer": "/x" + a, "line": 1, "col": 2, "text": a, "label": a}
    finding = Finding(rule="M-TITLE", severity="error", message=a, title=a, basis=a, locations=[loc], section=1)
    hidden = Finding(rule="T3-EMPTY", severity="warning", message=a, title=a, basis=a, locations=[loc],
                     suppressed={"reason": a, "expires": a, "source": a})
    odd = Finding(rule="P-1", severity="fatal", message=a, title=a, basis="")  # a plugin's own severity
    doc = {"meta": {"title": a, "organ": a, "year": 2024, "format": "2021", "source": {"path": a}}}
    run = RunResult(reports=[
        ReportResult(source="/abs/" + a, document=doc, findings=[finding, hidden, odd], text=a + "\n" + a,
                     not_evaluated=[NotEvaluated(rule="NE", title=a, severity="info", missing=[a], reason=a)],
                     notes=[{"code": "N", "level": "warning", "zh": a, "en": a}], problems=[Problem("rule", "R", a)]),
        ReportResult(source=a, problems=[Problem("load", "EMPTY", a)]),
    ], problems=[Problem("config", "C", a)])
    schema_file = SHARED / "reference" / "sarif-schema-2.1.0.json"
    for fmt in ("text", "json", "sarif", "junit", "html", "csv"):
        out = _render(run, fmt, color=True)
        out.encode("utf-8")  # no lone surrogate anywhere
        if fmt in ("json", "sarif"):
            data = json.loads(out)
            if fmt == "sarif" and schema_file.is_file():
                schema = json.loads(schema_file.read_text(encoding="utf-8"))
                jsonschema.validators.validator_for(schema)(schema).validate(data)
        elif fmt == "junit":
            ET.fromstring(out.encode("utf-8"))
        elif fmt == "html":
            assert not lxml_html.fromstring(out.encode("utf-8")).xpath("//script | //img | //svg")
            assert not RAW_CONTROL.search(out.replace("\r", ""))
        elif fmt == "text":
            assert not RAW_CONTROL.search(re.sub(r"\x1b\[[0-9;]*m", "", out))
        else:
            rows = list(csv.reader(io.StringIO(out[1:], newline="")))
            assert all(cell[:1] not in ("=", "+", "-", "@", "\t", "\r") for row in rows[1:] for cell in row)


def test_a_suppression_files_glob_with_double_star_matches_no_folder_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reports" / "2024").mkdir(parents=True)
    top, deep = Path("reports/a.txt"), Path("reports/2024/b.txt")
    for p in (top, deep):
        p.write_text(_seed_text(0), encoding="utf-8")
    cfg = _cfg(tmp_path, """
        [[suppressions]]
        rule = "FEE-DETAIL"
        reason = "收费明细已另行报送"
        files = ["reports/**/*.txt"]
    """)
    run = _run([str(top), str(deep), str(seeds()[0])], settings=load_config(cfg))
    fired = [[f.rule for f in r.findings] for r in run.reports]
    if not all("FEE-DETAIL" in f for f in fired):
        pytest.skip("FEE-DETAIL no longer fires on seed 000")
    hidden = [[f.rule for f in r.findings if f.suppressed] for r in run.reports]
    assert hidden == [["FEE-DETAIL"], ["FEE-DETAIL"], []]  # reports/a.txt too: **/ may be no folder


def test_a_file_name_starting_with_a_dash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("-2024.txt").write_text(_seed_text(0), encoding="utf-8")
    with pytest.raises(SystemExit) as e:
        main(["check", "-2024.txt"])
    assert e.value.code == 2
    assert "./-2024.txt" in capsys.readouterr().err  # told how to name it
    assert main(["check", "--format", "csv", "--no-progress", "--", "-2024.txt"]) == 1
    assert "'-2024.txt," in capsys.readouterr().out  # and its CSV cell is no formula


def test_config_show_names_the_mistakes_a_run_would_find(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = _cfg(tmp_path, """
        mandatory = ["T3-*"]
        disable = ["T3-EMPTY"]
        [[suppressions]]
        rule = "T3-EMTPY"
        reason = "拼错了"
    """)
    assert main(["config", "show", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    problems = out.split("配置问题：", 1)[1]
    assert "T3-EMTPY" in problems and "是否应为 T3-EMPTY" in problems
    assert "强制规则" in problems and "不能停用" in problems


def test_a_full_disk_on_standard_output_is_exit_2(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    import io

    class Full(io.StringIO):
        def write(self, s: str) -> int:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(sys, "stdout", Full())
    assert main(["check", str(seeds()[0]), "--no-progress", "-j", "1"]) == 2  # was 70, an "internal error"
    err = capsys.readouterr().err
    assert "无法写入标准输出" in err and "内部错误" not in err


def test_unreadable_shapes_in_a_folder_are_each_reported_once(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.txt").write_text(_seed_text(0), encoding="utf-8")
    (d / "folder.txt").mkdir()  # a folder with a report's name is walked, not read
    (d / "folder.txt" / "b.txt").write_text(_seed_text(1), encoding="utf-8")
    try:
        os.mkfifo(d / "pipe.txt")  # reading it would wait for a writer for ever
        os.symlink(d / "gone.txt", d / "dangling.txt")
    except (OSError, AttributeError):
        pytest.skip("FIFOs or symbolic links are not available here")
    run = _run([str(d), str(d) + "/", str(d / "pipe.txt")])
    got = {os.path.relpath(r.source, d): r.readable for r in run.reports}
    assert got == {"a.txt": True, "dangling.txt": False, "folder.txt/b.txt": True, "pipe.txt": False}
    assert len(run.reports) == 4


def test_a_folder_that_cannot_be_listed_is_reported_not_skipped(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    d = tmp_path / "in"
    (d / "locked").mkdir(parents=True)
    (d / "locked" / "x.txt").write_text(_seed_text(0), encoding="utf-8")
    (d / "a.txt").write_text(_seed_text(1), encoding="utf-8")
    real = os.scandir

    def scandir(path: Any = ".") -> Any:  # what chmod 700 of another user does (tests may run as root)
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    from gipcheck import api

    run = _run([str(d)])
    assert [os.path.relpath(r.source, d) for r in run.reports] == ["a.txt", "locked"]
    locked = run.reports[1]
    assert not locked.readable and "Permission denied" in locked.problems[0].message
    assert api.exit_code(run) == 3  # was 0/1: the folder's reports silently missing


@pytest.mark.parametrize("args, code", [
    (["-j", "0"], 1),  # 0: all cores
    (["-j", "-1"], 2),
    (["-j", "10000"], 1),  # capped, not ten thousand processes
    (["--format", "pdf"], 2),
    (["--lang", "xx"], 2),
    (["--prev", "/no/such/2023.txt"], 2),
])
def test_odd_arguments_are_one_line_and_an_exit_code(args: list[str], code: int,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    try:
        got = main(["check", str(seeds()[0]), "--no-progress", *args])
    except SystemExit as e:  # argparse's own refusal (exit 2)
        got = e.code  # type: ignore[assignment]
    err = capsys.readouterr().err
    assert got == code, err
    assert "Traceback" not in err and "内部错误" not in err
    if code == 2:
        assert err.strip().splitlines()[-1].startswith("gipcheck: ")


@pytest.mark.parametrize("env", [{}, {"NO_COLOR": "1"}, {"TERM": "dumb"}])
def test_colour_only_on_a_terminal_that_wants_it(env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["check", str(seeds()[0]), "--no-progress", "-j", "1"]) == 1
    assert ("\x1b[" in capsys.readouterr().out) == (not env)
