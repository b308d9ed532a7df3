"""Which defence each participant applies, and the ε figures a run reports."""

from __future__ import annotations

import dataclasses

from ganleak_cli.config import SimConfig
from ganleak_cli.privacy.accounting import Ledger, dpsgd_event, laplace_event
from ganleak_cli.privacy.shokri import ShokriUpload
from ganleak_cli.protocol.participant import ExchangeRules, PlainUpload
from ganleak_cli.protocol.selection import fraction_count


def upload_budget(cfg: SimConfig, n_params: int) -> tuple[float, int]:
    """(ε per upload, c): c = ⌈θu·|w|⌉ values released; ε = --dp-eps or (ε/c)·c."""
    c = fraction_count(cfg.theta_u, n_params)
    eps = cfg.dp_eps if cfg.dp_eps is not None else cfg.dp_eps_per_param * c
    return float(eps), c


def make_uploader(cfg: SimConfig, rules: ExchangeRules, n_params: int, private: bool):
    """Shokri's mechanism for a private participant under ``--defense shokri``, else plain.

    Under Shokri's defence γ is a protocol bound: a participant that adds no noise still clips
    its uploads to [−γ, γ] (``--gamma`` when given, else ``--dp-gamma``).
    """
    if cfg.defense != "shokri":
        return PlainUpload(rules)
    if private:
        eps, c = upload_budget(cfg, n_params)
        return ShokriUpload(eps, c, cfg.dp_gamma, cfg.dp_tau)
    gamma = cfg.gamma if cfg.gamma is not None else cfg.dp_gamma
    return PlainUpload(dataclasses.replace(rules, gamma=gamma))


def is_private(cfg: SimConfig, adversary: bool) -> bool:
    """Honest participants apply the defence; the adversary only with ``--dp-adversary``."""
    return cfg.defense != "none" and (not adversary or cfg.dp_adversary)


def epsilon_figures(cfg: SimConfig, ledgers: list[Ledger], turn_ledger: Ledger | None,
                    n_params: int) -> dict:
    """Nominal and composed ε: the largest over the given (private) participants' ledgers.

    ``epsilon_round`` is one turn's composed ε (a round in round-robin or random order);
    ``epsilon_total`` composes every event so far.
    """
    if cfg.defense == "none" or not ledgers:
        return {}
    total, accountant = max(ledger.epsilon(cfg.dp_delta, cfg.accountant) for ledger in ledgers)
    round_eps = turn_ledger.epsilon(cfg.dp_delta, cfg.accountant)[0] if turn_ledger else None
    out = {"epsilon_total": total, "epsilon_round": round_eps, "delta": cfg.dp_delta,
           "accountant": accountant, "defense": cfg.defense}
    if cfg.defense == "shokri":
        eps, c = upload_budget(cfg, n_params)
        out.update(epsilon_nominal=eps, epsilon_per_param=eps / c, released_per_upload=c)
    else:
        out.update(epsilon_nominal=round_eps, epsilon_per_param=None)
    return out


def turn_ledger(cfg: SimConfig, n_params: int, records: int, turns: int = 1) -> Ledger | None:
    """The events ``turns`` turns of a private participant holding ``records`` records spend."""
    ledger = Ledger()
    if cfg.defense == "shokri":
        ledger.record(laplace_event(upload_budget(cfg, n_params)[0]), turns)
    elif cfg.defense == "dpsgd":
        rate = min(1.0, cfg.batch_size / records)
        ledger.record(dpsgd_event(cfg.noise_multiplier, rate), turns * cfg.local_steps)
    else:
        return None
    return ledger
