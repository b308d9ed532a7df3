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


class RunningAverage:
    """Σ_k n_k·w_k / Σ_k n_k accumulated one model at a time (float64), so that a round holds
    one sum, not every participant's model (41 models at 64×64 are 0.4 GB in float32)."""

    def __init__(self):
        self.total = None
        self.count = 0.0

    def add(self, weights, count) -> None:
        """Add one flat weight vector with its (non-negative) example count."""
        if count < 0:
            raise ValueError("weighted_average: record counts must be ≥ 0 with a positive sum")
        scaled = np.asarray(weights, dtype=np.float64) * float(count)
        self.total = scaled if self.total is None else self.total + scaled
        self.count += float(count)

    def result(self) -> np.ndarray:
        """The weighted average (float32)."""
        if self.total is None or self.count <= 0:
            raise ValueError("weighted_average: record counts must be ≥ 0 with a positive sum")
        return (self.total / self.count).astype(np.float32)


def weighted_average(weights_list, counts) -> np.ndarray:
    """Σ_k n_k·w_k / Σ_k n_k over flat weight vectors ``weights_list`` and record counts."""
    if len(weights_list) != len(counts) or len(counts) == 0:
        raise ValueError("weighted_average: one record count per weight vector, at least one")
    average = RunningAverage()
    for weights, count in zip(weights_list, counts):
        average.add(weights, count)
    return average.result()


def local_model(participant, server, rules) -> np.ndarray:
    """The participant's weights after one local training turn started from the global model
    (its upload is ignored: FedAvg exchanges whole models). The download overwrites every
    parameter, so no stale local state matters."""
    participant.turn(server, dataclasses.replace(rules, theta_d=1.0))
    return participant.trained_weights()


class FedAvgRound:
    """One FedAvg round: every participant (or ``clients_per_round`` of them, sampled uniformly
    without replacement from the round's generator) trains from the global model; the server
    averages their models. With ``insider_every_round`` the last participant (the adversary) is
    one of the sampled clients of every round, beside ``clients_per_round`` − 1 sampled victims.
    With ``equal_weights`` every sampled model counts the same, whatever example count its client
    reports."""

    name = "fedavg"

    def __init__(self, clients_per_round: int | None = None, insider_every_round: bool = False,
                 equal_weights: bool = False):
        self.clients_per_round = clients_per_round
        self.insider_every_round = insider_every_round
        self.equal_weights = equal_weights

    def sampled(self, count: int, rng) -> list[int]:
        """The participants of this round, in index order (all, drawing nothing, by default)."""
        if self.clients_per_round is None or self.clients_per_round >= count:
            return list(range(count))
        if self.insider_every_round:
            victims = rng.choice(count - 1, size=self.clients_per_round - 1, replace=False)
            return sorted(victims.tolist()) + [count - 1]
        return sorted(rng.choice(count, size=self.clients_per_round, replace=False).tolist())

    def play(self, participants, server, rules, order: str, rng) -> None:
        """Train the round's participants locally and replace the global weights by their
        average."""
        average = RunningAverage()
        for index in self.sampled(len(participants), rng):
            person = participants[index]
            count = 1 if self.equal_weights else person.example_count()
            average.add(local_model(person, server, rules), count)
        server.replace(average.result())
