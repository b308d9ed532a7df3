"""Reference lines for ``nn_ssim_heldout``: what real images score, measured with the same code.

A reconstruction is read against them: the other class (of those given) that scores highest
against the target's held-out images (the strictest "learned nothing of the target" line), the
target's own held-out images scored against the rest of them (what real images of the class
score), and uniform noise. Used by the report's verdict card and the defence frontier, both
through ``run_lines`` (cached). Light to import: TensorFlow and the data load when lines are
measured, so that ``--help`` of the commands that use them stays fast.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

REFERENCE_SAMPLES = 100
ANOTHER = "another class"
ITSELF = "the class itself"
NOISE = "uniform noise"


@lru_cache(maxsize=8)
def run_lines(dataset: str, data_dir, image_size, target: int, classes: tuple) -> dict:
    """``reference_lines`` of a run's data (its config.json's dataset, data_dir, image_size),
    measured once per process (TensorFlow imported without its start-up lines: the report and
    reproduce commands get here)."""
    from ganleak_cli.data import load_dataset
    from ganleak_cli.stdio import import_tensorflow_quietly

    import_tensorflow_quietly()

    return reference_lines(load_dataset(dataset, data_dir, image_size), target, classes)


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
