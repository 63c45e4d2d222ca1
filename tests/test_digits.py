"""Digit-run recovery (gipcheck.load.digits) on the real 平潭 pages whose table cells were run
together, on the tables' own arithmetic, on hostile input, and on random valid tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gipcheck.document.canon import (
    ACTIVE_ROWS_2019,
    ACTIVE_ROWS_2021,
    REQUEST_COLUMNS,
    REVIEW_BLOCKS,
    REVIEW_COLUMNS,
    request_rows,
)
from gipcheck.load.digits import (
    CANDIDATES_KEPT,
    Recovery,
    recover_active,
    recover_table3,
    recover_table4,
    splits,
    sum_splits,
)

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
NEW, CARRIED, TOTAL, FORWARD = ("requests.new", "requests.carried_over",
                                "requests.results.total", "requests.carry_forward")


def _page(name: str) -> str:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"corpus file {name} is not beside the checkout (../shared/corpus)")
    return path.read_text(encoding="utf-8")


def _between(text: str, start: str, end: str) -> str:
    i = text.index(start)
    return text[i:text.index(end, i + len(start))]


def _table3_runs(text: str, fmt: str) -> dict[str, str]:
    """The digit runs of table 三 in row order; a row ordinal glued on ("…36.属于") is cut off."""
    body = _between(text, "申请人情况", "政府信息公开行政")  # 013 spells it "行政法复议"
    runs = []
    for m in re.finditer(r"\d[\d ]*", body):
        run = m.group().strip()
        if body[m.end():m.end() + 1] == ".":  # "30000036.属于…": the 6 is the next row's number
            run = run[:-1].rstrip()
        if run:
            runs.append(run)
    paths = [r.path for r in request_rows(fmt)]
    assert len(runs) == len(paths), runs
    return dict(zip(paths, runs, strict=True))


def _table4_run(text: str) -> str:
    head = text[:text.index("五、存在的主要问题")]
    return re.search(r"\d[\d ]*", head.rsplit("总计", 1)[-1]).group().strip()


def _table2_runs(text: str, labels: dict[str, str]) -> dict[str, str]:
    body = _between(text, "二、主动公开政府信息情况", "三、收到和处理")
    return {p: re.search(re.escape(lab) + r"\s*([-\d. ]+元?)", body).group(1).strip()
            for p, lab in labels.items()}


def _check_row_sums(rec: Recovery) -> None:
    for path in rec.recovered:
        v = rec.values[path]
        assert v[-1] == sum(v[:-1]), (path, v)


def _check_columns(values: dict[str, list[int | None]], fmt: str) -> None:
    details = [r.path for r in request_rows(fmt)
               if r.path.startswith("requests.results.") and r.path != TOTAL]
    for c in range(len(REQUEST_COLUMNS)):
        assert values[NEW][c] + values[CARRIED][c] == values[TOTAL][c] + values[FORWARD][c]
        assert sum(values[p][c] for p in details) == values[TOTAL][c]


def _col(rec: Recovery, path: str, column: str) -> int | None:
    return rec.values[path][REQUEST_COLUMNS.index(column)]


# ---------------------------------------------------------------- 010 平潭 2025 (2021 format)
def test_010_table3_recovered_and_confirmed_by_prose() -> None:
    text = _page("010_pingtan_2025.page.txt")
    runs = _table3_runs(text, "2021")
    assert runs[NEW] == "15130000154" and runs["requests.results.withheld.internal_affairs"] == "3000003"
    rec = recover_table3(runs, "2021")
    assert not rec.ambiguous and rec.recovered == set(runs)
    assert rec.values[NEW] == [151, 3, 0, 0, 0, 0, 154]
    # "33000033" also reads 3/30/…/33 on its own; only the column balances pick 33/…/33
    assert len(sum_splits(runs["requests.results.granted"], 7)) == 2
    assert rec.values["requests.results.granted"] == [33, 0, 0, 0, 0, 0, 33]
    _check_row_sums(rec)
    _check_columns(rec.values, "2021")  # type: ignore[arg-type]
    # prose: 全区共收到政府信息公开申请154件，共办结148件，结转至2026年6件
    m = re.search(r"共收到政府信息公开申请(\d+)件，共办结(\d+)件，结转至\d+年(\d+)件", text)
    received, done, forward = map(int, m.groups())
    assert _col(rec, NEW, "total") + _col(rec, CARRIED, "total") == received
    assert _col(rec, TOTAL, "total") == done
    assert _col(rec, FORWARD, "total") == forward


def test_010_table4_recovered_and_confirmed_by_prose() -> None:
    text = _page("010_pingtan_2025.page.txt")
    run = _table4_run(text)
    assert run == "25380363300630003"
    rec = recover_table4(run)
    assert rec.values == {
        "review.reconsideration": [25, 3, 8, 0, 36],
        "review.litigation_direct": [3, 3, 0, 0, 6],
        "review.litigation_after_reconsideration": [3, 0, 0, 0, 3],
    }
    assert rec.recovered == set(rec.values) and not rec.ambiguous
    _check_row_sums(rec)
    # prose: 行政复议36起，行政诉讼9起
    recon, suits = map(int, re.search(r"行政复议(\d+)起，行政诉讼(\d+)起", text).groups())
    assert rec.values["review.reconsideration"][-1] == recon
    assert rec.values["review.litigation_direct"][-1] + \
        rec.values["review.litigation_after_reconsideration"][-1] == suits


def test_010_table2_ambiguous_run_stays_blank_with_chinese_reason() -> None:
    text = _page("010_pingtan_2025.page.txt")
    labels = {"active.regulations": "规章", "active.normative_documents": "行政规范性文件",
              "active.licensing": "行政许可", "active.punishment": "行政处罚",
              "active.coercion": "行政强制", "active.fees": "行政事业性收费"}
    runs = _table2_runs(text, labels)
    widths = {r.path: len(r.cells) for r in ACTIVE_ROWS_2021}
    rec = recover_active(runs, widths, {})
    assert rec.values["active.regulations"] == [0, 0, 0]
    assert rec.values["active.licensing"] == [2418]
    assert rec.values["active.punishment"] == [644]
    assert rec.values["active.coercion"] == [64]
    assert rec.values["active.fees"] == [pytest.approx(4166.241619)]
    # 5845546 has 15 readings and the page says nothing about them
    assert rec.values["active.normative_documents"] == [None, None, None]
    assert "active.normative_documents" not in rec.recovered
    reason = rec.ambiguous["active.normative_documents"]
    assert "5845546" in reason and "15种组合" in reason
    assert [58, 45, 546] in rec.candidates["active.normative_documents"]
    assert len(rec.candidates["active.normative_documents"]) == 15
    assert "cannot tell" in rec.ambiguous_en["active.normative_documents"]


# ---------------------------------------------------------------- 013 平潭 2022 (2021 format)
def test_013_table3_recovered_and_confirmed_by_prose() -> None:
    text = _page("013_pingtan_2022.page.txt")
    runs = _table3_runs(text, "2021")
    rec = recover_table3(runs, "2021")
    assert not rec.ambiguous and rec.recovered == set(runs)
    _check_row_sums(rec)
    _check_columns(rec.values, "2021")  # type: ignore[arg-type]
    assert rec.values["requests.results.unavailable.not_held"] == [37, 0, 0, 0, 0, 0, 37]
    assert rec.values["requests.results.other.other"] == [0, 2, 0, 0, 0, 0, 2]
    # prose: 收到政府信息公开申请75件，涉及自然人72件、商业企业3件 (new + carried over)
    m = re.search(r"收到政府信息公开申请(\d+)件，涉及自然人(\d+)件、商业企业(\d+)件", text)
    total, natural, commercial = map(int, m.groups())
    for column, want in (("total", total), ("natural_person", natural), ("commercial", commercial)):
        assert _col(rec, NEW, column) + _col(rec, CARRIED, column) == want


def test_013_table4_spaced_cells_are_taken_as_given() -> None:
    text = _page("013_pingtan_2022.page.txt")
    rec = recover_table4(_table4_run(text))
    assert rec.values["review.reconsideration"] == [0, 1, 1, 0, 2]
    assert rec.values["review.litigation_direct"] == [1, 0, 0, 0, 1]
    assert rec.values["review.litigation_after_reconsideration"] == [0, 0, 0, 0, 0]
    assert rec.recovered == set()  # separated cells, nothing was inferred
    # prose: 行政诉讼案件1件、行政复议案件2件
    suits, recon = map(int, re.search(r"行政诉讼案件(\d+)件、行政复议案件(\d+)件", text).groups())
    assert rec.values["review.reconsideration"][-1] == recon
    assert rec.values["review.litigation_direct"][-1] == suits


def test_013_table2_prose_numbers_decide_the_split() -> None:
    text = _page("013_pingtan_2022.page.txt")
    runs = _table2_runs(text, {"active.normative_documents": "行政规范性文件",
                               "active.licensing": "行政许可", "active.fees": "行政事业性收费"})
    assert runs["active.normative_documents"] == "8855698"
    in_force = int(re.search(r"现行有效行政规范性文件(\d+)件", text).group(1))
    issued = int(re.search(r"本年度制发的规范性文件(\d+)件", text).group(1))
    widths = {r.path: len(r.cells) for r in ACTIVE_ROWS_2021}
    no_hint = recover_active(runs, widths, {})
    assert no_hint.values["active.normative_documents"] == [None, None, None]
    hints = {"active.normative_documents": {"issued": issued, "in_force": in_force}}
    rec = recover_active(runs, widths, hints)
    assert rec.values["active.normative_documents"] == [88, 55, 698]
    assert rec.values["active.licensing"] == [10690]
    assert rec.values["active.fees"] == [pytest.approx(9116.36)]
    # a prose number that fits no split leaves the row open, and says why
    bad = recover_active(runs, widths, {"active.normative_documents": {"issued": 7}})
    assert bad.values["active.normative_documents"] == [None, None, None]
    assert "正文" in bad.ambiguous["active.normative_documents"]


# ---------------------------------------------------------------- 015 平潭 2020 (2019 format)
def test_015_table3_spaced_rows_and_the_reports_own_imbalance() -> None:
    text = _page("015_pingtan_2020_oldformat.page.txt")
    runs = _table3_runs(text, "2019")
    assert runs[NEW] == "200 000121" and runs[FORWARD] == "0 0 00 00 0"
    rec = recover_table3(runs, "2019")
    # "4 0 0 0 0 0 4" is already seven cells: taken as given, not counted as recovered
    assert not rec.ambiguous and set(rec.values) == set(runs)
    assert rec.recovered == set(runs) - {"requests.results.other"}
    assert rec.values[NEW] == [20, 0, 0, 0, 0, 1, 21]
    assert rec.values[TOTAL] == [20, 0, 0, 0, 0, 1, 21]
    assert rec.values[FORWARD] == [0] * 7
    assert rec.values["requests.results.other"] == [4, 0, 0, 0, 0, 0, 4]
    _check_row_sums(rec)
    # prose: 共受理政府信息公开申请21件
    assert _col(rec, NEW, "total") == int(re.search(r"共受理政府信息公开申请(\d+)件", text).group(1))
    # the page's own result rows add to 27, not its (七)总计 21: every row splits one way only, so
    # the recovery keeps what the page says and leaves the imbalance for the checks to report
    details = [p for p in runs if p.startswith("requests.results.") and p != TOTAL]
    assert sum(rec.values[p][-1] for p in details) == 27


def test_015_table2_signed_delta_and_money_with_unit() -> None:
    text = _page("015_pingtan_2020_oldformat.page.txt")
    labels = {"active.regulations": "规章", "active.licensing": "行政许可",
              "active.punishment": "行政处罚", "active.fees": "行政事业性收费",
              "active.procurement": "政府集中采购"}
    runs = _table2_runs(text, labels)
    assert runs["active.punishment"] == "2648-18538" and runs["active.procurement"].endswith("元")
    widths = {r.path: len(r.cells) for r in ACTIVE_ROWS_2019}
    rec = recover_active(runs, widths, {})
    assert rec.values["active.regulations"] == [0, 0, 7]  # "007": no number starts with 0
    assert rec.values["active.fees"] == [35, -15]  # the '-' can only open 本年增/减
    assert rec.candidates["active.punishment"] == [[2648, -1, 8538], [2648, -18, 538],
                                                   [2648, -185, 38], [2648, -1853, 8]]
    assert rec.values["active.punishment"] == [None, None, None]
    assert all(c[1] == pytest.approx(float(str(c[1]))) for c in rec.candidates["active.procurement"])
    assert rec.values["active.procurement"] == [None, None]
    # a hint from the text settles it: 处理决定数量 38
    hinted = recover_active(runs, widths, {"active.punishment": {"decisions": 38}})
    assert hinted.values["active.punishment"] == [2648, -185, 38]


def test_015_table4_all_zero() -> None:
    rec = recover_table4(_table4_run(_page("015_pingtan_2020_oldformat.page.txt")))
    assert all(v == [0] * 5 for v in rec.values.values()) and len(rec.recovered) == 3


# ---------------------------------------------------------------- splits and its rules
def test_splits_rules() -> None:
    assert splits("007", 3) == [[0, 0, 7]]
    assert splits("0700", 3) == [[0, 70, 0]]
    assert splits("0070", 2) == []  # 070, 00 and 007 are not numbers
    assert splits("35-15", 2) == []  # '-' only where allowed
    assert splits("35-15", 2, signed={1}) == [[35, -15]]
    assert splits("3-0", 2, signed={1}) == []  # "-0" is not written
    assert splits("12 34", 3) == [[1, 2, 34], [12, 3, 4]]  # spaces kept when possible
    assert len(splits("12 34", 3, spaces="ignore")) == 3
    assert splits("123 4", 2) == [[123, 4]]
    assert splits("1 2 3", 2) == [[1, 23], [12, 3]]  # no split keeps both spaces: ignored
    assert splits("1234", 2, predicate=lambda p: p[0] < p[1]) == [[1, 234], [12, 34]]
    assert splits("12a4", 2) == []
    assert sum_splits("2000002", 7) == [[2, 0, 0, 0, 0, 0, 2]]
    full = splits("1" * 30, 6, limit=5)
    assert len(full) == 5 and not full.complete


def test_table3_ambiguous_rows_and_known_rows() -> None:
    base = {NEW: "330000033", CARRIED: "0000000", TOTAL: "330000033", FORWARD: "0000000"}
    rec = recover_table3(base, "2021")
    # "330000033" reads 33/0/0/0/0/0/33 or 3/30/0/0/0/0/33, and without detail rows the only
    # balance (new + carried = total + forward) holds for both readings of both rows
    assert rec.values[NEW] == [None] * 7 and NEW in rec.ambiguous and NEW not in rec.recovered
    assert "数字串“330000033”" in rec.ambiguous[NEW] and "无法唯一确定" in rec.ambiguous[NEW]
    assert sorted(rec.candidates[NEW]) == [[3, 30, 0, 0, 0, 0, 33], [33, 0, 0, 0, 0, 0, 33]]
    # a separated row pins the total: now the balance decides the run
    runs = {NEW: "330000033", CARRIED: "0000000", FORWARD: "0000000"}
    rec = recover_table3(runs, "2021", known={TOTAL: [3, 30, 0, 0, 0, 0, 33]})
    assert rec.values[NEW] == [3, 30, 0, 0, 0, 0, 33] and NEW in rec.recovered
    assert TOTAL not in rec.values  # separated rows are not returned
    # blank known cells switch their columns' balance off: the two readings differ only there
    rec = recover_table3(runs, "2021", known={TOTAL: [None, None, 0, 0, 0, 0, None]})
    assert NEW in rec.ambiguous
    # a run that no split makes add up
    rec = recover_table3({NEW: "12345678"}, "2021")
    assert rec.values[NEW] == [None] * 7 and "总计" in rec.ambiguous[NEW]
    # …unless its digits allow one reading only: then the report's own sum error is kept
    rec = recover_table3({NEW: "5000004"}, "2021")
    assert rec.values[NEW] == [5, 0, 0, 0, 0, 0, 4] and NEW in rec.recovered
    # the balances rule out every reading: say so rather than guess
    rec = recover_table3(runs, "2021", known={TOTAL: [5, 28, 0, 0, 0, 0, 33]})
    assert NEW in rec.ambiguous and "列勾稽" in rec.ambiguous[NEW]


def test_table4_forced_reading_keeps_a_sum_error() -> None:
    rec = recover_table4("100020000000000")  # 15 digits: one cell each, though 1 ≠ 2
    assert rec.values["review.reconsideration"] == [1, 0, 0, 0, 2]
    assert not rec.ambiguous
    bad = recover_table4("1000200000000001")  # 16 digits, no reading adds up
    assert set(bad.ambiguous) == set(bad.values) and not bad.recovered


def test_table4_ambiguous_block_keeps_the_others() -> None:
    cells = [0, 0, 20, 0, 20, 11, 2, 11, 0, 24, 20, 2, 12, 12, 46]
    rec = recover_table4("".join(map(str, cells)))
    # every reading agrees on blocks 1 and 3; block 2 reads four ways
    assert rec.values["review.reconsideration"] == cells[:5]
    assert rec.values["review.litigation_after_reconsideration"] == cells[10:]
    p = "review.litigation_direct"
    assert rec.values[p] == [None] * 5 and p in rec.ambiguous and p not in rec.recovered
    assert cells[5:10] in rec.candidates[p] and len(rec.candidates[p]) == 4
    assert all(c[-1] == sum(c[:-1]) for c in rec.candidates[p])
    assert "行政诉讼" in rec.ambiguous[p]
    # a hint from the text (e.g. 行政诉讼 … 结果维持 11) settles it
    hinted = recover_table4("".join(map(str, cells)), hints={p: {"upheld": 11, "other": 11}})
    assert hinted.values[p] == cells[5:10]


# ---------------------------------------------------------------- hostile input stays bounded
def test_two_thousand_digit_run_is_refused_with_limit_flag() -> None:
    run = "".join(str((i * 7) % 10) for i in range(2000))
    rec = recover_table3({NEW: run}, "2021")
    assert NEW in rec.limited and rec.values[NEW] == [None] * 7 and "过长" in rec.ambiguous[NEW]
    rec4 = recover_table4(run)
    assert rec4.limited == set(rec4.values) and not rec4.recovered
    act = recover_active({"active.normative_documents": run}, {"active.normative_documents": 3}, {})
    assert "active.normative_documents" in act.limited
    assert not splits(run, 7).complete or splits(run, 7) == []


def test_many_long_runs_hit_the_budget_not_the_clock() -> None:
    paths = [r.path for r in request_rows("2021")]
    # long runs made of short repeated numbers split in very many ways that add up
    runs = {p: "1" * 20 + "10" * 10 + "60" for p in paths}
    rec = recover_table3(runs, "2021", budget=20_000)
    assert rec.limited, rec.ambiguous
    assert set(rec.ambiguous) | rec.recovered == set(paths)
    for p in rec.limited:
        assert rec.values[p] == [None] * 7
    wide = splits("1" * 40, 7, budget=2_000)
    assert not wide.complete
    t4 = recover_table4("1" * 45, budget=3_000)
    assert t4.limited == set(t4.values) and "搜索上限" in t4.ambiguous["review.reconsideration"]
    assert not recover_table4("1" * 45).limited  # with the default budget the search finishes


# ---------------------------------------------------------------- random valid tables
_small = st.one_of(st.just(0), st.just(0), st.integers(0, 9), st.integers(0, 150))


@st.composite
def valid_table3(draw: st.DrawFn) -> tuple[str, dict[str, list[int]]]:
    fmt = draw(st.sampled_from(["2021", "2019"]))
    paths = [r.path for r in request_rows(fmt)]
    details = [p for p in paths if p.startswith("requests.results.") and p != TOTAL]
    table: dict[str, list[int]] = {p: [] for p in paths}
    for _ in range(6):
        col = {p: draw(_small) for p in details}
        done = sum(col.values())
        forward = draw(_small)
        carried = draw(st.integers(0, done + forward))
        col.update({TOTAL: done, FORWARD: forward, CARRIED: carried, NEW: done + forward - carried})
        for p in paths:
            table[p].append(col[p])
    for p in paths:
        table[p].append(sum(table[p]))
    return fmt, table


def _glue(cells: list[int], spaces: list[bool]) -> str:
    out = str(cells[0])
    for v, sp in zip(cells[1:], spaces, strict=False):
        out += (" " if sp else "") + str(v)
    return out


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_table3(), st.data())
def test_property_table3_never_a_wrong_unique_answer(case: tuple[str, dict[str, list[int]]],
                                                      data: st.DataObject) -> None:
    fmt, table = case
    paths = list(table)
    separated = data.draw(st.sets(st.sampled_from(paths), max_size=5))
    runs = {}
    for p in paths:
        if p not in separated:
            honest = data.draw(st.lists(st.booleans(), min_size=6, max_size=6))  # true boundaries
            runs[p] = _glue(table[p], honest)
    rec = recover_table3(runs, fmt, known={p: table[p] for p in separated})
    assert set(rec.values) == set(runs)
    for p in runs:
        if p in rec.recovered or p not in rec.ambiguous:  # split, or spaced into 7 cells
            assert rec.values[p] == table[p], (p, runs[p])
        else:
            assert p in rec.ambiguous and rec.values[p] == [None] * 7
            cands = rec.candidates.get(p, [])
            if p not in rec.limited and 0 < len(cands) < CANDIDATES_KEPT:
                assert table[p] in cands


@st.composite
def valid_table4(draw: st.DrawFn) -> list[int]:
    cells: list[int] = []
    for _ in REVIEW_BLOCKS:
        parts = [draw(_small) for _ in range(4)]
        cells += [*parts, sum(parts)]
    return cells


@settings(max_examples=150, deadline=None)
@given(valid_table4(), st.data())
def test_property_table4_never_a_wrong_unique_answer(cells: list[int], data: st.DataObject) -> None:
    spaces = data.draw(st.lists(st.booleans(), min_size=14, max_size=14))
    if all(spaces):
        spaces[0] = False  # 15 separated tokens are not a recovery case
    rec = recover_table4(_glue(cells, spaces))
    w = len(REVIEW_COLUMNS)
    for k, b in enumerate(REVIEW_BLOCKS):
        p, want = f"review.{b}", cells[k * w:(k + 1) * w]
        if p in rec.recovered:
            assert rec.values[p] == want
        else:
            assert p in rec.ambiguous and rec.values[p] == [None] * w


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([r for r in ACTIVE_ROWS_2019 + ACTIVE_ROWS_2021 if not r.money]),
       st.data())
def test_property_table2_never_a_wrong_unique_answer(row, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    fields = [f for f, _ in row.cells]
    cells = [data.draw(st.integers(-50, 50) if f == "delta" else _small) for f in fields]
    fmt = "2019" if row in ACTIVE_ROWS_2019 else "2021"
    hinted = data.draw(st.sets(st.sampled_from(fields), max_size=len(fields)))
    hints = {row.path: {f: cells[fields.index(f)] for f in hinted}}
    rec = recover_active({row.path: "".join(map(str, cells))}, {row.path: len(fields)}, hints, fmt=fmt)
    if row.path in rec.recovered:
        assert rec.values[row.path] == cells
    else:
        assert row.path in rec.ambiguous
