"""What a rule author sees when a rule file or pack is broken: ``file:line:col`` exact for every
YAML scalar style (folded, quoted with escapes, multi-line plain, CRLF), a caret under the fault
even after Chinese text, a hint, exit code 2, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from gipcheck.cli import main
from gipcheck.engine import load_pack, load_packs
from gipcheck.engine.yamlpos import MAX_DEPTH, Lines, scalar_positions
from gipcheck.errors import RuleError

PACK_YAML = "name: t\nversion: '0.1'\ndescription: 测试\n"
HEAD = (
    "- id: T-X\n"                      # 1
    "  title: {zh: 测试, en: t}\n"     # 2
    "  severity: error\n"              # 3
    "  basis: 测试\n"                   # 4
)
MESSAGE = "  message: {zh: 不通过, en: fails}\n"
EXAMPLES = "  examples:\n    - {expect: pass, doc: {}}\n    - {expect: fail, doc: {}}\n"
GOOD = HEAD + "  expr: 1 == 1\n" + MESSAGE + EXAMPLES
SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


def write_pack(root: Path, rules: str | bytes, pack_yaml: str | bytes = PACK_YAML, name: str = "r.yaml") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for fname, content in (("pack.yaml", pack_yaml), (name, rules)):
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        (root / fname).write_bytes(data)
    return root


def error_of(tmp_path: Path, rules: str | bytes, pack_yaml: str | bytes = PACK_YAML) -> RuleError:
    with pytest.raises(RuleError) as info:
        load_pack(write_pack(tmp_path / "p", rules, pack_yaml))
    return info.value


def shown(err: RuleError, lang: str = "zh") -> tuple[str, str]:
    """The source line and the caret line of the rendered error (without the 4-space margin)."""
    out = err.render(lang).splitlines()
    assert out[1].startswith("    ") and out[2].startswith("    ")
    return out[1][4:], out[2][4:]


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err and "内部错误" not in err
    return code, err


# ------------------------------------------------------------------ every scalar style, exact
# Each expression has Chinese text before the fault (`$`) on the same line; the old mapping
# (start of scalar + offset in the value) put the caret at the before-position in the comment.
STYLES = {
    # folded: before 6:43 (the wrong line, past its end)
    "folded": ('  expr: >\n    has(text(), "中文") and\n    "中文" == "中" and $x\n', 7, 21),
    "folded-strip": ('  expr: >-\n    has(text(), "中文中文")\n    and "中文" == 1 and $x\n', 7, 23),  # before 6:43
    "folded-keep": ('  expr: >+\n    "中文" == "中"\n\n    and 中文 and $x\n\n', 8, 16),  # before 7:16 (the blank line)
    # a more-indented line and a blank line inside a folded block are kept as line breaks
    "folded-more-indented": ('  expr: >\n    "中文" == "中"\n      or 1 == 1\n\n    and 中文 and $x\n', 9, 16),
    # escapes: \t is 1 character in the value, 2 in the file; before 5:33
    "double-tab": ('  expr: "has(text(), \\"中文\\t\\") and $x"\n', 5, 36),
    # \u4e2d is 1 character in the value, 6 in the file; before 5:38
    "double-unicode": ('  expr: "has(text(), \\"\\u4e2d\\u6587\\") and 中 and $x"\n', 5, 50),
    # a trailing backslash joins the lines with nothing between; before 5:39
    "double-continued": ('  expr: "has(text(), \\"中文\\") \\\n    and 中文 and $x"\n', 6, 16),
    "double-folded": ('  expr: "has(text(), \\"中文\\")\n    and 中文 and $x"\n', 6, 16),  # before 5:39
    # '' is one quote in the value; before 5:32
    "single": ("  expr: 'has(text(), ''中文'') and $x'\n", 5, 34),
    "single-multiline": ("  expr: 'has(text(), ''中文'')\n     and 中文 and $x'\n", 6, 17),  # before 5:39
    "plain-multiline": ("  expr: has(text(), '中文')\n    and 中文 and $x\n", 6, 16),  # before 5:38
    "plain-blank-line": ("  expr: has(text(), '中文')\n\n    and 中文 and $x\n", 7, 16),  # before 6:12
    # `|` blocks were exact and stay so
    "literal": ("  expr: |\n    has(text(), '中文')\n    and 中文 and $x\n", 7, 16),
    "literal-leading-blank": ("  expr: |\n\n    has(text(), '中文')\n    and 中文 and $x\n", 8, 16),
    # an explicit indentation indicator: the leading spaces are part of the value; before 7:19
    "literal-indent-indicator": ("  expr: |2\n      has(text(), '中文')\n     and 中文 and $x\n", 7, 17),
    "plain-one-line": ("  expr: 中文 == 1 and $x\n", 5, 21),
}


@pytest.mark.parametrize("eol", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize(("expr", "line", "col"), list(STYLES.values()), ids=list(STYLES))
def test_expression_error_position_in_every_scalar_style(tmp_path: Path, expr: str, line: int, col: int,
                                                         eol: str) -> None:
    text = (HEAD + expr + MESSAGE + EXAMPLES).replace("\n", eol)
    err = error_of(tmp_path, text)
    assert err.code == "SYNTAX" and "“$”" in err.zh
    assert (err.line, err.col) == (line, col)
    src, caret = shown(err)
    assert src == text.split(eol)[line - 1]
    assert src[col - 1] == "$"
    # the caret sits under `$`: two columns for each Chinese character before it
    assert caret == "".join("  " if "\u4e00" <= c <= "\u9fff" else " " for c in src[:col - 1]) + "^"


def test_caret_under_chinese_is_exact_for_a_folded_block(tmp_path: Path) -> None:
    err = error_of(tmp_path, HEAD + STYLES["folded"][0] + MESSAGE + EXAMPLES)
    assert shown(err) == ('    "中文" == "中" and $x', "                       ^")
    assert err.render("zh").splitlines()[0].endswith("r.yaml:7:21: 无法识别的字符“$”")
    assert err.render("en").splitlines()[0].endswith("r.yaml:7:21: unexpected character `$`")


def test_unknown_path_inside_a_double_quoted_let_points_at_the_name(tmp_path: Path) -> None:
    rules = HEAD + ("  let:\n"
                    "    foo: \"'中文' == '中' and\n"
                    "      requests.nosuch > 1\"\n"
                    "  expr: foo\n") + MESSAGE + EXAMPLES
    err = error_of(tmp_path, rules)
    assert err.code == "UNKNOWN_PATH" and (err.line, err.col) == (7, 16)  # before 6:36, past the end of line 6
    assert shown(err)[0][15:21] == "nosuch"


def test_pack_level_let_in_a_folded_block(tmp_path: Path) -> None:
    pack = PACK_YAML + "let:\n  bar: >\n    '中文' ==\n    requests.nosuch\n"
    err = error_of(tmp_path, HEAD + "  expr: bar\n" + MESSAGE + EXAMPLES, pack)  # before 6:22
    assert Path(err.file or "").name == "pack.yaml"
    assert (err.line, err.col) == (7, 14) and err.code == "UNKNOWN_PATH"


def test_expression_that_ends_too_early_in_a_folded_block(tmp_path: Path) -> None:
    err = error_of(tmp_path, HEAD + "  expr: >\n    '中文' == 1 or\n    (1 +\n" + MESSAGE + EXAMPLES)
    assert err.code == "SYNTAX" and (err.line, err.col) == (7, 9)  # just after `(1 +`; before 6:22


def test_severity_when_in_single_quotes(tmp_path: Path) -> None:
    rules = HEAD.replace("  severity: error\n", "  severity: error\n  severity_when:\n"
                         "    - {if: '''中文'' == ''x'' and $', severity: warning}\n") + "  expr: 1 == 1\n" \
        + MESSAGE + EXAMPLES
    err = error_of(tmp_path, rules)
    assert (err.line, err.col) == (5, 33) and shown(err)[0][32] == "$"  # before 5:29


# ------------------------------------------------------------------ the mapper itself
def test_scalar_map_rebuilds_every_character_from_the_file() -> None:
    import yaml

    text = ('a: >\n  中文 x\n  y\n\n  z\n   more\n  w\n'
            'b: "x\\ty \\"z\\" \\u4e2d\\\n   w"\n'
            "c: 'x''y\n  z'\n"
            'd: x y\n  z\n\n  w\n')
    for loader in (yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        for _k, node in yaml.compose(text, Loader=loader).value:
            pos = scalar_positions(text, node)
            assert pos is not None and len(pos) == len(node.value) + 1
            for ch, at in zip(node.value, pos, strict=False):
                src = text[at]
                # a value character is the file's own, or a folded break, or an escape's backslash
                assert src == ch or src in "\r\n" or (src == "\\" and node.style == '"'), (node.value, ch, src)


def test_lines_use_yaml_line_breaks() -> None:
    lines = Lines("a: 1\r\nb: 中\rc: 2\u2028d: 3\n")
    assert [lines.line(n) for n in (1, 2, 3, 4)] == ["a: 1", "b: 中", "c: 2", "d: 3"]
    assert lines.line_col(lines.text.index("d")) == (4, 1)


# ------------------------------------------------------------------ messages
def test_unknown_placeholder_in_a_folded_message_points_at_the_placeholder(tmp_path: Path) -> None:
    # before: 7:9, the `zh:` value's first line
    rules = HEAD + "  expr: 1 == 1\n  message:\n    zh: >-\n      第一行中文说明\n      第二行 {nosuch} 件\n" \
        "    en: x\n" + EXAMPLES
    err = error_of(tmp_path, rules)
    assert err.code == "MESSAGE" and (err.line, err.col) == (9, 11)
    assert shown(err) == ("      第二行 {nosuch} 件", "             ^")


def test_unpaired_brace_in_a_quoted_message(tmp_path: Path) -> None:
    rules = HEAD + '  expr: 1 == 1\n  message:\n    zh: "中文中文 {left} 多了 }"\n    en: x\n' + EXAMPLES  # before 7:9
    err = error_of(tmp_path, rules)
    assert err.code == "MESSAGE" and (err.line, err.col) == (7, 25)
    assert shown(err)[0][24] == "}"


# ------------------------------------------------------------------ YAML syntax slips
def test_text_after_a_closing_quote_is_explained(tmp_path: Path) -> None:
    err = error_of(tmp_path, HEAD + '  expr: "中文" in text() and $\n' + MESSAGE + EXAMPLES)
    assert err.code == "YAML" and (err.line, err.col) == (5, 14)
    assert "引号结束后不能再接文字" in err.zh and "expr: |" in (err.hint_zh or "")
    assert "scalar" not in err.zh


def test_unclosed_brace_in_an_example_points_at_the_brace(tmp_path: Path) -> None:
    # before: 10:1, an empty line past the end of the file
    rules = HEAD + "  expr: 1 == 1\n" + MESSAGE + "  examples:\n    - {expect: pass, doc: {}}\n" \
        "    - {expect: fail, doc: {requests: {new: {total: 中文}}}\n"
    err = error_of(tmp_path, rules)
    assert err.code == "YAML" and (err.line, err.col) == (9, 7)
    assert err.zh == "YAML 格式错误：此处的“{”没有闭合（缺少“}”）"
    assert shown(err)[1] == "      ^"


def test_unclosed_quote_points_at_the_quote(tmp_path: Path) -> None:
    # before: 10:1, an empty line past the end of the file
    err = error_of(tmp_path, HEAD + '  expr: "中文 == 1\n' + MESSAGE + EXAMPLES)
    assert err.code == "YAML" and (err.line, err.col) == (5, 9) and "引号没有闭合" in err.zh


def test_token_names_are_worded_in_chinese(tmp_path: Path) -> None:
    err = error_of(tmp_path, GOOD.replace("  basis: 测试\n", "  basis: 测试\n basis2: x\n"))
    assert err.code == "YAML" and (err.line, err.col) == (5, 2)
    assert err.zh == "YAML 格式错误：缩进不一致：这里不应出现 映射（字段: 值）"


# ------------------------------------------------------------------ encodings, line ends
def test_bom_does_not_shift_positions(tmp_path: Path) -> None:
    text = HEAD + STYLES["folded"][0] + MESSAGE + EXAMPLES
    err = error_of(tmp_path, ("\ufeff" + text).encode("utf-8"))
    assert (err.line, err.col) == (7, 21)
    assert error_of(tmp_path / "b", "\ufeff" + GOOD.replace("severity: error", "severity: 中文")).line == 3


def test_gbk_rule_file_names_the_line_and_the_encoding(tmp_path: Path) -> None:
    # before: no line or column, and no word on what the encoding is
    err = error_of(tmp_path, GOOD.encode("gbk"))
    assert err.code == "ENCODING" and (err.line, err.col) == (2, 15)
    assert "GBK" in (err.hint_zh or "") and "UTF-8" in (err.hint_zh or "")
    assert shown(err) == ("  title: {zh: 测试, en: t}", "              ^")


def test_utf16_rule_file(tmp_path: Path) -> None:
    err = error_of(tmp_path, GOOD.encode("utf-16"))
    assert err.code == "ENCODING" and "UTF-16" in err.zh


def test_lone_cr_line_ends_keep_lines_and_columns(tmp_path: Path) -> None:
    err = error_of(tmp_path, (HEAD + STYLES["plain-multiline"][0] + MESSAGE + EXAMPLES).replace("\n", "\r"))
    assert (err.line, err.col) == (6, 16)  # before 5:38
    assert shown(err)[0] == "    and 中文 and $x"


def test_tab_indentation(tmp_path: Path) -> None:
    err = error_of(tmp_path, GOOD.replace("  severity", "\tseverity"))
    assert err.code == "YAML" and (err.line, err.col) == (3, 1) and "Tab" in (err.hint_zh or "")


# ------------------------------------------------------------------ structure
def test_duplicate_chinese_key_in_a_flow_mapping(tmp_path: Path) -> None:
    err = error_of(tmp_path, GOOD.replace("{zh: 测试, en: t}", "{zh: 测试, zh: 中文, en: t}"))
    assert err.code == "YAML" and (err.line, err.col) == (2, 19)
    assert shown(err)[1] == " " * 20 + "^"


def test_alias_used_as_expression_points_into_the_anchored_text(tmp_path: Path) -> None:
    rules = HEAD.replace("  basis: 测试\n", '  basis: &b "中文 == $"\n') + "  expr: *b\n" + MESSAGE + EXAMPLES
    err = error_of(tmp_path, rules)
    # before: 4:17, the anchor `&b ` counted as part of the text
    assert err.code == "SYNTAX" and (err.line, err.col) == (4, 20) and shown(err)[0][19] == "$"


def test_deep_nesting_is_a_load_error_not_a_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # before: RecursionError, exit 70 ("internal error"); now the first bracket past the limit
    deep = "[" * 5000 + "]" * 5000
    pack = write_pack(tmp_path / "deep", GOOD.replace("doc: {}}\n    - {expect: fail", f"doc: {{x: {deep}}}}}\n"
                                                                                    "    - {expect: fail"))
    code, err = cli(capsys, "rules", "test", str(pack))
    assert code == 2
    first = err.splitlines()[0]
    # root list, rule, examples, example, doc, then the brackets from column 31
    assert first.endswith(f"r.yaml:8:{31 + MAX_DEPTH - 5}: YAML 嵌套过深：超过 {MAX_DEPTH} 层")


def test_deep_block_nesting(tmp_path: Path) -> None:
    rules = "x:\n" + "".join("  " * i + f"k{i}:\n" for i in range(2000))
    err = error_of(tmp_path, rules)
    assert err.code == "YAML" and (err.line, err.col) == (MAX_DEPTH + 2, 2 * MAX_DEPTH + 1)


def test_huge_rule_file_error_at_the_end(tmp_path: Path) -> None:
    n = 400
    body = "".join(GOOD.replace("T-X", f"T-X{i}") for i in range(n))
    body += GOOD.replace("T-X", "T-BAD").replace("expr: 1 == 1", "expr: >\n    中文 == 1 or $")
    err = error_of(tmp_path, body)
    assert (err.line, err.col) == (9 * n + 6, 16)


def test_bad_let_name_points_at_that_name(tmp_path: Path) -> None:
    # before: 6:5, the first let's name, whatever the bad one was
    rules = HEAD + "  let:\n    ok: '1'\n    中文名: '1'\n  expr: 1 == 1\n" + MESSAGE + EXAMPLES
    err = error_of(tmp_path, rules)
    assert err.code == "SCHEMA" and (err.line, err.col) == (7, 5) and "中文名" in err.zh


@pytest.mark.parametrize("name", ["requests", "len", "prev"])
def test_let_shadowing_a_path_or_function_points_at_the_name(tmp_path: Path, name: str) -> None:
    # before: at the let's value (col 7 + len(name))
    rules = HEAD + f"  let:\n    {name}: '1'\n  expr: 1 == 1\n" + MESSAGE + EXAMPLES
    err = error_of(tmp_path, rules)
    assert (err.line, err.col) == (6, 5) and name in err.zh and err.hint_zh


def test_repeated_tag_points_at_the_repetition(tmp_path: Path) -> None:
    # before: 5:9, the start of the list
    err = error_of(tmp_path, GOOD.replace("  expr:", "  tags: [中文, 表三,\n    表三]\n  expr:"))
    assert err.code == "SCHEMA" and (err.line, err.col) == (6, 5) and "表三" in err.zh


def test_rule_without_examples(tmp_path: Path) -> None:
    err = error_of(tmp_path, GOOD.split("  examples:")[0])
    assert err.code == "SCHEMA" and "examples" in err.zh and (err.line, err.col) == (1, 3)


@pytest.mark.parametrize(("pack_yaml", "code", "line"), [
    ("name: [t\nversion: 1\n", "YAML", 1),
    ("- a\n- b\n", "SCHEMA", 1),
    ("", "SCHEMA", None),
    ("name: t\n", "SCHEMA", 1),
], ids=["broken", "list", "empty", "no-version"])
def test_broken_pack_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str], pack_yaml: str, code: str,
                          line: int | None) -> None:
    err = error_of(tmp_path, GOOD, pack_yaml)
    assert err.code == code and err.line == line and Path(err.file or "").name == "pack.yaml"
    assert cli(capsys, "rules", "test", str(tmp_path / "p"))[0] == 2


def test_pack_yaml_missing_or_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "nopack"
    d.mkdir()
    (d / "r.yaml").write_text(GOOD, encoding="utf-8")
    code, err = cli(capsys, "rules", "test", str(d))
    assert code == 2 and "pack.yaml" in err
    (d / "pack.yaml").mkdir()
    code, err = cli(capsys, "rules", "test", str(d))
    assert code == 2 and "pack.yaml" in err


def test_rules_path_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = write_pack(tmp_path / "p", GOOD)
    code, err = cli(capsys, "rules", "show", "T-X", "--rules", str(pack / "r.yaml"))
    assert code == 2 and "r.yaml" in err


def test_unreadable_rule_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pack = write_pack(tmp_path / "p", GOOD)
    real = Path.read_bytes

    def deny(self: Path) -> bytes:
        if self.name == "r.yaml":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(RuleError) as info:
        load_pack(pack)
    assert info.value.code == "IO" and "Permission denied" in info.value.zh


def test_duplicate_id_across_two_rules_dirs_points_at_the_id(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    a = write_pack(tmp_path / "a", GOOD)
    b = write_pack(tmp_path / "b", "# 注释\n" + GOOD, PACK_YAML.replace("name: t", "name: other"), "中文规则.yaml")
    with pytest.raises(RuleError) as info:
        load_packs([a, b])
    err = info.value
    # before: column 1, at the list dash
    assert Path(err.file or "").name == "中文规则.yaml" and (err.line, err.col) == (2, 7)
    assert "r.yaml:1" in err.zh
    if SEEDS.is_dir():
        seed = sorted(SEEDS.glob("*.txt"))[0]
        code, out = cli(capsys, "check", "--rules", str(a), "--rules", str(b), str(seed))
        assert code == 2 and ":2:7: 规则编号 T-X 重复" in out


def test_english_rendering(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = write_pack(tmp_path / "p", HEAD + STYLES["double-continued"][0] + MESSAGE + EXAMPLES)
    code, err = cli(capsys, "rules", "test", str(pack), "--lang", "en")
    assert code == 2
    lines = err.splitlines()
    assert lines[0].endswith("r.yaml:6:16: unexpected character `$`")
    assert lines[1] == "        and 中文 and $x\"" and lines[2] == "    " + " " * 17 + "^"  # 中文 is 4 columns wide


def test_every_command_reports_the_same_position(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside the checkout")
    pack = write_pack(tmp_path / "p", HEAD + STYLES["folded"][0] + MESSAGE + EXAMPLES)
    seed = str(sorted(SEEDS.glob("*.txt"))[0])
    for argv in (["rules", "test", str(pack)], ["check", "--rules", str(pack), seed],
                 ["rules", "show", "T-X", "--rules", str(pack)]):
        code, err = cli(capsys, *argv)
        assert code == 2 and ":7:21: 无法识别的字符“$”" in err, argv



# ------------------------------------------------------------------ properties, aliases, odd text
@pytest.mark.parametrize(("expr", "line", "col"), [
    ("  expr: &x 中文 == 1 and $\n", 5, 24),         # before 5:21: the anchor was counted as text
    ("  expr: !!str 中文 == 1 and $\n", 5, 27),      # before 5:21
    ('  expr: &x "中文 == 1 and $"\n', 5, 25),       # before 5:22
    ("  expr: &x >-\n    中文 == 1\n    and $\n", 7, 9),  # before 6:17: `-` after the anchor was missed
    ("  expr: &x\n    中文 == 1 and $\n", 6, 17),      # before 5:21
], ids=["anchor-plain", "tag-plain", "anchor-double", "anchor-folded", "anchor-own-line"])
def test_anchor_or_tag_before_the_expression(tmp_path: Path, expr: str, line: int, col: int) -> None:
    err = error_of(tmp_path, HEAD + expr + MESSAGE + EXAMPLES)
    assert (err.line, err.col) == (line, col) and shown(err)[0][col - 1] == "$"


def test_expression_in_a_flow_mapping_over_two_lines(tmp_path: Path) -> None:
    rules = HEAD + "  expr: 1 == 1\n  severity_when:\n    - {if: 中文 == 1\n        and $, severity: warning}\n" \
        + MESSAGE + EXAMPLES
    err = error_of(tmp_path, rules)
    assert (err.line, err.col) == (8, 13)  # before 7:24, past the end of line 7


def test_recursive_alias_is_worded_and_not_taken_for_a_tab(tmp_path: Path) -> None:
    # before: "found unconstructable recursive node" with the Tab hint ("unconstrucTABle")
    err = error_of(tmp_path, GOOD.replace("    - {expect: fail, doc: {}}", "    - expect: fail\n      doc: &d {x: *d}"))
    assert err.code == "YAML" and (err.line, err.col) == (10, 12)
    assert "锚点引用了它自己" in err.zh and "Tab" not in (err.hint_zh or "") and "&名称" in (err.hint_zh or "")


BOMB = ("[&a [x,x,x,x,x,x,x,x,x], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a], &c [*b,*b,*b,*b,*b,*b,*b,*b,*b], "
        "&d [*c,*c,*c,*c,*c,*c,*c,*c,*c], &e [*d,*d,*d,*d,*d,*d,*d,*d,*d], &f [*e,*e,*e,*e,*e,*e,*e,*e,*e], "
        "&g [*f,*f,*f,*f,*f,*f,*f,*f,*f]]")


@pytest.mark.parametrize("where", ["tags", "title", "applies"])
def test_alias_bomb_outside_examples_is_refused_at_the_anchor(tmp_path: Path, where: str) -> None:
    # before: jsonschema wrote out every expanded value in its messages (9 s for applies, and
    # unbounded memory one level deeper); now refused at the first anchor past the limit (&f)
    rules = {"tags": GOOD.replace("  expr:", f"  tags: {BOMB}\n  expr:"),
             "title": GOOD.replace("{zh: 测试, en: t}", f"{{zh: 测试, en: {BOMB}}}"),
             "applies": GOOD.replace("  expr:", f"  applies: {{format: {BOMB}}}\n  expr:")}[where]
    err = error_of(tmp_path, rules)
    assert err.code == "TOO_LARGE" and "别名" in err.zh
    assert (err.source_line or "")[err.col - 1:err.col + 2] == "&f "


def test_many_anchors_in_a_big_but_honest_file_are_accepted(tmp_path: Path) -> None:
    shared = "- id: T-0\n  title: &t {zh: 测试, en: t}\n" + GOOD.split("\n", 2)[2]
    rules = shared + "".join(GOOD.replace("T-X", f"T-{i}").replace("{zh: 测试, en: t}", "*t") for i in range(1, 60))
    assert len(load_pack(write_pack(tmp_path / "p", rules)).rules) == 60


def test_enum_error_quotes_a_long_value_briefly(tmp_path: Path) -> None:
    err = error_of(tmp_path, GOOD.replace("  expr:", "  applies: {format: [[" + ", ".join(["中文"] * 50) + "]]}\n  expr:"))
    assert err.code == "SCHEMA" and "中文, 中文, 中文, …" in err.zh and len(err.zh) < 120


def test_caret_after_a_bidi_control_character(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the terminal shows U+202E as `\u202e` (6 columns); before, the caret was 5 columns short
    pack = write_pack(tmp_path / "p", GOOD.replace("expr: 1 == 1", 'expr: has(text(6), "\u202e中") and $'))
    code, err = cli(capsys, "rules", "test", str(pack))
    lines = err.splitlines()
    assert code == 2 and ":5:32:" in lines[0]
    dollar = lines[1].index("$")
    assert lines[2].index("^") == dollar + lines[1][:dollar].count("中")  # 中 takes two columns


# ------------------------------------------------------------------ example documents
def test_misspelt_name_in_an_example_document(tmp_path: Path) -> None:
    # before: loaded, and the example quietly came out "unknown" (missing: /requests/new/total)
    rule = GOOD.replace("expr: 1 == 1", "expr: requests.new.total <= 100")
    err = error_of(tmp_path, rule.replace("    - {expect: fail, doc: {}}",
                                          "    - expect: fail\n      doc:\n        requests:\n          new: {totla: 300}"
                                          "\n        x_本地: {a: 1}"))
    assert err.code == "UNKNOWN_PATH" and (err.line, err.col) == (12, 17)
    assert err.zh == "示例文档的 requests.new 下没有“totla”" and "是否应为“total”" in (err.hint_zh or "")
    err = error_of(tmp_path / "b", rule.replace("doc: {}}\n    - {expect: fail, doc: {}}",
                                                "doc: {}}\n    - {expect: fail, doc: {requets: {}}}"))
    assert (err.line, err.col) == (9, 28) and "requests" in (err.hint_zh or "")


def test_bundled_packs_pass_the_example_document_check() -> None:
    # the check raises on the first example document that does not fit; every bundled one must
    from gipcheck.engine import default_pack_dirs
    from gipcheck.engine.packs import clear_cache

    clear_cache()
    assert sum(len(r.examples) for p in load_packs(default_pack_dirs()) for r in p.rules) > 100


def test_misspelt_expect_is_named_before_the_missing_fail_example(tmp_path: Path) -> None:
    # before: 8:5 "examples needs an expect: fail example", the echo of the real slip at 9:16
    err = error_of(tmp_path, GOOD.replace("{expect: fail, doc: {}}", "{expect: 失败, doc: {}}"))
    assert err.code == "SCHEMA" and (err.line, err.col) == (9, 16)
    assert "“失败”不是允许的取值" in err.zh and err.hint_zh == "是否应为“fail”？"


def test_chinese_severity_word_gets_the_keyword(tmp_path: Path) -> None:
    err = error_of(tmp_path, GOOD.replace("severity: error", "severity: 警告"))
    assert (err.line, err.col) == (3, 13) and err.hint_zh == "是否应为“warning”？"


# ------------------------------------------------------------------ files that are not rule lists
def test_rule_file_that_is_plain_text(tmp_path: Path) -> None:
    # before: no line or column (a plain value keeps no position)
    err = error_of(tmp_path, "# 注释\n\n中文规则\n")
    assert err.code == "SCHEMA" and (err.line, err.col) == (3, 1) and "- id:" in (err.hint_zh or "")


def test_pack_yaml_that_is_plain_text_or_empty(tmp_path: Path) -> None:
    err = error_of(tmp_path, GOOD, "# x\n中文\n")
    assert (err.line, err.col) == (2, 1) and "name: my-pack" in (err.hint_zh or "")
    assert error_of(tmp_path / "e", GOOD, "").zh == "pack.yaml 是空的"


def test_rules_split_by_document_markers(tmp_path: Path) -> None:
    err = error_of(tmp_path, GOOD + "---\n" + GOOD.replace("T-X", "T-Y"))
    assert err.code == "YAML" and (err.line, err.col) == (10, 1) and "- id:" in (err.hint_zh or "")


def test_list_as_a_key(tmp_path: Path) -> None:
    err = error_of(tmp_path, GOOD.replace("  basis: 测试\n", "  basis: 测试\n  ? [a, b]\n  : x\n"))
    assert err.code == "YAML" and (err.line, err.col) == (5, 5) and err.zh == "YAML 格式错误：字段名不能是列表或映射"


def test_same_rules_dir_given_twice_is_one_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # before: "duplicate rule id T-X: p/r.yaml:1 and p/r.yaml:1" — a clash of the pack with itself
    pack = write_pack(tmp_path / "p", GOOD)
    monkeypatch.chdir(tmp_path)
    assert [p.name for p in load_packs([pack, Path("p"), Path("p/../p")])] == ["t"]


def test_line_without_a_colon_is_the_one_shown(tmp_path: Path) -> None:
    # before: 6:3, the *next* line (where the parser noticed), with "check the line above"
    err = error_of(tmp_path, GOOD.replace("  basis: 测试\n", "  basis: 测试\n  中文说明\n"))
    assert err.code == "YAML" and (err.line, err.col) == (5, 3)
    assert err.zh == "YAML 格式错误：这一行缺少冒号“:”" and shown(err)[0] == "  中文说明"


def test_control_character_in_a_rule_file(tmp_path: Path) -> None:
    # before: English only ("unacceptable character #x0007…"), no line or column
    err = error_of(tmp_path, GOOD.replace("basis: 测试", "basis: 测试\x07"))
    assert err.code == "YAML" and (err.line, err.col) == (4, 12) and "U+0007" in err.zh
    assert shown(err) == ("  basis: 测试\\x07", "             ^")  # shown escaped, caret under it


def test_unknown_escape_and_bad_anchor_name_hints(tmp_path: Path) -> None:
    err = error_of(tmp_path, GOOD.replace("expr: 1 == 1", 'expr: "has(text(6), \\"中\\q\\")"'))
    assert (err.line, err.col) == (5, 27) and shown(err)[0][26] == "q" and "单引号" in (err.hint_zh or "")
    err = error_of(tmp_path / "b", GOOD.replace("basis: 测试", "basis: &中 测试"))
    assert (err.line, err.col) == (4, 11) and "锚点" in (err.hint_zh or "")


# ------------------------------------------------------------------ property: any style PyYAML writes
@pytest.mark.parametrize("seed", range(4))
def test_position_is_the_dollar_for_random_rules_in_every_style(tmp_path: Path, seed: int) -> None:
    import random

    import yaml

    rng = random.Random(seed)
    operands = ['"中文"', "'说明：第六部分'", "requests.new.total", "1", 'has(text(6), "信息处理费")', "'引\\'号'",
                '"反\\\\斜杠"', "(1 + 2)"]
    spaces = [" ", "  ", "\t", "\n", "\n\n", " \n  "]

    def gap() -> str:
        return rng.choice(spaces)

    def clause() -> str:  # comparisons do not chain in the rule language: at most one per clause
        text = rng.choice(operands)
        if rng.random() < 0.6:
            text += gap() + rng.choice(["==", "!=", "<="]) + gap() + rng.choice(operands)
        return text

    for case in range(10):
        expr = clause()
        for _ in range(rng.randint(0, 8)):
            expr += gap() + rng.choice(["and", "or"]) + gap() + clause()
        expr += gap() + "and" + gap() + "$"
        rule = {"id": "T-X", "title": {"zh": "测试", "en": "t"}, "severity": "error", "basis": "测试",
                "expr": expr, "message": {"zh": "不通过", "en": "fails"},
                "examples": [{"expect": "pass", "doc": {}}, {"expect": "fail", "doc": {}}]}
        style = rng.choice([None, '"', "'", "|", ">"])
        text = yaml.dump([rule], allow_unicode=True, sort_keys=False, default_style=style,
                         width=rng.choice([12, 30, 80]))
        if rng.random() < 0.3:
            text = text.replace("\n", "\r\n")
        assert yaml.safe_load(text)[0]["expr"] == expr
        err = error_of(tmp_path / f"{seed}-{case}", text)
        assert err.zh == "无法识别的字符“$”", (style, text, err.zh)
        assert (err.line, err.col) == Lines(text).line_col(text.index("$")), (style, text)


def test_very_long_line_is_shown_around_the_fault(tmp_path: Path) -> None:
    # before: the whole line (here 8,000 characters) was printed, caret at the far end
    long_expr = " or ".join(["x == '中文'"] * 600) + " or $"
    err = error_of(tmp_path, GOOD.replace("expr: 1 == 1", f"expr: {long_expr}"))
    assert (err.line, err.col) == (5, len("  expr: ") + len(long_expr))
    src, caret = shown(err)
    assert len(src) < 130 and src.startswith("...") and src.rstrip().endswith("or $")
    assert caret.index("^") == len(src[:src.index("$")]) + src[:src.index("$")].count("中") + \
        src[:src.index("$")].count("文")


def test_rules_wrapped_under_a_rules_key(tmp_path: Path) -> None:
    # before: "missing required field id" at 1:1, no word on the real slip
    err = error_of(tmp_path, "rules:\n" + "".join("  " + ln + "\n" for ln in GOOD.splitlines()))
    assert err.zh == "规则文件不需要“rules:”这一层" and (err.line, err.col) == (1, 1)


def test_rules_written_into_pack_yaml(tmp_path: Path) -> None:
    err = error_of(tmp_path, GOOD, PACK_YAML + "rules:\n  - id: T-Y\n")
    assert (err.line, err.col) == (4, 1) and "其他 .yaml 文件" in (err.hint_zh or "")


def test_title_as_plain_text_and_lowercase_id(tmp_path: Path) -> None:
    err = error_of(tmp_path, GOOD.replace("{zh: 测试, en: t}", "测试"))
    assert (err.line, err.col) == (2, 10) and "zh:" in (err.hint_zh or "") and "en:" in (err.hint_zh or "")
    err = error_of(tmp_path / "b", GOOD.replace("T-X", "t-x"))
    assert (err.line, err.col) == (1, 7) and err.hint_zh == "是否应为“T-X”？"


BROKEN: dict[str, tuple[dict[str, str | bytes], str]] = {
    # name: (files, the "file:line:col" the error must start with)
    "bom-folded": ({"r.yaml": ("\ufeff" + HEAD + STYLES["folded"][0] + MESSAGE + EXAMPLES).encode()}, "r.yaml:7:21:"),
    "gbk": ({"r.yaml": GOOD.encode("gbk")}, "r.yaml:2:15:"),
    "tab": ({"r.yaml": GOOD.replace("  severity", "\tseverity")}, "r.yaml:3:1:"),
    "duplicate-key": ({"r.yaml": GOOD.replace("  severity: error\n", "  severity: error\n  severity: info\n")},
                      "r.yaml:4:3:"),
    "deep": ({"r.yaml": GOOD.replace("doc: {}}\n    - {expect: fail", "doc: {x: " + "[" * 1100 + "]" * 1100
                                     + "}}\n    - {expect: fail")}, f"r.yaml:8:{31 + MAX_DEPTH - 5}:"),
    "pack-broken": ({"pack.yaml": "name: [t\nversion: 1\n"}, "pack.yaml:1:7:"),
    "no-examples": ({"r.yaml": GOOD.split("  examples:")[0]}, "r.yaml:1:3:"),
    "crlf-double": ({"r.yaml": (HEAD + STYLES["double-continued"][0] + MESSAGE + EXAMPLES).replace("\n", "\r\n")},
                    "r.yaml:6:16:"),
    "example-unclosed": ({"r.yaml": GOOD.replace("{expect: fail, doc: {}}", "{expect: fail, doc: {x: 中文}")},
                         "r.yaml:9:7:"),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_every_command_exits_2_with_one_positioned_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         name: str) -> None:
    files, where = BROKEN[name]
    pack = write_pack(tmp_path / "p", files.get("r.yaml", GOOD), files.get("pack.yaml", PACK_YAML))
    commands = [["rules", "test", str(pack)], ["rules", "show", "T-X", "--rules", str(pack)]]
    if SEEDS.is_dir():
        commands.append(["check", "--rules", str(pack), str(sorted(SEEDS.glob("*.txt"))[0])])
    for argv in commands:
        code, err = cli(capsys, *argv)
        first = err.splitlines()[0]
        assert code == 2 and first.split(": ", 1)[0].endswith(where[:-1]), (argv, err)
        assert len([ln for ln in err.splitlines() if ln and not ln.startswith(("    ", "提示："))]) == 1  # one error


def test_hidden_files_and_directories_are_not_rule_files(tmp_path: Path) -> None:
    # before: a pack kept in git failed on .github/workflows/ci.yml, a pack copied from a Mac on
    # its ._r.yaml resource file ("not UTF-8")
    pack = write_pack(tmp_path / "p", GOOD)
    (pack / ".github" / "workflows").mkdir(parents=True)
    (pack / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs: {}\n", encoding="utf-8")
    (pack / "._r.yaml").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X\xff\xff")
    (pack / "sub").mkdir()
    (pack / "sub" / "more.yaml").write_text(GOOD.replace("T-X", "T-Y"), encoding="utf-8")
    assert [r.id for r in load_pack(pack).rules] == ["T-X", "T-Y"]


def test_upper_case_suffix_is_a_rule_file(tmp_path: Path) -> None:
    # before: 规则.YAML was skipped without a word ("0 passed, 0 failed", exit 0)
    pack = write_pack(tmp_path / "p", HEAD + "  expr: $\n" + MESSAGE + EXAMPLES, name="规则.YAML")
    with pytest.raises(RuleError) as info:
        load_pack(pack)
    assert Path(info.value.file or "").name == "规则.YAML" and (info.value.line, info.value.col) == (5, 9)


@pytest.mark.parametrize("name", ["pack.yml", "Pack.yaml"])
def test_misnamed_pack_yaml_is_named_in_the_hint(tmp_path: Path, name: str) -> None:
    pack = tmp_path / "p"
    pack.mkdir()
    (pack / name).write_text(PACK_YAML, encoding="utf-8")
    (pack / "r.yaml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_pack(pack)
    assert info.value.code == "NO_PACK" and f"把 {name} 改名为 pack.yaml" in (info.value.hint_zh or "")


def test_pack_name_and_scalar_type_slips_are_explained(tmp_path: Path) -> None:
    err = error_of(tmp_path, GOOD, "name: 上海规则\nversion: '1'\n")
    assert (err.line, err.col) == (1, 7) and "^" not in err.zh and "description" in (err.hint_zh or "")
    err = error_of(tmp_path / "b", GOOD, "name: my pack\nversion: '1'\n")
    assert "my-pack" in (err.hint_zh or "")
    err = error_of(tmp_path / "c", GOOD.replace("basis: 测试", "basis: 2021"))
    assert (err.line, err.col) == (4, 10) and err.hint_zh == '写成文字请加引号："2021"'
    err = error_of(tmp_path / "d", GOOD.replace("expr: 1 == 1", "expr: yes"))
    assert (err.line, err.col) == (5, 9) and "yes/no" in (err.hint_zh or "")


# ------------------------------------------------------------------ every error carries a hint
@pytest.mark.parametrize("rules", [
    HEAD + "  expr: 中文 == $\n" + MESSAGE + EXAMPLES,                      # lexer: the compiler gives no hint
    HEAD + "  expr: ()\n" + MESSAGE + EXAMPLES,                             # parser: an English-only hint
    HEAD + "  expr: nosuchfn(1)\n" + MESSAGE + EXAMPLES,
    HEAD + "  expr: matches(meta.title, '[')\n" + MESSAGE + EXAMPLES,
    GOOD.replace("- id: T-X\n  title", "- title"),
    GOOD + GOOD,
    GOOD.replace("{expect: fail, doc: {}}", "{expect: , doc: {}}"),
    GOOD.replace("  expr:", "  tags: 中文\n  expr:"),
    GOOD.replace("basis: 测试", 'basis: ""'),
    GOOD.replace("  expr:", "  let:\n  expr:"),
    GOOD.replace("    - {expect: fail, doc: {}}", "    - [expect, fail]"),
    GOOD.replace("{expect: fail, doc: {}}", "{expect: pass, doc: {x_a: 1}}"),
], ids=["lexer", "parser", "unknown-function", "regex", "missing-field", "duplicate-id", "empty-expect",
        "tags-as-text", "empty-basis", "empty-let", "example-as-list", "no-fail-example"])
def test_every_rule_error_has_a_hint_in_both_languages(tmp_path: Path, rules: str) -> None:
    # before: each of these came without a hint (the parser's only in English)
    err = error_of(tmp_path, rules)
    assert err.hint_zh and err.hint_en and err.line and err.col
    assert any("\u4e00" <= c <= "\u9fff" for c in err.hint_zh)


def test_rules_dir_that_is_missing_or_a_file(tmp_path: Path) -> None:
    (tmp_path / "f.yaml").write_text(GOOD, encoding="utf-8")
    for path, word in ((tmp_path / "none", "不存在"), (tmp_path / "f.yaml", "是一个文件")):
        with pytest.raises(RuleError) as info:
            load_pack(path)
        assert word in info.value.zh and "pack.yaml" in (info.value.hint_zh or "")


@pytest.mark.parametrize(("text", "line", "col", "zh"), [
    ("a: |x\n  b\n", 1, 5, "“|”“>”后只能跟“-”“+”或一位数字，却出现了“x”"),
    ("a: - b\n", 1, 4, "此处不能出现列表项“- ”"),
    ('a: "\\u12"\n', 1, 7, "转义序列应为 4 位十六进制数字，却出现了“\"”"),
    ('a: "x\n---\ny"\n', 2, 1, "引号里的文字中有一行以“---”或“...”开头"),
    ("a: !x!y z\n", 1, 4, "未定义的标签前缀 !x!"),
], ids=["block-header", "dash-after-colon", "short-escape", "separator-in-quotes", "tag-handle"])
def test_rarer_yaml_problems_are_worded_in_chinese(tmp_path: Path, text: str, line: int, col: int, zh: str) -> None:
    # before: PyYAML's English ("sequence entries are not allowed here", …) inside the Chinese message
    err = error_of(tmp_path, text)
    assert err.code == "YAML" and (err.line, err.col) == (line, col)
    assert err.zh == f"YAML 格式错误：{zh}" and err.hint_zh


def test_nested_pack_is_not_part_of_the_outer_pack(tmp_path: Path) -> None:
    # before: the outer pack read inner/r.yaml without inner's pack-level lets: "未定义的名称“big”"
    outer = write_pack(tmp_path / "outer", GOOD)
    inner = write_pack(outer / "inner", HEAD.replace("T-X", "T-IN") + "  expr: not big\n" + MESSAGE + EXAMPLES,
                       PACK_YAML.replace("name: t", "name: inner") + "let:\n  big: requests.new.total > 10\n")
    assert [r.id for r in load_pack(outer).rules] == ["T-X"]
    assert [r.id for r in load_pack(inner).rules] == ["T-IN"]


def test_folder_of_packs_names_the_packs(tmp_path: Path) -> None:
    write_pack(tmp_path / "packs" / "a", GOOD)
    with pytest.raises(RuleError) as info:
        load_pack(tmp_path / "packs")
    assert info.value.code == "NO_PACK" and "packs/a" in (info.value.hint_zh or "").replace("\\\\", "/")


def test_bom_then_a_bad_byte_on_the_first_line(tmp_path: Path) -> None:
    err = error_of(tmp_path, b"\xef\xbb\xbf- id: \xff\n")
    # utf-8-sig reports offsets after the BOM: the BOM must not shift the column either way
    assert err.code == "ENCODING" and (err.line, err.col) == (1, 7)


def test_mapping_fields_written_otherwise_get_their_shape(tmp_path: Path) -> None:
    err = error_of(tmp_path, GOOD.replace("  expr:", "  applies: {year: 二零二一}\n  expr:"))
    assert (err.line, err.col) == (5, 19) and err.hint_zh == "写成映射：year: {min: …, max: …}"
    err = error_of(tmp_path / "b", GOOD, PACK_YAML + "let: [a, b]\n")
    assert (err.line, err.col) == (4, 6) and "名称: 表达式" in (err.hint_zh or "") and "name: expression" in (
        err.hint_en or "")


@pytest.mark.parametrize(("expr", "col", "word"), [
    ("expr: [1, 2] == x", 16, "“]”“}”之后不能再接文字"),     # before: "缩进不一致：这里不应出现 scalar"
    ("expr: @x == 1", 9, "字符“@”不能出现在这里"),
    ("expr: | x == 1", 11, "这里只能是注释或换行"),
], ids=["after-bracket", "indicator", "text-after-block-header"])
def test_expression_that_yaml_reads_otherwise(tmp_path: Path, expr: str, col: int, word: str) -> None:
    err = error_of(tmp_path, GOOD.replace("expr: 1 == 1", expr))
    assert err.code == "YAML" and (err.line, err.col) == (5, col) and word in err.zh
    assert "检查缩进" not in (err.hint_zh or "")  # a specific hint, not the catch-all


@pytest.mark.parametrize("placeholder", ["{}", "{ left }", "{左}"])
def test_malformed_placeholder_is_not_called_unpaired(tmp_path: Path, placeholder: str) -> None:
    # before: "消息中有不成对的“{”" for braces that do pair
    err = error_of(tmp_path, GOOD.replace("{zh: 不通过, en: fails}", f'{{zh: "中文 {placeholder}", en: fails}}'))
    assert err.code == "MESSAGE" and (err.line, err.col) == (6, 21) and f"“{placeholder}”写法不对" in err.zh


def test_value_nested_under_a_cell_in_an_example(tmp_path: Path) -> None:
    # before: loaded; `rules test` then said "expected fail, got error: [TYPE] cannot compare object and number"
    rule = GOOD.replace("expr: 1 == 1", "expr: requests.new.total <= 100")
    err = error_of(tmp_path, rule.replace("{expect: fail, doc: {}}", "{expect: fail, doc: {requests: {new: {total: {value: 300}}}}}"))
    assert err.code == "UNKNOWN_PATH" and (err.line, err.col) == (9, 52) and "requests.new.total" in err.zh


@pytest.mark.parametrize("how", [".", "./", "p/../p", "absolute"])
def test_pack_named_every_way_lists_the_same_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    pack = write_pack(tmp_path / "p", GOOD)
    (pack / ".hidden.yaml").write_text("broken: [", encoding="utf-8")
    (pack / "sub").mkdir()
    (pack / "sub" / "more.yml").write_text(GOOD.replace("T-X", "T-Y"), encoding="utf-8")
    monkeypatch.chdir(pack if how in (".", "./") else tmp_path)
    target = {"absolute": pack}.get(how, Path(how))
    assert [r.id for r in load_pack(target).rules] == ["T-X", "T-Y"]


@pytest.mark.parametrize("expr", ['!<x y', '!x"y', "!x%zz y"])
def test_text_starting_with_an_exclamation_mark(tmp_path: Path, expr: str) -> None:
    # before: PyYAML's English ("expected URI, but found …") in the Chinese message
    err = error_of(tmp_path, GOOD.replace("expr: 1 == 1", f"expr: {expr}"))
    assert err.code == "YAML" and err.line == 5 and not any(w in err.zh for w in ("expected", "found"))
    assert "“!”" in (err.hint_zh or "")


# ------------------------------------------------------------------ Chinese input mode
@pytest.mark.parametrize(("old", "new", "line", "col", "word"), [
    ("  severity: error", "  severity：error", 3, 11, "全角冒号"),          # before: 4:3 "缺少冒号“:”"
    ("- id: T-X", "- id：T-X", 1, 5, "全角冒号"),                           # before: 2:8 "此处不能出现“: ”"
    ("  severity: error", "\u3000\u3000severity: error", 3, 1, "全角空格"),  # before: 3:1 "这里不应出现 ?"
    ("    - {expect: fail", "    － {expect: fail", 9, 5, "“－”"),          # before: 9:5 "这里不应出现 ?"
    ("{zh: 测试, en: t}", "｛zh: 测试, en: t｝", 2, 10, "全角符号"),         # before: 2:13 "此处不能出现“: ”"
    ("{zh: 测试, en: t}", "{zh: 测试，en: t}", 2, 17, "全角符号"),          # before: 2:20 "缺少“,”或“}”"
], ids=["key-colon", "first-key-colon", "indent-space", "dash", "braces", "comma"])
def test_full_width_yaml_punctuation_is_named(tmp_path: Path, old: str, new: str, line: int, col: int,
                                              word: str) -> None:
    err = error_of(tmp_path, GOOD.replace(old, new))
    assert err.code == "YAML" and (err.line, err.col) == (line, col) and word in err.zh
    assert "半角" in (err.hint_zh or "") and "half-width" in (err.hint_en or "")


def test_full_width_text_is_not_blamed_for_another_slip(tmp_path: Path) -> None:
    rules = GOOD.replace("  message: {zh: 不通过, en: fails}",
                         '  message: {zh: "新收 {left} 件，超过：", en: x}\n  bad line')
    err = error_of(tmp_path, rules)
    assert (err.line, err.col) == (7, 3) and err.zh == "YAML 格式错误：这一行缺少冒号“:”"


def test_dotted_path_as_a_key_in_an_example(tmp_path: Path) -> None:
    rule = GOOD.replace("expr: 1 == 1", "expr: requests.new.total <= 100")
    err = error_of(tmp_path, rule.replace("{expect: fail, doc: {}}", "{expect: fail, doc: {requests.new.total: 300}}"))
    assert err.code == "UNKNOWN_PATH" and (err.line, err.col) == (9, 28)
    assert err.hint_zh == "示例文档要逐层写：requests: {new: {total: …}}"


@pytest.mark.parametrize(("old", "new", "line", "typo", "meant"), [
    ("  expr:", "  Expr:", 5, "Expr", "expr"),
    ("  examples:", "  example:", 7, "example", "examples"),
])
def test_misspelt_field_is_named_where_it_is(tmp_path: Path, old: str, new: str, line: int, typo: str,
                                             meant: str) -> None:
    # before: 1:3 "缺少必填字段“expr”" at the start of the rule, no word on the misspelling
    err = error_of(tmp_path, GOOD.replace(old, new))
    assert (err.line, err.col) == (line, 3) and f"未知字段“{typo}”" in err.zh
    assert (err.hint_zh or "").startswith(f"是否应为“{meant}”")


@pytest.mark.parametrize(("message", "line", "col"), [
    ("  message: {zh: 新收 {left} 件, en: fails}\n", 6, 20),   # before: "花括号映射里缺少“,”或“}”（遇到 {）"
    ("  message:\n    zh: {left} 件\n    en: x\n", 7, 9),     # before: 7:16 "缩进不一致：这里不应出现 scalar"
], ids=["flow", "block"])
def test_unquoted_placeholder_in_a_message(tmp_path: Path, message: str, line: int, col: int) -> None:
    err = error_of(tmp_path, HEAD + "  expr: 1 == 1\n" + message + EXAMPLES)
    assert err.code == "YAML" and (err.line, err.col) == (line, col)
    assert err.zh == "YAML 格式错误：含占位符 {left} 的文字要加引号" and '"' in (err.hint_zh or "")


def test_placeholder_in_block_text_is_not_blamed_for_another_slip(tmp_path: Path) -> None:
    rules = GOOD.replace("  message: {zh: 不通过, en: fails}",
                         "  message:\n    zh: 第六部分未写明：{left}（均为0）: x\n    en: x")
    err = error_of(tmp_path, rules)
    assert (err.line, err.col) == (7, 28) and "占位符" not in err.zh


def test_huge_yaml_in_a_rules_directory_is_refused_before_reading(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import gipcheck.engine.yamlpos as yamlpos

    monkeypatch.setattr(yamlpos, "MAX_FILE_BYTES", 1000)  # the real limit is 16 MB; no need to write that much
    pack = write_pack(tmp_path / "p", GOOD)
    (pack / "dump.yaml").write_text("x: " + "1" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(RuleError) as info:
        load_pack(pack)
    assert info.value.code == "TOO_LARGE" and Path(info.value.file or "").name == "dump.yaml"
    assert info.value.hint_zh


@pytest.mark.parametrize("style", ["folded", "double-continued", "single-multiline", "plain-blank-line"])
def test_bom_and_crlf_together(tmp_path: Path, style: str) -> None:
    expr, line, col = STYLES[style]
    text = "\ufeff" + (HEAD + expr + MESSAGE + EXAMPLES).replace("\n", "\r\n")
    err = error_of(tmp_path, text.encode("utf-8"))
    assert (err.line, err.col) == (line, col) and shown(err)[0][col - 1] == "$"
