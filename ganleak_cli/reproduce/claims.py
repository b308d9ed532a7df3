"""A preset's claims, checked against its runs' summaries: PASS, FAIL or MISSING.

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


def term_value(term: str, summaries: dict) -> tuple[float | None, str]:
    """A term's value (None when its metric is missing) and how it reads in the report."""
    ref = REFERENCE.match(term)
    if not ref:
        return float(term), term
    run, metric, sign, offset = ref.groups()
    value = (summaries.get(run) or {}).get(metric)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None, f"{run}.{metric} = missing"
    shown = f"{run}.{metric} = {value:.3g}"
    if sign:
        value = value + float(offset) if sign == "+" else value - float(offset)
    return float(value), shown


def judge(claim: dict, summaries: dict) -> Verdict:
    """Check one claim against ``summaries`` (run name → summary dict, None if unfinished)."""
    left, op, right = parse_check(claim["check"], summaries)
    (a, shown_a), (b, shown_b) = term_value(left, summaries), term_value(right, summaries)
    shown = "; ".join(s for s, t in ((shown_a, left), (shown_b, right)) if REFERENCE.match(t))
    if a is None or b is None:
        verdict = "MISSING"
    else:
        verdict = "PASS" if OPERATORS[op](a, b) else "FAIL"
    explain = claim.get("explain", "") if verdict == "FAIL" else ""
    if verdict == "MISSING":
        explain = "a run did not finish or did not report this metric (see its folder's log)"
    return Verdict(claim["claim"], claim["check"], shown, verdict, explain)
