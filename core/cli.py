"""The ``gipcheck`` command: a thin shell over :mod:`gipcheck.api`.

Every subcommand parses its arguments, calls one library function and prints the result. Errors
become one line on stderr (Chinese by default) and an exit code — never a traceback (see
:mod:`gipcheck.errors` for the codes).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gipcheck import __version__
from gipcheck.errors import (
    EXIT_INCOMPLETE,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    GipcheckError,
    RuleError,
)

EPILOG = """退出码 / exit codes:
  0  成功；check 未发现“错误”级问题 / success, no error-severity finding
  1  check 发现“错误”级问题 / check found an error-severity finding
  2  无法运行：参数、规则或配置文件有误，或 --strict-plugins 下插件出错 / bad arguments, rules, config
  3  有输入文件无法读取为年报（空文件、二进制、过大、损坏、非年报）/ an input could not be read
  4  extract：年报不完整（如表三中途截断）/ extract: a report is incomplete
  70 gipcheck 内部错误（请报告）/ internal error in gipcheck (please report it)
"""


def _lang_of(argv: Sequence[str]) -> str:
    for i, a in enumerate(argv):
        if a == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--lang="):
            return a.split("=", 1)[1]
    return "zh"


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line with exit code 2 (its default), in Chinese."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"gipcheck: 参数错误 / bad arguments: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="gipcheck", description="政府信息公开工作年度报告合规检查 / compliance checker for "
                "government information disclosure annual reports", epilog=EPILOG,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"gipcheck {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--lang", choices=("zh", "en"), default="zh", help="消息语言 / message language")
        sp.add_argument("--strict-plugins", action="store_true", help="插件出错即失败 / fail on any plugin problem")
        sp.add_argument("--region", help="按地区套用省级插件（如 shanghai）/ apply a province plugin")

    ex = sub.add_parser("extract", help="读取年报并输出规范化文档 / print the canonical document")
    ex.add_argument("files", nargs="+", metavar="FILE")
    ex.add_argument("--format", choices=("json", "yaml"), default="json")
    ex.add_argument("--locations", action="store_true", help="同时输出每个值的来源位置 / include locations")
    common(ex)

    ck = sub.add_parser("check", help="检查年报 / check reports", epilog=EPILOG,
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    ck.add_argument("files", nargs="+", metavar="FILE", help="文件、目录或通配符 / files, directories or globs")
    ck.add_argument("--format", default=None, help="text | json | sarif | junit | html | csv（及插件提供的格式；"
                    "默认 text 或配置中的 format）")
    ck.add_argument("--rules", action="append", default=[], metavar="DIR", help="额外规则包目录 / extra rule pack")
    ck.add_argument("--prev", metavar="FILE", help="同一机关上一年度年报 / previous year's report")
    ck.add_argument("-o", "--output", metavar="FILE", help="写入文件而非标准输出 / write to a file")
    ck.add_argument("-j", "--jobs", type=int, default=None, help="并行进程数（默认全部核心）/ parallel jobs")
    ck.add_argument("--profile", help="配置中的检查方案 / configuration profile")
    ck.add_argument("--config", metavar="FILE", help="配置文件（gipcheck.toml 或 pyproject.toml）")
    ck.add_argument("--no-suppressions", action="store_true", help="忽略所有豁免 / show suppressed findings too")
    ck.add_argument("--no-progress", action="store_true", help="不显示进度条 / no progress bar")
    common(ck)

    rl = sub.add_parser("rules", help="列出、查看、测试规则 / list, show, test rules")
    rsub = rl.add_subparsers(dest="rules_command", metavar="ACTION", parser_class=_Parser)
    rls = rsub.add_parser("list")
    rls.add_argument("--format", choices=("text", "json"), default="text")
    rsh = rsub.add_parser("show")
    rsh.add_argument("rule_id", metavar="ID")
    rte = rsub.add_parser("test")
    rte.add_argument("dirs", nargs="*", metavar="DIR")
    for sp in (rls, rsh, rte):
        sp.add_argument("--rules", action="append", default=[], metavar="DIR")
        common(sp)

    pl = sub.add_parser("plugins", help="已加载的插件 / installed plugins")
    pl.add_argument("--format", choices=("text", "json"), default="text")
    common(pl)

    xp = sub.add_parser("explain", help="解释某条规则在某份年报上的结果 / explain one rule on one report")
    xp.add_argument("rule_id", metavar="RULE")
    xp.add_argument("file", metavar="FILE")
    xp.add_argument("--prev", metavar="FILE")
    xp.add_argument("--format", choices=("text", "json"), default="text")
    xp.add_argument("--rules", action="append", default=[], metavar="DIR")
    common(xp)

    cf = sub.add_parser("config", help="配置 / configuration")
    csub = cf.add_subparsers(dest="config_command", metavar="ACTION", parser_class=_Parser)
    cs = csub.add_parser("show")
    cs.add_argument("--config", metavar="FILE")
    cs.add_argument("--profile")
    common(cs)
    return p


def _emit(text: str, output: str | None = None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _cmd_extract(args: argparse.Namespace) -> int:
    from gipcheck import api

    results = api.extract_many(args.files, region=args.region)
    out: list[Any] = []
    code = EXIT_OK
    for path, res in zip(args.files, results, strict=True):
        if isinstance(res, GipcheckError):
            print(f"{path}: {res.message(args.lang)}", file=sys.stderr)
            code = max(code, EXIT_INPUT)
            continue
        item: dict[str, Any] = dict(res.document)
        if args.locations:
            item = {"document": res.document, "locations": {k: v.to_json() for k, v in res.locations.items()},
                    "notes": [n.to_json() for n in res.notes]}
        for note in res.notes:
            if note.level == "error":
                print(f"{path}: {note.zh if args.lang == 'zh' else note.en}", file=sys.stderr)
                code = max(code, EXIT_INCOMPLETE) if code != EXIT_INPUT else code
        out.append(item)
    if len(args.files) == 1 and not out:
        return code  # the one file could not be read: its error is on stderr, nothing to print
    payload: Any = out[0] if len(args.files) == 1 else out
    if args.format == "yaml":
        import yaml

        _emit(yaml.safe_dump(payload, allow_unicode=True, sort_keys=False))
    else:
        _emit(json.dumps(payload, ensure_ascii=False, indent=1))
    return code


def _cmd_check(args: argparse.Namespace) -> int:
    from gipcheck import api
    from gipcheck.report import BUILTIN_NAMES

    settings = api.load_settings(config=args.config, profile=args.profile, lang=args.lang)
    fmt = args.format or settings.option("format")
    if args.jobs is not None and args.jobs < 0:
        raise GipcheckError("BAD_JOBS", "-j 应为非负整数", "-j must be a non-negative integer")
    if api.find_reporter(fmt, using=api.checker(rule_dirs=[*settings.option("rules"), *args.rules],
                                                strict_plugins=args.strict_plugins,
                                                region=args.region or settings.option("region"),
                                                lang=args.lang)) is None:
        api.render(api.RunResult(reports=[]), fmt)  # unknown format: exit 2 before the run, not after it
    color = args.output is None and sys.stdout.isatty()
    run = api.check_paths(
        args.files, rule_dirs=args.rules, prev=args.prev, lang=args.lang, region=args.region,
        strict_plugins=args.strict_plugins, jobs=args.jobs, no_suppressions=args.no_suppressions,
        progress=None if args.no_progress else "auto", settings=settings, full=fmt not in BUILTIN_NAMES,
        keep_text=fmt not in BUILTIN_NAMES or fmt == "html", render=(fmt, {"lang": args.lang, "color": color}),
    )
    _emit(api.render(run, fmt, lang=args.lang, color=color), args.output)
    return api.exit_code(run)


def _cmd_rules(args: argparse.Namespace) -> int:
    from gipcheck import api

    action = args.rules_command or "list"
    if action == "list":
        rows = api.list_rules(rule_dirs=getattr(args, "rules", []), lang=getattr(args, "lang", "zh"))
        if getattr(args, "format", "text") == "json":
            _emit(json.dumps(rows, ensure_ascii=False, indent=1))
        else:
            _emit("\n".join(f"{r['id']:<20} {r['severity']:<8} {r['title']}" for r in rows))
        return EXIT_OK
    if action == "show":
        _emit(api.show_rule(args.rule_id, rule_dirs=args.rules, lang=args.lang))
        return EXIT_OK
    results = api.test_rules([Path(d) for d in args.dirs] or None, rule_dirs=args.rules)
    failed = [r for r in results if not r["ok"]]
    zh = args.lang == "zh"
    for r in failed:
        where = ":".join(str(x) for x in (r["file"], r.get("line")) if x is not None)
        head = (f"未通过 {r['rule']} 第 {r['index'] + 1} 个示例：应为 {r['expect']}，实为 {r['got']}" if zh else
                f"FAIL {r['rule']} example {r['index'] + 1}: expected {r['expect']}, got {r['got']}")
        print(f"{where}: {head}")
        if r.get("detail"):
            print(f"    {r['detail']}")
    passed = len(results) - len(failed)
    # the closing line stays "N passed, N failed" so that CI logs read it whatever the language
    print((f"示例：{passed} 个通过，{len(failed)} 个未通过 — " if zh else "") + f"{passed} passed, {len(failed)} failed")
    return EXIT_OK if not failed else 1


def _cmd_plugins(args: argparse.Namespace) -> int:
    from gipcheck import api

    info = api.describe_plugins(strict=args.strict_plugins)
    if args.format == "json":
        _emit(json.dumps(info, ensure_ascii=False, indent=1))
    else:
        from gipcheck.plugins.manager import format_plugins_text

        text = format_plugins_text(info.get("plugins", []), args.lang)
        problems = [f"! {p.get('message')}" for p in info.get("problems", [])]
        _emit("\n".join([text, *problems]))
    return EXIT_OK


def _cmd_explain(args: argparse.Namespace) -> int:
    from gipcheck import api

    _emit(api.explain(args.rule_id, args.file, prev=args.prev, rule_dirs=args.rules, lang=args.lang, fmt=args.format))
    return EXIT_OK


def _cmd_config(args: argparse.Namespace) -> int:
    from gipcheck import api

    _emit(api.show_config(config=args.config, profile=args.profile, lang=args.lang))
    return EXIT_OK


COMMANDS = {"extract": _cmd_extract, "check": _cmd_check, "rules": _cmd_rules, "plugins": _cmd_plugins,
            "explain": _cmd_explain, "config": _cmd_config}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _lang_of(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](args)
    except RuleError as e:
        print(e.render(lang), file=sys.stderr)
        return e.exit_code
    except GipcheckError as e:
        print(f"gipcheck: {e.message(lang)}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("gipcheck: 已中断 / interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as e:  # noqa: BLE001 — last resort: a bug in gipcheck must not print a traceback at a clerk
        if os.environ.get("GIPCHECK_DEBUG"):
            raise
        print(f"gipcheck: 内部错误，请将此信息报告给维护者 / internal error, please report it: "
              f"{type(e).__name__}: {e}（设置 GIPCHECK_DEBUG=1 可查看详细信息）", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
