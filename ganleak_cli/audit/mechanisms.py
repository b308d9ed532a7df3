"""The audited mechanisms: each runs on a pair of neighbouring inputs many times and returns
features of its outputs, with the ε it claims.

* ``shokri``: the real ``shokri_release`` (selection by the sparse vector technique, Laplace
  values) on two bounded updates of one participant;
* ``dpsgd``: the real ``DPSGDTrainer._privatise`` on two batches that differ in one example
  (``dpsgd_step``);
* positive controls of exactly known ε (``controls``): ``laplace`` and ``randomized-response``,
  and the correct sparse vector technique ``svt`` (tight at c = 1);
* negative controls, broken on purpose (the audit must flag them): the sparse vector technique
  variants of Lyu, Su & Li and ``dpsgd-unclipped``.

Each mechanism names the estimator its verdict uses (``estimators``): Clopper–Pearson for the
pure ε-DP ones, GDP for the Gaussian DP-SGD step (whose trade-off curve is Gaussian).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Callable

import numpy as np

from ganleak_cli.audit import controls, dpsgd_step, shokri_exact, svt
from ganleak_cli.audit.chunks import in_chunks
from ganleak_cli.privacy.shokri import shokri_release, shokri_scales

GAMMA = 1.0
EXACT_LOSS = "largest privacy loss of these neighbours (computed exactly)"
SHOKRI_FEATURES = ("target_selected", "target_score", "target_max_value")


@dataclass(frozen=True)
class Settings:
    """What the user chose (``ganleak audit`` options); trials None: the mechanism's default."""

    epsilon: float = 1.0
    noise_multiplier: float = 1.0
    l2_clip: float = 1.0
    delta: float = 1e-5
    trials: int | None = None
    confidence: float = 0.95
    seed: int = 0
    params: int = 5
    c: int = 1


@dataclass(frozen=True)
class Samples:
    """Features of the outputs on D and D′ ([trials, features] each), the claimed (ε, δ), how
    the claim was obtained, what the neighbours are, and reference values of ε to read the bound
    against where the claim is known to be loose (name, value)."""

    features: tuple[str, ...]
    on_d: np.ndarray
    on_d2: np.ndarray
    claimed_epsilon: float
    delta: float
    claim: str
    neighbours: str
    references: tuple[tuple[str, float], ...] = ()


def shokri_features(delta: np.ndarray, settings: Settings, tau: float, trials: int,
                    rng: np.random.Generator) -> np.ndarray:
    """Per upload of ``shokri_release``: how many of the c target coordinates (the first c)
    were selected; that count plus their released values / 2γ; their largest value (−2γ
    when none was selected)."""
    counts, sums, tops = np.zeros(trials), np.zeros(trials), np.full(trials, -2 * GAMMA)
    for t in range(trials):
        indices, values = shokri_release(delta, settings.c, settings.epsilon, GAMMA, tau, rng)
        chosen = values[indices < settings.c]
        if chosen.size:
            counts[t], sums[t], tops[t] = chosen.size, chosen.sum(), chosen.max()
    return np.stack([counts, counts + sums / (2 * GAMMA), tops], axis=1)


def shokri_pair(on_d: np.ndarray, settings: Settings, tau: float, trials: int,
                rng: np.random.Generator) -> np.ndarray:
    """[trials, 2, features]: ``shokri_features`` on D (``on_d``), then on D′ (γ − ``on_d``)."""
    return np.stack([shokri_features(on_d, settings, tau, trials, rng),
                     shokri_features(GAMMA - on_d, settings, tau, trials, rng)], axis=1)


def shokri_references(settings: Settings, tau: float) -> tuple[tuple[str, float], ...]:
    """The proven ε (sensitivity γ) and, for c = 1, the exact loss of the audit's neighbours."""
    proven = ("proven ε (queries of sensitivity γ)",
              shokri_exact.proven_epsilon(settings.epsilon, settings.c))
    if settings.c != 1:
        return (proven,)
    exact = shokri_exact.neighbours_loss(settings.epsilon, settings.params, GAMMA, tau)["loss"]
    return (proven, (EXACT_LOSS, exact))


