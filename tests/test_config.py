"""Configuration: discovery, profiles, severities, mandatory rules and the suppression lifecycle."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from _reporting import checker, seeds

from gipcheck.cli import main
from gipcheck.config import find_config, load_config
from gipcheck.errors import EXIT_USAGE, ConfigError

TODAY = dt.date(2025, 6, 1)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # origins are shown relative to the working directory


@pytest.fixture()
def seed001() -> str:
    return str(next(p for p in seeds() if p.name.startswith("001_")))


def fresh(path: str):
    """A new result for one seed (apply() changes results in place)."""
    return checker().check(path)


def rules_of(result, suppressed: bool | None = None) -> set[str]:
    return {f.rule for f in result.findings if suppressed is None or bool(f.suppressed) == suppressed}


# ------------------------------------------------------------------ discovery
def test_found_from_a_subdirectory_and_pyproject_without_table_skipped(tmp_path):
    write(tmp_path / "gipcheck.toml", 'disable = ["O-*"]\n')
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    write(tmp_path / "a" / "pyproject.toml", '[project]\nname = "x"\n')
    found = find_config(sub)
    assert found is not None and found[0] == tmp_path / "gipcheck.toml"
    write(tmp_path / "a" / "pyproject.toml", '[tool.gipcheck]\ndisable = ["T3-*"]\n')
    path, table, prefix = find_config(sub)
    assert path == tmp_path / "a" / "pyproject.toml" and table == {"disable": ["T3-*"]} and prefix == "tool.gipcheck"


def test_no_file_means_defaults(tmp_path):
    s = load_config(cwd=tmp_path)
    assert s.path is None and s.option("format") == "text"
    assert "默认值" in s.describe("zh")


# ------------------------------------------------------------------ rule switches and severities
def test_disable_enable_and_severity_override(tmp_path, seed001):
    cfg = write(tmp_path / "gipcheck.toml", """
disable = ["O-*", "FEE-*"]
enable = ["O-KEYPOINTS"]
severity = { "T3-EMPTY" = "error" }
""")
    base = fresh(seed001)
    assert {"O-KEYPOINTS", "O-NPC-CPPCC", "FEE-DETAIL", "T3-EMPTY"} <= rules_of(base)
    r = load_config(cfg, today=TODAY).apply(fresh(seed001))
    assert "O-NPC-CPPCC" not in rules_of(r) and "FEE-DETAIL" not in rules_of(r)
    assert "O-KEYPOINTS" in rules_of(r)
    assert next(f for f in r.findings if f.rule == "T3-EMPTY").severity == "error"
    assert r.counts()["error"] == base.counts()["error"] + 1


def test_unknown_key_and_bad_severity_are_config_errors_naming_file_and_key(tmp_path):
    cfg = write(tmp_path / "gipcheck.toml", 'disabel = ["O-*"]\n')
    with pytest.raises(ConfigError) as e:
        load_config(cfg)
    assert "gipcheck.toml" in e.value.zh and "disabel" in e.value.zh and "disable" in e.value.zh
    assert e.value.exit_code == EXIT_USAGE
    cfg = write(tmp_path / "pyproject.toml", '[tool.gipcheck.severity]\n"T3-EMPTY" = "fatal"\n')
    with pytest.raises(ConfigError) as e:
        load_config(cfg)
    assert 'tool.gipcheck.severity.T3-EMPTY' in e.value.zh



@pytest.mark.parametrize(("text", "line", "col", "zh"), [
    ('profile = "省级"\ndisable = ["O-*"\n\n', 2, 17, "方括号数组未闭合"),
    ('[severity]\n严重 = "error"\n', 2, 1, "无效的语句（键名含中文或空格时请加引号）"),
    ('disable = [O-NPC]\n', 1, 12, "无效的值（文字请加引号）"),
    ('lang = "中文\n', 1, 11, "字符串在行尾未闭合（缺少结尾的引号）"),
])
def test_toml_syntax_error_names_line_col_in_chinese_with_a_caret(tmp_path, text, line, col, zh):
    cfg = write(tmp_path / "gipcheck.toml", text)
    with pytest.raises(ConfigError) as e:
        load_config(cfg)
    first, src, caret = e.value.zh.split("\n")
    assert first == f"{cfg}:{line}:{col}: 配置文件不是有效的 TOML：{zh}"
    assert src.strip() == text.split("\n")[line - 1].strip()
    assert caret.index("^") - 4 == sum(2 if "\u4e00" <= ch <= "\u9fff" else 1 for ch in src[4:][:col - 1])
    assert e.value.en.startswith(f"{cfg}:{line}:{col}: configuration file is not valid TOML: ")
    assert e.value.exit_code == EXIT_USAGE



def test_config_not_in_utf8_is_a_config_error_and_a_bom_is_forgiven(tmp_path, capsys):
    cfg = tmp_path / "gipcheck.toml"
    cfg.write_bytes('[severity]\n"T3-EMPTY" = "error"\n# 省级配置\n'.encode("gbk"))
    with pytest.raises(ConfigError) as e:
        load_config(cfg)
    assert e.value.code == "CONFIG_ENCODING" and "UTF-8" in e.value.zh and str(cfg) in e.value.zh
    assert main(["config", "show", "--config", str(cfg)]) == EXIT_USAGE  # one line, never a traceback
    assert "内部错误" not in capsys.readouterr().err
    cfg.write_bytes(b"\xef\xbb\xbf" + '[severity]\n"T3-EMPTY" = "error"\n# 省级配置\n'.encode())
    assert [s[:2] for s in load_config(cfg).severity] == [("T3-EMPTY", "error")]


# ------------------------------------------------------------------ suppression lifecycle
def test_missing_reason_is_rejected_with_file_and_key(tmp_path, capsys, seed001):
    cfg = write(tmp_path / "gipcheck.toml", '[[suppressions]]\nrule = "T3-EMPTY"\n')
    with pytest.raises(ConfigError) as e:
        load_config(cfg)
    assert e.value.code == "CONFIG_NO_REASON"
    assert "gipcheck.toml" in e.value.zh and "suppressions[0].reason" in e.value.zh
    write(cfg, '[[suppressions]]\nrule = "T3-EMPTY"\nreason = "  "\n')
    assert main(["check", seed001, "--config", str(cfg), "--no-progress"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "suppressions[0].reason" in err and "理由" in err and "Traceback" not in err


def test_suppression_with_reason_hides_and_expiry_is_honoured(tmp_path, seed001):
    cfg = write(tmp_path / "gipcheck.toml", """
