"""A straightforward per-element implementation of Shokri & Shmatikov's Algorithm 2.

Kept as the reference the vectorised ``ganleak_cli.privacy.shokri.shokri_release`` is
benchmarked against (and compared with, statistically): the paper's loop, one parameter at a
time, with NumPy scalar calls.
"""

from __future__ import annotations

import numpy as np


def shokri_release_loop(delta, c, epsilon, gamma, tau, rng):
    """Pick parameters at random (without replacement) until c pass the noisy threshold."""
    sensitivity = 2.0 * gamma
    eps1, eps2 = 8.0 * epsilon / 9.0, 2.0 * epsilon / 9.0
    sigma1, sigma2 = 2.0 * c * sensitivity / eps1, 2.0 * c * sensitivity / eps2
    threshold_noise = rng.laplace(0.0, sigma1)
    selected, values = [], []
    candidates = list(range(len(delta)))
    while len(selected) < c and candidates:
        j = candidates.pop(int(rng.integers(len(candidates))))
        query_noise = rng.laplace(0.0, 2.0 * sigma1)
        if abs(np.clip(delta[j], -gamma, gamma)) + query_noise >= tau + threshold_noise:
            value_noise = rng.laplace(0.0, sigma2)
            selected.append(j)
            values.append(np.clip(np.clip(delta[j], -gamma, gamma) + value_noise, -gamma, gamma))
        if not candidates and len(selected) < c:
            candidates = [k for k in range(len(delta)) if k not in set(selected)]
    return np.array(selected), np.array(values, dtype=np.float32)
