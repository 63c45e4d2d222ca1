"""``all k in CONST: k in keys(X)`` looks at X once (runtime.fused_key_members): compiled with the
fused paths and without (comp.FUSE), both must give the same value, status, evidence, reads and
steps on the seeds and on objects with missing, extra, many or odd keys, blanks and tight budgets.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gipcheck.document import canon

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the shared fast-path helpers beside this file
from fastpaths import check_pairs, compile_pair, summary  # noqa: E402

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
EXPRS = [
    # S-T4-COLS as the national pack writes it
    "all b in review_blocks: present(review[b]) and (all k in review_columns: k in keys(review[b]))",
    "all b in review_blocks: all k in review_columns: k in keys(review[b])",
    'all k in ["upheld", "total"]: k in keys(review.reconsideration)',
    "all r in rows(requests): all c in columns: c in keys(r)",
    # S-T3-COLS: the loop only runs when a row has not 7 keys
    "all r in rows(requests): len(keys(r)) == 7 or (all c in columns: c in keys(r))",
]
PAIRS = [compile_pair(e) for e in EXPRS]
KEY = st.one_of(st.sampled_from([*canon.REVIEW_COLUMNS, *canon.REQUEST_COLUMNS]), st.sampled_from(["x", "labels"]),
                st.integers(0, 3), st.none(), st.booleans())
BLOCK = st.one_of(
    st.dictionaries(KEY, st.one_of(st.integers(0, 3), st.none()), max_size=8),
    st.fixed_dictionaries({c: st.integers(0, 3) for c in canon.REVIEW_COLUMNS}),
    st.dictionaries(st.text("abc", min_size=1, max_size=3), st.integers(0, 1), min_size=14, max_size=20),
    st.sampled_from([None, 3, "x", [1], []]),
    # every column and enough others to pass 16 keys, where `in` on the key list charges steps
    st.builds(lambda extra: {**{c: 0 for c in canon.REVIEW_COLUMNS}, **extra},
              st.dictionaries(st.text("xyz", min_size=2, max_size=4), st.integers(0, 1), min_size=9, max_size=14)),
)


def _check_same(doc: dict[str, Any], budget: int) -> None:
    for fused, c, _b in check_pairs(PAIRS, doc, budget):
        if c is not None:
            assert summary(c) == summary(fused.evaluate(doc, budget=budget, shared={}))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(list(canon.REVIEW_BLOCKS) + ["x"]), BLOCK, max_size=4),
       st.dictionaries(st.sampled_from(["new", "carried_over", "total"]), BLOCK, max_size=3),
       st.sampled_from([100_000, 3, 10, 25, 40]))
def test_key_members_change_no_outcome(review: dict[str, Any], requests: dict[str, Any], budget: int) -> None:
    _check_same({"review": review, "requests": requests}, budget)


def test_seeds_agree_and_take_the_fast_path() -> None:
    from gipcheck.load import load_path

    files = sorted((SHARED / "seeds").glob("*.txt"))
    if not files:
        pytest.skip("no seeds beside the checkout (../shared/seeds)")
    fused, plain = PAIRS[0]
    for f in files:
        doc = load_path(f).document
        for budget in (100_000, 5, 12, 20):
            _check_same(doc, budget)
        # the fast path is taken: one closure call for the inner loop instead of one per column
        a = fused.evaluate(doc, shared={})
        b = plain.evaluate(doc, shared={})
        assert a.status == b.status == "pass" and a.steps == b.steps
