"""A straightforward per-element implementation of Shokri & Shmatikov's Algorithm 2.

Kept as the reference that the vectorised ``ganleak_cli.privacy.shokri.shokri_release`` is
benchmarked against: the paper's loop, one parameter at a time, with NumPy scalar calls.
"""

from __future__ import annotations

import numpy as np


def shokri_release_loop(delta, c, epsilon, gamma, tau, rng):
    """Pick parameters at random, one at a time, until c pass the noisy threshold."""
    sensitivity = 2.0 * gamma
    eps1, eps2 = 8.0 * epsilon / 9.0, 2.0 * epsilon / 9.0
    sigma1, sigma2 = 2.0 * c * sensitivity / eps1, 2.0 * c * sensitivity / eps2
    threshold_noise = rng.laplace(0.0, sigma1)
    selected, values, seen = [], [], set()
    while len(selected) < c:
        for j in rng.permutation(len(delta)):
            if len(selected) == c:
                break
            if j in seen:
                continue
            query_noise = rng.laplace(0.0, 2.0 * sigma1)
            if abs(np.clip(delta[j], -gamma, gamma)) + query_noise >= tau + threshold_noise:
                value_noise = rng.laplace(0.0, sigma2)
                seen.add(j)
                selected.append(int(j))
                values.append(np.clip(np.clip(delta[j], -gamma, gamma) + value_noise,
                                      -gamma, gamma))
    return np.array(selected), np.array(values, dtype=np.float32)
