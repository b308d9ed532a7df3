"""Nearest-neighbour SSIM of generated samples to a reference set of real images.

SSIM settings: ``tf.image.ssim`` on images scaled to [0, 1] (max_val 1), Gaussian window 11×11
with σ = 1.5, k1 = 0.01, k2 = 0.03 (Wang et al. 2004 defaults). A sample's score is its SSIM to
the most similar reference image.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def to_unit(images: np.ndarray) -> np.ndarray:
    """uint8 [0, 255] or float [−1, 1] images → float32 in [0, 1]."""
    if images.dtype == np.uint8:
        return images.astype(np.float32) / 255.0
    return np.clip((images.astype(np.float32) + 1.0) / 2.0, 0.0, 1.0)


@tf.function(reduce_retracing=True)
def _ssim_rows(samples, refs):
    """SSIM of every sample (n×H×W×C) to every reference (m×H×W×C): n×m."""
    return tf.image.ssim(samples[:, None], refs[None], max_val=1.0)


def nearest_ssim(samples: np.ndarray, refs: np.ndarray, chunk: int = 16):
    """For each sample, the best SSIM to any reference and that reference's index."""
    samples, refs = to_unit(samples), tf.constant(to_unit(refs))
    best, where = [], []
    for start in range(0, len(samples), chunk):
        scores = _ssim_rows(tf.constant(samples[start:start + chunk]), refs).numpy()
        best.append(scores.max(axis=1))
        where.append(scores.argmax(axis=1))
    return np.concatenate(best), np.concatenate(where)
