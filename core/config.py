"""Configuration: ``[tool.gipcheck]`` in ``pyproject.toml`` or a ``gipcheck.toml``.

Found from the current directory upward (the first ``gipcheck.toml``, or ``pyproject.toml`` that
has a ``[tool.gipcheck]`` table), or named with ``--config FILE``. Example::

    [tool.gipcheck]
    profile = "province"              # the profile used when --profile is not given
    disable = ["O-*"]                 # rule ids or globs
    enable = ["O-KEYPOINTS"]          # re-enable after a broader disable
    severity = { "S-LABEL-EXACT" = "warning" }
    format = "text"                   # run options: format, jobs, lang, region, rules
    [[tool.gipcheck.suppressions]]
    rule = "T3-EMPTY"                 # id or glob
    reason = "2021 年模板无此行"        # required
    expires = 2026-06-30              # optional; after this date it no longer suppresses
    files = ["reports/2021/*.txt"]    # optional globs on the input path
    organ = "深州市人民政府办公室"       # optional organ (glob)
    [tool.gipcheck.profiles.province]
    extends = "base"                  # optional
    mandatory = ["T3-*", "T4-*"]      # can be neither disabled nor suppressed (attempts are reported)
    disable = […]; enable = […]; severity = {…}; suppressions = […]
    [tool.gipcheck.plugins.shanghai]  # settings a plugin reads (its gipcheck_config_defaults keys):
    place_by_order = false            # the key "shanghai.place_by_order"; same as
                                      # [tool.gipcheck.plugins] "shanghai.place_by_order" = false

Plugin settings are merged over the plugins' own defaults and under the command line (``--region``)
into the configuration every plugin's ``gipcheck_configure`` and ``gipcheck_enrich_document`` get
(see :meth:`Settings.plugin_config` and :class:`gipcheck.api.Checker`).

Every value keeps where it came from (``file:key`` or the default), shown by ``gipcheck config show``.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gipcheck.engine.model import SEVERITIES, Problem, ReportResult, RunResult, meta_of
from gipcheck.errors import ConfigError

CONFIG_NAMES = ("gipcheck.toml", "pyproject.toml")
TOP_KEYS = ("profile", "disable", "enable", "severity", "mandatory", "suppressions", "profiles",
            "format", "jobs", "lang", "region", "rules", "plugins")
PROFILE_KEYS = ("extends", "description", "disable", "enable", "severity", "mandatory", "suppressions")
SUPPRESSION_KEYS = ("rule", "reason", "expires", "files", "organ")
OPTION_DEFAULTS: dict[str, Any] = {"format": "text", "jobs": 0, "lang": "zh", "region": None, "rules": []}
DEFAULT_ORIGIN = {"zh": "默认值", "en": "default"}


def _toml() -> Any:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: tomli is the same parser
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ModuleNotFoundError:
            raise ConfigError("CONFIG_TOML", "读取配置需要 Python 3.11 或安装 tomli",
                              "reading the configuration needs Python 3.11 or the tomli package") from None
    return tomllib


@dataclass
class Value:
    """One effective setting and where it came from (``file:key``, ``--profile`` or the default)."""

    value: Any
    origin: str | None = None  # None: the built-in default


@dataclass
class Suppression:
    rule: str
    reason: str
    origin: str
    expires: _dt.date | None = None
    files: list[str] = field(default_factory=list)
    organ: str | None = None
    matched: int = 0
    blocked: int = 0  # findings it would have hidden but for expiry or a mandatory rule

    def expired(self, today: _dt.date) -> bool:
        return self.expires is not None and self.expires < today

    def matches(self, rule: str, source: str, organ: str | None) -> bool:
        if not _match(self.rule, rule):
            return False
        if self.files and not any(_path_match(source, g) for g in self.files):
            return False
        if self.organ is not None and not (organ and fnmatch.fnmatchcase(organ, self.organ)):
            return False
        return True

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "reason": self.reason, "expires": self.expires.isoformat() if self.expires else None,
                "files": self.files, "organ": self.organ, "source": self.origin}


def _match(pattern: str, rule_id: str) -> bool:
    return pattern == rule_id or fnmatch.fnmatchcase(rule_id, pattern)


def _path_match(source: str, pattern: str) -> bool:
    """A file glob matches the path as given, its absolute form, or (no ``/`` in the glob) its name.
    ``**/`` matches any number of folders, none included (``reports/**/*.txt`` → ``reports/a.txt``)."""
    if "**/" in pattern:
        variants = {pattern, pattern.replace("/**/", "/"), pattern.removeprefix("**/")}
        if len(variants) > 1:
            return any(_path_match(source, v) for v in variants if v != pattern) or _path_match_one(source, pattern)
    return _path_match_one(source, pattern)


def _path_match_one(source: str, pattern: str) -> bool:
    src = source.replace(os.sep, "/")
    if fnmatch.fnmatchcase(src, pattern) or fnmatch.fnmatchcase(src.removeprefix("./"), pattern):
        return True
    if "/" not in pattern:
        return fnmatch.fnmatchcase(src.rsplit("/", 1)[-1], pattern)
    return fnmatch.fnmatchcase(os.path.abspath(source).replace(os.sep, "/"), pattern) or \
        fnmatch.fnmatchcase(os.path.abspath(source).replace(os.sep, "/"), "*/" + pattern.lstrip("/"))


@dataclass
class Settings:
    """The effective configuration: rule switches, severities, mandatory rules, suppressions and
    run options, each with its origin. :meth:`apply` rewrites one report's result accordingly."""

    path: Path | None = None
    prefix: str = ""
    profile: Value = field(default_factory=lambda: Value(None))
    switches: list[tuple[str, str, str]] = field(default_factory=list)  # (op enable/disable, pattern, origin)
    severity: list[tuple[str, str, str]] = field(default_factory=list)  # (pattern, severity, origin)
    mandatory: list[tuple[str, str]] = field(default_factory=list)      # (pattern, origin)
    suppressions: list[Suppression] = field(default_factory=list)
    options: dict[str, Value] = field(default_factory=dict)
    profiles: list[str] = field(default_factory=list)
    today: _dt.date = field(default_factory=_dt.date.today)
    lang: str = "zh"
    known_rules: set[str] | None = None
    # the [plugins] table as written (nested tables kept: which dots split a key depends on the
    # keys the plugins declare), and the keys the loaded plugins declare, set by the caller
    plugin_table: dict[str, Any] = field(default_factory=dict)
    known_plugin_keys: set[str] | None = None
    _problems: dict[tuple[str, str, str], Problem] = field(default_factory=dict)
    _state: dict[str, tuple[bool, str | None, str | None, str | None]] = field(default_factory=dict)

    # ------------------------------------------------------------ rule state
    def mandatory_origin(self, rule_id: str) -> str | None:
        for pattern, origin in self.mandatory:
            if _match(pattern, rule_id):
                return origin
        return None

    def rule_state(self, rule_id: str) -> tuple[bool, str | None, str | None, str | None]:
        """``(enabled, disabled-by origin, severity override, severity origin)`` of one rule; a
        mandatory rule stays enabled whatever the switches say."""
        got = self._state.get(rule_id)
        if got is not None:
            return got
        enabled, by = True, None
        for op, pattern, origin in self.switches:
            if _match(pattern, rule_id):
                enabled, by = op == "enable", (origin if op == "disable" else None)
        if not enabled and (m := self.mandatory_origin(rule_id)):
            self._problem("MANDATORY_DISABLE", rule_id, by or "",
                          f"规则 {rule_id} 是强制规则（{m}），不能停用；{by} 的停用未生效",
                          f"rule {rule_id} is mandatory ({m}) and cannot be disabled; the disable at {by} is ignored")
            enabled, by = True, None
        sev = sev_origin = None
        for pattern, s, origin in self.severity:
            if _match(pattern, rule_id):
                sev, sev_origin = s, origin
        got = (enabled, by, sev, sev_origin)
        self._state[rule_id] = got
        return got

    def _problem(self, code: str, rule: str, origin: str, zh: str, en: str) -> None:
        key = (code, rule, origin)
        if key not in self._problems:
            self._problems[key] = Problem("config", code, zh if self.lang == "zh" else en,
                                          {"rule": rule, "source": origin, "zh": zh, "en": en})

    # ------------------------------------------------------------ applying
    @property
    def changes_results(self) -> bool:
        """Whether :meth:`apply` can change a result (else a batch may render reports ahead)."""
        return bool(self.switches or self.severity or self.suppressions)

    def apply(self, result: ReportResult, *, no_suppressions: bool = False) -> ReportResult:
        """Drop disabled rules, override severities and mark suppressed findings, in place."""
        if not self.changes_results:
            return result
        meta = meta_of(result.document)
        organ = meta.get("organ") if isinstance(meta.get("organ"), str) else None
        kept = []
        for f in result.findings:
            enabled, _by, sev, _so = self.rule_state(f.rule)
            if not enabled:
                continue
            if sev:
                f.severity = sev
            if not no_suppressions:
                self._suppress(f, result.source, organ)
            kept.append(f)
        result.findings = kept
        ne = []
        for n in result.not_evaluated:
            enabled, _by, sev, _so = self.rule_state(n.rule)
            if enabled:
                if sev:
                    n.severity = sev
                ne.append(n)
        result.not_evaluated = ne
        result.passed = [r for r in result.passed if self.rule_state(r)[0]]
        return result

    def _suppress(self, finding: Any, source: str, organ: str | None) -> None:
        for s in self.suppressions:
            if not s.matches(finding.rule, source, organ):
                continue
            if (m := self.mandatory_origin(finding.rule)) is not None:
                s.blocked += 1
                self._problem("MANDATORY_SUPPRESS", finding.rule, s.origin,
                              f"规则 {finding.rule} 是强制规则（{m}），不能豁免；{s.origin} 的豁免未生效",
                              f"rule {finding.rule} is mandatory ({m}) and cannot be suppressed; "
                              f"the suppression at {s.origin} is ignored")
                continue
            if s.expired(self.today):
                s.blocked += 1
                continue
            s.matched += 1
            finding.suppressed = {"reason": s.reason, "expires": s.expires.isoformat() if s.expires else None,
                                  "source": s.origin}
            return

    def run_problems(self, run: RunResult | None = None, *, no_suppressions: bool = False) -> list[Problem]:
        """Configuration problems of the run: mandatory rules disabled or suppressed, expired and
        unmatched suppressions, switches naming no known rule."""
        if self.known_rules is not None:
            for rid in sorted(self.known_rules):
                self.rule_state(rid)  # reports a disabled mandatory rule even where it did not fire
            for op, pattern, origin in self.switches:
                self._unknown(pattern, origin, op)
            for pattern, _s, origin in self.severity:
                self._unknown(pattern, origin, "severity")
            for pattern, origin in self.mandatory:
                self._unknown(pattern, origin, "mandatory")
        if self.known_plugin_keys is not None:
            self._unknown_plugin_keys(self.known_plugin_keys)
        unknown = set()
        if self.known_rules is not None:
            for s in self.suppressions:
                if not any(_match(s.rule, r) for r in self.known_rules):
                    unknown.add(id(s))  # a misspelt id: say so, not merely "matched nothing"
                    hint = self._hint(s.rule)
                    self._problem("SUPPRESSION_UNMATCHED", s.rule, s.origin,
                                  f"豁免的规则 {s.rule} 不存在（{s.origin}），该豁免不会生效"
                                  + (f"；是否应为 {hint}？" if hint else ""),
                                  f"suppression at {s.origin}: no rule matches {s.rule}, so it never applies"
                                  + (f"; did you mean {hint}?" if hint else ""))
        for s in self.suppressions:
            exp = s.expires.isoformat() if s.expires else ""
            if s.expired(self.today):
                self._problem("SUPPRESSION_EXPIRED", s.rule, s.origin,
                              f"豁免已过期（{exp}）：{s.origin} 规则 {s.rule}，不再生效"
                              + (f"，{s.blocked} 处问题重新显示" if s.blocked else ""),
                              f"suppression expired ({exp}): {s.origin} rule {s.rule} no longer applies"
                              + (f"; {s.blocked} finding(s) shown again" if s.blocked else ""))
            elif not no_suppressions and s.matched == 0 and s.blocked == 0 and id(s) not in unknown:
                self._problem("SUPPRESSION_UNMATCHED", s.rule, s.origin,
                              f"豁免未匹配任何问题：{s.origin} 规则 {s.rule}（可删除）",
                              f"suppression matched no finding: {s.origin} rule {s.rule} (can be removed)")
        return list(self._problems.values())

    def _unknown(self, pattern: str, origin: str, what: str) -> None:
        if self.known_rules is None or any(_match(pattern, r) for r in self.known_rules):
            return
        hint = self._hint(pattern)
        self._problem("CONFIG_UNKNOWN_RULE", pattern, origin,
                      f"配置 {origin} 中的规则 {pattern} 不存在" + (f"，是否应为 {hint}？" if hint else ""),
                      f"{origin}: no rule matches {pattern}" + (f"; did you mean {hint}?" if hint else ""))

    def _hint(self, pattern: str) -> str | None:
        import difflib  # only for a mistake's hint: not worth its import at every start

        got = difflib.get_close_matches(pattern, sorted(self.known_rules or ()), n=1)
        return got[0] if got else None

    # ------------------------------------------------------------ plugin settings
    def plugin_settings(self, known: Any = ()) -> dict[str, Value]:
        """The ``[plugins]`` settings as dotted keys (``"shanghai.place_by_order"``), each with its
        origin; ``known``: the keys plugins declare — a table at such a key is one value, not more keys."""
        return {k: Value(v, self._plugin_origin(parts)) for k, (v, parts) in
                flatten_plugin_table(self.plugin_table, known).items()}

    def plugin_config(self, defaults: dict[str, Any] | None = None) -> dict[str, Any]:
        """The user's plugin settings as the mapping :class:`gipcheck.api.Checker` takes (``config=``),
        checked against the plugins' ``defaults``: a value of another type than the default raises
        :class:`ConfigError` (exit 2) naming the file and key."""
        out: dict[str, Any] = {}
        for key, v in self.plugin_settings(defaults or ()).items():
            if defaults and key in defaults and not _same_kind(v.value, defaults[key]):
                want = _kind_name(defaults[key])
                raise ConfigError("CONFIG_TYPE", f"配置错误 {v.origin}：取值 {v.value!r} 无效，插件的默认值是 "
                                  f"{defaults[key]!r}，应为{want[0]}",
                                  f"configuration error {v.origin}: invalid value {v.value!r}; the plugin's default "
                                  f"is {defaults[key]!r}, so {want[1]} is expected")
            out[key] = v.value
        return out

    def _plugin_origin(self, parts: tuple[str, ...]) -> str:
        return _Reader(self.path or Path("gipcheck.toml"), self.prefix, self).origin("plugins", *parts)

    def _unknown_plugin_keys(self, known: set[str]) -> None:
        for key, v in self.plugin_settings(known).items():
            if key in known:
                continue
            import difflib

            got = difflib.get_close_matches(key, sorted(known), n=1)
            hint_zh, hint_en = (f"，是否应为 {got[0]}？" if got else ""), (f"; did you mean {got[0]}?" if got else "")
            self._problem("CONFIG_UNKNOWN_PLUGIN_KEY", key, v.origin or "",
                          f"配置 {v.origin} 中的插件设置 {key} 没有已加载的插件使用{hint_zh}",
                          f"{v.origin}: no loaded plugin reads the setting {key}{hint_en}")

    # ------------------------------------------------------------ options and display
    def option(self, name: str) -> Any:
        v = self.options.get(name)
        return v.value if v is not None else OPTION_DEFAULTS.get(name)

    def to_json(self) -> dict[str, Any]:
        return {
            "file": str(self.path) if self.path else None,
            "profile": {"value": self.profile.value, "source": self.profile.origin},
            "options": {k: {"value": self.option(k), "source": self.options[k].origin if k in self.options else None}
                        for k in OPTION_DEFAULTS},
            "switches": [{"op": op, "rule": p, "source": o} for op, p, o in self.switches],
            "severity": [{"rule": p, "severity": s, "source": o} for p, s, o in self.severity],
            "mandatory": [{"rule": p, "source": o} for p, o in self.mandatory],
            "suppressions": [s.to_json() for s in self.suppressions],
            "plugins": {k: {"value": v.value, "source": v.origin} for k, v in self.plugin_settings().items()},
        }

    def describe(self, lang: str = "zh", plugin_defaults: dict[str, tuple[Any, str]] | None = None,
                 command_line: dict[str, Any] | None = None) -> str:
        """The text of ``gipcheck config show``. ``plugin_defaults``: key → (default, plugin name) of
        the loaded plugins, to show every plugin setting with where its value came from;
        ``command_line``: plugin keys the command line sets (they win)."""
        zh = lang == "zh"
        dflt = DEFAULT_ORIGIN["zh" if zh else "en"]
        rows: list[tuple[str, str]] = []
        out = [(f"配置文件：{self.path}" if zh else f"configuration file: {self.path}") if self.path else
               ("未找到配置文件（gipcheck.toml 或含 [tool.gipcheck] 的 pyproject.toml），全部使用默认值" if zh else
                "no configuration file found (gipcheck.toml or pyproject.toml with [tool.gipcheck]); all defaults")]
        rows.append(("profile", (repr(self.profile.value) if self.profile.value else "—") + "  ← "
                     + (self.profile.origin or dflt)))
        for k in OPTION_DEFAULTS:
            v = self.options.get(k)
            rows.append((k, f"{self.option(k)!r}  ← {v.origin if v else dflt}"))
        width = max(len(k) for k, _ in rows)
        out += [f"  {k:<{width}} = {v}" for k, v in rows]

        def block(title_zh: str, title_en: str, items: list[str]) -> None:
            title = title_zh if zh else title_en
            if not items:  # "标题：无" — the title's own colon carries the "none"
                title = title.rstrip("：:") + ("：无" if zh else ": none")
            out.append(title)
            out.extend(f"  {i}" for i in items)

        block("启用/停用规则（按顺序，后者优先）：", "rule switches (in order, later wins):",
              [f"{'停用' if op == 'disable' and zh else '启用' if zh else op} {p}  ← {o}" for op, p, o in self.switches])
        block("严重程度调整：", "severity overrides:", [f"{p} = {s}  ← {o}" for p, s, o in self.severity])
        block("强制规则（不可停用、不可豁免）：", "mandatory rules (cannot be disabled or suppressed):",
              [f"{p}  ← {o}" for p, o in self.mandatory])
        sup = []
        for s in self.suppressions:
            scope = "".join([f" files={s.files}" if s.files else "", f" organ={s.organ}" if s.organ else ""])
            exp = ""
            if s.expires:
                gone = s.expired(self.today)
                exp = (f" 到期 {s.expires}{'（已过期）' if gone else ''}" if zh
                       else f" expires {s.expires}{' (expired)' if gone else ''}")
            sup.append(f"{s.rule}{scope}{exp}  {'理由' if zh else 'reason'}：{s.reason}  ← {s.origin}")
        block("豁免：", "suppressions:", sup)
        if self.profiles:
            out.append(("可用检查方案：" if zh else "profiles: ") + ", ".join(self.profiles))
        block("插件设置（插件默认值 < 配置文件 < 命令行）：", "plugin settings (plugin default < file < command line):",
              self._describe_plugins(zh, plugin_defaults or {}, command_line or {}))
        return "\n".join(out)

    def _describe_plugins(self, zh: bool, defaults: dict[str, tuple[Any, str]],
                          command_line: dict[str, Any]) -> list[str]:
        user = self.plugin_settings(defaults)
        rows: list[str] = []
        for key in sorted({*defaults, *user}):
            if key in command_line:
                value, origin = command_line[key], ("命令行" if zh else "command line")
            elif key in user:
                value, origin = user[key].value, user[key].origin or ""
                if key not in defaults and defaults:
                    origin += "（没有插件使用此项）" if zh else " (no plugin reads it)"
            else:
                value, plugin = defaults[key]
                origin = f"插件 {plugin} 的默认值" if zh else f"default of plugin {plugin}"
            rows.append(f"{key} = {_toml_value(value)}  ← {origin}")
        return rows


