"""Recover table cells from digit strings whose cells were run together.

Some web pages lose the cell borders of the three fixed tables, so a row reads
"一、本年新收政府信息公开申请数量15130000154" (151, 3, 0, 0, 0, 0, 154). This module cuts such
runs back into cells using nothing but the table's own constraints:

* numbers never have a leading zero (except "0" itself), so "007" can only be 0/0/7;
* table 三: every row's 总计 is the sum of its six applicant columns, and per column
  新收 + 上年结转 = (七)总计 + 结转下年 and (七)总计 = the sum of the result rows;
* table 四: each block's 总计 is the sum of its four result columns;
* table 二 has no arithmetic, so a multi-cell run is only recovered when it splits one way, or
  when numbers quoted in the prose ("hints") leave exactly one split.

A cell is only filled when every split consistent with the constraints gives the same value;
otherwise it stays ``None`` and the row gets a Chinese (and English) reason. Every search is
bounded by a work budget, so hostile input yields "ambiguous / limited", never a hang.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from gipcheck.document.canon import (
    ACTIVE_ROWS_2019,
    ACTIVE_ROWS_2021,
    REQUEST_COLUMNS,
    REVIEW_BLOCK_LABELS,
    REVIEW_BLOCKS,
    REVIEW_COLUMNS,
    ActiveRow,
    request_rows,
)

__all__ = [
    "MAX_CELL_DIGITS",
    "Recovery",
    "Splits",
    "recover_active",
    "recover_table3",
    "recover_table4",
    "splits",
    "sum_splits",
]

# No count in these tables has more than 12 digits; longer parts are not real cells.
MAX_CELL_DIGITS = 12
# Work units (search nodes) one recover_* call may spend before it gives up and reports ambiguity.
DEFAULT_BUDGET = 30_000
# Row-valid splits kept per table-三 row; more than this and the row is treated as unknown.
ROW_CANDIDATE_CAP = 200
# Complete column-constraint solutions enumerated before the search is declared too wide.
SOLUTION_CAP = 256
# Candidates kept in Recovery.candidates per ambiguous row, and shown in a reason.
CANDIDATES_KEPT = 20
CANDIDATES_SHOWN = 3

Number = int | float
Cells = list[int | float | None]

_FULLWIDTH = str.maketrans("０１２３４５６７８９－−．　", "0123456789--. ")
_NUMERIC = re.compile(r"-?[0-9]+$")
_UNIT = re.compile(r"\s*(万元|元)\s*$")


@dataclass
class Recovery:
    """What a recovery found.

    ``values``: row path → cells in canonical column order (``None`` = not recovered);
    ``ambiguous``: row path → reason (zh); ``recovered``: rows whose cells came from splitting;
    ``candidates``: the surviving splits of ambiguous rows (at most ``CANDIDATES_KEPT``);
    ``limited``: rows where a work cap stopped the search (they are also in ``ambiguous``);
    ``ambiguous_en``: the same reasons in English.
    """

    values: dict[str, Cells] = field(default_factory=dict)
    ambiguous: dict[str, str] = field(default_factory=dict)
    recovered: set[str] = field(default_factory=set)
    candidates: dict[str, list[list[int]]] = field(default_factory=dict)
    limited: set[str] = field(default_factory=set)
    ambiguous_en: dict[str, str] = field(default_factory=dict)

    def _unresolved(self, path: str, width: int, zh: str, en: str,
                    cands: Iterable[Sequence[Number]] = (), limited: bool = False) -> None:
        self.values[path] = [None] * width
        self.ambiguous[path] = zh
        self.ambiguous_en[path] = en
        kept = [list(c) for c in _take(cands, CANDIDATES_KEPT)]
        if kept:
            self.candidates[path] = kept  # type: ignore[assignment]
        if limited:
            self.limited.add(path)

    def _resolved(self, path: str, cells: Sequence[Number]) -> None:
        self.values[path] = list(cells)
        self.recovered.add(path)


class Splits(list):  # type: ignore[type-arg]
    """A list of splits (each a list of numbers) that also says whether it is the full list.

    ``complete`` is False when ``limit`` or the work budget stopped the enumeration;
    ``spaces_kept`` is True when every split honours the run's spaces as cell boundaries.
    """

    complete: bool = True
    spaces_kept: bool = False


class _Stop(Exception):
    """Raised inside a search when its limit or budget is reached."""


class _Budget:
    __slots__ = ("left", "hit", "share")

    def __init__(self, units: int) -> None:
        self.left = units
        self.hit = False
        self.share = max(1, units // 8)  # what one row may use, so one row cannot starve the rest

    def take(self, units: int = 1) -> None:
        self.left -= units
        if self.left < 0:
            self.hit = True
            raise _Stop


# ---------------------------------------------------------------- tokenising a run
@dataclass(frozen=True)
class _Run:
    text: str            # the run as given (for messages)
    s: str               # digits and '-' only
    spaces: tuple[int, ...]  # positions in s where a space stood (a likely cell boundary)
    minus: tuple[int, ...]   # positions in s of a '-' (a certain boundary, except at 0)


def _prepare(run: str) -> _Run | None:
    """Strip spaces (remembering where they were); None if the run has other characters."""
    chars: list[str] = []
    spaces: set[int] = set()
    for ch in run.translate(_FULLWIDTH):
        if ch.isspace():
            spaces.add(len(chars))
        elif ch in "0123456789-":
            chars.append(ch)
        else:
            return None
    s = "".join(chars)
    spaces.discard(0)
    spaces.discard(len(s))
    minus = tuple(i for i, ch in enumerate(s) if ch == "-" and i > 0)
    return _Run(run, s, tuple(sorted(spaces)), minus)


def _cuts(r: _Run, keep_spaces: bool) -> tuple[int, ...]:
    return tuple(sorted(set(r.minus) | set(r.spaces))) if keep_spaces else r.minus


def _value(s: str, i: int, j: int, may_sign: bool, max_len: int) -> int | None:
    """The number s[i:j] if it is a well-formed cell, else None."""
    neg = s[i] == "-"
    k = i + 1 if neg else i
    if neg and (not may_sign or j - k < 1):
        return None
    if j - k > max_len or (s[k] == "0" and j - k > 1) or "-" in s[k:j]:
        return None
    v = int(s[k:j])
    if neg:
        return -v if v else None  # "-0" is not a number anyone writes
    return v


def _enum(s: str, a: int, b: int, m: int, hard: Sequence[int], signed: Collection[int],
          max_len: int, cap: int | None, budget: _Budget,
          emit: Callable[[list[int]], None]) -> None:
    """Cut s[a:b] into m parts, calling emit(parts) for each; parts never cross a hard cut.

    With ``cap``, parts are non-negative and their running sum may not exceed cap (the search
    for a row whose last cell is the total of the others).
    """
    if m <= 0:
        return
    extra = 1 if signed else 0
    parts: list[int] = []

    def next_hard(pos: int) -> int:
        k = bisect_right(hard, pos)
        return hard[k] if k < len(hard) and hard[k] < b else b

    def rec(pos: int, k: int, acc: int) -> None:
        budget.take()
        left = m - k
        may_sign = k in signed
        if left == 1:
            if next_hard(pos) < b:
                return
            v = _value(s, pos, b, may_sign, max_len)
            if v is None or (cap is not None and acc + v > cap):
                return
            parts.append(v)
            emit(parts)
            parts.pop()
            return
        stop = min(b - (left - 1), pos + max_len + extra, next_hard(pos))
        for e in range(pos + 1, stop + 1):
            if b - e > (left - 1) * (max_len + extra):
                continue
            v = _value(s, pos, e, may_sign, max_len)
            if v is None:
                if s[pos] == "0" or (s[pos] == "-" and e - pos > 1):
                    break  # a leading zero or a bad sign only gets worse with length
                continue
            if cap is not None:
                if acc + v > cap:
                    break  # longer parts are larger
                if acc + v + _most(b - e, left - 1, max_len) < cap:
                    continue  # what is left cannot make up the total
            parts.append(v)
            rec(e, k + 1, acc + v)
            parts.pop()

    rec(a, 0, 0)


def _most(chars: int, parts: int, max_len: int) -> int:
    """An upper bound on the sum of ``parts`` numbers cut from ``chars`` digits."""
    return parts * (10 ** min(chars - parts + 1, max_len) - 1)


def _sum_enum(s: str, a: int, b: int, w: int, hard: Sequence[int], max_len: int,
              budget: _Budget, emit: Callable[[list[int]], None]) -> None:
    """Cut s[a:b] into w non-negative parts whose last is the sum of the others."""
    n = b - a
    for length in range(1, min(max_len, n - (w - 1)) + 1):
        t0 = b - length
        k = bisect_right(hard, t0)
        if k < len(hard) and hard[k] < b:
            continue  # a hard cut inside the total
        if t0 - a > (w - 1) * length:
            continue  # the other parts cannot each be ≤ the total
        if t0 - a < length - 1 + (w - 2):
            continue  # a sum of w-1 parts has at most one digit more than the longest part
        total = _value(s, t0, b, False, max_len)
        if total is None:
            continue
        budget.take()
        if _most(t0 - a, w - 1, length) < total:
            continue

        def done(parts: list[int], total: int = total) -> None:
            if sum(parts) == total:
                emit([*parts, total])

        _enum(s, a, t0, w - 1, hard, (), length, total, budget, done)


def _run_enum(r: _Run, n: int, keep_spaces: bool, sum_last: bool, signed: Collection[int],
              max_len: int, predicate: Callable[[list[int]], bool] | None, limit: int,
              budget: _Budget) -> Splits:
    out = Splits()
    out.spaces_kept = keep_spaces and bool(r.spaces)
    hard = _cuts(r, keep_spaces)

    def emit(parts: list[int]) -> None:
        if predicate is None or predicate(parts):
            out.append(list(parts))
            if len(out) >= limit:
                raise _Stop

    try:
        if sum_last:
            _sum_enum(r.s, 0, len(r.s), n, hard, max_len, budget, emit)
        else:
            _enum(r.s, 0, len(r.s), n, hard, frozenset(signed), max_len, None, budget, emit)
    except _Stop:
        out.complete = False
    return out


def _split_prefer_spaces(r: _Run, n: int, *, sum_last: bool, signed: Collection[int] = (),
                         max_len: int = MAX_CELL_DIGITS,
                         predicate: Callable[[list[int]], bool] | None = None,
                         limit: int = 10_000, budget: _Budget) -> Splits:
    """Splits that honour the spaces if any do, else splits that ignore them."""
    if not r.s or len(r.s) < n or len(r.s) > n * (max_len + 1):
        res = Splits()
        return res
    if len(r.s) == n and "-" not in r.s:  # one digit per cell: the common all-small row
        out = Splits()
        out.spaces_kept = bool(r.spaces)
        parts = [int(ch) for ch in r.s]
        if (not sum_last or parts[-1] == sum(parts[:-1])) and (predicate is None or predicate(parts)):
            out.append(parts)
        return out
    if r.spaces:
        first = _run_enum(r, n, True, sum_last, signed, max_len, predicate, limit, budget)
        if first or not first.complete:
            return first
    return _run_enum(r, n, False, sum_last, signed, max_len, predicate, limit, budget)


def _separated(run: str, n: int, signed: Collection[int] = ()) -> list[int] | None:
    """The cells of a run whose spaces already cut it into exactly n well-formed numbers."""
    tokens = run.translate(_FULLWIDTH).split()
    if len(tokens) != n:
        return None
    out = []
    for i, tok in enumerate(tokens):
        v = _value(tok, 0, len(tok), i in signed, MAX_CELL_DIGITS) if _NUMERIC.match(tok) else None
        if v is None:
            return None
        out.append(v)
    return out


def splits(run: str, n: int, *, predicate: Callable[[list[int]], bool] | None = None,
           limit: int = 10_000, signed: Collection[int] = (), spaces: str = "prefer",
           max_len: int = MAX_CELL_DIGITS, budget: int = DEFAULT_BUDGET) -> Splits:
    """All ways to cut ``run`` into ``n`` integers, filtered by ``predicate``.

    Numbers have no leading zero (except "0"); a '-' may start only the parts whose index is in
    ``signed``. Spaces are soft hints: with ``spaces="prefer"`` the splits that keep every space
    as a boundary are returned if there are any, else all splits; ``"require"`` / ``"ignore"``
    force one reading. At most ``limit`` splits and ``budget`` search steps; the result's
    ``complete`` attribute says whether the list is exhaustive.
    """
    r = _prepare(run)
    if r is None or n < 1:
        return Splits()
    b = _Budget(budget)
    if spaces == "prefer":
        return _split_prefer_spaces(r, n, sum_last=False, signed=signed, max_len=max_len,
                                    predicate=predicate, limit=limit, budget=b)
    if len(r.s) < n or len(r.s) > n * (max_len + 1):
        return Splits()
    return _run_enum(r, n, spaces == "require", False, signed, max_len, predicate, limit, b)


def sum_splits(run: str, n: int, *, limit: int = 10_000, spaces: str = "prefer",
               max_len: int = MAX_CELL_DIGITS, budget: int = DEFAULT_BUDGET) -> Splits:
    """Like :func:`splits` for a row whose last cell is the sum of the others, found with
    pruning (every part ≤ the total) rather than by filtering all splits."""
    r = _prepare(run)
    if r is None or n < 2 or "-" in (r.s if r else ""):
        return Splits()
    b = _Budget(budget)
    if spaces == "prefer":
        return _split_prefer_spaces(r, n, sum_last=True, max_len=max_len, limit=limit, budget=b)
    if len(r.s) < n or len(r.s) > n * max_len:
        return Splits()
    return _run_enum(r, n, spaces == "require", True, (), max_len, None, limit, b)


# ---------------------------------------------------------------- messages
def _take(items: Iterable[Sequence[Number]], k: int) -> list[Sequence[Number]]:
    out: list[Sequence[Number]] = []
    for it in items:
        if len(out) >= k:
            break
        out.append(it)
    return out


def _fmt_num(v: Number) -> str:
    return repr(v) if isinstance(v, float) else str(v)


def _show(cands: Sequence[Sequence[Number]]) -> str:
    shown = "、".join("/".join(_fmt_num(v) for v in c) for c in cands[:CANDIDATES_SHOWN])
    return shown + ("、…" if len(cands) > CANDIDATES_SHOWN else "")


def _show_en(cands: Sequence[Sequence[Number]]) -> str:
    shown = ", ".join("/".join(_fmt_num(v) for v in c) for c in cands[:CANDIDATES_SHOWN])
    return shown + (", …" if len(cands) > CANDIDATES_SHOWN else "")


def _msg_many(text: str, cands: Sequence[Sequence[Number]], complete: bool, why: str = "",
              why_en: str = "") -> tuple[str, str]:
    count = f"{len(cands)}" if complete else f"至少{len(cands)}"
    count_en = f"{len(cands)}" if complete else f"at least {len(cands)}"
    return (f"数字串“{text}”{why}可拆分为{count}种组合：{_show(cands)}，无法唯一确定",
            f"digit string '{text}' {why_en}splits {count_en} ways: {_show_en(cands)}; "
            "cannot tell which")


def _msg_none(text: str, what: str, what_en: str) -> tuple[str, str]:
    return (f"数字串“{text}”无法拆分为{what}", f"digit string '{text}' cannot be split into {what_en}")


def _msg_long(text: str, n: int) -> tuple[str, str]:
    digits = sum(ch.isdigit() for ch in text)
    return (f"数字串“{_clip(text)}”过长（{digits}位），超出{n}个单元格的合理范围，未拆分",
            f"digit string '{_clip(text)}' is too long ({digits} digits) for {n} cells; not split")


def _msg_limit(text: str) -> tuple[str, str]:
    return (f"数字串“{_clip(text)}”的拆分组合过多，超出搜索上限，无法唯一确定",
            f"digit string '{_clip(text)}' has too many possible splits (search limit reached)")


def _clip(text: str, k: int = 40) -> str:
    return text if len(text) <= k else text[:k] + "…"


# ---------------------------------------------------------------- table 三
_A_TERMS = (("requests.new", 1), ("requests.carried_over", 1),
            ("requests.results.total", -1), ("requests.carry_forward", -1))


def _table3_equations(paths: Sequence[str]) -> list[list[tuple[str, int]]]:
    """The two per-column balances of table 三 as (row, coefficient) lists summing to zero."""
    details = [p for p in paths if p.startswith("requests.results.") and p != "requests.results.total"]
    b_terms = [(p, 1) for p in details] + [("requests.results.total", -1)]
    return [list(_A_TERMS), b_terms]


def recover_table3(rows: Mapping[str, str], fmt: str | None, *,
                   known: Mapping[str, Sequence[int | None]] | None = None,
                   budget: int = DEFAULT_BUDGET) -> Recovery:
    """Recover table 三 rows given as digit runs (7 cells: six applicant columns + total).

    ``known`` holds rows whose cells were separated; they take part in the column balances but
    are not returned. Every row's total must equal the sum of its six cells; ambiguous rows are
    then decided by the column balances when exactly one value per row is consistent.
    """
    width = len(REQUEST_COLUMNS)
    paths = [r.path for r in request_rows(fmt)]
    known = dict(known or {})
    rec = Recovery()
    work = _Budget(budget)
    fixed: dict[str, Sequence[int | None]] = {p: list(v) for p, v in known.items() if len(v) == width}
    runs: dict[str, _Run] = {}
    variable: dict[str, Splits] = {}

    for path, run in rows.items():
        if path not in paths:
            rec.ambiguous[path] = f"表三没有这一行（{path}），数字串“{_clip(run)}”未处理"
            rec.ambiguous_en[path] = f"table 3 has no row {path}; digit string not used"
            continue
        r = _prepare(run)
        if r is None or not r.s:
            rec._unresolved(path, width, *_msg_none(run, "7个整数", "7 integers"))
            continue
        if "-" in r.s:
            rec._unresolved(path, width, *_msg_none(run, "7个非负整数", "7 non-negative integers"))
            continue
        if len(r.s) > width * MAX_CELL_DIGITS:
            rec._unresolved(path, width, *_msg_long(run, width), limited=True)
            continue
        cells = _separated(run, width)
        if cells is not None and min(cells) >= 0:
            fixed[path] = cells  # spaces already separate the cells
            rec.values[path] = list(cells)
            continue
        runs[path] = r
        cands = _row_candidates(r, width, work, keep_spaces=True)
        if not cands.complete:
            rec._unresolved(path, width, *_msg_limit(run), cands, limited=True)
        elif not cands:
            forced = _only_reading(r, width, work)
            if forced is not None:  # the digits allow one reading only: keep it, sum error and all
                fixed[path] = forced
                rec._resolved(path, forced)
                continue
            rec._unresolved(path, width, *_msg_none(run, "“总计=各列之和”的7个数",
                                                     "7 numbers whose total is the sum of the others"))
        elif len(cands) == 1:
            fixed[path] = cands[0]
            rec._resolved(path, cands[0])
        else:
            variable[path] = cands

    if not variable:
        return rec
    outcome = _column_search(paths, fixed, variable, work)
    if outcome is not None and not outcome[1] and any(variable[p].spaces_kept for p in variable):
        # Nothing fits while trusting the spaces: read the spaced runs without them and retry.
        loose = {p: _row_candidates(runs[p], width, work, keep_spaces=False) for p in variable}
        if all(c.complete and c for c in loose.values()):
            retry = _column_search(paths, fixed, loose, work)
            if retry is not None and retry[1]:
                variable, outcome = loose, retry
    _settle_table3(rec, rows, variable, outcome)
    rec.values = {p: rec.values[p] for p in [*paths, *rec.values] if p in rec.values}
    return rec


def _row_candidates(r: _Run, width: int, work: _Budget, keep_spaces: bool) -> Splits:
    def run(sub: _Budget) -> Splits:
        if keep_spaces:
            return _split_prefer_spaces(r, width, sum_last=True, limit=ROW_CANDIDATE_CAP + 1,
                                        budget=sub)
        return _run_enum(r, width, False, True, (), MAX_CELL_DIGITS, None,
                         ROW_CANDIDATE_CAP + 1, sub)

    res = _with_share(work, run)
    if len(res) > ROW_CANDIDATE_CAP:
        res.complete = False
        del res[ROW_CANDIDATE_CAP:]
    return res


def _only_reading(r: _Run, n: int, work: _Budget) -> list[int] | None:
    """The split of a run when its digits allow exactly one, whatever the sums say."""
    found = _with_share(work, lambda sub: _split_prefer_spaces(r, n, sum_last=False, limit=2,
                                                               budget=sub))
    return found[0] if len(found) == 1 and found.complete else None


def _with_share(work: _Budget, fn: Callable[[_Budget], Splits]) -> Splits:
    """Run one row's split on a slice of the budget, so one hostile row cannot starve the rest."""
    share = max(0, min(work.left, work.share))
    sub = _Budget(share)
    res = fn(sub)
    work.left -= share - max(sub.left, 0)
    return res


