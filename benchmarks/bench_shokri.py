"""Shokri's DP upload on the 105,707-parameter MNIST model: vectorised vs the per-element loop.

Prints, from one run, the time of ``shokri_release`` (vectorised NumPy) and of the reference
loop in ``benchmarks/shokri_reference.py`` on the same Δ, their ratio (target ≥ 1000×), and the
vectorised step as a share of one local epoch of the victim (target < 5 %). Then the selection
once the model has converged (τ = 0.005 above nearly every |Δ|, as in the DP presets late in a
run): the closed form (``sparse_vector_select``) against the same selection played out sweep by
sweep (``sparse_vector_select_by_sweeps``), and their ratio (target ≥ 100×).

    GANLEAK_DATA_DIR=../shared/datasets python benchmarks/bench_shokri.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from shokri_reference import shokri_release_loop  # noqa: E402

from ganleak_cli.core.pixels import to_model_range  # noqa: E402
from ganleak_cli.privacy.shokri import (  # noqa: E402
    shokri_release,
    shokri_scales,
    sparse_vector_select,
    sparse_vector_select_by_sweeps,
)
from ganleak_cli.protocol.sampler import stack_batches  # noqa: E402
from ganleak_cli.protocol.selection import fraction_count  # noqa: E402
from ganleak_cli.simulation.config import SimConfig  # noqa: E402
from ganleak_cli.simulation.runner import build_world  # noqa: E402


def timed(func, repeats: int) -> float:
    """Median seconds of ``func()`` over ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def one_epoch_seconds(world) -> float:
    """Seconds for the victim's trainer to run one epoch over all of the victim's records."""
    victim = world.participants[0]
    xb, yb = stack_batches(to_model_range(victim.images), victim.labels, world.rules.batch_size)
    victim.trainer.train(xb[:2], yb[:2])  # trace
    return timed(lambda: victim.trainer.train(xb, yb), 1)


def main() -> None:
    world = build_world(SimConfig.from_options(attack="none", out="/nonexistent-unused"))
    size = world.server.weights.size
    delta = np.random.default_rng(0).normal(0.0, 2e-3, size).astype(np.float32)
    epoch = one_epoch_seconds(world)
    print(f"model parameters: {size}; one local epoch of the victim: {epoch:.2f} s")
    for theta_u in (0.1, 1.0):
        c = fraction_count(theta_u, size)
        args = (delta, c, 100.0 * c, 0.01, 1e-4)
        fast = timed(lambda: shokri_release(*args, np.random.default_rng(1)), 20)
        slow = timed(lambda: shokri_release_loop(*args, np.random.default_rng(1)), 1)
        print(f"θu={theta_u:<4} c={c:6d}: vectorised {fast * 1e3:8.2f} ms, loop {slow:7.2f} s, "
              f"ratio {slow / fast:7.0f}× (target ≥ 1000), "
              f"{100 * fast / epoch:.2f} % of a local epoch (target < 5 %)")
    converged(size)


def converged(size: int) -> None:
    """Selection time with most |Δ| below τ: closed form vs sweep by sweep (θu = 0.1)."""
    delta = np.random.default_rng(0).normal(0.0, 1e-3, size).astype(np.float32)
    c = fraction_count(0.1, size)
    for eps_per_param in (100.0, 1000.0):
        args = (delta, c, 0.01, 0.005, shokri_scales(eps_per_param * c, c, 0.01))
        fast = timed(lambda: sparse_vector_select(*args, np.random.default_rng(1)), 5)
        slow = timed(lambda: sparse_vector_select_by_sweeps(*args, np.random.default_rng(1)), 1)
        print(f"converged, ε/c={eps_per_param:g}, τ=0.005: closed form {fast * 1e3:8.2f} ms, "
              f"sweeps {slow:7.2f} s, ratio {slow / fast:7.0f}× (target ≥ 100)")


if __name__ == "__main__":
    main()
