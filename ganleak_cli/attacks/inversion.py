"""MI-FACE, the model inversion attack of Fredrikson, Jha and Ristenpart (CCS'15, Algorithm 1).

The baseline Hitaj et al. compare the GAN attack with. Gradient descent on the *input* x of the
classifier, to minimise the cost

    c(x) = 1 − f̃_label(x) + AuxTerm(x)          (AuxTerm = 0, as in the paper for faces)

where f̃_label is the softmax probability of the target class (over all outputs, the artificial
class included): x_i ← Process(x_{i−1} − λ·∇c(x_{i−1})), clipped to the model's input range
[−1, 1]; the result is the x_i of lowest cost. Stopping rules, per sample:

- α (``iterations``): at most α gradient steps;
- β, ``min_improvement``: stop when the best cost has improved by no more than
  ``min_improvement`` over the last β steps — a plateau test in the spirit of the paper's β rule
  (stop when c(x_i) ≥ max(c(x_{i−1}), …, c(x_{i−β}))), which never fires while the cost creeps
  down by tiny amounts;
- the paper's γ (``cost_threshold``): stop once c(x) ≤ γ. The paper's γ = 0.99 would stop as
  soon as f̃_label reaches 0.01 — after a few steps here — so ours is 0 (off).

``Process`` is the identity (the paper's choice for softmax and MLP models) or, with
``process="blur"``, a 3×3 Gaussian denoise after each step.

The paper inverts one image per class starting from x₀ = 0, pixels in [0, 1]: a black image,
−1 in the model's range [−1, 1] used here. (The step λ is in the model's units: the paper's
λ = 0.1 on [0, 1] pixels is λ = 0.4 on [−1, 1].) To score MI-FACE exactly like the GAN's samples
we invert a batch of N starting points at once: black plus seeded Gaussian noise of standard
deviation ``init_noise``, clipped (0 gives N copies of the paper's single image). The whole
descent of the batch is one ``tf.function`` (a ``tf.while_loop`` that ends when every sample
has stopped).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import tensorflow as tf

from ganleak_cli.attacks.mi_face import PROCESSES


@dataclass(frozen=True)
class InversionSettings:
    """MI-FACE's knobs (docs/mi-face.md); the target has no default here (SimConfig's)."""

    target_class: int
    iterations: int = 1000          # α (the paper: 5000)
    window: int = 100               # β
    min_improvement: float = 1e-4   # plateau tolerance over the β window
    cost_threshold: float = 0.0     # the paper's γ: stop when c(x) ≤ γ (0: off)
    lr: float = 4.0                 # λ, in the model's [−1, 1] units (paper: 0.1 on [0, 1])
    process: str = "none"           # none | blur
    init_noise: float = 0.1         # std of the seeded noise added to x₀ = black


@dataclass(frozen=True)
class Inversion:
    """The outcome for a batch: best images in [−1, 1], their costs, gradient steps used."""

    images: np.ndarray
    costs: np.ndarray
    iterations: np.ndarray


def start_points(n: int, image_shape, init_noise: float, rng: np.random.Generator) -> np.ndarray:
    """``n`` starting images: the paper's x₀ = 0 (black, −1 in the model's range) plus
    N(0, init_noise²), clipped to [−1, 1]."""
    noise = rng.standard_normal((n,) + tuple(image_shape)).astype(np.float32)
    return np.clip(-1.0 + init_noise * noise, -1.0, 1.0).astype(np.float32)


def _blur_kernel(channels: int) -> tf.Tensor:
    g = np.array([1.0, 2.0, 1.0], np.float32)
    k = np.outer(g, g) / 16.0
    return tf.constant(np.tile(k[:, :, None, None], (1, 1, channels, 1)))


class Inverter:
    """Runs MI-FACE against a Keras classifier that outputs logits."""

    def __init__(self, model, settings: InversionSettings):
        if settings.process not in PROCESSES:
            raise ValueError(f"process: must be one of {', '.join(PROCESSES)}")
        self.model = model
        self.settings = settings
        self._descend = tf.function(self._descend_batch, reduce_retracing=True)

    def cost_and_gradient(self, x):
        """c(x) = 1 − softmax(model(x))[label] per sample, and ∇ₓ c."""
        x = tf.convert_to_tensor(x, tf.float32)
        with tf.GradientTape() as tape:
            tape.watch(x)
            probs = tf.nn.softmax(self.model(x, training=False), axis=-1)
            cost = 1.0 - probs[:, self.settings.target_class]
            total = tf.reduce_sum(cost)  # samples are independent: ∇ of the sum is per sample
        return cost, tape.gradient(total, x)

    def process(self, x):
        """The paper's Process step: identity, or a 3×3 Gaussian denoise."""
        if self.settings.process == "none":
            return x
        kernel = _blur_kernel(int(x.shape[-1]))
        padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="SYMMETRIC")  # no grey rim
        return tf.nn.depthwise_conv2d(padded, kernel, strides=[1, 1, 1, 1], padding="VALID")

    def _descend_batch(self, x0):
        s = self.settings
        n = tf.shape(x0)[0]
        per_image = lambda v: tf.reshape(v, [-1] + [1] * (len(x0.shape) - 1))  # noqa: E731

        def body(i, x, best_x, best, active, used, history):
            cost, grad = self.cost_and_gradient(x)
            better = cost < best
            best_x = tf.where(per_image(better), x, best_x)
            best = tf.minimum(cost, best)
            slot = i % s.window
            before = history[slot]          # best cost β steps ago (inf for the first β)
            history = tf.tensor_scatter_nd_update(history, [[slot]], best[None])
            stop = (cost <= s.cost_threshold) | (before - best <= s.min_improvement)
            active = active & ~stop
            stepped = tf.clip_by_value(self.process(x - s.lr * grad), -1.0, 1.0)
            x = tf.where(per_image(active), stepped, x)
            return i + 1, x, best_x, best, active, used + tf.cast(active, tf.int32), history

        def cond(i, x, best_x, best, active, used, history):
            return (i < s.iterations) & tf.reduce_any(active)

        inf = tf.fill([n], np.float32(np.inf))
        state = (tf.constant(0), x0, x0, inf, tf.ones([n], tf.bool), tf.zeros([n], tf.int32),
                 tf.fill([s.window, n], np.float32(np.inf)))
        _, x, best_x, best, _, used, _ = tf.while_loop(cond, body, state)
        cost, _ = self.cost_and_gradient(x)  # the last step's image
        best_x = tf.where(per_image(cost < best), x, best_x)
        return best_x, tf.minimum(cost, best), used

    def invert(self, starts: np.ndarray) -> Inversion:
        """Run MI-FACE from each starting image (a batch, values in [−1, 1])."""
        images, costs, used = self._descend(tf.convert_to_tensor(starts, tf.float32))
        return Inversion(images.numpy(), costs.numpy(), used.numpy())


class MiFaceAttack:
    """The insider's MI-FACE at each evaluation: invert the model it holds (its local weights,
    loaded into the run's one shared Keras model and restored afterwards) from fixed starting
    points, seeded once per run."""

    def __init__(self, model, flat, settings: InversionSettings, starts: np.ndarray):
        self.inverter = Inverter(model, settings)
        self.flat = flat
        self.starts = starts

    def reconstruct(self, weights: np.ndarray) -> tuple[np.ndarray, dict]:
        """(images in [−1, 1], {"mia_cost": mean final cost, "mia_iterations": mean steps})."""
        saved = self.flat.get()
        self.flat.set(weights)
        try:
            result = self.inverter.invert(self.starts)
        finally:
            self.flat.set(saved)
        return result.images, {"mia_cost": float(result.costs.mean()),
                               "mia_iterations": float(result.iterations.mean())}