def _column_search(paths: Sequence[str], fixed: Mapping[str, Sequence[int | None]],
                   variable: Mapping[str, Sequence[Sequence[int]]],
                   work: _Budget) -> tuple[list[str], list[tuple[int, ...]]] | None:
    """All choices of one candidate per variable row that satisfy the column balances.

    Returns (variable rows in search order, solutions as candidate-index tuples), or None when
    the search hit its cap. Rows in no usable balance are left out of the order.
    """
    width = len(REQUEST_COLUMNS)
    order = [p for p in paths if p in variable]
    index = {p: i for i, p in enumerate(order)}
    consts: list[int] = []
    coefs: list[list[tuple[int, int, int]]] = []  # per equation: (var index, coef, column)
    for terms in _table3_equations(paths):
        for c in range(width):
            const, vs, ok = 0, [], True
            for p, k in terms:
                if p in variable:
                    vs.append((index[p], k, c))
                elif p in fixed and fixed[p][c] is not None:
                    const += k * fixed[p][c]  # type: ignore[operator]
                else:
                    ok = False  # a blank or missing cell: this balance says nothing
                    break
            if ok and vs:
                consts.append(const)
                coefs.append(vs)
    used = sorted({i for vs in coefs for i, _, _ in vs})
    if not used:
        return [], []  # no balance reaches these rows: every candidate survives
    neq = len(consts)
    # contrib[v][j][e]: what candidate j of variable v adds to equation e
    contrib: list[list[tuple[int, ...]]] = []
    for i in used:
        cands = variable[order[i]]
        rows_ = []
        for cand in cands:
            vec = [0] * neq
            for e, vs in enumerate(coefs):
                for vi, k, c in vs:
                    if vi == i:
                        vec[e] += k * cand[c]
            rows_.append(tuple(vec))
        contrib.append(rows_)
    nv = len(used)
    lo = [[0] * neq for _ in range(nv + 1)]
    hi = [[0] * neq for _ in range(nv + 1)]
    for v in range(nv - 1, -1, -1):
        for e in range(neq):
            col = [vec[e] for vec in contrib[v]]
            lo[v][e] = lo[v + 1][e] + min(col)
            hi[v][e] = hi[v + 1][e] + max(col)
    solutions: list[tuple[int, ...]] = []
    chosen: list[int] = []

    def dfs(v: int, resid: list[int]) -> None:
        work.take()
        if v == nv:
            if not any(resid):
                solutions.append(tuple(chosen))
                if len(solutions) > SOLUTION_CAP:
                    raise _Stop
            return
        lv, hv = lo[v + 1], hi[v + 1]
        for j, vec in enumerate(contrib[v]):
            nxt = [r + d for r, d in zip(resid, vec, strict=True)]
            if all(lv[e] <= -nxt[e] <= hv[e] for e in range(neq)):
                chosen.append(j)
                dfs(v + 1, nxt)
                chosen.pop()

    try:
        if all(lo[0][e] <= -consts[e] <= hi[0][e] for e in range(neq)):
            dfs(0, list(consts))
    except _Stop:
        return None
    return [order[i] for i in used], solutions


