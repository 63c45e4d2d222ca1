"""gipcheck.validate: the compiled validator says exactly what jsonschema says, in Chinese, as data."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from _schema_docs import SEEDS, all_documents, document_2019, expected_documents
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from gipcheck.validate import SchemaValidator, Unsupported, compile_schema, load_schema, validate_document
from gipcheck.validate.validator import schema_format, to_pointer

DOCS = all_documents()
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the checkout")


def reference_errors(schema: dict[str, Any], instance: Any) -> set[tuple[str, str]]:
    v = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return {(to_pointer(e.absolute_path), str(e.validator)) for e in v.iter_errors(instance)}


def compiled_errors(schema: dict[str, Any], instance: Any) -> set[tuple[str, str]]:
    return {(to_pointer(e.path), e.keyword) for e in SchemaValidator(schema).raw_errors(instance)}


def schema_of(doc: Any) -> dict[str, Any]:
    return load_schema(schema_format(doc))


def seed_doc() -> dict[str, Any]:
    return copy.deepcopy(expected_documents()[0][1])


# ---------------------------------------------------------------- the seeds

@pytest.mark.parametrize("name,doc", DOCS, ids=[n for n, _ in DOCS])
def test_conforming_documents_have_no_violations(name: str, doc: dict[str, Any]) -> None:
    if name.startswith("loaded:"):
        # what the loader produces is judged by the reference validator, not assumed valid
        assert validate_document(doc) == [] or reference_errors(schema_of(doc), doc)
    else:
        assert validate_document(doc) == []


def test_both_schemas_compile_without_fallback() -> None:
    for fmt in ("2021", "2019"):
        assert SchemaValidator(load_schema(fmt)).compiled, fmt


@needs_seeds
def test_violation_names_the_cell_by_its_chinese_labels() -> None:
    doc = seed_doc()
    doc["requests"]["results"]["total"]["natural_person"] = -3
    doc["review"]["litigation_direct"]["total"] = "两"
    doc["requests"]["results"]["withheld"]["state_secret"]["research"] = 1.5
    got = {v.pointer: v for v in validate_document(doc)}
    assert got["/requests/results/total/natural_person"].label == "表三 / （七）总计 / 自然人"
    assert got["/requests/results/total/natural_person"].keyword == "minimum"
    assert "不得小于0" in got["/requests/results/total/natural_person"].zh
    assert got["/review/litigation_direct/total"].label == "表四 / 行政诉讼（未经复议直接起诉） / 总计"
    assert got["/review/litigation_direct/total"].keyword == "type"
    assert "非负整数或空白" in got["/review/litigation_direct/total"].zh
    assert "non-negative integer" in got["/review/litigation_direct/total"].en
    assert got["/requests/results/withheld/state_secret/research"].label == \
        "表三 / （三）不予公开 / 1.属于国家秘密 / 科研机构"
    assert len(got) == 3


@needs_seeds
def test_missing_and_unexpected_members_point_at_the_member() -> None:
    doc = seed_doc()
    del doc["meta"]["year"]
    doc["requests"]["results"]["withheld"]["secret"] = {"total": 0}
    got = {v.pointer: v for v in validate_document(doc)}
    year = got["/meta/year"]
    assert (year.keyword, year.instance_pointer, year.label) == ("required", "/meta", "报告年度")
    extra = got["/requests/results/withheld/secret"]
    assert (extra.keyword, extra.instance_pointer) == ("additionalProperties", "/requests/results/withheld")
    assert "secret" in extra.zh and extra.label.startswith("表三 / （三）不予公开")


def test_blank_is_null_and_valid_but_empty_text_is_not() -> None:
    doc = document_2019()
    doc["requests"]["new"]["total"] = None
    assert validate_document(doc) == []
    doc["requests"]["new"]["total"] = ""
    (v,) = validate_document(doc)
    assert v.pointer == "/requests/new/total" and v.keyword == "type" and "“”" in v.zh


def test_2019_documents_are_held_to_the_2019_schema() -> None:
    doc = document_2019()
    assert validate_document(doc) == []
    doc["meta"]["format"] = "2021"  # the same tables read as 2021 format break its table 二
    pointers = {v.pointer for v in validate_document(doc)}
    assert "/active/regulations/new_made" in pointers and "/active/procurement" in pointers


def test_bad_dates_are_reported_once() -> None:
    doc = document_2019()
    doc["meta"]["published"] = "2021/03/10"
    (v,) = validate_document(doc)
    assert (v.pointer, v.keyword, v.label) == ("/meta/published", "format", "发布日期")


@pytest.mark.parametrize("doc", [None, [], "报告", 42, {"meta": None}, {"meta": {"format": 2019}},
                                 {"meta": {"year": 2024, "format": "2021"}, "sections": [{"number": "一"}]},
                                 {"meta": {"year": {1, 2}, "format": "2021"}, "sections": (1,)}])
def test_malformed_documents_give_violations_never_exceptions(doc: Any) -> None:
    out = validate_document(doc)
    assert out and all(v.zh and v.en and v.keyword for v in out)
    assert {(v.instance_pointer, v.keyword) for v in out} == reference_errors(schema_of(doc), doc)


def test_example_reports_load_into_schema_valid_documents() -> None:
    from gipcheck.resources import examples_dir

    try:
        from gipcheck.load import load_path, loaders
    except ImportError:
        pytest.skip("gipcheck.load.load_path does not exist yet")
    if "text" not in {spec.name for spec in loaders()}:
        pytest.skip("the plain-text loader (gipcheck.load.text) is not available yet")
    files = sorted(examples_dir().glob("*.txt"))
    assert len(files) >= 4
    for path in files:
        loaded = load_path(path)
        doc = getattr(loaded, "document", loaded)
        assert [v.zh for v in validate_document(doc)] == [], path.name


@pytest.mark.parametrize("doc", [{"meta": {"year": 2024, "format": "2021", 7: "x"}, "sections": [], 3: 1},
                                 {"meta": {"year": 1j, "format": "2021"}, "sections": []}])
def test_non_json_data_is_reported_not_raised(doc: Any) -> None:
    out = validate_document(doc)
    assert out and all(v.zh for v in out)


# ---------------------------------------------------------------- differential: compiled vs jsonschema

@pytest.mark.parametrize("name,doc", DOCS, ids=[n for n, _ in DOCS])
def test_differential_on_documents(name: str, doc: dict[str, Any]) -> None:
    schema = schema_of(doc)
    assert compiled_errors(schema, doc) == reference_errors(schema, doc)


BOUNDARY = st.sampled_from([-1, 0, 1, -1.0, 2.0, 2.5, None, "", "1", True, False, 2007, 2008, 2101, 7])
JSON_SCALARS = st.one_of(
    BOUNDARY, BOUNDARY,  # weighted: the edges of the schema are where validators disagree
    st.none(), st.booleans(), st.integers(-5, 5), st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32), st.sampled_from([0.0, 3.0, -2.0, 1.5]),
    st.sampled_from(["", "0", "12", "2021", "2019", "2025-01-17", "2025-02-30", "2025/01/17", "government",
                     "county", "written", "无", "x" * 70, "0" * 64]),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["total", "value", "x", "natural_person", "number"]),
                                            inner, max_size=3)),
    max_leaves=6,
)


def _containers(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _containers(v, (*path, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _containers(v, (*path, i))
    return out


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        doc = doc[p]
    return doc


@st.composite
def mutated_documents(draw: st.DrawFn) -> dict[str, Any]:
    base_docs = [d for n, d in DOCS if not n.startswith("loaded:")]
    doc = copy.deepcopy(draw(st.sampled_from(base_docs)))
    for _ in range(draw(st.integers(1, 4))):
        paths = _containers(doc)
        leaves = [p for p in paths if p and not isinstance(_get(doc, p), (dict, list))]
        kind = draw(st.sampled_from(["leaf", "leaf", "leaf", "replace", "delete", "add"]))
        path = draw(st.sampled_from(leaves if kind == "leaf" and leaves else paths))
        if not path:
            kind = "add"
        parent: Any = doc
        for p in path[:-1]:
            parent = parent[p]
        target = parent[path[-1]] if path else doc
        if kind == "leaf":
            parent[path[-1]] = draw(JSON_SCALARS)
        elif kind == "replace":
            parent[path[-1]] = draw(JSON_VALUES)
        elif kind == "delete":
            del parent[path[-1]]
        elif isinstance(target, dict):
            key = draw(st.sampled_from(["x_plugin", "bogus", "total", "subtotal", "labels", "value", "year",
                                        "format", "amount_unit"]))
            target[key] = draw(JSON_VALUES)
        elif isinstance(target, list):
            target.append(draw(JSON_VALUES))
    return doc


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_documents())
def test_differential_on_mutated_documents(doc: dict[str, Any]) -> None:
    schema = schema_of(doc)
    compiled = compiled_errors(schema, doc)
    assert compiled == reference_errors(schema, doc)
    # the fast predicate agrees with the detailed walk
    assert SchemaValidator(schema).is_valid(doc) == (not compiled)


# ---------------------------------------------------------------- the compiler on its own

SMALL_SCHEMAS: list[dict[str, Any]] = [
    {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": "^[0-9]+$"}]},
    {"oneOf": [{"type": "number"}, {"type": "integer"}, {"type": "null"}]},
    {"not": {"type": "string"}, "allOf": [{"maximum": 10}, {"exclusiveMinimum": -1}]},
    {"enum": [1, True, "a", None, [1, 2], {"k": 0}]},
    {"const": 0},
    {"type": "object", "patternProperties": {"^x_": {"type": "integer"}},
     "additionalProperties": {"type": "string", "maxLength": 2}, "properties": {"a": {"type": "boolean"}},
     "required": ["a"]},
    {"type": "array", "items": {"$ref": "#/$defs/cell"}, "minItems": 1, "maxItems": 3,
     "$defs": {"cell": {"type": ["integer", "null"], "minimum": 0}}},
    {"$ref": "#/$defs/node", "$defs": {"node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/node"},
                                                                               "v": {"type": "string", "minLength": 1}}}}},
]
ANY_JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(["a", "x_1", "x_y", "b", "next", "v", "k"]), inner, max_size=4)),
    max_leaves=10,
)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(range(len(SMALL_SCHEMAS))), ANY_JSON)
def test_compiler_matches_jsonschema_on_every_supported_keyword(i: int, instance: Any) -> None:
    schema = SMALL_SCHEMAS[i]
    assert compiled_errors(schema, instance) == reference_errors(schema, instance)


def test_unsupported_keywords_fall_back_to_jsonschema() -> None:
    schema = {"type": "object", "if": {"required": ["a"]}, "then": {"required": ["b"]}}
    with pytest.raises(Unsupported):
        compile_schema(schema)
    v = SchemaValidator(schema)
    assert not v.compiled and v.fallback_reason and "if" in v.fallback_reason
    (viol,) = v.violations({"a": 1})
    assert (viol.pointer, viol.keyword) == ("/b", "required")
    assert v.violations({"b": 1}) == []


def test_forced_jsonschema_and_compiled_give_the_same_violations() -> None:
    doc = document_2019()
    doc["requests"]["results"]["other"]["total"] = -1
    doc["active"]["procurement"]["amount_unit"] = 10000
    del doc["meta"]["format"]
    doc["meta"]["format"] = "2019"
    del doc["sections"]
    schema = load_schema("2019")
    fast = SchemaValidator(schema).violations(doc)
    slow = SchemaValidator(schema, force_jsonschema=True).violations(doc)
    assert sorted((v.pointer, v.keyword, v.label, v.zh) for v in fast) == \
        sorted((v.pointer, v.keyword, v.label, v.zh) for v in slow)
    assert {v.label for v in fast} == {"表三 / （六）其他处理 / 总计", "表二 / 政府集中采购 / 金额单位", "各部分"}
