"""The GAN insider of Hitaj, Ateniese and Perez-Cruz (CCS'17).

Each turn the adversary loads the downloaded shared model as its discriminator, trains a DCGAN
generator so that the (frozen) discriminator assigns its samples to the victim's class ``a``,
and — in the active variant — labels fresh generated samples as the artificial class ``c`` and
trains on them alongside its own records before uploading. The victims then have to separate
``a`` from ``c`` and so put finer detail about ``a`` into the shared model.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from ganleak_cli.attacks.insider import GanOptions
from ganleak_cli.attacks.prior import RealismPrior
from ganleak_cli.core.models import LATENT_DIM, build_generator
from ganleak_cli.protocol.flat import load_variables_state, variables_state
from ganleak_cli.protocol.participant import ExchangeRules, Participant
from ganleak_cli.protocol.server import ParameterServer, Upload


@dataclass(frozen=True, kw_only=True)
class GanSettings(GanOptions):
    """The options (attacks.insider.GanOptions, whose declarations are their one source) plus
    the run's mode (active | passive), target class and artificial class."""

    mode: str
    target_class: int
    fake_class: int


def mean_total_variation(images):
    """Mean absolute difference between neighbouring pixels (images in [−1, 1])."""
    dy = tf.abs(images[:, 1:] - images[:, :-1])
    dx = tf.abs(images[:, :, 1:] - images[:, :, :-1])
    return tf.reduce_mean(dy) + tf.reduce_mean(dx)


def mode_seeking_penalty(images, z):
    """Mao et al.'s mode-seeking term (MSGAN, CVPR 2019): the batch's first half is paired with
    its second, and the penalty is 1 / (image distance / noise distance), large when different
    noise gives the same image (a collapsed generator), small when it gives different images."""
    half = images.shape[0] // 2
    image_gap = tf.reduce_mean(tf.abs(images[:half] - images[half:2 * half]))
    noise_gap = tf.reduce_mean(tf.abs(z[:half] - z[half:2 * half]))
    return 1.0 / (image_gap / noise_gap + 1e-5)


def jitter(images, pixels: int, seed):
    """``images`` shifted by one random offset in [−pixels, pixels]² (edges reflected): what the
    discriminator judges in a generator step when ``gen_jitter`` is on."""
    height, width = images.shape[1], images.shape[2]
    padded = tf.pad(images, [[0, 0], [pixels, pixels], [pixels, pixels], [0, 0]], "REFLECT")
    offset = keras.random.randint((2,), 0, 2 * pixels + 1, seed=seed)
    return padded[:, offset[0]:offset[0] + height, offset[1]:offset[1] + width]


