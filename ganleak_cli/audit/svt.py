"""The sparse vector technique in its standard interface, correct and broken (negative controls).

This is a small vectorised REIMPLEMENTATION, not ganleak's upload code: ``shokri_release``
outputs only the selected indices and values, which hides the ⊥ answers that the classic
counterexamples observe. Here a fixed sequence of queries (sensitivity Δ = 1) is answered in
order, ⊤ or ⊥, until c answers are ⊤, with the noise scales of Shokri's selection stage
(``shokri_scales``) for a selection budget ε: threshold noise Lap(2cΔ/ε), query noise
Lap(4cΔ/ε) — for c = 1 exactly Algorithm 1 of Lyu, Su & Li (VLDB 2017) with ε1 = ε2 = ε/2.

The broken variants have flaws that Lyu et al. show break privacy (the audit must flag them):

* ``noisy-value``: each ⊤ answer releases the noisy query value q_i + ν_i that was compared
  with the threshold — it tells where the noisy threshold lies;
* ``unscaled-noise``: query noise not scaled by c, Lap(4Δ/ε): each of the c ⊤ answers costs
  up to ε/2;
* ``no-threshold-noise``: ρ = 0, so every ⊥ answer costs privacy and they are unbounded.

Each variant comes with the neighbouring query sequences that show its flaw (the classic
counterexamples): ``pins`` queries that are 0 on D and Δ on D′ (likely ⊥) followed by ``baits``
that are Δ on D and 0 on D′ (likely ⊤).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from ganleak_cli.audit.chunks import in_chunks
from ganleak_cli.privacy.shokri import laplace, shokri_scales

CHUNK = 50_000
UNASKED = -1
NO_VALUE = -1e9


@dataclass(frozen=True)
class Design:
    """Neighbouring query sequences and the SVT's public parameters (threshold T, cut-off c)."""

    pins: int
    baits: int
    threshold: float
    c: int

    def queries(self) -> tuple[np.ndarray, np.ndarray]:
        """The query answers on D and on D′ (each differs by at most Δ = 1)."""
        on_d = np.concatenate([np.zeros(self.pins), np.ones(self.baits)])
        return on_d, 1.0 - on_d


@dataclass(frozen=True)
class Variant:
    """What a variant does: release the noisy value, scale query noise by c, noise the
    threshold (all three as in Algorithm 1 except where a variant is broken)."""

    release_value: bool = False
    scale_by_c: bool = True
    threshold_noise: bool = True
    broken: bool = False


VARIANTS = {
    "svt": (Variant(), Design(pins=10, baits=1, threshold=0.0, c=1)),
    "svt-noisy-value": (Variant(release_value=True, broken=True),
                        Design(pins=24, baits=0, threshold=0.0, c=1)),
    "svt-unscaled-noise": (Variant(scale_by_c=False, broken=True),
                           Design(pins=7, baits=6, threshold=0.0, c=6)),
    "svt-no-threshold-noise": (Variant(threshold_noise=False, broken=True),
                               Design(pins=30, baits=0, threshold=1.0, c=1)),
}
"""Each variant's counterexample. The correct one at c = 1 (Lyu et al.'s Algorithm 1, whose
analysis is tight there): ten pins push the noisy threshold up until the bait's ⊤ costs nearly
the whole ε; the unscaled noise with c = 6 ⊤ answers, each costing up to ε/2."""


def noise_scales(variant: Variant, epsilon: float, c: int) -> tuple[float, float]:
    """Threshold and query Laplace scales: Shokri's selection stage for a selection budget ε
    (``shokri_scales`` at 9ε/8, so that its ε1 = 8/9 of that is ε; Δ = 2γ = 1)."""
    scales = shokri_scales(9.0 * epsilon / 8.0, c, 0.5)
    threshold = scales.threshold if variant.threshold_noise else 0.0
    query = scales.query if variant.scale_by_c else scales.query / c
    return threshold, query