def _settle_table3(rec: Recovery, rows: Mapping[str, str], variable: Mapping[str, Splits],
                   outcome: tuple[list[str], list[tuple[int, ...]]] | None) -> None:
    width = len(REQUEST_COLUMNS)
    if outcome is None:
        for p, cands in variable.items():
            rec._unresolved(p, width, *_msg_limit(rows[p]), cands, limited=True)
        return
    searched, solutions = outcome
    for p, cands in variable.items():
        if p not in searched:
            zh, en = _msg_many(rows[p], cands, cands.complete, "按行合计", "by its row total ")
            rec._unresolved(p, width, zh, en, cands)
            continue
        i = searched.index(p)
        alive = sorted({s[i] for s in solutions})
        if len(alive) == 1:
            rec._resolved(p, cands[alive[0]])
        elif not alive:
            rec._unresolved(
                p, width,
                f"数字串“{rows[p]}”按行合计可拆分为{len(cands)}种组合：{_show(cands)}，"
                "但没有一种与表内列勾稽关系相符，无法确定",
                f"digit string '{rows[p]}' splits {len(cands)} ways by its row total "
                f"({_show_en(cands)}) but none fits the column balances", cands)
        else:
            kept = [cands[j] for j in alive]
            zh, en = _msg_many(rows[p], kept, True, "结合列勾稽关系仍", "still, with the column balances, ")
            rec._unresolved(p, width, zh, en, kept)


