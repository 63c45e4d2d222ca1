"""Reports rendered ahead by batch workers (``render_report``) and stitched by the reporter give,
byte for byte, the output of rendering the whole run at once — for every built-in format."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from _reporting import SHARED, checker, seeds

from gipcheck import api
from gipcheck.batch import run_batch
from gipcheck.config import Settings
from gipcheck.engine.model import Problem, RenderedReport, RunResult
from gipcheck.report import BUILTIN_NAMES, get_reporter

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The seeds, a pair of one organ's consecutive years (paired within the batch), unreadable
    files of several kinds, a file name with markup and a bidi override in it, and a missing file."""
    d = tmp_path_factory.mktemp("pieces")
    for p in seeds():
        shutil.copyfile(p, d / p.name)
    for name in ("county_gov_2023.txt", "county_gov_2024.txt"):
        if (EXAMPLES / name).is_file():
            shutil.copyfile(EXAMPLES / name, d / name)
    (d / "zz_empty.txt").write_bytes(b"")
    (d / "zz_binary.txt").write_bytes(bytes(range(256)) * 8)
    (d / "zz_broken.pdf").write_bytes(b"%PDF-1.4 not really\x00\xff" * 8)
    (d / "zz_<b>&\u202e.txt").write_bytes(seeds()[0].read_bytes())
    return [str(d), str(d / "missing.txt")]


def _run(inputs: list[str], jobs: int, render: tuple[str, dict[str, Any]] | None = None) -> RunResult:
    return run_batch(inputs, checker=checker(), progress=None, settings=Settings(), jobs=jobs, full=False,
                     render=render)


@pytest.fixture(scope="module")
def whole(inputs: list[str]) -> RunResult:
    """The run as reporters get it without rendering ahead (slim results, the report text kept)."""
    return _run(inputs, jobs=1)


@pytest.mark.parametrize("fmt", BUILTIN_NAMES)
@pytest.mark.parametrize("lang, jobs", [("zh", 1), ("en", 1), ("zh", 2)])
def test_stitched_output_equals_the_whole_run_rendering(fmt: str, lang: str, jobs: int, inputs: list[str],
                                                        whole: RunResult) -> None:
    run = _run(inputs, jobs, render=(fmt, {"lang": lang, "color": False}))
    # every report came back rendered (unreadable ones too): the stitching is what is compared
    assert all(isinstance(r, RenderedReport) and fmt in r.pieces for r in run.reports)
    assert [r.source for r in run.reports] == [r.source for r in whole.reports]
    assert {Path(r.source).name for r in run.reports if not r.readable} == {
        "zz_empty.txt", "zz_binary.txt", "zz_broken.pdf", "missing.txt"}
    assert any("PREV_PAIRED" in json.dumps(r.notes) for r in whole.reports)
    expected = api.render(whole, fmt, lang=lang)
    assert api.render(run, fmt, lang=lang) == expected
    # a run mixing reports rendered ahead and reports rendered whole (as when a worker's piece failed)
    mixed = RunResult(reports=[w if i % 2 else r for i, (r, w) in enumerate(zip(run.reports, whole.reports, strict=True))],
                      problems=run.problems, rules=run.rules)
    assert api.render(mixed, fmt, lang=lang) == expected


def test_stitched_sarif_validates_and_equals_the_log_as_a_dict(inputs: list[str], whole: RunResult) -> None:
    import jsonschema

    from gipcheck.report import sarif

    schema_path = SHARED / "reference" / "sarif-schema-2.1.0.json"
    if not schema_path.is_file():
        pytest.skip("../shared/reference/sarif-schema-2.1.0.json is absent")
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    run = _run(inputs, 2, render=("sarif", {"lang": "zh", "color": False}))
    run.problems.append(Problem("plugin", "PLUGIN_X", "插件出错 <&>", {"plugin": "demo"}))
    whole_with_problem = RunResult(reports=whole.reports, problems=run.problems, rules=whole.rules)
    text = sarif.render(run, {"lang": "zh"})
    jsonschema.validators.validator_for(schema)(schema).validate(json.loads(text))
    for r in (whole_with_problem, RunResult(reports=[]), RunResult(reports=whole.reports[:1])):
        assert sarif.render(r, {"lang": "en"}) == json.dumps(sarif.build(r, {"lang": "en"}), ensure_ascii=False,
                                                             indent=1)
    assert text == sarif.render(whole_with_problem, {"lang": "zh"})


@pytest.mark.parametrize("fmt", ["sarif", "junit"])
def test_a_report_naming_a_rule_outside_the_catalogue_is_left_to_the_whole_rendering(fmt: str,
                                                                                       whole: RunResult) -> None:
    import importlib

    module = importlib.import_module(f"gipcheck.report.{fmt}")
    rep = next(r for r in whole.reports if r.findings)
    catalog = {k: v for k, v in whole.rules.items() if k != rep.findings[0].rule}
    with pytest.raises(LookupError):
        module.render_report(rep, {"lang": "zh", "rules": catalog, "index": 0})


@pytest.mark.parametrize("fmt", ["sarif", "html"])
def test_a_piece_in_another_place_than_it_was_rendered_for_is_refused(fmt: str, inputs: list[str]) -> None:
    run = _run(inputs, 1, render=(fmt, {"lang": "zh", "color": False}))
    run.reports[0], run.reports[1] = run.reports[1], run.reports[0]
    with pytest.raises(ValueError, match="given as report 0"):
        get_reporter(fmt)(run, {"lang": "zh"})


def test_the_indenting_encoder_writes_what_json_dumps_writes() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from gipcheck.report._common import dumps_indented

    scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
    keys = st.text() | st.integers() | st.none() | st.booleans()  # json converts a non-text key itself
    values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                          | st.dictionaries(keys, inner, max_size=4), max_leaves=25)

    @settings(max_examples=400, deadline=None)
    @given(values, st.integers(0, 6))
    def check(value: Any, level: int) -> None:
        expected = json.dumps(value, ensure_ascii=False, indent=1).replace("\n", "\n" + " " * level)
        assert dumps_indented(value, level) == expected

    check()


def test_rendered_report_keeps_what_it_kept(whole: RunResult) -> None:
    for r in whole.reports:
        rr = RenderedReport.of(r, {"json": "{}"})
        assert (rr.source, rr.not_evaluated, rr.problems, rr.pieces, rr.tally) == (
            r.source, r.not_evaluated, r.problems, {"json": "{}"}, r.counts())
        assert rr.document == (None if r.document is None else {"meta": r.document.get("meta", {})})
        assert (rr.locations, rr.findings, rr.passed, rr.notes, rr.text) == ({}, [], [], [], None)
