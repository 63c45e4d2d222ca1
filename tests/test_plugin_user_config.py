"""The user's configuration reaches the plugins: ``[tool.gipcheck.plugins]`` (or ``[plugins]`` in a
``gipcheck.toml``) is merged over the plugins' ``gipcheck_config_defaults`` and under the command
line into what ``gipcheck_configure``, ``gipcheck_enrich_document`` and plugin loaders get; ``config
show`` says where each plugin value came from."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gipcheck import api
from gipcheck.config import load_config
from gipcheck.errors import ConfigError

TESTS = Path(__file__).resolve().parent
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
KEWEI = SHARED / "corpus" / "002_shanghai_kewei_2024.md.txt"

needs_corpus = pytest.mark.skipif(not KEWEI.is_file(), reason="../shared/corpus is not beside the checkout")
needs_shanghai = pytest.mark.skipif(importlib.util.find_spec("gipcheck_shanghai") is None,
                                    reason="gipcheck-shanghai is not installed")


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def shanghai_checker() -> Iterator[Any]:
    """Checkers with the Shanghai plugin given explicitly; its loader is taken out again afterwards."""
    import gipcheck_shanghai.plugin as shanghai

    made: list[api.Checker] = []

    def make(**kw: Any) -> api.Checker:
        c = api.Checker(autoload=False, plugins=[shanghai], **kw)
        made.append(c)
        return c

    yield make
    for c in made:
        c.plugins.uninstall_loaders()


def _forget_checkers() -> None:
    """The cached checkers built with the installed plugins: their loaders out, the cache cleared."""
    for c in api._live_checkers():
        c.plugins.uninstall_loaders()
    api._default_checker.cache_clear()
    api._default_checker._live.clear()  # type: ignore[attr-defined]


def _request_rows(doc: dict[str, Any]) -> int:
    """How many rows of table 三 have a number in them."""
    def rows(node: Any) -> int:
        if isinstance(node, dict):
            if "total" in node and all(not isinstance(v, dict) for v in node.values()):
                return int(any(isinstance(v, int) for v in node.values()))
            return sum(rows(v) for v in node.values())
        return 0

    return rows(doc.get("requests") or {})


@needs_corpus
@needs_shanghai
def test_a_setting_in_gipcheck_toml_changes_how_the_plugin_reads_a_real_report(
        tmp_path: Path, shanghai_checker: Any) -> None:
    _write(tmp_path, "gipcheck.toml", "[plugins.shanghai]\nplace_by_order = false\n")
    settings = load_config(cwd=tmp_path)
    default = shanghai_checker()
    user = shanghai_checker(config=settings.plugin_table)
    assert default.config["shanghai.place_by_order"] is True  # the plugin's own default
    assert user.config["shanghai.place_by_order"] is False  # the user's file wins over it
    before, after = default.load(KEWEI), user.load(KEWEI)
    assert "SH_T3_PLACED_BY_ORDER" in {n.code for n in before.notes}
    assert "SH_T3_NOT_PLACED" in {n.code for n in after.notes}
    assert "SH_T3_PLACED_BY_ORDER" not in {n.code for n in after.notes}
    assert _request_rows(after.document) < _request_rows(before.document)
    # what the report states with its own labels is read the same either way
    assert after.document["requests"]["new"] == before.document["requests"]["new"]
    assert after.document["active"] == before.document["active"]


def test_gipcheck_configure_gets_defaults_then_file_then_command_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(TESTS / "plugin_fixtures"))
    import gipfix_full

    pyproject = _write(tmp_path, "pyproject.toml",
                       '[tool.gipcheck]\nregion = "jiangsu"\n[tool.gipcheck.plugins]\n"gipfix.threshold" = 7\n')
    settings = load_config(pyproject)
    c = api.Checker(autoload=False, plugins=["gipfix_full"], config=settings.plugin_table, region="shanghai")
    seen = gipfix_full.CONFIGURED[-1]
    assert seen["gipfix.threshold"] == 7 and seen["region"] == "shanghai"
    assert c.config == seen
    # nothing in the file: the plugin's default
    api.Checker(autoload=False, plugins=["gipfix_full"])
    assert gipfix_full.CONFIGURED[-1]["gipfix.threshold"] == 3
    # the command line (region) wins over the same key in the user's mapping
    api.Checker(autoload=False, plugins=["gipfix_full"], config={"region": "jiangsu"}, region="shanghai")
    assert gipfix_full.CONFIGURED[-1]["region"] == "shanghai"


def test_enrich_document_gets_the_users_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from gipcheck.plugins import hookimpl

    got: list[Any] = []

    class Reader:
        @hookimpl
        def gipcheck_config_defaults(self) -> dict[str, Any]:
            return {"reader.mode": "lenient"}

        @hookimpl
        def gipcheck_enrich_document(self, loaded: Any, config: dict[str, Any]) -> None:
            got.append(config.get("reader.mode"))

    seed = sorted((SHARED / "seeds").glob("*.txt"))
    if not seed:
        pytest.skip("../shared/seeds is not beside the checkout")
    _write(tmp_path, "gipcheck.toml", '[plugins.reader]\nmode = "strict"\n')
    api.Checker(autoload=False, plugins=[Reader()], config=load_config(cwd=tmp_path).plugin_table).load(seed[0])
    api.Checker(autoload=False, plugins=[Reader()]).load(seed[0])
    assert got == ["strict", "lenient"]


@needs_shanghai
def test_config_show_says_where_each_plugin_value_came_from(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIPCHECK_DISABLE_PLUGIN_AUTOLOAD", "0")  # the installed plugins, as a user has them
    try:
        _write(tmp_path, "gipcheck.toml", "[plugins.shanghai]\nplace_by_order = false\n")
        text = api.show_config(config=str(tmp_path / "gipcheck.toml"))
        assert "shanghai.place_by_order = false  ← gipcheck.toml:plugins.shanghai.place_by_order" in text
        _write(tmp_path, "gipcheck.toml", '[plugins]\n"shanghai.place_by_ordr" = false\n')
        text = api.show_config(config=str(tmp_path / "gipcheck.toml"))
        assert "shanghai.place_by_order = true  ← 插件 shanghai 的默认值" in text
        assert "没有插件使用此项" in text and "是否应为 shanghai.place_by_order" in text
        _write(tmp_path, "gipcheck.toml", '[plugins.shanghai]\nplace_by_order = "no"\n')
        with pytest.raises(ConfigError) as err:
            api.show_config(config=str(tmp_path / "gipcheck.toml"))
        assert err.value.exit_code == 2 and "plugins.shanghai.place_by_order" in err.value.zh
    finally:
        _forget_checkers()


@needs_corpus
@needs_shanghai
def test_check_paths_applies_the_users_plugin_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The `gipcheck check` path: the configuration found from the working directory reaches the
    plugin that reads the report."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIPCHECK_DISABLE_PLUGIN_AUTOLOAD", "0")
    try:
        _write(tmp_path, "gipcheck.toml", "[plugins.shanghai]\nplace_by_order = false\n")
        run = api.check_paths([str(KEWEI)], jobs=1, progress=None)
        notes = {n["code"] if isinstance(n, dict) else n.code for r in run.reports for n in r.notes}
        assert "SH_T3_NOT_PLACED" in notes and "SH_T3_PLACED_BY_ORDER" not in notes
        _write(tmp_path, "gipcheck.toml", '[plugins.shanghai]\nplace_by_ordr = false\n')
        run = api.check_paths([str(KEWEI)], jobs=1, progress=None)
        assert "CONFIG_UNKNOWN_PLUGIN_KEY" in {p.code for p in run.problems}
    finally:
        _forget_checkers()


def test_plugins_table_must_be_a_table(tmp_path: Path) -> None:
    _write(tmp_path, "gipcheck.toml", 'plugins = "shanghai"\n')
    with pytest.raises(ConfigError) as err:
        load_config(cwd=tmp_path)
    assert err.value.code == "CONFIG_TYPE" and "plugins" in err.value.zh
