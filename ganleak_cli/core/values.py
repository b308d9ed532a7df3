"""The narrow values between the pipeline's stages: an attack hands back a ``Reconstruction``
(its samples and its own figures); the scoring code holds the ``GroundTruth`` (the target's
held-out images, the victims' private records of it), which no attack ever sees."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Reconstruction:
    """Samples in [−1, 1] (N×H×W×C) and the attack's own figures (e.g. its loss).
    ``live``: with ``--gen-ema``, the generator's own samples for the same noise (the samples
    are the weight average's), scored beside them as ``live_*``."""

    samples: np.ndarray
    figures: dict = field(default_factory=dict)
    live: np.ndarray | None = None


@dataclass(frozen=True)
class GroundTruth:
    """The answers a reconstruction is scored against."""

    target_class: int
    heldout: np.ndarray     # the target's test-split images (uint8)
    private: np.ndarray     # the victims' training records of the target (uint8)
    dataset: object         # the Dataset, for identity figures against every class

    @classmethod
    def of(cls, dataset, victims_records: list[tuple[np.ndarray, np.ndarray]],
           target_class: int) -> "GroundTruth":
        """From the dataset and each victim's (images, labels)."""
        private = np.concatenate([images[labels == target_class]
                                  for images, labels in victims_records])
        return cls(target_class, dataset.x_test[dataset.y_test == target_class], private,
                   dataset)
