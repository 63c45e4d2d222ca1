"""The entry fast paths (path spelling, file reading, markup probes, the control-byte memo) give
the general path's answers on the seeds, the corpus and damaged variants; the general path
(pathlib, Path.stat, open().read(), the regular expressions, the full count) is the oracle."""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from gipcheck.errors import LoadError
from gipcheck.load import _path_name, _read, decode, load_bytes, load_path, registry
from gipcheck.load.base import LoadedReport

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _files() -> list[Path]:
    files = sorted((SHARED / "seeds").glob("*.txt")) + sorted(p for p in (SHARED / "corpus").glob("*") if p.is_file())
    if not files:
        pytest.skip("shared seeds/corpus not found beside the checkout")
    return files


def test_path_name_is_pathlib_spelling() -> None:
    names = ["a.txt", "dir/a.txt", "/abs/a.txt", "a//b.txt", "./a.txt", "a/./b", "a/../b", "a/", "//a", "///a",
             ".hidden", "a/.hidden", "..", ".", "a\nb", "a\x00b", "年报/2024年.txt", "a b/c"]
    for name in names:
        assert _path_name(name) == str(Path(name)), name
        assert _path_name(Path(name)) == str(Path(name)), name
    for p in _files():
        assert _path_name(str(p)) == str(Path(str(p)))


def test_read_matches_open_read(tmp_path: Path) -> None:
    for p in _files():
        data = p.read_bytes()
        size = len(data)
        assert _read(str(p), size, 20 * 1024 * 1024) == data
        # a file that grew or shrank since stat: read to its end, bounded by the limit
        assert _read(str(p), size - 10, 20 * 1024 * 1024) == data
        assert _read(str(p), size + 10, 20 * 1024 * 1024) == data
        assert _read(str(p), size - 10, size - 5) == data[:size - 4]
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (3 << 20))
    assert _read(str(big), 10, 5 << 20) == b"x" * (3 << 20)


def _error(fn: Callable[..., object], *args: object) -> tuple[str, str, str] | None:
    try:
        fn(*args)
    except LoadError as e:
        return e.code, str(e), repr(e.args)
    return None


def _old_load_path(path: str) -> LoadedReport:
    """load_path with its two fast paths as they were before: the name spelt by a pathlib object,
    and the file read through open() (the stat, the checks and the messages around them are shared)."""
    import gipcheck.load as L

    def old_read(name: str, size: int, limit: int) -> bytes:
        with open(name, "rb") as fh:
            data = fh.read(size + 1)
            if len(data) > size:
                data += fh.read(limit + 1 - len(data))
        return data

    saved = L._path_name, L._read
    L._path_name, L._read = (lambda p: str(Path(p))), old_read
    try:
        return L.load_path(path)
    finally:
        L._path_name, L._read = saved


def test_load_path_errors_as_the_general_path(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02" * 400)
    (tmp_path / "gbk.txt").write_bytes("政府信息公开工作年度报告 一、总体情况".encode("gbk") + b"\xff\xfe\x80")
    (tmp_path / "u16.txt").write_bytes("政府信息公开工作年度报告".encode("utf-16"))
    (tmp_path / "cut.txt").write_bytes("政府信息公开工作年度报告".encode()[:-1])
    (tmp_path / "d").mkdir()
    os.mkfifo(tmp_path / "pipe")
    cases = ["empty.txt", "bin.txt", "gbk.txt", "u16.txt", "cut.txt", "d", "d/", "pipe", "missing.txt", "a\x00b",
             "empty.txt/", "a\nb.txt", "d//../bin.txt", "./bin.txt"]
    for name in cases:
        path = str(tmp_path) + "/" + name
        got, want = _error(load_path, path), _error(_old_load_path, path)
        assert got is not None and got == want, name
    (tmp_path / "huge.txt").write_bytes(b"a" * 2048)
    with pytest.raises(LoadError) as e:
        load_path(tmp_path / "huge.txt", options={"max_bytes": 1024})
    assert e.value.code == "TOO_LARGE"


def test_load_path_reads_every_corpus_file_as_load_bytes() -> None:
    for p in _files():
        want = _error(_old_load_path, str(p))
        got = _error(load_path, str(p))
        assert got == want, p.name
        if want is None:
            a, b = load_path(str(p)), load_bytes(p.read_bytes(), str(p))
            assert a.document == b.document and a.text == b.text
            assert [n.to_json() for n in a.notes] == [n.to_json() for n in b.notes]
            assert {k: v.to_json() for k, v in a.locations.items()} == {k: v.to_json() for k, v in b.locations.items()}


def _heads() -> list[bytes]:
    rng = random.Random(9)
    parts = [b"<", b"< ", b"<\t", b"<\n\x0bA", b"<a", b"<!", b"<?", b"<1", "<中".encode(), b"x", b" ", b"</", b"<<",
             b"multipart/related", b"MULTIPART/Related", b"/r", b"/R", b"multipart/relate"]
    heads = [b"".join(rng.choice(parts) for _ in range(rng.randrange(30))) for _ in range(3000)]
    return heads + [p.read_bytes()[:8192] for p in _files()]


def test_markup_probes_match_the_patterns() -> None:
    for head in _heads():
        assert registry._has_tag_start(head) == (registry._TAG_START.search(head) is not None), head
        assert registry._names_multipart(head) == (b"multipart/related" in head.lower()), head


def test_no_control_memo_of_a_prefix() -> None:
    """A prefix of a control-free probe is answered from the memo, as the full count answers it."""
    rng = random.Random(10)
    for p in _files():
        data = p.read_bytes()[:8192]
        probe = data[:4096]
        for cut in (len(probe), len(probe) - 1, len(probe) - 3, 300, 10):
            for variant in (probe, probe[:cut] + b"\x01" + probe[cut:]):
                decode._NO_CTRL_SEEN = b""
                want = decode._no_control(variant[:cut])
                decode._no_control(variant)
                assert decode._no_control(variant[:cut]) == want
                i = rng.randrange(len(variant) + 1)
                assert decode._no_control(variant[:i]) == (len(variant[:i].translate(None, decode._CTRL_BYTES))
                                                            == len(variant[:i]))
