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
  130 被 Ctrl-C 中断 / interrupted; 143 被终止（SIGTERM）/ terminated
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
        hint = ""
        # a report whose name starts with "-" reads as an option: say how to name it
        dashed = next((a for a in _ARGV if a.startswith("-") and len(a) > 1 and os.path.isfile(a)), None)
        if dashed:
            hint = (f"\n提示：文件名以“-”开头时请写成 ./{dashed} 或放在 -- 之后 / "
                    f"hint: name it ./{dashed} or put it after --")
        self.exit(EXIT_USAGE, f"gipcheck: 参数错误 / bad arguments: {message}{hint}\n")


_ARGV: list[str] = []  # the arguments being parsed, for the hint above
# The exit code a command has decided before writing its result: kept when the reader of a pipe
# (`gipcheck check … | head`) closes it early, so a run with errors does not exit 0.
_DECIDED: list[int] = [0]


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser. ``only``: the command being run; the other subcommands are
    registered with their name and help but without their arguments, which argparse never reads
    for a command not run (adding them all cost ~2.5% of a one-report check)."""
    p = _Parser(prog="gipcheck", description="政府信息公开工作年度报告合规检查 / compliance checker for "
                "government information disclosure annual reports", epilog=EPILOG,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"gipcheck {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def common(sp: argparse.ArgumentParser) -> None:
        # default None: for check, the configuration's lang applies unless --lang is given
        sp.add_argument("--lang", choices=("zh", "en"), default=None, help="消息语言 / message language")
        sp.add_argument("--strict-plugins", action="store_true", help="插件出错即失败 / fail on any plugin problem")
        sp.add_argument("--region", help="按地区套用省级插件（如 shanghai）/ apply a province plugin")

    def wanted(name: str) -> bool:
        return only is None or only == name

    ex = sub.add_parser("extract", help="读取年报并输出规范化文档 / print the canonical document")
    if wanted("extract"):
        ex.add_argument("files", nargs="+", metavar="FILE")
        ex.add_argument("--format", choices=("json", "yaml"), default="json")
        ex.add_argument("--locations", action="store_true", help="同时输出每个值的来源位置 / include locations")
        common(ex)

    ck = sub.add_parser("check", help="检查年报 / check reports", epilog=EPILOG,
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    if wanted("check"):
        _check_arguments(ck)
        common(ck)

    rl = sub.add_parser("rules", help="列出、查看、测试规则 / list, show, test rules")
    if wanted("rules"):
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
    if wanted("plugins"):
        pl.add_argument("--format", choices=("text", "json"), default="text")
        common(pl)

    xp = sub.add_parser("explain", help="解释某条规则在某份年报上的结果 / explain one rule on one report")
    if wanted("explain"):
        xp.add_argument("rule_id", metavar="RULE")
        xp.add_argument("file", metavar="FILE")
        xp.add_argument("--prev", metavar="FILE")
        xp.add_argument("--format", choices=("text", "json"), default="text")
        xp.add_argument("--rules", action="append", default=[], metavar="DIR")
        common(xp)

    cf = sub.add_parser("config", help="配置 / configuration")
    if wanted("config"):
        csub = cf.add_subparsers(dest="config_command", metavar="ACTION", parser_class=_Parser)
        cs = csub.add_parser("show")
        cs.add_argument("--config", metavar="FILE")
        cs.add_argument("--profile")
        common(cs)
    return p


def _check_arguments(ck: argparse.ArgumentParser) -> None:
    ck.add_argument("files", nargs="+", metavar="FILE", help="文件、目录或通配符 / files, directories or globs")
    ck.add_argument("--format", default=None, help="text | json | sarif | junit | html | csv（及插件提供的格式；"
                    "默认 text 或配置中的 format）")
    ck.add_argument("--rules", action="append", default=[], metavar="DIR", help="额外规则包目录 / extra rule pack")
    ck.add_argument("--prev", metavar="FILE", help="同一机关上一年度年报 / previous year's report")
    ck.add_argument("-o", "--output", metavar="FILE", help="写入文件而非标准输出（- 即标准输出）/ write to a file (- is standard output)")
    ck.add_argument("-j", "--jobs", type=int, default=None, help="并行进程数（默认全部核心）/ parallel jobs")
    ck.add_argument("--profile", help="配置中的检查方案 / configuration profile")
    ck.add_argument("--config", metavar="FILE", help="配置文件（gipcheck.toml 或 pyproject.toml）")
    ck.add_argument("--no-suppressions", action="store_true", help="忽略所有豁免 / show suppressed findings too")
    ck.add_argument("--no-progress", action="store_true", help="不显示进度条 / no progress bar")


def _emit(text: str, output: str | None = None, *, kind: str = "data") -> None:
    """Write the result to ``output`` or standard output.

    ``kind``: ``"terminal"`` — text for a person whose control and bidi characters (from a report or
    a file name) are still to be shown as escapes; ``"text"`` — text for a person, already escaped
    (the text reporter); both go out in the terminal's encoding, anything it cannot encode (✗ on a
    GBK console) as an escape. ``"json"`` and ``"data"`` — a file format (JSON, SARIF, XML, HTML,
    CSV with its BOM), always UTF-8 as it declares; lone surrogates (a non-UTF-8 file name) are
    written out visibly, inside the JSON string for ``"json"``."""
    from gipcheck.report._common import json_safe, no_surrogates, visible

    if kind == "terminal":
        text = visible(text, keep="\t\n")
    if (not output or output == "-") and _emit_utf8(text):
        return
    text = json_safe(text) if kind == "json" else no_surrogates(text)
    if output and output != "-":  # "-": standard output, as for most tools
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as e:
            raise GipcheckError("OUTPUT_WRITE", f"无法写入输出文件 {visible(output)}：{e.strerror or e}",
                                f"cannot write the output file {visible(output)}: {e.strerror or e}") from None
        return
    if not text.endswith("\n"):
        text += "\n"
    out = sys.stdout
    encoding = (getattr(out, "encoding", None) or "utf-8").lower().replace("_", "-")
    buffer = getattr(out, "buffer", None)
    data: str | bytes = text
    if kind in ("json", "data") and buffer is not None and encoding not in ("utf-8", "utf8"):
        data = text.encode("utf-8")
    elif _codec(encoding):
        try:
            text.encode(encoding)
        except UnicodeEncodeError:
            data = text.encode(encoding, "backslashreplace").decode(encoding, "replace")
    _deliver(out, buffer, data)


def _deliver(out: Any, buffer: Any, data: str | bytes, tail: bytes = b"") -> None:
    """Write ``data`` (then ``tail``) to standard output: bytes to its buffer, text to the stream.
    A full disk or an I/O error means the run's result could not be delivered."""
    try:
        if isinstance(data, bytes):
            out.flush()
            buffer.write(data)
            if tail:
                buffer.write(tail)
            buffer.flush()
        else:
            out.write(data)
            out.flush()
    except BrokenPipeError:
        raise
    except OSError as e:
        _discard(out)
        raise GipcheckError("OUTPUT_WRITE", f"无法写入标准输出：{e.strerror or e}",
                            f"cannot write to standard output: {e.strerror or e}") from None


