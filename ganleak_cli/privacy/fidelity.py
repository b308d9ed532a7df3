"""How much of a participant's update one Shokri release carries.

Shokri & Shmatikov's mechanism releases c noised, clipped values of the update Δw. Whether the
release still points where Δw points depends on the scale of Δw against γ, τ and the Laplace
scales (which grow with γ): on a model whose single-step changes are far below τ, the sparse
vector selects parameters by their noise and the values are mostly noise.
``release_fidelity`` measures it as the cosine between the release (zeros where nothing was
released) and Δw, and the ratio of their norms; ``probe_fidelity`` does it for the one-batch
changes of the paper's CNN on real records (``tools/dp_fidelity.py``; docs/privacy.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from ganleak_cli.core.models import build_classifier
from ganleak_cli.privacy.shokri import shokri_release

PROBE_BATCH = 64


@dataclass(frozen=True)
class ReleaseFidelity:
    """cos(release, Δw), |release| / |Δw| and the count of released values."""

    cosine: float
    norm_ratio: float
    released: int


@dataclass(frozen=True)
class FidelityRow:
    """The mean fidelity of the releases of one probed training step at one (γ, τ)."""

    step: int
    loss: float
    gamma: float
    tau: float
    cosine: float
    norm_ratio: float
    released: int
    size: int


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


def probe_fidelity(x: np.ndarray, y: np.ndarray, n_outputs: int, settings, *, lr: float,
                   theta_u: float, eps_per_param: float, steps=(0, 10, 20, 40),
                   batches: int = 8, seed: int = 0) -> list[FidelityRow]:
    """Train the paper's CNN for ``x`` (in [−1, 1]) with SGD at ``lr``; at each of ``steps``
    release ``batches`` one-batch changes Δw = −lr·∇ (a participant's one-batch turn) at ε/c
    and θu for each (γ, τ) of ``settings``; one row per step and setting."""
    keras.utils.set_random_seed(seed)
    model = build_classifier(x.shape[1:], n_outputs)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer = keras.optimizers.SGD(lr)
    rng = np.random.default_rng(seed)

    @tf.function
    def gradients(xb, yb):
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, model(xb, training=True))
        return loss, tape.gradient(loss, model.trainable_variables)

    def batch():
        idx = rng.choice(len(y), min(PROBE_BATCH, len(y)), replace=False)
        return gradients(x[idx], y[idx])

    rows = []
    for step in range(max(steps) + 1):
        if step in steps:
            changes = [batch() for _ in range(batches)]
            deltas = [np.concatenate([-lr * g.numpy().ravel() for g in grads])
                      for _, grads in changes]
            loss = float(np.mean([float(loss) for loss, _ in changes]))
            rows += [_row(step, loss, deltas, gamma, tau, theta_u, eps_per_param, seed)
                     for gamma, tau in settings]
        _, grads = batch()
        optimizer.apply(grads, model.trainable_variables)
    return rows


def _row(step, loss, deltas, gamma, tau, theta_u, eps_per_param, seed) -> FidelityRow:
    """The mean fidelity of releasing each of ``deltas`` at (γ, τ)."""
    size = deltas[0].size
    c = math.ceil(theta_u * size)
    rng = np.random.default_rng(seed + 1)
    found = [release_fidelity(d, c, eps_per_param * c, gamma, tau, rng) for d in deltas]
    return FidelityRow(step, loss, gamma, tau, float(np.mean([f.cosine for f in found])),
                       float(np.mean([f.norm_ratio for f in found])), c, size)
