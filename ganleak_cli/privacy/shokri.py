"""Shokri & Shmatikov's differentially private selective upload (CCS'15, Algorithm 2).

A participant with budget ε per epoch (one upload here) releases c = ⌈θu·|w|⌉ parameters of its
change Δw. The sensitivity of one bounded value is Δf = 2γ (values are clipped to [−γ, γ]).
Following the reference, the budget is split into ε1 = 8/9·ε for selecting which parameters to
release (the sparse vector technique) and ε2 = 2/9·ε for the released values, with

    σ(x) = 2·c·Δf / x

    threshold noise   r_τ  ~ Lap(σ(ε1))            (once per upload)
    query noise       r_j  ~ Lap(2·σ(ε1))           (fresh for every parameter tested)
    select j when     |bound(Δw_j, γ)| + r_j ≥ τ + r_τ, in random order, until c are selected
    release           bound(bound(Δw_j, γ) + r'_j, γ),  r'_j ~ Lap(σ(ε2))

The value is clipped before the noise (so that Δf = 2γ holds) and again after it. The paper
quotes the budget per parameter, ε/c.

The selection loop — sweep the not-yet-selected parameters in a fresh random order, testing each
with fresh query noise, until c have passed (at most ``MAX_PASSES`` sweeps) — is drawn in
closed form rather than played out. Given the threshold, parameter j passes one test with
probability p_j = P(Lap(2σ(ε1)) ≥ τ + r_τ − |bound(Δw_j)|), independently of every other test, so
the sweep in which it would first pass is geometric, G_j ~ Geom(p_j), independently across j;
within a sweep the order is uniform. The loop therefore selects every parameter with G_j < k*
and a uniformly random subset of those with G_j = k*, where k* is the sweep in which the c-th
pass happens — which is how ``sparse_vector_select`` draws it: one uniform number per parameter
and one shuffle, whatever the number of sweeps. (Playing the loop out, as
``sparse_vector_select_by_sweeps`` does and the tests compare against, re-shuffles and re-noises
the whole vector once per sweep: up to 1000 sweeps per upload once most |Δ| are below τ.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganleak_cli.privacy.accounting import laplace_event
from ganleak_cli.protocol.server import Upload

MAX_PASSES = 1000


@dataclass(frozen=True)
class ShokriScales:
    """The Laplace scales of one upload of c values at budget ε with clip bound γ."""

    threshold: float
    query: float
    value: float


def shokri_scales(epsilon: float, c: int, gamma: float) -> ShokriScales:
    """σ(ε1), 2σ(ε1) and σ(ε2) for ε1 = 8ε/9, ε2 = 2ε/9, Δf = 2γ."""
    if epsilon <= 0 or c <= 0 or gamma <= 0:
        raise ValueError("dp_eps: ε, c and γ must be positive")
    sensitivity = 2.0 * gamma
    sigma = lambda eps: 2.0 * c * sensitivity / eps  # noqa: E731 - the paper's σ(x)
    eps1, eps2 = 8.0 * epsilon / 9.0, 2.0 * epsilon / 9.0
    return ShokriScales(threshold=sigma(eps1), query=2.0 * sigma(eps1), value=sigma(eps2))


def laplace(rng: np.random.Generator, scale: float, size: int) -> np.ndarray:
    """``size`` draws of Lap(0, scale) in float32, as the difference of two Exp(1) draws
    (exactly Laplace-distributed; twice as fast as ``Generator.laplace`` in float64)."""
    return scale * (rng.standard_exponential(size, dtype=np.float32)
                    - rng.standard_exponential(size, dtype=np.float32))


def sparse_vector_select(delta: np.ndarray, c: int, gamma: float, tau: float,
                         scales: ShokriScales, rng: np.random.Generator) -> np.ndarray:
    """Indices of c parameters whose noisy clipped |Δ| passes the noisy threshold (sorted),
    drawn in closed form (the module's docstring): the sweep of each parameter's first pass."""
    magnitude = np.abs(bound(delta, gamma))
    if scales.query == 0.0:  # ε = ∞: no noise, a random c among those with |Δ| ≥ τ
        eligible = np.flatnonzero(magnitude >= tau)
        return np.sort(rng.permutation(eligible)[:c])
    if c >= delta.size:  # with noise every parameter passes eventually: all are selected
        return np.arange(delta.size)
    threshold = tau + rng.laplace(0.0, scales.threshold)
    sweep = first_pass_sweep(laplace_survival(threshold - magnitude, scales.query),
                             rng.random(delta.size))
    ranked = np.nonzero(sweep <= MAX_PASSES)[0]
    if ranked.size <= c:
        return ranked            # fewer than c ever pass within MAX_PASSES sweeps: all of them
    ranked = ranked[np.argsort(sweep[ranked], kind="stable")]
    last = sweep[ranked[c - 1]]                      # k*: the sweep of the c-th pass
    before = ranked[sweep[ranked] < last]
    tied = ranked[sweep[ranked] == last]
    return np.sort(np.concatenate([before, rng.permutation(tied)[:c - before.size]]))


def bound(x: np.ndarray, gamma: float) -> np.ndarray:
    """``x`` clipped to [−γ, γ] (``np.clip``'s values, without its per-call overhead, which
    dominates an upload of a few parameters)."""
    return np.minimum(np.maximum(x, -gamma), gamma)


def laplace_survival(x: np.ndarray, scale: float) -> np.ndarray:
    """P(Lap(0, scale) ≥ x), elementwise, in float64."""
    x = np.asarray(x, dtype=np.float64) / scale
    tail = 0.5 * np.exp(-np.abs(x))
    return np.where(x >= 0, tail, 1.0 - tail)


def first_pass_sweep(p: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """Geom(p) by inversion from uniforms in [0, 1): the sweep (1, 2, …) of the first success
    of tests that each succeed with probability p; inf where p is 0 (float64, no overflow for
    tiny p)."""
    certain, never = p >= 1.0, p <= 0.0
    stays = np.log1p(-np.where(certain | never, 0.5, p))   # both set below, without log(0)
    sweeps = np.ceil(np.log1p(-uniform) / stays)
    return np.where(certain, 1.0, np.where(never, np.inf, np.maximum(sweeps, 1.0)))


def sparse_vector_select_by_sweeps(delta: np.ndarray, c: int, gamma: float, tau: float,
                                   scales: ShokriScales, rng: np.random.Generator) -> np.ndarray:
    """The same selection played out sweep by sweep (the reference the tests compare the
    closed form against; slow once most |Δ| are below τ)."""
    magnitude = np.abs(bound(delta, gamma))
    if scales.query == 0.0 or c >= delta.size:
        return sparse_vector_select(delta, c, gamma, tau, scales, rng)
    threshold = tau + rng.laplace(0.0, scales.threshold)
    remaining = np.arange(delta.size)
    chosen: list[np.ndarray] = []
    need = c
    for _ in range(MAX_PASSES):
        hits = _one_pass(magnitude, _LazyOrder(remaining, need, rng), threshold, need,
                         scales.query, rng)
        chosen.append(hits)
        need -= hits.size
        if need == 0:
            break
        remaining = np.setdiff1d(remaining, hits, assume_unique=True)
    return np.sort(np.concatenate(chosen))


class _LazyOrder:
    """A uniformly random order of ``items``, drawn lazily: a random prefix first (what a pass
    usually needs, O(prefix) instead of O(n)), the rest shuffled only if the pass gets there."""

    def __init__(self, items: np.ndarray, need: int, rng: np.random.Generator):
        self.items, self.rng = items, rng
        self.prefix = items[rng.choice(items.size, size=min(items.size, 2 * need + 4096),
                                       replace=False)]
        self.size = items.size

    def __getitem__(self, span: slice) -> np.ndarray:
        if span.stop > self.prefix.size and self.prefix.size < self.size:
            rest = np.setdiff1d(self.items, self.prefix, assume_unique=True)
            self.prefix = np.concatenate([self.prefix, self.rng.permutation(rest)])
        return self.prefix[span]


def _one_pass(magnitude, order, threshold, need, query_scale, rng) -> np.ndarray:
    """Test parameters in ``order`` with fresh query noise, in blocks, until ``need`` pass
    (drawing noise only for the blocks actually reached, as the sequential loop would). Block
    sizes follow the pass rate seen so far, so that little noise is drawn for nothing."""
    hits, start, tested, found = [], 0, 0, 0
    block = need + need // 8 + 256
    while need > 0 and start < order.size:
        candidates = order[start:start + block]
        noisy = magnitude[candidates] + laplace(rng, query_scale, candidates.size)
        passed = candidates[noisy >= threshold][:need]
        hits.append(passed)
        need -= passed.size
        start += block
        tested, found = tested + candidates.size, found + passed.size
        block = int(1.2 * need * tested / max(found, 1)) + 256
    return np.concatenate(hits) if hits else np.empty(0, dtype=np.int64)


def shokri_release(delta: np.ndarray, c: int, epsilon: float, gamma: float, tau: float,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One ε-DP upload: indices chosen by the sparse vector technique and their noised values,
    each clipped to [−γ, γ] after the noise."""
    scales = shokri_scales(epsilon, c, gamma)
    indices = sparse_vector_select(delta, c, gamma, tau, scales, rng)
    noisy = bound(delta[indices], gamma) + laplace(rng, scales.value, indices.size)
    return indices, bound(noisy, gamma).astype(np.float32)


class ShokriUpload:
    """Uploader applying Shokri's mechanism; each upload returns the ε-DP event it spent."""

    def __init__(self, epsilon: float, c: int, gamma: float, tau: float):
        self.epsilon, self.c, self.gamma, self.tau = epsilon, c, gamma, tau

    def __call__(self, delta: np.ndarray, rng: np.random.Generator):
        """(the Upload, its ε-DP event)."""
        indices, values = shokri_release(delta, self.c, self.epsilon, self.gamma, self.tau, rng)
        return Upload(indices, values), laplace_event(self.epsilon)