# ------------------------------------------------------------------ reading
def find_config(start: str | Path | None = None) -> tuple[Path, dict[str, Any], str] | None:
    """The first ``gipcheck.toml`` or ``pyproject.toml`` with ``[tool.gipcheck]`` from ``start`` up."""
    try:
        here = Path(start or os.getcwd()).resolve()
    except FileNotFoundError:  # run from a folder that has since been deleted: nothing to find upward
        return None
    for d in (here, *here.parents):
        for name in CONFIG_NAMES:
            p = d / name
            if p.is_file():
                data = _read_toml(p)
                table, prefix = _table_of(p, data)
                if table is not None:
                    return p, table, prefix
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    tomllib = _toml()
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ConfigError("CONFIG_IO", f"无法读取配置文件 {path}：{e.strerror}",
                          f"cannot read configuration file {path}: {e.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")  # TOML is UTF-8; a BOM from Notepad is forgiven
    except UnicodeDecodeError as e:
        raise ConfigError("CONFIG_ENCODING", f"配置文件 {path} 不是 UTF-8 编码（TOML 只能用 UTF-8），请以 UTF-8 保存",
                          f"configuration file {path} is not UTF-8 ({e.reason} at byte {e.start}); "
                          "TOML must be saved as UTF-8") from None
    try:
        return dict(tomllib.loads(text))
    except tomllib.TOMLDecodeError as e:
        raise _toml_error(path, str(e), text) from None


