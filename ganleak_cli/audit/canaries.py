"""White-box gradient canaries for auditing a whole DP-SGD run (one participant's training).

Each of m canaries is a gradient of norm C on one coordinate of the model's largest variable (a
distinct coordinate each), included in the participant's data with probability ½ (the secret
bits). Like a record, an included canary joins each DP-SGD step with probability q (the
participant's batch / records, the rate its accountant assumes) and adds its gradient to the
clipped sum before the noise. The auditor sees what DP-SGD releases — every noised sum — and
scores each canary by the sum, over the run's steps, of the released value at its coordinate.

``CanaryTrainer`` is DPSGDTrainer with the canaries in ``_privatise``. It can train with a
different noise multiplier than the one it accounts for (``claimed_multiplier``): a run whose
accounting is deliberately wrong, which the audit must catch.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from ganleak_cli.privacy.accounting import dpsgd_event
from ganleak_cli.privacy.dpsgd import DPSGDTrainer, clip_by_example


@dataclass(frozen=True)
class CanarySet:
    """Which variable the canaries live in, their coordinates there and their secret bits."""

    variable: int
    coordinates: np.ndarray
    included: np.ndarray

    @classmethod
    def draw(cls, model: keras.Model, count: int, rng: np.random.Generator) -> "CanarySet":
        """``count`` distinct coordinates of the largest trainable variable, bits ~ Bern(½)."""
        sizes = [int(np.prod(v.shape)) for v in model.trainable_variables]
        variable = int(np.argmax(sizes))
        if count > sizes[variable]:
            raise ValueError(f"canaries: at most {sizes[variable]} fit this model")
        coordinates = np.sort(rng.choice(sizes[variable], size=count, replace=False))
        return cls(variable, coordinates, rng.random(count) < 0.5)


class CanaryTrainer(DPSGDTrainer):
    """DP-SGD with the canaries added to the clipped sum of one variable, each released noised
    sum's canary coordinates accumulated into ``scores``."""

    def __init__(self, model: keras.Model, learning_rate: float, l2_clip: float,
                 noise_multiplier: float, claimed_multiplier: float, seed: int,
                 canaries: CanarySet, rate: float):
        super().__init__(model, learning_rate, l2_clip, noise_multiplier, seed)
        self.claimed_multiplier = float(claimed_multiplier)
        self.canaries = canaries
        self.rate = float(rate)
        self.scores = tf.Variable(tf.zeros(len(canaries.coordinates)), trainable=False)
        self.sampling = keras.random.SeedGenerator(seed + 1)

    def _with_canaries(self, total: tf.Tensor) -> tf.Tensor:
        """The flattened clipped sum plus the canaries sampled into this step."""
        cs = self.canaries
        sampled = keras.random.uniform([len(cs.coordinates)], seed=self.sampling) < self.rate
        weight = self.l2_clip * tf.cast(sampled & tf.constant(cs.included), tf.float32)
        size = int(np.prod(total.shape))
        return tf.reshape(total, [size]) + tf.scatter_nd(
            tf.constant(cs.coordinates[:, None]), weight, [size])

    def _privatise(self, grads: list, batch) -> list:
        """DPSGDTrainer's step with the canaries in their variable, scored after the noise."""
        clipped, _ = clip_by_example(grads, self.l2_clip)
        std = self.noise_multiplier * self.l2_clip
        out = []
        for k, g in enumerate(clipped):
            total = tf.reduce_sum(g, axis=0)
            if k != self.canaries.variable:
                out.append((total + keras.random.normal(total.shape, stddev=std,
                                                        seed=self.seed)) / batch)
                continue
            flat = self._with_canaries(total)
            noised = flat + keras.random.normal(flat.shape, stddev=std, seed=self.seed)
            self.scores.assign_add(tf.gather(noised, self.canaries.coordinates))
            out.append(tf.reshape(noised, total.shape) / batch)
        return out

    def step_event(self, sampling_rate: float):
        """The step's DP event as accounted: the claimed noise multiplier."""
        return dpsgd_event(self.claimed_multiplier, min(1.0, sampling_rate))