# ---------------------------------------------------------------- table 四
def recover_table4(run: str, *, hints: Mapping[str, Mapping[str, int]] | None = None,
                   budget: int = DEFAULT_BUDGET) -> Recovery:
    """Recover the 15 cells of table 四 from one run: three blocks of (upheld, corrected, other,
    pending, total), each total the sum of its four parts.

    Space-separated input with exactly 15 tokens is taken as the cells (not "recovered").
    ``hints`` (e.g. ``{"review.reconsideration": {"total": 36}}``) narrow ambiguous splits.
    """
    w = len(REVIEW_COLUMNS)
    paths = [f"review.{b}" for b in REVIEW_BLOCKS]
    rec = Recovery()
    cells = _separated(run, w * len(paths))
    if cells is not None and min(cells) >= 0:
        for k, p in enumerate(paths):
            rec.values[p] = list(cells[k * w:(k + 1) * w])
        return rec
    r = _prepare(run)

    def fail(zh: str, en: str, cands: Sequence[Sequence[int]] = (), limited: bool = False) -> Recovery:
        for k, p in enumerate(paths):
            rec._unresolved(p, w, zh, en, [c[k * w:(k + 1) * w] for c in cands], limited)
        return rec

    if r is None or not r.s or "-" in r.s:
        return fail(*_msg_none(run, "15个非负整数", "15 non-negative integers"))
    if len(r.s) > w * len(paths) * MAX_CELL_DIGITS:
        return fail(*_msg_long(run, w * len(paths)), limited=True)
    ok = _hint_filter(paths, REVIEW_COLUMNS, hints)
    work = _Budget(budget)
    sols = _blocks(r, len(paths), w, True, ok, work) if r.spaces else None
    if sols is None or (not sols and sols.complete):
        sols = _blocks(r, len(paths), w, False, ok, work)
    if not sols.complete:
        return fail(*_msg_limit(run), sols, limited=True)
    if not sols:
        forced = _only_reading(r, w * len(paths), work)
        if forced is not None:  # one reading regardless of the sums: the checks will flag them
            for k, p in enumerate(paths):
                rec._resolved(p, forced[k * w:(k + 1) * w])
            return rec
        what = "3组“总计=各项之和”的5个数" + ("且与正文数字相符" if hints else "")
        return fail(*_msg_none(run, what, "three blocks of 5 numbers whose totals add up"))
    for k, p in enumerate(paths):
        blocks = sorted({tuple(s[k * w:(k + 1) * w]) for s in sols})
        if len(blocks) == 1:
            rec._resolved(p, blocks[0])
        else:
            label = REVIEW_BLOCK_LABELS[REVIEW_BLOCKS[k]]
            zh, en = _msg_many(run, blocks, True, f"中“{label['zh']}”一组",
                               f"({label['en']} block) ")
            rec._unresolved(p, w, zh, en, [list(b) for b in blocks])
    return rec


