"""The merged entry fast paths give the general path's answers: choose_loader's text-only shortcut
(the general loop over every registered sniffer is the oracle), the text sniffer's plain-UTF-8 probe
(its general branch with plain_utf8_probe off is the oracle), decode_bytes after that probe (decode_bytes
with the memo cleared is the oracle), and parse_text's shared empty table read staying empty."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from gipcheck.errors import LoadError
from gipcheck.load import decode, load_path, registry
from gipcheck.load import text as text_loader
from gipcheck.load.registry import LoaderSpec
from gipcheck.load.tables import TableRead

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _files() -> list[Path]:
    files = sorted((SHARED / "seeds").glob("*.txt")) + sorted(p for p in (SHARED / "corpus").glob("*") if p.is_file())
    if not files:
        pytest.skip("shared seeds/corpus not found beside the checkout")
    return files


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


def _general_choice(head: bytes, path: str) -> LoaderSpec | None:
    """choose_loader's general loop (every registered sniffer, ties by priority then extension)."""
    dot = path.rfind(".")
    ext = path[dot:].lower() if dot >= 0 else ""
    best: tuple[float, int, int] | None = None
    chosen = None
    for spec in registry._LOADERS.values():
        try:
            score = float(spec.sniff(head, path))
        except Exception:
            continue
        if score <= 0:
            continue
        key = (score, spec.priority, 1 if ext and ext in spec.extensions else 0)
        if best is None or key > best:
            best, chosen = key, spec
    return chosen


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
            got, want = registry.choose_loader(head, path), _general_choice(head, path)
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
