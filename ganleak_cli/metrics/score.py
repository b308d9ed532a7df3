"""Score one reconstruction against the ground truth: the leakage figures of every evaluation
(oracle, similarity, memorisation), the identity figures and, where they exist, the face
verdict's. Sees a Reconstruction and a GroundTruth only."""

from __future__ import annotations

import numpy as np

from ganleak_cli.metrics.evaluate import leakage_report
from ganleak_cli.metrics.identity import identity_figures
from ganleak_cli.metrics.verdict import face_figures
from ganleak_cli.values import GroundTruth, Reconstruction


def score_reconstruction(reconstruction: Reconstruction, truth: GroundTruth,
                         oracle) -> tuple[dict, np.ndarray]:
    """The reconstruction's figures (its own included) and, per sample, the index of its
    nearest private record (for the comparison grid)."""
    samples = reconstruction.samples
    figures, nearest = leakage_report(samples, oracle, truth.heldout, truth.private,
                                      truth.target_class)
    record = dict(figures)
    record.update(identity_figures(samples, truth.dataset, truth.target_class))
    if "identity_match" in record:
        record.update(face_figures(samples, record))
    record.update(reconstruction.figures)
    return record, nearest
