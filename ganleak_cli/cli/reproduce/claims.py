"""A preset's claims, checked against its runs' summaries: PASS, FAIL, UNCERTAIN or MISSING.

With several seeds a run has one summary per seed, and a claim is judged on the difference
between its two sides, seed by seed (a paired difference; a number on one side is the same for
every seed): PASS when the difference's 95 % t-interval lies wholly on the passing side, FAIL
when it lies wholly on the other, UNCERTAIN when it straddles the threshold. No verdict rests on
one seed's third decimal. With one seed there is no interval and the verdict is PASS or FAIL.

A check compares two terms: ``RUN.METRIC OP TERM`` where OP is one of ``>= <= > <`` and each
term is a number, ``RUN.METRIC`` (a key of that run's summary.json) or ``RUN.METRIC + NUMBER``
(``- NUMBER``), e.g. ``active.nn_ssim_heldout > passive.nn_ssim_heldout + 0.05``. Nothing is
evaluated as Python. A metric a run did not report (or a run that did not finish) makes the
verdict MISSING, which counts as not passed.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass

from ganleak_cli.core.tables import is_number
from ganleak_cli.report.intervals import interval

OPERATORS = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}
TERM = r"(?:[A-Za-z_][\w-]*\.[A-Za-z_]\w*(?:\s*[+-]\s*[0-9.eE+-]+)?|[-+]?[0-9.eE+-]+)"
CHECK = re.compile(rf"^\s*({TERM})\s*(>=|<=|>|<)\s*({TERM})\s*$")
REFERENCE = re.compile(r"^([A-Za-z_][\w-]*)\.([A-Za-z_]\w*)(?:\s*([+-])\s*([0-9.eE+-]+))?$")


class ClaimError(ValueError):
    """A check that cannot be parsed, or that names a run its preset does not have."""


@dataclass(frozen=True)
class Verdict:
    """One claim's outcome: the measured values it compared and PASS/FAIL/MISSING."""

    claim: str
    check: str
    measured: str
    verdict: str
    explain: str


def parse_check(check: str, runs) -> tuple:
    """(left term, operator, right term); a ClaimError names what is wrong."""
    match = CHECK.match(check)
    if not match:
        raise ClaimError(f"check {check!r}: expected 'RUN.METRIC OP VALUE' with OP one of "
                         f"{', '.join(OPERATORS)}")
    left, op, right = match.groups()
    for term in (left, right):
        ref = REFERENCE.match(term.strip())
        if ref and ref.group(1) not in runs:
            raise ClaimError(f"check {check!r}: no run named {ref.group(1)!r} "
                             f"(runs: {', '.join(runs)})")
    return left.strip(), op, right.strip()


def term_values(term: str, summaries: dict) -> tuple[list[float] | None, str]:
    """A term's value for every seed (None when a seed's metric is missing) and how it reads in
    the report (``run.metric = 0.578`` or ``run.metric = 0.578 ± 0.012 (3 seeds)``)."""
    ref = REFERENCE.match(term)
    if not ref:
        return [float(term)], term
    run, metric, sign, offset = ref.groups()
    runs = summaries.get(run)
    per_seed = runs if isinstance(runs, list) else [runs]
    values = [(s or {}).get(metric) for s in per_seed]
    if not values or any(not is_number(v) for v in values):
        return None, f"{run}.{metric} = missing"
    mean, half = interval(values)
    shown = f"{run}.{metric} = {mean:.3g}" + (f" ± {half:.2g} ({len(values)} seeds)"
                                                if len(values) > 1 else "")
    if sign:
        values = [v + float(offset) if sign == "+" else v - float(offset) for v in values]
    return [float(v) for v in values], shown


def decide(left: list[float], op: str, right: list[float]) -> tuple[str, str]:
    """The verdict of ``left OP right`` over seeds, and the difference's interval as text."""
    n = max(len(left), len(right))
    diffs = [(left[i] if len(left) > 1 else left[0]) - (right[i] if len(right) > 1 else right[0])
             for i in range(n)]
    if n == 1:
        return ("PASS" if OPERATORS[op](left[0], right[0]) else "FAIL"), ""
    mean, half = interval(diffs)
    low, high = mean - half, mean + half
    if op in ("<", "<="):
        low, high = -high, -low
    strict = op in (">", "<")
    passing = low > 0 if strict else low >= 0
    failing = high <= 0 if strict else high < 0
    verdict = "PASS" if passing else "FAIL" if failing else "UNCERTAIN"
    return verdict, f"difference {mean:+.3g} ± {half:.2g} (95 % interval, {n} seeds)"


def judge(claim: dict, summaries: dict) -> Verdict:
    """Check one claim against ``summaries`` (run name → its summary, or a list of one summary
    per seed; None where a run did not finish)."""
    left, op, right = parse_check(claim["check"], summaries)
    (a, shown_a), (b, shown_b) = term_values(left, summaries), term_values(right, summaries)
    shown = "; ".join(s for s, t in ((shown_a, left), (shown_b, right)) if REFERENCE.match(t))
    if a is None or b is None:
        verdict, spread = "MISSING", ""
    else:
        verdict, spread = decide(a, op, b)
    shown = "; ".join(part for part in (shown, spread) if part)
    explain = claim.get("explain", "") if verdict == "FAIL" else ""
    if verdict == "UNCERTAIN":
        explain = "the difference's 95 % interval over the seeds straddles the threshold"
    if verdict == "MISSING":
        explain = "a run did not finish or did not report this metric (see its folder's log)"
    return Verdict(claim["claim"], claim["check"], shown, verdict, explain)
