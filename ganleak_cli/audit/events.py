"""A lower bound on ε from samples of a mechanism's outputs on two neighbouring inputs.

An (ε, δ)-DP mechanism M satisfies, for every event E and neighbours D, D′,
P[M(D) ∈ E] ≤ e^ε·P[M(D′) ∈ E] + δ, hence ε ≥ log((P[M(D) ∈ E] − δ) / P[M(D′) ∈ E]). With a
one-sided Clopper–Pearson lower bound on the first rate and an upper bound on the second, each
at confidence 1 − α/2, the log ratio is a lower bound on ε that holds with probability ≥ 1 − α
(union bound).

The events are thresholds on scalar features of the output, {f_k ≥ t} and {f_k ≤ t}, in both
directions (D over D′ and D′ over D). As in DP-Sniper / DP-Auditorium, the event is chosen on
the first half of the samples and the bound is computed on the held-out second half only, so
that searching many events does not inflate it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

MAX_THRESHOLDS = 256


@dataclass(frozen=True)
class Event:
    """{feature ≥ threshold} (``above``) or {feature ≤ threshold}; ``forward``: the rate on D
    is the numerator (else the rate on D′ is)."""

    feature: str
    threshold: float
    above: bool
    forward: bool

    def describe(self) -> str:
        """E.g. ``P[value_j >= 0.5 | D] / P[… | D']``."""
        sign = ">=" if self.above else "<="
        first, second = ("D", "D'") if self.forward else ("D'", "D")
        return f"P[{self.feature} {sign} {self.threshold:.6g} | {first}] / P[… | {second}]"


@dataclass(frozen=True)
class Bound:
    """ε lower bound with the held-out counts it came from."""

    epsilon_lower_bound: float
    confidence: float
    event: Event
    hits_numerator: int
    hits_denominator: int
    samples: int


def cp_lower(hits: np.ndarray, n: int, alpha: float) -> np.ndarray:
    """One-sided Clopper–Pearson lower bound on a rate, at confidence 1 − alpha."""
    hits = np.asarray(hits, dtype=float)
    out = stats.beta.ppf(alpha, np.maximum(hits, 1.0), n - hits + 1.0)
    return np.where(hits > 0, out, 0.0)


def cp_upper(hits: np.ndarray, n: int, alpha: float) -> np.ndarray:
    """One-sided Clopper–Pearson upper bound on a rate, at confidence 1 − alpha."""
    hits = np.asarray(hits, dtype=float)
    out = stats.beta.ppf(1.0 - alpha, hits + 1.0, np.maximum(n - hits, 1.0))
    return np.where(hits < n, out, 1.0)


def log_ratio_bound(hits_p, hits_q, n: int, alpha: float, delta: float) -> np.ndarray:
    """log((lower(p) − δ) / upper(q)), each bound at 1 − alpha/2; 0 where it is not positive."""
    lower = cp_lower(hits_p, n, alpha / 2.0) - delta
    upper = cp_upper(hits_q, n, alpha / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(lower > 0, np.log(np.maximum(lower, 1e-300) / upper), 0.0)
    return np.maximum(ratio, 0.0)


def candidate_thresholds(values: np.ndarray) -> np.ndarray:
    """Every distinct value when there are few (counts, indicators), else quantiles."""
    distinct = np.unique(values)
    if distinct.size <= MAX_THRESHOLDS:
        return distinct
    return np.unique(np.quantile(values, np.linspace(0.0, 1.0, MAX_THRESHOLDS)))


def _hits(values: np.ndarray, thresholds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How many values are ≥ each threshold and ≤ each threshold."""
    ordered = np.sort(values)
    above = ordered.size - np.searchsorted(ordered, thresholds, side="left")
    below = np.searchsorted(ordered, thresholds, side="right")
    return above, below


def _scored_events(name, x, y, alpha, delta):
    """Every threshold event on one feature, with its bound on (x, y)."""
    thresholds = candidate_thresholds(np.concatenate([x, y]))
    x_above, x_below = _hits(x, thresholds)
    y_above, y_below = _hits(y, thresholds)
    n = x.size
    for above, hx, hy in ((True, x_above, y_above), (False, x_below, y_below)):
        for forward, hp, hq in ((True, hx, hy), (False, hy, hx)):
            scores = log_ratio_bound(hp, hq, n, alpha, delta)
            best = int(np.argmax(scores))
            yield scores[best], Event(name, float(thresholds[best]), above, forward)


def search_event(features: tuple, x: np.ndarray, y: np.ndarray, alpha: float,
                 delta: float) -> Event:
    """The event with the largest bound on these samples (the search half)."""
    best = None
    for k, name in enumerate(features):
        for score, event in _scored_events(name, x[:, k], y[:, k], alpha, delta):
            if best is None or score > best[0]:
                best = (score, event)
    return best[1]


def event_hits(event: Event, features: tuple, samples: np.ndarray) -> int:
    """How many samples (rows) fall in the event."""
    column = samples[:, list(features).index(event.feature)]
    inside = column >= event.threshold if event.above else column <= event.threshold
    return int(np.count_nonzero(inside))


def epsilon_lower_bound(features: tuple, on_d: np.ndarray, on_d2: np.ndarray,
                        confidence: float = 0.95, delta: float = 0.0) -> Bound:
    """Lower bound on ε at ``confidence`` from samples [trials, features] on D and D′: the event
    is searched on the first half of the rows, the bound computed on the second half."""
    if on_d.shape != on_d2.shape or on_d.ndim != 2 or on_d.shape[1] != len(features):
        raise ValueError("samples on D and D' must be [trials, features] of the same shape")
    if on_d.shape[0] < 4:
        raise ValueError("trials: at least 4 samples per input are needed")
    alpha = 1.0 - confidence
    half = on_d.shape[0] // 2
    event = search_event(features, on_d[:half], on_d2[:half], alpha, delta)
    held_d, held_d2 = on_d[half:2 * half], on_d2[half:2 * half]
    hits_d, hits_d2 = event_hits(event, features, held_d), event_hits(event, features, held_d2)
    hits_p, hits_q = (hits_d, hits_d2) if event.forward else (hits_d2, hits_d)
    value = float(log_ratio_bound(hits_p, hits_q, half, alpha, delta))
    return Bound(value, confidence, event, hits_p, hits_q, half)
