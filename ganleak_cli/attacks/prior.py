"""A learnt realism prior for the GAN insider's generator (``--gen-prior``).

The adversary holds real images of its own classes (other people's faces on AT&T). Besides the
downloaded shared model, whose verdict says *whose* image a sample is, it can train a small
real-versus-generated critic on those images, whose verdict says whether a sample looks like a
real image at all: the public-data prior of Zhang et al.'s generative model inversion (CVPR'20),
here with data the insider already has. The generator's loss gains ``gen_prior`` times the
critic's non-saturating GAN loss; the shared model's term, and so the paper's attack, is
unchanged, and the critic never sees the victims' records.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from ganleak_cli.core.pixels import to_model_range
from ganleak_cli.protocol.flat import load_variables_state, variables_state


def build_critic(image_shape) -> keras.Model:
    """A DCGAN discriminator: strided 4×4 convolutions with leaky ReLU, halving the side three
    times, then one logit (real vs generated)."""
    model = keras.Sequential([keras.Input(shape=image_shape)], name="critic")
    for filters in (32, 64, 128):
        model.add(layers.Conv2D(filters, 4, strides=2, padding="same"))
        model.add(layers.LeakyReLU(0.2))
    model.add(layers.Flatten())
    model.add(layers.Dense(1))
    return model


class RealismPrior:
    """The critic, its optimiser and the adversary's own images it calls real."""

    def __init__(self, records: np.ndarray, lr: float, seed: keras.random.SeedGenerator):
        """``records``: the adversary's uint8 images, as a participant holds them; the critic
        sees them in the generator's range, [−1, 1]."""
        self.images = tf.constant(to_model_range(np.asarray(records)))
        self.model = build_critic(self.images.shape[1:])
        self.optimizer = keras.optimizers.Adam(lr, beta_1=0.5)
        self.optimizer.build(self.model.trainable_variables)
        self.bce = keras.losses.BinaryCrossentropy(from_logits=True)
        self.seed = seed

    def generator_loss(self, images):
        """How unreal the critic finds ``images`` (non-saturating: −log D(G(z)))."""
        logits = self.model(images, training=False)
        return self.bce(tf.ones_like(logits), logits)

    def critic_step(self, generated) -> None:
        """One critic update: a random batch of own images as real, ``generated`` as not."""
        count = tf.shape(generated)[0]
        pick = keras.random.randint((count,), 0, tf.shape(self.images)[0], seed=self.seed)
        real = tf.gather(self.images, pick)
        with tf.GradientTape() as tape:
            real_logits = self.model(real, training=True)
            fake_logits = self.model(tf.stop_gradient(generated), training=True)
            loss = (self.bce(tf.ones_like(real_logits), real_logits)
                    + self.bce(tf.zeros_like(fake_logits), fake_logits))
        grads = tape.gradient(loss, self.model.trainable_variables)
        self.optimizer.apply(grads, self.model.trainable_variables)

    def state_dict(self) -> dict:
        """The critic's weights and Adam state."""
        return {"weights": variables_state(self.model.weights),
                "optimizer": variables_state(self.optimizer.variables)}

    def load_state_dict(self, state: dict) -> None:
        """Restore what ``state_dict`` returned."""
        load_variables_state(self.model.weights, state["weights"])
        load_variables_state(self.optimizer.variables, state["optimizer"])
