"""An honest DSSGD participant: download → local training → upload a selected, clipped Δ."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganleak_cli.protocol.sampler import BatchSampler, stack_batches
from ganleak_cli.protocol.selection import clip, select_upload
from ganleak_cli.protocol.server import ParameterServer, Upload
from ganleak_cli.protocol.trainer import LocalTrainer, to_model_range


@dataclass(frozen=True)
class ExchangeRules:
    """How a participant talks to the server (Shokri & Shmatikov's θd, θu, selection, τ, γ)."""

    theta_d: float = 1.0
    theta_u: float = 1.0
    selection: str = "largest"
    tau: float = 0.0
    gamma: float | None = None
    local_steps: int = 20
    batch_size: int = 64


class Participant:
    """Holds private records and a local copy of the weights; trains on the shared model."""

    def __init__(self, name: str, images: np.ndarray, labels: np.ndarray,
                 initial_weights: np.ndarray, rng: np.random.Generator):
        self.name = name
        self.images = images
        self.labels = labels
        self.local_weights = np.array(initial_weights, dtype=np.float32, copy=True)
        self.rng = rng
        self.sampler = BatchSampler(len(labels), rng)
        self.last_loss = float("nan")

    def download(self, server: ParameterServer, trainer: LocalTrainer, rules: ExchangeRules):
        """Overwrite the θd most-updated parameters with the server's and load them."""
        indices, values = server.download(rules.theta_d)
        self.local_weights[indices] = values
        trainer.flat.set(self.local_weights)

    def local_data(self, rules: ExchangeRules) -> tuple[np.ndarray, np.ndarray]:
        """This turn's training records (images in [−1, 1], labels), ``local_steps`` batches."""
        idx = self.sampler.take(rules.local_steps * rules.batch_size)
        return to_model_range(self.images[idx]), self.labels[idx]

    def train_and_upload(self, trainer: LocalTrainer, x: np.ndarray, y: np.ndarray,
                         rules: ExchangeRules) -> Upload:
        """Train on (x, y), keep the result locally, and return the selected clipped Δ."""
        xb, yb = stack_batches(x, y, rules.batch_size)
        self.last_loss = trainer.train(xb, yb)
        new_weights = trainer.flat.get()
        delta = new_weights - self.local_weights
        self.local_weights = new_weights
        indices = select_upload(delta, rules.theta_u, rules.selection, rules.tau, self.rng)
        return Upload(indices, clip(delta[indices], rules.gamma))

    def turn(self, server: ParameterServer, trainer: LocalTrainer, rules: ExchangeRules) -> Upload:
        """One DSSGD turn: download, train locally on private data, upload."""
        self.download(server, trainer, rules)
        x, y = self.local_data(rules)
        return self.train_and_upload(trainer, x, y, rules)
