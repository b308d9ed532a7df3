"""DP-SGD (Abadi et al., CCS'16) in the private participants' local training.

Each local step clips every example's gradient to L2 norm C and adds Gaussian noise of std σ·C
to their sum (privacy/dpsgd.py); each step is accounted as a Poisson-sampled Gaussian mechanism
with q = batch / records, composed with the RDP (or PLD) accountant. Works under DSSGD and FedAvg.
"""

from __future__ import annotations

from dataclasses import dataclass

from ganleak_cli.core.settings import setting
from ganleak_cli.defences import Defence


@dataclass(frozen=True)
class DpsgdSettings:
    """Noise, clip and accountant of DP-SGD."""

    noise_multiplier: float = setting(
        1.0, "DP-SGD: Gaussian noise σ (std σ·C on the summed gradients).", low=0.0,
        low_open=True)
    l2_clip: float = setting(1.0, "DP-SGD: per-example gradient L2 clip C.", low=0.0,
                             low_open=True)
    accountant: str = setting(
        "rdp", "DP-SGD accountant (Shokri's pure-ε uploads use PLD or basic composition).",
        choices=("rdp", "pld"))


class DpsgdDefence(Defence):
    """Private participants train with DP-SGD; uploads stay plain."""

    name = "dpsgd"
    summary = "DP-SGD in every private participant's local training"
    Settings = DpsgdSettings

    @property
    def accountant(self) -> str:
        """The accountant the settings name."""
        return self.settings.accountant

    def private_trainer(self, model, lr: float, seed: int):
        """A DPSGDTrainer on the shared Keras model."""
        from ganleak_cli.privacy.dpsgd import DPSGDTrainer

        s = self.settings
        return DPSGDTrainer(model, lr, s.l2_clip, s.noise_multiplier, seed)

    def turn_ledger(self, n_params: int, records: int, turns: int = 1):
        """``local_steps`` Poisson-sampled Gaussian events per turn, q = batch / records."""
        from ganleak_cli.privacy.accounting import Ledger, dpsgd_event

        rate = min(1.0, self.context.batch_size / records)
        ledger = Ledger()
        ledger.record(dpsgd_event(self.settings.noise_multiplier, rate),
                      turns * self.context.local_steps)
        return ledger
