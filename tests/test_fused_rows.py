"""The fused table path's line memo: a line read once is read the same way from the memo, with
empty memos, full memos and by the general path alike."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from gipcheck.errors import LoadError
from gipcheck.load import tables
from gipcheck.load import text as text_loader
from gipcheck.load.text import parse_text

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = sorted((SHARED / "seeds").glob("*.txt"))
CORPUS = sorted((SHARED / "corpus").glob("*.txt"))
SOURCE = {"path": "x.txt", "media_type": "text/plain", "encoding": "utf-8", "sha256": "0", "loader": "text"}

needs_shared = pytest.mark.skipif(not SEEDS, reason="seeds not found beside the checkout (../shared/seeds)")


def _read(text: str, fused: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Document, locations (in the mapping's order) and notes, or the load error."""
    monkeypatch.setattr(text_loader, "FUSED", fused)
    try:
        r = parse_text(text, source=SOURCE)
    except LoadError as e:
        return ("ERR", e.code, str(e))
    return (r.document, [(k, v.to_json()) for k, v in r.locations.items()], [n.to_json() for n in r.notes])


def _clear_memos() -> None:
    for memo in (tables._PLAIN_LINES, tables._VALUE_TAILS):
        memo.clear()


def _edited(text: str, seed: str) -> list[str]:
    """The text with rows of zeros repeated and edited (the line memo's hits and misses)."""
    rnd = random.Random(seed)
    lines = text.split("\n")
    zero_rows = [i for i, ln in enumerate(lines) if ln.count("| 0 ") >= 3]
    out = [text]
    if zero_rows:
        ls = list(lines)
        i = rnd.choice(zero_rows)
        ls.insert(i, ls[i])  # a row of zeros twice: the second is a memo hit (a duplicate row)
        out.append("\n".join(ls))
        ls = list(lines)
        for i in zero_rows[::2]:
            ls[i] = ls[i].replace("| 0 ", "|  ", 1)  # a blank among the zeros: another tail
        out.append("\n".join(ls))
        ls = list(lines)
        for i in zero_rows[1::3]:
            ls[i] = ls[i].replace("| 0 ", "| 0.5 ", 1)  # a decimal: never memoised
        out.append("\n".join(ls))
    out.append(text.replace(" | 0 | 0 |", " |0|0|"))  # other padding, same values
    return out


@needs_shared
@pytest.mark.parametrize("path", SEEDS + CORPUS, ids=lambda p: p.name)
def test_memo_hits_read_as_first_reading(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cold memos, warm memos and the general path (the oracle) agree, locations' order included
    between the two fused readings."""
    for k, variant in enumerate(_edited(path.read_text(encoding="utf-8"), path.name)):
        _clear_memos()
        cold = _read(variant, True, monkeypatch)
        warm = _read(variant, True, monkeypatch)
        assert cold == warm, f"{path.name}#{k}"
        general = _read(variant, False, monkeypatch)
        if cold[0] == "ERR":
            assert general == cold
            continue
        assert cold[0] == general[0] and cold[2] == general[2], f"{path.name}#{k}"
        assert dict(cold[1]) == dict(general[1]), f"{path.name}#{k}"


@needs_shared
def test_memo_shared_lines_stay_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading a report does not change what the memo hands the next report (lists are shared)."""
    _clear_memos()
    text = SEEDS[0].read_text(encoding="utf-8")
    first = _read(text, True, monkeypatch)
    snapshot = {k: repr(v) for k, v in tables._PLAIN_LINES.items()}
    assert any(v != "None" for v in snapshot.values())
    for path in SEEDS:
        _read(path.read_text(encoding="utf-8"), True, monkeypatch)
    assert all(repr(tables._PLAIN_LINES[k]) == v for k, v in snapshot.items())
    assert _read(text, True, monkeypatch) == first
