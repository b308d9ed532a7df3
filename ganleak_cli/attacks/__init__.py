"""Attacks by an insider participant, one module each, found through the ``ganleak.attacks``
entry points (ganleak's own ones too, see pyproject.toml): the GAN insider of Hitaj et al.
(active, passive), the MI-FACE baseline (Fredrikson et al.) run against the model the insider
holds (mia), and an honest insider (none).

An attack is an ``Attack`` subclass with a ``name``, a ``Settings`` dataclass of declared fields
(its options) and two hooks: the insider participant it plays, and what reconstructs the target
at each evaluation. Component modules stay light (TensorFlow is imported inside the hooks).
"""

from __future__ import annotations

from dataclasses import dataclass

from ganleak_cli.core.components import NoSettings, Registry

ATTACKS = Registry("ganleak.attacks", "attack")


@dataclass(frozen=True)
class AttackContext:
    """The run's facts an attack may read: the target, the artificial class, whether the
    insider holds records of its own."""

    target_class: int = 0
    fake_class: int = 10
    own_records: bool = True


class Attack:
    """An honest insider: trains on its own records like everyone, reconstructs nothing."""

    name = ""
    summary = ""
    Settings = NoSettings
    reconstructs = False          # whether evaluations score a reconstruction (needs the oracle)
    trains_without_records = False  # whether the insider may hold no records of its own

    def __init__(self, settings=None, context: AttackContext | None = None):
        self.settings = settings if settings is not None else self.Settings()
        self.context = context or AttackContext()

    def validate(self) -> None:
        """Raise ValueError('<field>: …') for settings that contradict each other or the run."""

    def insider(self, args: tuple, role: dict, image_shape, seed: int):
        """The insider participant: ``Participant(*args, **role)`` (``args``: name, its images,
        labels, initial weights, rng; ``role``: trainer, uploader, ledger, keep_local;
        ``seed``: the attack's own seed)."""
        from ganleak_cli.protocol.participant import Participant

        return Participant(*args, **role)

    def reconstruction(self, model, flat, image_shape, fixed_noise, rng):
        """What reconstructs the target at each evaluation (``reconstruct(adversary)`` →
        values.Reconstruction), or None (``model``, ``flat``: the shared Keras model and its
        flat weights; ``fixed_noise``: the run's fixed generator noise; ``rng``: seeded)."""
        return None
