"""Reference lines for ``nn_ssim_heldout``: what real images score, measured with the same code.

A reconstruction is read against them: the other class (of those given) that scores highest
against the target's held-out images (the strictest "learned nothing of the target" line), the
target's own held-out images scored against the rest of them (what real images of the class
score), and uniform noise. Used by the report's verdict card and the defence frontier.
"""

from __future__ import annotations

import numpy as np

from ganleak_cli.metrics.similarity import nearest_ssim

REFERENCE_SAMPLES = 100
ANOTHER = "another class"
ITSELF = "the class itself"
NOISE = "uniform noise"


def reference_lines(data, target: int, classes) -> dict:
    """``{ANOTHER: …, ITSELF: …, NOISE: …, "another_class": c}`` for ``data``'s held-out split
    (``classes``: the candidates for "another class", e.g. the victims' classes)."""
    held = data.x_test[data.y_test == target]
    own, rest = held[:REFERENCE_SAMPLES], held[REFERENCE_SAMPLES:]
    if len(rest) == 0:           # a small held-out split: leave one out instead
        own, rest = held, held
    noise = np.random.default_rng(0).integers(0, 256, own.shape, dtype=np.uint8)
    others = {c: float(nearest_ssim(data.x_test[data.y_test == c][:REFERENCE_SAMPLES],
                                    held)[0].mean())
              for c in classes if c != target and np.any(data.y_test == c)}
    closest = max(others, key=others.get)
    return {ANOTHER: others[closest], ITSELF: _itself(own, rest), NOISE: _mean(noise, held),
            "another_class": int(closest)}


def _mean(images, refs) -> float:
    return float(nearest_ssim(images, refs)[0].mean())


def _itself(own, rest) -> float:
    if own is not rest:
        return _mean(own, rest)
    scores = [_mean(own[i:i + 1], np.delete(rest, i, axis=0)) for i in range(len(own))]
    return float(np.mean(scores))
