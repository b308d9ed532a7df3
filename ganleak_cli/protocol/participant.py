"""An honest DSSGD participant: download → local training → upload a selected, clipped Δ."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np

from ganleak_cli.core.pixels import to_model_range
from ganleak_cli.protocol.sampler import BatchSampler, stack_batches
from ganleak_cli.protocol.selection import clip, select_upload
from ganleak_cli.protocol.server import ParameterServer, Upload
from ganleak_cli.protocol.trainer import LocalTrainer


@dataclass(frozen=True)
class ExchangeRules:
    """How a participant talks to the server (Shokri & Shmatikov's θd, θu, selection, τ, γ).
    The local steps and batch have no default here: the run's exchange settings hold the only
    one."""

    local_steps: int
    batch_size: int
    theta_d: float = 1.0
    theta_u: float = 1.0
    selection: str = "largest"
    tau: float = 0.0
    gamma: float | None = None


def batch_for(records: int, rules: ExchangeRules) -> int:
    """The mini-batch of a turn over ``records`` records: ``batch_size``, or fewer when the turn
    holds fewer than ``local_steps`` full batches (a victim with 7 faces trains on its 7, not on
    64 draws that repeat each of them nine or ten times: nearly the same gradient, each face
    weighted 1/7 instead of 9/64 or 10/64, at a ninth of the cost)."""
    return max(1, min(rules.batch_size, records // rules.local_steps))


class PlainUpload:
    """The non-private upload rule: θu selection (largest or random above τ), γ clipping."""

    def __init__(self, rules: ExchangeRules):
        self.rules = rules

    def __call__(self, delta: np.ndarray, rng: np.random.Generator) -> tuple[Upload, None]:
        """The upload, and the privacy it spent: none."""
        r = self.rules
        indices = select_upload(delta, r.theta_u, r.selection, r.tau, rng)
        return Upload(indices, clip(delta[indices], r.gamma)), None


class Participant:
    """Holds private records and a local copy of the weights; trains on the shared model.

    ``trainer`` is shared by participants of the same kind (one Keras model for all);
    The privacy contract: each mechanism returns its result and the DP event it spent (the
    uploader: (Upload, event or None); the trainer: ``step_event``), and the participant records
    them in ``ledger`` (the privacy package's Ledger, handed in: protocol does not import
    privacy, privacy builds on protocol), which composes them and owns every ε figure.

    ``keep_local``: whether the local weight vector lives between turns. It must when a turn
    downloads only part of the model (θd < 1: the rest is the participant's own) or when an
    attack reads it afterwards (MI-FACE); otherwise (θd = 1, FedAvg) every download overwrites
    all of it, so it exists only during a turn and thousands of participants cost no model each.
    """

    def __init__(self, name: str, images: np.ndarray, labels: np.ndarray,
                 initial_weights: np.ndarray, rng: np.random.Generator,
                 trainer: LocalTrainer, uploader, ledger, keep_local: bool = True):
        self.name = name
        self.images = images
        self.labels = labels
        self.keep_local = keep_local
        self.local_weights = (np.array(initial_weights, dtype=np.float32, copy=True)
                              if keep_local else None)
        self.rng = rng
        self.sampler = BatchSampler(len(labels), rng)
        self.trainer = trainer
        self.uploader = uploader
        self.ledger = ledger
        self.last_loss = float("nan")
        self.view = nullcontext   # entered around each turn: what this participant's model sees

    def download(self, server: ParameterServer, rules: ExchangeRules):
        """Overwrite the θd most-updated parameters with the server's and load them."""
        indices, values = server.download(rules.theta_d)
        if self.local_weights is None:      # θd = 1 without a kept copy: all of it is the server's
            self.local_weights = np.empty_like(server.weights)
        self.local_weights[indices] = values
        self.trainer.flat.set(self.local_weights)

    def local_data(self, rules: ExchangeRules) -> tuple[np.ndarray, np.ndarray]:
        """This turn's training records (images in [−1, 1], labels), ``local_steps`` batches."""
        idx = self.sampler.take(rules.local_steps * min(rules.batch_size, len(self.labels)))
        return to_model_range(self.images[idx]), self.labels[idx]

    def train_and_upload(self, x: np.ndarray, y: np.ndarray, rules: ExchangeRules) -> Upload:
        """Train on (x, y), keep the result locally, and return what the uploader releases."""
        batch = batch_for(len(x), rules)
        xb, yb = stack_batches(x, y, batch)
        if len(xb) == 0:  # no records (an adversary without data before its attack starts)
            return Upload(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32))
        self.last_loss = self.trainer.train(xb, yb)
        step_event = self.trainer.step_event(batch / self.example_count())
        if step_event is not None:
            self.ledger.record(step_event, len(xb))
        new_weights = self.trainer.flat.get()
        delta = new_weights - self.local_weights
        self.local_weights = new_weights if self.keep_local else None
        upload, event = self.uploader(delta, self.rng)
        if event is not None:
            self.ledger.record(event)
        return upload

    def trained_weights(self) -> np.ndarray:
        """The weights its last turn ended with (the trainer's model holds them until the next
        participant's turn): FedAvg's local model, kept or not."""
        return self.trainer.flat.get()

    def example_count(self) -> int:
        """Training examples this participant reports (FedAvg's averaging weight)."""
        return len(self.labels)

    def state_dict(self) -> dict:
        """Local weights, RNG, sampler position, DP ledger and last loss (for checkpoints)."""
        local = None if self.local_weights is None else self.local_weights.copy()
        return {"local_weights": local, "rng": self.rng.bit_generator.state,
                "sampler": self.sampler.state_dict(), "ledger": self.ledger.state_dict(),
                "last_loss": self.last_loss}

    def load_state_dict(self, state: dict) -> None:
        """Restore what ``state_dict`` returned."""
        local = state["local_weights"]
        self.local_weights = None if local is None else np.array(local, dtype=np.float32)
        self.rng.bit_generator.state = state["rng"]
        self.sampler.load_state_dict(state["sampler"])
        self.ledger.load_state_dict(state["ledger"])
        self.last_loss = float(state["last_loss"])

    def turn(self, server: ParameterServer, rules: ExchangeRules) -> Upload:
        """One turn inside the participant's ``view`` (a defence may give a participant its own
        view of the model, e.g. only its own class keys)."""
        with self.view():
            return self.take_turn(server, rules)

    def take_turn(self, server: ParameterServer, rules: ExchangeRules) -> Upload:
        """One DSSGD turn: download, train locally on private data, upload."""
        self.download(server, rules)
        x, y = self.local_data(rules)
        return self.train_and_upload(x, y, rules)
