"""Shokri & Shmatikov's distributed selective SGD as a round protocol: participants take turns;
each downloads θd of the parameters, trains, and uploads its selected Δ, which the server adds
at once."""

from __future__ import annotations

from dataclasses import dataclass

from ganleak_cli.core.settings import setting
from ganleak_cli.protocol.order import ORDERS, round_turns
from ganleak_cli.protocol.rounds import Protocol


@dataclass(frozen=True)
class DssgdSettings:
    """DSSGD's option: who takes a turn when."""

    order: str = setting("round-robin", choices=ORDERS,
                         help="Exchange order of the participants (dssgd only).")


class Dssgd(Protocol):
    """Every participant (or, in async order, as many random turns) takes a DSSGD turn."""

    name = "dssgd"
    summary = "Shokri & Shmatikov's selective SGD turns"
    Settings = DssgdSettings

    def play(self, participants, server, rules, rng) -> None:
        for who in round_turns(self.settings.order, len(participants), rng):
            server.apply(participants[who].turn(server, rules))
