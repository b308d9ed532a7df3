"""Which parameters move: pure NumPy selection and clipping of flat vectors (DSSGD).

Download: the θd fraction of parameters with the largest server update counters.
Upload: the θu fraction of a participant's change Δ, either the largest |Δ| or a uniformly
random choice among the entries with |Δ| ≥ τ, each value clipped to [−γ, γ].
"""

from __future__ import annotations

import math

import numpy as np

SELECTIONS = ("largest", "random")


def fraction_count(fraction: float, size: int) -> int:
    """Number of parameters a fraction of ``size`` selects (at least one when fraction > 0)."""
    if fraction >= 1.0:
        return size
    # round first so that float error (0.07·100 = 7.000000000000001) does not add one
    return max(1, math.ceil(round(fraction * size, 9))) if fraction > 0 else 0


def top_k_indices(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest scores (all indices, in order, when k covers the vector)."""
    if k >= scores.size:
        return np.arange(scores.size)
    return np.sort(np.argpartition(scores, scores.size - k)[scores.size - k:])


def select_download(counters: np.ndarray, theta_d: float) -> np.ndarray:
    """Indices of the θd fraction of most-updated parameters (by server counter)."""
    return top_k_indices(counters, fraction_count(theta_d, counters.size))


def select_upload(delta: np.ndarray, theta_u: float, rule: str = "largest", tau: float = 0.0,
                  rng: np.random.Generator | None = None) -> np.ndarray:
    """Indices of the entries of Δ to upload.

    ``largest``: exactly ⌈θu·|w|⌉ entries with the largest |Δ|.
    ``random``: that many entries drawn uniformly among those with |Δ| ≥ τ (all of them when
    fewer qualify).
    """
    k = fraction_count(theta_u, delta.size)
    magnitude = np.abs(delta)
    if rule == "largest":
        return top_k_indices(magnitude, k)
    if rule == "random":
        eligible = np.flatnonzero(magnitude >= tau)
        if eligible.size <= k:
            return eligible
        if rng is None:
            raise ValueError("selection: the random rule needs a random generator")
        return np.sort(rng.choice(eligible, size=k, replace=False))
    raise ValueError(f"selection: unknown rule {rule!r}; choose from {', '.join(SELECTIONS)}")


def clip(values: np.ndarray, gamma: float | None) -> np.ndarray:
    """Clip values to [−γ, γ]; ``None`` means no bound."""
    if gamma is None:
        return values
    return np.clip(values, -gamma, gamma)
