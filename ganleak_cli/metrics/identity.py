"""identity_match: does a generated sample look most like the target person (class)?

For each generated sample, the nearest real image by SSIM (the settings of ``similarity``) is
searched among all of the dataset's images (training and held-out split together: for AT&T, all
400 faces); ``identity_match`` is the fraction of samples whose nearest image belongs to the target
class. Chance level is about the target class's share of the images (1/40 for AT&T). It is only
computed for datasets of at most ``IDENTITY_MAX_REFS`` images (faces, your own folders), where an
exhaustive search is cheap; MNIST's 70 000 digits are covered by the oracle instead.

SSIM has a bias that makes the bare figure misleading: a featureless image (uniform grey, or a
collapsed, blurry generator) is nearest to whichever faces have the least contrast — on AT&T at
64×64 every uniform image's nearest face is person s1, i.e. class 0 (hence att's default target
7). So every record also carries ``identity_flat_baseline``: the same figure for uniform images
with each sample's mean brightness, and ``identity_shuffled_baseline``: the figure for each
sample with its pixels shuffled (same histogram, no structure), which separates a match by
brightness and contrast from one by spatial structure. Read ``identity_match`` only where it is
clearly above both baselines (and above chance). Even then it measures structure, not
recognisability: very noisy samples with a faint face-like blob can match the person by SSIM
while the oracle does not recognise them, so the face presets check ``oracle_target_rate`` as
well.
"""

from __future__ import annotations

import numpy as np

from ganleak_cli.metrics.families import MetricFamily
from ganleak_cli.metrics.similarity import nearest_ssim

IDENTITY_MAX_REFS = 5000


def identity_match(samples: np.ndarray, refs: np.ndarray, ref_labels: np.ndarray,
                   target: int) -> float:
    """Fraction of ``samples`` whose SSIM-nearest image in ``refs`` has label ``target``."""
    _, nearest = nearest_ssim(samples, refs)
    return float(np.mean(np.asarray(ref_labels)[nearest] == target))


def identity_figures(samples: np.ndarray, data, target: int) -> dict:
    """``{"identity_match": …}`` over all of ``data``'s images, or ``{}`` when there are more
    than ``IDENTITY_MAX_REFS`` of them."""
    if len(data.y_train) + len(data.y_test) > IDENTITY_MAX_REFS:
        return {}
    refs = np.concatenate([data.x_train, data.x_test])
    labels = np.concatenate([data.y_train, data.y_test])
    return identity_against(samples, refs, labels, target)


def identity_against(samples: np.ndarray, refs: np.ndarray, labels: np.ndarray,
                     target: int) -> dict:
    """``identity_match`` and its two baselines against the given references."""
    return {"identity_match": identity_match(samples, refs, labels, target),
            "identity_flat_baseline": identity_match(flat_copies(samples), refs, labels, target),
            "identity_shuffled_baseline": identity_match(shuffled_copies(samples), refs, labels,
                                                         target)}


def shuffled_copies(samples: np.ndarray, seed: int = 0) -> np.ndarray:
    """Each sample with its pixels in a random (seeded) order: the same brightness histogram,
    no spatial structure."""
    rng = np.random.default_rng(seed)
    flat = samples.reshape(len(samples), -1)
    return np.stack([row[rng.permutation(row.size)] for row in flat]).reshape(samples.shape)


def flat_copies(samples: np.ndarray) -> np.ndarray:
    """Uniform images, each at its sample's mean value (same dtype and range)."""
    means = samples.reshape(len(samples), -1).mean(axis=1)
    return np.broadcast_to(means[:, None, None, None], samples.shape).astype(samples.dtype)


class IdentityFamily(MetricFamily):
    """``identity_*`` figures and, where they exist, the face verdict's (metrics.verdict), with
    the target person's SSIM bar."""

    name = "identity"

    def figures(self, reconstruction, truth, oracle, record: dict) -> dict:
        """Identity figures over the dataset's images, then the verdict on them and ``record``."""
        from ganleak_cli.metrics.calibration import person_bars
        from ganleak_cli.metrics.verdict import face_figures

        samples = reconstruction.samples
        figures = identity_figures(samples, truth.dataset, truth.target_class)
        if "identity_match" in figures:
            bars = person_bars(truth.dataset, truth.target_class)
            figures.update(face_figures(samples, {**record, **figures}, bars))
        return figures