def _blocks(r: _Run, nblocks: int, w: int, keep_spaces: bool,
            accept: Callable[[list[int]], bool], work: _Budget) -> Splits:
    """All splits of the run into nblocks consecutive blocks of w cells, each summing up."""
    s, hard = r.s, _cuts(r, keep_spaces)
    n = len(s)
    out = Splits()
    out.spaces_kept = keep_spaces and bool(r.spaces)
    memo: dict[tuple[int, int], list[list[int]]] = {}

    def block(a: int, b: int) -> list[list[int]]:
        if (a, b) not in memo:
            found: list[list[int]] = []
            if w <= b - a <= w * MAX_CELL_DIGITS:
                _sum_enum(s, a, b, w, hard, MAX_CELL_DIGITS, work, lambda p: found.append(p))
            memo[(a, b)] = found
        return memo[(a, b)]

    def rec(a: int, k: int, acc: list[int]) -> None:
        if k == nblocks - 1:
            # the last block runs to the end of the string
            for tail in block(a, n):
                full = acc + tail
                if accept(full):
                    out.append(full)
                    if len(out) >= SOLUTION_CAP:
                        raise _Stop
            return
        for b in range(a + w, min(n - w * (nblocks - k - 1), a + w * MAX_CELL_DIGITS) + 1):
            work.take()
            for part in block(a, b):
                rec(b, k + 1, acc + part)

    try:
        rec(0, 0, [])
    except _Stop:
        out.complete = False
    return out


