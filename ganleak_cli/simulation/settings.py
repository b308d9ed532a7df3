"""One run's settings, one small frozen dataclass per concern.

``SimConfig`` (config.py) composes them: what the data is and who holds which part of it
(``DataSettings``), how participants train and exchange (``ExchangeSettings``), the chosen
protocol, defence and attack with every registered component's declared settings
(``component_settings``), when the run is scored (``EvaluationSettings``) and how it runs
(``RunSettings``). Each function of the run receives the concern it reads, never the whole config.

A field whose default is the dataset's own defaults to None here; ``SimConfig.from_options``
resolves it (reading a folder dataset's classes where needed) before any of these is made, so a
made config holds no unresolved None. Nothing here imports TensorFlow: the command line reads
these while it parses its options.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class DataSettings:
    """The dataset, how it is read, and how its classes are shared between the victims and the
    insider."""

    dataset: str = "mnist"
    data_dir: str | None = None
    image_size: int | None = None
    color: str = "grey"
    victims: int = 1
    victim_classes: tuple[int, ...] | None = None      # None: the dataset's
    adversary_classes: tuple[int, ...] | None = None   # None: the dataset's
    records_per_class: int | None = None
    partition: str = "shuffle"
    target_class: int | None = None                    # None: the dataset's


@dataclass(frozen=True)
class ExchangeSettings:
    """How a participant trains locally and talks to the server (Shokri & Shmatikov's θd, θu,
    selection, τ, γ; the local SGD's learning rate, batch and steps)."""

    theta_u: float = 1.0
    theta_d: float = 1.0
    selection: str = "largest"
    tau: float = 0.0
    gamma: float | None = None
    lr: float = 0.05
    batch_size: int = 64
    local_steps: int | None = None                     # None: the dataset's

    def rules(self):
        """The exchange rules (``protocol.participant.ExchangeRules``) the participants and the
        protocol apply."""
        from ganleak_cli.protocol.participant import ExchangeRules  # it imports TensorFlow

        return ExchangeRules(theta_d=self.theta_d, theta_u=self.theta_u,
                             selection=self.selection, tau=self.tau, gamma=self.gamma,
                             local_steps=self.local_steps, batch_size=self.batch_size)


@dataclass(frozen=True)
class EvaluationSettings:
    """When the run is scored and how many generated samples each evaluation scores."""

    eval_every: int | None = None                      # None: the dataset's
    eval_samples: int = 100

    def due(self, round_no: int, rounds: int) -> bool:
        """Whether ``round_no`` of a ``rounds``-round run is evaluated: every ``eval_every``
        rounds and the last."""
        return round_no % self.eval_every == 0 or round_no == rounds


@dataclass(frozen=True)
class RunSettings:
    """Where the run writes, its seed and length, and how it runs."""

    out: str | None = None             # None: a fresh folder under runs/ (``SimConfig.with_out``)
    seed: int = 0
    rounds: int | None = None                          # None: the dataset's
    checkpoint_every: int | None = None                # None: at every evaluation
    deterministic: bool = True
    tensorboard: bool = False


def component_settings(name: str, choice: list[tuple[str, type, object]], fields: list,
                       doc: str, module: str) -> type:
    """A frozen dataclass ``name`` of one kind of component: the ``choice`` fields (name, type,
    default: the chosen component and settings every component of the kind shares) and each
    registered component's declared settings (``fields``: (component, dataclasses.Field)), so
    that each component is built from its own declared settings alone. ``module`` is where the
    class is bound to ``name`` (so that it pickles)."""
    made = dataclasses.make_dataclass(
        name, [*choice, *[(field.name, field.type,
                           dataclasses.field(default=field.default, metadata=field.metadata))
                          for _, field in fields]], frozen=True)
    made.__module__, made.__qualname__, made.__doc__ = module, name, doc
    return made