[[suppressions]]
rule = "T3-EMPTY"
reason = "模板中第三类行本无数据"
expires = 2025-12-31
""")
    s = load_config(cfg, today=TODAY)
    r = s.apply(fresh(seed001))
    f = next(f for f in r.findings if f.rule == "T3-EMPTY")
    assert f.suppressed == {"reason": "模板中第三类行本无数据", "expires": "2025-12-31",
                            "source": "gipcheck.toml:suppressions[0]"}
    assert r.counts()["warning"] == fresh(seed001).counts()["warning"] - 1
    assert s.run_problems() == []
    # The day after the expiry the finding is back, and the expired suppression is reported.
    s = load_config(cfg, today=dt.date(2026, 1, 1))
    r = s.apply(fresh(seed001))
    assert "T3-EMPTY" in rules_of(r, suppressed=False)
    probs = s.run_problems()
    assert [p.code for p in probs] == ["SUPPRESSION_EXPIRED"]
    assert "2025-12-31" in probs[0].message and "gipcheck.toml:suppressions[0]" in probs[0].message


def test_suppression_scoped_by_file_glob_and_organ(tmp_path, seed001):
    other = str(next(p for p in seeds() if p.name.startswith("000_")))
    cfg = write(tmp_path / "gipcheck.toml", """
[[suppressions]]
rule = "FEE-*"
reason = "已在附件说明"
files = ["001_*.txt"]
[[suppressions]]
rule = "O-NPC-CPPCC"
reason = "本机关不承办建议提案"
organ = "深州市*"
""")
    s = load_config(cfg, today=TODAY)
    a, b = s.apply(fresh(seed001)), s.apply(fresh(other))
    assert {"FEE-DETAIL", "O-NPC-CPPCC"} <= rules_of(a, suppressed=True)
    assert not rules_of(b, suppressed=True)
    assert s.run_problems() == []


def test_unmatched_suppression_is_reported(tmp_path, seed001):
    cfg = write(tmp_path / "gipcheck.toml", """
[[suppressions]]
rule = "T4-TOTAL"
reason = "以前的问题"
""")
    s = load_config(cfg, today=TODAY)
    s.apply(fresh(seed001))
    probs = s.run_problems()
    assert [p.code for p in probs] == ["SUPPRESSION_UNMATCHED"]
    assert probs[0].kind == "config" and "gipcheck.toml:suppressions[0]" in probs[0].message


def test_mandatory_rules_cannot_be_disabled_or_suppressed(tmp_path, seed001):
    cfg = write(tmp_path / "pyproject.toml", """