def shokri_samples(settings: Settings, trials: int) -> Samples:
    """Two bounded updates (γ = 1) far apart for the selection and the values: D has |Δ| = γ
    on the c targets and 0 elsewhere, D′ the reverse. τ = γ + 2σ(ε1) puts the noisy threshold
    above every |Δ| (where one target's odds of selection differ most)."""
    tau = GAMMA + 2.0 * shokri_scales(settings.epsilon, settings.c, GAMMA).threshold
    on_d = np.zeros(settings.params)
    on_d[:settings.c] = GAMMA
    pairs = in_chunks(partial(shokri_pair, on_d, settings, tau), trials, settings.seed)
    return Samples(SHOKRI_FEATURES, pairs[:, 0], pairs[:, 1],
                   settings.epsilon, 0.0, "ε per upload (pure ε-DP, as the ledger records it)",
                   f"two updates of {settings.params} values in [−γ, γ]: γ on the first "
                   f"c = {settings.c} and 0 elsewhere, vs the reverse; τ = {tau:.4g}γ",
                   shokri_references(settings, tau))


def svt_sampler(name: str) -> Callable[[Settings, int], Samples]:
    """The sampler of one sparse vector variant (``svt.VARIANTS``)."""
    variant, design = svt.VARIANTS[name]

    def sample(settings: Settings, trials: int) -> Samples:
        features, on_d, on_d2 = svt.svt_samples(name, settings.epsilon, trials, settings.seed)
        return Samples(features, on_d, on_d2, settings.epsilon, 0.0,
                       "ε of the selection stage (threshold Lap(2cΔ/ε), query Lap(4cΔ/ε))",
                       f"{design.pins} queries 0 vs Δ then {design.baits} queries Δ vs 0; "
                       f"T = {design.threshold:g}Δ, c = {design.c}")
    return sample


def dpsgd_sampler(clipped: bool) -> Callable[[Settings, int], Samples]:
    """One DP-SGD step with (the real code) or without clipping (negative control)."""
    def sample(settings: Settings, trials: int) -> Samples:
        features, on_d, on_d2 = dpsgd_step.dpsgd_samples(
            settings.noise_multiplier, settings.l2_clip, trials, settings.seed, clipped)
        return Samples(features, on_d, on_d2,
                       dpsgd_step.claimed_epsilon(settings.noise_multiplier, settings.delta),
                       settings.delta, "ε at δ of one step (PLD accountant, sampling rate 1)",
                       f"a batch of {dpsgd_step.BATCH} with a canary of gradient norm "
                       f"{dpsgd_step.CANARY_NORM:g}·C vs the same batch without it "
                       f"(add/remove, both divided by {dpsgd_step.BATCH})")
    return sample


def control_sampler(draw, claim: str, neighbours: str) -> Callable[[Settings, int], Samples]:
    """The sampler of a positive control (``controls``): its ε is exactly the claim."""
    def sample(settings: Settings, trials: int) -> Samples:
        features, on_d, on_d2 = draw(settings.epsilon, trials,
                                     np.random.default_rng(settings.seed))
        return Samples(features, on_d, on_d2, settings.epsilon, 0.0, claim, neighbours)
    return sample


@dataclass(frozen=True)
class Mechanism:
    """How to sample a mechanism, its default trials per input, the estimator of its verdict,
    whether it is a positive control (ε known exactly) or a negative one (broken on purpose:
    the audit should FAIL it), and the share of the runs its event is searched on."""

    sample: Callable[[Settings, int], Samples]
    default_trials: int
    family: str
    negative_control: bool = False
    estimator: str = "clopper-pearson"
    exact: bool = False
    search_share: float = 0.5


SVT_TRIALS = {"svt": 8_000_000, "svt-noisy-value": 8_000_000,
              "svt-unscaled-noise": 30_000_000, "svt-no-threshold-noise": 400_000}

MECHANISMS = {
    "laplace": Mechanism(control_sampler(controls.laplace_samples, "exactly ε (Lap(1/ε))",
                                         "a query of sensitivity 1: 0 on D, 1 on D′"),
                         1_000_000, "control", exact=True),
    "randomized-response": Mechanism(
        control_sampler(controls.randomized_response_samples,
                        "exactly ε (truthful with probability e^ε/(1+e^ε))",
                        "one private bit: 1 on D, 0 on D′"), 1_000_000, "control", exact=True),
    # its event is plain (the target selected with its value at the top): a fifth of the runs
    # find it, the rest bound it
    "shokri": Mechanism(shokri_samples, 400_000, "shokri", search_share=0.2),
    "dpsgd": Mechanism(dpsgd_sampler(True), 20_000, "dpsgd", estimator="gdp"),
    **{name: Mechanism(svt_sampler(name), SVT_TRIALS[name], "svt", variant.broken,
                       exact=not variant.broken)
       for name, (variant, _) in svt.VARIANTS.items()},
    "dpsgd-unclipped": Mechanism(dpsgd_sampler(False), 20_000, "dpsgd", True, "gdp"),
}