def _hint_filter(paths: Sequence[str], columns: Sequence[str],
                 hints: Mapping[str, Mapping[str, Number]] | None) -> Callable[[list[int]], bool]:
    checks: list[tuple[int, Number]] = []
    w = len(columns)
    for k, p in enumerate(paths):
        for col, v in (hints or {}).get(p, {}).items():
            if col in columns:
                checks.append((k * w + columns.index(col), v))
    return lambda cells: all(abs(cells[i] - v) < 1e-9 for i, v in checks)


# ---------------------------------------------------------------- table 二
def _active_spec(path: str, fmt: str | None) -> ActiveRow | None:
    for row in ACTIVE_ROWS_2019 if fmt == "2019" else ACTIVE_ROWS_2021:
        if row.path == path:
            return row
    return None


def _guess_active_format(rows: Mapping[str, str], widths: Mapping[str, int],
                         hints: Mapping[str, Mapping[str, Number]]) -> str:
    """2019 or 2021, from which format's rows and column counts fit the input."""
    def fits(fmt: str) -> int:
        score = 0
        for p in rows:
            spec = _active_spec(p, fmt)
            if spec is None:
                return -1
            score += len(spec.cells) == widths.get(p, len(spec.cells))
        for p, h in hints.items():
            spec = _active_spec(p, fmt)
            if spec is not None:
                score += sum(f in dict(spec.cells) for f in h)
        return score
    return "2019" if fits("2019") > fits("2021") else "2021"


