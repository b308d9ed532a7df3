"""Federated averaging (McMahan et al. 2017) as a round policy beside DSSGD.

Each round every participant starts from the global model, trains ``local_steps`` mini-batches on
its own records (the GAN insider does exactly what it does in a DSSGD turn: train its generator
against the downloaded model, then train on its records and fakes), and the server replaces the
global weights by the average of the participants' resulting weights, weighted by how many
training examples each reports (its records; the insider adds the generated samples it trained
on, as a client reporting its local data size would). The exchange order is irrelevant:
everybody starts from the same model.
"""

from __future__ import annotations

import dataclasses

import numpy as np


def weighted_average(weights_list, counts) -> np.ndarray:
    """Σ_k n_k·w_k / Σ_k n_k over flat weight vectors ``weights_list`` and record counts."""
    counts = np.asarray(counts, dtype=np.float64)
    if len(weights_list) != len(counts) or len(counts) == 0:
        raise ValueError("weighted_average: one record count per weight vector, at least one")
    if np.any(counts < 0) or counts.sum() <= 0:
        raise ValueError("weighted_average: record counts must be ≥ 0 with a positive sum")
    stacked = np.stack([np.asarray(w, dtype=np.float64) for w in weights_list])
    return (np.tensordot(counts, stacked, axes=1) / counts.sum()).astype(np.float32)


def local_model(participant, server, rules) -> np.ndarray:
    """The participant's weights after one local training turn started from the global model
    (its upload is ignored: FedAvg exchanges whole models)."""
    participant.local_weights = server.weights.copy()
    participant.turn(server, dataclasses.replace(rules, theta_d=1.0))
    return participant.local_weights.copy()


class FedAvgRound:
    """One FedAvg round: every participant trains from the global model, the server averages."""

    name = "fedavg"

    def play(self, participants, server, rules, order: str, rng) -> None:
        """Train every participant locally and replace the global weights by their average."""
        models = [local_model(p, server, rules) for p in participants]
        server.replace(weighted_average(models, [p.example_count() for p in participants]))
