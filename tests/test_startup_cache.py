"""Start-up work kept across runs and put off until needed: the pack cache (rule files that loaded
cleanly are not re-read, re-validated or re-checked) and the lazily imported HTML/Word/PDF loaders.
Whatever the cache holds, results and error positions are those of a full load."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from gipcheck.engine import evaluate, load_packs, packs
from gipcheck.errors import RuleError

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache directory, and no pack state kept in this process."""
    d = tmp_path / "cache"
    monkeypatch.setenv("GIPCHECK_CACHE_DIR", str(d))
    monkeypatch.delenv("GIPCHECK_NO_CACHE", raising=False)
    _fresh()
    yield d
    _fresh()


def _fresh() -> None:
    """Forget what this process loaded (as a new process would)."""
    packs.clear_cache()
    store = getattr(packs, "_data_store_cached", None)  # the persistent store is read again too
    if store is not None:
        store.cache_clear()


class _YamlSpy:
    """Counts the rule files actually read as YAML."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.files: list[str] = []
        real = packs.load_yaml

        def spy(path: Path, *a: Any, **k: Any) -> Any:
            self.files.append(Path(path).name)
            return real(path, *a, **k)

        monkeypatch.setattr(packs, "load_yaml", spy)


def _pack_files(cache: Path) -> list[Path]:
    return sorted(cache.glob("packs-*.json"))


def _dump(loaded: list[packs.Pack]) -> Any:
    """Everything a loaded pack holds that a run can see (compiled code by its presence only)."""
    def src(s: packs.ExprSource) -> Any:
        return [s.text, s.file, s.line, s.col, s.indent, s.file_text]

    out: list[Any] = []
    for p in loaded:
        out.append([p.name, p.version, p.description, str(p.directory), {k: src(v) for k, v in p.lets.items()}])
        for r in p.rules:
            out.append({
                "id": r.id, "title": r.title, "severity": r.severity, "basis": r.basis, "expr": src(r.expr),
                "message": r.message, "file": r.file, "line": r.line, "col": r.col, "pack": r.pack,
                "applies": r.applies, "lets": {k: src(v) for k, v in r.lets.items()}, "tags": r.tags,
                "examples": [dataclasses.asdict(e) for e in r.examples],
                "severity_when": [[src(s), sev] for s, sev in r.severity_when], "section": r.section,
                "placeholders": r.placeholders, "all_lets": sorted(r.all_lets), "json": r.to_json(),
                "compiled": r.compiled is not None, "severity_compiled": len(r.severity_compiled),
                "let_exprs": {k: type(r.let_expression(k)).__name__ for k in r.all_lets}})
    return out


def _seeds() -> list[Path]:
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("../shared/seeds is not beside the checkout")
    return seeds


# ------------------------------------------------------------------ the pack cache
def test_cache_hit_gives_identical_packs_and_results(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gipcheck.load import load_path

    first = load_packs([], include_default=True)  # fills the cache
    assert _pack_files(cache), "a clean load must leave the checked rule files in the cache"
    _fresh()
    spy = _YamlSpy(monkeypatch)
    second = load_packs([], include_default=True)
    assert spy.files == [], "a cache hit must not read rule files as YAML"
    assert json.dumps(_dump(second), ensure_ascii=False, default=repr) == \
        json.dumps(_dump(first), ensure_ascii=False, default=repr)
    for seed in _seeds():
        doc = load_path(seed)
        a, b = evaluate(doc, first), evaluate(doc, second)
        assert a.to_json() == b.to_json(), seed.name
        assert b.passed and len(b.passed) + len(b.findings) >= 50, f"{seed.name}: the packs were not all run"


def test_corrupt_or_doctored_cache_is_ignored(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    full = _dump(load_packs([], include_default=True))
    files = _pack_files(cache)
    assert files
    path = files[0]
    head, body = path.read_bytes().split(b"\n", 1)
    entries = json.loads(body)
    # an expression changed in every cached rule file: with the digest left alone, and made to match
    doctored = {k: v for k, v in entries.items()}
    for rec in doctored.values():
        for r in rec.get("rules", []) if isinstance(rec, dict) else []:
            r["expr"][0] = "true"
            r["examples"] = []
    new_body = json.dumps(doctored, ensure_ascii=False).encode("utf-8")
    meta = json.loads(head)
    for variant in (
            head + b"\n" + body[: len(body) // 2],                        # cut short
            head + b"\n" + body.replace(b'"error"', b'"info"', 1),       # edited, digest stale
            head + b"\n" + new_body,                                     # doctored, digest stale
            json.dumps({**meta, "digest": hashlib.sha256(new_body).hexdigest()}).encode() + b"\n" + new_body,
            b"\x00\xff garbage"):
        path.write_bytes(variant)
        _fresh()
        assert _dump(load_packs([], include_default=True)) == full


def _write_pack(root: Path, rule: str, pack_lets: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pack.yaml").write_text(f'name: tiny\nversion: "1"\n{pack_lets}', encoding="utf-8")
    (root / "r.yaml").write_text(textwrap.dedent(rule), encoding="utf-8")
    return root


_RULE = """\
- id: T-ONE
  title: {zh: 新收申请非负, en: new requests not negative}
  severity: error
  basis: test
  let:
    n: requests.new.total
  expr: n >= 0
  message: {zh: "新收 {left} 件", en: "{left} new"}
  examples:
    - {expect: pass, doc: {requests: {new: {total: 3}}}}
    - {expect: fail, doc: {requests: {new: {total: -1}}}}
