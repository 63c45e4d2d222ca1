"""Turn raw bytes into text: UTF-8 (with or without BOM), UTF-16 (BOM or NUL pattern), GB18030/GBK.

Nothing is ever decoded with replacement characters: bytes that no supported encoding reads
cleanly raise :class:`~gipcheck.errors.LoadError` (``ENCODING`` or ``BINARY``) instead of
producing silently garbled text.
"""

from __future__ import annotations

import codecs
import re

from gipcheck.errors import LoadError

# Magic numbers of formats that are certainly not plain text.
_BINARY_MAGIC: tuple[bytes, ...] = (
    b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x7fELF",
    b"MZ", b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"Rar!", b"7z\xbc\xaf",
)

# Control characters other than tab, newline, carriage return, form feed and ESC-free text.
_CONTROL = frozenset(range(0, 32)) - {9, 10, 12, 13}


_CTRL_BYTES = bytes(sorted(_CONTROL))


# the last probe found free of control bytes (257–8192 bytes): a sniffer asks of a file's first
# 4096 bytes, then decode_bytes of the whole file, which begins with them
_NO_CTRL_SEEN = b""


def _no_control(data: bytes) -> bool:
    """No byte of ``_CONTROL`` in ``data``: one memchr per byte value (an int operand skips the
    buffer protocol) costs far less than counting them through bytes.translate."""
    global _NO_CTRL_SEEN
    seen = _NO_CTRL_SEEN
    rest = data
    if seen:
        if seen.startswith(data):
            return True  # (a prefix of control-free bytes is control-free: a sniffer's probe cut at a character)
        if data.startswith(seen):
            rest = data[len(seen):]
    for c in _CTRL_BYTES:  # (iterating bytes gives ints)
        if c in rest:
            return False
    if 256 < len(data) <= 8192:  # (a sniffer's probe: not a whole file, which would stay in memory)
        _NO_CTRL_SEEN = data
    return True


def utf8_clean(data: bytes) -> bool:
    """True when the UTF-8 text of ``data`` certainly has no character that :func:`_plausible`
    counts: a control character is its own byte in UTF-8 and a private-use one (U+E000–U+F8FF)
    begins with EE or EF. False means "count them" (EF also begins full-width forms)."""
    return 0xEE not in data and 0xEF not in data and _no_control(data)


# the last UTF-8 prefix a sniffer decoded (whole characters) and its text: decode_bytes decodes
# only what follows it (UTF-8 decodes a concatenation split between characters part by part)
_LAST_PREFIX: tuple[bytes, str] = (b"", "")


def decode_utf8_prefix(prefix: bytes) -> str:
    """``prefix.decode("utf-8")`` (raising as it does), remembered for :func:`decode_bytes`."""
    global _LAST_PREFIX
    text = prefix.decode("utf-8")
    _LAST_PREFIX = (prefix, text)
    return text


# the last probe (a file's first 4096 bytes) that plain_utf8_probe passed: decode_bytes of a file
# beginning with it knows its BOM, UTF-16 and binary answers (none, None, False) without asking
_PLAIN_PROBE: bytes | None = None
# a probe starting so is not plain: a UTF-8 or UTF-16 BOM (UTF-32's begins with UTF-16's), or a binary format
_NOT_PLAIN: tuple[bytes, ...] = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) + _BINARY_MAGIC


def plain_utf8_probe(probe: bytes, cut: int) -> str | None:
    """The text of ``probe[:cut]`` (whole UTF-8 characters) when ``probe``, a file's first 4096 bytes,
    has no BOM, no NUL, no control byte and no binary magic — so ``_utf16_kind`` is None and
    ``looks_binary`` False for it and every prefix —, else None (the general path decides)."""
    global _PLAIN_PROBE
    if probe.startswith(_NOT_PLAIN) or not _no_control(probe):  # (NUL is a control byte)
        return None
    try:
        text = decode_utf8_prefix(probe[:cut] if cut < len(probe) else probe)
    except UnicodeDecodeError:
        return None
    _PLAIN_PROBE = probe
    return text


def _decode_utf8(data: bytes) -> str:
    done, text = _LAST_PREFIX
    if len(done) > 256 and data.startswith(done):
        return text + data[len(done):].decode("utf-8")
    return data.decode("utf-8")


_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\ue000-\uf8ff]")


# the last two looks_binary questions and their answers: a loader's sniffer and then decode_bytes
# ask it of the same first bytes of a file (equal bytes compare in C for far less than the count)
_LAST_BINARY: list[tuple[bytes, bool]] = [(b"", False), (b"", False)]


def looks_binary(head: bytes) -> bool:
    """True when the first bytes are a known binary format or full of control bytes."""
    sample = head[:4096]  # (nothing after the first 4096 bytes changes the answer)
    if len(sample) > 64:
        for seen, found in _LAST_BINARY:
            if sample == seen:
                return found
    found = _looks_binary(sample)
    _LAST_BINARY[:] = [_LAST_BINARY[1], (sample, found)]
    return found


def _looks_binary(head: bytes) -> bool:
    if head.startswith(_BINARY_MAGIC):
        return True
    if _utf16_kind(head) is not None:
        return False
    sample = head[:4096]
    if not sample:
        return False
    if 0 in sample:  # (an int operand: a bytes one first raises and clears a TypeError in C)
        return True
    if _no_control(sample):
        return False  # no control byte: the count below is 0
    # bytes.translate deletes the control bytes in C; the length difference counts them
    ctrl = len(sample) - len(sample.translate(None, _CTRL_BYTES))
    return ctrl > len(sample) // 50


