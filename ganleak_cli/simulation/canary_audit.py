"""``ganleak audit --run-config FILE``: a whole simulated run audited with canaries.

The run is built and played exactly as ``ganleak simulate`` would (no evaluations, no run
folder), except that the first victim carries m white-box canaries (``audit/canaries.py``):
under DP-SGD it trains with ``CanaryTrainer`` (canary gradients among its records), under
Shokri's mechanism it uploads through ``CanaryUpload`` (canaries in its parameter changes). After
the last round, the one-run and GDP estimators (``audit/one_run.py``) turn the canaries' scores
into lower bounds on ε, printed beside the ε the victim's ledger claims for the run
(``epsilon_total`` of ``simulate``). ``noise_scale`` < 1 trains (or releases) with less noise than
is accounted: a deliberately wrong claim.
"""

from __future__ import annotations

import numpy as np

from ganleak_cli.audit.canaries import CanarySet, CanaryTrainer, CanaryUpload
from ganleak_cli.audit.one_run import audit_scores, gdp_scores
from ganleak_cli.core.errors import ConfigError
from ganleak_cli.defences.dpsgd import DpsgdDefence
from ganleak_cli.defences.shokri import ShokriDefence
from ganleak_cli.protocol.participant import Participant, batch_for
from ganleak_cli.simulation.config import SimConfig
from ganleak_cli.simulation.runner import Silent, build_world, play_round

CANARY_STREAM = 0xCA7A  # canaries seeded by SeedSequence([seed, CANARY_STREAM]), apart


def turn_sampling_rate(victim: Participant, rules) -> float:
    """The sampling rate its ledger records per step: a turn's batch over its records."""
    records = victim.example_count()
    return batch_for(rules.local_steps * min(rules.batch_size, records), rules) / records


def canary_rng(seed: int) -> np.random.Generator:
    """The canaries' stream, from the run's seed and apart from every stream the run draws."""
    return np.random.default_rng(np.random.SeedSequence([seed, CANARY_STREAM]))


def canary_trainer(world, seed: int, lr: float, count: int,
                   noise_scale: float) -> CanaryTrainer:
    """The first victim's trainer at step size ``lr``, with ``count`` canaries (coordinates and
    bits from the seed)."""
    victim, settings = world.participants[0], world.defence.settings
    rng = canary_rng(seed)
    canaries = CanarySet.draw(victim.trainer.model, count, rng)
    rate = turn_sampling_rate(victim, world.rules)
    return CanaryTrainer(victim.trainer.model, lr, settings.l2_clip,
                         settings.noise_multiplier * noise_scale, settings.noise_multiplier,
                         int(rng.integers(2**31)), canaries, rate)


def canary_upload(world, seed: int, count: int, noise_scale: float) -> CanaryUpload:
    """The first victim's Shokri upload with ``count`` canaries on distinct coordinates."""
    canaries = CanarySet.among(world.server.weights.size, count, canary_rng(seed))
    return CanaryUpload(world.participants[0].uploader, canaries, noise_scale)


def instrument(world, seed: int, lr: float, canaries: int, noise_scale: float):
    """Put the canaries into the first victim (trained at ``lr`` under DP-SGD); the object that
    scores them and its facts."""
    victim = world.participants[0]
    if isinstance(world.defence, DpsgdDefence):
        victim.trainer = canary_trainer(world, seed, lr, canaries, noise_scale)
        t = victim.trainer
        return (lambda: (t.scores.numpy(), t.canaries.included),
                {"mechanism": "dpsgd", "noise_multiplier_claimed": t.claimed_multiplier,
                 "noise_multiplier_trained": t.noise_multiplier, "sampling_rate": t.rate})
    victim.uploader = upload = canary_upload(world, seed, canaries, noise_scale)
    return (lambda: (upload.scores, upload.included),
            {"mechanism": "shokri", "epsilon_upload_claimed": upload.claimed,
             "epsilon_upload_released": upload.inner.epsilon})


