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
from dataclasses import dataclass

import numpy as np

from ganleak_cli.core.settings import setting
from ganleak_cli.protocol.rounds import Protocol

INSIDER_SAMPLINGS = ("uniform", "every-round")
FEDAVG_WEIGHTINGS = ("examples", "equal")


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


@dataclass(frozen=True)
class FedAvgSettings:
    """FedAvg's options: how many clients a round samples, how the insider is sampled, how the
    models are weighed."""

    clients_per_round: int | None = setting(
        None, kind=int, low=1, shown_default="all",
        help="FedAvg: participants sampled uniformly (the adversary among them) to train and be "
             "averaged each round, as real federations sample clients.")
    insider_sampling: str = setting(
        "uniform", choices=INSIDER_SAMPLINGS,
        help="FedAvg with --clients-per-round: uniform (the adversary is sampled like any "
             "client) or every-round (it is one of the K clients of every round, beside K−1 "
             "sampled victims: an insider that never misses a round).")
    fedavg_weighting: str = setting(
        "examples", choices=FEDAVG_WEIGHTINGS,
        help="FedAvg: weigh each model by the example count its client reports (examples, "
             "McMahan et al.) or all alike (equal: a client's weight does not grow with the data "
             "it claims).")


class FedAvgRound(Protocol):
    """One FedAvg round: every participant (or ``clients_per_round`` of them, sampled uniformly
    without replacement from the round's generator) trains from the global model; the server
    averages their models. With ``insider_sampling`` every-round the last participant (the
    adversary) is one of the sampled clients of every round, beside ``clients_per_round`` − 1
    sampled victims. With ``fedavg_weighting`` equal every sampled model counts the same,
    whatever example count its client reports."""

    name = "fedavg"
    summary = ("every participant trains from the global model and the server averages the "
               "models, weighted by record count")
    Settings = FedAvgSettings
    selective = False

    @property
    def clients_per_round(self) -> int | None:
        return self.settings.clients_per_round

    @property
    def insider_every_round(self) -> bool:
        return self.settings.insider_sampling == "every-round"

    @property
    def equal_weights(self) -> bool:
        return self.settings.fedavg_weighting == "equal"

    def validate(self) -> None:
        """Whole models only; K between 1 and the participants; every-round sampling needs K."""
        if self.context.theta_u < 1 or self.context.theta_d < 1:
            raise ValueError("protocol: fedavg exchanges whole models; --theta-u and "
                             "--theta-d must stay 1")
        k, n = self.clients_per_round, self.context.participants
        if k is not None and not 1 <= k <= n:
            raise ValueError(f"clients_per_round: must be between 1 and the {n} participants "
                             f"(victims and the adversary), got {k}")
        if self.insider_every_round and k is None:
            raise ValueError("insider_sampling: chooses how FedAvg samples the adversary; it "
                             "needs --clients-per-round (without it every client trains every "
                             "round)")

    def sampled(self, count: int, rng) -> list[int]:
        """The participants of this round, in index order (all, drawing nothing, by default)."""
        if self.clients_per_round is None or self.clients_per_round >= count:
            return list(range(count))
        if self.insider_every_round:
            victims = rng.choice(count - 1, size=self.clients_per_round - 1, replace=False)
            return sorted(victims.tolist()) + [count - 1]
        return sorted(rng.choice(count, size=self.clients_per_round, replace=False).tolist())

    def play(self, participants, server, rules, rng) -> None:
        """Train the round's participants locally and replace the global weights by their
        average."""
        average = RunningAverage()
        for index in self.sampled(len(participants), rng):
            person = participants[index]
            count = 1 if self.equal_weights else person.example_count()
            average.add(local_model(person, server, rules), count)
        server.replace(average.result())
