"""Pixel distances between generated samples and real images: nearest-neighbour L2 and PSNR,
and the samples' diversity.

Settings: images are scaled to [0, 1] (uint8 / 255, floats in [−1, 1] as (x + 1) / 2, clipped).
The L2 distance of two images is their per-pixel RMS distance, sqrt(mean((x − y)²)) over all
H·W·C pixels, so it lies in [0, 1] whatever the image size (Euclidean distance / sqrt(H·W·C)).
A sample's nearest neighbour is the reference image at the smallest L2 distance; its PSNR is
``tf.image.psnr`` (max_val 1) against that neighbour, = −10·log10(MSE) = −20·log10(L2), capped at
``PSNR_CAP`` dB (an exact copy, MSE 0, scores the cap instead of +∞ so that the mean and JSON stay
finite). Diversity is the mean L2 distance over all pairs of distinct samples (0 when the
generator collapses to one image).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from ganleak_cli.core.pixels import to_unit

PSNR_CAP = 100.0  # dB: the PSNR given to an exact copy (RMS distance 1e-5 scores exactly this)


def flat_unit(images: np.ndarray) -> np.ndarray:
    """Images (uint8 or [−1, 1] floats) → N × (H·W·C) float32 rows in [0, 1]."""
    unit = to_unit(images)
    return unit.reshape(len(unit), -1)


def rms(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-row RMS distance of two N × D arrays (exactly 0 for identical rows)."""
    return np.sqrt(np.mean(np.square(a - b), axis=1, dtype=np.float64))


def nearest_l2(samples: np.ndarray, refs: np.ndarray, chunk: int = 4096):
    """For each sample, the RMS distance to its nearest reference image and that reference's
    index. The search uses matrix products (‖a‖² + ‖b‖² − 2a·b, references in chunks); the
    distance reported is recomputed exactly against the chosen neighbour."""
    a, b = flat_unit(samples), flat_unit(refs)
    a_sq = np.sum(np.square(a), axis=1)[:, None]
    best = np.full(len(a), np.inf, np.float32)
    where = np.zeros(len(a), np.int64)
    for start in range(0, len(b), chunk):
        part = b[start:start + chunk]
        sq = a_sq + np.sum(np.square(part), axis=1)[None] - 2.0 * (a @ part.T)
        idx = sq.argmin(axis=1)
        low = sq[np.arange(len(a)), idx]
        better = low < best
        best[better], where[better] = low[better], idx[better] + start
    return rms(a, b[where]), where


def psnr(samples: np.ndarray, refs: np.ndarray) -> np.ndarray:
    """PSNR in dB of each sample against the reference image at the same position
    (``tf.image.psnr``, max_val 1, images in [0, 1]), capped at ``PSNR_CAP``."""
    values = tf.image.psnr(to_unit(samples), to_unit(refs), max_val=1.0).numpy()
    return np.minimum(np.nan_to_num(values, nan=PSNR_CAP, posinf=PSNR_CAP), PSNR_CAP)


def diversity(samples: np.ndarray, chunk: int = 16) -> float:
    """Mean RMS distance over all pairs i < j of samples (0 for copies of one image)."""
    a = flat_unit(samples).astype(np.float64)
    n = len(a)
    if n < 2:
        return 0.0
    total = 0.0
    for start in range(0, n, chunk):
        rows = a[start:start + chunk]
        dist = np.sqrt(np.mean(np.square(rows[:, None] - a[None]), axis=2))
        upper = np.arange(start, start + len(rows))[:, None] < np.arange(n)[None]
        total += float(dist[upper].sum())
    return total / (n * (n - 1) / 2)


def nearest_pixel_figures(samples: np.ndarray, refs: np.ndarray, suffix: str) -> dict:
    """``nn_l2_<suffix>`` (mean RMS distance to the nearest reference) and
    ``nn_psnr_<suffix>`` (mean capped PSNR against that same neighbour)."""
    dist, where = nearest_l2(samples, refs)
    return {f"nn_l2_{suffix}": float(dist.mean()),
            f"nn_psnr_{suffix}": float(psnr(samples, refs[where]).mean())}
