"""Round protocols: the ``ganleak.protocols`` registry and the interface of one.

A protocol is one module (DSSGD in protocol/dssgd.py, FedAvg in protocol/fedavg.py): its name, its
declared settings (which become ``ganleak simulate`` options, config-file and sweep keys) and
``play``, one round of it. The run builds the chosen one with ``make_protocol``; nothing else
names a protocol. Nothing here imports TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass

from ganleak_cli.core.components import NoSettings, Registry

PROTOCOLS = Registry("ganleak.protocols", "protocol")


@dataclass(frozen=True)
class ProtocolContext:
    """What a protocol may read of the run besides its own settings."""

    participants: int = 2      # the victims and the adversary
    theta_u: float = 1.0
    theta_d: float = 1.0


class Protocol:
    """One round policy. ``selective``: participants exchange selected fractions of the
    parameters (θu, θd, Shokri's DP uploads apply); otherwise they exchange whole models."""

    name = ""
    summary = ""
    Settings = NoSettings
    selective = True

    def __init__(self, settings=None, context: ProtocolContext | None = None):
        self.settings = settings if settings is not None else self.Settings()
        self.context = context or ProtocolContext()

    def validate(self) -> None:
        """ValueError('<field>: …') for settings this protocol cannot run with."""

    def play(self, participants, server, rules, rng) -> None:
        """One round: the participants train and exchange with ``server`` (``rng`` draws who
        takes a turn, where the protocol draws)."""
        raise NotImplementedError


def make_protocol(name: str, settings: dict | None = None,
                  context: ProtocolContext | None = None) -> Protocol:
    """The protocol registered as ``name``, built from the matching keys of ``settings`` (its
    own declared settings; the rest are ignored)."""
    from ganleak_cli.core.settings import settings_from

    component = PROTOCOLS.get(name)
    return component(settings_from(component.Settings, settings or {}), context)
