"""One DP-SGD step, audited: ``DPSGDTrainer._privatise`` (the real clipping and noise) on two
neighbouring batches, and the same step without clipping (a negative control).

Neighbours (add/remove, the relation the accountant assumes): D is a batch of B examples, one of
which — the canary — has a gradient of norm 100·C; D′ is the same batch without it. Both are
divided by B (the step's fixed batch size), so the clipped sums differ by the clipped canary,
of norm C. The gradients are tensors of the shape of a tiny model's one variable
([examples, params, 1]); each trial is one call of the real ``_privatise`` (compiled into a
``tf.function`` loop), projected on the canary's direction.

TensorFlow is imported here only inside the functions (a deliberate lazy heavy import: ``ganleak
--help`` and the other audits never load it).
"""

from __future__ import annotations

import numpy as np

from ganleak_cli.core.stdio import import_tensorflow_quietly
from ganleak_cli.privacy.accounting import Ledger, dpsgd_event

PARAMS = 200
BATCH = 8
CANARY_NORM = 100.0
FEATURES = ("projection",)


def claimed_epsilon(noise_multiplier: float, delta: float) -> float:
    """ε at δ of one step (sampling rate 1: the canary is in the batch), from the project's
    ledger with the PLD accountant (tight for one Gaussian step, pessimistic rounding)."""
    ledger = Ledger()
    ledger.record(dpsgd_event(noise_multiplier, 1.0))
    return ledger.epsilon(delta, "pld")[0]


def neighbouring_batches(l2_clip: float, rng: np.random.Generator):
    """Per-example gradients [B, PARAMS, 1] with the canary first, the same without it, and the
    canary's unit direction [PARAMS]. The other examples' norms are about C/2."""
    others = rng.normal(size=(BATCH - 1, PARAMS, 1)) * (0.5 * l2_clip / np.sqrt(PARAMS))
    direction = rng.normal(size=PARAMS)
    direction /= np.linalg.norm(direction)
    canary = CANARY_NORM * l2_clip * direction.reshape(1, PARAMS, 1)
    return np.concatenate([canary, others]).astype(np.float32), others.astype(np.float32), \
        direction.astype(np.float32)


def unclipped_privatise(trainer, grads: list, batch) -> list:
    """NEGATIVE CONTROL, broken on purpose: ``DPSGDTrainer._privatise`` without the clipping
    (the same noise N(0, σ²C²) on the raw sum)."""
    import keras
    import tensorflow as tf

    std = trainer.noise_multiplier * trainer.l2_clip
    return [(tf.reduce_sum(g, axis=0)
             + keras.random.normal(g.shape[1:], stddev=std, seed=trainer.seed)) / batch
            for g in grads]


def projector(privatise, direction: np.ndarray):
    """A compiled function (grads [examples, PARAMS, 1], n) → n calls of ``privatise`` on
    grads, each projected on ``direction`` (one trace serves D and D′)."""
    import tensorflow as tf

    unit = tf.constant(direction)
    batch = tf.constant(float(BATCH))

    @tf.function(input_signature=[tf.TensorSpec([None, PARAMS, 1], tf.float32),
                                  tf.TensorSpec([], tf.int32)])
    def run(grads, n):
        out = tf.TensorArray(tf.float32, size=n)
        for i in tf.range(n):
            step = privatise([grads], batch)
            out = out.write(i, tf.tensordot(tf.reshape(step[0], [-1]), unit, 1))
        return out.stack()

    return lambda grads, trials: run(grads, trials).numpy().astype(np.float64)[:, None]


def dpsgd_samples(noise_multiplier: float, l2_clip: float, trials: int, seed: int,
                  clipped: bool = True) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Feature names and [trials, 1] projections of one step on D and D′ (``clipped=False``:
    the negative control)."""
    import_tensorflow_quietly()
    import keras

    from ganleak_cli.privacy.dpsgd import DPSGDTrainer

    model = keras.Sequential([keras.Input((PARAMS,)), keras.layers.Dense(1, use_bias=False)])
    trainer = DPSGDTrainer(model, 0.1, l2_clip=l2_clip, noise_multiplier=noise_multiplier,
                           seed=seed)
    if clipped:
        privatise = trainer._privatise
    else:
        def privatise(grads, batch):
            return unclipped_privatise(trainer, grads, batch)
    on_d, on_d2, direction = neighbouring_batches(l2_clip, np.random.default_rng(seed))
    project = projector(privatise, direction)
    return FEATURES, project(on_d, trials), project(on_d2, trials)
