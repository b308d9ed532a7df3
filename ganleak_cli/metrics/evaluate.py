"""One evaluation of the shared model and of the adversary's generator."""

from __future__ import annotations

import numpy as np

from ganleak_cli.core.pixels import to_model_range
from ganleak_cli.metrics.distance import diversity, nearest_pixel_figures
from ganleak_cli.metrics.fid import fid_oracle
from ganleak_cli.metrics.oracle import Oracle
from ganleak_cli.metrics.similarity import nearest_ssim, nearest_ssim_prefiltered


def model_accuracy(model, images: np.ndarray, labels: np.ndarray, classes) -> dict:
    """Accuracy on the test split overall, per class, and on the given (victims') classes.

    The prediction is the argmax over all outputs, the artificial class included (an image
    assigned to it counts as an error). ``real_class_accuracy`` takes the argmax over the real
    classes only, and ``fake_class_rate`` is the share of real test images put in the artificial
    class (the shared model's confusion that the active attack causes).
    """
    logits = model.predict(to_model_range(images), batch_size=1000, verbose=0)
    correct = logits.argmax(axis=1) == labels
    real_only = logits[:, :-1].argmax(axis=1) == labels
    per_class = {str(c): float(correct[labels == c].mean()) for c in np.unique(labels)}
    mask = np.isin(labels, list(classes))
    return {"model_accuracy": float(correct.mean()), "accuracy_per_class": per_class,
            "victim_class_accuracy": float(correct[mask].mean()),
            "real_class_accuracy": float(real_only.mean()),
            "fake_class_rate": float(np.mean(logits.argmax(axis=1) == logits.shape[1] - 1))}


def leakage(samples: np.ndarray, oracle: Oracle, heldout: np.ndarray, target: int) -> dict:
    """Oracle target rate and confidence, and the mean nearest-neighbour SSIM to held-out
    real images of the target class, for generated samples in [−1, 1]."""
    rate, confidence = oracle.target_rate(samples, target)
    best, _ = nearest_ssim(samples, heldout)
    return {"oracle_target_rate": rate, "oracle_confidence": confidence,
            "nn_ssim_heldout": float(best.mean())}


def leakage_report(samples: np.ndarray, oracle: Oracle, heldout: np.ndarray,
                   private: np.ndarray, target: int) -> tuple[dict, np.ndarray]:
    """``leakage`` plus the memorisation figures: nearest-neighbour SSIM, L2 and PSNR to the
    victims' private records of the target class (``private``; only metrics ever see them) and
    to the held-out ones, the memorisation gap, the FID in the oracle's features against the
    held-out images, and the samples' diversity. Also returns the index in ``private`` of each
    sample's nearest record by SSIM (for the comparison grid).

    A larger reference set has closer nearest neighbours by chance, so ``memorisation_gap``
    compares like with like: ``nn_ssim_private_matched`` (nearest SSIM within a fixed random
    subset of the private records as large as the held-out set) − ``nn_ssim_heldout``. It is
    about 0 for samples that reproduce the class rather than particular records."""
    figures = leakage(samples, oracle, heldout, target)
    best, nearest = nearest_ssim_prefiltered(samples, private)
    figures["nn_ssim_private"] = float(best.mean())
    matched = private[size_matched(len(private), len(heldout))]
    figures["nn_ssim_private_matched"] = float(nearest_ssim_prefiltered(samples, matched)[0].mean())
    figures["memorisation_gap"] = figures["nn_ssim_private_matched"] - figures["nn_ssim_heldout"]
    figures.update(nearest_pixel_figures(samples, private, "private"))
    figures.update(nearest_pixel_figures(samples, heldout, "heldout"))
    figures["fid_oracle"] = fid_oracle(samples, heldout, oracle)
    figures["diversity"] = diversity(samples)
    return figures, nearest


def size_matched(population: int, size: int) -> np.ndarray:
    """A fixed random subset (seed 0: part of the measuring instrument, not of the run) of
    ``min(size, population)`` indices of ``population``, sorted."""
    rng = np.random.default_rng(0)
    return np.sort(rng.choice(population, size=min(size, population), replace=False))
