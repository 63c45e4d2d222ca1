"""Tables 二, 三 and 四 of the two Shanghai corpus reports, checked against the reports' own sums
and the numbers their prose states."""

from __future__ import annotations

from typing import Any

import pytest
from gipcheck.document.canon import REQUEST_COLUMNS, REVIEW_BLOCKS, active_rows, request_rows

from gipcheck_shanghai.layout import map_parts
from gipcheck_shanghai.tables import TableResult, parse_active, parse_requests, parse_review


def _tables(text: str) -> dict[int, TableResult]:
    lines = text.splitlines()
    parts, _ = map_parts(lines)
    out: dict[int, TableResult] = {}
    for p in parts:
        if p.number == 2:
            out[2] = parse_active(lines, p.start, p.end, active_rows("2021"))
        elif p.number == 3:
            out[3] = parse_requests(lines, p.start, p.end, request_rows("2021"))
        elif p.number == 4:
            out[4] = parse_review(lines, p.start, p.end)
    return out


def _group(values: dict[str, Any], prefix: str, column: str = "total") -> int:
    return sum(v[column] for k, v in values.items() if k.startswith(prefix))


@pytest.fixture(scope="module")
def kewei(kewei_text: str) -> dict[int, TableResult]:
    return _tables(kewei_text)


@pytest.fixture(scope="module")
def office(gov_office_text: str) -> dict[int, TableResult]:
    return _tables(gov_office_text)


def test_kewei_table3_has_every_row(kewei: dict[int, TableResult]) -> None:
    values = kewei[3].values
    assert set(values) == {r.path for r in request_rows("2021")}
    assert all(set(row) == set(REQUEST_COLUMNS) for row in values.values())


def test_kewei_table3_agrees_with_its_prose(kewei: dict[int, TableResult]) -> None:
    v = kewei[3].values
    # prose: 全年收到申请 34 件，上年结转 2 件 … 同意公开答复 9 件，部分公开答复 0 件，不予公开答复 2 件，
    # 无法提供的 10 件，不予处理 0 件，其他处理 14 件，转下一年度办理答复的有 1 件
    assert v["requests.new"]["total"] == 34
    assert v["requests.carried_over"]["total"] == 2
    assert v["requests.results.granted"]["total"] == 9
    assert v["requests.results.partially_granted"]["total"] == 0
    assert _group(v, "requests.results.withheld.") == 2
    assert _group(v, "requests.results.unavailable.") == 10
    assert _group(v, "requests.results.not_processed.") == 0
    assert _group(v, "requests.results.other.") == 14
    assert v["requests.carry_forward"]["natural_person"] == 1


def test_kewei_missing_total_stays_null(kewei: dict[int, TableResult]) -> None:
    # the report leaves 结转下年度继续办理/总计 blank: it must not be computed from the balance
    assert v_is_none(kewei[3].values["requests.carry_forward"], "total")


def v_is_none(row: dict[str, Any], column: str) -> bool:
    return column in row and row[column] is None


@pytest.mark.parametrize("name", ["kewei", "office"])
def test_table3_own_arithmetic(name: str, request: pytest.FixtureRequest) -> None:
    v = request.getfixturevalue(name)[3].values
    details = [r.path for r in request_rows("2021") if r.path.startswith("requests.results.")
               and r.path != "requests.results.total"]
    for c in REQUEST_COLUMNS:
        assert sum(v[p][c] for p in details) == v["requests.results.total"][c], c
        fwd = v["requests.carry_forward"][c]
        if fwd is not None:
            assert v["requests.new"][c] + v["requests.carried_over"][c] == v["requests.results.total"][c] + fwd, c
    for row in v.values():
        if row["total"] is not None:
            assert sum(row[c] for c in REQUEST_COLUMNS[:6]) == row["total"]
    assert not [n for n in request.getfixturevalue(name)[3].notes if n.code.startswith("SH_T3_CHECK")]


def test_office_table3_agrees_with_its_prose(office: dict[int, TableResult]) -> None:
    v = office[3].values
    # prose: 受理 1295 件，办结 1191 件（含上年结转 189 件）；予以公开及部分公开 208 件，不予公开 20 件，
    # 无法提供 564 件，不予处理 80 件，其他处理 319 件
    assert v["requests.new"]["total"] == 1295
    assert v["requests.carried_over"]["total"] == 189
    assert v["requests.results.total"]["total"] == 1191
    assert v["requests.results.granted"]["total"] + v["requests.results.partially_granted"]["total"] == 208
    assert _group(v, "requests.results.withheld.") == 20
    assert _group(v, "requests.results.unavailable.") == 564
    assert _group(v, "requests.results.not_processed.") == 80
    assert _group(v, "requests.results.other.") == 319
    # rows whose labels were cut away are placed by order, and say so
    assert v["requests.results.partially_granted"]["natural_person"] == 2
    assert v["requests.results.other.overdue_correction"]["total"] == 43
    loc = office[3].locations["/requests/results/partially_granted/total"]
    assert loc.extra == {"placed_by": "order"} and loc.line == 122


def test_kewei_table2(kewei: dict[int, TableResult]) -> None:
    v = kewei[2].values
    # prose: 当年发布行政规范性文件 13 件
    assert v["active.normative_documents"] == {"issued": 13, "repealed": 0, "in_force": 55}
    assert v["active.regulations"] == {"issued": 0, "repealed": 0, "in_force": 0}
    assert v["active.licensing"] == {"decisions": 97}
    assert v["active.fees"] == {"amount": 0}


def test_office_table2_notes_inside_cells(office: dict[int, TableResult]) -> None:
    v = office[2].values
    # prose: 全年主动公开市政府规章 22 件、市政府及市政府办公厅行政规范性文件 34 件
    assert v["active.regulations"]["issued"] == 22
    assert v["active.normative_documents"]["issued"] == 34
    # "55（含自然失效 29 件）" breaks down 本年废止件数 (only 规范性文件 expire by themselves)
    assert v["active.normative_documents"] == {"issued": 34, "repealed": 55, "in_force": 189}
    assert v["active.regulations"] == {"issued": 22, "repealed": 22, "in_force": 235}
    assert "（其中修订 16 件）" in office[2].locations["/active/regulations/issued"].text
    assert {n.code for n in office[2].notes} == {"SH_T2_NOTE_IN_CELL"}


def test_review_tables(kewei: dict[int, TableResult], office: dict[int, TableResult]) -> None:
    k, o = kewei[4].values, office[4].values
    # 市科委 prose: 1 件行政复议，未被纠错；行政诉讼 0 件
    assert k["review.reconsideration"] == {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1}
    assert k["review.litigation_direct"]["total"] == 0 == k["review.litigation_after_reconsideration"]["total"]
    assert o["review.reconsideration"] == {"upheld": 40, "corrected": 0, "other": 10, "pending": 5, "total": 55}
    assert o["review.litigation_direct"] == {"upheld": 2, "corrected": 0, "other": 4, "pending": 6, "total": 12}
    assert o["review.litigation_after_reconsideration"]["total"] == 22
    for values in (k, o):
        for b in REVIEW_BLOCKS:
            row = values["review." + b]
            assert row["upheld"] + row["corrected"] + row["other"] + row["pending"] == row["total"]