def recover_active(rows: Mapping[str, str], widths: Mapping[str, int],
                   hints: Mapping[str, Mapping[str, Number]] | None = None, *,
                   fmt: str | None = None, budget: int = DEFAULT_BUDGET) -> Recovery:
    """Recover table 二 rows: ``rows`` path → run, ``widths`` path → number of cells, ``hints``
    path → {field: value quoted in the prose}.

    Table 二 has no sums, so a multi-cell run is recovered only when it splits exactly one way
    (e.g. "000", "007", "35-15") or exactly one split agrees with the hints. A money cell keeps
    its decimals ("4166.241619" is one cell); 本年增/减 may be negative.
    """
    hints = dict(hints or {})
    fmt = fmt or _guess_active_format(rows, widths, hints)
    rec = Recovery()
    work = _Budget(budget)
    for path, run in rows.items():
        spec = _active_spec(path, fmt)
        fields = [f for f, _ in spec.cells] if spec else []
        width = widths.get(path, len(fields))
        if width < 1:
            continue
        if len(fields) != width:
            fields = []  # the canonical columns do not match: hints cannot be placed
        money_last = bool(spec and spec.money and fields)
        signed = {i for i, f in enumerate(fields) if f == "delta"}
        checks = [(fields.index(f), v) for f, v in hints.get(path, {}).items() if f in fields]
        _active_row(rec, path, run, width, money_last, signed, checks, work)
    return rec


