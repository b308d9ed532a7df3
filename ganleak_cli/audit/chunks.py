"""Many independent runs of a mechanism, drawn in a fixed number of chunks, each from its own
seeded stream, by as many worker processes as the machine has cores.

The chunks and their streams depend only on the seed and the number of trials, so the samples
are the same whether the chunks run in one process or in several. Worker processes are forked
(a caller's script is not re-imported, as spawning would), and only when there are enough
trials to pay for them, the platform can fork, and the caller has not loaded TensorFlow, whose
threads make a forked copy unsafe (the audits of the upload and the sparse vector technique
never load it); otherwise the chunks are drawn in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import Callable

import numpy as np

CHUNKS = 8
PARALLEL_FROM = 100_000   # trials per input from which worker processes pay for their start


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:   # not on Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether forking workers is available and safe here (no TensorFlow loaded)."""
    return "fork" in multiprocessing.get_all_start_methods() and "tensorflow" not in sys.modules


def chunk_sizes(trials: int) -> list[int]:
    """``trials`` split into ``CHUNKS`` near-equal parts (none empty)."""
    parts = min(CHUNKS, trials)
    return [trials // parts + (1 if k < trials % parts else 0) for k in range(parts)]


def in_chunks(draw: Callable[[int, np.random.Generator], np.ndarray], trials: int,
              seed: int) -> np.ndarray:
    """``draw(size, rng)`` once per chunk, the chunk's generator spawned from ``seed``; the
    chunks' rows concatenated in order."""
    sizes = chunk_sizes(trials)
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))
    workers = min(cores(), len(sizes))
    if trials < PARALLEL_FROM or workers < 2 or not can_fork():
        return np.concatenate([_draw_one(draw, n, s) for n, s in zip(sizes, seeds)])
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        parts = list(pool.map(_draw_one, [draw] * len(sizes), sizes, seeds))
    return np.concatenate(parts)


def _draw_one(draw, size: int, seed: np.random.SeedSequence) -> np.ndarray:
    return draw(size, np.random.default_rng(seed))
