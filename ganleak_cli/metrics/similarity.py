"""Nearest-neighbour SSIM of generated samples to a reference set of real images.

SSIM settings: ``tf.image.ssim`` on images scaled to [0, 1] (max_val 1), Gaussian window 11×11
with σ = 1.5, k1 = 0.01, k2 = 0.03 (Wang et al. 2004 defaults). A sample's score is its SSIM to
the most similar reference image.

``nearest_ssim`` searches every reference (used for the 1010 held-out threes).
``nearest_ssim_prefiltered`` is for large reference sets (the victims' ~6000 private records of
the target class): it scores SSIM only against the ``CANDIDATES`` (256) references with the
highest Pearson correlation to the sample (centred pixels, a matrix product), and against all of
them when there are no more than that: the most similar image by SSIM is among the most
correlated ones, so the search finds the exhaustive search's best at a fraction of its cost
(checked on real MNIST in tests/test_metrics_mnist.py; docs/metrics.md).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from ganleak_cli.core.pixels import to_unit


@tf.function(reduce_retracing=True)
def _ssim_rows(samples, refs):
    """SSIM of every sample (n×H×W×C) to every reference (m×H×W×C): n×m."""
    return tf.image.ssim(samples[:, None], refs[None], max_val=1.0)


# Elements (samples × references × pixels) of one SSIM call's pairwise tensors: tf.image.ssim
# keeps about ten such intermediates alive, so 4 M elements stay near 160 MB (a chunk of 16
# faces at 64×64 against all 400 faces used to add 650 MB to a run's peak memory).
PAIR_BUDGET = 4_000_000


def pair_chunk(chunk: int, refs_per_sample: int, image_shape) -> int:
    """How many samples one SSIM call takes: at most ``chunk``, within ``PAIR_BUDGET``."""
    per_sample = max(1, refs_per_sample * int(np.prod(image_shape)))
    return max(1, min(chunk, PAIR_BUDGET // per_sample))


def nearest_ssim(samples: np.ndarray, refs: np.ndarray, chunk: int = 16):
    """For each sample, the best SSIM to any reference and that reference's index."""
    chunk = pair_chunk(chunk, len(refs), refs.shape[1:])
    samples, refs = to_unit(samples), tf.constant(to_unit(refs))
    best, where = [], []
    for start in range(0, len(samples), chunk):
        scores = _ssim_rows(tf.constant(samples[start:start + chunk]), refs).numpy()
        best.append(scores.max(axis=1))
        where.append(scores.argmax(axis=1))
    return np.concatenate(best), np.concatenate(where)


CANDIDATES = 256


def _centred(images: np.ndarray) -> np.ndarray:
    """Images → rows of zero mean and unit norm (Pearson correlation is then a dot product)."""
    rows = to_unit(images).reshape(len(images), -1)
    rows = rows - rows.mean(axis=1, keepdims=True)
    return rows / (np.linalg.norm(rows, axis=1, keepdims=True) + 1e-8)


@tf.function(reduce_retracing=True)
def _ssim_pairs(samples, refs):
    """SSIM of every sample (n×H×W×C) to its own references (n×k×H×W×C): n×k."""
    return tf.image.ssim(samples[:, None], refs, max_val=1.0)


def nearest_ssim_prefiltered(samples: np.ndarray, refs: np.ndarray,
                             candidates: int = CANDIDATES, chunk: int = 16):
    """``nearest_ssim`` over each sample's ``candidates`` most correlated references."""
    if len(refs) <= candidates:
        return nearest_ssim(samples, refs, chunk)
    chunk = pair_chunk(chunk, candidates, refs.shape[1:])
    correlation = _centred(samples) @ _centred(refs).T
    shortlist = np.argpartition(-correlation, candidates - 1, axis=1)[:, :candidates]
    units, ref_units = to_unit(samples), to_unit(refs)
    best, where = [], []
    for start in range(0, len(samples), chunk):
        picked = shortlist[start:start + chunk]
        scores = _ssim_pairs(tf.constant(units[start:start + chunk]),
                             tf.constant(ref_units[picked])).numpy()
        best.append(scores.max(axis=1))
        where.append(picked[np.arange(len(picked)), scores.argmax(axis=1)])
    return np.concatenate(best), np.concatenate(where)
