"""Weights as one flat float32 vector per model, with the variables' shapes kept beside it."""

from __future__ import annotations

import numpy as np


class FlatWeights:
    """Reads and writes a Keras model's trainable weights as one flat vector."""

    def __init__(self, model):
        self.variables = list(model.trainable_weights)
        self.shapes = [tuple(v.shape) for v in self.variables]
        self.sizes = [int(np.prod(s)) for s in self.shapes]
        self.offsets = np.cumsum([0] + self.sizes)

    @property
    def size(self) -> int:
        """Number of parameters in the flat vector."""
        return int(self.offsets[-1])

    def get(self) -> np.ndarray:
        """The model's current weights as one float32 vector."""
        return np.concatenate([np.asarray(v.numpy(), np.float32).ravel() for v in self.variables])

    def set(self, flat: np.ndarray) -> None:
        """Load a flat vector into the model's variables."""
        for var, start, end, shape in zip(self.variables, self.offsets[:-1], self.offsets[1:],
                                          self.shapes):
            var.assign(flat[start:end].reshape(shape))


def variables_state(variables) -> dict:
    """Values of Keras/TF variables (optimiser slots, seed states, batch-norm statistics),
    keyed by position so that a checkpoint holds only plain arrays."""
    return {f"v{i:03d}": np.array(v.numpy()) for i, v in enumerate(variables)}


def load_variables_state(variables, state: dict) -> None:
    """Assign what ``variables_state`` returned, checking that the variables line up."""
    variables = list(variables)
    if len(variables) != len(state):
        raise ValueError(f"checkpoint: {len(state)} saved variables, model has {len(variables)}")
    for i, var in enumerate(variables):
        var.assign(state[f"v{i:03d}"])
