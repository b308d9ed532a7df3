"""What one Shokri release keeps of a real update: the paper's CNN, real data.

    python tools/dp_fidelity.py --dataset att --lr 0.2 --setting 0.01:0.005 --setting 0.002:0.0005

Trains the dataset's CNN centrally with SGD (``--lr``, batches of 64), and at a few steps takes
one more mini-batch's change Δw = −lr·∇ (a participant's one-batch turn), releases it with
Shokri's mechanism at ε/c (``--eps-per-param``) and θu for each ``--setting γ:τ``, and prints
cos(release, Δw) and |release| / |Δw| (``ganleak_cli.privacy.fidelity``). A cosine near 0 means
the release is noise: the shared model learns through it only by averaging many turns.
``GANLEAK_DATA_DIR`` as for the tests.
"""

from __future__ import annotations

import math

import click
import keras
import numpy as np
import tensorflow as tf

from ganleak_cli.data import load_dataset
from ganleak_cli.models import build_classifier
from ganleak_cli.pixels import to_model_range
from ganleak_cli.privacy.fidelity import release_fidelity


def _setting(text: str) -> tuple[float, float]:
    gamma, tau = (float(v) for v in text.split(":"))
    return gamma, tau


@click.command()
@click.option("--dataset", default="att", show_default=True)
@click.option("--image-size", type=int, default=None)
@click.option("--lr", type=float, default=0.2, show_default=True)
@click.option("--theta-u", type=float, default=0.1, show_default=True)
@click.option("--eps-per-param", type=float, default=100.0, show_default=True)
@click.option("--setting", "settings", multiple=True, default=("0.01:0.005", "0.002:0.0005"),
              show_default=True, help="γ:τ, repeatable")
@click.option("--steps", default="0,10,20,40", show_default=True, help="training steps to probe")
@click.option("--batches", type=int, default=8, show_default=True,
              help="mini-batches released at each probed step (their mean is printed)")
@click.option("--seed", type=int, default=0, show_default=True)
def main(dataset, image_size, lr, theta_u, eps_per_param, settings, steps, batches, seed):
    """Print the fidelity of one release at each probed step and setting."""
    keras.utils.set_random_seed(seed)
    data = load_dataset(dataset, image_size=image_size)
    x, y = to_model_range(data.x_train), data.y_train
    model = build_classifier(x.shape[1:], data.num_classes + 1)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    optimizer = keras.optimizers.SGD(lr)
    rng = np.random.default_rng(seed)

    @tf.function
    def gradients(xb, yb):
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, model(xb, training=True))
        return loss, tape.gradient(loss, model.trainable_variables)

    def batch():
        idx = rng.choice(len(y), 64, replace=False)
        return gradients(x[idx], y[idx])

    def changes():
        for _ in range(batches):
            loss, grads = batch()
            yield float(loss), np.concatenate([-lr * g.numpy().ravel() for g in grads])

    probe = {int(s) for s in steps.split(",")}
    for step in range(max(probe) + 1):
        if step in probe:
            _report(step, list(changes()), theta_u, eps_per_param, settings, seed)
        loss, grads = batch()
        optimizer.apply(grads, model.trainable_variables)


def _report(step, changes, theta_u, eps_per_param, settings, seed) -> None:
    """One line per setting: the mean fidelity over the step's mini-batch changes."""
    loss = np.mean([loss for loss, _ in changes])
    size = changes[0][1].size
    c = math.ceil(theta_u * size)
    for gamma, tau in map(_setting, settings):
        rng = np.random.default_rng(seed + 1)
        found = [release_fidelity(delta, c, eps_per_param * c, gamma, tau, rng)
                 for _, delta in changes]
        cosine = np.mean([f.cosine for f in found])
        ratio = np.mean([f.norm_ratio for f in found])
        print(f"step {step:3d} loss {loss:.2f} gamma {gamma:g} tau {tau:g}: cos {cosine:.3f}  "
              f"|release|/|delta| {ratio:.2f}  ({c} of {size} values, {len(found)} batches)")


if __name__ == "__main__":
    main()
