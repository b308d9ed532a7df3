"""Fréchet distance in the oracle's feature space (an MNIST-sized FID).

Settings: features are the activations of the oracle's penultimate layer (its Dense(128) ReLU
layer, before dropout; see ``Oracle.features``), not Inception's, so nothing is downloaded and
the values are not comparable with published Inception FIDs. With feature means μ₁, μ₂ and
covariances Σ₁, Σ₂ (``np.cov``, unbiased, N − 1):

    FID = ‖μ₁ − μ₂‖² + tr(Σ₁) + tr(Σ₂) − 2·tr((Σ₁Σ₂)^½)

tr((Σ₁Σ₂)^½) comes from ``scipy.linalg.sqrtm`` (real part; when the product is singular enough
to give a non-finite root, 1e-6·I is added to both covariances, as pytorch-fid does). A NumPy
cross-check, ``trace_sqrt_product_numpy``, computes it as Σᵢ √λᵢ over the eigenvalues λᵢ of the
symmetric positive semi-definite Σ₁^½ Σ₂ Σ₁^½ (same spectrum as Σ₁Σ₂; negative round-off
eigenvalues clipped to 0).
With 100 samples and 128 features Σ₁ is singular and SciPy warns that its root "might be
inaccurate"; the warning is silenced because the two routes agree to 1e-4 on the runs' samples
(and a test checks them against each other on a rank-deficient pair). A negative total from
round-off is reported as 0.
The run compares ``--eval-samples`` samples (100 by default) with the test split's images of the
target class; FID from so few samples is biased upwards, so compare it between runs with the same
``--eval-samples`` only.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import linalg

EPS = 1e-6


def _psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    """Square root of a symmetric positive semi-definite matrix (eigh, negatives clipped)."""
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


def trace_sqrt_product_numpy(cov1: np.ndarray, cov2: np.ndarray) -> float:
    """tr((Σ₁Σ₂)^½) as Σ √λ over the eigenvalues of Σ₁^½ Σ₂ Σ₁^½ (NumPy only)."""
    root = _psd_sqrt(cov1)
    middle = root @ cov2 @ root
    values = np.linalg.eigvalsh((middle + middle.T) / 2.0)
    return float(np.sqrt(np.clip(values, 0.0, None)).sum())


def trace_sqrt_product(cov1: np.ndarray, cov2: np.ndarray) -> float:
    """tr((Σ₁Σ₂)^½) by ``scipy.linalg.sqrtm``."""
    with warnings.catch_warnings():  # 100 samples, 128 features: Σ₁Σ₂ is always singular
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        root = linalg.sqrtm(cov1 @ cov2)
        if not np.all(np.isfinite(root)):
            offset = EPS * np.eye(len(cov1))
            root = linalg.sqrtm((cov1 + offset) @ (cov2 + offset))
    return float(np.real(np.trace(root)))


def frechet_distance(features1: np.ndarray, features2: np.ndarray) -> float:
    """Fréchet distance of two N × D feature sets, each modelled as a Gaussian."""
    f1, f2 = np.asarray(features1, np.float64), np.asarray(features2, np.float64)
    mu1, mu2 = f1.mean(axis=0), f2.mean(axis=0)
    cov1, cov2 = np.cov(f1, rowvar=False), np.cov(f2, rowvar=False)
    value = (np.sum(np.square(mu1 - mu2)) + np.trace(cov1) + np.trace(cov2)
             - 2.0 * trace_sqrt_product(cov1, cov2))
    return float(max(value, 0.0))


def fid_oracle(samples: np.ndarray, reference: np.ndarray, oracle) -> float:
    """FID of images (uint8 or [−1, 1] floats) against reference images, in the oracle's
    penultimate-layer features (NaN with fewer than two reference images: no covariance)."""
    if len(reference) < 2:
        return float("nan")
    return frechet_distance(oracle.features(samples), oracle.features(reference))
