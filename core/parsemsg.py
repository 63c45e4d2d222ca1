"""Chinese wording for the YAML and TOML parsers' own error messages.

Rule authors and province maintainers read Chinese; PyYAML and tomllib speak English. The
messages are matched by pattern and translated; one we do not know keeps its English text,
so nothing is lost. The English message is always kept for ``--lang en``.
"""

from __future__ import annotations

import re

# PyYAML (pure-Python parser: the loader re-parses a broken file with it, so these are stable)
_YAML: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"mapping values are not allowed here"), "此处不能出现“: ”（冒号加空格）"),
    (re.compile(r"could not find expected ':'"), "缺少冒号“:”"),
    (re.compile(r"found character '\\t' that cannot start any token"), "出现了 Tab 字符（YAML 不允许用 Tab 缩进）"),
    (re.compile(r"found unexpected end of stream"), "文件意外结束（引号或括号未闭合）"),
    (re.compile(r"found unexpected ':'"), "出现了意外的冒号“:”"),
    (re.compile(r"did not find expected key"), "没有找到应有的字段名（缩进不一致？）"),
    (re.compile(r"did not find expected '-' indicator"), "没有找到应有的列表项标记“-”（缩进不一致？）"),
    (re.compile(r"did not find expected node content"), "缺少应有的值"),
    (re.compile(r"did not find expected ',' or '\]'"), "方括号列表缺少“,”或“]”"),
    (re.compile(r"did not find expected ',' or '}'"), "花括号映射缺少“,”或“}”"),
    (re.compile(r"did not find expected comment or line break"), "值后面只能是注释或换行"),
    (re.compile(r"found undefined alias '?([^']*)'?"), r"引用了未定义的锚点 \1"),
    (re.compile(r"found duplicate anchor '?([^']*)'?.*"), r"锚点 \1 重复定义"),
    (re.compile(r"found unknown escape character '?([^']*)'?"), r"未知的转义字符 \1"),
    (re.compile(r"found character '(.*)' that cannot start any token"), r"字符“\1”不能出现在这里"),
    (re.compile(r"expected a comment or a line break, but found '(.*)'"), r"这里只能是注释或换行，却出现了“\1”"),
    (re.compile(r"expected ',' or '\]', but got '?<?([^'>]*)>?'?"), r"方括号列表里缺少“,”或“]”（遇到 \1）"),
    (re.compile(r"expected ',' or '}', but got '?<?([^'>]*)>?'?"), r"花括号映射里缺少“,”或“}”（遇到 \1）"),
    (re.compile(r"expected alphabetic or numeric character, but found '(.*)'"), r"锚点或别名名称中出现了“\1”"),
    (re.compile(r"but found another document"), "一个文件只能有一个 YAML 文档（多了一行“---”？）"),
    (re.compile(r"expected '<document start>', but found '?<?([^'>]*)>?'?"), r"这里不应出现 \1"),
    (re.compile(r"exceeded maximum nesting depth"), "嵌套过深"),
    (re.compile(r"found unconstructable recursive node"), "锚点引用了它自己（递归的别名）"),
    (re.compile(r"unhashable key"), "字段名不能是列表或映射"),
    (re.compile(r"expected the node content, but found '?<?([^'>]*)>?'?"), r"这里应有一个值，却出现了 \1"),
    (re.compile(r"could not determine a constructor for the tag '?([^']*)'?"), r"不认识的标签 \1"),
    (re.compile(r"expected chomping or indentation indicators, but found '?([^']*)'?"),
     r"“|”“>”后只能跟“-”“+”或一位数字，却出现了“\1”"),
    (re.compile(r"expected indentation indicator in the range 1-9, but found 0"), "块的缩进数字应为 1–9"),
    (re.compile(r"expected escape sequence of (\d+) hexadecimal numbers, but found '?([^']*)'?"),
     r"转义序列应为 \1 位十六进制数字，却出现了“\2”"),
    (re.compile(r"found unexpected document separator"), "引号里的文字中有一行以“---”或“...”开头"),
    (re.compile(r"sequence entries are not allowed here"), "此处不能出现列表项“- ”"),
    (re.compile(r"mapping keys are not allowed here"), "此处不能出现“? ”"),
    (re.compile(r"expected a mapping (?:or list of mappings )?for merging, but found (.*)"), r"“<<”只能合并映射，这里是 \1"),
    (re.compile(r"found undefined tag handle '?([^']*)'?"), r"未定义的标签前缀 \1"),
    (re.compile(r"found non-specific tag '!'"), "单独的“!”不能作标签"),
    (re.compile(r"expected (?:URI|URI escape sequence.*|'!'|'>'), but found '?([^']*)'?"),
     r"以“!”开头的标签写法不对（遇到“\1”）"),
    (re.compile(r"expected non-empty name appended to the tag"), "标签“!”后缺少名称"),
    (re.compile(r"expected ' ', but found '?([^']*)'?"), r"这里应有空格，却出现了“\1”"),
    (re.compile(r"expected a single document in the stream"), "一个文件只能有一个 YAML 文档"),
    (re.compile(r"expected <block end>, but found '?<?([^'>]*)>?'?"), r"缩进不一致：这里不应出现 \1"),
]

