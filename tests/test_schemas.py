"""The JSON Schemas in schemas/ are the contract: they must name every canonical row and column
with its official Chinese label, accept the hand-verified seed documents, and keep blank apart
from zero."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from _schema_docs import SEEDS, all_documents, document_2019, expected_documents
from jsonschema import Draft202012Validator

from gipcheck.document import canon
from gipcheck.engine.model import Finding, NotEvaluated, Problem, ReportResult, RunResult
from gipcheck.load.base import Location, Note
from gipcheck.resources import schemas_dir
from gipcheck.validate import validate_document

FORMATS = ("2021", "2019")


def load(name: str) -> dict[str, Any]:
    return json.loads((schemas_dir() / name).read_text(encoding="utf-8"))


def reference(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def resolve(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node and "properties" not in node and "type" not in node:
        target: Any = root
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def at(root: dict[str, Any], dotted: str) -> dict[str, Any]:
    """The subschema of a dotted document path, e.g. ``requests.results.total``."""
    node = root
    for part in dotted.split("."):
        node = resolve(root, node)["properties"][part]
    return node


def title(root: dict[str, Any], node: dict[str, Any]) -> str | None:
    return node.get("title") or resolve(root, node).get("title")


@pytest.fixture(params=FORMATS)
def fmt(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize("name", ["document-2021.schema.json", "document-2019.schema.json", "report.schema.json"])
def test_schema_files_are_valid_draft_2020_12(name: str) -> None:
    schema = load(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_every_table_three_row_and_column_carries_its_official_label(fmt: str) -> None:
    schema = load(f"document-{fmt}.schema.json")
    rows = canon.request_rows(fmt)
    assert len(rows) == (25 if fmt == "2021" else 23)
    for row in rows:
        node = at(schema, row.path)
        assert title(schema, node) == row.label, row.path
        for col in canon.REQUEST_COLUMNS:
            cell = at(schema, f"{row.path}.{col}")
            assert title(schema, cell) == canon.COLUMN_LABELS[col]["zh"], (row.path, col)
    for group, label in canon.REQUEST_GROUPS.items():
        assert title(schema, at(schema, f"requests.results.{group}")) == label


def test_schema_has_no_table_three_row_the_canon_does_not_know(fmt: str) -> None:
    schema = load(f"document-{fmt}.schema.json")
    known = {r.path for r in canon.request_rows(fmt)}
    columns = set(canon.REQUEST_COLUMNS)

    def walk(node: dict[str, Any], path: str) -> None:
        node = resolve(schema, node)
        props = node.get("properties", {})
        if props and set(props) <= columns:
            assert path in known or path.endswith(".subtotal"), path
            return
        for key, sub in props.items():
            if key not in columns:
                walk(sub, f"{path}.{key}")

    walk(schema["properties"]["requests"], "requests")


def test_every_table_two_row_and_cell_carries_its_official_label(fmt: str) -> None:
    schema = load(f"document-{fmt}.schema.json")
    active = resolve(schema, schema["properties"]["active"])
    assert set(active["properties"]) == {r.path.split(".", 1)[1] for r in canon.active_rows(fmt)}
    for row in canon.active_rows(fmt):
        node = at(schema, row.path)
        assert title(schema, node) == row.label
        assert node.get("description") == row.item
        for field, label in row.cells:
            assert title(schema, at(schema, f"{row.path}.{field}")) == label, (row.path, field)


def test_every_table_four_cell_carries_its_official_label(fmt: str) -> None:
    schema = load(f"document-{fmt}.schema.json")
    for block in canon.REVIEW_BLOCKS:
        assert title(schema, at(schema, f"review.{block}")) == canon.REVIEW_BLOCK_LABELS[block]["zh"]
        for col in canon.REVIEW_COLUMNS:
            assert title(schema, at(schema, f"review.{block}.{col}")) == canon.REVIEW_COLUMN_LABELS[col]["zh"]


def test_every_fact_name_is_in_the_schema(fmt: str) -> None:
    schema = load(f"document-{fmt}.schema.json")
    facts = resolve(schema, schema["properties"]["facts"])["properties"]
    for name in (*canon.FACT_NAMES, "stated_totals", "fees"):
        assert name in facts and title(schema, facts[name])
    assert set(resolve(schema, facts["fees"])["properties"]) == {
        "mentioned", "says_none", "notices_count", "notices_amount", "collected_amount"}


def test_every_property_has_a_chinese_title(fmt: str) -> None:
    schema = load(f"document-{fmt}.schema.json")
    untitled = []

    def walk(node: Any, path: str) -> None:
        if not isinstance(node, dict):
            return
        for key, sub in node.get("properties", {}).items():
            if not title(schema, sub):
                untitled.append(f"{path}.{key}")
            walk(resolve(schema, sub), f"{path}.{key}")
        if isinstance(node.get("items"), dict):
            walk(resolve(schema, node["items"]), f"{path}[]")

    walk(schema, "")
    for name, sub in schema["$defs"].items():
        walk(sub, f"$defs.{name}")
    assert untitled == []


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the checkout")
@pytest.mark.parametrize("name,doc", expected_documents(), ids=lambda x: x if isinstance(x, str) else "")
def test_hand_verified_seed_documents_conform(name: str, doc: dict[str, Any]) -> None:
    errors = [e.message for e in reference(load("document-2021.schema.json")).iter_errors(doc)]
    assert errors == []


def test_built_2019_document_conforms_only_to_the_2019_schema() -> None:
    doc = document_2019()
    assert list(reference(load("document-2019.schema.json")).iter_errors(doc)) == []
    wrong = {tuple(e.absolute_path)[:2] for e in reference(load("document-2021.schema.json")).iter_errors(doc)}
    # its table 二 columns and its 2019 format mark do not belong to the 2021 format
    assert ("active", "regulations") in wrong and ("meta", "format") in wrong


@pytest.mark.parametrize("value,ok", [
    (0, True), (None, True), (12, True), (3.0, True),  # 3.0 is an integer in JSON
    (-1, False), (1.5, False), ("", False), ("0", False), (True, False),
])
def test_count_cell_blank_is_null_never_text_or_negative(fmt: str, value: Any, ok: bool) -> None:
    doc = copy.deepcopy(dict(expected_documents()[0][1]) if fmt == "2021" and SEEDS.is_dir() else document_2019())
    doc["meta"]["format"] = fmt
    doc["requests"]["results"]["total"]["natural_person"] = value
    errs = [e for e in reference(load(f"document-{fmt}.schema.json")).iter_errors(doc)
            if tuple(e.absolute_path) == ("requests", "results", "total", "natural_person")]
    assert (errs == []) is ok


def test_money_is_a_number_or_null_and_2019_delta_may_be_negative() -> None:
    s21 = reference(load("document-2021.schema.json"))
    s19 = reference(load("document-2019.schema.json"))
    doc = document_2019()
    doc["active"]["punishment"]["delta"] = -185
    doc["active"]["procurement"]["amount"] = None
    assert list(s19.iter_errors(doc)) == []
    doc["active"]["procurement"]["amount"] = "3802895.90元"
    assert [tuple(e.absolute_path) for e in s19.iter_errors(doc)] == [("active", "procurement", "amount")]
    fee = {"meta": {"year": 2024, "format": "2021"}, "sections": [], "active": {"fees": {"amount": 670.5862}}}
    assert list(s21.iter_errors(fee)) == []
    fee["active"]["fees"]["amount"] = None
    assert list(s21.iter_errors(fee)) == []


def test_2019_table_three_other_is_one_row_and_2021_splits_it() -> None:
    s19 = load("document-2019.schema.json")
    s21 = load("document-2021.schema.json")
    assert title(s19, at(s19, "requests.results.other.natural_person")) == "自然人"
    with pytest.raises(KeyError):
        at(s19, "requests.results.other.overdue_correction")
    assert title(s21, at(s21, "requests.results.other.unpaid_fee")).startswith("2.申请人逾期未按收费通知")


def test_required_is_minimal_absent_tables_are_left_to_the_rules(fmt: str) -> None:
    v = reference(load(f"document-{fmt}.schema.json"))
    minimal = {"meta": {"year": None, "format": "2019" if fmt == "2019" else None}, "sections": []}
    assert list(v.iter_errors(minimal)) == []
    missing = sorted(e.message for e in v.iter_errors({"meta": {}}))
    assert missing == ["'format' is a required property", "'sections' is a required property",
                       "'year' is a required property"]


def test_dates_must_be_real_iso_dates(fmt: str) -> None:
    v = reference(load(f"document-{fmt}.schema.json"))
    doc = {"meta": {"year": 2024, "format": "2019" if fmt == "2019" else "2021", "published": "2025-01-17",
                    "period": {"start": "2024-01-01", "end": "2024-12-31"}}, "sections": []}
    assert list(v.iter_errors(doc)) == []
    for bad in ("2025-02-30", "2025/01/17", "2025年1月17日", "20250117"):
        doc["meta"]["published"] = bad
        assert {tuple(e.absolute_path) for e in v.iter_errors(doc)} == {("meta", "published")}, bad


def test_documents_used_by_the_validator_tests_conform() -> None:
    for name, doc in all_documents():
        fmt = "2019" if doc["meta"].get("format") == "2019" else "2021"
        if name.startswith("loaded:"):
            continue  # the loader's own conformance is reported by the engine, not asserted here
        assert list(reference(load(f"document-{fmt}.schema.json")).iter_errors(doc)) == [], name


# ---------------------------------------------------------------- report.schema.json

def sample_run() -> RunResult:
    loc = Location(12, 3, "57", recovered=True).to_json() | {"pointer": "/requests/results/total/natural_person",
                                                             "label": "表三 （七）总计 / 自然人"}
    good = ReportResult(
        source="examples/a.txt",
        document={"meta": {"organ": "示例县教育局", "year": 2024, "format": "2021"}},
        findings=[
            Finding("T3-COL-BALANCE", "error", "第一项加第二项之和不等于第三项加第四项之和", "表三每列平衡",
                    "国办公开办函〔2021〕30号", {"left": 61, "right": 60, "diff": 1, "c": "natural_person"},
                    [loc], 3, "national"),
            Finding("M-DEADLINE-DEPT", "error", "发布晚于1月31日", "部门年报1月31日前公布", "条例第四十九条",
                    {}, [], None, "national", plugin="gipcheck-jiangsu",
                    suppressed={"reason": "经批准延期", "expires": "2026-01-31", "source": ".gipcheck.toml"}),
        ],
        not_evaluated=[NotEvaluated("T4-REVIEW-SUM", "行政复议总计", "error", ["/review/reconsideration/other"], "空白格")],
        passed=["S-SEC-PRESENT"],
        notes=[Note("ROW_MISSING", "未找到行", "row not found", pointer="/requests/new", line=40).to_json(),
               # a schema violation as the engine passes it on
               {"code": "SCHEMA", "level": "warning", "source": "schema",
                **validate_document({"meta": {"year": "2024", "format": "2021"}, "sections": []})[0].to_json()}],
    )
    bad = ReportResult(source="broken.pdf", problems=[Problem("load", "SCANNED_PDF", "扫描件，无文字层")])
    return RunResult([good, bad], problems=[Problem("plugin", "PLUGIN_FAILED", "插件加载失败", {"plugin": "x"})])


def test_run_result_json_conforms_to_report_schema() -> None:
    out = json.loads(json.dumps(sample_run().to_json(), ensure_ascii=False))
    v = reference(load("report.schema.json"))
    assert [e.message for e in v.iter_errors(out)] == []
    assert out["version"] == "1.0" and out["summary"]["findings"] == {"error": 1, "warning": 0, "info": 0}


@pytest.mark.parametrize("mutate,where", [
    (lambda o: o.update(version="2.0"), ("version",)),
    (lambda o: o["reports"][0]["findings"][0].pop("rule"), ("reports", 0, "findings", 0)),
    (lambda o: o["reports"][0]["findings"][0].update(severity="fatal"), ("reports", 0, "findings", 0, "severity")),
    (lambda o: o["reports"][0]["findings"][0].update(section=7), ("reports", 0, "findings", 0, "section")),
    (lambda o: o["reports"][0]["counts"].update(error=-1), ("reports", 0, "counts", "error")),
    (lambda o: o["problems"][0].update(kind="disk"), ("problems", 0, "kind")),
])
def test_report_schema_rejects_broken_output(mutate: Any, where: tuple[Any, ...]) -> None:
    out = json.loads(json.dumps(sample_run().to_json(), ensure_ascii=False))
    mutate(out)
    assert {tuple(e.absolute_path) for e in reference(load("report.schema.json")).iter_errors(out)} == {where}
