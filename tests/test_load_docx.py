"""The Word loader: the official template filled with each seed reads back exactly; the blank
template gives nulls (not zeros, not a crash); zip bombs, hostile XML and old .doc files end
in clear messages."""

from __future__ import annotations

import io
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the format-rendering helpers in tests/formats

from formats.compare import table_differences  # noqa: E402
from formats.render import Seed, fill_template, get, seeds  # noqa: E402

from gipcheck.document.canon import REQUEST_COLUMNS, REQUEST_ROWS_2021, REVIEW_BLOCKS, REVIEW_COLUMNS  # noqa: E402
from gipcheck.errors import LoadError  # noqa: E402
from gipcheck.load import docx as docx_loader  # noqa: E402
from gipcheck.load import load_bytes, load_path  # noqa: E402
from gipcheck.load.docx import linearise_docx, sniff  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TEMPLATE = SHARED / "corpus" / "template_2021_blank.docx"
SEEDS = seeds(SHARED) if (SHARED / "seeds").is_dir() else []
needs_shared = pytest.mark.skipif(not SEEDS or not TEMPLATE.is_file(),
                                  reason="../shared (seeds, template) is not beside the checkout")


@needs_shared
@pytest.mark.parametrize("seed", SEEDS, ids=lambda s: s.name)
def test_filled_template_reads_back_exactly(seed: Seed) -> None:
    data = fill_template(TEMPLATE.read_bytes(), seed)
    report = load_bytes(data, "report")  # no extension: chosen by content
    assert report.document["meta"]["source"]["loader"] == "docx"
    assert table_differences(seed.expected, report.document) == []


@needs_shared
def test_locations_name_table_row_and_cell() -> None:
    seed = SEEDS[0]
    report = load_bytes(fill_template(TEMPLATE.read_bytes(), seed), "a.docx")
    loc = report.locations["/requests/results/total/total"]
    # (七)总计 is row 27 of the template's second table; 总计 is its last (9th) cell
    assert loc.where == "表格2 第27行 第9格"
    assert loc.text == str(seed.expected["requests"]["results"]["total"]["total"])
    assert report.locations["/active/fees/amount"].where == "表格1 第14行 第2格"


@needs_shared
def test_blank_template_gives_nulls_not_zeros() -> None:
    report = load_path(TEMPLATE)
    doc = report.document
    for spec_path, fields in (("active.regulations", ("issued", "repealed", "in_force")),
                              ("active.normative_documents", ("issued", "repealed", "in_force")),
                              ("active.licensing", ("decisions",)), ("active.punishment", ("decisions",)),
                              ("active.coercion", ("decisions",)), ("active.fees", ("amount",))):
        for f in fields:
            assert get(doc, f"{spec_path}.{f}") is None, (spec_path, f)
    for spec in REQUEST_ROWS_2021:
        for col in REQUEST_COLUMNS:
            assert get(doc, f"{spec.path}.{col}") is None, (spec.path, col)
    # table 四 is blank too: all 15 cells are present and null, never 0 and never left out
    for block in REVIEW_BLOCKS:
        assert list(doc["review"][block]) == list(REVIEW_COLUMNS), block
        for col in REVIEW_COLUMNS:
            assert doc["review"][block][col] is None


@needs_shared
def test_blank_template_gets_findings_about_blanks_not_a_crash() -> None:
    from gipcheck import api

    result = api.check(TEMPLATE)
    fired = {f.rule for f in result.findings}
    assert {"T2-EMPTY", "T3-EMPTY", "T4-EMPTY", "M-YEAR"} <= fired
    # arithmetic over blanks is never passed or failed: it is not evaluated, naming the cells
    not_evaluated = {n.rule: n for n in result.not_evaluated}
    assert "T3-COL-BALANCE" in not_evaluated and "T4-REVIEW-SUM" in not_evaluated
    assert "/review/reconsideration/total" in not_evaluated["T4-REVIEW-SUM"].missing
    assert not {"T3-COL-BALANCE", "T4-REVIEW-SUM", "T3-ROW-TOTAL"} & fired


@needs_shared
def test_blank_template_linear_text_keeps_every_blank_cell() -> None:
    lines = linearise_docx(TEMPLATE.read_bytes()).text().splitlines()
    row = next(x for x in lines if x.startswith("（七）总计"))
    assert row == "（七）总计 |" + "  |" * 7
    # merged header: the spanned labels appear once, the value row of table 四 has 15 blanks
    assert "结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 | 未经复议直接起诉 | 复议后起诉 |" in lines
    assert " |" + "  |" * 14 in lines


