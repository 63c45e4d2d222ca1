"""The engine: rule selection, findings with values and locations, not-evaluated, problems."""

from __future__ import annotations

import copy
import json
import textwrap
from pathlib import Path

import pytest

from gipcheck.engine import default_pack_dirs, evaluate, load_pack, load_packs
from gipcheck.load.base import LoadedReport, Location, Note

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PACK_YAML = "name: engine-test\nversion: '1'\n"


@pytest.fixture(scope="module")
def packs():  # type: ignore[no-untyped-def]
    return load_packs(default_pack_dirs())


@pytest.fixture(scope="module")
def seed_doc() -> dict:
    """The hand-verified document of seed 000 (a county government, 2024), with section texts."""
    path = SHARED / "seeds" / "expected" / "000_be94cdfbcf579bbe.json"
    if not path.is_file():
        pytest.skip("../shared seeds are not beside the checkout")
    doc = json.loads(path.read_text(encoding="utf-8"))["document"]
    doc["sections"] = [{"number": n, "title": t, "text": "本年度未收取信息处理费。" if n == 6 else "正文"} for n, t in
                       enumerate(["总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况",
                                  "政府信息公开行政复议、行政诉讼情况", "存在的主要问题及改进情况",
                                  "其他需要报告的事项"], start=1)]
    return doc


def pack_with(tmp_path: Path, rules: str):  # type: ignore[no-untyped-def]
    d = tmp_path / "pack"
    d.mkdir(exist_ok=True)
    (d / "pack.yaml").write_text(PACK_YAML, encoding="utf-8")
    (d / "r.yaml").write_text(textwrap.dedent(rules), encoding="utf-8")
    return [load_pack(d)]


def test_column_balance_finding_names_column_values_and_cells(packs, seed_doc) -> None:  # type: ignore[no-untyped-def]
    doc = copy.deepcopy(seed_doc)
    doc["requests"]["results"]["total"]["natural_person"] = 58
    doc["requests"]["results"]["total"]["total"] = 58
    locs = {"/requests/results/total/natural_person": Location(line=53, col=12, text="58")}
    res = evaluate(LoadedReport(doc, locations=locs), packs, only=["T3-COL-BALANCE", "T3-RESULT-SUM"])
    by = {f.rule: f for f in res.findings}
    bal = by["T3-COL-BALANCE"]
    assert bal.severity == "error" and bal.section == 3
    assert bal.values["c"] == "自然人"
    assert (bal.values["left"], bal.values["right"], bal.values["diff"]) == (61, 62, -1)
    assert [v["c"] for v in bal.values["failing"]] == ["自然人", "总计"]
    assert bal.message.startswith("表三“自然人”列：新收与上年结转之和 61 ≠ 办理结果总计与结转下年之和 62（相差 -1）")
    cell = next(loc for loc in bal.locations if loc["pointer"] == "/requests/results/total/natural_person")
    assert cell["line"] == 53 and cell["text"] == "58" and cell["value"] == 58
    assert cell["label"] == "表三 （七）总计 / 自然人"
    rs = by["T3-RESULT-SUM"]
    assert rs.message.startswith("表三（七）总计/“自然人”= 58，但（一）至（六）各项之和为 57（相差 1）")
    assert "国办公开办函〔2021〕30号" in rs.basis


def test_finding_locations_carry_exactly_what_the_loader_located(packs, seed_doc) -> None:  # type: ignore[no-untyped-def]
    # the engine builds a plain cell's location without calling Location.to_json(): both must agree
    doc = copy.deepcopy(seed_doc)
    doc["requests"]["results"]["total"]["natural_person"] = 58
    doc["requests"]["results"]["total"]["total"] = 58
    plain = Location(line=53, col=12, text="58")
    rich = Location(line=54, col=3, text="62", recovered=True, page=2, where="表格2 第3行", extra={"x": 1.5})
    locs = {"/requests/results/total/natural_person": plain, "/requests/results/total/total": rich}
    (bal,) = evaluate(LoadedReport(doc, locations=locs), packs, only=["T3-COL-BALANCE"]).findings
    got = {loc["pointer"]: loc for loc in bal.locations}
    for ptr, src in locs.items():
        loc = got[ptr]
        assert list(loc)[:3] == ["pointer", "label", "value"] and loc["value"] == 58
        assert {k: v for k, v in loc.items() if k not in ("pointer", "label", "value")} == src.to_json()
    assert got["/requests/results/total/total"]["where"] == "表格2 第3行" and got["/requests/results/total/total"]["x"] == 1.5


