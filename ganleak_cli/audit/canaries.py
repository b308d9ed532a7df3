"""White-box canaries for auditing a whole run: in one participant's DP-SGD gradients
(``CanaryTrainer``) or in its parameter changes before Shokri's upload (``CanaryUpload``).

Each of m canaries is a gradient of norm C on one coordinate of the model's largest variable (a
distinct coordinate each), included in the participant's data with probability ½ (the secret
bits). Like a record, an included canary joins each DP-SGD step with probability q (the
participant's batch / records, the rate its accountant assumes) and adds its gradient to the
clipped sum before the noise. The auditor sees what DP-SGD releases — every noised sum — and
scores each canary by the sum, over the run's steps, of the released value at its coordinate.

``CanaryTrainer`` is DPSGDTrainer with the canaries in its per-variable ``_noised_sum``. It can
train with a different noise multiplier than the one it accounts for (``claimed_multiplier``): a
run whose accounting is deliberately wrong, which the audit must catch.

``CanaryUpload`` wraps Shokri's upload: the canaries own their coordinates of the participant's
change Δw (distinct coordinates of the flat weights), which are set to γ where the canary is
included and to 0 where it is not, before ``shokri_release`` selects and noises them. Shokri's
guarantee covers any two updates within [−γ, γ], so the two settings are neighbours however the
rest of Δw looks. A canary scores 2γ plus the released value each time its coordinate is
released (0 where it never is), so that being released at all counts, and a high value more.
It too can release with a larger ε than it accounts for.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from ganleak_cli.privacy.accounting import dpsgd_event, laplace_event
from ganleak_cli.privacy.dpsgd import DPSGDTrainer
from ganleak_cli.privacy.shokri import ShokriUpload


@dataclass(frozen=True)
class CanarySet:
    """Which variable the canaries live in, their coordinates there and their secret bits."""

    variable: int
    coordinates: np.ndarray
    included: np.ndarray

    @classmethod
    def among(cls, size: int, count: int, rng: np.random.Generator,
              variable: int = 0) -> "CanarySet":
        """``count`` distinct coordinates of ``size`` (sorted), bits ~ Bern(½)."""
        if count > size:
            raise ValueError(f"canaries: at most {size} fit this model")
        coordinates = np.sort(rng.choice(size, size=count, replace=False))
        return cls(variable, coordinates, rng.random(count) < 0.5)

    @classmethod
    def draw(cls, model: keras.Model, count: int, rng: np.random.Generator) -> "CanarySet":
        """``count`` canaries in the largest trainable variable."""
        sizes = [int(np.prod(v.shape)) for v in model.trainable_variables]
        variable = int(np.argmax(sizes))
        return cls.among(sizes[variable], count, rng, variable)


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

    def _noised_sum(self, variable: int, total: tf.Tensor, std: float) -> tf.Tensor:
        """DPSGDTrainer's noised sum; in the canaries' variable, with them added before the
        noise and scored after it."""
        if variable != self.canaries.variable:
            return super()._noised_sum(variable, total, std)
        noised = super()._noised_sum(variable, self._with_canaries(total), std)
        self.scores.assign_add(tf.gather(noised, self.canaries.coordinates))
        return tf.reshape(noised, total.shape)

    def step_event(self, sampling_rate: float):
        """The step's DP event as accounted: the claimed noise multiplier."""
        return dpsgd_event(self.claimed_multiplier, min(1.0, sampling_rate))


class CanaryUpload:
    """Shokri's upload with the canaries' coordinates of Δw set (γ included, 0 excluded), scored
    on what it releases; it releases at ``epsilon_claimed / noise_scale`` and accounts
    ``epsilon_claimed``."""

    def __init__(self, upload: ShokriUpload, canaries: CanarySet, noise_scale: float = 1.0):
        self.claimed = upload.epsilon
        self.inner = ShokriUpload(upload.epsilon / noise_scale, upload.c, upload.gamma,
                                  upload.tau)
        self.coordinates, self.included = canaries.coordinates, canaries.included
        self.scores = np.zeros(len(self.coordinates))

    def __call__(self, delta: np.ndarray, rng: np.random.Generator):
        """(the Upload of Δw plus the canaries, the ε-DP event as accounted)."""
        changed = np.array(delta, copy=True)
        changed[self.coordinates] = self.inner.gamma * self.included
        upload, _ = self.inner(changed, rng)
        where = np.searchsorted(self.coordinates, upload.indices)
        hit = (where < len(self.coordinates)) & (
            self.coordinates[np.minimum(where, len(self.coordinates) - 1)] == upload.indices)
        np.add.at(self.scores, where[hit], upload.values[hit] + 2 * self.inner.gamma)
        return upload, laplace_event(self.claimed)
