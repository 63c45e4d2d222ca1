"""Rule packs and the engine that evaluates them on a loaded report."""

from gipcheck.engine.engine import applies_to, build_finding, evaluate, fmt_value, pointer_label
from gipcheck.engine.examples import ExampleResult, run_examples
from gipcheck.engine.packs import Example, Pack, Rule, default_pack_dirs, load_pack, load_packs

__all__ = [
    "Example", "ExampleResult", "Pack", "Rule", "applies_to", "build_finding", "default_pack_dirs", "evaluate",
    "fmt_value", "load_pack", "load_packs", "pointer_label", "run_examples",
]
