"""DP-SGD (Abadi et al., CCS'16) for honest participants' local training.

Per step: per-example gradients (vectorised with ``tf.vectorized_map``, no loop over
examples), each clipped to L2 norm C over all parameters, summed, plus Gaussian noise
N(0, σ²C²), divided by the batch size, then a plain SGD update. Each step is accounted as a
Poisson-sampled Gaussian mechanism with q = batch / records (the usual approximation for
shuffled batches, as in TF Privacy's compute_dp_sgd_privacy).
"""

from __future__ import annotations

import keras
import tensorflow as tf

from ganleak_cli.privacy.accounting import dpsgd_event
from ganleak_cli.protocol.trainer import LocalTrainer


def clip_by_example(grads: list, l2_clip: float) -> tuple[list, tf.Tensor]:
    """Scale each example's gradient (leading axis) to L2 norm ≤ C; return grads and norms."""
    batch = tf.shape(grads[0])[0]
    squares = [tf.reduce_sum(tf.reshape(tf.square(g), [batch, -1]), axis=1) for g in grads]
    norms = tf.sqrt(tf.add_n(squares))
    factor = tf.minimum(1.0, l2_clip / tf.maximum(norms, 1e-12))
    clipped = [g * tf.reshape(factor, [-1] + [1] * (len(g.shape) - 1)) for g in grads]
    return clipped, norms


class DPSGDTrainer(LocalTrainer):
    """LocalTrainer whose steps clip per-example gradients and add Gaussian noise."""

    def __init__(self, model: keras.Model, learning_rate: float, l2_clip: float,
                 noise_multiplier: float, seed: int):
        super().__init__(model, learning_rate)
        self.l2_clip = float(l2_clip)
        self.noise_multiplier = float(noise_multiplier)
        self.seed = keras.random.SeedGenerator(seed)

    def per_example_grads(self, x, y) -> list:
        """Gradients of each example's loss, stacked on a leading batch axis."""
        variables = self.model.trainable_variables

        def one(example):
            xi, yi = example
            with tf.GradientTape() as tape:
                loss = self.loss_fn(yi[None], self.model(xi[None], training=True))
            return tape.gradient(loss, variables)

        return tf.vectorized_map(one, (x, y))

    def private_gradient(self, x, y) -> list:
        """Mean of the clipped per-example gradients plus N(0, σ²C²) noise on the sum."""
        clipped, _ = clip_by_example(self.per_example_grads(x, y), self.l2_clip)
        batch = tf.cast(tf.shape(x)[0], tf.float32)
        std = self.noise_multiplier * self.l2_clip
        return [(tf.reduce_sum(g, axis=0)
                 + keras.random.normal(g.shape[1:], stddev=std, seed=self.seed)) / batch
                for g in clipped]

    def _train_batches(self, xb, yb):
        total = tf.constant(0.0)
        steps = tf.shape(xb)[0]
        for i in tf.range(steps):
            grads = self.private_gradient(xb[i], yb[i])
            self.optimizer.apply(grads, self.model.trainable_variables)
            total += self.loss_fn(yb[i], self.model(xb[i], training=False))
        return total / tf.cast(steps, tf.float32)

    def step_event(self, sampling_rate: float):
        """One step's DP event (Poisson-sampled Gaussian, σ = noise multiplier)."""
        return dpsgd_event(self.noise_multiplier, min(1.0, sampling_rate))
