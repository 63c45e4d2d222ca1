"""A well-behaved test plugin implementing every gipcheck hook, as a province plugin would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gipcheck.plugins import hookimpl

HERE = Path(__file__).resolve().parent
PACK = HERE / "rules"
FACTS = HERE / "facts.yaml"
CONFIGURED: list[dict[str, Any]] = []  # what gipcheck_configure was given, for the tests


def twice(x: Any) -> Any:
    """gipfix_twice(x): 2 × x."""
    return 2 * x


def sniff(head: bytes, path: str) -> float:
    return 0.99 if head.startswith(b"GIPFIX REPORT") else 0.0


def load(data: bytes, path: str, options: dict[str, Any]) -> Any:
    from gipcheck.load.base import LoadedReport

    text = data.decode("utf-8")
    organ = text.splitlines()[1].strip()
    return LoadedReport(document={"meta": {"organ": organ, "year": 2024, "region": None}}, text=text)


def render(run: Any, options: dict[str, Any]) -> str:
    return f"{len(run.reports)} report(s)"


@hookimpl
def gipcheck_register_loaders(register):
    register("gipfix", sniff, load, media_types=("text/plain",), extensions=(".gipfix",), priority=5,
             doc="GIPFIX test reports")


@hookimpl
def gipcheck_register_rule_packs(register):
    register(PACK, region="测试省")


@hookimpl
def gipcheck_register_functions(register):
    register("gipfix_twice", twice, min_args=1, max_args=1, cost=2, doc="gipfix_twice(x): 2 × x")


@hookimpl
def gipcheck_register_reporters(register):
    register("gipfix-count", render, media_type="text/plain", extension=".txt", doc="number of reports")


@hookimpl
def gipcheck_register_fact_patterns(register):
    register(FACTS)


@hookimpl
def gipcheck_config_defaults():
    return {"gipfix.threshold": 3}


@hookimpl
def gipcheck_configure(config):
    CONFIGURED.append(dict(config))


@hookimpl
def gipcheck_enrich_document(loaded, config):
    meta = loaded.document.setdefault("meta", {})
    if "测试" in (meta.get("organ") or "") and not meta.get("region"):
        meta["region"] = {"province": "测试省", "city": None, "county": None}


@hookimpl
def gipcheck_detect_layout(text, document):
    if "GIPFIX-LAYOUT" in text:
        return {"name": "gipfix", "plugin": "gipfix-layout-reader", "confidence": 0.9,
                "zh": "测试版式", "en": "test layout"}
    return None