def answer(queries: np.ndarray, design: Design, scales: tuple[float, float], trials: int,
           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``trials`` runs of the SVT: answers [trials, m] (1 ⊤, 0 ⊥, −1 not asked after the c-th
    ⊤) and the noisy values q_i + ν_i of the ⊤ answers (NaN elsewhere)."""
    m = queries.size
    rho = laplace(rng, scales[0], trials)[:, None] if scales[0] > 0 else np.zeros((trials, 1))
    noisy = queries + laplace(rng, scales[1], trials * m).reshape(trials, m)
    top = noisy >= design.threshold + rho
    asked = np.cumsum(top, axis=1) - top < design.c
    answers = np.where(asked, top, UNASKED).astype(np.int8)
    return answers, np.where(asked & top, noisy, np.nan)


def feature_names(variant: Variant) -> tuple[str, ...]:
    """``pattern``; with released values also ``likelihood_ratio``."""
    return ("pattern", "likelihood_ratio") if variant.release_value else ("pattern",)


def features(answers: np.ndarray, values: np.ndarray, design: Design, variant: Variant,
             scales: tuple[float, float]) -> np.ndarray:
    """Per run: ``pattern`` = answers as D expects them (⊥ on pins, ⊤ on baits) minus answers
    against it; with released values also the log likelihood ratio of the output (K ⊥ answers,
    then ⊤ with value a) between D and D′, the optimal score (Neyman–Pearson)."""
    expect = np.concatenate([np.zeros(design.pins), np.ones(design.baits)])
    agree = np.sum((answers == expect) & (answers != UNASKED), axis=1)
    disagree = np.sum((answers != expect) & (answers != UNASKED), axis=1)
    pattern = (agree - disagree).astype(float)
    if not variant.release_value:
        return pattern[:, None]
    negatives = np.sum(answers == 0, axis=1)
    released = np.min(np.where(np.isnan(values), np.inf, values), axis=1)
    return np.stack([pattern, value_log_ratio(negatives, released, design, scales)], axis=1)


def value_log_ratio(negatives: np.ndarray, released: np.ndarray, design: Design,
                    scales: tuple[float, float]) -> np.ndarray:
    """log P[K, a | D] − log P[K, a | D′] for c = 1 and pins only (every query 0 on D, 1 on
    D′). With x = T + ρ: P[K = k, a] = f_ν(a − q)·∫_{x ≤ a} f_ρ(x − T)·F_ν(x − q)^k dx,
    integrated on a grid; runs without a ⊤ answer score ``NO_VALUE`` (below every other)."""
    b_t, b_q = scales
    step = min(b_t, b_q) / 200.0
    grid = np.arange(design.threshold - 40 * max(b_t, b_q),
                     design.threshold + 40 * max(b_t, b_q), step)
    found = np.isfinite(released)
    value, k = released[found], negatives[found]
    at = np.clip(np.searchsorted(grid, value), 0, grid.size - 1)
    score = np.zeros(value.size)
    for q, sign in ((0.0, 1.0), (1.0, -1.0)):
        powers = _laplace_cdf(grid - q, b_q)[None, :] ** np.arange(design.pins)[:, None]
        mass = np.cumsum(_laplace_pdf(grid - design.threshold, b_t) * powers, axis=1) * step
        score += sign * (np.log(_laplace_pdf(value - q, b_q)) + np.log(mass[k, at] + 1e-300))
    out = np.full(released.size, NO_VALUE)
    out[found] = score
    return out


def _laplace_pdf(x: np.ndarray, scale: float) -> np.ndarray:
    return np.exp(-np.abs(x) / scale) / (2.0 * scale)


def _laplace_cdf(x: np.ndarray, scale: float) -> np.ndarray:
    return np.where(x < 0, 0.5 * np.exp(np.minimum(x, 0) / scale),
                    1.0 - 0.5 * np.exp(-np.maximum(x, 0) / scale))


def svt_samples(name: str, epsilon: float, trials: int, seed: int,
                design: Design | None = None) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Feature names and [trials, features] samples on D and D′ for the variant ``name``, on
    its own neighbouring queries or on ``design``'s (drawn in chunks, on every core)."""
    variant, own = VARIANTS[name]
    design = design or own
    pairs = in_chunks(partial(svt_pair, name, epsilon, design), trials, seed)
    return feature_names(variant), pairs[:, 0], pairs[:, 1]


def svt_pair(name: str, epsilon: float, design: Design, trials: int,
             rng: np.random.Generator) -> np.ndarray:
    """[trials, 2, features]: ``trials`` runs on D, then on D′, ``CHUNK`` runs at a time."""
    variant = VARIANTS[name][0]
    scales = noise_scales(variant, epsilon, design.c)
    out = []
    for queries in design.queries():
        chunks = []
        for start in range(0, trials, CHUNK):
            size = min(CHUNK, trials - start)
            answers, values = answer(queries, design, scales, size, rng)
            chunks.append(features(answers, values, design, variant, scales))
        out.append(np.concatenate(chunks))
    return np.stack(out, axis=1)
