"""The fast paths of decoding and sniffing give the general path's answers: each is
compared with a plain reference (the general code) on the seeds, the corpus and damaged variants."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from gipcheck.errors import LoadError
from gipcheck.load import decode, registry
from gipcheck.load import text as text_loader

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
_BAD = re.compile("[\x00-\x08\x0b\x0e-\x1f\ue000-\uf8ff]")


def _texts() -> list[bytes]:
    files = sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "corpus").glob("*.txt"))
    if not files:
        pytest.skip("shared seeds/corpus not found beside the checkout")
    return [f.read_bytes() for f in files]


def _damaged(data: bytes, rng: random.Random) -> list[bytes]:
    """Variants that reach the slow paths: control bytes, private-use and full-width characters,
    a cut-off character, NULs, a different start."""
    out = []
    for ins in (b"\x01", b"\x0b" * 80, "\ue001".encode(), "\uf8ff".encode() * 60, "，".encode(), b"\x00",
                b"\xff", "\ufeff".encode()):
        for _ in range(3):
            i = rng.randrange(len(data) + 1)
            out.append(data[:i] + ins + data[i:])
    out.append(data[:4095] + data[4096:])  # a character cut at the probe's end
    out.append(data[: rng.randrange(1, len(data))])
    out.append(data * 4)
    return out


def _ref_plausible(text: str) -> bool:
    sample = text[:20000]
    return len(_BAD.findall(sample)) <= len(sample) // 100


def _ref_decode(data: bytes) -> tuple[str, str] | str:
    """decode_bytes' order with the plain regex count, or the LoadError code."""
    try:
        if data.startswith(b"\xef\xbb\xbf") or decode._utf16_kind(data[:4096]) is not None:
            return decode.decode_bytes(data)  # (paths with no fast path)
        if decode._looks_binary(data[:4096]):
            return "BINARY"
        try:
            text = data.decode("utf-8")
            return (text, "utf-8") if _ref_plausible(text) else "BINARY"
        except UnicodeDecodeError:
            pass
        return decode.decode_bytes(data)
    except LoadError as e:
        return e.code


def _ref_looks_binary(head: bytes) -> bool:
    sample = head[:4096]
    if sample.startswith(decode._BINARY_MAGIC):
        return True
    if decode._utf16_kind(sample) is not None or not sample:
        return False
    if b"\x00" in sample:
        return True
    return len(sample) - len(sample.translate(None, decode._CTRL_BYTES)) > len(sample) // 50


def _decode(data: bytes) -> tuple[str, str] | str:
    try:
        return decode.decode_bytes(data)
    except LoadError as e:
        return e.code


def test_decode_and_sniff_match_the_general_path() -> None:
    rng = random.Random(6)
    n = 0
    for data in _texts():
        for variant in [data, *_damaged(data, rng)]:
            want = _ref_decode(variant)
            assert _ref_looks_binary(variant) == decode._looks_binary(variant[:4096])
            assert _decode(variant) == want  # cold: no sniff before
            text_loader.sniff(variant[:8192], "x.txt")  # leaves its probe and control-free prefix
            assert _decode(variant) == want  # warm: reuses them
            if isinstance(want, tuple) and want[1] == "utf-8":
                assert decode.utf8_clean(variant) <= (not _BAD.search(want[0]))
            n += 1
    assert n > 50


def test_sniff_matches_the_general_path() -> None:
    rng = random.Random(7)
    for data in _texts():
        for variant in [data, *_damaged(data, rng)]:
            head = variant[:8192]
            probe = head[:4096]
            got = text_loader.sniff(head, "x.txt")
            if _ref_looks_binary(head):
                assert got == 0.0
                continue
            try:
                text, _ = decode.decode_bytes(text_loader._trim_partial(probe))
            except LoadError:
                assert got == 0.0
                continue
            if b"<" not in probe:
                assert got == (0.8 if "政府信息公开" in text or "年度报告" in text else 0.5)


def _heads() -> list[bytes]:
    rng = random.Random(8)
    parts = [b"Content-Type: Multipart/Related; boundary=x", b"multipart/RELATED", b"a/b", b"/", b"x" * 9 + b"/",
             b"<BODY>", b"<body", b"<", b"text ", "年度报告".encode(), b"multipart/relate", b"<bod"]
    heads = [b"".join(rng.choice(parts) for _ in range(rng.randrange(40))) for _ in range(3000)]
    return heads + [p[:8192] for p in _texts()]


def test_markup_probes_match_lowering() -> None:
    for head in _heads():
        assert registry._names_multipart(head) == (b"multipart/related" in head.lower())
        assert text_loader._names_body(head[:4096]) == (b"<body" in head[:4096].lower())