def _utf16_kind(head: bytes) -> str | None:
    """``utf-16`` (BOM), ``utf-16-le``/``utf-16-be`` (NUL pattern) or None."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not head.startswith(codecs.BOM_UTF32_LE):
        return "utf-16"
    sample = head[:4096]
    n = len(sample) - (len(sample) % 2)
    if n < 4 or 0 not in sample:  # (int operand, as in _looks_binary)
        return None
    even = sample[0:n:2].count(0)
    odd = sample[1:n:2].count(0)
    pairs = n // 2
    # CJK code units such as U+4E00 (一) also hold a NUL byte, so the other half is not NUL-free
    if odd >= max(2, pairs // 20) and even <= odd // 8:
        return "utf-16-le"
    if even >= max(2, pairs // 20) and odd <= even // 8:
        return "utf-16-be"
    # text of CJK and full-width characters has few NUL bytes (line ends, U+3000): read it both
    # ways and keep the one that is almost all Chinese, full-width or plain text
    for kind in ("utf-16-le", "utf-16-be"):
        try:
            text = sample[:n].decode(kind)
        except UnicodeDecodeError:
            continue
        if text and sum(map(_textual, text)) >= 0.95 * len(text):
            return kind
    return None


def _textual(ch: str) -> bool:
    return ("\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"
            or " " <= ch <= "~" or ch in "\n\r\t")


def _plausible(text: str) -> bool:
    """Decoded text must be mostly printable: no control characters, no private-use area (the
    mark of a wrong GB18030 guess) beyond 1%."""
    if not text:
        return True
    sample = text[:20000]
    return _bad_count(sample) <= len(sample) // 100


_PUA_HIGH = bytes(range(0xE0, 0xF9))  # the high byte of a UTF-16 code unit in U+E000–U+F8FF


# the last text counted and its count: a text loader's sniffer counts its probe, then decode_bytes
# the whole text, which begins with that probe (a count is a sum over the characters)
_LAST_COUNT: tuple[str, int] = ("", 0)


def _bad_count(sample: str) -> int:
    """``len(_BAD_CHARS.findall(sample))``."""
    global _LAST_COUNT
    done, bad = _LAST_COUNT
    if len(done) > 256 and sample.startswith(done):
        bad += _count_bad(sample[len(done):])
    else:
        bad = _count_bad(sample)
    _LAST_COUNT = (sample, bad)
    return bad


def _count_bad(sample: str) -> int:
    """``len(_BAD_CHARS.findall(sample))`` by C-speed bytes operations (the regex tests every
    character against its class): the control characters are among the Latin-1 ones, and a
    private-use character is a UTF-16 code unit whose high byte is E0–F8 (surrogates are D8–DF)."""
    low = sample.encode("latin-1", "ignore")
    high = sample.encode("utf-16-le", "surrogatepass")[1::2]
    return (len(low) - len(low.translate(None, _CTRL_BYTES))
            + len(high) - len(high.translate(None, _PUA_HIGH)))


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding)``.

    Order: BOMs (UTF-8, UTF-16), UTF-16 without BOM by its NUL pattern, strict UTF-8, strict
    GB18030 (a superset of GBK and GB2312). Raises ``LoadError`` (``BINARY`` or ``ENCODING``) when
    none of them reads the bytes cleanly.
    """
    probe = data[:4096]
    if probe == _PLAIN_PROBE:  # (no BOM, not UTF-16, not binary: see plain_utf8_probe)
        return _decode_plain(data)
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as e:
            raise _encoding_error(f"UTF-8 BOM but invalid byte at {e.start}") from None
    kind = _utf16_kind(probe)
    if kind is not None:
        try:
            text = data.decode(kind)
        except UnicodeDecodeError as e:
            raise _encoding_error(f"{kind} but invalid data at byte {e.start}") from None
        if text.startswith("\ufeff"):
            text = text[1:]
        if not _plausible(text):
            raise _binary_error()
        return text, kind
    if looks_binary(probe):
        raise _binary_error()
    return _decode_plain(data)


def _decode_plain(data: bytes) -> tuple[str, str]:
    """decode_bytes of bytes with no BOM, not UTF-16 and not binary: strict UTF-8, else GB18030."""
    try:
        text = _decode_utf8(data)
        if utf8_clean(data) or _plausible(text):  # (clean bytes: _plausible counts 0)
            return text, "utf-8"
        raise _binary_error()
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as e:
        raise _encoding_error(f"neither UTF-8 nor GB18030 (invalid byte at {e.start})") from None
    if not _plausible(text):
        raise _encoding_error("decodes as GB18030 only into implausible characters")
    # Plain GBK text is reported as gbk so that the user recognises it.
    try:
        data.decode("gbk")
        return text, "gbk"
    except UnicodeDecodeError:
        return text, "gb18030"


def _binary_error() -> LoadError:
    return LoadError("BINARY", "文件是二进制数据，不是文本年报", "the file is binary data, not a text report")


def _encoding_error(detail: str) -> LoadError:
    return LoadError(
        "ENCODING",
        "无法识别文件编码（支持 UTF-8、GB18030/GBK、UTF-16），为避免乱码不予读取",
        f"cannot determine the text encoding (UTF-8, GB18030/GBK, UTF-16 supported): {detail}",
    )
