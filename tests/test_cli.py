"""The command line as a clerk and a rule author meet it: exit codes, one-line errors, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gipcheck import cli

SEED_000 = "seeds/000_be94cdfbcf579bbe.txt"  # 清徐县人民政府 2024: prose contradicts tables 三 and 四
SEED_002 = "seeds/002_fef44fb29382a984.txt"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_extract_one_file_prints_one_document(shared_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "extract", str(shared_dir / SEED_000))
    assert code == 0, err
    doc = json.loads(out)
    assert doc["meta"]["organ"] == "太原市清徐县人民政府"
    assert doc["requests"]["results"]["total"]["natural_person"] == 57


def test_extract_several_files_prints_a_list_and_yaml_works(shared_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "extract", str(shared_dir / SEED_000), str(shared_dir / SEED_002))
    assert code == 0
    docs = json.loads(out)
    assert [d["meta"]["organ"] for d in docs] == ["太原市清徐县人民政府", "青云谱区商务局"]
    code, out, _ = run(capsys, "extract", "--format", "yaml", str(shared_dir / SEED_002))
    assert code == 0 and "organ: 青云谱区商务局" in out


def test_extract_with_locations_points_at_the_cell(shared_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "extract", "--locations", str(shared_dir / SEED_000))
    assert code == 0
    data = json.loads(out)
    loc = data["locations"]["/requests/results/total/natural_person"]
    line = (shared_dir / SEED_000).read_text(encoding="utf-8").splitlines()[loc["line"] - 1]
    assert line.startswith("(七)总计") and loc["text"] == "57"


@pytest.mark.parametrize(
    ("content", "code_word"),
    [
        (b"", "空"),
        (bytes(range(256)) * 40, "二进制"),
        ("这是一份会议纪要，与政府信息公开无关。\n".encode() * 20, "年度报告"),
    ],
    ids=["empty", "binary", "not-a-report"],
)
def test_unreadable_input_is_one_chinese_line_and_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         content: bytes, code_word: str) -> None:
    f = tmp_path / "input.txt"
    f.write_bytes(content)
    code, out, err = run(capsys, "extract", str(f))
    assert code == 3 and out == ""  # nothing on stdout for the one file that could not be read
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1 and code_word in lines[0], err
    assert "Traceback" not in err


def test_truncated_report_exits_4_but_prints_what_it_read(shared_dir: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    text = (shared_dir / SEED_000).read_text(encoding="utf-8")
    cut = text[: text.index("(四)无法提供")]  # cut off in the middle of table 三
    f = tmp_path / "cut.txt"
    f.write_text(cut, encoding="utf-8")
    code, out, err = run(capsys, "extract", str(f))
    assert code == 4
    doc = json.loads(out)
    assert doc["requests"]["results"]["granted"]["natural_person"] == 35
    assert "unavailable" not in doc["requests"]["results"]  # absent, not invented
    assert err.strip()


def test_check_exit_codes(shared_dir: Path, repo_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--format", "json", str(shared_dir / SEED_000))
    assert code == 1  # X-NARR-APPS etc. are errors
    rules = {f["rule"] for f in json.loads(out)["reports"][0]["findings"]}
    assert {"X-NARR-APPS", "X-NARR-REVIEW"} <= rules
    code, out, _ = run(capsys, "check", str(repo_dir / "examples" / "county_gov_2024.txt"))
    assert code == 0, out
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    code, out, _ = run(capsys, "check", "--format", "json", str(empty), str(shared_dir / SEED_002))
    assert code == 3  # an unreadable input; the other one is still checked
    reports = json.loads(out)["reports"]
    assert [bool(r["problems"]) for r in reports] == [True, False]


def test_new_rule_file_works_with_no_code_change(shared_dir: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "office"
    pack.mkdir()
    (pack / "pack.yaml").write_text("name: office\nversion: '1.0'\ndescription: 本办规则\n", encoding="utf-8")
    (pack / "licensing.yaml").write_text(textwrap.dedent("""\
        - id: OFFICE-LICENSING-CAP
          title: {zh: 行政许可数量核对, en: Licensing count check}
          severity: warning
          basis: 本办工作要求
          expr: active.licensing.decisions < 10000
          message: {zh: "表二行政许可 {left} 件，超过 {right} 件，请核对", en: "licensing {left} ≥ {right}"}
          examples:
            - {doc: {active: {licensing: {decisions: 12}}}, expect: pass}
            - {doc: {active: {licensing: {decisions: 12000}}}, expect: fail}
        """), encoding="utf-8")
    code, out, _ = run(capsys, "check", "--format", "json", "--rules", str(pack), str(shared_dir / SEED_000))
    found = [f for f in json.loads(out)["reports"][0]["findings"] if f["rule"] == "OFFICE-LICENSING-CAP"]
    assert len(found) == 1 and "10516" in found[0]["message"]
    code, out, _ = run(capsys, "rules", "test", str(pack))
    assert code == 0 and "2 passed, 0 failed" in out


def test_broken_rule_file_answers_with_file_line_col(shared_dir: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "broken"
    pack.mkdir()
    (pack / "pack.yaml").write_text("name: broken\nversion: '1'\ndescription: x\n", encoding="utf-8")
    (pack / "r.yaml").write_text(textwrap.dedent("""\
        - id: BROKEN-1
          title: {zh: 坏规则, en: broken}
          severity: error
          basis: x
          expr: requests.new.total = 0
          message: {zh: x, en: x}
          examples:
            - {doc: {}, expect: pass}
            - {doc: {}, expect: fail}
        """), encoding="utf-8")
    code, out, err = run(capsys, "check", "--rules", str(pack), str(shared_dir / SEED_002))
    assert code == 2
    assert f"{pack / 'r.yaml'}:5:28" in err and "==" in err
    assert "Traceback" not in err


def test_rules_list_show_and_english(shared_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "list", "--format", "json")
    ids = {r["id"] for r in json.loads(out)}
    assert code == 0 and {"T3-COL-BALANCE", "Y-SWING", "FEE-MENTION"} <= ids
    code, out, _ = run(capsys, "rules", "show", "T3-COL-BALANCE")
    assert code == 0 and "T3-COL-BALANCE" in out
    code, out, _ = run(capsys, "rules", "show", "NO-SUCH-RULE")
    assert code == 2
    code, out, _ = run(capsys, "check", "--lang", "en", "--format", "json", str(shared_dir / SEED_000))
    msgs = [f["message"] for f in json.loads(out)["reports"][0]["findings"]]
    assert msgs and not any("正文称" in m for m in msgs)
    code, out, _ = run(capsys, "check", "--lang", "en", str(shared_dir / SEED_000))
    assert "organ: 太原市清徐县人民政府" in out and "：" not in out.split("\n")[1]


def test_internal_error_is_one_line_not_a_traceback(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    def boom(args: object) -> int:
        raise RuntimeError("simulated bug")

    monkeypatch.setitem(cli.COMMANDS, "plugins", boom)
    monkeypatch.delenv("GIPCHECK_DEBUG", raising=False)
    code, out, err = run(capsys, "plugins")
    assert code == 70 and "simulated bug" in err and "Traceback" not in err


def test_console_script_runs(shared_dir: Path) -> None:
    exe = Path(sys.executable).with_name("gipcheck")
    if not exe.exists():
        pytest.skip("console script not installed in this environment")
    r = subprocess.run([str(exe), "check", "--format", "json", str(shared_dir / SEED_002)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode in (0, 1), r.stderr
    assert json.loads(r.stdout)["summary"]["reports"] == 1


class _TsvReporterPlugin:
    """A plugin that contributes an output format through the reporter hook."""

    from gipcheck.plugins import hookimpl

    @hookimpl
    def gipcheck_register_reporters(self, register):  # type: ignore[no-untyped-def]
        register("tsv", lambda run, options: "\n".join(f"{r.source}\t{len(r.findings)}" for r in run.reports),
                 media_type="text/tab-separated-values", extension=".tsv")


def test_a_plugin_reporter_is_used_for_its_format(shared_dir: Path) -> None:
    from gipcheck import api

    checker = api.Checker(plugins=[_TsvReporterPlugin()])
    assert api.find_reporter("tsv", using=checker) is not None
    run = api.RunResult(reports=[checker.check(shared_dir / SEED_000)])
    out = api.render(run, "tsv", using=checker)
    assert out.startswith(str(shared_dir / SEED_000)) and out.split("\t")[1] != "0"
    assert api.find_reporter("tsv", using=api.Checker()) is None


def test_alias_bomb_in_a_rule_example_is_refused_not_expanded(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "bomb"
    pack.mkdir()
    (pack / "pack.yaml").write_text("name: bomb\nversion: '1'\ndescription: x\n", encoding="utf-8")
    levels = ['    x0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    levels += [f"    x{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    (pack / "r.yaml").write_text(textwrap.dedent("""\
        - id: BOMB-1
          title: {zh: 炸弹, en: bomb}
          severity: error
          basis: x
          expr: requests.new.total >= 0
          message: {zh: "新收 {left}", en: "new {left}"}
          examples:
            - {doc: {requests: {new: {total: 3}}}, expect: pass}
            - {doc: {requests: {new: {total: -3}}}, expect: fail}
            - expect: pass
              doc:
        """) + "\n".join("    " + x for x in levels) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "rules", "test", str(pack))
    assert code == 2
    # at the first anchor that expands past the limit (x5: &a5, 9**6 values), found before any walk of it
    assert f"{pack / 'r.yaml'}:17:13:" in err and "别名" in err and "Traceback" not in err


@pytest.mark.parametrize(("message", "word"), [('"新收 {nonexistent}"', "nonexistent"), ('"新收 {left"', "不成对")],
                         ids=["unknown-placeholder", "unpaired-brace"])
def test_bad_message_placeholder_is_a_load_error_at_the_message(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                message: str, word: str) -> None:
    pack = tmp_path / "msg"
    pack.mkdir()
    (pack / "pack.yaml").write_text("name: msg\nversion: '1'\ndescription: x\n", encoding="utf-8")
    (pack / "r.yaml").write_text(textwrap.dedent(f"""\
        - id: MSG-1
          title: {{zh: 消息, en: message}}
          severity: error
          basis: x
          expr: requests.new.total >= 0
          message:
            zh: {message}
            en: "new {{left}}"
          examples:
            - {{doc: {{requests: {{new: {{total: 3}}}}}}, expect: pass}}
            - {{doc: {{requests: {{new: {{total: -3}}}}}}, expect: fail}}
        """), encoding="utf-8")
    code, out, err = run(capsys, "rules", "test", str(pack))
    assert code == 2
    # at the brace of the placeholder itself (col 13: after `zh: "新收 `); the hint lists what is available
    assert f"{pack / 'r.yaml'}:7:13:" in err and word in err and "left" in err
