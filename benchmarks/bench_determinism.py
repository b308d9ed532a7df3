"""What TensorFlow op determinism costs: attack rounds with it on vs off, measured in one run.

Both sides play the headline setting (1 victim + the active GAN insider, θu = θd = 1); the
repetitions alternate between determinism on and off (``tf.config.experimental``), each on a
freshly built world, and the ratio of median round times is printed. ``ganleak simulate``
runs deterministically unless ``--no-deterministic``.

    GANLEAK_DATA_DIR=../shared/datasets python benchmarks/bench_determinism.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from ganleak_cli.simulation.config import SimConfig  # noqa: E402
from ganleak_cli.simulation.runner import build_world, play_round  # noqa: E402


def seconds_per_round(deterministic: bool, rounds: int) -> float:
    """Mean seconds per round over ``rounds`` rounds, after one warm-up round (tracing)."""
    cfg = SimConfig.from_options(rounds=rounds, deterministic=deterministic,
                                 out="/nonexistent-unused")
    world = build_world(cfg)
    play_round(world)
    start = time.perf_counter()
    for _ in range(rounds):
        play_round(world)
    return (time.perf_counter() - start) / rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    times = {True: [], False: []}
    for _ in range(args.repeats):
        for flag in (True, False):
            times[flag].append(seconds_per_round(flag, args.rounds))
    on, off = statistics.median(times[True]), statistics.median(times[False])
    print(f"attack round, op determinism on:   {on:6.3f} s")
    print(f"attack round, op determinism off:  {off:6.3f} s")
    print(f"cost of determinism (on / off):    {on / off:6.2f}x")


if __name__ == "__main__":
    main()
