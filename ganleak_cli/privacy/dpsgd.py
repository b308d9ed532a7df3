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
from ganleak_cli.protocol.flat import load_variables_state, variables_state
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

    def _per_example(self, x, y):
        """Each example's loss and gradients, stacked on a leading batch axis."""
        variables = self.model.trainable_variables

        def one(example):
            xi, yi = example
            with tf.GradientTape() as tape:
                loss = self.loss_fn(yi[None], self.model(xi[None], training=True))
            return loss, tape.gradient(loss, variables)

        return tf.vectorized_map(one, (x, y))

    def per_example_grads(self, x, y) -> list:
        """Gradients of each example's loss, stacked on a leading batch axis."""
        return self._per_example(x, y)[1]

    def _privatise(self, grads: list, batch) -> list:
        """Mean of the clipped per-example gradients plus N(0, σ²C²) noise on the sum."""
        clipped, _ = clip_by_example(grads, self.l2_clip)
        std = self.noise_multiplier * self.l2_clip
        return [self._noised_sum(k, tf.reduce_sum(g, axis=0), std) / batch
                for k, g in enumerate(clipped)]

    def _noised_sum(self, variable: int, total: tf.Tensor, std: float) -> tf.Tensor:
        """One variable's clipped sum plus its N(0, std²) noise (the hook an auditor's trainer
        uses to add canaries before the noise and read the sum after it)."""
        return total + keras.random.normal(total.shape, stddev=std, seed=self.seed)

    def private_gradient(self, x, y) -> list:
        """The DP-SGD gradient of a batch (clipped, summed, noised, averaged)."""
        return self._privatise(self.per_example_grads(x, y), tf.cast(tf.shape(x)[0], tf.float32))

    def loss_and_gradients(self, x, y):
        """The batch's mean (pre-step) loss and its DP-SGD gradient, from one vectorised pass."""
        losses, grads = self._per_example(x, y)
        return tf.reduce_mean(losses), self._privatise(grads, tf.cast(tf.shape(x)[0], tf.float32))

    def state_dict(self) -> dict:
        """The optimiser's variables and the noise seed's state."""
        return {**super().state_dict(), "noise_seed": variables_state([self.seed.state])}

    def load_state_dict(self, state: dict) -> None:
        """Restore what ``state_dict`` returned."""
        super().load_state_dict(state)
        load_variables_state([self.seed.state], state["noise_seed"])

    def step_event(self, sampling_rate: float):
        """One step's DP event (Poisson-sampled Gaussian, σ = noise multiplier)."""
        return dpsgd_event(self.noise_multiplier, min(1.0, sampling_rate))
