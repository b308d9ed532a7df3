"""Epoch-wise shuffled mini-batches of a participant's records."""

from __future__ import annotations

import numpy as np


class BatchSampler:
    """Yields record indices in shuffled epochs, continuing where the last turn stopped."""

    def __init__(self, n_records: int, rng: np.random.Generator):
        if n_records < 0:
            raise ValueError("sampler: a negative number of records")
        self.n_records = n_records
        self.rng = rng
        self._order = rng.permutation(n_records)
        self._cursor = 0

    def take(self, count: int) -> np.ndarray:
        """The next ``count`` indices; a new shuffled epoch starts whenever one runs out (none
        for a participant without records)."""
        if self.n_records == 0:
            return np.empty(0, dtype=np.int64)
        out = []
        while count > 0:
            if self._cursor == self.n_records:
                self._order, self._cursor = self.rng.permutation(self.n_records), 0
            step = min(count, self.n_records - self._cursor)
            out.append(self._order[self._cursor:self._cursor + step])
            self._cursor += step
            count -= step
        return np.concatenate(out)

    def state_dict(self) -> dict:
        """The current epoch's order and position (the RNG is saved by its owner)."""
        return {"order": self._order.copy(), "cursor": int(self._cursor)}

    def load_state_dict(self, state: dict) -> None:
        """Restore what ``state_dict`` returned."""
        self._order, self._cursor = np.array(state["order"]), int(state["cursor"])


def stack_batches(x: np.ndarray, y: np.ndarray, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut aligned arrays into full batches: (steps, batch, ...); a ragged tail is dropped."""
    steps = len(x) // batch_size
    keep = steps * batch_size
    return (x[:keep].reshape((steps, batch_size) + x.shape[1:]),
            y[:keep].reshape(steps, batch_size))