def test_english_messages_and_labels(packs, seed_doc) -> None:  # type: ignore[no-untyped-def]
    doc = copy.deepcopy(seed_doc)
    doc["review"]["reconsideration"]["total"] = 11
    res = evaluate(LoadedReport(doc), packs, only=["T4-REVIEW-SUM"], lang="en")
    (f,) = res.findings
    assert f.message == ("table 4 reconsideration: total 11 ≠ upheld + corrected + other + pending = 10 "
                         "(difference 1)")
    assert f.title == "Reconsideration total = sum of its four parts"
    assert any(loc["label"] == "Table 4 administrative reconsideration / total" for loc in f.locations)


def test_blank_cell_is_not_evaluated_never_passed(packs, seed_doc) -> None:  # type: ignore[no-untyped-def]
    doc = copy.deepcopy(seed_doc)
    doc["review"]["litigation_direct"]["other"] = None
    res = evaluate(LoadedReport(doc), packs, only=["T4-DIRECT-SUM", "T4-EMPTY"])
    assert "T4-DIRECT-SUM" not in res.passed
    (ne,) = res.not_evaluated
    assert ne.rule == "T4-DIRECT-SUM"
    assert ne.missing == ["/review/litigation_direct/other"]
    assert "表四 行政诉讼（未经复议直接起诉） / 其他结果" in ne.reason
    assert [f.rule for f in res.findings] == ["T4-EMPTY"]


def test_applies_selects_by_format_kind_level_year(packs, seed_doc) -> None:  # type: ignore[no-untyped-def]
    res = evaluate(LoadedReport(seed_doc), packs)
    seen = set(res.passed) | {f.rule for f in res.findings} | {n.rule for n in res.not_evaluated}
    assert "M-DEADLINE-GOV" in seen            # county government
    assert "M-DEADLINE-DEPT" not in seen       # not a department
    assert "T2-19-STOCK" not in seen           # 2019 format only
    assert "F-ANACHRONISM" not in seen         # reports on 2020 or earlier only
    assert "M-DEADLINE-TWP" not in seen
    doc = copy.deepcopy(seed_doc)
    doc["meta"]["organ_level"] = None
    res = evaluate(LoadedReport(doc), packs, only=["M-DEADLINE-GOV"])
    assert [(n.rule, n.missing) for n in res.not_evaluated] == [("M-DEADLINE-GOV", ["/meta/organ_level"])]


def test_region_restriction(tmp_path: Path) -> None:
    packs = pack_with(tmp_path, """\
        - id: SX-ONLY
          title: {zh: 山西, en: Shanxi}
          severity: info
          basis: 山西省通知
          applies: {region: [山西省]}
          expr: "false"
          message: {zh: 山西规则, en: Shanxi rule}
          examples:
            - {expect: pass, doc: {}, note: "never: the rule is a constant"}
            - {expect: fail, doc: {}}
        """)
    sx = {"meta": {"region": {"province": "山西省", "city": "太原市", "county": "清徐县"}}}
    bj = {"meta": {"region": {"province": "北京市", "city": None, "county": "西城区"}}}
    assert [f.rule for f in evaluate(LoadedReport(sx), packs).findings] == ["SX-ONLY"]
    assert evaluate(LoadedReport(bj), packs).findings == []
    # region unknown: a province rule does not apply at all (no finding, not "not evaluated" noise)
    unknown = evaluate(LoadedReport({"meta": {"region": None}}), packs)
    assert unknown.findings == [] and unknown.not_evaluated == []


def test_rule_that_breaks_at_run_time_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    packs = pack_with(tmp_path, """\
        - id: BROKEN-AT-RUNTIME
          title: {zh: 运行出错, en: breaks}
          severity: error
          basis: 测试
          expr: len(meta.year) > 0
          message: {zh: 不通过, en: fails}
          examples:
            - {expect: pass, doc: {meta: {year: "2024"}}}
            - {expect: fail, doc: {meta: {year: ""}}}
        - id: STILL-RUNS
          title: {zh: 照常, en: runs}
          severity: info
          basis: 测试
          expr: meta.year == 2023
          message: {zh: "年度为 {left}", en: "year {left}"}
          examples:
            - {expect: pass, doc: {meta: {year: 2023}}}
            - {expect: fail, doc: {meta: {year: 2024}}}
        """)
    res = evaluate(LoadedReport({"meta": {"year": 2024}}), packs)
    (p,) = res.problems
    assert p.kind == "rule" and p.code == "TYPE" and "BROKEN-AT-RUNTIME" in p.message
    assert p.detail["rule"] == "BROKEN-AT-RUNTIME" and p.detail["line"] == 1
    assert [f.message for f in res.findings] == ["年度为 2024"]


