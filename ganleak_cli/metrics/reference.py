"""Reference lines for ``nn_ssim_heldout``: what real images score, measured with the same code.

A reconstruction is read against them: the other class (of those given) that scores highest
against the target's held-out images (the strictest "learned nothing of the target" line), the
target's own held-out images scored against the rest of them (what real images of the class
score), and uniform noise. Used by the report's verdict card and the defence frontier, both
through ``run_lines``, cached in the process and on disk (``cached_lines``: keyed by the sha256
of the held-out split, so any process reading the same data reuses them; ``LINES_VERSION``
changes whenever the way they are measured does). Light to import: TensorFlow and the data load
when lines are measured, so that ``--help`` of the commands that use them stays fast.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache

import numpy as np

REFERENCE_SAMPLES = 100
LINES_VERSION = "v1"
ANOTHER = "another class"
ITSELF = "the class itself"
NOISE = "uniform noise"


@lru_cache(maxsize=8)
def run_lines(dataset: str, data_dir, image_size, target: int, classes: tuple) -> dict:
    """``reference_lines`` of a run's data (its config.json's dataset, data_dir, image_size),
    measured once per process (TensorFlow imported without its start-up lines: the report and
    reproduce commands get here)."""
    from ganleak_cli.core.stdio import import_tensorflow_quietly
    from ganleak_cli.data import load_dataset

    import_tensorflow_quietly()

    return cached_lines(load_dataset(dataset, data_dir, image_size), target, classes)


def cached_lines(data, target: int, classes) -> dict:
    """``reference_lines``, read from the cache folder when the same held-out split, target and
    candidate classes were measured before (by any process), else measured and stored."""
    from ganleak_cli.data.registry import cache_dir

    digest = hashlib.sha256()
    for array in (data.x_test, data.y_test):
        digest.update(np.ascontiguousarray(array).tobytes())
    digest.update(repr((int(target), tuple(int(c) for c in classes), REFERENCE_SAMPLES)).encode())
    path = cache_dir() / "reference" / f"{LINES_VERSION}-{digest.hexdigest()[:24]}.json"
    if path.is_file():
        return json.loads(path.read_text())
    lines = reference_lines(data, target, classes)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    tmp.write_text(json.dumps(lines))
    tmp.replace(path)        # atomic: a reader sees the old file or the whole new one
    return lines


def reference_lines(data, target: int, classes) -> dict:
    """``{ANOTHER: …, ITSELF: …, NOISE: …, "another_class": c}`` for ``data``'s held-out split
    (``classes``: the candidates for "another class", e.g. the victims' classes)."""
    held = data.x_test[data.y_test == target]
    own, rest = held[:REFERENCE_SAMPLES], held[REFERENCE_SAMPLES:]
    if len(rest) == 0:           # a small held-out split: leave one out instead
        own, rest = held, held
    noise = np.random.default_rng(0).integers(0, 256, own.shape, dtype=np.uint8)
    others = {c: _mean(data.x_test[data.y_test == c][:REFERENCE_SAMPLES], held)
              for c in classes if c != target and np.any(data.y_test == c)}
    closest = max(others, key=others.get)
    return {ANOTHER: others[closest], ITSELF: _itself(own, rest), NOISE: _mean(noise, held),
            "another_class": int(closest)}


def _mean(images, refs) -> float:
    from ganleak_cli.metrics.similarity import nearest_ssim

    return float(nearest_ssim(images, refs)[0].mean())


def _itself(own, rest) -> float:
    if own is not rest:
        return _mean(own, rest)
    scores = [_mean(own[i:i + 1], np.delete(rest, i, axis=0)) for i in range(len(own))]
    return float(np.mean(scores))
