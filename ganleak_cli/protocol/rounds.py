"""Which collaborative-learning protocol a round follows: DSSGD turns or FedAvg averaging.

``make_protocol(name)`` is the one place the choice is made; ``run.play_round`` delegates to the
object it returns. Nothing here imports TensorFlow.
"""

from __future__ import annotations

from ganleak_cli.protocol.fedavg import FedAvgRound
from ganleak_cli.protocol.order import round_turns

PROTOCOLS = ("dssgd", "fedavg")


class DssgdRound:
    """Shokri & Shmatikov's DSSGD: participants take turns (``--order``); each downloads θd of
    the parameters, trains, and uploads its selected Δ, which the server adds at once."""

    name = "dssgd"

    def play(self, participants, server, rules, order: str, rng) -> None:
        """Every participant (or, in async order, as many random turns) takes a DSSGD turn."""
        for who in round_turns(order, len(participants), rng):
            server.apply(participants[who].turn(server, rules))


def make_protocol(name: str, clients_per_round: int | None = None,
                  insider_sampling: str = "uniform", weighting: str = "examples"):
    """The round policy for ``--protocol`` (FedAvg samples ``clients_per_round`` clients, the
    adversary among them or, with ``insider_sampling`` every-round, always, and weighs their
    models by example count or, with ``weighting`` equal, alike)."""
    if name == "dssgd":
        return DssgdRound()
    if name == "fedavg":
        return FedAvgRound(clients_per_round, insider_sampling == "every-round",
                           weighting == "equal")
    raise ValueError(f"protocol: must be one of {', '.join(PROTOCOLS)}, got {name!r}")
