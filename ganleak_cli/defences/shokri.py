"""Shokri & Shmatikov's differentially private uploads (CCS'15, Algorithm 2).

Each private participant releases c = ⌈θu·|w|⌉ values per upload through a sparse-vector
selection with Laplace noise, clipped to [−γ, γ] (sensitivity 2γ), spending ε per upload: the
budget is ``--dp-eps`` or the paper's per-parameter ``--dp-eps-per-param`` ε/c. Under this
defence γ is a protocol bound: a participant that adds no noise still clips its uploads to
[−γ, γ] (``--gamma`` when given, else ``--dp-gamma``). The mechanism itself is
privacy/shokri.py; accounting composes its pure-ε events (privacy/accounting.py).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ganleak_cli.core.settings import setting
from ganleak_cli.defences import Defence


@dataclass(frozen=True)
class ShokriSettings:
    """The budget and the mechanism's clip bound and threshold."""

    dp_eps: float | None = setting(
        None, "Shokri: ε per upload (one local training turn) per participant.", kind=float,
        low=0.0, low_open=True, shown_default="off", selects=True)
    dp_eps_per_param: float | None = setting(
        None, "Shokri: the paper's ε/c, c = ⌈θu·|w|⌉ (excludes --dp-eps).", kind=float,
        low=0.0, low_open=True, shown_default="off", selects=True)
    dp_gamma: float | None = setting(
        0.01, "Shokri: clip bound γ of released values (sensitivity 2γ).", low=0.0,
        low_open=True, per_dataset=True)
    dp_tau: float | None = setting(
        0.0001, "Shokri: selection threshold τ.", low=0.0, per_dataset=True)


class ShokriDefence(Defence):
    """Private participants upload through Shokri's mechanism; everyone clips to γ."""

    name = "shokri"
    summary = "Shokri's DP uploads (a --dp-eps budget alone selects it)"
    Settings = ShokriSettings

    def validate(self) -> None:
        """One budget, given exactly once; DSSGD only (FedAvg exchanges whole models)."""
        s = self.settings
        if s.dp_eps is not None and s.dp_eps_per_param is not None:
            raise ValueError("dp_eps_per_param: give either --dp-eps or --dp-eps-per-param")
        if s.dp_eps is None and s.dp_eps_per_param is None:
            raise ValueError("dp_eps: the shokri defense needs --dp-eps or --dp-eps-per-param")
        if not self.context.selective:
            raise ValueError(f"protocol: {self.context.protocol} exchanges whole models; "
                             "Shokri's selective DP uploads need --protocol dssgd (DP-SGD works "
                             "with both)")

    def upload_budget(self, n_params: int) -> tuple[float, int]:
        """(ε per upload, c): c = ⌈θu·|w|⌉ values released; ε = --dp-eps or (ε/c)·c."""
        from ganleak_cli.protocol.selection import fraction_count

        c = fraction_count(self.context.theta_u, n_params)
        s = self.settings
        eps = s.dp_eps if s.dp_eps is not None else s.dp_eps_per_param * c
        return float(eps), c

    def uploader(self, rules, n_params: int, private: bool):
        """Shokri's mechanism for a private participant; a plain upload clipped to γ else."""
        from ganleak_cli.privacy.shokri import ShokriUpload
        from ganleak_cli.protocol.participant import PlainUpload

        if private:
            eps, c = self.upload_budget(n_params)
            return ShokriUpload(eps, c, self.settings.dp_gamma, self.settings.dp_tau)
        gamma = self.context.gamma if self.context.gamma is not None else self.settings.dp_gamma
        return PlainUpload(dataclasses.replace(rules, gamma=gamma))

    def turn_ledger(self, n_params: int, records: int, turns: int = 1):
        """One pure ε-DP Laplace event per upload."""
        from ganleak_cli.privacy.accounting import Ledger, laplace_event

        ledger = Ledger()
        ledger.record(laplace_event(self.upload_budget(n_params)[0]), turns)
        return ledger

    def nominal_figures(self, n_params: int, round_epsilon: float | None) -> dict:
        """ε per upload, the paper's ε/c, and c."""
        eps, c = self.upload_budget(n_params)
        return {"epsilon_nominal": eps, "epsilon_per_param": eps / c, "released_per_upload": c}

    def describe(self, plan: dict) -> list[str]:
        """c, ε per upload and ε/c."""
        return [f"values released per upload c = ⌈θu·|w|⌉ = {plan['released_per_upload']}",
                "ε per upload (nominal, per epoch per participant): "
                f"{plan['epsilon_nominal']:.6g}",
                f"ε/c (per parameter, as the paper quotes it): {plan['epsilon_per_param']:.6g}"]
