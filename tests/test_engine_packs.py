"""Rule files and packs: loading, positions of every kind of error, new packs without code."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from gipcheck.engine import evaluate, load_pack, load_packs
from gipcheck.errors import RuleError
from gipcheck.load.base import LoadedReport

PACK_YAML = "name: test-pack\nversion: '0.1'\ndescription: 测试规则包\n"

GOOD_RULE = """\
- id: LOCAL-NEW-MAX
  title: {zh: 本年新收申请不超过100件, en: At most 100 new requests}
  severity: warning
  basis: 某省通知
  expr: requests.new.total <= 100
  message: {zh: "本年新收申请 {left} 件，超过 {right} 件", en: "{left} new requests, more than {right}"}
  examples:
    - {expect: pass, doc: {requests: {new: {total: 3}}}}
    - {expect: fail, doc: {requests: {new: {total: 300}}}}
"""


def make_pack(root: Path, rule_text: str, name: str = "rules.yaml", pack_yaml: str = PACK_YAML) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pack.yaml").write_text(pack_yaml, encoding="utf-8")
    (root / name).write_text(textwrap.dedent(rule_text), encoding="utf-8")
    return root


def load_error(tmp_path: Path, rule_text: str) -> RuleError:
    pack = make_pack(tmp_path / "pack", rule_text)
    with pytest.raises(RuleError) as info:
        load_pack(pack)
    return info.value


def where(err: RuleError) -> tuple[str, int | None, int | None]:
    return (Path(err.file or "").name, err.line, err.col)


def rule_with(expr_lines: str, let: str = "") -> str:
    """A valid rule whose expression (a block scalar starting on line 6, indented 4) is ``expr_lines``."""
    return (
        "- id: T-BROKEN\n"                                           # 1
        "  title: {zh: 测试, en: test}\n"                             # 2
        "  severity: error\n"                                        # 3
        "  basis: 测试\n"                                             # 4
        "  expr: |\n"                                                # 5
        + textwrap.indent(expr_lines, "    ")                        # 6…
        + let
        + "  message: {zh: 不通过, en: fails}\n"
        "  examples:\n"
        "    - {expect: pass, doc: {}}\n"
        "    - {expect: fail, doc: {}}\n"
    )


# ------------------------------------------------------------------ a new pack, no code
def test_new_rule_file_in_a_new_pack_fires_without_code(tmp_path: Path) -> None:
    national = Path(__file__).resolve().parents[1] / "rules" / "national"
    extra = make_pack(tmp_path / "province", GOOD_RULE)
    packs = load_packs([national, extra])
    assert [p.name for p in packs] == ["national", "test-pack"]
    doc = {"meta": {"year": 2024, "format": "2021"}, "requests": {"new": {"total": 321}}}
    result = evaluate(LoadedReport(doc), packs, only=["LOCAL-*"])
    assert [f.rule for f in result.findings] == ["LOCAL-NEW-MAX"]
    f = result.findings[0]
    assert f.message == "本年新收申请 321 件，超过 100 件"
    assert f.values["left"] == 321 and f.values["right"] == 100
    assert f.pack == "test-pack" and f.severity == "warning"
    en = evaluate(LoadedReport(doc), packs, only=["LOCAL-NEW-MAX"], lang="en").findings[0]
    assert en.message == "321 new requests, more than 100"
    ok = evaluate(LoadedReport({"requests": {"new": {"total": 5}}}), packs, only=["LOCAL-NEW-MAX"])
    assert ok.findings == [] and ok.passed == ["LOCAL-NEW-MAX"]


def test_single_rule_mapping_file_is_accepted(tmp_path: Path) -> None:
    one = textwrap.dedent(GOOD_RULE).replace("- id:", "id:", 1)
    one = "\n".join(line[2:] if line.startswith("  ") else line for line in one.splitlines()) + "\n"
    pack = load_pack(make_pack(tmp_path / "p", one))
    assert [r.id for r in pack.rules] == ["LOCAL-NEW-MAX"]


def test_pack_is_cached_until_a_file_changes(tmp_path: Path) -> None:
    d = make_pack(tmp_path / "p", GOOD_RULE)
    first = load_pack(d)
    assert load_pack(d) is first
    (d / "rules.yaml").write_text(GOOD_RULE.replace("<= 100", "<= 200") + "\n", encoding="utf-8")
    second = load_pack(d)
    assert second is not first
    assert second.rules[0].expr.text.strip() == "requests.new.total <= 200"


# ------------------------------------------------------------------ broken files, exact positions
def test_bad_yaml_position(tmp_path: Path) -> None:
    text = (
        "- id: T-BAD-YAML\n"
        "  title: {zh: 测试, en: test}\n"
        "  severity: error\n"
        "  basis: 测试\n"
        "  expr: requests.new.total: 3\n"
    )
    err = load_error(tmp_path, text)
    assert err.code == "YAML"
    assert where(err) == ("rules.yaml", 5, 27)
    assert "冒号" in (err.hint_zh or "")
    rendered = err.render()
    assert rendered.splitlines()[0].endswith("rules.yaml:5:27: YAML 格式错误：此处不能出现“: ”（冒号加空格）")
    assert err.message("en").endswith("YAML syntax error: mapping values are not allowed here")


@pytest.mark.parametrize(("text", "line", "col", "zh"), [
    ("- id: X\n\ttitle: t\n", 2, 1, "出现了 Tab 字符（YAML 不允许用 Tab 缩进）"),
    ("- id: X\n  title: \"未闭合\n", 2, 10, "引号没有闭合"),               # at the opening quote
    ("- id: X\n  tags: [a, b\n", 2, 9, "此处的“[”没有闭合（缺少“]”）"),   # at the opening bracket
    ("- id: X\n  title: *nope\n", 2, 10, "引用了未定义的锚点 nope"),
])
def test_yaml_parser_problems_are_worded_in_chinese(tmp_path: Path, text: str, line: int, col: int, zh: str) -> None:
    err = load_error(tmp_path, text)
    assert err.code == "YAML"
    assert where(err) == ("rules.yaml", line, col)
    assert err.message("zh") == f"YAML 格式错误：{zh}"


def test_duplicate_yaml_key_position(tmp_path: Path) -> None:
    text = GOOD_RULE.replace("  severity: warning\n", "  severity: warning\n  severity: error\n")
    err = load_error(tmp_path, text)
    assert err.code == "YAML"
    assert where(err) == ("rules.yaml", 4, 3)


def test_schema_violation_bad_enum_position_and_hint(tmp_path: Path) -> None:
    err = load_error(tmp_path, GOOD_RULE.replace("severity: warning", "severity: warn"))
    assert err.code == "SCHEMA"
    assert where(err) == ("rules.yaml", 3, 13)
    assert "“warn”不是允许的取值" in err.zh
    assert err.hint_zh == "是否应为“warning”？"


def test_schema_violation_unknown_field_points_at_the_key(tmp_path: Path) -> None:
    err = load_error(tmp_path, GOOD_RULE.replace("  basis:", "  basiss: x\n  basis:"))
    assert err.code == "SCHEMA"
    assert where(err) == ("rules.yaml", 4, 3)
    assert "未知字段“basiss”" in err.zh and "basis" in (err.hint_zh or "")


def test_schema_violation_missing_field_and_missing_failing_example(tmp_path: Path) -> None:
    err = load_error(tmp_path, GOOD_RULE.replace("  basis: 某省通知\n", ""))
    assert "缺少必填字段“basis”" in err.zh
    assert where(err) == ("rules.yaml", 1, 3)
    err = load_error(tmp_path, GOOD_RULE.replace("    - {expect: fail, doc: {requests: {new: {total: 300}}}}\n", ""))
    assert "expect: fail" in err.zh
    assert where(err) == ("rules.yaml", 8, 5)


def test_expression_syntax_error_position(tmp_path: Path) -> None:
    err = load_error(tmp_path, rule_with("requests.new.total + * 2 == 3\n"))
    assert err.code == "SYNTAX"
    assert where(err) == ("rules.yaml", 6, 26)
    assert err.source_line == "    requests.new.total + * 2 == 3"


def test_fullwidth_paren_on_second_line_of_a_block(tmp_path: Path) -> None:
    err = load_error(tmp_path, rule_with("requests.new.total ==\n  sum（requests.new[*]) - requests.new.total\n"))
    assert err.code == "SYNTAX"
    assert where(err) == ("rules.yaml", 7, 10)
    assert "(" in (err.hint_zh or "")
    caret = err.render().splitlines()[2]
    assert caret == "    " + " " * 9 + "^"


def test_single_equals_position_and_hint(tmp_path: Path) -> None:
    err = load_error(tmp_path, rule_with("requests.new.total = 3\n"))
    assert err.code == "SYNTAX"
    assert where(err) == ("rules.yaml", 6, 24)
    assert "==" in (err.hint_zh or "")


def test_unknown_path_with_did_you_mean(tmp_path: Path) -> None:
    err = load_error(tmp_path, rule_with("requests.carried_ovr.total == 0\n"))
    assert err.code == "UNKNOWN_PATH"
    assert where(err) == ("rules.yaml", 6, 14)
    assert "carried_over" in (err.hint_zh or "")


def test_recursive_let_position(tmp_path: Path) -> None:
    let = "  let:\n    a: b + 1\n    b: a + 1\n"
    err = load_error(tmp_path, rule_with("a == 2\n", let))
    assert err.code == "LET_CYCLE"
    assert where(err) == ("rules.yaml", 9, 8)
    assert "a → b → a" in err.zh


def test_let_error_points_into_the_let(tmp_path: Path) -> None:
    let = "  let:\n    total_new: requests.nwe.total\n"
    err = load_error(tmp_path, rule_with("total_new == 2\n", let))
    assert err.code == "UNKNOWN_PATH"
    assert where(err) == ("rules.yaml", 8, 25)


def test_pack_level_let_error_points_into_pack_yaml(tmp_path: Path) -> None:
    pack = make_pack(tmp_path / "p", rule_with("big\n"),
                     pack_yaml=PACK_YAML + "let:\n  big: requests.new.totl > 100\n")
    with pytest.raises(RuleError) as info:
        load_pack(pack)
    assert where(info.value) == ("pack.yaml", 5, 21)


def test_duplicate_id_across_packs_names_both_files(tmp_path: Path) -> None:
    a = make_pack(tmp_path / "a", GOOD_RULE)
    b = make_pack(tmp_path / "b", GOOD_RULE, name="other.yaml", pack_yaml=PACK_YAML.replace("test-pack", "pack-b"))
    with pytest.raises(RuleError) as info:
        load_packs([a, b])
    err = info.value
    assert err.code == "DUPLICATE_ID"
    assert "other.yaml" in (err.file or "") and err.line == 1
    assert "rules.yaml:1" in err.zh and "LOCAL-NEW-MAX" in err.zh


def test_duplicate_id_in_one_pack(tmp_path: Path) -> None:
    err = load_error(tmp_path, GOOD_RULE + "\n" + GOOD_RULE)
    assert err.code == "DUPLICATE_ID"
    assert where(err) == ("rules.yaml", 11, 7)


def test_missing_pack_yaml(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    with pytest.raises(RuleError) as info:
        load_pack(tmp_path / "x")
    assert info.value.code == "NO_PACK"


def test_forbidden_names_are_load_errors(tmp_path: Path) -> None:
    err = load_error(tmp_path, rule_with("requests.__class__ == 1\n"))
    assert err.code == "FORBIDDEN"
    assert where(err) == ("rules.yaml", 6, 14)



def test_published_schemas_are_valid_draft_2020_12() -> None:
    import json

    from jsonschema import Draft202012Validator

    root = Path(__file__).resolve().parents[1] / "schemas"
    for name in ("rule.schema.json", "pack.schema.json"):
        schema = json.loads((root / name).read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        assert "/" in schema["title"]  # zh / en for editors


def test_rule_file_schema_accepts_the_national_files() -> None:
    import json

    import yaml
    from jsonschema import Draft202012Validator

    repo = Path(__file__).resolve().parents[1]
    validator = Draft202012Validator(json.loads((repo / "schemas" / "rule.schema.json").read_text(encoding="utf-8")))
    files = sorted((repo / "rules" / "national").glob("*.yaml"))
    assert len(files) == 11
    for f in files:
        if f.name != "pack.yaml":
            data = yaml.safe_load(f.read_text(encoding="utf-8"))
            errors = [e.message for e in validator.iter_errors(data)]
            assert not errors, f.name


def test_caret_lines_up_under_chinese_text(tmp_path: Path) -> None:
    err = load_error(tmp_path, rule_with('has(section(6), "信息处理费") = true\n'))
    assert err.code == "SYNTAX"
    assert where(err) == ("rules.yaml", 6, 30)
    source, caret = err.render().splitlines()[1:3]
    assert source == '        has(section(6), "信息处理费") = true'
    # 29 characters before the `=`, five of them double width: the caret sits under the `=`.
    assert caret == "    " + " " * (29 + 5) + "^"
