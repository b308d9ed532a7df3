"""Positive controls: mechanisms whose ε is known exactly, so that an audit's bound can be read
as a fraction of the truth (how tight the audit is, not only whether it passes).

* ``laplace``: the Laplace mechanism on a query of sensitivity 1, 0 on D and 1 on D′, noise
  Lap(1/ε): exactly ε-DP, and every tail event {x ≥ t}, t ≥ 1, has odds exactly e^ε.
* ``randomized-response``: one private bit, reported truthfully with probability e^ε / (1 + e^ε):
  exactly ε-DP, the report itself is the optimal event.
"""

from __future__ import annotations

import numpy as np

VALUE = ("value",)
BIT = ("bit",)


def laplace_samples(epsilon: float, trials: int, rng: np.random.Generator):
    """Feature names and [trials, 1] outputs of Lap(1/ε) on 0 (D) and on 1 (D′)."""
    on_d = rng.laplace(0.0, 1.0 / epsilon, (trials, 1))
    on_d2 = 1.0 + rng.laplace(0.0, 1.0 / epsilon, (trials, 1))
    return VALUE, on_d, on_d2


def randomized_response_samples(epsilon: float, trials: int, rng: np.random.Generator):
    """Feature names and [trials, 1] reports of the bit 1 (D) and the bit 0 (D′)."""
    truthful = np.exp(epsilon) / (1.0 + np.exp(epsilon))
    on_d = (rng.random((trials, 1)) < truthful).astype(float)
    on_d2 = (rng.random((trials, 1)) >= truthful).astype(float)
    return BIT, on_d, on_d2