[tool.gipcheck]
profile = "province"
disable = ["T3-EMPTY"]
[[tool.gipcheck.suppressions]]
rule = "T3-*"
reason = "市里说可以"
[tool.gipcheck.profiles.province]
mandatory = ["T3-*"]
""")
    s = load_config(cfg, today=TODAY)
    r = s.apply(fresh(seed001))
    assert "T3-EMPTY" in rules_of(r, suppressed=False)
    codes = {p.code: p for p in s.run_problems()}
    assert set(codes) == {"MANDATORY_DISABLE", "MANDATORY_SUPPRESS"}
    assert "pyproject.toml:tool.gipcheck.disable[0]" in codes["MANDATORY_DISABLE"].message
    assert "pyproject.toml:tool.gipcheck.suppressions[0]" in codes["MANDATORY_SUPPRESS"].message
    # Without the profile the same file may disable the rule.
    write(cfg, cfg.read_text(encoding="utf-8").replace('profile = "province"\n', ""))
    s = load_config(cfg, today=TODAY)
    assert "T3-EMPTY" not in rules_of(s.apply(fresh(seed001)))


def test_no_suppressions_shows_everything(tmp_path, seed001):
    cfg = write(tmp_path / "gipcheck.toml", """
[[suppressions]]
rule = "*"
reason = "全部豁免（测试）"
""")
    s = load_config(cfg, today=TODAY)
    r = s.apply(fresh(seed001))
    assert r.findings and all(f.suppressed for f in r.findings) and sum(r.counts().values()) == 0
    s = load_config(cfg, today=TODAY)
    r = s.apply(fresh(seed001), no_suppressions=True)
    assert r.findings and not any(f.suppressed for f in r.findings)
    assert r.counts() == fresh(seed001).counts()
    assert s.run_problems(no_suppressions=True) == []


def test_check_command_applies_config_and_no_suppressions(tmp_path, capsys, seed001):
    import json

    cfg = write(tmp_path / "gipcheck.toml", """
format = "json"
[[suppressions]]
rule = "T3-EMPTY"
reason = "已核实"
[[suppressions]]
rule = "NO-SUCH-RULE"
reason = "拼错了"
""")
    main(["check", seed001, "--config", str(cfg), "--no-progress", "-j", "1"])
    out = json.loads(capsys.readouterr().out)
    t3 = next(f for f in out["reports"][0]["findings"] if f["rule"] == "T3-EMPTY")
    assert t3["suppressed"]["reason"] == "已核实"
    codes = sorted(p["code"] for p in out["problems"])
    assert codes == ["SUPPRESSION_UNMATCHED"]
    assert "NO-SUCH-RULE" in out["problems"][0]["message"]
    main(["check", seed001, "--config", str(cfg), "--no-progress", "-j", "1", "--no-suppressions"])
    out = json.loads(capsys.readouterr().out)
    assert not any(f.get("suppressed") for f in out["reports"][0]["findings"])


# ------------------------------------------------------------------ profiles and config show
def test_profiles_extend_and_unknown_profile_is_an_error(tmp_path):
    cfg = write(tmp_path / "gipcheck.toml", """
[profiles.base]
disable = ["O-*"]
[profiles.city]
extends = "base"
mandatory = ["T3-*"]
""")
    s = load_config(cfg, profile="city")
    assert s.profile.value == "city" and s.profile.origin == "--profile"
    assert [p for op, p, _ in s.switches if op == "disable"] == ["O-*"]
    assert s.mandatory_origin("T3-EMPTY") == "gipcheck.toml:profiles.city.mandatory[0]"
    with pytest.raises(ConfigError) as e:
        load_config(cfg, profile="county")
    assert "county" in e.value.zh and "base" in e.value.zh


def test_config_show_names_where_each_value_came_from(tmp_path, capsys, monkeypatch):
    write(tmp_path / "pyproject.toml", """
[tool.gipcheck]
profile = "strict"
jobs = 2
severity = { "S-LABEL-EXACT" = "warning" }
[[tool.gipcheck.suppressions]]
rule = "T3-EMPTY"
reason = "已核实"
expires = 2020-01-01
[tool.gipcheck.profiles.strict]
mandatory = ["T2-*"]
""")
    monkeypatch.chdir(tmp_path)
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert "pyproject.toml:tool.gipcheck.profile" in out
    assert "pyproject.toml:tool.gipcheck.jobs" in out
    assert "format" in out and "默认值" in out
    assert 'S-LABEL-EXACT = warning  ← pyproject.toml:tool.gipcheck.severity.S-LABEL-EXACT' in out
    assert "T2-*  ← pyproject.toml:tool.gipcheck.profiles.strict.mandatory[0]" in out
    assert "已过期" in out and "pyproject.toml:tool.gipcheck.suppressions[0]" in out
