"""Bad inputs end in a LoadError with a code and a one-line Chinese message — never a traceback —
and hostile input cannot make extraction hang."""

from __future__ import annotations

import builtins
import codecs
import os
from pathlib import Path
from typing import Any

import pytest

from gipcheck.errors import EXIT_INPUT, LoadError
from gipcheck.load import load_bytes, load_path

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"


def _seed_text() -> str:
    path = SEEDS / "000_be94cdfbcf579bbe.txt"
    if not path.is_file():
        pytest.skip("../shared/seeds is not beside the checkout")
    return path.read_text(encoding="utf-8")


def _raises(code: str | tuple[str, ...], fn: Any, *args: Any, **kw: Any) -> LoadError:
    with pytest.raises(LoadError) as err:
        fn(*args, **kw)
    codes = (code,) if isinstance(code, str) else code
    assert err.value.code in codes
    assert err.value.exit_code == EXIT_INPUT
    assert err.value.zh and "\n" not in err.value.zh and "\n" not in err.value.en
    return err.value


def _without_source(doc: dict[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in doc["meta"].items() if k != "source"}
    return {**doc, "meta": meta}


def test_empty_file(tmp_path: Path) -> None:
    f = tmp_path / "empty.txt"
    f.write_bytes(b"")
    _raises("EMPTY", load_path, f)
    f.write_bytes(b" \r\n\t\n")
    _raises("EMPTY", load_path, f)


def test_binary_garbage(tmp_path: Path) -> None:
    f = tmp_path / "garbage.txt"
    f.write_bytes(bytes(range(256)) * 64 + os.urandom(4096))
    _raises(("BINARY", "ENCODING"), load_path, f)
    _raises(("BINARY", "UNSUPPORTED"), load_bytes, b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "x.txt")


def test_huge_file_fails_from_stat_without_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "huge.txt"
    with open(f, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: no disk used
    real_open = builtins.open

    def guarded_open(file: Any, *a: Any, **kw: Any) -> Any:
        if str(file) == str(f):
            raise AssertionError("the 200 MB file must not be opened")
        return real_open(file, *a, **kw)

    monkeypatch.setattr(builtins, "open", guarded_open)
    err = _raises("TOO_LARGE", load_path, f)
    assert "MB" in err.zh
    monkeypatch.setattr(builtins, "open", real_open)
    # the limit is an option
    small = tmp_path / "small.txt"
    small.write_text(_seed_text(), encoding="utf-8")
    _raises("TOO_LARGE", load_path, small, options={"max_bytes": 1000})


def test_report_cut_off_inside_table_three(tmp_path: Path) -> None:
    text = _seed_text()
    cut = text.index("6.属于四类过程性信息")
    f = tmp_path / "cut.txt"
    f.write_text(text[:cut], encoding="utf-8")
    rep = load_path(f)
    assert rep.incomplete
    trunc = [n for n in rep.notes if n.code == "TRUNCATED"]
    assert trunc and trunc[0].level == "error" and "\n" not in trunc[0].zh
    req = rep.document["requests"]
    assert req["new"]["total"] == 59
    assert req["results"]["withheld"]["internal_affairs"]["total"] == 3
    assert "process_info" not in req["results"]["withheld"]  # absent, not invented
    assert "review" not in rep.document


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_other_encodings_read_like_utf8(tmp_path: Path, encoding: str) -> None:
    text = _seed_text()
    ref = load_bytes(text.encode("utf-8"), "seed.txt")
    data = text.encode(encoding)
    if encoding == "utf-16-le":
        assert not data.startswith(codecs.BOM_UTF16_LE)
    f = tmp_path / f"seed-{encoding}.txt"
    f.write_bytes(data)
    rep = load_path(f)
    assert _without_source(rep.document) == _without_source(ref.document)
    assert rep.document["meta"]["source"]["encoding"] in {
        "gbk": ("gbk",), "gb18030": ("gbk", "gb18030"), "utf-16": ("utf-16",), "utf-16-le": ("utf-16-le",),
        "utf-16-be": ("utf-16-be",), "utf-8-sig": ("utf-8-sig",),
    }[encoding]


def test_undecodable_bytes_are_not_garbled(tmp_path: Path) -> None:
    # valid UTF-8 prefix, then bytes that are neither UTF-8 nor GB18030
    data = "政府信息公开工作年度报告\n".encode() + b"\x81\x30\xff\xfe\x80" * 10
    f = tmp_path / "bad.txt"
    f.write_bytes(data)
    _raises(("ENCODING", "BINARY"), load_path, f)


def test_not_an_annual_report(tmp_path: Path) -> None:
    f = tmp_path / "notice.txt"
    f.write_text("关于召开2024年度安全生产工作会议的通知\n各单位：\n定于3月5日召开会议，请准时参加。\n一、会议时间\n二、参会人员\n",
                 encoding="utf-8")
    _raises("NOT_A_REPORT", load_path, f)
    f.write_text("def main():\n    return 42\n" * 50, encoding="utf-8")
    _raises("NOT_A_REPORT", load_path, f)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    _raises("IO", load_path, tmp_path / "nope.txt")
    _raises("IO", load_path, tmp_path)


def test_pathological_input_finishes() -> None:
    """Long single lines of digits, pipes and heading-like fragments: linear work, a result or a
    clean LoadError (this test has no timer; a hang would show as a stuck suite)."""
    nasty = (
        "政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"
        + "一、本年新收政府信息公开申请数量" + "1" * 200_000 + "\n"
        + "|" * 100_000 + "\n"
        + ("(三)不予公开1.属于国家秘密" * 5_000) + "\n"
        + ("其中" + "1,2," * 10_000) + "。\n"
        + ("一、" * 50_000) + "\n"
    )
    try:
        rep = load_bytes(nasty.encode("utf-8"), "nasty.txt")
    except LoadError as e:
        assert e.code in ("NOT_A_REPORT", "LIMIT")
    else:
        assert rep.document["requests"]["new"]["total"] is None
        assert any(n.pointer == "/requests/new" for n in rep.notes)