# PyYAML's token names (``'<scalar>'``, ``'-'``…) as a rule author would call them
_TOKENS = {"scalar": "值", "block mapping start": "映射（字段: 值）", "block sequence start": "列表",
           "block end": "缩进结束", "stream end": "文件结尾", "stream start": "文件开头", "anchor": "锚点“&”",
           "alias": "别名“*”", "tag": "标签“!”", "document start": "文档开始标记“---”",
           "document end": "文档结束标记“...”", "directive": "指令“%”", "-": "列表项“-”", "?": "“?”",
           ":": "冒号“:”", ",": "逗号“,”", "[": "“[”", "]": "“]”", "{": "“{”", "}": "“}”"}


# tomllib (Python 3.11+); its messages end with " (at line N, column M)" or " (at end of document)"
_TOML: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Expected '=' after a key in a key/value pair"), "键后面缺少“=”"),
    (re.compile(r"Expected ']' at the end of a table declaration"), "表头缺少结尾的“]”"),
    (re.compile(r"Expected ']]' at the end of an array declaration"), "数组表头缺少结尾的“]]”"),
    (re.compile(r"Expected newline or end of document after a statement"), "一条语句后面应换行"),
    (re.compile(r"Invalid initial character for a key part"), "键名的第一个字符无效（中文键名请加引号）"),
    (re.compile(r"Invalid statement"), "无效的语句（键名含中文或空格时请加引号）"),
    (re.compile(r"Invalid value"), "无效的值（文字请加引号）"),
    (re.compile(r"Invalid date or datetime"), "无效的日期或时间"),
    (re.compile(r"Invalid hex value"), "无效的十六进制值"),
    (re.compile(r"Unclosed array"), "方括号数组未闭合"),
    (re.compile(r"Unclosed inline table"), "花括号内联表未闭合"),
    (re.compile(r"Unterminated string"), "字符串的引号未闭合"),
    (re.compile(r"Unescaped '\\' in a string"), "字符串中的反斜杠“\\”未转义"),
    (re.compile(r"Escaped character is not a Unicode scalar value"), "转义字符不是有效的 Unicode 字符"),
    (re.compile(r"Cannot overwrite a value"), "不能覆盖已有的值"),
    (re.compile(r"Cannot declare (.*) twice"), r"\1 重复声明"),
    (re.compile(r"Cannot redefine namespace (.*)"), r"不能重新定义表 \1"),
    (re.compile(r"Cannot mutate immutable namespace (.*)"), r"不能修改已完整定义的表 \1"),
    (re.compile(r"Duplicate inline table key (.*)"), r"内联表中的键 \1 重复"),
    (re.compile(r"Found invalid character (.*)"), r"出现了无效字符 \1"),
    (re.compile(r"Illegal character '\\n'"), "字符串在行尾未闭合（缺少结尾的引号）"),
    (re.compile(r"Illegal character (.*)"), r"非法字符 \1"),
    (re.compile(r"Expected (.*)"), r"此处应为 \1"),
]

_TOML_WHERE = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")


def _translate(table: list[tuple[re.Pattern[str], str]], text: str, words: dict[str, str] | None = None) -> str:
    for rx, zh in table:
        m = rx.fullmatch(text)
        if m:
            groups = [(words or {}).get(g, g) if g is not None else "" for g in m.groups()]
            return re.sub(r"\\(\d)", lambda k: groups[int(k.group(1)) - 1], zh)  # noqa: B023 - returned at once
    return text


def yaml_problem_zh(problem: str) -> str:
    """The Chinese of a PyYAML ``problem`` (unknown ones are returned unchanged)."""
    return _translate(_YAML, problem.strip(), _TOKENS)


def toml_error(message: str, source: str | None = None) -> tuple[str, str, int | None, int | None]:
    """Split a ``tomllib.TOMLDecodeError`` message into (Chinese, English, line, column). "At end
    of document" points just after the last non-blank line of ``source`` when it is given."""
    m = _TOML_WHERE.search(message)
    line = col = None
    text = message
    if m:
        text = message[:m.start()]
        if m.group(1):
            line, col = int(m.group(1)), int(m.group(2))
        elif source is not None:
            lines = source.split("\n")
            while len(lines) > 1 and not lines[-1].strip():
                lines.pop()
            line, col = len(lines), len(lines[-1].rstrip()) + 1
    return _translate(_TOML, text.strip()), text.strip(), line, col
