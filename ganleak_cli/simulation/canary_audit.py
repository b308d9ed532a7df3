"""``ganleak audit --run-config FILE``: a whole simulated run audited with canaries.

The run is built and played exactly as ``ganleak simulate`` would (no evaluations, no run
folder), except that the first victim trains with ``CanaryTrainer``: DP-SGD with m white-box
gradient canaries among its records (``audit/canaries.py``). After the last round, the one-run
estimator (``audit/one_run.py``) turns the canaries' scores into a lower bound on ε, printed
beside the ε the victim's ledger claims for the run (``epsilon_total`` of ``simulate``).
``noise_scale`` < 1 trains with less noise than is accounted: a deliberately wrong claim.
"""

from __future__ import annotations

import numpy as np

from ganleak_cli.audit.canaries import CanarySet, CanaryTrainer
from ganleak_cli.audit.one_run import audit_scores, gdp_scores
from ganleak_cli.core.errors import ConfigError
from ganleak_cli.defences.dpsgd import DpsgdDefence
from ganleak_cli.protocol.participant import Participant, batch_for
from ganleak_cli.simulation.config import SimConfig
from ganleak_cli.simulation.runner import Silent, build_world, play_round

CANARY_STREAM = 0xCA7A  # canaries seeded by SeedSequence([seed, CANARY_STREAM]), apart


def turn_sampling_rate(victim: Participant, rules) -> float:
    """The sampling rate its ledger records per step: a turn's batch over its records."""
    records = victim.example_count()
    return batch_for(rules.local_steps * min(rules.batch_size, records), rules) / records


def canary_trainer(world, cfg: SimConfig, count: int, noise_scale: float) -> CanaryTrainer:
    """The first victim's trainer, with ``count`` canaries (coordinates and bits from the seed)."""
    victim, settings = world.participants[0], world.defence.settings
    rng = np.random.default_rng(np.random.SeedSequence([cfg.run.seed, CANARY_STREAM]))
    canaries = CanarySet.draw(victim.trainer.model, count, rng)
    rate = turn_sampling_rate(victim, world.rules)
    return CanaryTrainer(victim.trainer.model, cfg.exchange.lr, settings.l2_clip,
                         settings.noise_multiplier * noise_scale, settings.noise_multiplier,
                         int(rng.integers(2**31)), canaries, rate)


def canary_audit(cfg: SimConfig, canaries: int = 1000, noise_scale: float = 1.0,
                 confidence: float = 0.95, note=Silent().note) -> dict:
    """Play the run with canaries in the first victim's DP-SGD; the claim (ε at the run's
    ``dp_delta``, as ``simulate`` reports it) and the bound."""
    if not isinstance(cfg.make_defence(), DpsgdDefence):
        raise ConfigError(f"defense: the whole-run audit needs DP-SGD (defense = \"dpsgd\"), "
                          f"the run config has {cfg.defence.defense!r}")
    delta = cfg.defence.dp_delta
    world = build_world(cfg, note)
    trainer = canary_trainer(world, cfg, canaries, noise_scale)
    world.participants[0].trainer = trainer
    note(f"rounds 1-{cfg.run.rounds} with {canaries} canaries in {world.participants[0].name}")
    for _ in range(cfg.run.rounds):
        play_round(world)
    claimed, accountant = world.participants[0].ledger.epsilon(delta, world.defence.accountant)
    scores, included = trainer.scores.numpy(), trainer.canaries.included
    bounds = {"one-run": audit_scores(scores, included, confidence, delta),
              "gdp": gdp_scores(scores, included, confidence, delta, cfg.run.seed)}
    exceeded = [name for name, b in bounds.items() if b["epsilon_lower_bound"] > claimed]
    return {"claimed_epsilon": claimed, "accountant": accountant, "delta": delta,
            "confidence": confidence, "noise_scale": noise_scale,
            "noise_multiplier_claimed": trainer.claimed_multiplier,
            "noise_multiplier_trained": trainer.noise_multiplier, "sampling_rate": trainer.rate,
            "canaries": canaries, "included": int(included.sum()), "rounds": cfg.run.rounds,
            "estimators": bounds, "exceeded_by": exceeded,
            "verdict": "FAIL" if exceeded else "PASS"}


def describe_run_audit(result: dict) -> str:
    """Human-readable lines for ``ganleak audit --run-config``."""
    one, gdp = result["estimators"]["one-run"], result["estimators"]["gdp"]
    scale = ("" if result["noise_scale"] == 1 else
             f" — trained with σ = {result['noise_multiplier_trained']:g}, a deliberately "
             f"wrong claim")
    return "\n".join([
        f"run: {result['rounds']} rounds, {result['canaries']} canaries "
        f"({result['included']} included) in the first victim's DP-SGD, sampled at "
        f"q = {result['sampling_rate']:.4g} a step",
        f"claimed ε at δ = {result['delta']:g}: {result['claimed_epsilon']:.4g} "
        f"({result['accountant']}, σ = {result['noise_multiplier_claimed']:g}){scale}",
        f"ε lower bounds at confidence {result['confidence']:g}:",
        f"  one-run          {one['epsilon_lower_bound']:<8.4g} (assumes (ε, δ)-DP only; "
        f"{one['correct']} of {one['guesses']} guesses right)",
        f"  gdp              {gdp['epsilon_lower_bound']:<8.4g} (assumes a Gaussian trade-off "
        f"curve; held-out hits {gdp['hits_numerator']} vs {gdp['hits_denominator']} of "
        f"{gdp['held_out']} each)",
        f"verdict: {result['verdict']}" + (f" (exceeded by {', '.join(result['exceeded_by'])})"
                                             if result["exceeded_by"] else ""),
    ])
