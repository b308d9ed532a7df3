"""A lower bound on ε from samples of a mechanism's outputs on two neighbouring inputs.

An (ε, δ)-DP mechanism M satisfies, for every event E and neighbours D, D′,
P[M(D) ∈ E] ≤ e^ε·P[M(D′) ∈ E] + δ; ``estimators`` turns the counts of one event into a bound.

The events are thresholds on scalar features of the output, {f_k ≥ t} and {f_k ≤ t}, in both
directions (D over D′ and D′ over D). As in DP-Sniper / DP-Auditorium, the event is chosen on
the first part of the samples (half, unless the mechanism says otherwise) and the bound is
computed on the held-out rest only, so that searching many events does not inflate it. Each
estimator searches with its own score (the event that is best for Clopper–Pearson is a tail
event, the best for GDP a central one).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganleak_cli.audit.estimators import ESTIMATORS

MAX_THRESHOLDS = 256
TAIL_THRESHOLDS = 64   # per tail


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
    """ε lower bound with the held-out counts it came from and the estimator that made it."""

    epsilon_lower_bound: float
    confidence: float
    event: Event
    hits_numerator: int
    hits_denominator: int
    samples: int
    estimator: str = "clopper-pearson"


def candidate_thresholds(values: np.ndarray) -> np.ndarray:
    """Every distinct value when there are few (counts, indicators), else quantiles: evenly
    spaced, plus a geometric ladder into both tails down to one sample (the events of a large
    privacy loss are rare: the top 0.4 % of an even grid would skip them)."""
    distinct = np.unique(values)
    if distinct.size <= MAX_THRESHOLDS:
        return distinct
    tail = np.geomspace(1.0 / values.size, 0.01, TAIL_THRESHOLDS)
    levels = np.concatenate([np.linspace(0.0, 1.0, MAX_THRESHOLDS), tail, 1.0 - tail])
    return np.unique(np.quantile(values, levels))


def _hits(values: np.ndarray, thresholds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How many values are ≥ each threshold and ≤ each threshold."""
    ordered = np.sort(values)
    above = ordered.size - np.searchsorted(ordered, thresholds, side="left")
    below = np.searchsorted(ordered, thresholds, side="right")
    return above, below


def _scored_events(name, x, y, score, alpha, delta):
    """The best threshold event on one feature in each of its four forms, with its score."""
    thresholds = candidate_thresholds(np.concatenate([x, y]))
    x_above, x_below = _hits(x, thresholds)
    y_above, y_below = _hits(y, thresholds)
    n = x.size
    for above, hx, hy in ((True, x_above, y_above), (False, x_below, y_below)):
        for forward, hp, hq in ((True, hx, hy), (False, hy, hx)):
            scores = score(hp, hq, n, alpha, delta)
            best = int(np.argmax(scores))
            yield scores[best], Event(name, float(thresholds[best]), above, forward)


def search_event(features: tuple, x: np.ndarray, y: np.ndarray, alpha: float,
                 delta: float, estimator: str = "clopper-pearson") -> Event:
    """The event with the best search score of ``estimator`` on these samples (the search
    half)."""
    score = ESTIMATORS[estimator].search_score
    best = None
    for k, name in enumerate(features):
        for value, event in _scored_events(name, x[:, k], y[:, k], score, alpha, delta):
            if best is None or value > best[0]:
                best = (value, event)
    return best[1]


def event_hits(event: Event, features: tuple, samples: np.ndarray) -> int:
    """How many samples (rows) fall in the event."""
    column = samples[:, list(features).index(event.feature)]
    inside = column >= event.threshold if event.above else column <= event.threshold
    return int(np.count_nonzero(inside))


def check_samples(features: tuple, on_d: np.ndarray, on_d2: np.ndarray) -> None:
    """Samples must be [trials, features] of one shape, with at least 4 trials."""
    if on_d.shape != on_d2.shape or on_d.ndim != 2 or on_d.shape[1] != len(features):
        raise ValueError("samples on D and D' must be [trials, features] of the same shape")
    if on_d.shape[0] < 4:
        raise ValueError("trials: at least 4 samples per input are needed")


def epsilon_lower_bound(features: tuple, on_d: np.ndarray, on_d2: np.ndarray,
                        confidence: float = 0.95, delta: float = 0.0,
                        estimator: str = "clopper-pearson", seed: int = 0,
                        search_share: float = 0.5) -> Bound:
    """Lower bound on ε at ``confidence`` from samples [trials, features] on D and D′: the event
    is searched on the first ``search_share`` of the rows, the bound computed on the rest by
    ``estimator`` (``seed``: the Bayesian one's posterior draws). A mechanism whose best event
    is plain to see needs few rows to find it and keeps more for the bound."""
    check_samples(features, on_d, on_d2)
    alpha = 1.0 - confidence
    split = min(max(int(on_d.shape[0] * search_share), 2), on_d.shape[0] - 2)
    event = search_event(features, on_d[:split], on_d2[:split], alpha, delta, estimator)
    held_d, held_d2 = on_d[split:], on_d2[split:]
    hits_d, hits_d2 = event_hits(event, features, held_d), event_hits(event, features, held_d2)
    hits_p, hits_q = (hits_d, hits_d2) if event.forward else (hits_d2, hits_d)
    held = held_d.shape[0]
    value = ESTIMATORS[estimator].bound(hits_p, hits_q, held, alpha, delta, seed)
    return Bound(value, confidence, event, hits_p, hits_q, held, estimator)