def canary_audit(cfg: SimConfig, canaries: int = 1000, noise_scale: float = 1.0,
                 confidence: float = 0.95, note=Silent().note) -> dict:
    """Play the run with canaries in the first victim (DP-SGD or Shokri's upload); the claim
    (ε at the run's ``dp_delta``, as ``simulate`` reports it) and the bounds."""
    if not isinstance(cfg.make_defence(), (DpsgdDefence, ShokriDefence)):
        raise ConfigError(f"defense: the whole-run audit needs DP-SGD or Shokri's mechanism "
                          f"(defense = \"dpsgd\" or \"shokri\"), the run config has "
                          f"{cfg.defence.defense!r}")
    delta = cfg.defence.dp_delta
    world = build_world(cfg, note)
    scored, facts = instrument(world, cfg.run.seed, cfg.exchange.lr, canaries, noise_scale)
    note(f"rounds 1-{cfg.run.rounds} with {canaries} canaries in {world.participants[0].name}")
    for _ in range(cfg.run.rounds):
        play_round(world)
    claimed, accountant = world.participants[0].ledger.epsilon(delta, world.defence.accountant)
    scores, included = scored()
    bounds = {"one-run": audit_scores(scores, included, confidence, delta),
              "gdp": gdp_scores(scores, included, confidence, delta, cfg.run.seed)}
    exceeded = [name for name, b in bounds.items() if b["epsilon_lower_bound"] > claimed]
    return {"claimed_epsilon": claimed, "accountant": accountant, "delta": delta,
            "confidence": confidence, "noise_scale": noise_scale, **facts,
            "canaries": canaries, "included": int(included.sum()), "rounds": cfg.run.rounds,
            "estimators": bounds, "exceeded_by": exceeded,
            "verdict": "FAIL" if exceeded else "PASS"}


def mechanism_line(result: dict) -> str:
    """What carried the canaries, and how the claim was made."""
    if result["mechanism"] == "dpsgd":
        wrong = ("" if result["noise_scale"] == 1 else
                 f" — trained with σ = {result['noise_multiplier_trained']:g}, a deliberately "
                 f"wrong claim")
        return (f"in the first victim's DP-SGD, sampled at q = {result['sampling_rate']:.4g} a "
                f"step; σ = {result['noise_multiplier_claimed']:g}{wrong}")
    wrong = ("" if result["noise_scale"] == 1 else
             f" — released at ε = {result['epsilon_upload_released']:.4g}, a deliberately "
             f"wrong claim")
    return (f"in the first victim's Shokri uploads; ε per upload "
            f"{result['epsilon_upload_claimed']:.4g}{wrong}")


def describe_run_audit(result: dict) -> str:
    """Human-readable lines for ``ganleak audit --run-config``."""
    one, gdp = result["estimators"]["one-run"], result["estimators"]["gdp"]
    return "\n".join([
        f"run: {result['rounds']} rounds, {result['canaries']} canaries "
        f"({result['included']} included) {mechanism_line(result)}",
        f"claimed ε at δ = {result['delta']:g}: {result['claimed_epsilon']:.4g} "
        f"({result['accountant']})",
        f"ε lower bounds at confidence {result['confidence']:g}:",
        f"  one-run          {one['epsilon_lower_bound']:<8.4g} (assumes (ε, δ)-DP only; "
        f"{one['correct']} of {one['guesses']} guesses right)",
        f"  gdp              {gdp['epsilon_lower_bound']:<8.4g} (assumes a Gaussian trade-off "
        f"curve; held-out hits {gdp['hits_numerator']} vs {gdp['hits_denominator']} of "
        f"{gdp['held_out']} each)",
        f"verdict: {result['verdict']}" + (f" (exceeded by {', '.join(result['exceeded_by'])})"
                                             if result["exceeded_by"] else ""),
    ])