def test_split_severity_for_stated_totals(packs) -> None:  # type: ignore[no-untyped-def]
    more = {"facts": {"stated_totals": [{"total": 10, "parts": [6, 6]}]}}
    less = {"facts": {"stated_totals": [{"total": 10, "parts": [6, 3]}]}}
    assert evaluate(LoadedReport(more), packs, only=["X-NARR-SUM"]).findings[0].severity == "warning"
    assert evaluate(LoadedReport(less), packs, only=["X-NARR-SUM"]).findings[0].severity == "info"


def test_pubdate_written_date_is_info_missing_date_is_warning(packs) -> None:  # type: ignore[no-untyped-def]
    written = {"meta": {"published": "2025-01-13", "date_kind": "written"}}
    none = {"meta": {"published": None}}
    assert evaluate(LoadedReport(written), packs, only=["M-PUBDATE-PRESENT"]).findings[0].severity == "info"
    assert evaluate(LoadedReport(none), packs, only=["M-PUBDATE-PRESENT"]).findings[0].severity == "warning"


def test_prev_year_rules_pass_without_prev_and_check_with_it(packs, seed_doc) -> None:  # type: ignore[no-untyped-def]
    res = evaluate(LoadedReport(seed_doc), packs, only=["Y-*"])
    assert set(res.passed) == {"Y-CARRY-CHAIN", "Y-VALID-CHAIN", "Y-REPEAL-LE", "Y-FORMAT-REGRESS",
                               "Y-SEC5-COPY", "Y-SWING"}
    prev = copy.deepcopy(seed_doc)
    prev["meta"]["year"] = 2023
    prev["requests"]["carry_forward"]["natural_person"] = 3
    prev["requests"]["carry_forward"]["total"] = 3
    res = evaluate(LoadedReport(seed_doc), packs, prev=LoadedReport(prev), only=["Y-CARRY-CHAIN"])
    (f,) = res.findings
    assert f.values["c"] == "自然人" and (f.values["left"], f.values["right"]) == (2, 3)
    assert any(loc["pointer"] == "prev:/requests/carry_forward/natural_person" and loc["label"].startswith("上年")
               for loc in f.locations)


def test_loader_notes_and_schema_violations_become_notes(packs, seed_doc) -> None:  # type: ignore[no-untyped-def]
    doc = copy.deepcopy(seed_doc)
    doc["requests"]["new"]["natural_person"] = -5
    note = Note("ROW_NOT_FOUND", "未找到行", "row not found", pointer="/requests/carry_forward", line=55)
    res = evaluate(LoadedReport(doc, notes=[note]), packs, only=["T3-NONNEG-INT"])
    codes = [n["code"] for n in res.notes]
    assert codes[0] == "ROW_NOT_FOUND" and res.notes[0]["source"] == "loader"
    assert any(n["source"] == "schema" and n.get("pointer") == "/requests/new/natural_person" for n in res.notes)
    assert [f.rule for f in res.findings] == ["T3-NONNEG-INT"]


def test_national_pack_clean_on_a_consistent_document(packs, seed_doc) -> None:  # type: ignore[no-untyped-def]
    doc = copy.deepcopy(seed_doc)
    doc["facts"] = {}
    res = evaluate(LoadedReport(doc), packs)
    errors = [f.rule for f in res.findings if f.severity == "error"]
    assert errors == []
    assert res.problems == []


def test_explain_walks_through_one_rule(packs) -> None:  # type: ignore[no-untyped-def]
    from gipcheck.engine.explain import explain
    from gipcheck.load import load_path

    seed = SHARED / "seeds" / "000_be94cdfbcf579bbe.txt"
    if not seed.is_file():
        pytest.skip("../shared seeds are not beside the checkout")

    class Checker:
        def __init__(self) -> None:
            self.packs = packs

        def load(self, path):  # type: ignore[no-untyped-def]
            return load_path(path)

    text = explain(Checker(), "X-NARR-REVIEW", seed)
    assert "结果: 不通过" in text
    assert "正文称行政复议 4 件，表四行政复议总计为 10 件" in text
    assert "表四 行政复议 / 总计 = 10" in text


def test_run_examples_takes_packs_or_dirs_and_rules_describe_themselves(packs) -> None:  # type: ignore[no-untyped-def]
    from gipcheck.engine import run_examples

    by_pack = run_examples(packs)
    by_dir = run_examples(default_pack_dirs())
    assert len(by_pack) == len(by_dir) >= 148 and all(r.ok for r in by_pack)
    rule = next(r for r in packs[0].rules if r.id == "X-NARR-SUM")
    text = rule.describe("zh")
    assert text.startswith("X-NARR-SUM") and "→ info" in text and "narrative.yaml" in text
    assert [p.name for p in load_packs([], include_default=True)] == ["national"]