"""


def test_edited_rule_file_is_read_again(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = _write_pack(tmp_path / "pack", _RULE)
    spy = _YamlSpy(monkeypatch)
    assert load_packs([d])[0].rules[0].message["zh"] == "新收 {left} 件"
    assert spy.files == ["pack.yaml", "r.yaml"]
    _fresh()
    load_packs([d])
    assert spy.files == ["pack.yaml", "r.yaml"], "unchanged files come from the cache"
    (d / "r.yaml").write_text(_RULE.replace("新收 {left} 件", "本年新收 {left} 件"), encoding="utf-8")
    _fresh()
    rule = load_packs([d])[0].rules[0]
    assert rule.message["zh"] == "本年新收 {left} 件"
    assert spy.files[-1] == "r.yaml"


def _error(d: Path) -> tuple[Any, ...]:
    _fresh()
    with pytest.raises(RuleError) as e:
        load_packs([d])
    return e.value.code, e.value.file, e.value.line, e.value.col, e.value.zh


_FLOOR = _RULE.replace("expr: n >= 0", "expr: n >= floor_value")
_LIMIT = _RULE.replace("{left} new", "{left} new of {limit}")
# a let only a message uses (compiled on first use when the cache vouches for it)
_SHOWN = _RULE.replace("    n: requests.new.total\n", "    n: requests.new.total\n    shown: cap + 1\n") \
    .replace("{left} new", "{left} new, cap {shown}")


@pytest.mark.parametrize(("good", "bad"), [
    # the rule file itself made wrong after it was cached
    ((_RULE, ""), (_RULE.replace("expr: n >= 0", "expr: n >= nosuch(1)"), "")),
    ((_RULE, ""), (_RULE.replace("severity: error", "severity: eror"), "")),
    ((_RULE, ""), (_RULE.replace("{total: -1}", "{totl: -1}"), "")),
    # the rule file unchanged (cached); what it relies on in pack.yaml changed
    ((_RULE, ""), (_RULE, "let:\n  n: 1\n")),                          # LET_SHADOW
    ((_FLOOR, "let:\n  floor_value: '0'\n"), (_FLOOR, "")),              # a pack let it uses is gone
    ((_LIMIT, "let:\n  limit: '9'\n"), (_LIMIT, "")),                    # a placeholder's let is gone
    ((_SHOWN, "let:\n  cap: '9'\n"), (_SHOWN, "")),                      # a message-only let's let is gone
])
def test_error_in_cached_file_keeps_exact_position(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   good: tuple[str, str], bad: tuple[str, str]) -> None:
    d = tmp_path / "pack"
    _write_pack(d, *good)
    _fresh()
    load_packs([d])              # cached while it is good
    assert _pack_files(cache)
    _write_pack(d, *bad)
    got = _error(d)
    monkeypatch.setenv("GIPCHECK_NO_CACHE", "1")
    want = _error(d)             # the full load, no cache at all
    assert got == want
    assert got[2] is not None and got[3] is not None


# ------------------------------------------------------------------ lazily imported loaders
_LAZY = ("gipcheck.load.html", "gipcheck.load.docx", "gipcheck.load.pdf")


def test_lazy_loader_specs_are_the_modules_own() -> None:
    import importlib

    from gipcheck.load.registry import LAZY_LOADERS, LazyLoaderModule

    assert sorted(LAZY_LOADERS) == sorted(_LAZY)
    for modname in _LAZY:
        mod, lazy = importlib.import_module(modname), LazyLoaderModule(modname)
        for attr in ("NAME", "MEDIA_TYPES", "EXTENSIONS", "PRIORITY"):
            assert getattr(lazy, attr) == getattr(mod, attr), (modname, attr)
        assert lazy.__doc__ == (mod.__doc__ or "").strip().split("\n", 1)[0].strip()


def _heads() -> list[tuple[bytes, str]]:
    heads: list[tuple[bytes, str]] = [
        (b"", "x.txt"), (b"<p>hi</p>", "a.txt"), (b"  <html><body>x", "a.htm"), ("《关于印发<格式>的通知》".encode(), "a.txt"),
        ("<html><body><p>年度报告</p></body></html>".encode("utf-16"), "a.html"),
        ("<table><tr><td>1</td></tr></table>".encode("utf-16-le"), "a.html"),
        (b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=x\r\n\r\n--x", "a.doc"),
        (b"%PDF-1.7\n", "a.pdf"), (b"x" * 1023 + b"%PDF-1.4", "a.pdf"), (b"x" * 1024 + b"%PDF-1.4", "a.pdf"),
        (b"PK\x03\x04word/document.xml", "a.docx"), (b"PK\x03\x04xl/", "a.xlsx"), (b"PK\x03\x04", "a.zip"),
        (b"{\\rtf1\\ansi", "a.doc"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a.xls"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a.doc"), (b"\xff\xfe\x00\x00", "a.txt"),
    ]
    for d in (SHARED / "seeds", SHARED / "corpus"):
        for p in sorted(d.glob("*")) if d.is_dir() else []:
            if p.is_file():
                with p.open("rb") as f:
                    heads.append((f.read(65536), p.name))
    return heads


def test_lazy_sniff_answers_as_the_module() -> None:
    import importlib

    from gipcheck.load.registry import LazyLoaderModule

    for modname in _LAZY:
        mod = importlib.import_module(modname)
        lazy = LazyLoaderModule(modname)
        lazy._module = None  # answer from the cheap test wherever it can
        for head, name in _heads():
            assert lazy.sniff(head, name) == float(mod.sniff(head, name)), (modname, name, head[:40])


def _modules_after(args: list[str], code: str) -> set[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env,
                         cwd=REPO, timeout=120)
    line = next((ln for ln in out.stderr.splitlines() if ln.startswith("MODS:")), None)
    assert line is not None, out.stderr[-2000:]
    return set(json.loads(line[5:]))


_CLI = ("import atexit, json, sys\n"
        f"atexit.register(lambda: print('MODS:' + json.dumps([m for m in sys.modules if m in {list(_LAZY)!r}]),"
        " file=sys.stderr))\n"
        "from gipcheck.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n")


def test_text_run_imports_no_other_loader() -> None:
    seed = _seeds()[0]
    assert _modules_after(["check", str(seed)], _CLI) == set()


def test_html_and_word_runs_import_their_loader(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text("<!DOCTYPE html><html><body><p>2024年政府信息公开工作年度报告</p></body></html>", encoding="utf-8")
    assert _modules_after(["check", str(page)], _CLI) >= {"gipcheck.load.html"}
    docx = SHARED / "corpus" / "template_2021_blank.docx"
    if not docx.is_file():
        pytest.skip("../shared/corpus is not beside the checkout")
    assert "gipcheck.load.docx" in _modules_after(["check", str(docx)], _CLI)


def test_pdf_is_chosen_and_imported_on_demand() -> None:
    pdf = next(iter(sorted((SHARED / "corpus").glob("*.pdf"))), None)
    if pdf is None:
        pytest.skip("no PDF in ../shared/corpus")
    code = ("import json, sys\n"
            "from gipcheck.plugins.manager import PluginManager\n"
            "from gipcheck.load import registry\n"
            "pm = PluginManager(); pm.load(); pm.install_loaders()\n"
            "before = 'gipcheck.load.pdf' in sys.modules\n"
            "spec = registry.choose_loader(open(sys.argv[1], 'rb').read(65536), sys.argv[1])\n"
            "assert spec.name == 'pdf' and not before, (spec, before)\n"
            "print('MODS:' + json.dumps([m for m in sys.modules if m == 'gipcheck.load.pdf']), file=sys.stderr)\n")
    assert _modules_after([str(pdf)], code) == {"gipcheck.load.pdf"}


def test_crlf_rule_file_hits_with_same_positions(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    d = _write_pack(tmp_path / "pack", "")
    (d / "r.yaml").write_bytes(_RULE.replace("\n", "\r\n").encode("utf-8"))
    first = _dump(load_packs([d]))
    _fresh()
    spy = _YamlSpy(monkeypatch)
    assert _dump(load_packs([d])) == first
    assert spy.files == [], "a CRLF file is cached like any other"


def test_message_lets_compile_on_first_use_with_the_load_functions(cache: Path, tmp_path: Path) -> None:
    d = _write_pack(tmp_path / "pack", _SHOWN, "let:\n  cap: '9'\n")
    load_packs([d])
    _fresh()
    rule = load_packs([d])[0].rules[0]
    assert rule.functions is not None and not rule._let_exprs, "a cached, unchanged file puts its lets off"
    from gipcheck.load.base import LoadedReport

    result = evaluate(LoadedReport({"requests": {"new": {"total": -1}}}), load_packs([d]))
    assert [f.message for f in result.findings] == ["新收 -1 件"]
    assert evaluate(LoadedReport({"requests": {"new": {"total": -1}}}), load_packs([d]), lang="en") \
        .findings[0].message == "-1 new, cap 10"


def test_warm_start_reads_no_yaml(tmp_path: Path) -> None:
    """With the rule files, the gazetteer and the prose phrasings in the cache, a one-report run
    never imports PyYAML (15-20 ms of every start); a rule file that is not cached still loads."""
    code = ("import json, sys\n"
            "from gipcheck.cli import main\n"
            "code = main(sys.argv[1:])\n"
            "print('YAML:' + json.dumps('yaml' in sys.modules), file=sys.stderr)\n"
            "sys.exit(code)\n")
    env = {**os.environ, "GIPCHECK_CACHE_DIR": str(tmp_path / "cache"), "GIPCHECK_DISABLE_PLUGIN_AUTOLOAD": "1"}
    env.pop("GIPCHECK_NO_CACHE", None)
    seed = str(_seeds()[0])

    def yaml_imported(*args: str) -> bool:
        p = subprocess.run([sys.executable, "-c", code, "check", seed, *args], capture_output=True, text=True,
                           env=env, timeout=180)
        assert p.returncode == 1, p.stderr
        return json.loads(p.stderr.rsplit("YAML:", 1)[1])

    assert yaml_imported() is True   # cold: everything read from YAML once
    assert yaml_imported() is False  # warm: nothing
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "pack.yaml").write_text("name: extra\nversion: '1'\ndescription: x\n", encoding="utf-8")
    (extra / "r.yaml").write_text(textwrap.dedent("""\
        id: EXTRA-ONE
        title: {zh: 示例, en: example}
        severity: info
        basis: test
        expr: meta.year > 2000
        message: {zh: 年度, en: year}
        examples:
          - {expect: pass, doc: {meta: {year: 2024}}}
          - {expect: fail, doc: {meta: {year: 1999}}}
        """), encoding="utf-8")
    assert yaml_imported("--rules", str(extra)) is True  # a new file is read from YAML
    assert yaml_imported("--rules", str(extra)) is False


def test_an_error_through_a_cached_pack_let_keeps_its_exact_position(cache: Path, tmp_path: Path) -> None:
    # pack.yaml loads cleanly on its own and is cached; its let is then used wrongly by a rule file
    d = tmp_path / "pack"
    d.mkdir()
    (d / "pack.yaml").write_text("name: t\nversion: '0.1'\ndescription: 测试\nlet:\n  bar: >\n"
                                 "    '中文' ==\n    requests.nosuch\n", encoding="utf-8")
    (d / "r.yaml").write_text(textwrap.dedent("""\
        - id: T-ONE
          title: {zh: 测试, en: test}
          severity: error
          basis: 测试
          expr: bar
          message: {zh: 不通过, en: fails}
          examples:
            - {expect: pass, doc: {}}
            - {expect: fail, doc: {}}
        """), encoding="utf-8")
    good = tmp_path / "good"
    good.mkdir()
    (good / "pack.yaml").write_text("name: g\nversion: '0.1'\n", encoding="utf-8")
    seen = []
    for _ in range(3):  # cold, then twice from the cache as later runs would
        _fresh()
        with pytest.raises(RuleError) as e:
            load_packs([d])
        seen.append((Path(e.value.file or "").name, e.value.line, e.value.col, e.value.code))
        load_packs([good])  # a clean load saves the store, with the record of the broken pack's pack.yaml
    assert seen == [("pack.yaml", 7, 14, "UNKNOWN_PATH")] * 3  # at `nosuch`
