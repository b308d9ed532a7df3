"""Throughput of a DSSGD round against a plain Keras training loop, measured in one run.

Both sides train the paper's MNIST CNN with plain SGD on the same records and batch size: the
DSSGD side plays rounds of 1 victim + 1 honest participant with θu = θd = 1 (download, local
training, Δ, selection, upload, merge); the Keras side calls ``model.fit`` on the same number of
samples. Repetitions alternate between the two; the ratio of medians is printed.

    GANLEAK_DATA_DIR=../shared/datasets python benchmarks/bench_dssgd.py [--repeats 5]
Target: ratio ≥ 0.95.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from ganleak_cli.core.models import build_classifier  # noqa: E402
from ganleak_cli.core.pixels import to_model_range  # noqa: E402
from ganleak_cli.simulation.config import SimConfig  # noqa: E402
from ganleak_cli.simulation.runner import build_world, play_round  # noqa: E402


def dssgd_rate(world, rounds: int) -> float:
    """Samples per second over ``rounds`` DSSGD rounds."""
    rules = world.rules
    samples = rounds * len(world.participants) * rules.local_steps * rules.batch_size
    start = time.perf_counter()
    for _ in range(rounds):
        play_round(world)
    return samples / (time.perf_counter() - start)


def keras_rate(model, x, y, batch_size: int) -> float:
    """Samples per second of one ``model.fit`` epoch over (x, y)."""
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch_size, epochs=1, shuffle=True, verbose=0)
    return len(x) / (time.perf_counter() - start)


def compiled_classifier(data, lr: float, steps_per_execution: int):
    """The paper's CNN compiled for ``fit`` with plain SGD, as the DSSGD trainer uses."""
    model = build_classifier(data.image_shape, data.num_classes + 1)
    model.compile(optimizer=keras.optimizers.SGD(lr), steps_per_execution=steps_per_execution,
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--local-steps", type=int, default=50)
    args = parser.parse_args()
    cfg = SimConfig.from_options(attack="none", victims=1, rounds=args.rounds,
                                 local_steps=args.local_steps, theta_u=1.0, theta_d=1.0,
                                 out="/nonexistent-unused")
    world = build_world(cfg)
    batch_size, lr = cfg.exchange.batch_size, cfg.exchange.lr
    data, n = world.dataset, args.rounds * 2 * args.local_steps * batch_size
    idx = np.random.default_rng(0).choice(len(data.y_train), size=n, replace=n > len(data.y_train))
    x, y = to_model_range(data.x_train[idx]), data.y_train[idx]
    plain = compiled_classifier(data, lr, steps_per_execution=1)
    fused = compiled_classifier(data, lr, steps_per_execution=args.local_steps)
    dssgd_rate(world, 1)  # warm-up: tracing
    for model in (plain, fused):
        keras_rate(model, x[:6400], y[:6400], batch_size)
    rates = {"dssgd": [], "plain": [], "fused": []}
    for _ in range(args.repeats):
        rates["dssgd"].append(dssgd_rate(world, args.rounds))
        rates["plain"].append(keras_rate(plain, x, y, batch_size))
        rates["fused"].append(keras_rate(fused, x, y, batch_size))
    med = {k: statistics.median(v) for k, v in rates.items()}
    print(f"DSSGD round (θu=θd=1, no attack):          {med['dssgd']:9.0f} samples/s")
    print(f"plain keras model.fit:                     {med['plain']:9.0f} samples/s")
    print(f"keras model.fit, steps_per_execution={args.local_steps:<4d} "
          f"{med['fused']:9.0f} samples/s")
    print(f"ratio DSSGD / plain keras: {med['dssgd'] / med['plain']:.3f}  (target ≥ 0.95)")
    print(f"ratio DSSGD / fused keras: {med['dssgd'] / med['fused']:.3f}")


if __name__ == "__main__":
    main()
