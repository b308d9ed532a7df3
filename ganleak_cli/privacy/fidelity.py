"""How much of a participant's update one Shokri release carries.

Shokri & Shmatikov's mechanism releases c noised, clipped values of the update Δw. Whether the
release still points where Δw points depends on the scale of Δw against γ, τ and the Laplace
scales (which grow with γ): on a model whose single-step changes are far below τ, the sparse
vector selects parameters by their noise and the values are mostly noise.
``release_fidelity`` measures it as the cosine between the release (zeros where nothing was
released) and Δw, and the ratio of their norms (``tools/dp_fidelity.py`` runs it on a real
model; docs/privacy.md reads the figures).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganleak_cli.privacy.shokri import shokri_release


@dataclass(frozen=True)
class ReleaseFidelity:
    """cos(release, Δw), |release| / |Δw| and the count of released values."""

    cosine: float
    norm_ratio: float
    released: int


def release_fidelity(delta: np.ndarray, c: int, epsilon: float, gamma: float, tau: float,
                     rng: np.random.Generator) -> ReleaseFidelity:
    """One Shokri release of ``delta`` (c values, budget ε, clip γ, threshold τ), compared
    with ``delta`` itself."""
    delta = np.asarray(delta, dtype=np.float32).ravel()
    indices, values = shokri_release(delta, c, epsilon, gamma, tau, rng)
    released = np.zeros_like(delta)
    released[indices] = values
    out, change = float(np.linalg.norm(released)), float(np.linalg.norm(delta))
    cosine = float(released @ delta) / (out * change) if out * change > 0 else 0.0
    ratio = out / change if change > 0 else float("inf")
    return ReleaseFidelity(cosine, ratio, int(indices.size))
