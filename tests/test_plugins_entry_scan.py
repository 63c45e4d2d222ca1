"""Plugin discovery without importlib.metadata: the scan of ``*.dist-info``/``*.egg-info`` finds
exactly what ``importlib.metadata.entry_points`` finds — same entry points, order, distribution
names and versions — and hands the odd cases (a zip archive on sys.path) back to it."""

from __future__ import annotations

import importlib.metadata as md
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from gipcheck.plugins.manager import _installed_entry_points, _scan_entry_points

SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seeds" / "000_be94cdfbcf579bbe.txt"


def _rows(eps: list) -> list[tuple]:  # type: ignore[type-arg]
    return [(e.name, e.value, e.group, e.dist.metadata["Name"], e.dist.version) for e in eps]


def _md(group: str) -> list[tuple]:  # type: ignore[type-arg]
    return _rows(list(md.entry_points(group=group)))


@pytest.mark.parametrize("group", ["gipcheck", "console_scripts", "pytest11"])
def test_the_installed_environment_is_read_alike(group: str) -> None:
    scanned = _scan_entry_points(group)
    assert scanned is not None
    assert _rows(scanned) == _md(group)


def _dist(where: Path, dirname: str, header: str, entry_points: str, header_file: str = "METADATA") -> None:
    d = where / dirname
    d.mkdir(parents=True)
    (d / header_file).write_text(header, encoding="utf-8")
    if entry_points:
        (d / "entry_points.txt").write_text(entry_points, encoding="utf-8")


def test_constructed_sites_are_read_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    # the same distribution in two places: the first on sys.path wins, as in importlib.metadata
    _dist(first, "gip_one-1.0.dist-info", "Metadata-Version: 2.1\nName: gip-one\nVersion: 1.0\n\nName: not me\n",
          "# a comment\n; another\n\n[gipcheck]\none = gip_one.plugin:hooks.inner [extra]\n"
          "  spaced   =   gip_one.other  \n[console_scripts]\ngip-one = gip_one:main\n")
    _dist(second, "Gip.One-2.0.dist-info", "Name: gip-one\nVersion: 2.0\n", "[gipcheck]\none = shadowed:x\n")
    _dist(second, "gip_two.egg-info", "Metadata-Version: 1.0\nName: gip-two\nVersion: 0.3\n",
          "[gipcheck]\ntwo = gip_two\n", header_file="PKG-INFO")
    _dist(second, "gip_three-0.1.dist-info", "Name: gip-three\nVersion: 0.1\n", "")  # no entry points
    (second / "gip_four.egg-info").write_text("Name: gip-four\n", encoding="utf-8")  # an egg-info file
    monkeypatch.setattr(sys, "path", [str(first), str(tmp_path / "missing"), str(second)])
    for group in ("gipcheck", "console_scripts"):
        scanned = _scan_entry_points(group)
        assert scanned is not None
        assert _rows(scanned) == _md(group)
    assert [(e.name, e.value, e.dist.version) for e in _scan_entry_points("gipcheck") or []] == [
        ("one", "gip_one.plugin:hooks.inner [extra]", "1.0"), ("spaced", "gip_one.other", "1.0"),
        ("two", "gip_two", "0.3")]


def test_entry_points_load_like_importlib_metadata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = tmp_path / "gip_loadme"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("class Hooks:\n    class Inner:\n        pass\n", encoding="utf-8")
    _dist(tmp_path, "gip_loadme-1.0.dist-info", "Name: gip-loadme\nVersion: 1.0\n",
          "[gipcheck]\nnested = gip_loadme:Hooks.Inner\nmodule = gip_loadme\nbad = not a value\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    scanned = {e.name: e for e in _scan_entry_points("gipcheck") or []}
    official = {e.name: e for e in md.entry_points(group="gipcheck")}
    assert scanned["nested"].load() is official["nested"].load()
    assert scanned["module"].load() is official["module"].load()
    with pytest.raises(ValueError):
        scanned["bad"].load()   # a broken value fails on load, where the manager reports it


def test_a_zip_archive_on_the_path_is_left_to_importlib_metadata(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "site.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("gip_zipped-1.0.dist-info/METADATA", "Name: gip-zipped\nVersion: 1.0\n")
        z.writestr("gip_zipped-1.0.dist-info/entry_points.txt", "[gipcheck]\nzipped = gip_zipped\n")
    monkeypatch.setattr(sys, "path", [str(archive), *sys.path])
    assert _scan_entry_points("gipcheck") is None
    assert "zipped" in [e.name for e in _installed_entry_points()]


@pytest.mark.skipif(not SEED.is_file(), reason="../shared (seeds) is not beside the checkout")
def test_a_check_run_does_not_import_importlib_metadata(tmp_path: Path) -> None:
    code = ("import json, sys\n"
            "from gipcheck.cli import main\n"
            "code = main(sys.argv[1:])\n"
            "print('MD:' + json.dumps(['importlib.metadata' in sys.modules, sorted(sys.modules)]), file=sys.stderr)\n")
    env = {**os.environ, "GIPCHECK_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("GIPCHECK_DISABLE_PLUGIN_AUTOLOAD", None)
    p = subprocess.run([sys.executable, "-c", code, "check", str(SEED), "--format", "json"], capture_output=True,
                       text=True, env=env, timeout=180)
    imported, modules = json.loads(p.stderr.rsplit("MD:", 1)[1])
    assert imported is False
    # and installed plugins were still found through their entry points
    expected = {e.value.split(":")[0].split(".")[0] for e in md.entry_points(group="gipcheck")}
    assert expected <= set(modules)