def _toml_error(path: Path, message: str, source: str) -> ConfigError:
    """``file:line:col: message``, the line and a caret under the column, as for rule files."""
    from gipcheck.parsemsg import toml_error
    from gipcheck.textwidth import caret_line

    zh, en, line, col = toml_error(message, source)
    where = ":".join(str(x) for x in (path, line, col) if x is not None)
    shown = ""
    if line is not None and col is not None:
        lines = source.split("\n")
        if 0 < line <= len(lines):
            src = lines[line - 1].rstrip("\r")
            shown = f"\n    {src}\n    {caret_line(src, col)}"
    return ConfigError("CONFIG_TOML", f"{where}: 配置文件不是有效的 TOML：{zh}{shown}",
                       f"{where}: configuration file is not valid TOML: {en}{shown}")


def _table_of(path: Path, data: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    tool = data.get("tool")
    if isinstance(tool, dict) and isinstance(tool.get("gipcheck"), dict):
        return tool["gipcheck"], "tool.gipcheck"
    if isinstance(tool, dict) and "gipcheck" in tool:  # `tool.gipcheck = "…"`: a slip, not "no configuration"
        raise ConfigError("CONFIG_TYPE", f"配置错误 {path.name}：tool.gipcheck 应为表（[tool.gipcheck]）",
                          f"configuration error {path.name}: tool.gipcheck must be a table ([tool.gipcheck])")
    if path.name == "pyproject.toml":
        return None, "tool.gipcheck"
    return {k: v for k, v in data.items() if k != "tool"}, ""


class _Reader:
    """Validates one configuration table, building a :class:`Settings` with origins."""

    def __init__(self, path: Path, prefix: str, settings: Settings) -> None:
        self.path, self.prefix, self.s = path, prefix, settings
        try:
            self.display = str(path.relative_to(Path.cwd()))
        except ValueError:
            self.display = str(path)

    def key(self, *parts: str | int) -> str:
        out = self.prefix
        for p in parts:
            if isinstance(p, int):
                out += f"[{p}]"
            else:
                needs_quote = not p.replace("_", "").replace("-", "").isalnum() or not p.isascii()
                part = f'"{p}"' if needs_quote else p
                out = f"{out}.{part}" if out else part
        return out

    def origin(self, *parts: str | int) -> str:
        return f"{self.display}:{self.key(*parts)}"

    def error(self, code: str, parts: tuple[str | int, ...], zh: str, en: str) -> ConfigError:
        return ConfigError(code, f"配置错误 {self.display}：{self.key(*parts)}：{zh}",
                           f"configuration error {self.display}: {self.key(*parts)}: {en}")

    def check_keys(self, table: dict[str, Any], allowed: tuple[str, ...], parts: tuple[str | int, ...]) -> None:
        for k in table:
            if k not in allowed:
                import difflib

                s = difflib.get_close_matches(k, allowed, n=1)
                hint_zh = f"（是否应为“{s[0]}”？）" if s else f"（可用：{'、'.join(allowed)}）"
                hint_en = f" (did you mean '{s[0]}'?)" if s else f" (allowed: {', '.join(allowed)})"
                raise self.error("CONFIG_KEY", (*parts, k), f"未知配置项{hint_zh}", f"unknown key{hint_en}")

    def patterns(self, value: Any, parts: tuple[str | int, ...]) -> list[tuple[str, str]]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error("CONFIG_TYPE", parts, "应为规则编号（或通配符）的列表，如 [\"T3-*\"]",
                             "expected a list of rule ids or globs, e.g. [\"T3-*\"]")
        return [(v.strip(), self.origin(*parts, i)) for i, v in enumerate(value)]

    def layer(self, table: dict[str, Any], parts: tuple[str | int, ...]) -> None:
        """One layer of rule settings (the top level, or a profile)."""
        s = self.s
        for op in ("disable", "enable"):
            if op in table:
                s.switches += [(op, p, o) for p, o in self.patterns(table[op], (*parts, op))]
        if "mandatory" in table:
            s.mandatory += self.patterns(table["mandatory"], (*parts, "mandatory"))
        if "severity" in table:
            sev = table["severity"]
            if not isinstance(sev, dict):
                raise self.error("CONFIG_TYPE", (*parts, "severity"), "应为表，如 { \"T3-EMPTY\" = \"error\" }",
                                 "expected a table, e.g. { \"T3-EMPTY\" = \"error\" }")
            for rule, level in sev.items():
                if level not in SEVERITIES:
                    raise self.error("CONFIG_SEVERITY", (*parts, "severity", rule),
                                     f"严重程度“{level}”无效，应为 error、warning 或 info",
                                     f"severity {level!r} is invalid; use error, warning or info")
                s.severity.append((rule, level, self.origin(*parts, "severity", rule)))
        if "suppressions" in table:
            sups = table["suppressions"]
            if not isinstance(sups, list) or not all(isinstance(x, dict) for x in sups):
                raise self.error("CONFIG_TYPE", (*parts, "suppressions"), "应为表的数组（[[…suppressions]]）",
                                 "expected an array of tables ([[…suppressions]])")
            for i, raw in enumerate(sups):
                s.suppressions.append(self.suppression(raw, (*parts, "suppressions", i)))

    def suppression(self, raw: dict[str, Any], parts: tuple[str | int, ...]) -> Suppression:
        self.check_keys(raw, SUPPRESSION_KEYS, parts)
        rule = raw.get("rule")
        if not isinstance(rule, str) or not rule.strip():
            raise self.error("CONFIG_NO_RULE", (*parts, "rule"), "豁免必须写明规则编号（rule）",
                             "a suppression needs the rule id (rule)")
        reason = raw.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise self.error("CONFIG_NO_REASON", (*parts, "reason"),
                             f"豁免规则 {rule} 缺少理由：每条豁免都必须写明理由（reason = \"…\"）",
                             f"the suppression of {rule} has no reason: every suppression needs one (reason = \"…\")")
        expires = raw.get("expires")
        if isinstance(expires, _dt.datetime):
            expires = expires.date()
        elif isinstance(expires, str):
            try:
                expires = _dt.date.fromisoformat(expires.strip())
            except ValueError:
                raise self.error("CONFIG_DATE", (*parts, "expires"), f"到期日“{expires}”无效，应写成 2026-06-30",
                                 f"expiry date {expires!r} is invalid; write it as 2026-06-30") from None
        elif expires is not None and not isinstance(expires, _dt.date):
            raise self.error("CONFIG_DATE", (*parts, "expires"), "到期日应为日期，如 2026-06-30",
                             "the expiry must be a date such as 2026-06-30")
        files = raw.get("files", [])
        if isinstance(files, str):
            files = [files]
        if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
            raise self.error("CONFIG_TYPE", (*parts, "files"), "应为文件通配符或其列表", "expected a glob or a list of globs")
        organ = raw.get("organ")
        if organ is not None and not isinstance(organ, str):
            raise self.error("CONFIG_TYPE", (*parts, "organ"), "应为机关名称（文字）", "expected an organ name (text)")
        return Suppression(rule=rule.strip(), reason=reason.strip(), origin=self.origin(*parts), expires=expires,
                           files=files, organ=organ)

    def options(self, table: dict[str, Any]) -> None:
        for k in OPTION_DEFAULTS:
            if k not in table:
                continue
            v = table[k]
            names = _reporter_names() if k == "format" else []
            ok = {"format": isinstance(v, str) and v in names,
                  "jobs": isinstance(v, int) and not isinstance(v, bool) and v >= 0,
                  "lang": v in ("zh", "en"),
                  "region": isinstance(v, str) and bool(v.strip()),
                  "rules": isinstance(v, (str, list))}[k]
            if not ok:
                want = {"format": "、".join(names), "jobs": "非负整数 / a non-negative integer",
                        "lang": "zh 或 en", "region": "地区名 / a region", "rules": "目录列表 / a list of directories"}[k]
                raise self.error("CONFIG_TYPE", (k,), f"取值“{v}”无效，应为 {want}", f"invalid value {v!r}; expected {want}")
            if k == "rules":
                # Rule directories are relative to the configuration file, not to the current directory.
                v = [str((self.path.parent / d).resolve()) for d in ([v] if isinstance(v, str) else v)]
            self.s.options[k] = Value(v, self.origin(k))

    def plugins(self, table: dict[str, Any]) -> None:
        """``[plugins]``: settings of the plugins, kept as written until the plugins' keys are known."""
        if "plugins" not in table:
            return
        value = table["plugins"]
        if not isinstance(value, dict):
            raise self.error("CONFIG_TYPE", ("plugins",), "应为表，如 [tool.gipcheck.plugins.shanghai]",
                             "expected a table, e.g. [tool.gipcheck.plugins.shanghai]")
        self.s.plugin_table = value


def flatten_plugin_table(table: dict[str, Any], known: Any = ()) -> dict[str, tuple[Any, tuple[str, ...]]]:
    """``{"shanghai": {"place_by_order": False}}`` or ``{"shanghai.place_by_order": False}`` →
    ``{"shanghai.place_by_order": (False, ("shanghai", "place_by_order"))}`` — the dotted key, the
    value and the key's parts as written (for its origin). A table at a key in ``known`` (a plugin
    whose default is a table) is that key's value, not further keys."""
    known = set(known)
    out: dict[str, tuple[Any, tuple[str, ...]]] = {}

    def walk(node: dict[str, Any], prefix: str, parts: tuple[str, ...]) -> None:
        for k, v in node.items():
            key = f"{prefix}.{k}" if prefix else str(k)
            if isinstance(v, dict) and v and key not in known:
                walk(v, key, (*parts, str(k)))
            else:
                out[key] = (v, (*parts, str(k)))

    walk(table, "", ())
    return out


def _toml_value(value: Any) -> str:
    """A value as the user would write it in the file (``false``, ``"text"``, ``[1, 2]``)."""
    import json

    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def _same_kind(value: Any, default: Any) -> bool:
    """Whether a user's value may replace a plugin's default: the same kind of value (an integer
    where a number is expected is fine; ``true`` is not a number); a default of ``None`` takes anything."""
    if default is None:
        return True
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float)) and (isinstance(default, float) or isinstance(value, int))
    if isinstance(default, (list, tuple)):
        return isinstance(value, (list, tuple))
    return isinstance(value, type(default))