class Generator:
    """A DCGAN generator trained against a frozen discriminator towards one class."""

    def __init__(self, image_shape, settings: GanSettings, seed: int, own_images=None,
                 loss_fn=None):
        """``own_images``: the adversary's uint8 records, the real side of the ``gen_prior``
        critic (needed only when ``gen_prior`` is on)."""
        self.settings = settings
        self.model = build_generator(image_shape, width=settings.gen_width,
                                     upsample=settings.gen_upsample)
        self.average = self._build_average(image_shape) if settings.gen_ema else None
        self.optimizer = keras.optimizers.Adam(settings.gen_lr, beta_1=0.5)
        self.optimizer.build(self.model.trainable_variables)
        # the shared model's own training loss, aimed at the target (default: cross-entropy)
        self.loss_fn = loss_fn or keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        self.seed = keras.random.SeedGenerator(seed)
        self.prior = None
        if settings.gen_prior:
            if own_images is None or not len(own_images):
                raise ValueError("gen_prior: the adversary holds no images of its own to learn "
                                 "what a real image looks like")
            self.prior = RealismPrior(own_images, settings.gen_lr, self.seed)
        self.last_loss = float("nan")
        self._step = tf.function(self._train_steps)

    def _train_steps(self, discriminator, steps):
        s = self.settings
        labels = tf.fill([s.gen_batch], s.target_class)
        total = tf.constant(0.0)
        for _ in tf.range(steps):
            z = keras.random.normal((s.gen_batch, LATENT_DIM), seed=self.seed)
            with tf.GradientTape() as tape:
                images = self.model(z, training=True)
                judged = jitter(images, s.gen_jitter, self.seed) if s.gen_jitter else images
                logits = discriminator(judged, training=False)
                loss = self.loss_fn(labels, logits) + s.gen_tv * mean_total_variation(images)
                if self.prior is not None:
                    loss += s.gen_prior * self.prior.generator_loss(images)
                if s.gen_diversity:
                    loss += s.gen_diversity * mode_seeking_penalty(images, z)
            grads = tape.gradient(loss, self.model.trainable_variables)
            self.optimizer.apply(grads, self.model.trainable_variables)
            if self.prior is not None:
                self.prior.critic_step(images)
            self._update_average()
            total += loss
        return total / tf.cast(steps, tf.float32)

    def _build_average(self, image_shape) -> keras.Model:
        """A copy of the generator whose weights follow an exponential moving average."""
        average = build_generator(image_shape, width=self.settings.gen_width,
                                  name="generator_average", upsample=self.settings.gen_upsample)
        for kept, weight in zip(average.weights, self.model.weights):
            kept.assign(weight)
        return average

    def _update_average(self) -> None:
        """Every weight, batch-norm statistics included (so that the average's statistics
        belong to its weights), decays towards the generator's. The decay warms up as
        TensorFlow's ExponentialMovingAverage does with ``num_updates``, min(decay,
        (1 + n) / (10 + n)) after n generator steps, so the average forgets its untrained
        start instead of keeping ``decay``ⁿ of it."""
        if self.average is None:
            return
        steps = tf.cast(self.optimizer.iterations, tf.float32)
        decay = tf.minimum(self.settings.gen_ema, (1.0 + steps) / (10.0 + steps))
        for kept, weight in zip(self.average.weights, self.model.weights):
            kept.assign(decay * kept + (1.0 - decay) * weight)

    def train(self, discriminator: keras.Model) -> float:
        """``gen_steps`` generator updates against the discriminator; mean loss."""
        self.last_loss = float(self._step(discriminator, tf.constant(self.settings.gen_steps)))
        return self.last_loss

    def sample(self, n: int) -> np.ndarray:
        """``n`` fresh samples in [−1, 1] (inference-mode batch norm)."""
        z = keras.random.normal((n, LATENT_DIM), seed=self.seed)
        return self.model(z, training=False).numpy()

    def render(self, noise: np.ndarray) -> np.ndarray:
        """Samples for fixed noise (grids, evaluation), in [−1, 1]: from the weight average when
        ``gen_ema`` is on (the adversary's fakes always come from the generator itself)."""
        if self.average is None:
            return self.render_live(noise)
        return self.average(noise, training=False).numpy()

    def render_live(self, noise: np.ndarray) -> np.ndarray:
        """The generator itself for fixed noise, whether or not ``gen_ema`` is on."""
        return self.model(noise, training=False).numpy()

    def state_dict(self) -> dict:
        """Weights (batch-norm statistics included), Adam state, noise seed state, last loss."""
        state = {"weights": variables_state(self.model.weights),
                 "optimizer": variables_state(self.optimizer.variables),
                 "seed": variables_state([self.seed.state]), "last_loss": self.last_loss}
        if self.average is not None:
            state["average"] = variables_state(self.average.weights)
        if self.prior is not None:
            state["prior"] = self.prior.state_dict()
        return state

    def load_state_dict(self, state: dict) -> None:
        """Restore what ``state_dict`` returned."""
        load_variables_state(self.model.weights, state["weights"])
        load_variables_state(self.optimizer.variables, state["optimizer"])
        load_variables_state([self.seed.state], state["seed"])
        if self.average is not None:
            load_variables_state(self.average.weights, state["average"])
        if self.prior is not None:
            self.prior.load_state_dict(state["prior"])
        self.last_loss = float(state["last_loss"])


class GanAdversary(Participant):
    """An insider who runs the GAN attack during its DSSGD turns."""

    def __init__(self, *args, settings: GanSettings, generator: Generator, **kwargs):
        super().__init__(*args, **kwargs)
        self.settings = settings
        self.generator = generator
        self.fakes = np.empty((0,) + self.images.shape[1:], np.float32)
        self.turns_taken = 0

    def _refresh_fakes(self) -> None:
        new = self.generator.sample(self.settings.fakes_per_turn)
        if self.settings.fake_pool == "accumulate":
            self.fakes = np.concatenate([self.fakes, new])
        else:
            self.fakes = new

    @property
    def attacking(self) -> bool:
        """Whether this turn runs the attack (after ``attack_after`` honest turns)."""
        return self.turns_taken >= self.settings.attack_after

    def local_data(self, rules: ExchangeRules) -> tuple[np.ndarray, np.ndarray]:
        """Own records plus (active) generated samples labelled as the artificial class."""
        x, y = super().local_data(rules)
        if not self.attacking or self.settings.mode != "active" or not self.settings.fakes_per_turn:
            return x, y
        self._refresh_fakes()
        x = np.concatenate([x, self.fakes])
        y = np.concatenate([y, np.full(len(self.fakes), self.settings.fake_class, y.dtype)])
        order = self.rng.permutation(len(y))
        return x[order], y[order]

    def example_count(self) -> int:
        """Own records plus the generated samples it trains on (the count it reports)."""
        return len(self.labels) + len(self.fakes)

    def state_dict(self) -> dict:
        """The participant's state plus the generator, the fake pool and the turn count."""
        return {**super().state_dict(), "generator": self.generator.state_dict(),
                "fakes": self.fakes.copy(), "turns_taken": self.turns_taken}

    def load_state_dict(self, state: dict) -> None:
        """Restore what ``state_dict`` returned."""
        super().load_state_dict(state)
        self.generator.load_state_dict(state["generator"])
        self.fakes = np.array(state["fakes"], dtype=np.float32)
        self.turns_taken = int(state["turns_taken"])

    def take_turn(self, server: ParameterServer, rules: ExchangeRules) -> Upload:
        """Download, train the generator on the downloaded model, then train and upload."""
        self.download(server, rules)
        if self.attacking:
            self.generator.train(self.trainer.model)
        x, y = self.local_data(rules)
        self.turns_taken += 1
        return self.train_and_upload(x, y, rules)
