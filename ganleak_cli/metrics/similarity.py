"""Nearest-neighbour SSIM of generated samples to a reference set of real images.

SSIM as ``tf.image.ssim`` defines it (Wang et al. 2004): images scaled to [0, 1] (max_val 1),
a Gaussian window of 11×11 taps with σ = 1.5 applied without padding, k1 = 0.01, k2 = 0.03,
the per-pixel luminance × contrast-structure map averaged over the image and its channels.
A sample's score is its SSIM to the most similar reference image.

The search compares every sample with many references, so the window's statistics are shared
instead of recomputed per pair: each image's local mean and local mean of squares once
(``Stats``), and per pair only the local mean of the product — the one term that needs both
images. The Gaussian window is separable, so every local mean is two small matrix products (one
along the rows, one along the columns). ``tests/test_similarity.py`` checks the result against
``tf.image.ssim`` on real images.

``nearest_ssim`` searches every reference (used for the 1010 held-out threes).
``nearest_ssim_prefiltered`` is for large reference sets (the victims' ~6000 private records of
the target class): it scores SSIM only against the ``CANDIDATES`` (256) references with the
highest Pearson correlation to the sample (centred pixels, a matrix product), and against all of
them when there are no more than that: the most similar image by SSIM is among the most
correlated ones, so the search finds the exhaustive search's best at a fraction of its cost
(checked on real MNIST in tests/test_metrics_mnist.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganleak_cli.core.pixels import to_unit

FILTER_SIZE, FILTER_SIGMA, K1, K2 = 11, 1.5, 0.01, 0.03
C1, C2 = K1 ** 2, K2 ** 2   # (k · max_val)², max_val = 1

# Elements (samples × references × pixels) of one chunk's pairwise arrays: a few such arrays
# are alive at once, so 4 M elements stay near 100 MB at any image size.
PAIR_BUDGET = 4_000_000


def window(length: int) -> np.ndarray:
    """The (length − 10) × length matrix that applies the 11-tap Gaussian along one axis
    without padding (row i holds the taps at columns i … i + 10)."""
    coords = np.arange(FILTER_SIZE, dtype=np.float64) - (FILTER_SIZE - 1) / 2
    taps = np.exp(-coords ** 2 / (2 * FILTER_SIGMA ** 2))
    taps /= taps.sum()
    out = np.zeros((length - FILTER_SIZE + 1, length), dtype=np.float32)
    for i in range(len(out)):
        out[i, i:i + FILTER_SIZE] = taps
    return out


def local_mean(images: np.ndarray) -> np.ndarray:
    """The Gaussian-weighted local mean of ``images`` (… × H × W) over their last two axes."""
    rows, cols = window(images.shape[-2]), window(images.shape[-1])
    return rows @ images @ cols.T


@dataclass(frozen=True)
class Stats:
    """Images as channel-first planes in [0, 1], with their local means and local means of
    squares (computed once, shared by every pair an image is in)."""

    planes: np.ndarray       # N × C × H × W
    mean: np.ndarray         # N × C × H' × W'
    mean_sq: np.ndarray

    @classmethod
    def of(cls, images: np.ndarray) -> "Stats":
        """The statistics of uint8 [0, 255] or float [−1, 1] images (N × H × W [× C])."""
        units = to_unit(np.asarray(images))
        if units.ndim == 3:
            units = units[..., None]
        planes = np.ascontiguousarray(np.moveaxis(units, -1, 1))
        return cls(planes, local_mean(planes), local_mean(planes * planes))

    def take(self, index) -> "Stats":
        """The statistics of the images at ``index`` (any numpy index)."""
        return Stats(self.planes[index], self.mean[index], self.mean_sq[index])

    def as_rows(self) -> "Stats":
        """Each image on its own row (N × 1 × …), to broadcast against N × k pairs."""
        return self.take((slice(None), None))


def paired_ssim(a: Stats, b: Stats) -> np.ndarray:
    """SSIM of image i of ``a`` to image i of ``b``, for arrays that broadcast (e.g. a of
    n × 1 × … against b of n × k × …): the SSIM per pair, averaged over pixels and channels."""
    cross = local_mean(a.planes * b.planes)
    products = a.mean * b.mean
    squares = a.mean * a.mean + b.mean * b.mean
    luminance = (2 * products + C1) / (squares + C1)
    structure = (2 * cross - 2 * products + C2) / (a.mean_sq + b.mean_sq - squares + C2)
    return (luminance * structure).mean(axis=(-3, -2, -1))


def ssim_matrix(a: Stats, b: Stats) -> np.ndarray:
    """SSIM of every image of ``a`` to every image of ``b``: len(a) × len(b)."""
    return paired_ssim(a.as_rows(), b)


def pair_chunk(chunk: int, refs_per_sample: int, image_shape) -> int:
    """How many samples one chunk takes: at most ``chunk``, within ``PAIR_BUDGET``."""
    per_sample = max(1, refs_per_sample * int(np.prod(image_shape)))
    return max(1, min(chunk, PAIR_BUDGET // per_sample))


def nearest_ssim(samples: np.ndarray, refs: np.ndarray, chunk: int = 16):
    """For each sample, the best SSIM to any reference and that reference's index."""
    chunk = pair_chunk(chunk, len(refs), refs.shape[1:])
    ours, theirs = Stats.of(samples), Stats.of(refs)
    best, where = [], []
    for start in range(0, len(samples), chunk):
        scores = ssim_matrix(ours.take(slice(start, start + chunk)), theirs)
        best.append(scores.max(axis=1))
        where.append(scores.argmax(axis=1))
    return np.concatenate(best), np.concatenate(where)


CANDIDATES = 256


def _centred(images: np.ndarray) -> np.ndarray:
    """Images → rows of zero mean and unit norm (Pearson correlation is then a dot product)."""
    rows = to_unit(images).reshape(len(images), -1)
    rows = rows - rows.mean(axis=1, keepdims=True)
    return rows / (np.linalg.norm(rows, axis=1, keepdims=True) + 1e-8)


def nearest_ssim_prefiltered(samples: np.ndarray, refs: np.ndarray,
                             candidates: int = CANDIDATES, chunk: int = 16):
    """``nearest_ssim`` over each sample's ``candidates`` most correlated references."""
    if len(refs) <= candidates:
        return nearest_ssim(samples, refs, chunk)
    chunk = pair_chunk(chunk, candidates, refs.shape[1:])
    correlation = _centred(samples) @ _centred(refs).T
    shortlist = np.argpartition(-correlation, candidates - 1, axis=1)[:, :candidates]
    ours, theirs = Stats.of(samples), Stats.of(refs)
    best, where = [], []
    for start in range(0, len(samples), chunk):
        picked = shortlist[start:start + chunk]
        scores = paired_ssim(ours.take(slice(start, start + chunk)).as_rows(),
                             theirs.take(picked))
        best.append(scores.max(axis=1))
        where.append(picked[np.arange(len(picked)), scores.argmax(axis=1)])
    return np.concatenate(best), np.concatenate(where)
