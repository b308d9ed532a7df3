"""Two estimators of ε from canary scores of one run: the one-run estimator of Steinke, Nasr &
Jagielski (2023), which assumes nothing beyond (ε, δ)-DP, and a Gaussian-DP one, which assumes the
run's trade-off curve is Gaussian (as the CLT makes it for DP-SGD's many steps).

One run.
m canaries are each included with probability ½, independently; after the run the auditor
scores each one, guesses "included" for the k highest scores and "excluded" for the k lowest,
and counts its correct guesses v out of r = 2k. If the run is (ε, δ)-DP in each canary, then
P[v' ≥ v] ≤ P[Bin(r, e^ε/(1 + e^ε)) ≥ v] + 2mδ·max_i (P[Bin ≥ v − i] − P[Bin ≥ v]) / i
(their Theorem 5.2), so the largest ε at which that p-value stays at or below α is a lower bound
on ε with confidence 1 − α. The number of guesses is not tuned on the same scores: every k of a
fixed grid is tried, guessing both ends or only the top (where most scores tie, as when few
canaries are ever released), and α is split among them (Bonferroni), so the bound stays valid.

Gaussian DP. The included canaries' scores against the excluded ones are two samples of the
run's output on neighbours (one canary in or out): ``estimators.gdp`` bounds μ from a threshold
event chosen on half of them, and converts μ to ε at δ. Much tighter for DP-SGD — it reads μ from
central events instead of needing the rare ones — but only as valid as the Gaussian assumption.
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

from ganleak_cli.audit.estimators import crossing
from ganleak_cli.audit.events import epsilon_lower_bound

GUESS_FRACTIONS = (0.01, 0.02, 0.05, 0.1, 0.2)


def p_value(m: int, guesses: int, correct: int, epsilon: float, delta: float) -> float:
    """P[at least ``correct`` of ``guesses`` right] under (ε, δ)-DP with m canaries."""
    q = special.expit(epsilon)
    beta = stats.binom.sf(correct - 1, guesses, q)
    if delta == 0 or correct == 0:
        return float(beta)
    i = np.arange(1, correct + 1)
    alpha = np.max((stats.binom.sf(correct - i - 1, guesses, q) - beta) / i, initial=0.0)
    return float(min(beta + alpha * delta * 2 * m, 1.0))


def epsilon_bound(m: int, guesses: int, correct: int, alpha: float, delta: float) -> float:
    """The largest ε whose p-value is ≤ alpha (0 when even ε = 0 is not rejected)."""
    if guesses == 0:
        return 0.0
    return crossing(lambda eps: alpha - p_value(m, guesses, correct, eps, delta), 1e-6)


def guesses(included: np.ndarray, order: np.ndarray, k: int, both: bool) -> tuple[int, int]:
    """(guesses, correct): "in" for the k highest scores, and "out" for the k lowest if both."""
    correct = int(included[order[-k:]].sum())
    if both:
        correct += int((~included[order[:k]]).sum())
    return (2 * k if both else k), correct


def audit_scores(scores: np.ndarray, included: np.ndarray, confidence: float,
                 delta: float) -> dict:
    """The best bound over the grid of guesses (α split evenly), with its counts."""
    m = len(scores)
    order = np.argsort(scores, kind="stable")
    grid = [(max(1, int(f * m)), both) for f in GUESS_FRACTIONS for both in (True, False)]
    alpha = (1.0 - confidence) / len(grid)
    best = {"epsilon_lower_bound": -1.0}
    for k, both in grid:
        made, correct = guesses(included, order, k, both)
        bound = epsilon_bound(m, made, correct, alpha, delta)
        if bound > best["epsilon_lower_bound"]:
            best = {"epsilon_lower_bound": bound, "guesses": made, "correct": correct}
    return {**best, "canaries": m, "included": int(included.sum())}


def gdp_scores(scores: np.ndarray, included: np.ndarray, confidence: float, delta: float,
               seed: int = 0) -> dict:
    """ε at δ from the μ lower bound between the included and the excluded canaries' scores
    (equal numbers of each, the surplus dropped at random; event searched on half)."""
    rng = np.random.default_rng(seed)
    inside, outside = rng.permutation(scores[included]), rng.permutation(scores[~included])
    n = min(len(inside), len(outside))
    bound = epsilon_lower_bound(("score",), inside[:n, None], outside[:n, None], confidence,
                                delta, "gdp")
    return {"epsilon_lower_bound": bound.epsilon_lower_bound, "event": bound.event.describe(),
            "held_out": bound.samples, "hits_numerator": bound.hits_numerator,
            "hits_denominator": bound.hits_denominator}
