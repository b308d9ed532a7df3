"""Score one reconstruction against the ground truth: the leakage figures of every evaluation
(oracle, similarity, memorisation), the identity figures and, where they exist, the face
verdict's. Sees a Reconstruction and a GroundTruth only."""

from __future__ import annotations

import numpy as np

from ganleak_cli.core.values import GroundTruth, Reconstruction
from ganleak_cli.metrics.evaluate import leakage, leakage_report
from ganleak_cli.metrics.families import METRICS
from ganleak_cli.metrics.verdict import sample_self_ssim


def score_reconstruction(reconstruction: Reconstruction, truth: GroundTruth,
                         oracle) -> tuple[dict, np.ndarray]:
    """The reconstruction's figures (the core leakage ones, every registered metric family's,
    its own) and, per sample, the index of its nearest private record (for the comparison
    grid)."""
    samples = reconstruction.samples
    figures, nearest = leakage_report(samples, oracle, truth.heldout, truth.private,
                                      truth.target_class)
    record = dict(figures)
    for family in METRICS.all():
        record.update(family().figures(reconstruction, truth, oracle, dict(record)))
    record.update(reconstruction.figures)
    if reconstruction.live is not None:
        record.update(live_figures(reconstruction.live, truth, oracle,
                                   faces="identity_match" in record))
    return record, nearest


def live_figures(samples: np.ndarray, truth: GroundTruth, oracle, faces: bool) -> dict:
    """The generator's own samples beside its weight average's (``--gen-ema``), as ``live_*``:
    the oracle rate and confidence, SSIM to held-out images and, for faces, the pairwise SSIM."""
    figures = leakage(samples, oracle, truth.heldout, truth.target_class)
    if faces:
        figures["sample_self_ssim"] = sample_self_ssim(samples)
    return {f"live_{name}": value for name, value in figures.items()}
