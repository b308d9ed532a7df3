"""Three ways to turn the counts of one event into a lower bound on ε, side by side.

An audit runs a mechanism n times on D and n times on D′ and counts the runs that fall in an
event E: h_p of those where E is likelier (the numerator) and h_q of the others. Each estimator
below turns (h_p, h_q, n) into a lower bound on ε at confidence 1 − α; they differ in what they
assume:

* ``clopper-pearson`` assumes nothing beyond (ε, δ)-DP: P[M(D) ∈ E] ≤ e^ε·P[M(D′) ∈ E] + δ, so
  with a one-sided Clopper–Pearson lower bound on the first rate and an upper bound on the second,
  each at 1 − α/2, ε ≥ log((p_low − δ) / q_up) with probability ≥ 1 − α (union bound).
* ``bayesian`` treats the two rates as unknowns with Jeffreys priors, Beta(h + ½, n − h + ½)
  posteriors, and reports the α-quantile of the posterior of log((p − δ) / q) (Zanella-Béguelin
  et al. 2023): a credible bound, narrower than the union of two frequentist intervals for the
  same counts, but a statement about the posterior, not a frequentist guarantee.
* ``gdp`` assumes the mechanism's trade-off curve is Gaussian (μ-GDP, Dong, Roth & Su), as it is
  for the Gaussian mechanism and one DP-SGD step: a test with false-positive rate q and
  false-negative rate 1 − p then satisfies μ ≥ Φ⁻¹(p) − Φ⁻¹(q), and with p_low, q_up as above
  the μ lower bound converts to ε at δ through the exact μ-GDP privacy profile (Nasr et al. 2023).
  For a pure ε-DP claim (δ = 0) μ-GDP implies no finite ε, so it does not apply.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import optimize, stats

POSTERIOR_DRAWS = 200_000


def cp_lower(hits, n: int, alpha: float) -> np.ndarray:
    """One-sided Clopper–Pearson lower bound on a rate, at confidence 1 − alpha."""
    hits = np.asarray(hits, dtype=float)
    out = stats.beta.ppf(alpha, np.maximum(hits, 1.0), n - hits + 1.0)
    return np.where(hits > 0, out, 0.0)


def cp_upper(hits, n: int, alpha: float) -> np.ndarray:
    """One-sided Clopper–Pearson upper bound on a rate, at confidence 1 − alpha."""
    hits = np.asarray(hits, dtype=float)
    out = stats.beta.ppf(1.0 - alpha, hits + 1.0, np.maximum(n - hits, 1.0))
    return np.where(hits < n, out, 1.0)


def clopper_pearson(hits_p, hits_q, n: int, alpha: float, delta: float) -> np.ndarray:
    """log((p_low − δ) / q_up), each bound at 1 − alpha/2; 0 where it is not positive."""
    lower = cp_lower(hits_p, n, alpha / 2.0) - delta
    upper = cp_upper(hits_q, n, alpha / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(lower > 0, np.log(np.maximum(lower, 1e-300) / upper), 0.0)
    return np.maximum(ratio, 0.0)


def gdp_mu(hits_p, hits_q, n: int, alpha: float) -> np.ndarray:
    """Lower bound on μ, Φ⁻¹(p_low) − Φ⁻¹(q_up) with both rates at 1 − alpha/2; 0 where not
    positive."""
    lower = np.clip(cp_lower(hits_p, n, alpha / 2.0), 1e-300, 1.0 - 1e-16)
    upper = np.clip(cp_upper(hits_q, n, alpha / 2.0), 1e-300, 1.0 - 1e-16)
    return np.maximum(stats.norm.ppf(lower) - stats.norm.ppf(upper), 0.0)


def gdp_delta(epsilon: float, mu: float) -> float:
    """δ(ε) of μ-GDP: Φ(−ε/μ + μ/2) − e^ε·Φ(−ε/μ − μ/2), the second term in log space."""
    first = stats.norm.cdf(-epsilon / mu + mu / 2.0)
    second = math.exp(epsilon + stats.norm.logcdf(-epsilon / mu - mu / 2.0))
    return first - second


def crossing(excess: Callable[[float], float], xtol: float) -> float:
    """Where a decreasing ``excess(ε)`` crosses 0 for ε ≥ 0 (0 when it is not positive at 0):
    the bracket doubles from [0, 1] until the sign changes, then Brent's method."""
    if excess(0.0) <= 0:
        return 0.0
    high = 1.0
    while excess(high) > 0:
        high *= 2.0
    return float(optimize.brentq(excess, high / 2.0 if high > 1 else 0.0, high, xtol=xtol))


def gdp_epsilon(mu: float, delta: float) -> float:
    """The smallest ε with δ(ε) ≤ δ for μ-GDP (0 when μ = 0 or δ(0) ≤ δ)."""
    if mu <= 0.0:
        return 0.0
    return crossing(lambda e: gdp_delta(e, mu) - delta, 1e-10)


def gdp(hits_p, hits_q, n: int, alpha: float, delta: float) -> np.ndarray:
    """ε at δ implied by the μ lower bound (vectorised over the counts)."""
    mus = gdp_mu(hits_p, hits_q, n, alpha)
    out = np.array([gdp_epsilon(float(mu), delta) for mu in np.ravel(mus)])
    return out.reshape(np.shape(mus))


def bayesian(hits_p, hits_q, n: int, alpha: float, delta: float, seed: int = 0) -> float:
    """α-quantile of the posterior of log((p − δ) / q) under Jeffreys priors (0 if negative)."""
    rng = np.random.default_rng(seed)
    p = rng.beta(hits_p + 0.5, n - hits_p + 0.5, POSTERIOR_DRAWS) - delta
    q = rng.beta(hits_q + 0.5, n - hits_q + 0.5, POSTERIOR_DRAWS)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.where(p > 0, np.log(np.maximum(p, 1e-300) / q), -np.inf)
    return max(float(np.quantile(log_ratio, alpha)), 0.0)


@dataclass(frozen=True)
class Estimator:
    """An estimator's bound on final counts, the score its event search maximises (vectorised
    over thresholds; the Bayesian one searches with Clopper–Pearson's), and whether it needs
    δ > 0."""

    bound: Callable[..., float]
    search_score: Callable[..., np.ndarray]
    needs_delta: bool
    assumes: str


ESTIMATORS = {
    "clopper-pearson": Estimator(
        lambda hp, hq, n, a, d, seed: float(clopper_pearson(hp, hq, n, a, d)),
        clopper_pearson, False, "assumes (ε, δ)-DP only"),
    "bayesian": Estimator(
        lambda hp, hq, n, a, d, seed: bayesian(hp, hq, n, a, d, seed),
        clopper_pearson, False, "a credible bound, Jeffreys priors"),
    "gdp": Estimator(
        lambda hp, hq, n, a, d, seed: float(gdp(hp, hq, n, a, d)),
        lambda hp, hq, n, a, d: gdp_mu(hp, hq, n, a), True,
        "assumes a Gaussian trade-off curve (μ-GDP)"),
}


def applicable(delta: float) -> tuple[str, ...]:
    """The estimators that apply to a claim with this δ (GDP only when δ > 0)."""
    return tuple(name for name, est in ESTIMATORS.items() if delta > 0 or not est.needs_delta)
