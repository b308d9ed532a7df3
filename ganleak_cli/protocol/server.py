"""The parameter server: global weights as one flat vector and a per-parameter update counter."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganleak_cli.protocol.selection import select_download


@dataclass(frozen=True)
class Upload:
    """What a participant sends: indices into the flat weight vector and the (clipped) changes."""

    indices: np.ndarray
    values: np.ndarray


class ParameterServer:
    """Holds the global flat weights and how often each parameter has been updated."""

    def __init__(self, initial_weights: np.ndarray):
        self.weights = np.array(initial_weights, dtype=np.float32, copy=True)
        self.counters = np.zeros(self.weights.size, dtype=np.int64)

    def download(self, theta_d: float) -> tuple[np.ndarray, np.ndarray]:
        """Indices and values of the θd fraction of most-updated parameters."""
        indices = select_download(self.counters, theta_d)
        return indices, self.weights[indices].copy()

    def apply(self, upload: Upload) -> None:
        """Add an upload to the global weights and bump the counters of what it touched.

        Upload indices are unique (selection never repeats one), so fancy-index addition is exact.
        """
        self.weights[upload.indices] += upload.values.astype(np.float32)
        self.counters[upload.indices] += 1

    def replace(self, weights: np.ndarray) -> None:
        """Replace the global weights wholesale (FedAvg's averaged model); every parameter
        counts as updated."""
        self.weights = np.array(weights, dtype=np.float32, copy=True)
        self.counters += 1

    def state_dict(self) -> dict:
        """Everything a checkpoint needs to restore the server."""
        return {"weights": self.weights.copy(), "counters": self.counters.copy()}

    def load_state_dict(self, state: dict) -> None:
        """Restore what ``state_dict`` returned."""
        self.weights = np.array(state["weights"], dtype=np.float32)
        self.counters = np.array(state["counters"], dtype=np.int64)