# ---------------------------------------------------------------- bad inputs

def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


_CT = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
       b'wordprocessingml.document.main+xml"/></Types>')


def test_zip_bomb_by_ratio(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(_zip({"[Content_Types].xml": _CT, "word/document.xml": b"<" + b" " * (30 * 1024 * 1024)}))
    assert bomb.stat().st_size < 200_000
    with pytest.raises(LoadError) as e:
        load_path(bomb)
    assert e.value.code == "LIMIT" and "压缩炸弹" in e.value.zh


def test_zip_bomb_by_total_size_and_member_count() -> None:
    data = _zip({"[Content_Types].xml": _CT, "word/document.xml": b"x" * 300_000, "word/media/a.bin": b"y" * 300_000})
    with pytest.raises(LoadError) as e:
        load_bytes(data, "a.docx", options={"docx_max_uncompressed": 500_000})
    assert e.value.code == "LIMIT"
    many = _zip({"[Content_Types].xml": _CT, **{f"word/m{i}.xml": b"" for i in range(60)}})
    with pytest.raises(LoadError) as e:
        load_bytes(many, "a.docx", options={"docx_max_members": 50})
    assert e.value.code == "LIMIT" and "过多" in e.value.zh


def test_member_read_is_capped_whatever_the_header_says() -> None:
    data = _zip({"[Content_Types].xml": _CT, "word/document.xml": b"<a>" + b"x" * 5000 + b"</a>"})
    with pytest.raises(LoadError) as e:
        load_bytes(data, "a.docx", options={"docx_max_xml": 1000})
    assert e.value.code == "LIMIT"


def test_entity_expansion_refused() -> None:
    xml = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
           b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           b'<w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>')
    with pytest.raises(LoadError) as e:
        load_bytes(_zip({"[Content_Types].xml": _CT, "word/document.xml": xml}), "a.docx")
    assert e.value.code == "CORRUPT"


def test_corrupt_and_foreign_packages() -> None:
    with pytest.raises(LoadError) as e:
        load_bytes(b"PK\x03\x04" + b"\x00garbage" * 100, "a.docx")
    assert e.value.code == "CORRUPT"
    xlsx = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
    with pytest.raises(LoadError) as e:
        docx_loader.load(xlsx, "a.docx", {})
    assert e.value.code == "UNSUPPORTED" and "Excel" in e.value.zh
    with pytest.raises(LoadError) as e:
        load_bytes(_zip({"[Content_Types].xml": _CT, "word/document.xml": b"<w:document"}), "a.docx")
    assert e.value.code == "CORRUPT"


def test_two_hundred_megabyte_file_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.docx"
    with open(big, "wb") as fh:  # sparse: no 200 MB written to disk
        fh.write(b"PK\x03\x04")
        fh.truncate(200 * 1024 * 1024)
    with pytest.raises(LoadError) as e:
        load_path(big)
    assert e.value.code == "TOO_LARGE"
    with pytest.raises(LoadError) as e:
        docx_loader.load(b"PK\x03\x04" + b"\x00" * 2000, "x.docx", {"max_bytes": 1000})
    assert e.value.code == "TOO_LARGE"


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def test_old_doc_without_libreoffice_says_how_to_convert(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_loader.shutil, "which", lambda name: None)
    with pytest.raises(LoadError) as e:
        load_bytes(OLE, "report.doc")
    assert e.value.code == "NEEDS_CONVERTER"
    assert "另存为" in e.value.zh and "soffice --headless --convert-to docx" in e.value.zh


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_old_doc_converted_with_libreoffice(tmp_path: Path) -> None:  # pragma: no cover - needs soffice
    import subprocess

    seed = SEEDS[0]
    docx = tmp_path / "r.docx"
    docx.write_bytes(fill_template(TEMPLATE.read_bytes(), seed))
    subprocess.run(["soffice", "--headless", "--convert-to", "doc", "--outdir", str(tmp_path), str(docx)],
                   check=True, timeout=120, capture_output=True)
    report = load_path(tmp_path / "r.doc")
    assert report.document["meta"]["source"]["media_type"] == "application/msword"
    assert table_differences(seed.expected, report.document) == []


def test_sniff_by_content() -> None:
    assert sniff(b"PK\x03\x04....word/document.xml", "x.bin") > 0.9
    assert sniff(b"PK\x03\x04....xl/workbook.xml", "x.docx") == 0
    assert sniff(OLE, "report.doc") >= 0.9
    assert sniff(OLE, "sheet.xls") < 0.1
    assert sniff(b"%PDF-1.4", "x.docx") == 0