def _active_row(rec: Recovery, path: str, run: str, width: int, money_last: bool,
                signed: set[int], checks: list[tuple[int, Number]], work: _Budget) -> None:
    text = run.translate(_FULLWIDTH).strip()
    tokens = (_UNIT.sub("", text) if money_last else text).split()
    if len(tokens) == width and width > 1:  # spaces already separate the cells
        head = _separated(" ".join(tokens[:-1]), width - 1, signed)
        last = _separated(tokens[-1], 1, {0} if width - 1 in signed else ())
        if head is not None and money_last and re.fullmatch(r"(0|[1-9][0-9]*)\.[0-9]+", tokens[-1]):
            rec.values[path] = [*head, float(tokens[-1])]
            return
        if head is not None and last is not None:
            rec.values[path] = [*head, *last]
            return
    frac = ""
    if money_last:
        text = _UNIT.sub("", text)
        if text.count(".") == 1:
            text, frac = text.split(".")
            if not frac.isdigit():
                rec._unresolved(path, width, *_msg_none(run, f"{width}个数", f"{width} numbers"))
                return
    r = _prepare(text)
    if r is None or not r.s:
        rec._unresolved(path, width, *_msg_none(run, f"{width}个数", f"{width} numbers"))
        return
    if len(r.s) > width * (MAX_CELL_DIGITS + 1):
        rec._unresolved(path, width, *_msg_long(run, width), limited=True)
        return

    def finish(parts: list[int]) -> list[Number]:
        if not frac:
            return list(parts)
        last = float(f"{parts[-1]}.{frac}")
        return [*parts[:-1], last]

    found = _with_share(work, lambda sub: _split_prefer_spaces(
        r, width, sum_last=False, signed=signed, limit=1000, budget=sub))
    cands = [finish(p) for p in found]
    if not found.complete:
        rec._unresolved(path, width, *_msg_limit(run), cands, limited=True)
        return
    if not cands:
        rec._unresolved(path, width, *_msg_none(run, f"{width}个数", f"{width} numbers"))
        return
    if len(cands) == 1:
        rec._resolved(path, cands[0])
        return
    agree = [c for c in cands if all(abs(c[i] - v) < 1e-9 for i, v in checks)] if checks else []
    if len(agree) == 1:
        rec._resolved(path, agree[0])
        return
    if checks and not agree:
        zh, en = _msg_many(run, cands, True)
        zh = zh.replace("，无法唯一确定", "，但没有一种与正文所述数字相符，无法确定")
        en += " (none agrees with the numbers in the text)"
        rec._unresolved(path, width, zh, en, cands)
        return
    kept = agree or cands
    zh, en = _msg_many(run, kept, True, "结合正文数字仍" if checks else "",
                       "still, with the numbers in the text, " if checks else "")
    rec._unresolved(path, width, zh, en, kept)