def _kind_name(default: Any) -> tuple[str, str]:
    if isinstance(default, bool):
        return "布尔值（true 或 false）", "true or false"
    if isinstance(default, int):
        return "整数", "an integer"
    if isinstance(default, float):
        return "数字", "a number"
    if isinstance(default, str):
        return "文字", "text"
    if isinstance(default, (list, tuple)):
        return "列表", "a list"
    if isinstance(default, dict):
        return "表", "a table"
    return type(default).__name__, type(default).__name__


def _reporter_names() -> list[str]:
    from gipcheck.report import reporter_names

    return reporter_names()


def load_config(config: str | Path | None = None, *, profile: str | None = None, cwd: str | Path | None = None,
                today: _dt.date | None = None, lang: str = "zh") -> Settings:
    """The effective :class:`Settings`: ``config`` (a file) or the one found from ``cwd`` upward,
    with ``profile`` (``--profile``) or the file's own ``profile`` applied on top of its top level.
    Raises :class:`ConfigError` (exit 2) naming the file and key of any mistake."""
    settings = Settings(today=today or _dt.date.today(), lang=lang)
    if config is not None:
        path = Path(config)
        if path.is_dir():
            raise ConfigError("CONFIG_MISSING", f"--config 应指定配置文件，而不是目录：{path}",
                              f"--config names a configuration file, not a directory: {path}")
        if not path.is_file():
            raise ConfigError("CONFIG_MISSING", f"配置文件不存在：{path}", f"configuration file not found: {path}")
        table, prefix = _table_of(path, _read_toml(path))
        if table is None:
            raise ConfigError("CONFIG_NO_TABLE", f"{path} 中没有 [tool.gipcheck] 配置",
                              f"{path} has no [tool.gipcheck] table")
        found: tuple[Path, dict[str, Any], str] | None = (path.resolve(), table, prefix)
    else:
        found = find_config(cwd)
    if found is None:
        if profile:
            raise ConfigError("CONFIG_PROFILE", f"未找到配置文件，无法使用检查方案 {profile}",
                              f"no configuration file found; profile {profile} is not defined")
        return settings
    path, table, prefix = found
    settings.path, settings.prefix = path, prefix
    r = _Reader(path, prefix, settings)
    r.check_keys(table, TOP_KEYS, ())
    profiles = table.get("profiles", {})
    if not isinstance(profiles, dict) or not all(isinstance(p, dict) for p in profiles.values()):
        raise r.error("CONFIG_TYPE", ("profiles",), "应为表（[tool.gipcheck.profiles.名称]）",
                      "expected tables ([tool.gipcheck.profiles.NAME])")
    settings.profiles = sorted(profiles)
    for name, prof in profiles.items():
        r.check_keys(prof, PROFILE_KEYS, ("profiles", name))
    r.options(table)
    r.plugins(table)
    r.layer(table, ())
    chosen = Value(profile, "--profile") if profile else (
        Value(table["profile"], r.origin("profile")) if table.get("profile") else Value(None))
    if chosen.value is not None:
        if not isinstance(chosen.value, str) or chosen.value not in profiles:
            names = "、".join(sorted(profiles)) or "无"
            raise ConfigError("CONFIG_PROFILE", f"检查方案 {chosen.value} 未定义（{r.display} 中可用：{names}）",
                              f"profile {chosen.value} is not defined (in {r.display}: {', '.join(sorted(profiles)) or 'none'})")
        chain: list[str] = []
        current: str | None = chosen.value
        while current is not None:
            if current in chain:
                raise r.error("CONFIG_PROFILE", ("profiles", current, "extends"), "检查方案循环继承", "profiles extend in a cycle")
            if current not in profiles:
                raise r.error("CONFIG_PROFILE", ("profiles", chain[-1], "extends"), f"继承的检查方案 {current} 未定义",
                              f"extended profile {current} is not defined")
            chain.append(current)
            ext = profiles[current].get("extends")
            if ext is not None and not isinstance(ext, str):
                raise r.error("CONFIG_TYPE", ("profiles", current, "extends"), "应为检查方案名称（文字）",
                              "expected the name of a profile (text)")
            current = ext
        for name in reversed(chain):
            r.layer(profiles[name], ("profiles", name))
    settings.profile = chosen
    return settings


def describe(config: str | None = None, *, profile: str | None = None, lang: str = "zh") -> str:
    return load_config(config, profile=profile, lang=lang).describe(lang)


__all__ = ["ConfigError", "Settings", "Suppression", "Value", "describe", "find_config", "load_config"]