def _emit_utf8(text: str) -> bool:
    """The common case of :func:`_emit` in one pass: standard output in UTF-8 without newline
    translation, and text without lone surrogates (the strict encoding succeeds exactly then, so
    the escaping would change nothing). A batch's megabytes are encoded once instead of being
    searched, test-encoded and encoded again. ``False``: not that case, nothing written."""
    out = sys.stdout
    buffer = getattr(out, "buffer", None)
    encoding = (getattr(out, "encoding", None) or "").lower().replace("_", "-")
    if buffer is None or encoding not in ("utf-8", "utf8") or os.linesep != "\n":
        return False
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: the general path writes it out visibly
        return False
    _deliver(out, buffer, data, b"" if text.endswith("\n") else b"\n")
    return True


def _codec(encoding: str) -> bool:
    import codecs

    try:
        codecs.lookup(encoding)
    except LookupError:
        return False
    return True


def _discard(out: Any) -> None:
    """Point the failed stream at nothing, so that Python's flush at exit does not fail again."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
    except (OSError, AttributeError, ValueError):
        pass


def _check_prev(prev: str | None) -> None:
    """A ``--prev`` that does not exist is a mistyped argument: say so once, before the run,
    rather than in every report of it."""
    if prev is None:
        return
    from gipcheck.report._common import visible

    if not os.path.exists(prev):
        raise GipcheckError("PREV_MISSING", f"--prev 指定的上一年度年报不存在：{visible(prev)}",
                            f"the previous year's report given with --prev does not exist: {visible(prev)}")
    if os.path.isdir(prev):
        raise GipcheckError("PREV_MISSING", f"--prev 应指定一份年报文件，而不是目录：{visible(prev)}",
                            f"--prev names one report file, not a directory: {visible(prev)}")


def _check_output(output: str | None, inputs: Sequence[str]) -> None:
    """Refuse before the run, not after it, an output file that cannot be written or that is named
    as a report to check (it would be overwritten with the result)."""
    if not output or output == "-":
        return
    from gipcheck.report._common import visible

    p = Path(output)
    shown = visible(output)
    if p.is_dir():
        raise GipcheckError("OUTPUT_DIR", f"输出路径是目录，不是文件：{shown}",
                            f"the output path is a directory, not a file: {shown}")
    if not p.parent.is_dir():
        raise GipcheckError("OUTPUT_DIR", f"输出文件所在的目录不存在：{shown}",
                            f"the output file's directory does not exist: {shown}")
    if not os.access(p if p.exists() else p.parent, os.W_OK):
        raise GipcheckError("OUTPUT_DENIED", f"没有写入输出文件的权限：{shown}",
                            f"no permission to write the output file: {shown}")
    if p.exists():
        for name in inputs:
            try:
                same = os.path.samefile(name, p)
            except OSError:
                continue
            if same:
                raise GipcheckError("OUTPUT_IS_INPUT", f"输出文件 {shown} 正是要检查的年报，会被覆盖；请换一个文件名",
                                    f"the output file {shown} is one of the reports being checked and would "
                                    "be overwritten; choose another name")


def _cmd_extract(args: argparse.Namespace) -> int:
    from gipcheck import api

    results = api.extract_many(args.files, region=args.region)
    out: list[Any] = []
    code = EXIT_OK
    for path, res in zip(args.files, results, strict=True):
        if isinstance(res, GipcheckError):
            print(_shown(f"{path}: {res.message(args.lang)}"), file=sys.stderr)
            code = max(code, EXIT_INPUT)
            continue
        item: dict[str, Any] = dict(res.document)
        if args.locations:
            item = {"document": res.document, "locations": {k: v.to_json() for k, v in res.locations.items()},
                    "notes": [n.to_json() for n in res.notes]}
        for note in res.notes:
            if note.level == "error":
                print(_shown(f"{path}: {note.zh if args.lang == 'zh' else note.en}"), file=sys.stderr)
                code = max(code, EXIT_INCOMPLETE) if code != EXIT_INPUT else code
        out.append(item)
    if len(args.files) == 1 and not out:
        return code  # the one file could not be read: its error is on stderr, nothing to print
    payload: Any = out[0] if len(args.files) == 1 else out
    if args.format == "yaml":
        import yaml

        _emit(yaml.safe_dump(payload, allow_unicode=True, sort_keys=False))
    else:
        _emit(json.dumps(payload, ensure_ascii=False, indent=1), kind="json")
    return code


def _cmd_check(args: argparse.Namespace) -> int:
    _begin_startup_gc()
    from gipcheck import api
    from gipcheck.report import BUILTIN_NAMES

    settings = api.load_settings(config=args.config, profile=args.profile, lang=args.lang or "zh")
    if args.lang is None:  # no --lang: the configuration's (default zh)
        args.lang = settings.option("lang")
        settings.lang = args.lang
    fmt = args.format or settings.option("format")
    if args.jobs is not None and args.jobs < 0:
        raise GipcheckError("BAD_JOBS", "-j 应为非负整数", "-j must be a non-negative integer")
    reporter = api.find_reporter(fmt, using=api.checker(rule_dirs=[*settings.option("rules"), *args.rules],
                                                        strict_plugins=args.strict_plugins,
                                                        region=args.region or settings.option("region"),
                                                        lang=args.lang, config=settings.plugin_table))
    _end_startup_gc()
    if reporter is None:
        api.render(api.RunResult(reports=[]), fmt)  # unknown format: exit 2 before the run, not after it
    _check_prev(args.prev)
    _check_output(args.output, [*args.files, *([args.prev] if args.prev else [])])
    # colour only on a terminal that can show it (NO_COLOR: https://no-color.org, TERM=dumb: an editor's shell)
    color = (args.output in (None, "-") and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
             and os.environ.get("TERM") != "dumb")
    run = api.check_paths(
        args.files, rule_dirs=args.rules, prev=args.prev, lang=args.lang, region=args.region,
        strict_plugins=args.strict_plugins, jobs=args.jobs, no_suppressions=args.no_suppressions,
        progress=None if args.no_progress else "auto", settings=settings, full=fmt not in BUILTIN_NAMES,
        keep_text=fmt not in BUILTIN_NAMES or fmt == "html", render=(fmt, {"lang": args.lang, "color": color}),
        exclude=[args.output] if args.output not in (None, "-") else (),  # last run's output in the folder is not a report
    )
    # the text reporter escapes what it shows itself (and adds its own colours): not escaped again
    _DECIDED[0] = api.exit_code(run)
    _emit(api.render(run, fmt, lang=args.lang, color=color), args.output, kind="text" if fmt == "text" else "data")
    return _DECIDED[0]


def _cmd_rules(args: argparse.Namespace) -> int:
    from gipcheck import api

    action = args.rules_command or "list"
    plug = {"strict_plugins": getattr(args, "strict_plugins", False), "region": getattr(args, "region", None)}
    if action == "list":
        rows = api.list_rules(rule_dirs=getattr(args, "rules", []), lang=getattr(args, "lang", "zh"), **plug)
        _warn_plugins(args)
        if getattr(args, "format", "text") == "json":
            _emit(json.dumps(rows, ensure_ascii=False, indent=1), kind="json")
        else:
            _emit("\n".join(f"{r['id']:<20} {r['severity']:<8} {r['title']}" for r in rows), kind="terminal")
        return EXIT_OK
    if action == "show":
        _emit(api.show_rule(args.rule_id, rule_dirs=args.rules, lang=args.lang, **plug), kind="terminal")
        _warn_plugins(args)
        return EXIT_OK
    results = api.test_rules([Path(d) for d in args.dirs] or None, rule_dirs=args.rules, lang=args.lang, **plug)
    _warn_plugins(args)
    failed = [r for r in results if not r["ok"]]
    _DECIDED[0] = EXIT_OK if not failed else 1
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
        _emit(json.dumps(info, ensure_ascii=False, indent=1), kind="json")
    else:
        from gipcheck.plugins.manager import format_plugins_text

        text = format_plugins_text(info.get("plugins", []), args.lang)
        shown = {p.get("message") for row in info.get("plugins", []) for p in row.get("problems", [])}
        problems = [f"! {p.get('message') if args.lang != 'en' else p.get('detail', {}).get('en', p.get('message'))}"
                    for p in info.get("problems", []) if p.get("message") not in shown]  # not twice
        _emit("\n".join([text, *problems]), kind="terminal")
    return EXIT_OK


def _cmd_explain(args: argparse.Namespace) -> int:
    from gipcheck import api

    _check_prev(args.prev)
    _emit(api.explain(args.rule_id, args.file, prev=args.prev, rule_dirs=args.rules, lang=args.lang, fmt=args.format,
                      region=args.region, strict_plugins=args.strict_plugins),
          kind="json" if args.format == "json" else "terminal")
    _warn_plugins(args)
    return EXIT_OK


def _warn_plugins(args: argparse.Namespace) -> None:
    """Plugin problems of a command that shows no run report (rules, explain): one warning line
    each on stderr, naming the plugin — the output itself stays clean."""
    from gipcheck import api

    c = api.checker(rule_dirs=getattr(args, "rules", None) or (), strict_plugins=getattr(args, "strict_plugins", False),
                    region=getattr(args, "region", None), lang=getattr(args, "lang", None) or "zh")
    for p in c.problems:
        text = p.message if args.lang != "en" else str(p.detail.get("en", p.message))
        print(_shown(f"gipcheck: 警告 / warning: {text}"), file=sys.stderr)


def _cmd_config(args: argparse.Namespace) -> int:
    from gipcheck import api

    _emit(api.show_config(config=args.config, profile=args.profile, lang=args.lang), kind="terminal")
    return EXIT_OK


def _shown(message: str) -> str:
    """A message for the terminal: a file name in it may carry escape sequences."""
    from gipcheck.report._common import visible

    return visible(message, keep="\n")


COMMANDS = {"extract": _cmd_extract, "check": _cmd_check, "rules": _cmd_rules, "plugins": _cmd_plugins,
            "explain": _cmd_explain, "config": _cmd_config}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # A closed standard stream (`gipcheck check … >&-`) is None in Python: write into nothing instead.
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 — lives as long as the process
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    lang = _lang_of(argv)
    _ARGV[:] = argv
    _DECIDED[0] = EXIT_OK
    parser = build_parser(argv[0] if argv and argv[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    if getattr(args, "lang", "zh") is None and args.command != "check":
        args.lang = "zh"
    try:
        return COMMANDS[args.command](args)
    except RuleError as e:
        print(_shown(e.render(lang)), file=sys.stderr)
        return e.exit_code
    except GipcheckError as e:
        print(f"gipcheck: {_shown(e.message(lang))}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("gipcheck: 已中断 / interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader stopped reading: the run's own verdict stands, and nothing more is written
        _discard(sys.stdout)
        return _DECIDED[0]
    except Exception as e:  # noqa: BLE001 — last resort: a bug in gipcheck must not print a traceback at a clerk
        if os.environ.get("GIPCHECK_DEBUG"):
            raise
        print(f"gipcheck: 内部错误，请将此信息报告给维护者 / internal error, please report it: "
              f"{type(e).__name__}: {e}（设置 GIPCHECK_DEBUG=1 可查看详细信息）", file=sys.stderr)
        return EXIT_INTERNAL
    except BaseException as e:  # SIGTERM during a parallel batch: the pool is ended, then this
        from gipcheck.batch import Terminated

        if not isinstance(e, Terminated):
            raise
        print("gipcheck: 已终止 / terminated", file=sys.stderr)
        return 143


# [run() is the process's entry point, the start-up turned the cycle collector off]
_STARTUP_GC: list[bool] = [False, False]


def _begin_startup_gc() -> None:
    """The start-up of a check builds tens of thousands of objects that live as long as the process
    (plugins, compiled packs): the cycle collector's passes over them are wasted work (~3% of a
    one-report check). Only in a process of its own (:func:`run`), not in a library caller's."""
    import gc

    if _STARTUP_GC[0] and gc.isenabled():
        gc.disable()
        _STARTUP_GC[1] = True


def _end_startup_gc() -> None:
    """After the start-up: its objects are moved out of the collector's sight for good
    (``gc.freeze``, as a batch does before forking) and collecting resumes for the reports."""
    if _STARTUP_GC[1]:
        import gc

        _STARTUP_GC[1] = False
        gc.freeze()
        gc.enable()


def run() -> None:
    """The ``gipcheck`` command: :func:`main`, then leave without tearing the interpreter down.

    Freeing the compiled rule packs and every module object by object took about 30 ms of each
    run, a tenth of a one-report check. The standard streams are flushed and the exit handlers
    run first (a parallel batch's workers are ended there), so nothing is lost; an interpreter
    without those handlers exits the usual way. ``--help`` and usage errors exit through argparse.
    """
    import atexit

    _STARTUP_GC[0] = True
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a pipe closed early or a closed stream: the verdict stands
            _discard(stream)
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is None:  # pragma: no cover - not CPython
        sys.exit(code)
    run_exit_handlers()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
