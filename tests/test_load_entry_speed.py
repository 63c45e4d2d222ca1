"""The entry fast paths (path spelling, file reading, markup probes, the control-byte memo) give
the general path's answers on the seeds, the corpus and damaged variants; the general path
(pathlib, Path.stat, open().read(), the regular expressions, the full count) is the oracle.

So do the merged ones: choose_loader's text-only shortcut (the general loop over every registered
sniffer is the oracle), the text sniffer's plain-UTF-8 probe (its general branch with
plain_utf8_probe off is the oracle), decode_bytes after that probe (decode_bytes with the memo
cleared is the oracle), and parse_text's shared empty table read staying empty."""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from gipcheck.errors import LoadError
from gipcheck.load import _path_name, _read, decode, load_bytes, load_path, registry
from gipcheck.load import text as text_loader
from gipcheck.load.base import LoadedReport
from gipcheck.load.tables import TableRead

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


# ---------------------------------------------------------------- round 2: the merged entry fast paths

def _variants() -> list[bytes]:
    """Real heads, their cuts (inside multi-byte characters too), and damaged or disguised versions."""
    rng = random.Random(11)
    out: list[bytes] = []
    for p in _files():
        data = p.read_bytes()
        out += [data, data[:4095], data[:4097], data[:300], data[:5]]
        for cut in (4096, 4097, 4098, 4099, 8191, 8192, 8193):
            out.append(data[:cut])
        out += [b"\xef\xbb\xbf" + data, data[:100] + b"\x00" + data[100:], data[:200] + b"\x01" + data[200:],
                data[:50] + b"\x01" * 200 + data[50:], "\ue000".encode() + data, "，".encode() + data,
                data[:1000] + b"%PDF-1.4" + data[1000:], b"<html><body>" + data, data[:3000] + b"<body>" + data[3000:],
                b"PK\x03\x04" + data, b"{\\rtf1" + data, b"\xff\xfe" + data, b"\xfe\xff" + data, b"MZ" + data,
                data[:64] + b"multipart/related" + data[64:], data[:700] + b"< a" + data[700:],
                "政府信息公开工作年度报告".encode("utf-16-le") + data, data.decode("utf-8", "ignore").encode("gb18030"),
                data[:2000] + b"\xff\xfe\x80" + data[2000:]]
        for _ in range(10):  # a random byte somewhere in the probe
            i = rng.randrange(min(len(data), 4200))
            out.append(data[:i] + bytes([rng.randrange(256)]) + data[i + 1:])
    return [v for v in out if v]


@pytest.fixture
def fresh_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """The built-ins alone, registered anew (other tests may have added plugin loaders)."""
    monkeypatch.setattr(registry, "_LOADERS", {})
    monkeypatch.setattr(registry, "_SKIPPED", {})
    monkeypatch.setattr(registry, "_BUILTINS_DONE", False)
    monkeypatch.setattr(registry, "_TEXT_ONLY", None)


@pytest.mark.usefixtures("fresh_registry")
def test_choose_loader_shortcut_matches_general_loop() -> None:
    registry._ensure_builtins()
    assert registry._TEXT_ONLY is not None and registry._TEXT_ONLY.name == "text"
    for data in _variants():
        head = data[:8192]
        for path in ("r.txt", "r.html", "r.docx", "r.pdf", "r"):
            got, want = registry.choose_loader(head, path), registry._most_confident(head, path)
            assert got is want, (head[:40], path)


@pytest.mark.usefixtures("fresh_registry")
def test_registering_a_loader_ends_the_shortcut() -> None:
    registry._ensure_builtins()
    head = (SHARED / "seeds").glob("*.txt").__next__().read_bytes()[:8192] if (SHARED / "seeds").is_dir() else b""
    if not head:
        pytest.skip("shared seeds not found beside the checkout")
    assert registry.choose_loader(head, "a.txt").name == "text"
    registry.register_loader("eager", lambda h, p: 0.99, lambda d, p, o: None)  # type: ignore[arg-type,return-value]
    assert registry._TEXT_ONLY is None
    assert registry.choose_loader(head, "a.txt").name == "eager"
    registry.unregister_loader("eager")
    assert registry.choose_loader(head, "a.txt").name == "text"


def _outcome(fn: object, *args: object) -> object:
    try:
        return fn(*args)  # type: ignore[operator]
    except LoadError as e:
        return e.code, str(e), repr(e.args)


def test_text_sniff_plain_probe_matches_general_branch(monkeypatch: pytest.MonkeyPatch) -> None:
    heads = [d[:8192] for d in _variants()]
    fast = [text_loader.sniff(h, "r.txt") for h in heads]
    monkeypatch.setattr(text_loader, "plain_utf8_probe", lambda probe, cut: None)
    slow = [text_loader.sniff(h, "r.txt") for h in heads]
    assert fast == slow
    assert any(s > 0 for s in slow) and any(s == 0 for s in slow) and 0.05 in slow


def test_decode_after_plain_probe_matches_decode_alone() -> None:
    hits = 0
    for data in _variants():
        text_loader.sniff(data[:8192], "r.txt")  # leaves the probe memo, as choose_loader does
        hits += decode._PLAIN_PROBE == data[:4096]
        got = _outcome(decode.decode_bytes, data)
        decode._PLAIN_PROBE = None
        decode._LAST_PREFIX = (b"", "")
        decode._NO_CTRL_SEEN = b""
        assert got == _outcome(decode.decode_bytes, data), data[:40]
    assert hits > 10  # the memo path was taken


def test_plain_probe_claims_hold() -> None:
    """What plain_utf8_probe vouches for is what looks_binary and _utf16_kind answer."""
    for data in _variants():
        probe = data[:4096]
        cut = text_loader._utf8_cut(probe)
        if cut < 3 or decode.plain_utf8_probe(probe, cut) is None:
            continue
        for part in (probe, probe[:cut]):
            assert decode._looks_binary(part) is False and decode._utf16_kind(part) is None
        assert not probe.startswith(b"\xef\xbb\xbf")


def test_shared_empty_read_stays_empty() -> None:
    for p in _files():
        try:
            load_path(str(p))
        except LoadError:
            pass
    assert text_loader._NO_READ == TableRead()
